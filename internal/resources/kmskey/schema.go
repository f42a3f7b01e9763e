package kmskey

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// Limits and defaults, shared by the schema, its validators and the docs.
const (
	MinRotationPeriodDays     = 90
	MaxRotationPeriodDays     = 2560
	DefaultRotationPeriodDays = 365
	MinDeletionWindowDays     = 7
	MaxDeletionWindowDays     = 30
	DefaultDeletionWindowDays = 30
)

// aliasRE is a KMS alias name; alias/aws/ is reserved for AWS managed keys.
var aliasRE = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)

func (r *kmsKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := keyAttributes()
	maps.Copy(attrs, policyInputAttributes())
	maps.Copy(attrs, statusAttributes())
	resp.Schema = schema.Schema{MarkdownDescription: resourceDescription, Attributes: attrs}
}

// resourceDescription is the resource's documentation.
const resourceDescription = "A customer-managed KMS key for SageMaker workloads: symmetric `ENCRYPT_DECRYPT`, automatic rotation " +
	"always on, and a key policy that sagesafe generates (never free-form).\n\n" +
	"The key policy lets the account administer the key through IAM (`EnableIAMPolicies`); lets `administrators` " +
	"manage but not use it; lets `users` (typically execution roles) use it only through SageMaker and S3 " +
	"(`kms:ViaService`) and create grants only for AWS resources (`kms:GrantIsForAWSResource`); and, with " +
	"`allow_cloudwatch_logs`, lets CloudWatch Logs in this region encrypt log groups of this account. " +
	"It never names a wildcard principal. The rendered policy is exported as `policy_json`.\n\n" +
	"Every refresh checks the key's posture (controls SS-KMS-1 and SS-KMS-2): a disabled key, disabled rotation, a " +
	"scheduled deletion or a key policy edited outside Terraform shows up as a diff, with a warning naming the " +
	"control, and the next apply restores rotation and the policy, re-enables the key and cancels a scheduled " +
	"deletion (and says so).\n\n" +
	"**Principals must exist first.** KMS refuses a key policy that names a role or user that does not exist, so " +
	"reference roles by their resource (`users = [sagesafe_execution_role.training.arn]`) and Terraform creates them " +
	"first. Do not also list this key in that role's `kms_key_arns`: that is a dependency cycle, and the key policy " +
	"grant alone lets the role use the key. Alternatively leave `users` empty and list the key in the role's " +
	"`kms_key_arns`, which works because the key policy lets IAM policies grant use.\n\n" +
	"Destroying the resource removes the alias and schedules the key's deletion after `deletion_window_days`."

// keyAttributes are the key's identity and lifecycle settings.
func keyAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The key ID.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"key_id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The key ID (the same as `id`).",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"arn": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The key ARN. Use it (not the alias) wherever a key must be named in a policy or a SageMaker `KmsKeyId`.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"description": schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			Default:             stringdefault.StaticString(""),
			MarkdownDescription: "The key's description.",
			Validators:          []validator.String{stringvalidator.LengthAtMost(8192)},
		},
		"alias": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "An alias (`alias/NAME`) created for the key and kept pointing at it: if it is deleted or " +
				"pointed at another key outside Terraform, the next apply puts it back. Names under `alias/aws/` are reserved by AWS.",
			Validators: []validator.String{aliasValidator{}},
		},
		"rotation_period_days": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(DefaultRotationPeriodDays),
			MarkdownDescription: fmt.Sprintf("Days between automatic rotations, %d to %d (default %d). Rotation itself is always on.",
				MinRotationPeriodDays, MaxRotationPeriodDays, DefaultRotationPeriodDays),
			Validators: []validator.Int64{int64validator.Between(MinRotationPeriodDays, MaxRotationPeriodDays)},
		},
		"deletion_window_days": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(DefaultDeletionWindowDays),
			MarkdownDescription: fmt.Sprintf("Days between destroy and the key's actual deletion, %d to %d (default %d). "+
				"During the window the deletion can be cancelled and nothing encrypted with the key is lost.",
				MinDeletionWindowDays, MaxDeletionWindowDays, DefaultDeletionWindowDays),
			Validators: []validator.Int64{int64validator.Between(MinDeletionWindowDays, MaxDeletionWindowDays)},
		},
	}
}

// policyInputAttributes are the inputs of the generated key policy.
func policyInputAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"administrators": schema.SetAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "IAM role or user ARNs that may manage the key (describe, enable, disable, rotate, tag, " +
				"edit the policy, schedule deletion) but not encrypt, decrypt or create grants. They must exist before the key.",
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(validators.ARN("iam")),
			},
		},
		"users": schema.SetAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "IAM role or user ARNs (typically `sagesafe_execution_role` ARNs) that may use the key, " +
				"only through SageMaker and S3 in this region (`kms:ViaService`), and may create grants only for AWS " +
				"resources (`kms:GrantIsForAWSResource`), which is how SageMaker encrypts ML storage volumes. A principal " +
				"cannot be both an administrator and a user. They must exist before the key.",
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(validators.ARN("iam")),
			},
		},
		"allow_cloudwatch_logs": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(true),
			MarkdownDescription: "Let CloudWatch Logs in this region (`logs.<region>.amazonaws.com`) encrypt log groups of this " +
				"account with the key (condition `kms:EncryptionContext:aws:logs:arn`). Default `true`: SageMaker's log groups " +
				"must be encrypted with the workload's key (SS-ENC-5).",
		},
		"allow_flow_logs_delivery": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
			MarkdownDescription: "Let the key encrypt the log group `sagesafe_network` delivers VPC flow logs to. CloudWatch " +
				"Logs does that encryption, so this needs (and adds) the same statement as `allow_cloudwatch_logs`, even " +
				"when that is `false`. Default `false`.",
		},
		"allow_cloudtrail": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
			MarkdownDescription: "Let CloudTrail (`cloudtrail.amazonaws.com`) encrypt the log files of this account's trails in this " +
				"region with the key (conditions `aws:SourceArn` on `trail/*` and `kms:EncryptionContext:aws:cloudtrail:arn`), " +
				"as `sagesafe_audit_trail` needs (SS-AUD-2). Reading the logs is still granted only by IAM policies. Default `false`.",
		},
	}
}

// statusAttributes are the tags and what sagesafe computes: the rendered
// policy, the key's posture and the controls it satisfies.
func statusAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"tags": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Tags for the key, merged with the provider's `default_tags` (the key's own win).",
			// The creation token and the identity tag are sagesafe's (see createKey).
			Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.NoneOf(idem.TokenTag, TagAlias))},
		},
		"tags_all": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: "The key's tags, including the provider's `default_tags`.",
		},
		"policy_json": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The key policy sagesafe generated, as compact JSON. After a refresh it holds the live policy " +
				"when that was edited outside Terraform (the plan then shows the change back).",
		},
		"key_state": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The key's state; always `Enabled` after apply. `Disabled` or `PendingDeletion` after a refresh " +
				"means it was changed outside Terraform, and the next apply re-enables it (cancelling the deletion).",
		},
		"rotation_enabled": schema.BoolAttribute{
			Computed: true,
			MarkdownDescription: "Whether automatic rotation is on; always `true` after apply. `false` after a refresh means " +
				"rotation was disabled outside Terraform, and the next apply turns it back on.",
		},
		"controls": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "IDs of the guardrail controls the key satisfies (SS-KMS-1, SS-KMS-2, SS-GOV-1), from the " +
				"same evaluation the plan and every refresh run." + guardrail.ControlsHeldNote,
		},
		"control_states": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: guardrail.ControlStatesDescription,
		},
	}
}

// aliasValidator accepts alias/NAME, except the reserved alias/aws/ names.
type aliasValidator struct{}

func (aliasValidator) Description(context.Context) string {
	return "must be alias/NAME (letters, digits, /, _ and -), not under alias/aws/"
}

func (v aliasValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (aliasValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	switch {
	case !aliasRE.MatchString(s):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid alias",
			fmt.Sprintf("%q is not a KMS alias name: use alias/NAME with letters, digits, /, _ and -.", s))
	case strings.HasPrefix(s, "alias/aws/"):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid alias",
			fmt.Sprintf("%q is reserved: names under alias/aws/ belong to AWS managed keys.", s))
	}
}
