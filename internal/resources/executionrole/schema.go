package executionrole

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
)

// Limits and defaults, shared by the schema, its validators and the docs
// (iamrole's, under the names this package has always exported).
const (
	MinSessionDuration     = iamrole.MinSessionDuration
	MaxSessionDuration     = iamrole.MaxSessionDuration
	DefaultSessionDuration = iamrole.DefaultSessionDuration
	maxNameLen             = iamrole.MaxNameLen
	maxPrefixLen           = iamrole.MaxPrefixLen
)

func (r *roleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := roleAttributes()
	maps.Copy(attrs, statusAttributes())
	for _, in := range iampolicy.RoleSetInputs() {
		attrs[in.Name] = schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: in.Description,
			Validators:          in.Validators,
		}
	}
	resp.Schema = schema.Schema{MarkdownDescription: resourceDescription, Attributes: attrs}
}

// resourceDescription is the resource's documentation.
const resourceDescription = "A SageMaker execution role with least privilege and confused-deputy protection, generated " +
	"from what the workload actually uses. No peer gets this right by default: the usual roles attach " +
	"`AmazonSageMakerFullAccess`, grant S3 on `arn:aws:s3:::*`, and trust SageMaker without conditions.\n\n" +
	"- **Trust:** only `sagemaker.amazonaws.com`, `sts:AssumeRole`, with `aws:SourceAccount` and `aws:SourceArn`.\n" +
	"- **Permissions:** one inline policy, by `purpose`, mirroring SageMaker Role Manager's \"Access Required AWS " +
	"Services\" compute role but narrowed to the listed buckets/prefixes, keys, repositories and subnets. " +
	"Never a managed policy.\n" +
	"- **Drift:** every refresh lists the role's managed and inline policies and re-checks SS-IAM-1 and SS-IAM-2. " +
	"A managed policy attached or an inline policy added or edited outside Terraform shows up as a diff with a " +
	"warning naming the control, and the next apply detaches or removes it.\n" +
	"- **Refusals at plan:** a wildcard S3 location (SS-IAM-2), a non-`s3://` location (SS-TLS-2) and an unknown " +
	"`purpose` fail the plan.\n\n" +
	"To create the role with `hashicorp/aws` instead, render the same documents with the " +
	"`sagesafe_execution_role_policy` data source."

// roleAttributes are the role's identity, settings, tags and policy lists
// (shared with the persona role) and its purpose; the set inputs come from
// iampolicy.RoleSetInputs.
func roleAttributes() map[string]schema.Attribute {
	attrs := iamrole.Attributes(iamrole.SchemaText{
		ARN: "The role ARN, to pass to SageMaker and to name in a `sagesafe_kms_key`'s `users`. " +
			"Known at plan time when `name` is set.",
		PolicyName: iampolicy.ExecutionRolePolicyName,
		Control:    "SS-IAM-2",
	})
	attrs["purpose"] = schema.StringAttribute{
		Required:            true,
		MarkdownDescription: iampolicy.PurposeDescription,
		Validators:          iampolicy.PurposeValidators(),
	}
	return attrs
}

// statusAttributes are what sagesafe computes: the rendered documents and
// the controls the role satisfies.
func statusAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"trust_policy_json": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The trust policy: only `sagemaker.amazonaws.com` may call `sts:AssumeRole`, with " +
				"`aws:SourceAccount` = this account and `aws:SourceArn` scoped by `purpose` (confused-deputy prevention). " +
				"After a refresh it holds the live policy when that was edited outside Terraform.",
		},
		"policy_json": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The role's one inline policy (named `" + iampolicy.ExecutionRolePolicyName + "`), generated from the inputs; " +
				"the same JSON `sagesafe_execution_role_policy` renders. After a refresh it holds the live policy when that " +
				"was edited outside Terraform, or is empty when the policy was deleted.",
		},
		"controls": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "IDs of the guardrail controls the role satisfies (SS-IAM-1, SS-IAM-2, SS-GOV-1), from the same " +
				"evaluation the plan and every refresh run." + guardrail.ControlsHeldNote,
		},
		"control_states": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: guardrail.ControlStatesDescription,
		},
	}
}
