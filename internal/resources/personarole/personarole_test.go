package personarole

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Every attribute is described, and the schema and the model agree (every
// tfsdk tag, the embedded iamrole.Common's included, is an attribute or the
// timeouts block, and the other way round).
func TestSchemaMatchesModel(t *testing.T) {
	var resp resource.SchemaResponse
	(&roleResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Schema.MarkdownDescription == "" {
		t.Error("the resource has no description")
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no description", name)
		}
	}
	if d := resp.Schema.ValidateImplementation(context.Background()); d.HasError() {
		t.Errorf("schema: %v", d)
	}
	tags := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			tags[f.Tag.Get("tfsdk")] = true
		}
	}
	walk(reflect.TypeFor[resourceModel]())
	for name := range resp.Schema.Attributes {
		if !tags[name] {
			t.Errorf("attribute %s is not in the model", name)
		}
	}
	for name := range tags {
		if _, ok := resp.Schema.Attributes[name]; !ok && name != "timeouts" {
			t.Errorf("model field %s is not an attribute", name)
		}
	}
}
