package trainingjob

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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
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
// docs. The limits are SageMaker's (CreateTrainingJob).
const (
	// LogGroupName is the log group every training job in an account and
	// region writes to; it is shared, so it is adopted and never deleted.
	LogGroupName = "/aws/sagemaker/TrainingJobs"

	DefaultInputMode    = "File"
	DefaultDistribution = "FullyReplicated"

	// MaxRuntimeLimit is SageMaker's own limit (28 days); the provider's
	// guardrails usually allow much less (SS-GOV-3).
	MaxRuntimeLimit = 2419200

	// DefaultDeleteTimeout bounds waiting for a stopped job to reach Stopped.
	DefaultDeleteTimeout = 30 * time.Minute
	// createTimeoutMargin is added to the job's own time limit (its
	// max_wait_seconds with spot, else max_runtime_seconds) for the default
	// create timeout: instances must be provisioned and artifacts uploaded.
	createTimeoutMargin = time.Hour
	// fallbackCreateTimeout applies when no time limit is known.
	fallbackCreateTimeout = 24 * time.Hour
)

var (
	inputModes    = []string{"File", "Pipe", "FastFile"}
	distributions = []string{"FullyReplicated", "ShardedByS3Key"}

	channelRegexp  = regexp.MustCompile(`^[A-Za-z0-9\.\-_]+$`)
	hyperKeyRegexp = regexp.MustCompile(`^.{1,256}$`)
	envKeyRegexp   = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]{0,511}$`)
)

// immutableAttributes are the inputs of the job: SageMaker cannot change a
// job, so any change to one of them creates a new job.
var immutableAttributes = []string{
	"name", "name_prefix", "role_arn", "image", "input_channels", "output_s3_uri", "checkpoint_s3_uri",
	"instance_type", "instance_count", "volume_size_gb", "kms_key_arn", "vpc", "max_runtime_seconds",
	"use_spot", "max_wait_seconds", "hyperparameters", "environment",
}

// Schema is the resource's schema; its attributes come in groups, one
// function each.
func (r *trainingJobResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := map[string]schema.Attribute{"vpc": vpcAttribute(), "alarms": alarmsAttribute()}
	for _, group := range []map[string]schema.Attribute{sagemakerjob.InstanceAttributes(), sagemakerjob.NameAttributes("training job"), identityAttributes(), dataAttributes(), runAttributes(), settingsAttributes(), computedAttributes()} {
		maps.Copy(attributes, group)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: resourceDescription,
		Attributes:          attributes,
		Blocks: map[string]schema.Block{
			"timeouts": schemautil.TimeoutsBlock(ctx, timeouts.Opts{
				Create: true, Delete: true,
				CreateDescription: fmt.Sprintf("How long create may wait for the job to end (with `wait_for_completion`), as a Go duration (`30m`, `2h`). Default: "+
					"`max_wait_seconds` (with spot) or `max_runtime_seconds`, plus %s.", shortDuration(createTimeoutMargin)),
				DeleteDescription: fmt.Sprintf("How long destroy may wait for a stopped job to reach `Stopped`. Default `%s`.", shortDuration(DefaultDeleteTimeout)),
			}, "Bounds for the waits, as Go durations (`30m`, `2h`)."),
		},
	}
}

// resourceDescription documents the resource: what is forced, what a plan
// is refused for, and what becomes of the shared log group and the alarms.
var resourceDescription = "A SageMaker training job that cannot run outside a private, encrypted, isolated and monitored sandbox.\n\n" +
	"Network isolation (SS-NET-4), inter-container traffic encryption (SS-ENC-3) and the customer-managed key on the output " +
	"(SS-ENC-1) and the ML storage volume (SS-ENC-2) are always on: there is no attribute to turn them off. A plan is refused, " +
	"with an error naming the control, when the subnets are not private (SS-NET-2), a security group is open to the internet " +
	"(SS-NET-3), the key is not an enabled, rotating customer-managed key (SS-KMS-1/2), the runtime is unbounded or over the " +
	"provider's guardrail (SS-GOV-3), the instance type is not allowed (SS-GOV-2), the image is not from ECR (SS-SUP-1), an S3 " +
	"location is not `s3://` (SS-TLS-2), the execution role is too broad (SS-IAM-1/2) or required tags are missing (SS-GOV-1).\n\n" +
	"Before the job is created, the account's shared log group `" + LogGroupName + "` is made KMS-encrypted with retention " +
	"(SS-ENC-5, SS-MON-3): created with `kms_key_arn` when it is missing, given the key when it has none (or only an unusable " +
	"one), and left as it is when it is already encrypted with another usable customer-managed key. Its retention is raised to " +
	"the provider's `min_log_retention_days` when it is shorter, never lowered. Every training job in the account and region " +
	"writes to it, so **it is never deleted**, not even when this resource is destroyed.\n\n" +
	"Each instance gets CloudWatch alarms on `" + alarms.TrainingNamespace + "` (dimension `Host = <job>/algo-<n>`): disk and " +
	"memory utilisation, and GPU idleness on GPU instance types (SS-MON-1/2).\n\n" +
	"Training jobs are immutable and their names can never be reused in an account, so every change to an input creates a " +
	"new job under a new name (use `name_prefix`, the default); `tags`, `alarms`, `wait_for_completion` and `timeouts` change " +
	"in place. Destroying a job that is still running stops it and waits until it is `Stopped`, then deletes its alarms. " +
	"**SageMaker keeps the job record itself** (training jobs cannot be deleted), so it stays visible in the console and API.\n\n" +
	sagemakerjob.TakeUpDescription(ownerTagKey, prefixTagKey, "role, image, inputs, hyperparameters, environment, instances, keys, network, runtime")

// identityAttributes are the job's role and image.
func identityAttributes() map[string]schema.Attribute {
	replaceString := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	return map[string]schema.Attribute{
		"role_arn": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Execution role the job runs as. Its trust policy must allow only `sagemaker.amazonaws.com`, " +
				"with `aws:SourceAccount`/`aws:SourceArn` conditions that name this account and region (SS-IAM-1), and it must have " +
				"no broad permissions in its inline or attached managed policies (SS-IAM-2); " +
				"`sagesafe_execution_role` makes such a role.",
			Validators:    []validator.String{validators.ARN("iam")},
			PlanModifiers: replaceString,
		},
		"image": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Training image: an Amazon ECR image (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>`), " +
				"from `allowed_image_accounts` when the provider sets it, pinned by digest (`@sha256:...`, a tag is a warning) (SS-SUP-1).",
			Validators:    []validator.String{stringvalidator.LengthBetween(1, 255)},
			PlanModifiers: replaceString,
		},
	}
}

// dataAttributes are where the job reads and writes.
func dataAttributes() map[string]schema.Attribute {
	replaceString := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	return map[string]schema.Attribute{
		"input_channels": schema.ListNestedAttribute{
			Required:            true,
			MarkdownDescription: "Input data channels (1 to 20). Each reads an `s3://` prefix (SS-TLS-2) in a bucket with SSE-KMS default encryption (SS-DATA-1).",
			Validators:          []validator.List{listvalidator.SizeBetween(1, 20)},
			PlanModifiers:       []planmodifier.List{listplanmodifier.RequiresReplace()},
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{
					Required:            true,
					MarkdownDescription: "Channel name, such as `train` or `validation`; the container finds the data under `/opt/ml/input/data/<name>`.",
					Validators: []validator.String{stringvalidator.LengthBetween(1, 64),
						stringvalidator.RegexMatches(channelRegexp, "must contain only letters, digits, '.', '-' and '_'")},
				},
				"s3_uri": schema.StringAttribute{
					Required:            true,
					MarkdownDescription: "`s3://bucket/prefix` of the channel's data. Anything but `s3://` is refused (SS-TLS-2).",
					Validators:          []validator.String{stringvalidator.LengthBetween(1, 1024)},
				},
				"content_type": schema.StringAttribute{
					Optional:            true,
					MarkdownDescription: "MIME type of the data, passed to the algorithm (e.g. `text/csv`).",
					Validators:          []validator.String{stringvalidator.LengthBetween(1, 256)},
				},
				"input_mode": schema.StringAttribute{
					Optional:            true,
					Computed:            true,
					Default:             stringdefault.StaticString(DefaultInputMode),
					MarkdownDescription: fmt.Sprintf("How the data reaches the container: %s. Default `%s`.", shared.Backticked(inputModes), DefaultInputMode),
					Validators:          []validator.String{stringvalidator.OneOf(inputModes...)},
				},
				"distribution": schema.StringAttribute{
					Optional:            true,
					Computed:            true,
					Default:             stringdefault.StaticString(DefaultDistribution),
					MarkdownDescription: fmt.Sprintf("How the data is spread over the instances: %s. Default `%s`.", shared.Backticked(distributions), DefaultDistribution),
					Validators:          []validator.String{stringvalidator.OneOf(distributions...)},
				},
			}},
		},
		"output_s3_uri": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "`s3://bucket/prefix` where SageMaker writes the model artifacts, encrypted with `kms_key_arn` " +
				"(SS-ENC-1). The bucket must default to SSE-KMS (SS-DATA-1) and deny plaintext transport (SS-TLS-2).",
			Validators:    []validator.String{stringvalidator.LengthBetween(1, 1024)},
			PlanModifiers: replaceString,
		},
		"checkpoint_s3_uri": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "`s3://bucket/prefix` for checkpoints (needed to resume spot training). Checkpoints have no KMS " +
				"setting of their own, so the bucket's default encryption must be SSE-KMS (SS-DATA-1).",
			Validators:    []validator.String{stringvalidator.LengthBetween(1, 1024)},
			PlanModifiers: replaceString,
		},
	}
}

// runAttributes are how the job runs: instances, key, limits, parameters.
func runAttributes() map[string]schema.Attribute {
	replaceString := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	replaceInt := []planmodifier.Int64{int64planmodifier.RequiresReplace()}
	return map[string]schema.Attribute{
		"kms_key_arn": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Must be set: without it the plan is refused with SS-KMS-1 (optional in the schema only so that the refusal " +
				"names the control and its fix). Customer-managed KMS key (CMK), enabled and " +
				"rotating (SS-KMS-1/2), such as a `sagesafe_kms_key`. It encrypts the model artifacts (SS-ENC-1), the ML storage volume " +
				"(SS-ENC-2; left out for instance types with NVMe instance storage, where SageMaker rejects a key) and, when sagesafe " +
				"creates or first encrypts it, the shared log group (SS-ENC-5). AWS managed keys (`alias/aws/...`) are refused.",
			Validators:    []validator.String{validators.KMSKey()},
			PlanModifiers: replaceString,
		},
		"max_runtime_seconds": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Must be set: without it the plan is refused with SS-GOV-3 (optional in the schema only so that the refusal " +
				"names the control and its fix). SageMaker stops the job after this many " +
				"seconds of training; must be at most the provider's `max_training_runtime_seconds` (default 259200, 3 days).",
			Validators:    []validator.Int64{int64validator.Between(1, MaxRuntimeLimit)},
			PlanModifiers: replaceInt,
		},
		"use_spot": schema.BoolAttribute{
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(false),
			MarkdownDescription: "Run on managed spot capacity. Needs `max_wait_seconds`; set `checkpoint_s3_uri` so interrupted jobs resume. Default false.",
			PlanModifiers:       []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
		},
		"max_wait_seconds": schema.Int64Attribute{
			Optional:            true,
			MarkdownDescription: "With `use_spot`: how long to wait for spot capacity plus training, at least `max_runtime_seconds`. Only with `use_spot`.",
			Validators:          []validator.Int64{int64validator.Between(1, MaxRuntimeLimit)},
			PlanModifiers:       replaceInt,
		},
		"hyperparameters": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			Sensitive:           true,
			MarkdownDescription: "Hyperparameters passed to the algorithm (at most 100). Sensitive: kept out of plan output, as they may carry credentials or data paths.",
			Validators: []validator.Map{mapvalidator.SizeAtMost(100),
				mapvalidator.KeysAre(stringvalidator.RegexMatches(hyperKeyRegexp, "must be 1-256 characters")),
				mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(2500))},
			PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
		"environment": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			Sensitive:   true,
			MarkdownDescription: "Environment variables of the training container (at most 100). Sensitive: never logged. Prefer " +
				"reading secrets inside the container over passing them here; they are stored in the job record and in state.",
			Validators: []validator.Map{mapvalidator.SizeAtMost(100),
				mapvalidator.KeysAre(stringvalidator.RegexMatches(envKeyRegexp, "must be a valid environment variable name"))},
			PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
	}
}

// settingsAttributes change in place.
func settingsAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"wait_for_completion": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(true),
			MarkdownDescription: "Wait, within the create timeout, until the job is `Completed`, `Failed` or `Stopped`. A `Failed` job " +
				"is an error carrying SageMaker's `FailureReason`; the job stays in state (tainted) so its record and logs remain " +
				"inspectable, and the next apply replaces it. With `false`, apply returns once the job and its alarms exist and " +
				"`model_artifacts_s3_uri` stays empty until a later refresh sees the job completed. Default true.",
		},
		"tags": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "Tags of the job and its alarms, merged with the provider's `default_tags` (these win only where the " +
				"resource sets no value). Must include the provider's `required_tags` (SS-GOV-1). Updated in place.",
		},
	}
}

// computedAttributes are what SageMaker and the checks report.
func computedAttributes() map[string]schema.Attribute {
	stateString := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	stateInt := []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
	return map[string]schema.Attribute{
		"id":       shared.IDAttribute("The job's name (the same as `name`)."),
		"tags_all": shared.TagsAllAttribute("The job's"),
		"arn": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "ARN of the training job.",
			PlanModifiers:       stateString,
		},
		"status": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "`TrainingJobStatus`: `InProgress`, `Completed`, `Failed`, `Stopping` or `Stopped`. A `Failed` job is replaced by the next apply.",
			PlanModifiers:       stateString,
		},
		"secondary_status": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "`SecondaryStatus`, the finer stage (`Starting`, `Downloading`, `Training`, `Uploading`, `MaxRuntimeExceeded`, ...).",
			PlanModifiers:       stateString,
		},
		"failure_reason": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "SageMaker's `FailureReason`, verbatim, when the job failed.",
			PlanModifiers:       stateString,
		},
		"model_artifacts_s3_uri": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "`s3://` URI of the model artifacts (`model.tar.gz`) once the job is `Completed`; empty before. " +
				"Feeds `sagesafe_endpoint`'s `model.model_data_s3_uri`.",
			PlanModifiers: stateString,
		},
		"training_seconds": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "`TrainingTimeInSeconds` reported by SageMaker once the job has ended.",
			PlanModifiers:       stateInt,
		},
		"billable_seconds": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "`BillableTimeInSeconds` reported by SageMaker once the job has ended (less than `training_seconds` with spot).",
			PlanModifiers:       stateInt,
		},
		"alarm_names": schema.MapAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "The job's CloudWatch alarms, keyed `algo-<n>/<kind>` (`disk`, `memory`, `gpu_idle`). An alarm " +
				"deleted or changed outside Terraform drops out of this map, so the next plan shows an update that restores it (SS-MON-1).",
		},
		"log_group_name": schema.StringAttribute{
			Computed:            true,
			Default:             stringdefault.StaticString(LogGroupName),
			MarkdownDescription: "The shared log group the job writes to, `" + LogGroupName + "`. Never deleted by sagesafe.",
		},
		"controls": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "IDs of the guardrail controls that hold for the live job and what it depends on (network, key, role, " +
				"buckets, log group, alarms). A control weakened outside Terraform drops out, with a warning naming it; the next " +
				"apply restores what can be restored in place and replaces the job where only a new job can fix it. A control that " +
				"fails on what the job was given (its subnets, security groups, key, role or buckets) cannot be restored by sagesafe: " +
				"it refuses to create, replace or update the job until that is fixed, but a plan that leaves the job unchanged goes on " +
				"(with the warning), so the fix can be applied." + guardrail.ControlsHeldNote,
		},
		"control_states": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: guardrail.ControlStatesDescription,
		},
	}
}

// alarmsAttribute are the settings of the job's alarms, with the GPU idle
// threshold of training.
func alarmsAttribute() schema.SingleNestedAttribute {
	return sagemakerjob.AlarmsAttribute(defaultAlarms(), map[string]schema.Attribute{
		"gpu_idle_percent": thresholdAttribute(alarms.TrainingGPUIdle, alarms.DefaultTrainingGPUIdlePercent,
			"GPU instance types only: alarm when the GPU utilisation of an instance stays below this percentage (per GPU) "+
				"for 30 minutes. Idle accelerators are a cost spike."),
	})
}

// defaultAlarms is the alarms object when the attribute is not set: the
// default thresholds and the provider's alarm_actions (actions = null).
func defaultAlarms() types.Object {
	return alarmsObject(nil, alarms.DefaultTrainingThresholds())
}

// alarmsObject builds the alarms attribute; nil actions mean "the
// provider's alarm_actions".
func alarmsObject(actions []string, t alarms.TrainingThresholds) types.Object {
	al := types.ListNull(types.StringType)
	if actions != nil {
		elems := make([]attr.Value, 0, len(actions))
		for _, a := range actions {
			elems = append(elems, types.StringValue(a))
		}
		al = types.ListValueMust(types.StringType, elems)
	}
	return types.ObjectValueMust(alarmsAttrTypes, map[string]attr.Value{
		"actions":          al,
		"disk_percent":     types.Float64Value(t.DiskPercent),
		"memory_percent":   types.Float64Value(t.MemoryPercent),
		"gpu_idle_percent": types.Float64Value(t.GPUIdlePercent),
	})
}

func shortDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dm", int(d/time.Minute))
}
