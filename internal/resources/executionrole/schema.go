package executionrole

import (
	"context"
	"fmt"
	"maps"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// Limits and defaults, shared by the schema, its validators and the docs.
const (
	MinSessionDuration     = 3600
	MaxSessionDuration     = 43200
	DefaultSessionDuration = 3600
	// maxNameLen and maxPrefixLen are IAM's role-name limit and what leaves
	// room for the generated suffix.
	maxNameLen   = 64
	maxPrefixLen = maxNameLen - iamrole.GeneratedSuffixLen
)

var roleNameRE = regexp.MustCompile(`^[\w+=,.@-]+$`)

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

// roleAttributes are the role's identity, purpose and settings; the set
// inputs come from iampolicy.RoleSetInputs.
func roleAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The role name.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"arn": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The role ARN, to pass to SageMaker and to name in a `sagesafe_kms_key`'s `users`. " +
				"Known at plan time when `name` is set.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: fmt.Sprintf("The role name (up to %d characters). Conflicts with `name_prefix`; one of them is required.", maxNameLen),
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
			Validators: []validator.String{
				stringvalidator.LengthBetween(1, maxNameLen),
				stringvalidator.RegexMatches(roleNameRE, "may contain only letters, digits and +=,.@_-"),
				stringvalidator.ExactlyOneOf(path.MatchRoot("name"), path.MatchRoot("name_prefix")),
			},
		},
		"name_prefix": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: fmt.Sprintf("Creates a unique name beginning with this prefix (up to %d characters). Conflicts with `name`.", maxPrefixLen),
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators: []validator.String{
				stringvalidator.LengthBetween(1, maxPrefixLen),
				stringvalidator.RegexMatches(roleNameRE, "may contain only letters, digits and +=,.@_-"),
			},
		},
		"purpose": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: iampolicy.PurposeDescription,
			Validators:          iampolicy.PurposeValidators(),
		},
		"permissions_boundary_arn": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "ARN of a managed policy to set as the role's permissions boundary. A boundary is an " +
				"allow-list cap: it grants nothing by itself, and the role may do only what both its own policies and the " +
				"boundary allow (the intersection). So the boundary must *allow* every action the role needs (it may add " +
				"Deny statements). A deny-only policy, such as `sagesafe_guardrail_policy`'s, used as a boundary leaves the " +
				"role with no permissions at all: attach that one as a service control policy instead.",
			Validators: []validator.String{validators.ARN("iam")},
		},
		"max_session_duration": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(DefaultSessionDuration),
			MarkdownDescription: fmt.Sprintf("Maximum session duration in seconds, %d to %d (default %d).",
				MinSessionDuration, MaxSessionDuration, DefaultSessionDuration),
			Validators: []validator.Int64{int64validator.Between(MinSessionDuration, MaxSessionDuration)},
		},
	}
}

// statusAttributes are the tags and what sagesafe computes: the rendered
// documents, the role's policies and the controls it satisfies.
func statusAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"tags": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Tags for the role, merged with the provider's `default_tags` (the role's own win).",
			// The creation token is sagesafe's (see createRole).
			Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.NoneOf(idem.TokenTag))},
		},
		"tags_all": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: "The role's tags, including the provider's `default_tags`.",
		},
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
		"inline_policy_names": schema.SetAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "Names of the role's inline policies: only `" + iampolicy.ExecutionRolePolicyName + "` after apply. Any other name " +
				"after a refresh was added outside Terraform (SS-IAM-2 drift) and the next apply deletes it.",
		},
		"attached_policy_arns": schema.SetAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "Managed policies attached to the role: always empty after apply, because sagesafe never " +
				"attaches a managed policy. Any ARN here after a refresh (for example `AmazonSageMakerFullAccess`) was attached " +
				"outside Terraform (SS-IAM-2 drift) and the next apply detaches it.",
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
