package personapolicy

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

const description = "Renders the permission policy and the trust policy of a persona role, the role a person " +
	"(not a workload) assumes to work in SageMaker, from the same inputs and by the same code as " +
	"`sagesafe_persona_role`, for roles or IAM Identity Center permission sets made elsewhere (`aws_iam_role` " +
	"with `aws_iam_role_policy`, or `aws_ssoadmin_permission_set_inline_policy`, whose trust IAM Identity Center " +
	"writes itself). It makes no AWS calls beyond the account lookup the provider does when it is configured.\n\n" +
	"The personas follow SageMaker Role Manager's ML activities: `data_scientist` is Role Manager's Data Scientist " +
	"persona, `ml_engineer` its MLOps persona; `model_reviewer` is not a Role Manager persona, sagesafe defines it " +
	"from the model registry actions (read model packages, set their approval status) and it launches nothing. " +
	"Every SageMaker create action a persona may call that accepts the guard condition keys is allowed only with the " +
	"given subnets and security groups, the given KMS key (both the deprecated `sagemaker:VolumeKmsKey`/`OutputKmsKey` " +
	"and the current `...KmsKeyArn` keys), network isolation and inter-container encryption on; the denies are " +
	"explicit, so they hold whatever other policy the person holds. `iam:PassRole` is allowed only on the given " +
	"execution roles and only to SageMaker (`iam:PassedToService`). Create actions the persona may not call are " +
	"outside these denies: a person who also holds a broader policy can call them unguarded, so the guarantee beyond " +
	"the persona's own actions depends on `sagesafe_guardrail_policy` attached as an SCP.\n\n" +
	"sagesafe's tests judge these documents with an IAM policy simulator (`@cloud-copilot/iam-simulate`), because " +
	"the local emulator ignores policy conditions; real AWS stays the final judge: try the denials in your account " +
	"(for example with `aws iam simulate-principal-policy` and the context keys) before relying on them."

func dataSourceSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: description,
		Attributes: map[string]schema.Attribute{
			"persona": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Who the role is for: " + shared.Backticked(iampolicy.PersonaValues()) + ". It selects the " +
					"default ML activities (see `activities`).",
				Validators: []validator.String{stringvalidator.OneOf(iampolicy.PersonaValues()...)},
			},
			"account_principals": stringSet("Who may assume the role, only with MFA (`aws:MultiFactorAuthPresent`): "+
				"account IDs or IAM ARNs of this partition. A wildcard is refused (SS-IAM-4). Give this, "+
				"`saml_provider_arn`, or both; a permission set needs neither (its trust is IAM Identity Center's).", nil),
			"saml_provider_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "An IAM SAML provider of this account (IAM Identity Center or another identity " +
					"provider) whose users may assume the role with `sts:AssumeRoleWithSAML`, only with the sign-in " +
					"audience (`SAML:aud`). A provider of another account is refused (SS-IAM-4).",
				Validators: []validator.String{validators.ARN("iam")},
			},
			"studio_domain_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Studio domain (`d-...`) whose apps the persona may open, only as its own user profile: the one named by the caller's " +
					"principal tag `" + iampolicy.PersonaStudioUserTag + "` (sent by the identity provider as a session tag, or set on the role), " +
					"in spaces that profile owns, with this account's images and lifecycle configurations. Without it, Studio is read-only for the persona. " +
					"Needs the `run_studio_apps` activity (a default of `data_scientist` and `ml_engineer`).",
			},
			"subnet_ids": stringSet("The only subnets the persona's workloads may use (`sagemaker:VpcSubnets`); "+
				"required for a persona that launches workloads, refused for one that does not.",
				stringvalidator.RegexMatches(validators.SubnetIDRegexp, "must be a subnet ID (subnet-...)")),
			"security_group_ids": stringSet("The only security groups the persona's workloads may use "+
				"(`sagemaker:VpcSecurityGroupIds`); required for a persona that launches workloads.",
				stringvalidator.RegexMatches(validators.SecurityGroupIDRegexp, "must be a security group ID (sg-...)")),
			"kms_key_arn": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The only KMS key (a full key ARN in the provider's region, not an alias) for the " +
					"volumes and outputs of the persona's workloads; required for a persona that launches workloads.",
				Validators: []validator.String{validators.ARN("kms")},
			},
			"execution_role_arns": stringSet("The only roles of this account the persona may pass to SageMaker "+
				"(`iam:PassRole` with `iam:PassedToService` = `sagemaker.amazonaws.com`); required when an activity "+
				"passes a role.", validators.ARN("iam")),
			"s3_read_uris": stringSet("`s3://bucket/prefix` locations of this account the persona may read "+
				"(the `s3_bucket_access` activity).", nil),
			"s3_write_uris": stringSet("`s3://bucket/prefix` locations of this account the persona may read and "+
				"write (the `s3_bucket_access` activity).", nil),
			"extra_activities": stringSet("ML activities beyond the persona's defaults: "+
				shared.Backticked(iampolicy.AllPersonaActivities())+".",
				stringvalidator.OneOf(iampolicy.AllPersonaActivities()...)),
			"policy_json": schema.StringAttribute{
				Computed:   true,
				CustomType: jsontypes.NormalizedType{},
				MarkdownDescription: "The permission policy, one document: for `aws_iam_role_policy.policy` or " +
					"`aws_ssoadmin_permission_set_inline_policy.inline_policy`.",
			},
			"trust_policy_json": schema.StringAttribute{
				Computed:            true,
				CustomType:          jsontypes.NormalizedType{},
				MarkdownDescription: "The trust policy, for `aws_iam_role.assume_role_policy` (not used by a permission set).",
			},
			"size": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: fmt.Sprintf("Length of `policy_json` in characters, which IAM counts against its "+
					"%d-character limit for a role's inline policies; larger inputs fail the read.", iampolicy.RolePolicyMaxChars),
			},
			"activities": schema.ListAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "The ML activities the policy grants: the persona's defaults and `extra_activities`, in policy order.",
			},
			"statement_controls": iampolicy.StatementControlsAttribute(
				"Each guard statement's `sid`, the `control` it enforces and that control's `title`, in policy order."),
		},
	}
}

// stringSet is an optional set of non-empty strings, each checked by elem when given.
func stringSet(description string, elem validator.String) schema.SetAttribute {
	elems := []validator.String{stringvalidator.LengthAtLeast(1)}
	if elem != nil {
		elems = append(elems, elem)
	}
	return schema.SetAttribute{
		ElementType:         types.StringType,
		Optional:            true,
		MarkdownDescription: description,
		Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(elems...)},
	}
}
