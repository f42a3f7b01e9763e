package processingjob

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/schemautil"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// Defaults and limits shared by the schema, the validators, the code and the
// docs. The limits are SageMaker's (CreateProcessingJob).
const (
	// LogGroupName is the log group every processing job in an account and
	// region writes to; it is shared, so it is adopted and never deleted.
	LogGroupName = "/aws/sagemaker/ProcessingJobs"

	MaxRuntimeLimit = 777600 // 9 days, SageMaker's own limit for processing
	MaxLocations    = 10

	// LocalPathPrefix is where a processing container finds its inputs and
	// leaves its outputs.
	LocalPathPrefix = "/opt/ml/processing/"

	// DefaultDeleteTimeout bounds waiting for a stopped job to reach Stopped.
	DefaultDeleteTimeout = 30 * time.Minute
	// createTimeoutMargin is added to max_runtime_seconds for the default
	// create timeout: instances must be provisioned and outputs uploaded.
	createTimeoutMargin = time.Hour
)

var (
	locationRegexp  = regexp.MustCompile(`^[A-Za-z0-9\.\-_]+$`)
	localPathRegexp = regexp.MustCompile(`^` + regexp.QuoteMeta(LocalPathPrefix) + `[^\s]*$`)
	envKeyRegexp    = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]{0,255}$`)
)

// Schema is the resource's schema.
func (r *processingJobResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := map[string]schema.Attribute{"vpc": vpcAttribute(), "alarms": alarmsAttribute()}
	for _, group := range []map[string]schema.Attribute{sagemakerjob.InstanceAttributes(), sagemakerjob.NameAttributes("processing job"), identityAttributes(), dataAttributes(), runAttributes(), computedAttributes()} {
		maps.Copy(attributes, group)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: resourceDescription,
		Attributes:          attributes,
		Blocks: map[string]schema.Block{
			"timeouts": schemautil.TimeoutsBlock(ctx, timeouts.Opts{
				Create: true, Delete: true,
				CreateDescription: "How long create may wait for the job to end (with `wait_for_completion`). Default: `max_runtime_seconds` plus 1h.",
				DeleteDescription: "How long destroy may wait for a stopped job to reach `Stopped`. Default `30m`.",
			}, "Bounds for the waits, as Go durations (`30m`, `2h`)."),
		},
	}
}

var resourceDescription = "A SageMaker processing job (baselining, feature engineering, evaluation) held to the same sandbox as " +
	"`sagesafe_training_job`.\n\n" +
	"Network isolation (SS-NET-4), inter-container traffic encryption (SS-ENC-3) and the customer-managed key on every output " +
	"(SS-ENC-1) and on the ML storage volume (SS-ENC-2) are always on: there is no attribute to turn them off. A plan is refused, " +
	"with an error naming the control, when the job has no VPC (SS-NET-1), the subnets are not private (SS-NET-2), a security " +
	"group is open to the internet (SS-NET-3), the key is not an enabled, rotating customer-managed key of an allowed account " +
	"(SS-KMS-1/2), the runtime is unbounded or over `max_training_runtime_seconds` (SS-GOV-3), the instance type is not allowed " +
	"(SS-GOV-2), the image is not from a trusted ECR registry (SS-SUP-1), an input or output is not an `s3://` location on a " +
	"TLS-only bucket of this account (SS-TLS-2, SS-DATA-1/2), the execution role is too broad (SS-IAM-1/2) or required tags are " +
	"missing (SS-GOV-1).\n\n" +
	"Before the job is created, the account's shared log group `" + LogGroupName + "` is made KMS-encrypted with retention " +
	"(SS-ENC-5, SS-MON-3), as `sagesafe_training_job` does for its own; it is never deleted. Each instance gets CloudWatch " +
	"alarms on `" + ProcessingNamespace + "` (dimension `Host = <job>/algo-<n>`): disk and memory utilisation (SS-MON-1/2).\n\n" +
	"Processing jobs are immutable and their names can never be reused, so every change to an input creates a new job under a " +
	"new name (use `name_prefix`, the default); `tags`, `alarms`, `wait_for_completion` and `timeouts` change in place. A job " +
	"that `Failed` is replaced by the next apply. Destroying a running job stops it and waits until it is `Stopped`; SageMaker " +
	"keeps the job record.\n\n" +
	sagemakerjob.TakeUpDescription(ownerTagKey, prefixTagKey, "role, image, entrypoint, arguments, inputs, outputs, environment, instances, keys, network, runtime")

// identityAttributes are the job's role and container.
func identityAttributes() map[string]schema.Attribute {
	replaceString := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	replaceList := []planmodifier.List{listplanmodifier.RequiresReplace()}
	return map[string]schema.Attribute{
		"role_arn": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Execution role the job runs as: trusted only by `sagemaker.amazonaws.com` with confused-deputy " +
				"conditions (SS-IAM-1) and without broad permissions (SS-IAM-2); `sagesafe_execution_role` makes such a role.",
			Validators:    []validator.String{validators.ARN("iam")},
			PlanModifiers: replaceString,
		},
		"image": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Processing image (`AppSpecification.ImageUri`): an Amazon ECR image from `allowed_image_accounts` " +
				"when the provider sets it, pinned by digest (`@sha256:...`; a tag is a warning) (SS-SUP-1).",
			Validators:    []validator.String{stringvalidator.LengthBetween(1, 255)},
			PlanModifiers: replaceString,
		},
		"entrypoint": schema.ListAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Entrypoint of the container (`AppSpecification.ContainerEntrypoint`), 1 to 100 strings.",
			Validators:          []validator.List{listvalidator.SizeBetween(1, 100), listvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, 256))},
			PlanModifiers:       replaceList,
		},
		"arguments": schema.ListAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Arguments of the container (`AppSpecification.ContainerArguments`), 1 to 100 strings.",
			Validators:          []validator.List{listvalidator.SizeBetween(1, 100), listvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, 256))},
			PlanModifiers:       replaceList,
		},
		"environment": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			Sensitive:   true,
			MarkdownDescription: "Environment variables of the container (at most 100). Sensitive: never logged. Prefer reading " +
				"secrets inside the container; these are stored in the job record and in state.",
			Validators: []validator.Map{mapvalidator.SizeAtMost(100),
				mapvalidator.KeysAre(stringvalidator.RegexMatches(envKeyRegexp, "must be a valid environment variable name"))},
			PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
	}
}

// locationAttribute is the inputs or outputs list.
func locationAttribute(required bool, desc, pathDesc string) schema.ListNestedAttribute {
	min := 0
	if required {
		min = 1
	}
	return schema.ListNestedAttribute{
		Required:            required,
		Optional:            !required,
		MarkdownDescription: desc,
		Validators:          []validator.List{listvalidator.SizeBetween(min, MaxLocations)},
		PlanModifiers:       []planmodifier.List{listplanmodifier.RequiresReplace()},
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name, unique within the job's inputs and outputs.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 256),
					stringvalidator.RegexMatches(locationRegexp, "must contain only letters, digits, '.', '-' and '_'")},
			},
			"s3_uri": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "`s3://bucket/prefix` in a TLS-only, SSE-KMS bucket of this account (SS-TLS-2, SS-DATA-1/2).",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 1024)},
			},
			"local_path": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: pathDesc,
				Validators:          []validator.String{stringvalidator.RegexMatches(localPathRegexp, "must be under "+LocalPathPrefix)},
			},
		}},
	}
}

// dataAttributes are where the job reads and writes.
func dataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"inputs": locationAttribute(false, fmt.Sprintf("Inputs (at most %d): each S3 prefix is copied into the container before it starts.", MaxLocations),
			"Where the container finds the input, under `"+LocalPathPrefix+"`."),
		"outputs": locationAttribute(true, fmt.Sprintf("Outputs (1 to %d): each container path is uploaded to its S3 prefix when the job ends, "+
			"encrypted with `kms_key_arn` (SS-ENC-1).", MaxLocations),
			"Where the container leaves the output, under `"+LocalPathPrefix+"`."),
	}
}

// runAttributes are how the job runs: instances, key, limits, settings.
func runAttributes() map[string]schema.Attribute {
	replaceString := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	replaceInt := []planmodifier.Int64{int64planmodifier.RequiresReplace()}
	return map[string]schema.Attribute{
		"kms_key_arn": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Must be set: without it the plan is refused with SS-KMS-1 (optional in the schema only so that the refusal " +
				"names the control and its fix). Customer-managed KMS key (CMK), enabled and " +
				"rotating (SS-KMS-1/2), such as a `sagesafe_kms_key`. It encrypts every output (SS-ENC-1), the ML storage volume " +
				"(SS-ENC-2) and, when sagesafe creates or first encrypts it, the shared log group (SS-ENC-5).",
			Validators:    []validator.String{validators.KMSKey()},
			PlanModifiers: replaceString,
		},
		"max_runtime_seconds": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Must be set: without it the plan is refused with SS-GOV-3 (optional in the schema only so that the refusal " +
				"names the control and its fix). SageMaker stops the job after this many " +
				"seconds; at most the provider's `max_training_runtime_seconds`.",
			Validators:    []validator.Int64{int64validator.Between(1, MaxRuntimeLimit)},
			PlanModifiers: replaceInt,
		},
		"wait_for_completion": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(true),
			MarkdownDescription: "Wait, within the create timeout, until the job is `Completed`, `Failed` or `Stopped`. A `Failed` job " +
				"is an error carrying SageMaker's `FailureReason` (the job stays in state, tainted, and the next apply replaces it). Default true.",
		},
		"tags": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "Tags of the job and its alarms, merged with the provider's `default_tags`. Must include the " +
				"provider's `required_tags` (SS-GOV-1). Updated in place.",
		},
	}
}

// computedAttributes are what SageMaker and the checks report.
func computedAttributes() map[string]schema.Attribute {
	stateString := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return map[string]schema.Attribute{
		"id":       shared.IDAttribute("The job's name (the same as `name`)."),
		"tags_all": shared.TagsAllAttribute("The job's"),
		"arn": schema.StringAttribute{
			Computed: true, MarkdownDescription: "ARN of the processing job.", PlanModifiers: stateString,
		},
		"status": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "`ProcessingJobStatus`: `InProgress`, `Completed`, `Failed`, `Stopping` or `Stopped`. A `Failed` job is replaced by the next apply.",
			PlanModifiers:       stateString,
		},
		"failure_reason": schema.StringAttribute{
			Computed: true, MarkdownDescription: "SageMaker's `FailureReason`, verbatim, when the job failed.", PlanModifiers: stateString,
		},
		"exit_message": schema.StringAttribute{
			Computed: true, MarkdownDescription: "SageMaker's `ExitMessage` of the container, when it left one.", PlanModifiers: stateString,
		},
		"alarm_names": schema.MapAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "The job's CloudWatch alarms, keyed `algo-<n>/<kind>` (`disk`, `memory`). An alarm deleted or " +
				"changed outside Terraform drops out of this map, so the next plan shows an update that restores it (SS-MON-1).",
		},
		"log_group_name": schema.StringAttribute{
			Computed:            true,
			Default:             stringdefault.StaticString(LogGroupName),
			MarkdownDescription: "The shared log group the job writes to, `" + LogGroupName + "`. Never deleted by sagesafe.",
		},
		"controls": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "IDs of the guardrail controls that hold for the live job and what it depends on. A control " +
				"weakened outside Terraform drops out, with a warning naming it." + guardrail.ControlsHeldNote,
		},
		"control_states": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: guardrail.ControlStatesDescription,
		},
	}
}

// alarmsAttribute are the settings of the job's alarms.
func alarmsAttribute() schema.SingleNestedAttribute {
	return sagemakerjob.AlarmsAttribute(defaultAlarms(), nil)
}

// defaultAlarms is the alarms object when the attribute is not set.
func defaultAlarms() types.Object {
	t := alarms.DefaultTrainingThresholds()
	return types.ObjectValueMust(alarmsAttrTypes, map[string]attr.Value{
		"actions":        types.ListNull(types.StringType),
		"disk_percent":   types.Float64Value(t.DiskPercent),
		"memory_percent": types.Float64Value(t.MemoryPercent),
	})
}
