package personarole

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// resourceModel is the sagesafe_persona_role state.
type resourceModel struct {
	ID                     types.String   `tfsdk:"id"`
	ARN                    types.String   `tfsdk:"arn"`
	Name                   types.String   `tfsdk:"name"`
	NamePrefix             types.String   `tfsdk:"name_prefix"`
	Persona                types.String   `tfsdk:"persona"`
	AccountPrincipals      types.Set      `tfsdk:"account_principals"`
	SAMLProviderARN        types.String   `tfsdk:"saml_provider_arn"`
	SubnetIDs              types.Set      `tfsdk:"subnet_ids"`
	SecurityGroupIDs       types.Set      `tfsdk:"security_group_ids"`
	KMSKeyARN              types.String   `tfsdk:"kms_key_arn"`
	ExecutionRoleARNs      types.Set      `tfsdk:"execution_role_arns"`
	S3ReadURIs             types.Set      `tfsdk:"s3_read_uris"`
	S3WriteURIs            types.Set      `tfsdk:"s3_write_uris"`
	ExtraActivities        types.Set      `tfsdk:"extra_activities"`
	PermissionsBoundaryARN types.String   `tfsdk:"permissions_boundary_arn"`
	MaxSessionDuration     types.Int64    `tfsdk:"max_session_duration"`
	Tags                   types.Map      `tfsdk:"tags"`
	TagsAll                types.Map      `tfsdk:"tags_all"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`
	TrustPolicyJSON        types.String   `tfsdk:"trust_policy_json"`
	PolicyJSON             types.String   `tfsdk:"policy_json"`
	InlinePolicyNames      types.Set      `tfsdk:"inline_policy_names"`
	AttachedPolicyARNs     types.Set      `tfsdk:"attached_policy_arns"`
	Controls               types.List     `tfsdk:"controls"`
	ControlStates          types.Map      `tfsdk:"control_states"`
}
