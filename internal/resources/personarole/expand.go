package personarole

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// specFields maps PersonaSpec fields to the attributes they come from, for
// refusals on the attribute at fault.
var specFields = map[string]string{
	"Persona":           "persona",
	"SubnetIDs":         "subnet_ids",
	"SecurityGroupIDs":  "security_group_ids",
	"KMSKeyARN":         "kms_key_arn",
	"ExecutionRoleARNs": "execution_role_arns",
	"S3ReadURIs":        "s3_read_uris",
	"S3WriteURIs":       "s3_write_uris",
	"ExtraActivities":   "extra_activities",
	"AccountPrincipals": "account_principals",
	"SAMLProviderARN":   "saml_provider_arn",
	"StudioDomainID":    "studio_domain_id",
}

// spec converts the inputs; known is false while any is unknown.
func (r *roleResource) spec(ctx context.Context, m *resourceModel, diags *diag.Diagnostics) (iampolicy.PersonaSpec, bool) {
	spec := iampolicy.PersonaSpec{
		Persona:   iampolicy.Persona(m.Persona.ValueString()),
		Partition: r.data.AWS.Partition, Region: r.data.AWS.Region, AccountID: r.data.AWS.AccountID,
		KMSKeyARN: m.KMSKeyARN.ValueString(), SAMLProviderARN: m.SAMLProviderARN.ValueString(),
		StudioDomainID: m.StudioDomainID.ValueString(),
	}
	known := !m.Persona.IsUnknown() && !m.KMSKeyARN.IsUnknown() && !m.SAMLProviderARN.IsUnknown() && !m.StudioDomainID.IsUnknown()
	for _, l := range []struct {
		into *[]string
		from facts.Value[[]string]
	}{
		{&spec.SubnetIDs, tfval.Strings(ctx, m.SubnetIDs, diags)},
		{&spec.SecurityGroupIDs, tfval.Strings(ctx, m.SecurityGroupIDs, diags)},
		{&spec.ExecutionRoleARNs, tfval.Strings(ctx, m.ExecutionRoleARNs, diags)},
		{&spec.S3ReadURIs, tfval.Strings(ctx, m.S3ReadURIs, diags)},
		{&spec.S3WriteURIs, tfval.Strings(ctx, m.S3WriteURIs, diags)},
		{&spec.ExtraActivities, tfval.Strings(ctx, m.ExtraActivities, diags)},
		{&spec.AccountPrincipals, tfval.Strings(ctx, m.AccountPrincipals, diags)},
	} {
		*l.into = l.from.V
		known = known && l.from.State != facts.StateUnknown
	}
	return spec, known
}

// render builds both documents from the inputs. known is false while an
// input is unknown (the documents are then known at apply); a refusal is
// an attribute error whose summary leads with its control.
func (r *roleResource) render(ctx context.Context, m *resourceModel) (docs iamrole.Documents, known bool, diags diag.Diagnostics) {
	spec, known := r.spec(ctx, m, &diags)
	if !known || diags.HasError() {
		return iamrole.Documents{}, false, diags
	}
	refuse := func(err error) {
		diags.Append(iampolicy.RefusalDiagnostic(err, "persona role", specFields, guardrail.ControlText))
	}
	policy, _, err := iampolicy.PersonaPolicy(spec)
	if err != nil {
		refuse(err)
		return iamrole.Documents{}, false, diags
	}
	trust, err := iampolicy.PersonaTrust(spec)
	if err != nil {
		refuse(err)
		return iamrole.Documents{}, false, diags
	}
	return iamrole.Documents{Keep: policyName, Trust: trust.JSON(), Policy: policy.JSON()}, true, diags
}

// renderKnown is render at apply, where every input is known.
func (r *roleResource) renderKnown(ctx context.Context, m *resourceModel, diags *diag.Diagnostics) (iamrole.Documents, bool) {
	docs, known, d := r.render(ctx, m)
	diags.Append(d...)
	if diags.HasError() {
		return iamrole.Documents{}, false
	}
	if !known {
		diags.AddError("Persona role inputs are unknown", "Every input must be known at apply. This is a bug in the provider.")
		return iamrole.Documents{}, false
	}
	return docs, true
}
