package executionrolepolicy

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/executionrole"
)

// The data source takes exactly the resource's policy inputs, described the
// same way, so the two cannot drift apart.
func TestSchemaSharesTheResourceInputs(t *testing.T) {
	var ds datasource.SchemaResponse
	(&dataSource{}).Schema(context.Background(), datasource.SchemaRequest{}, &ds)
	var rs rschema.SchemaResponse
	executionrole.NewResource().Schema(context.Background(), rschema.SchemaRequest{}, &rs)
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
		ra, ok := rs.Schema.Attributes[name]
		if !ok {
			t.Errorf("input %s is not an input of sagesafe_execution_role", name)
			continue
		}
		if ra.GetMarkdownDescription() != a.GetMarkdownDescription() || ra.IsRequired() != a.IsRequired() {
			t.Errorf("input %s differs from the resource's", name)
		}
	}
	for _, in := range append(executionrole.SetInputs(), executionrole.SetInput{Name: "purpose"}) {
		if _, ok := ds.Schema.Attributes[in.Name]; !ok {
			t.Errorf("resource input %s is missing from the data source", in.Name)
		}
	}
	if d := ds.Schema.ValidateImplementation(context.Background()); d.HasError() {
		t.Errorf("schema: %v", d)
	}
}
