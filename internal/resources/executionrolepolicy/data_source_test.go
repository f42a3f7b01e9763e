package executionrolepolicy

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// The data source takes exactly iampolicy's role inputs, described the same
// way; sagesafe_execution_role checks the same of its schema
// (TestSchemaTakesTheSharedInputs), so the two cannot drift apart.
func TestSchemaSharesTheResourceInputs(t *testing.T) {
	var ds datasource.SchemaResponse
	(&dataSource{}).Schema(context.Background(), datasource.SchemaRequest{}, &ds)
	shared := map[string]string{"purpose": iampolicy.PurposeDescription}
	for _, in := range iampolicy.RoleSetInputs() {
		shared[in.Name] = in.Description
	}
	if ds.Schema.MarkdownDescription == "" {
		t.Error("the data source has no description")
	}
	for name, a := range ds.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no description", name)
		}
		if a.IsComputed() {
			continue
		}
		description, ok := shared[name]
		if !ok {
			t.Errorf("input %s is not an input of sagesafe_execution_role", name)
			continue
		}
		if description != a.GetMarkdownDescription() || a.IsRequired() != (name == "purpose") {
			t.Errorf("input %s differs from the resource's", name)
		}
	}
	for name := range shared {
		if _, ok := ds.Schema.Attributes[name]; !ok {
			t.Errorf("resource input %s is missing from the data source", name)
		}
	}
	if d := ds.Schema.ValidateImplementation(context.Background()); d.HasError() {
		t.Errorf("schema: %v", d)
	}
}
