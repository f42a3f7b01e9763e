package personarole

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/schemautil"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// policyName is the one inline policy sagesafe puts on a persona role.
const policyName = "sagesafe-persona"

func (r *roleResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := iamrole.Attributes(iamrole.SchemaText{
		ARN:        "The role ARN, for IAM Identity Center, `sts:AssumeRole` or the console's role switch.",
		PolicyName: policyName,
		Control:    "SS-IAM-3",
	})
	for name, a := range inputAttributes() {
		attrs[name] = a
	}
	for name, a := range statusAttributes() {
		attrs[name] = a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: resourceDescription,
		Attributes:          attrs,
		Blocks: map[string]schema.Block{
			"timeouts": schemautil.TimeoutsBlock(ctx, timeouts.Opts{Create: true, Update: true, Delete: true},
				"How long create, update and delete may take (IAM answers at once; the time covers retries and read-back)."),
		},
	}
}

// resourceDescription is the resource's documentation.
const resourceDescription = "A role for people working in SageMaker, by persona, that can only launch workloads inside the " +
	"guardrails. The personas and their ML activities follow SageMaker Role Manager (which is closed to new customers, so " +
	"sagesafe carries its templates): `data_scientist` is Role Manager's Data Scientist, `ml_engineer` its MLOps persona. " +
	"`model_reviewer` is not a Role Manager persona: sagesafe defines it from the model registry actions (read model " +
	"packages and groups, set a version's approval status, read metrics and reports in S3); it launches nothing.\n\n" +
	"- **Launch guard (SS-IAM-3):** every SageMaker create action the persona's activities allow that accepts the guard " +
	"condition keys carries explicit Deny statements, which hold even when the person has another policy: only " +
	"`subnet_ids` and `security_group_ids`, only `kms_key_arn` for volumes and outputs (deprecated `…KmsKey` and current " +
	"`…KmsKeyArn` condition keys both), network isolation and inter-container encryption on. `iam:PassRole` only on " +
	"`execution_role_arns`, only to SageMaker. Also denied: remote debugging and EFS/FSx file systems on training, " +
	"approving a model version without `review_models`, tags sagesafe relies on (`sagesafe:*`; `" + iampolicy.PersonaOwnerTag +
	"` only at creation), and endpoints on configs neither sagesafe nor this role made. Pipelines are changed and run " +
	"only when tagged `" + iampolicy.PersonaOwnerTag + "` = this role's ARN. Actions no activity allows are not allowed " +
	"by this role, but its denies do not reach them: a person who also holds another policy (a permission set, a group " +
	"policy) can call them unguarded, so the guarantee beyond the persona's own actions depends on " +
	"`sagesafe_guardrail_policy` attached as an SCP.\n" +
	"- **Trust (SS-IAM-4):** `account_principals` only with MFA (`aws:MultiFactorAuthPresent`), a SAML provider of this " +
	"account (IAM Identity Center or another IdP) only with `SAML:aud` = the sign-in endpoint; never a wildcard.\n" +
	"- **Drift:** every refresh re-reads the role and re-checks SS-IAM-3 and SS-IAM-4. A statement added to the policy, a " +
	"policy attached or added, or the trust changed outside Terraform shows up as a diff with a warning naming the " +
	"control, and the next apply restores the generated documents.\n\n" +
	"The documents are checked structurally here and with an IAM policy simulator in sagesafe's tests; real AWS is the " +
	"final judge. Sources: SageMaker Developer Guide (Role Manager personas, ML activities), the Service Authorization " +
	"Reference for SageMaker's condition keys, and the cdklabs/cdk-aws-sagemaker-role-manager templates."

// inputAttributes are what the documents are built from.
func inputAttributes() map[string]schema.Attribute {
	strs := func(v ...validator.String) []validator.Set {
		return []validator.Set{setvalidator.ValueStringsAre(v...)}
	}
	return map[string]schema.Attribute{
		"persona": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "The persona: `" + strings.Join(iampolicy.PersonaValues(), "`, `") + "`. Default activities: " +
				activityDoc(iampolicy.PersonaDataScientist) + "; " + activityDoc(iampolicy.PersonaMLEngineer) + "; " +
				activityDoc(iampolicy.PersonaModelReviewer) + ".",
			Validators: []validator.String{stringvalidator.OneOf(iampolicy.PersonaValues()...)},
		},
		"extra_activities": schema.SetAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "ML activities beyond the persona's defaults: `" + strings.Join(iampolicy.AllPersonaActivities(), "`, `") +
				"`. `manage_ml_jobs`, `manage_models` and `manage_endpoints` launch workloads and need `subnet_ids`, " +
				"`security_group_ids` and `kms_key_arn`; those and `manage_pipelines` pass roles and need `execution_role_arns`.",
			Validators: strs(stringvalidator.OneOf(iampolicy.AllPersonaActivities()...)),
		},
		"account_principals": schema.SetAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "Account IDs or IAM ARNs (`arn:<partition>:iam::<account>:root`, `role/...`, `user/...`) that may " +
				"assume the role, only with MFA. At least one of `account_principals` and `saml_provider_arn` is required.",
			Validators: []validator.Set{setvalidator.AtLeastOneOf(path.MatchRoot("saml_provider_arn"))},
		},
		"saml_provider_arn": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "An IAM SAML provider of this account (IAM Identity Center or another IdP) whose users may assume the role.",
			Validators:          []validator.String{validators.ARN("iam")},
		},
		"studio_domain_id": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "The Studio domain (`d-...`) whose apps the persona may open, only as its own user profile: the one named by the caller's " +
				"principal tag `" + iampolicy.PersonaStudioUserTag + "` (sent by the identity provider as a session tag, or set on the role), " +
				"in spaces that profile owns, with this account's images and lifecycle configurations. Without it, Studio is read-only for the persona. " +
				"Needs the `run_studio_apps` activity (a default of `data_scientist` and `ml_engineer`).",
		},
		"subnet_ids": schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "The only subnets the persona's workloads may use (a `sagesafe_network`'s private subnets). Required when an activity launches workloads.",
		},
		"security_group_ids": schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "The only security groups the persona's workloads may use. Required when an activity launches workloads.",
		},
		"kms_key_arn": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "The only KMS key (a full key ARN, not an alias) for the workloads' volumes and outputs; the persona " +
				"may also use it through SageMaker and S3 and create grants for AWS resources. Required when an activity launches workloads.",
		},
		"execution_role_arns": schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "The only roles (of this account) the persona may pass to SageMaker, such as `sagesafe_execution_role` ARNs. Required when an activity passes a role.",
		},
		"s3_read_uris": schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "`s3://bucket/prefix` locations the persona may read (`s3_bucket_access`), buckets of this account only. Wildcards are refused (SS-IAM-3).",
		},
		"s3_write_uris": schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "`s3://bucket/prefix` locations the persona may read and write (`s3_bucket_access`), buckets of this account only.",
		},
	}
}

func activityDoc(p iampolicy.Persona) string {
	return "`" + string(p) + "`: " + strings.Join(iampolicy.PersonaActivities(p), ", ")
}

// statusAttributes are what sagesafe computes.
func statusAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"trust_policy_json": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The trust policy: `account_principals` with MFA and the SAML provider with `SAML:aud`. " +
				"After a refresh it holds the live policy when that was edited outside Terraform.",
		},
		"policy_json": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The role's one inline policy (named `" + policyName + "`): the activities' Allows and the launch " +
				"guard's Denies. After a refresh it holds the live policy when that was edited outside Terraform, or is empty " +
				"when the policy was deleted.",
		},
		"controls": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "IDs of the guardrail controls the role satisfies (SS-IAM-3, SS-IAM-4), from the same " +
				"evaluation the plan and every refresh run." + guardrail.ControlsHeldNote,
		},
		"control_states": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: guardrail.ControlStatesDescription,
		},
	}
}
