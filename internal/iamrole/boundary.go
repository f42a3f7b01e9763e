package iamrole

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// PlanBoundary plans permissions_boundary_arn: the configured ARN, else the
// provider guardrails' role_permissions_boundary_arn (org; SS-IAM-5), else
// none. Planned explicitly rather than left to Computed, so that an unset
// boundary always plans the same value: the organisation's boundary put
// back after someone deleted it, or (without the guardrail) no boundary, as
// before the guardrail existed. A configured ARN other than org is kept in
// the plan for SS-IAM-5 to refuse.
func (c *Common) PlanBoundary(ctx context.Context, config tfsdk.Config, org string, diags *diag.Diagnostics) {
	var configured types.String
	diags.Append(config.GetAttribute(ctx, path.Root("permissions_boundary_arn"), &configured)...)
	switch {
	case !configured.IsNull():
		c.PermissionsBoundaryARN = configured
	case org != "":
		c.PermissionsBoundaryARN = types.StringValue(org)
	default:
		c.PermissionsBoundaryARN = types.StringNull()
	}
}

// Boundaries is the role named name with boundary v (planned, or read from
// IAM), as the guardrails see it (SS-IAM-5): null is no boundary.
func Boundaries(name string, v types.String) []guardrail.RoleBoundary {
	b := facts.Known(v.ValueString())
	if v.IsUnknown() {
		b = facts.Unknown[string]()
	}
	return []guardrail.RoleBoundary{{Role: name, Boundary: b}}
}
