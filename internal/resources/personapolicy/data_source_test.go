package personapolicy

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

func TestSchema(t *testing.T) {
	var resp datasource.SchemaResponse
	(&dataSource{}).Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	if d := resp.Schema.ValidateImplementation(context.Background()); d.HasError() {
		t.Fatalf("schema: %v", d)
	}
	if !strings.Contains(resp.Schema.MarkdownDescription, "final judge") {
		t.Error("the description must say real AWS is the final judge of the documents")
	}
	// Every PersonaSpec input field has its attribute, so every error can point at one.
	for field, name := range specFields {
		a, ok := resp.Schema.Attributes[name]
		if !ok || a.IsComputed() {
			t.Errorf("spec field %s: no input attribute %s", field, name)
		}
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no description", name)
		}
	}
}

func TestErrorDiagnostic(t *testing.T) {
	spec := iampolicy.PersonaSpec{Persona: iampolicy.PersonaDataScientist, Partition: "aws", Region: "us-east-1",
		AccountID: "123456789012", SecurityGroupIDs: []string{"sg-0123456789abcdef0"},
		KMSKeyARN:         "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		ExecutionRoleARNs: []string{"arn:aws:iam::123456789012:role/ml-training"}, AccountPrincipals: []string{"123456789012"}}
	_, _, err := iampolicy.PersonaPolicy(spec)
	if err == nil {
		t.Fatal("a launching persona without subnets was rendered")
	}
	d := errorDiagnostic("permission", err)
	withPath, ok := d.(diag.DiagnosticWithPath)
	if !ok || !withPath.Path().Equal(path.Root("subnet_ids")) {
		t.Errorf("diagnostic %v is not on subnet_ids", d)
	}
	if !strings.HasPrefix(d.Summary(), "SS-IAM-3: ") {
		t.Errorf("summary %q does not name SS-IAM-3", d.Summary())
	}
	if d := errorDiagnostic("trust", errors.New("boom")); d.Summary() != "Rendering the persona trust policy failed" {
		t.Errorf("plain error: summary %q", d.Summary())
	}
}

// The extra activity joins the persona's defaults in policy order, not at the end.
func TestActivitiesValue(t *testing.T) {
	var diags diag.Diagnostics
	spec := iampolicy.PersonaSpec{Persona: iampolicy.PersonaMLEngineer, ExtraActivities: []string{iampolicy.ActivityManageMLJobs}}
	var ids []string
	diags.Append(activitiesValue(spec, &diags).ElementsAs(context.Background(), &ids, false)...)
	want := "run_studio_apps,manage_ml_jobs,manage_models,manage_endpoints,manage_pipelines,search_experiments"
	if diags.HasError() || strings.Join(ids, ",") != want {
		t.Errorf("activities %v (%v), want %s", ids, diags, want)
	}
}
