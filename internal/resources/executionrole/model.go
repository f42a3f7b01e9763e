package executionrole

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
)

// resourceModel is the sagesafe_execution_role state. The policy inputs are
// iampolicy.RoleInputs, which the sagesafe_execution_role_policy data source
// embeds too, so both render the same JSON.
type resourceModel struct {
	iampolicy.RoleInputs
	iamrole.Common

	TrustPolicyJSON types.String `tfsdk:"trust_policy_json"`
	PolicyJSON      types.String `tfsdk:"policy_json"`
	Controls        types.List   `tfsdk:"controls"`
	ControlStates   types.Map    `tfsdk:"control_states"`
}
