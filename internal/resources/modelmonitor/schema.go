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

// MaxFeatures bounds the features watched (two filters and an alarm each).
// The runs' instance and volume defaults and limits are sagemakerjob's, as
// every SageMaker job's.
const MaxFeatures = 50

var (
	// nameRegexp: the name starts every run's processing job name, so it
	// follows SageMaker's job-name pattern.
	nameRegexp = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`)
	// featureRegexp: a feature name becomes part of a metric name, an alarm
	// name and a filter name ("sagesafe-monitor-<name>-drift-<feature>").
	// Without "-" in it, no monitor's names can equal another's (monitor
	// "churn" with feature "drift-x" and monitor "churn-drift" with feature
	// "x" would share every name).
	featureRegexp = regexp.MustCompile(`^[A-Za-z0-9_.]{1,100}$`)
)

// Schema is the resource's schema.
func (r *monitorResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := map[string]schema.Attribute{"vpc": sagemakerjob.VPCAttribute(), "model_quality": qualityAttribute()}
	for _, group := range []map[string]schema.Attribute{identityAttributes(), jobAttributes(), alarmAttributes(), computedAttributes()} {
		maps.Copy(attributes, group)
	}
	resp.Schema = schema.Schema{MarkdownDescription: resourceDescription, Attributes: attributes}
}

var resourceDescription = "Drift monitoring of a real-time endpoint's captured data: on a schedule, a data-quality " +
	"analysis compares what the endpoint received with a baseline (suggested constraints and statistics, for example from a " +
	"`sagesafe_processing_job`), per-feature drift metrics reach CloudWatch (how depends on the engine, below), and " +
	"CloudWatch alarms watch them.\n\n" +
	"**Why a resource of its own, not a block of `sagesafe_endpoint`:** a monitor lives independently of the endpoint's " +
	"blue/green replacements, has its own role, instances, schedule and baseline, and how it runs depends on the account. It " +
	"names the endpoint by `endpoint_name` and reads the live endpoint to verify it.\n\n" +
	"**Engines.** `" + monitorspec.EngineScheduledProcessingJob + "` (the default, for every account): an EventBridge Scheduler " +
	"schedule whose universal target (`" + monitorspec.CreateProcessingJobTarget + "`) starts one processing job per period, " +
	"named `<name>-" + monitorspec.ExecutionIDAttribute + "` (Scheduler replaces the context attribute with each invocation's " +
	"unique ID, 16 letters and digits in its guide, which fits SageMaker's job names). It runs the image you give (your analyzer, " +
	"or a thin wrapper around SageMaker's model-monitor analyzer, that prints the metric lines below) over everything captured " +
	"under the endpoint's capture prefix. `" + monitorspec.EngineModelMonitor + "`: a SageMaker Model Monitor DataQuality " +
	"monitoring schedule with an inline job definition. AWS reports Model Monitor closed to new customers; use it only where the " +
	"account already has it, with a cron schedule (`cron(0 * ? * * *)` hourly, `cron(0 H ? * * *)` daily).\n\n" +
	"**Forced on every monitoring job, both engines** (as on `sagesafe_training_job`): the private subnets and closed groups of " +
	"`vpc` (SS-NET-1/2/3), network isolation (SS-NET-4), inter-container encryption (SS-ENC-3), `kms_key_arn` on the volume and " +
	"the output (SS-ENC-1/2, SS-KMS-1/2), the execution role checked like a job's (SS-IAM-1/2), a bounded runtime (SS-GOV-3), " +
	"trusted images (SS-SUP-1) and `s3://` baseline and output locations on TLS-only buckets of this account (SS-TLS-2, " +
	"SS-DATA-1/2). The runs' shared log group `" + monitorspec.LogGroup + "` is made to exist under `kms_key_arn` (or " +
	"another enabled, rotating customer-managed key it already has) and with at least `min_log_retention_days` (SS-ENC-5, " +
	"SS-MON-3), as `sagesafe_processing_job` does.\n\n" +
	"**How the metrics reach CloudWatch.** With `" + monitorspec.EngineModelMonitor + "` the analyzer writes them to " +
	"`/opt/ml/output/metrics/cloudwatch` and the Model Monitor service publishes them (sagesafe sets `publish_cloudwatch_metrics` " +
	"to `Enabled`). With `" + monitorspec.EngineScheduledProcessingJob + "` a run is a plain processing job with network " +
	"isolation forced: its container cannot call CloudWatch and nothing publishes that file; its only ways out are its S3 " +
	"output and its log, which SageMaker delivers to `" + monitorspec.LogGroup + "`, and sagesafe uses the log. The container must therefore print, per run and per feature, " +
	"one JSON line on stdout:\n\n" +
	"```json\n" + monitorspec.LogLine{Monitor: "<name>", Endpoint: "<endpoint_name>", Feature: "<feature>", BaselineDrift: 0.12, Data: 1000}.String() +
	"\n```\n\n" +
	"`sagesafe_monitor` and `endpoint` are the run's environment variables `" + monitorspec.EnvMonitor + "` and `" +
	monitorspec.EnvEndpoint + "`, `baseline_drift` the feature's distance from the baseline (what Model Monitor publishes as " +
	"`feature_baseline_drift_<feature>`), `data` the number of values analysed (`feature_data_<feature>`). sagesafe puts metric " +
	"filters on `" + monitorspec.LogGroup + "` (`" + monitorspec.FilterPrefix("<name>") + "drift-<feature>` per feature and `" +
	monitorspec.FilterPrefix("<name>") + "data-<first feature>`) whose JSON patterns admit only lines of this monitor, endpoint and " +
	"feature and whose metrics have the names, namespace and dimensions the alarms watch, so the alarms are the same for both " +
	"engines. **SageMaker's own analyzer image does not print these lines**: with this engine `image` is your analyzer or a thin " +
	"wrapper image around SageMaker's that runs the analyzer with the same environment, then reads what it wrote (the metrics " +
	"file under `/opt/ml/output/metrics/cloudwatch`, which it writes when `publish_cloudwatch_metrics` is `Enabled` and the " +
	"baseline's `constraints.json` has `emit_metrics` `Enabled`, or `statistics.json` and `constraint_violations.json` under " +
	"`/opt/ml/processing/resultdata`) and prints one line per feature. A run that prints nothing trips the silent alarm. The " +
	"filters count against the log group's quota of 100 metric filters (features + 1 per monitor, one more with `model_quality`). A refresh lists a filter " +
	"deleted or changed outside Terraform in `drift`, the next apply restores it, a removed feature's filter is deleted, and " +
	"destroy deletes them all (the log group stays: other jobs log to it).\n\n" +
	"**Model quality, where ground truth is given** (`model_quality`, engine `" + monitorspec.EngineScheduledProcessingJob +
	"`; refused with `" + monitorspec.EngineModelMonitor + "`, whose ModelQuality schedules sagesafe does not make: Model Monitor " +
	"is closed to new customers, and an account that has it gets model quality from a second `sagesafe_model_monitor` of the " +
	"same endpoint on the default engine): each run also gets the ground truth as input `" + monitorspec.GroundTruthInputName + "` at `" +
	monitorspec.GroundTruthDir + "` (checked like the baseline locations) and the environment variables `" + monitorspec.EnvProblemType +
	"`, `" + monitorspec.EnvQualityMetric + "`, `" + monitorspec.EnvGroundTruthSource + "` and, when set, `" +
	monitorspec.EnvInferenceAttribute + "` and `" + monitorspec.EnvProbabilityAttribute + "`; the container must print one more line " +
	"per run:\n\n```json\n" + monitorspec.QualityLine{Monitor: "<name>", Endpoint: "<endpoint_name>", Metric: "<metric>", Value: 0.87}.String() +
	"\n```\n\nThe metric filter `" + monitorspec.FilterPrefix("<name>") + "quality-<metric>` turns it into `<metric>` in `" +
	alarms.QualityNamespace + "` (the SageMaker Python SDK's model-quality namespace, with the dimensions above; as for data quality " +
	"the sources disagree on names, and this one is not confirmed by a live run), and the alarm `" + alarms.MonitorQuality +
	"` fires when a period's Minimum of a score (accuracy, f1, auc, r2, ...) is below `threshold` or its Maximum of an error (mae, mse, " +
	"rmse, false rates) above it, missing data not breaching (the silent alarm covers runs that print nothing). Removing the block " +
	"deletes the alarm and the filter and the runs stop reading the ground truth.\n\n" +
	"**Capture must be on (SS-MON-7):** the endpoint must capture its requests (capture option Input), a share of them above 0%, " +
	"to an `s3://` destination under a KMS key. A plan or apply is refused before anything is created when it does not; a refresh " +
	"that finds capture turned off later drops SS-MON-7 from `controls` with a warning. The runs read the captures, so the capture " +
	"bucket is one of the monitor's inputs and is judged like the baseline's: a TLS-only bucket of this account that exists " +
	"(SS-TLS-2, SS-DATA-1/2).\n\n" +
	"**Alarms.** Per feature, `feature_baseline_drift_<feature>` (namespace `" + alarms.MonitorNamespace + "`, dimensions " +
	"`Endpoint` and `MonitoringSchedule` = `name`) above `drift_threshold` in a schedule period, missing data not breaching. " +
	"Sources disagree on the namespace (a Model Monitor guide page names `/aws/sagemaker/Endpoints/data-metric` with " +
	"`EndpointName`/`ScheduleName`); sagesafe uses the SageMaker Python SDK's for both engines. And a *silent* alarm: fewer than one " +
	"`feature_data_<first feature>` datapoint for two schedule periods, missing data breaching. CloudWatch has no metric for " +
	"a failed monitoring execution: a run that failed, never started (schedule deleted or disabled, scheduler role broken) or " +
	"published nothing looks exactly like this, so this alarm is how a broken monitor is noticed. Hence at least one feature " +
	"is required.\n\n" +
	"**What the metrics can prove, and what they cannot.** A metric filter matches log lines, not who wrote them: any processing " +
	"job of this account and region logs to `" + monitorspec.LogGroup + "`, so a job whose container prints a line naming this " +
	"monitor and endpoint feeds this monitor's metrics (it could report low drift, or keep the silent alarm quiet). Who may start " +
	"processing jobs is therefore part of the monitor's integrity: grant `sagemaker:CreateProcessingJob` only to roles scoped by " +
	"job name, like the scheduler role. That role may start jobs named `<name>-*`, which also matches the run names of a monitor " +
	"named `<name>-<more>`: name monitors so that none is another's name followed by `-` when their roles must be kept apart " +
	"(Scheduler does not document the execution ID's length, so the pattern cannot be narrower).\n\n" +
	"**Drift.** A schedule changed outside Terraform (its expression, target, role, input, state, or a start date, end date or " +
	"time zone other than UTC set on it) is listed in `drift` and " +
	"restored by the next apply, a deleted schedule is created again, and deleted or changed alarms and metric filters are put back. " +
	"**Lost answers.** The schedule is created with a `ClientToken` (Scheduler engine) and carries a creation token in its " +
	"description (schedules take no tags); the Model Monitor schedule carries `" + idem.TokenTag + "`. A retried create finds " +
	"its own object by the token; any other object of the name is refused. Destroy deletes the schedule, the alarms and the metric filters; runs " +
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
			Computed: true,
			MarkdownDescription: "With `" + monitorspec.EngineScheduledProcessingJob + "`: the role EventBridge Scheduler " +
				"assumes to start the runs. **Leave it out** and sagesafe creates `<name>-scheduler` for this monitor: trusted only by " +
				"`" + monitorspec.SchedulerPrincipal + "` for this account and this schedule (`aws:SourceAccount`, `aws:SourceArn`), " +
				"allowed only `sagemaker:CreateProcessingJob` of this monitor's runs (`<name>-*`) with network isolation, " +
				"inter-container encryption, `vpc` and `kms_key_arn` required as IAM conditions, `sagemaker:AddTags` on them, and " +
				"`iam:PassRole` of `role_arn` to SageMaker; kept so on every apply and deleted with the monitor. A role you give must " +
				"be trusted only by `" + monitorspec.SchedulerPrincipal + "` with `aws:SourceAccount` = this account, hold no managed " +
				"policy, and allow only `sagemaker:CreateProcessingJob`, `sagemaker:AddTags` and `iam:PassRole` of `role_arn`; " +
				"sagesafe reads it from IAM and refuses it otherwise.",
			Validators: []validator.String{validators.ARN("iam")},
		},
		"scheduler_role_managed": schema.BoolAttribute{
			Computed:            true,
			MarkdownDescription: "Whether sagesafe created the scheduler role for this monitor (`scheduler_role_arn` left out).",
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
			MarkdownDescription: "The analyzer image, pinned by digest (SS-SUP-1). With `" + monitorspec.EngineModelMonitor + "`: " +
				"SageMaker's `sagemaker-model-monitor-analyzer` for the region (its registry account must be in `allowed_image_accounts` " +
				"when that is set), or your own. With `" + monitorspec.EngineScheduledProcessingJob + "`: an image that prints the " +
				"metric lines of the resource's container contract (your analyzer, or a wrapper around SageMaker's); SageMaker's " +
				"analyzer alone publishes nothing there.",
			Validators: []validator.String{stringvalidator.LengthBetween(1, 255)},
		},
		"instance_type": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "Instance type of each run, such as `ml.m5.xlarge` (SS-GOV-2).",
			Validators:          []validator.String{stringvalidator.RegexMatches(validators.InstanceTypeRegexp, "must be a SageMaker instance type such as ml.m5.xlarge")},
		},
		"instance_count": schema.Int64Attribute{
			Optional: true, Computed: true, Default: int64default.StaticInt64(sagemakerjob.DefaultInstanceCount),
			MarkdownDescription: fmt.Sprintf("Instances of each run. Default %d.", sagemakerjob.DefaultInstanceCount),
			Validators:          []validator.Int64{int64validator.Between(1, sagemakerjob.MaxInstanceCount)},
		},
		"volume_size_gb": schema.Int64Attribute{
			Optional: true, Computed: true, Default: int64default.StaticInt64(sagemakerjob.DefaultVolumeSizeGB),
			MarkdownDescription: fmt.Sprintf("ML storage volume of each instance, in GB, encrypted with `kms_key_arn` (SS-ENC-2). Default %d.", sagemakerjob.DefaultVolumeSizeGB),
			Validators:          []validator.Int64{int64validator.Between(1, sagemakerjob.MaxVolumeSizeGB)},
		},
		"kms_key_arn": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Must be set: without it the plan is refused with SS-KMS-1 (optional in the schema only so that the refusal " +
				"names the control and its fix). Customer-managed key (CMK), enabled and " +
				"rotating, on every run's volume and output (SS-ENC-1/2).",
			Validators: []validator.String{validators.KMSKey()},
		},
		"max_runtime_seconds": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Must be set: without it the plan is refused with SS-GOV-3 (optional in the schema only so that the refusal " +
				"names the control and its fix). SageMaker stops a run after this many seconds; at most the provider's " +
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
				listvalidator.ValueStringsAre(stringvalidator.RegexMatches(featureRegexp, "must be 1-100 letters, digits, '_' or '.' (no '-': alarm names join on it)"),
					// The alarm of feature "silent" would be named as another
					// monitor's silent alarm, and "quality" as its quality alarm.
					stringvalidator.NoneOf("silent", "quality"))},
		},
		"drift_threshold": schema.Float64Attribute{
			Required: true,
			MarkdownDescription: "Alarm when a feature's `feature_baseline_drift_<feature>` exceeds this distance from the baseline " +
				"(the analyzer's distance, 0 to 1; below 1, or the alarm could never fire). Updated in place.",
			Validators: []validator.Float64{float64validator.Between(0.0001, 0.99)},
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
		"id": shared.IDAttribute("The import ID: `name` for the `" + monitorspec.EngineScheduledProcessingJob + "` engine, `" +
			monitorspec.EngineModelMonitor + "/<name>` for the `" + monitorspec.EngineModelMonitor + "` engine."),
		"tags_all": shared.TagsAllAttribute("The runs' processing jobs' (and with `" + monitorspec.EngineModelMonitor +
			"`, the schedule's)"),
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
			MarkdownDescription: "The alarms, keyed `" + alarms.MonitorDriftPrefix + "<feature>`, `" + alarms.MonitorSilent +
				"` and, with `model_quality`, `" + alarms.MonitorQuality + "`. An alarm deleted or changed outside Terraform drops out, so the next plan restores it (SS-MON-1).",
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
