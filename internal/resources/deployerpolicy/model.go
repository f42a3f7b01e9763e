package deployerpolicy

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

type model struct {
	ResourceTypes   types.Set            `tfsdk:"resource_types"`
	NamePrefix      types.String         `tfsdk:"name_prefix"`
	PassRoleARNs    types.Set            `tfsdk:"pass_role_arns"`
	PolicyJSON      jsontypes.Normalized `tfsdk:"policy_json"`
	ManagedPolicies types.List           `tfsdk:"managed_policies_json"`
	Actions         types.Set            `tfsdk:"actions"`
	Size            types.Int64          `tfsdk:"size"`
}

// expand reads the inputs (Terraform reads a data source only once they
// are known).
func (m model) expand(ctx context.Context) (iampolicy.DeployerInputs, diag.Diagnostics) {
	var in iampolicy.DeployerInputs
	diags := m.ResourceTypes.ElementsAs(ctx, &in.Types, false)
	if !m.PassRoleARNs.IsNull() {
		diags.Append(m.PassRoleARNs.ElementsAs(ctx, &in.PassRoleARNs, false)...)
	}
	in.NamePrefix = m.NamePrefix.ValueString()
	return in, diags
}

// flatten sets the computed attributes from the rendered policy.
func (m *model) flatten(ctx context.Context, d iampolicy.Document) diag.Diagnostics {
	var parts, actions []string
	for _, p := range iampolicy.ManagedPolicies(d, iampolicy.ManagedPolicyLimit) {
		parts = append(parts, p.JSON())
	}
	for _, s := range d.Statement {
		actions = append(actions, s.Action...)
	}
	var diags, more diag.Diagnostics
	m.PolicyJSON = jsontypes.NewNormalizedValue(d.JSON())
	m.ManagedPolicies, diags = types.ListValueFrom(ctx, types.StringType, parts)
	m.Actions, more = types.SetValueFrom(ctx, types.StringType, actions)
	diags.Append(more...)
	m.Size = types.Int64Value(int64(iampolicy.Size(d)))
	return diags
}
