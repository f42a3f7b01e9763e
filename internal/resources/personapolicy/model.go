package personapolicy

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

type model struct {
	Persona           types.String `tfsdk:"persona"`
	AccountPrincipals types.Set    `tfsdk:"account_principals"`
	SAMLProviderARN   types.String `tfsdk:"saml_provider_arn"`
	StudioDomainID    types.String `tfsdk:"studio_domain_id"`
	SubnetIDs         types.Set    `tfsdk:"subnet_ids"`
	SecurityGroupIDs  types.Set    `tfsdk:"security_group_ids"`
	KMSKeyARN         types.String `tfsdk:"kms_key_arn"`
	ExecutionRoleARNs types.Set    `tfsdk:"execution_role_arns"`
	S3ReadURIs        types.Set    `tfsdk:"s3_read_uris"`
	S3WriteURIs       types.Set    `tfsdk:"s3_write_uris"`
	ExtraActivities   types.Set    `tfsdk:"extra_activities"`

	PolicyJSON        jsontypes.Normalized `tfsdk:"policy_json"`
	TrustPolicyJSON   jsontypes.Normalized `tfsdk:"trust_policy_json"`
	Size              types.Int64          `tfsdk:"size"`
	Activities        types.List           `tfsdk:"activities"`
	StatementControls types.List           `tfsdk:"statement_controls"`
}

// specFields maps iampolicy.PersonaSpec fields to their attributes, for errors.
var specFields = map[string]string{
	"Persona":           "persona",
	"AccountPrincipals": "account_principals",
	"SAMLProviderARN":   "saml_provider_arn",
	"StudioDomainID":    "studio_domain_id",
	"SubnetIDs":         "subnet_ids",
	"SecurityGroupIDs":  "security_group_ids",
	"KMSKeyARN":         "kms_key_arn",
	"ExecutionRoleARNs": "execution_role_arns",
	"S3ReadURIs":        "s3_read_uris",
	"S3WriteURIs":       "s3_write_uris",
	"ExtraActivities":   "extra_activities",
}

// spec reads the inputs; sets are sorted so the same inputs always render the same documents
// (a set has no order, and a policy error names an element by its place in this order).
func (m model) spec(ctx context.Context, diags *diag.Diagnostics) iampolicy.PersonaSpec {
	spec := iampolicy.PersonaSpec{
		Persona:         iampolicy.Persona(m.Persona.ValueString()),
		SAMLProviderARN: m.SAMLProviderARN.ValueString(),
		StudioDomainID:  m.StudioDomainID.ValueString(),
		KMSKeyARN:       m.KMSKeyARN.ValueString(),
	}
	for _, s := range []struct {
		set types.Set
		to  *[]string
	}{
		{m.AccountPrincipals, &spec.AccountPrincipals},
		{m.SubnetIDs, &spec.SubnetIDs},
		{m.SecurityGroupIDs, &spec.SecurityGroupIDs},
		{m.ExecutionRoleARNs, &spec.ExecutionRoleARNs},
		{m.S3ReadURIs, &spec.S3ReadURIs},
		{m.S3WriteURIs, &spec.S3WriteURIs},
		{m.ExtraActivities, &spec.ExtraActivities},
	} {
		diags.Append(s.set.ElementsAs(ctx, s.to, true)...)
		slices.Sort(*s.to)
	}
	return spec
}

// errorDiagnostic turns an iampolicy error into an attribute error naming the control it
// violates; which is "permission" or "trust", the document that refused the input.
func errorDiagnostic(which string, err error) diag.Diagnostic {
	var e *iampolicy.Error
	if !errors.As(err, &e) {
		return diag.NewErrorDiagnostic("Rendering the persona "+which+" policy failed", err.Error())
	}
	summary := "Invalid persona input: " + e.Reason
	if e.Control != "" {
		summary = e.Control + ": " + e.Reason
	}
	name, ok := specFields[e.Field]
	if !ok {
		return diag.NewErrorDiagnostic(summary, err.Error())
	}
	where := name
	if e.Index >= 0 {
		where = fmt.Sprintf("%s (element %d in sorted order)", name, e.Index)
	}
	if e.Value != "" {
		where += fmt.Sprintf(" %q", e.Value)
	}
	// A set element has no stable path, so the error is on the attribute.
	return diag.NewAttributeErrorDiagnostic(path.Root(name), summary, where+": "+e.Reason)
}

// activitiesValue lists the persona's default activities and the extra ones, in policy order.
func activitiesValue(spec iampolicy.PersonaSpec, diags *diag.Diagnostics) types.List {
	granted := slices.Concat(iampolicy.PersonaActivities(spec.Persona), spec.ExtraActivities)
	var ids []attr.Value
	for _, id := range iampolicy.AllPersonaActivities() {
		if slices.Contains(granted, id) {
			ids = append(ids, types.StringValue(id))
		}
	}
	l, d := types.ListValue(types.StringType, ids)
	diags.Append(d...)
	return l
}

// controlTitle is the catalog title of a control, "" for an unknown one.
func controlTitle(id string) string {
	c, _ := guardrail.Lookup(id)
	return c.Title
}
