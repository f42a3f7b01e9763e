package executionrole

import (
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// PolicyInputs are the attributes the trust and permission policies are
// built from. sagesafe_execution_role and the sagesafe_execution_role_policy
// data source both embed it and render it with Render, so they always
// produce the same JSON.
type PolicyInputs struct {
	Purpose             types.String `tfsdk:"purpose"`
	S3ReadURIs          types.Set    `tfsdk:"s3_read_uris"`
	S3WriteURIs         types.Set    `tfsdk:"s3_write_uris"`
	KMSKeyARNs          types.Set    `tfsdk:"kms_key_arns"`
	ECRRepositoryARNs   types.Set    `tfsdk:"ecr_repository_arns"`
	VPCSubnetIDs        types.Set    `tfsdk:"vpc_subnet_ids"`
	VPCSecurityGroupIDs types.Set    `tfsdk:"vpc_security_group_ids"`
}

// resourceModel is the sagesafe_execution_role state.
type resourceModel struct {
	PolicyInputs

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
}

// knownStrings returns the string elements of a set. ok is false when the
// set or any element is unknown; a null set gives (nil, true).
func knownStrings(v types.Set) ([]string, bool) {
	if v.IsNull() {
		return nil, true
	}
	if v.IsUnknown() {
		return nil, false
	}
	out := make([]string, 0, len(v.Elements()))
	allKnown := true
	for _, e := range v.Elements() {
		if e.IsUnknown() {
			allKnown = false
			continue
		}
		if s, ok := e.(types.String); ok && !s.IsNull() {
			out = append(out, s.ValueString())
		}
	}
	return out, allKnown
}
