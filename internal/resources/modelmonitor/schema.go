package modelmonitor

import (
	"context"
	"fmt"
	"maps"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// Defaults and limits shared by the schema, the validators and the docs.
const (
	DefaultInstanceCount = 1
	DefaultVolumeSizeGB  = 30
	MaxInstanceCount     = 100
	MaxVolumeSizeGB      = 16384
	MaxFeatures          = 50
)

var (
	// nameRegexp: the name starts every run's processing job name, so it
	// follows SageMaker's job-name pattern.
	nameRegexp = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`)
	// featureRegexp: a feature name becomes part of a metric name and an
	// alarm name.
	featureRegexp = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,100}$`)
)

// Schema is the resource's schema.
func (r *monitorResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := map[string]schema.Attribute{"vpc": sagemakerjob.VPCAttribute()}
	for _, group := range []map[string]schema.Attribute{identityAttributes(), jobAttributes(), alarmAttributes(), computedAttributes()} {
		maps.Copy(attributes, group)
	}
	resp.Schema = schema.Schema{MarkdownDescription: resourceDescription, Attributes: attributes}
}

var resourceDescription = "Drift monitoring of a real-time endpoint's captured data: on a schedule, a data-quality " +
	"analysis compares what the endpoint received with a baseline (suggested constraints and statistics, for example from a " +
	"`sagesafe_processing_job`) and publishes per-feature drift metrics, and CloudWatch alarms watch them.\n\n" +
	"**Why a resource of its own, not a block of `sagesafe_endpoint`:** a monitor lives independently of the endpoint's " +
	"blue/green replacements, has its own role, instances, schedule and baseline, and how it runs depends on the account. It " +
	"names the endpoint by `endpoint_name` and reads the live endpoint to verify it.\n\n" +
	"**Engines.** `" + monitorspec.EngineScheduledProcessingJob + "` (the default, for every account): an EventBridge Scheduler " +
	"schedule whose universal target (`" + monitorspec.CreateProcessingJobTarget + "`) starts one processing job per period, " +
	"named `<name>-" + monitorspec.ExecutionIDAttribute + "` (Scheduler replaces the context attribute with each invocation's " +
	"unique ID, 16 letters and digits in its guide, which fits SageMaker's job names). It runs the image you give (SageMaker's " +
	"model-monitor analyzer for the region, or your own analyzer honouring the same container contract) over everything captured " +
	"under the endpoint's capture prefix. `" + monitorspec.EngineModelMonitor + "`: a SageMaker Model Monitor DataQuality " +
	"monitoring schedule with an inline job definition. AWS reports Model Monitor closed to new customers; use it only where the " +
	"account already has it, with a cron schedule (`cron(0 * ? * * *)` hourly, `cron(0 H ? * * *)` daily).\n\n" +
	"**Forced on every monitoring job, both engines** (as on `sagesafe_training_job`): the private subnets and closed groups of " +
	"`vpc` (SS-NET-1/2/3), network isolation (SS-NET-4), inter-container encryption (SS-ENC-3), `kms_key_arn` on the volume and " +
	"the output (SS-ENC-1/2, SS-KMS-1/2), the execution role checked like a job's (SS-IAM-1/2), a bounded runtime (SS-GOV-3), " +
	"trusted images (SS-SUP-1) and `s3://` baseline and output locations on TLS-only buckets of this account (SS-TLS-2, " +
	"SS-DATA-1/2).\n\n" +
	"**Capture must be on (SS-MON-7):** the endpoint must capture its requests (capture option Input) to an `s3://` destination " +
	"under a KMS key. A plan or apply is refused before anything is created when it does not; a refresh that finds capture " +
	"turned off later drops SS-MON-7 from `controls` with a warning.\n\n" +
	"**Alarms.** Per feature, `feature_baseline_drift_<feature>` (namespace `" + alarms.MonitorNamespace + "`, dimensions " +
	"`Endpoint` and `MonitoringSchedule` = `name`) above `drift_threshold` in a schedule period, missing data not breaching. " +
	"Sources disagree on the namespace (a Model Monitor guide page names `/aws/sagemaker/Endpoints/data-metric` with " +
	"`EndpointName`/`ScheduleName`); sagesafe uses the SageMaker Python SDK's, and the analyzer publishes only when " +
	"`publish_cloudwatch_metrics` is `Enabled`, which sagesafe sets. And a *silent* alarm: fewer than one " +
	"`feature_data_<first feature>` datapoint for two schedule periods, missing data breaching. CloudWatch has no metric for " +
	"a failed monitoring execution: a run that failed, never started (schedule deleted or disabled, scheduler role broken) or " +
	"published nothing looks exactly like this, so this alarm is how a broken monitor is noticed. Hence at least one feature " +
	"is required.\n\n" +
	"**Drift.** A schedule changed outside Terraform (its expression, target, role, input, state) is listed in `drift` and " +
	"restored by the next apply, a deleted schedule is created again, and deleted or changed alarms are put back. " +
	"**Lost answers.** The schedule is created with a `ClientToken` (Scheduler engine) and carries a creation token in its " +
	"description (schedules take no tags); the Model Monitor schedule carries `" + idem.TokenTag + "`. A retried create finds " +
	"its own object by the token; any other object of the name is refused. Destroy deletes the schedule and the alarms; runs " +
	"already started finish on their own. Import with `<name>` (Scheduler engine) or `" + monitorspec.EngineModelMonitor + "/<name>`."

// identityAttributes are the monitor's name, engine, endpoint and schedule.
func identityAttributes() map[string]schema.Attribute {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	return map[string]schema.Attribute{
		"name": schema.StringAttribute{
			Required: true,
			MarkdownDescription: fmt.Sprintf("Name of the schedule (and the `MonitoringSchedule` dimension of the metrics), at most %d "+
				"letters, digits and hyphens: it starts every run's job name.", monitorspec.MaxNameLength),
			Validators: []validator.String{stringvalidator.LengthBetween(1, monitorspec.MaxNameLength),
				stringvalidator.RegexMatches(nameRegexp, "must be letters, digits and hyphens, starting and ending with a letter or digit")},
			PlanModifiers: replace,
		},
		"engine": schema.StringAttribute{
			Optional: true,
			Computed: true,
			Default:  stringdefault.StaticString(monitorspec.EngineScheduledProcessingJob),
			MarkdownDescription: "How runs start: " + shared.Backticked(monitorspec.Engines) + ". Default `" +
				monitorspec.EngineScheduledProcessingJob + "` (every account); `" + monitorspec.EngineModelMonitor +
				"` only where the account has SageMaker Model Monitor.",
			Validators:    []validator.String{stringvalidator.OneOf(monitorspec.Engines...)},
			PlanModifiers: replace,
		},
		"endpoint_name": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "The endpoint to monitor. Its live data capture is checked (SS-MON-7) at plan, at apply and on every refresh.",
			Validators:          []validator.String{stringvalidator.LengthBetween(1, 63)},
			PlanModifiers:       replace,
		},
		"schedule_expression": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "When runs start: `rate(N hours)` (one hour to one day) or the cron forms `cron(0 * ? * * *)` " +
				"(hourly) and `cron(0 H ? * * *)` (daily); `" + monitorspec.EngineModelMonitor + "` takes only the cron forms. " +
				"The period is the alarms' period. Updated in place.",
			Validators: []validator.String{stringvalidator.LengthBetween(1, 256)}, // the form: ValidateConfig (monitorspec.Interval)
		},
		"scheduler_role_arn": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Required with `" + monitorspec.EngineScheduledProcessingJob + "`: the role EventBridge Scheduler " +
				"assumes to start the runs. It must be trusted only by `" + monitorspec.SchedulerPrincipal + "`, hold no managed " +
				"policy, and allow only `sagemaker:CreateProcessingJob`, `sagemaker:AddTags` and `iam:PassRole` of `role_arn`; " +
				"sagesafe reads it from IAM and refuses it otherwise.",
			Validators: []validator.String{validators.ARN("iam")},
		},
	}
}

// jobAttributes are the settings of every monitoring job.
func jobAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"role_arn": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Execution role every run has: trusted only by `sagemaker.amazonaws.com` with confused-deputy " +
				"conditions (SS-IAM-1) and without broad permissions (SS-IAM-2).",
			Validators: []validator.String{validators.ARN("iam")},
		},
		"image": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "The analyzer image: SageMaker's `sagemaker-model-monitor-analyzer` for the region (its registry " +
				"account must be in `allowed_image_accounts` when that is set), or your own. Pinned by digest (SS-SUP-1).",
			Validators: []validator.String{stringvalidator.LengthBetween(1, 255)},
		},
		"instance_type": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "Instance type of each run, such as `ml.m5.xlarge` (SS-GOV-2).",
			Validators:          []validator.String{stringvalidator.RegexMatches(validators.InstanceTypeRegexp, "must be a SageMaker instance type such as ml.m5.xlarge")},
		},
		"instance_count": schema.Int64Attribute{
			Optional: true, Computed: true, Default: int64default.StaticInt64(DefaultInstanceCount),
			MarkdownDescription: fmt.Sprintf("Instances of each run. Default %d.", DefaultInstanceCount),
			Validators:          []validator.Int64{int64validator.Between(1, MaxInstanceCount)},
		},
		"volume_size_gb": schema.Int64Attribute{
			Optional: true, Computed: true, Default: int64default.StaticInt64(DefaultVolumeSizeGB),
			MarkdownDescription: fmt.Sprintf("ML storage volume of each instance, in GB, encrypted with `kms_key_arn` (SS-ENC-2). Default %d.", DefaultVolumeSizeGB),
			Validators:          []validator.Int64{int64validator.Between(1, MaxVolumeSizeGB)},
		},
		"kms_key_arn": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "**Required** (a plan without it is refused with SS-KMS-1). Customer-managed key, enabled and " +
				"rotating, on every run's volume and output (SS-ENC-1/2).",
			Validators: []validator.String{validators.KMSKey()},
		},
		"max_runtime_seconds": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "**Required** (SS-GOV-3). SageMaker stops a run after this many seconds; at most the provider's " +
				"`max_training_runtime_seconds` and at most the schedule's period, so runs never overlap.",
			Validators: []validator.Int64{int64validator.Between(1, monitorspec.MaxIntervalSeconds)},
		},
		"baseline_constraints_uri": s3Attribute("The baseline's `constraints.json` (s3://, this account, SS-TLS-2, SS-DATA-1/2)."),
		"baseline_statistics_uri":  s3Attribute("The baseline's `statistics.json` (s3://, this account, SS-TLS-2, SS-DATA-1/2)."),
		"output_s3_uri":            s3Attribute("Where each run's report goes, encrypted with `kms_key_arn` (s3://, this account)."),
	}
}

func s3Attribute(desc string) schema.StringAttribute {
	return schema.StringAttribute{Required: true, MarkdownDescription: desc, Validators: []validator.String{stringvalidator.LengthBetween(1, 1024)}}
}

// alarmAttributes are the features watched and how.
func alarmAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"features": schema.ListAttribute{
			ElementType:         types.StringType,
			Required:            true,
			MarkdownDescription: fmt.Sprintf("Features with a drift alarm (1 to %d). The first also carries the silent alarm.", MaxFeatures),
			Validators: []validator.List{listvalidator.SizeBetween(1, MaxFeatures), listvalidator.UniqueValues(),
				listvalidator.ValueStringsAre(stringvalidator.RegexMatches(featureRegexp, "must be 1-100 letters, digits, '_', '.' or '-'"))},
		},
		"drift_threshold": schema.Float64Attribute{
			Required: true,
			MarkdownDescription: "Alarm when a feature's `feature_baseline_drift_<feature>` exceeds this distance from the baseline " +
				"(the analyzer's distance, 0 to 1). Updated in place.",
			Validators: []validator.Float64{float64validator.Between(0.0001, 1)},
		},
		"alarm_actions": schema.ListAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "SNS topics the alarms notify. Default: the provider's `alarm_actions` (SS-MON-2).",
			Validators:          []validator.List{listvalidator.SizeAtMost(5), listvalidator.ValueStringsAre(validators.ARN("sns"))},
		},
		"tags": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "Tags of every run's processing job, of the alarms and (with `" + monitorspec.EngineModelMonitor +
				"`) of the schedule, merged with `default_tags` (SS-GOV-1). Scheduler schedules take no tags.",
		},
	}
}

// computedAttributes are what AWS and the checks report.
func computedAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"arn": schema.StringAttribute{
			Computed: true, MarkdownDescription: "ARN of the schedule.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"capture_s3_uri": schema.StringAttribute{
			Computed: true, MarkdownDescription: "Where the runs read the endpoint's captured data: its live capture destination.",
		},
		"drift": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "What a refresh found changed on the schedule outside Terraform (beyond the attributes above), " +
				"one line each; the next apply restores it and this becomes empty.",
		},
		"alarm_names": schema.MapAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "The alarms, keyed `" + alarms.MonitorDriftPrefix + "<feature>` and `" + alarms.MonitorSilent +
				"`. An alarm deleted or changed outside Terraform drops out, so the next plan restores it (SS-MON-1).",
		},
		"controls": schema.ListAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: "IDs of the guardrail controls that hold for the live schedule and endpoint." + guardrail.ControlsHeldNote,
		},
		"control_states": schema.MapAttribute{
			ElementType: types.StringType, Computed: true, MarkdownDescription: guardrail.ControlStatesDescription,
		},
	}
}
