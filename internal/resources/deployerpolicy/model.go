package deployerpolicy

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

type model struct {
	ResourceTypes   types.Set            `tfsdk:"resource_types"`
	NamePrefix      types.String         `tfsdk:"name_prefix"`
	PassRoleARNs    types.Set            `tfsdk:"pass_role_arns"`
	Boundary        types.String         `tfsdk:"permissions_boundary_arn"`
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
	in.PermissionsBoundaryARN = m.Boundary.ValueString()
	return in, diags
}

// makesRoles reports whether the policy lets the identity create roles.
func makesRoles(d iampolicy.Document) bool {
	return slices.ContainsFunc(d.Statement, func(s iampolicy.Statement) bool {
		return s.Effect == iampolicy.EffectAllow && slices.Contains(s.Action, "iam:CreateRole")
	})
}

// flatten sets the computed attributes from the rendered policy.
func (m *model) flatten(ctx context.Context, d iampolicy.Document) diag.Diagnostics {
	var parts, actions []string
	for _, p := range iampolicy.ManagedPolicies(d, iampolicy.ManagedPolicyLimit) {
		parts = append(parts, p.JSON())
	}
	for _, s := range d.Statement {
		if s.Effect == iampolicy.EffectAllow { // the Deny statements' actions are not granted
			actions = append(actions, s.Action...)
		}
	}
	var diags, more diag.Diagnostics
	m.PolicyJSON = jsontypes.NewNormalizedValue(d.JSON())
	m.ManagedPolicies, diags = types.ListValueFrom(ctx, types.StringType, parts)
	// An action can be granted by several statements (on other resources).
	actions = slices.Compact(slices.Sorted(slices.Values(actions)))
	m.Actions, more = types.SetValueFrom(ctx, types.StringType, actions)
	diags.Append(more...)
	m.Size = types.Int64Value(int64(iampolicy.Size(d)))
	return diags
}
