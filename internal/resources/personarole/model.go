package personarole

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
)

// resourceModel is the sagesafe_persona_role state: the attributes every
// role resource has (iamrole.Common) and the persona's.
type resourceModel struct {
	iamrole.Common

	Persona           types.String   `tfsdk:"persona"`
	AccountPrincipals types.Set      `tfsdk:"account_principals"`
	SAMLProviderARN   types.String   `tfsdk:"saml_provider_arn"`
	StudioDomainID    types.String   `tfsdk:"studio_domain_id"`
	SubnetIDs         types.Set      `tfsdk:"subnet_ids"`
	SecurityGroupIDs  types.Set      `tfsdk:"security_group_ids"`
	KMSKeyARN         types.String   `tfsdk:"kms_key_arn"`
	ExecutionRoleARNs types.Set      `tfsdk:"execution_role_arns"`
	S3ReadURIs        types.Set      `tfsdk:"s3_read_uris"`
	S3WriteURIs       types.Set      `tfsdk:"s3_write_uris"`
	ExtraActivities   types.Set      `tfsdk:"extra_activities"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
	TrustPolicyJSON   types.String   `tfsdk:"trust_policy_json"`
	PolicyJSON        types.String   `tfsdk:"policy_json"`
	Controls          types.List     `tfsdk:"controls"`
	ControlStates     types.Map      `tfsdk:"control_states"`
}
