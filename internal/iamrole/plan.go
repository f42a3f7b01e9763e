package iamrole

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Identity is a role resource's planned name, name_prefix, id and arn.
type Identity struct {
	Name, NamePrefix, ID, ARN *types.String
}

// PlanIdentity plans name, id and arn. name is Optional+Computed and keeps
// its state value by default; with name_prefix, a new or changed prefix
// means a new generated name.
//
// A new role's ARN stays unknown until apply, although it follows from the
// name: a known ARN would make the resources that use the role look it up at
// plan time, before it exists, and refuse it (SS-IAM-1: role does not
// exist). Unknown, their checks run at apply instead. An unchanged role
// keeps the ARN it has (an imported one may have a path).
func PlanIdentity(ctx context.Context, req resource.ModifyPlanRequest, plan Identity, diags *diag.Diagnostics) {
	var cfgName, stateName, statePrefix types.String
	diags.Append(req.Config.GetAttribute(ctx, path.Root("name"), &cfgName)...)
	if !req.State.Raw.IsNull() {
		diags.Append(req.State.GetAttribute(ctx, path.Root("name"), &stateName)...)
		diags.Append(req.State.GetAttribute(ctx, path.Root("name_prefix"), &statePrefix)...)
	}
	if cfgName.IsNull() && (req.State.Raw.IsNull() || !statePrefix.Equal(*plan.NamePrefix)) {
		*plan.Name = types.StringUnknown()
	}
	switch {
	case plan.Name.IsUnknown() || plan.Name.IsNull():
		*plan.ID, *plan.ARN = types.StringUnknown(), types.StringUnknown()
	case !req.State.Raw.IsNull() && stateName.Equal(*plan.Name):
	default:
		*plan.ID = *plan.Name
		*plan.ARN = types.StringUnknown()
	}
}
