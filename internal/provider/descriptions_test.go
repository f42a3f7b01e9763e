package provider_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// Every attribute and block of the provider, of every resource and of every
// data source, nested ones included, has a description: tfplugindocs prints
// an undescribed attribute as a bare name, which is how two data sources'
// nested attributes reached the docs empty. And no description contradicts
// the section tfplugindocs lists it under (a "**Required**" text under
// Optional). The schemas are read as Terraform
// reads them (GetProviderSchema), so nothing a walk of the framework types
// might skip is left out.
func TestEveryAttributeHasADescription(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("schema: %s: %s", d.Summary, d.Detail)
	}
	var missing []string
	check := func(kind, name string, s *tfprotov6.Schema) {
		if s == nil || s.Block == nil {
			t.Errorf("%s %s: no schema", kind, name)
			return
		}
		if strings.TrimSpace(s.Block.Description) == "" && kind != "provider" {
			missing = append(missing, kind+" "+name+" has no description")
		}
		missing = append(missing, docProblems(kind+" "+name, s.Block)...)
	}
	check("provider", "sagesafe", resp.Provider)
	for name, s := range resp.ResourceSchemas {
		check("resource", name, s)
	}
	for name, s := range resp.DataSourceSchemas {
		check("data source", name, s)
	}
	if len(resp.ResourceSchemas) == 0 || len(resp.DataSourceSchemas) == 0 {
		t.Fatalf("no resources or data sources in the schema: %d, %d", len(resp.ResourceSchemas), len(resp.DataSourceSchemas))
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Error(m)
	}
}

// docProblems lists what is wrong with the descriptions of the attributes and
// blocks under b, at any depth, each with a path from the schema's name.
func docProblems(at string, b *tfprotov6.SchemaBlock) []string {
	var out []string
	for _, a := range b.Attributes {
		p := at + "." + a.Name
		if strings.TrimSpace(a.Description) == "" {
			out = append(out, p+" has no description")
		}
		if a.Optional && strings.Contains(a.Description, "**Required**") {
			out = append(out, p+" is listed under Optional but its description says **Required**")
		}
		if holdsObject(a.Type) {
			// A list of objects, say, shows its fields in the docs with no
			// text and no way to give one: a nested attribute can.
			out = append(out, p+" is of an object type, whose fields cannot be described: make it a nested attribute")
		}
		if a.NestedType != nil {
			out = append(out, docProblems(p, &tfprotov6.SchemaBlock{Attributes: a.NestedType.Attributes})...)
		}
	}
	for _, nb := range b.BlockTypes {
		p := at + "." + nb.TypeName
		if strings.TrimSpace(nb.Block.Description) == "" {
			out = append(out, p+" has no description")
		}
		out = append(out, docProblems(p, nb.Block)...)
	}
	return out
}

// holdsObject says whether values of t are or contain objects, whose fields a
// schema cannot describe.
func holdsObject(t tftypes.Type) bool {
	switch t := t.(type) {
	case tftypes.Object:
		return true
	case tftypes.List:
		return holdsObject(t.ElementType)
	case tftypes.Set:
		return holdsObject(t.ElementType)
	case tftypes.Map:
		return holdsObject(t.ElementType)
	case tftypes.Tuple:
		return slices.ContainsFunc(t.ElementTypes, holdsObject)
	}
	return false
}
