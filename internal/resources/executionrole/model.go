package executionrole

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// resourceModel is the sagesafe_execution_role state. The policy inputs are
// iampolicy.RoleInputs, which the sagesafe_execution_role_policy data source
// embeds too, so both render the same JSON.
type resourceModel struct {
	iampolicy.RoleInputs

	ID                     types.String `tfsdk:"id"`
	ARN                    types.String `tfsdk:"arn"`
	Name                   types.String `tfsdk:"name"`
	NamePrefix             types.String `tfsdk:"name_prefix"`
	PermissionsBoundaryARN types.String `tfsdk:"permissions_boundary_arn"`
	MaxSessionDuration     types.Int64  `tfsdk:"max_session_duration"`
	Tags                   types.Map    `tfsdk:"tags"`
	TagsAll                types.Map    `tfsdk:"tags_all"`
	TrustPolicyJSON        types.String `tfsdk:"trust_policy_json"`
	PolicyJSON             types.String `tfsdk:"policy_json"`
	InlinePolicyNames      types.Set    `tfsdk:"inline_policy_names"`
	AttachedPolicyARNs     types.Set    `tfsdk:"attached_policy_arns"`
	Controls               types.List   `tfsdk:"controls"`
	ControlStates          types.Map    `tfsdk:"control_states"`
}
