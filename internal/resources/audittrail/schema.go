package audittrail

import (
	"context"
	"regexp"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// DefaultRetentionDays is retention_days' default: a year, the CIS and
// min_log_retention_days default.
const DefaultRetentionDays = 365

// nameRE is the trail name: CloudTrail allows 3-128 characters, sagesafe 48,
// so that <name>-cloudtrail-logs fits IAM's 64-character role names.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,46}[A-Za-z0-9]$`)

func (r *trailResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{MarkdownDescription: resourceDescription, Attributes: map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The trail's name.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "The trail's name: 3-48 letters, digits, `.`, `_` and `-`, starting and ending with a letter " +
				"or digit. It also names the log group (`/sagesafe/audit-trail/<name>`), the CloudTrail role " +
				"(`<name>-cloudtrail-logs`), and the metric filters and alarms (`<name>-<event class>`).",
			Validators:    []validator.String{stringvalidator.RegexMatches(nameRE, "must be 3-48 letters, digits, . _ and -, starting and ending with a letter or digit")},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"kms_key_arn": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "ARN of the customer-managed KMS key of this account that encrypts the log files, the bucket and " +
				"the log group (SS-AUD-2, SS-AUD-4). Its policy must let CloudTrail and CloudWatch Logs use it: a " +
				"`sagesafe_kms_key` with `allow_cloudtrail = true` (and `allow_cloudwatch_logs`, the default).",
			Validators: []validator.String{validators.ARN("kms")},
		},
		"retention_days": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(DefaultRetentionDays),
			MarkdownDescription: "How long the logs are kept: the bucket's lifecycle expiry (current and noncurrent versions) and " +
				"the log group's retention, in days. One of " + joinDays() + "; at least the guardrails' " +
				"`min_log_retention_days` (SS-AUD-4). Default `365`.",
			Validators: []validator.Int64{int64validator.OneOf(loggroup.ValidRetentionDays...)},
		},
		"tags": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Tags for the trail, its bucket, log group, role and alarms, merged with the provider's `default_tags`.",
			Validators:          []validator.Map{mapvalidator.KeysAre(stringvalidator.NoneOf(idem.TokenTag))},
		},
		"alarm_actions": schema.ListAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "SNS topics the trail's alarms notify, in place of the provider's `alarm_actions` (the default). " +
				"May refer to topics created in the same apply: SS-AUD-5 then checks them at apply, before anything is created. " +
				"Must not be empty (SS-AUD-5).",
			Validators: []validator.List{listvalidator.SizeAtMost(5), listvalidator.ValueStringsAre(validators.ARN("sns"))},
		},
		"tags_all":            computedMap("The tags, including the provider's `default_tags`."),
		"arn":                 computedString("The trail's ARN."),
		"bucket":              computedString("The S3 bucket the trail delivers to, created by sagesafe: `sagesafe-audit-<account>-<random>`.", true),
		"log_group_name":      computedString("The CloudWatch Logs group the trail delivers to."),
		"cloudtrail_role_arn": computedString("The role CloudTrail assumes to write to the log group."),
		"logging": schema.BoolAttribute{
			Computed: true,
			MarkdownDescription: "Whether the trail is logging; always `true` after apply. `false` after a refresh means logging " +
				"was stopped outside Terraform, and the next apply starts it again (SS-AUD-1).",
		},
		"metric_filter_names": computedList("The metric filters on the log group that have exactly their class's pattern, one per " +
			"event class (" + classList() + "). A filter deleted or edited outside Terraform is missing after a refresh, " +
			"and the next apply restores it (SS-AUD-5)."),
		"alarm_names": computedList("The alarms on those filters' metrics, as sagesafe sets them (sum >= 1 over 5 minutes, to " +
			"`alarm_actions`). One deleted or changed outside Terraform is missing after a refresh, and the next apply restores it."),
		"controls": computedList("IDs of the guardrail controls the trail satisfies (SS-AUD-1..5), from the same evaluation the " +
			"plan and every refresh run." + guardrail.ControlsHeldNote),
		"control_states": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: guardrail.ControlStatesDescription,
		},
	}}
}

// resourceDescription is the resource's documentation.
const resourceDescription = "A CloudTrail trail for the account's ML estate, with the bucket, log group, role, metric filters " +
	"and alarms it needs, all created and kept by sagesafe (controls SS-AUD-1..5).\n\n" +
	"The trail is multi-region, records every management event (read and write, no excluded sources), validates its log " +
	"files and encrypts them with `kms_key_arn`, and is logging. It delivers to an S3 bucket it creates (object ownership " +
	"`BucketOwnerEnforced`, all four public access block settings, a policy that admits CloudTrail only for this trail and " +
	"denies requests without TLS, versioning, SSE-KMS with the key, lifecycle expiry after `retention_days`) and to a " +
	"CloudWatch Logs group encrypted with the key, with `retention_days` retention, through a role only CloudTrail may " +
	"assume for this trail.\n\n" +
	"On the log group it keeps one metric filter and one alarm (to `alarm_actions`, by default the provider's; they must not be empty) " +
	"per event class. Where the CIS AWS Foundations Benchmark has a filter, its pattern is used verbatim, because Security " +
	"Hub's CloudWatch controls accept only exact matches: IAM policy changes (CloudWatch.4), CloudTrail changes (.5), KMS " +
	"keys disabled or scheduled for deletion (.7), security groups (.10), network gateways (.12), route tables (.13), VPCs " +
	"(.14) and unauthorized calls (.2). SageMaker workload changes, SageMaker notebook/Studio/presigned-URL changes, IAM " +
	"role trust and boundary changes and VPC endpoint changes are sagesafe-defined patterns.\n\n" +
	"Every refresh checks the live trail, bucket, log group, filters and alarms; logging stopped, validation turned off, a " +
	"filter or alarm deleted, or the bucket's policy, block or versioning changed outside Terraform shows up as a diff with " +
	"a warning naming the control, and the next apply restores it. Destroy removes everything it created, the bucket with " +
	"every object version in it.\n\n" +
	"To check an existing trail instead, use `sagesafe_preflight` with `check_audit_trail = true`."

func computedString(desc string, keep ...bool) schema.StringAttribute {
	a := schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	if len(keep) > 0 && keep[0] {
		a.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	}
	return a
}

func computedList(desc string) schema.ListAttribute {
	return schema.ListAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: desc}
}

func computedMap(desc string) schema.MapAttribute {
	return schema.MapAttribute{ElementType: types.StringType, Computed: true, MarkdownDescription: desc}
}

func joinDays() string {
	parts := make([]string, len(loggroup.ValidRetentionDays))
	for i, d := range loggroup.ValidRetentionDays {
		parts[i] = strconv.FormatInt(d, 10)
	}
	return shared.Backticked(parts)
}

func classList() string {
	var names []string
	for _, c := range guardrail.AuditEventClasses {
		names = append(names, c.Name)
	}
	return shared.Backticked(names)
}
