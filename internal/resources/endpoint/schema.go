package endpoint

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"time"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/schemautil"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// Defaults and limits, shared by the schema, its validators, the code and
// the docs. The deployment ranges are SageMaker's (BlueGreenUpdatePolicy).
const (
	DefaultInstanceCount      = 2
	DefaultLogRetentionDays   = 365
	DefaultSamplingPercentage = 100
	DefaultCapture            = captureBoth

	DefaultErrorRate5XX      = 0.05
	DefaultErrorRate4XX      = 0.10
	DefaultLatencyP99Millis  = 1000
	DefaultUtilizationPctMax = 90

	DefaultStrategy    = strategyAllAtOnce
	DefaultBakeSeconds = 300

	MaxBakeSeconds            = 3600
	MaxTerminationWaitSeconds = 3600
	MinMaxExecutionSeconds    = 600
	MaxMaxExecutionSeconds    = 28800
	MinCanaryPercent          = 1
	MaxCanaryPercent          = 50
	MinLinearStepPercent      = 10
	MaxLinearStepPercent      = 50

	// hashLen is the length of the spec hash in model and config names.
	hashLen = 8
	// MaxNameLength keeps "<name>-<hash>" within SageMaker's 63 characters.
	MaxNameLength = 63 - 1 - hashLen

	// VariantName is the one production variant.
	VariantName = "AllTraffic"
	// LogGroupPrefix is where SageMaker writes endpoint logs.
	LogGroupPrefix = "/aws/sagemaker/Endpoints/"
)

const (
	strategyAllAtOnce = "all_at_once"
	strategyCanary    = "canary"
	strategyLinear    = "linear"

	captureInput  = "input"
	captureOutput = "output"
	captureBoth   = "both"
)

var (
	strategies   = []string{strategyAllAtOnce, strategyCanary, strategyLinear}
	captureModes = []string{captureInput, captureOutput, captureBoth}

	nameRE = regexp.MustCompile(fmt.Sprintf(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,%d}$`, MaxNameLength-1))
	vpceRE = regexp.MustCompile(`^vpce-[0-9a-f]{8,17}$`)
)

// Attribute types of the nested objects.
var (
	modelAttrTypes = map[string]attr.Type{
		"image":             types.StringType,
		"model_data_s3_uri": types.StringType,
		"environment":       types.MapType{ElemType: types.StringType},
	}
	vpcAttrTypes = map[string]attr.Type{
		"subnet_ids":         types.SetType{ElemType: types.StringType},
		"security_group_ids": types.SetType{ElemType: types.StringType},
	}
	dataCaptureAttrTypes = map[string]attr.Type{
		"enabled":             types.BoolType,
		"s3_uri":              types.StringType,
		"sampling_percentage": types.Int64Type,
		"capture":             types.StringType,
	}
	alarmsAttrTypes = map[string]attr.Type{
		"actions":                    types.ListType{ElemType: types.StringType},
		"error_rate_5xx":             types.Float64Type,
		"error_rate_4xx":             types.Float64Type,
		"model_latency_p99_ms":       types.Int64Type,
		"cpu_utilization_percent":    types.Float64Type,
		"memory_utilization_percent": types.Float64Type,
		"disk_utilization_percent":   types.Float64Type,
		"anomaly_band_width":         types.Float64Type,
	}
	deploymentAttrTypes = map[string]attr.Type{
		"strategy":                 types.StringType,
		"canary_percent":           types.Int64Type,
		"linear_step_percent":      types.Int64Type,
		"bake_seconds":             types.Int64Type,
		"termination_wait_seconds": types.Int64Type,
		"max_execution_seconds":    types.Int64Type,
	}
)

func defaultDataCapture() types.Object {
	return types.ObjectValueMust(dataCaptureAttrTypes, map[string]attr.Value{
		"enabled":             types.BoolValue(false),
		"s3_uri":              types.StringNull(),
		"sampling_percentage": types.Int64Value(DefaultSamplingPercentage),
		"capture":             types.StringValue(DefaultCapture),
	})
}

func defaultAlarms() types.Object {
	return types.ObjectValueMust(alarmsAttrTypes, map[string]attr.Value{
		"actions":                    types.ListNull(types.StringType),
		"error_rate_5xx":             types.Float64Value(DefaultErrorRate5XX),
		"error_rate_4xx":             types.Float64Value(DefaultErrorRate4XX),
		"model_latency_p99_ms":       types.Int64Value(DefaultLatencyP99Millis),
		"cpu_utilization_percent":    types.Float64Value(DefaultUtilizationPctMax),
		"memory_utilization_percent": types.Float64Value(DefaultUtilizationPctMax),
		"disk_utilization_percent":   types.Float64Value(DefaultUtilizationPctMax),
		"anomaly_band_width":         types.Float64Value(alarms.DefaultBandWidth),
	})
}

func defaultDeployment() types.Object {
	return types.ObjectValueMust(deploymentAttrTypes, map[string]attr.Value{
		"strategy":                 types.StringValue(DefaultStrategy),
		"canary_percent":           types.Int64Null(),
		"linear_step_percent":      types.Int64Null(),
		"bake_seconds":             types.Int64Value(DefaultBakeSeconds),
		"termination_wait_seconds": types.Int64Value(0),
		"max_execution_seconds":    types.Int64Null(),
	})
}

func retentionChoices() string {
	parts := make([]string, len(loggroup.ValidRetentionDays))
	for i, d := range loggroup.ValidRetentionDays {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, ", ")
}

// endpointSchema is the resource schema: the configuration, then what it
// computes.
func endpointSchema(ctx context.Context) schema.Schema {
	attrs := map[string]schema.Attribute{
		"name": schema.StringAttribute{
			Required: true,
			MarkdownDescription: fmt.Sprintf("Endpoint name, 1 to %d letters, digits and hyphens (SageMaker's 63 less the `-<hash>` suffix "+
				"of the generated model and configuration names). Changing it replaces the endpoint.", MaxNameLength),
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators: []validator.String{stringvalidator.RegexMatches(nameRE,
				fmt.Sprintf("must be 1 to %d letters, digits and hyphens, starting and ending with a letter or digit", MaxNameLength))},
		},
		"role_arn": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Execution role SageMaker assumes to pull the image and model artifacts. Its trust policy must " +
				"trust only SageMaker, with `aws:SourceAccount`/`aws:SourceArn` conditions that name this account and region " +
				"(SS-IAM-1), and its inline and attached managed policies must not grant broad permissions (SS-IAM-2).",
			Validators: []validator.String{validators.ARN("iam")},
		},
		"model": modelAttribute(),
		"instance_type": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Instance type, e.g. `ml.m5.xlarge` (SS-GOV-2 checks it against `guardrails.allowed_instance_types`). " +
				"Types with local NVMe storage (`ml.g5.*`, `ml.p4d.*`, `ml.m5d.*`, ...) get no volume key (SS-ENC-2).",
			Validators: []validator.String{stringvalidator.RegexMatches(validators.InstanceTypeRegexp, "must be a SageMaker instance type such as ml.m5.xlarge")},
		},
		"instance_count": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(DefaultInstanceCount),
			MarkdownDescription: fmt.Sprintf("Initial instance count, default %d: at least `min_endpoint_instances` (SS-AVL-1), so the "+
				"endpoint survives the loss of an instance or a zone, and at most `max_endpoint_instances` (SS-AVL-2). An autoscaled count is kept across updates; changing this "+
				"attribute sets the count again. Without `autoscaling` a refresh reads the count the variant runs: a count set outside "+
				"Terraform (UpdateEndpointWeightsAndCapacities) shows as a diff, and the next apply sets it back.", DefaultInstanceCount),
			Validators: []validator.Int64{int64validator.AtLeast(1)},
		},
		"kms_key_arn": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Customer-managed KMS key, enabled, symmetric, in this region and rotating (SS-KMS-1, SS-KMS-2). " +
				"Encrypts the ML storage volume (SS-ENC-2, except for NVMe instance types), data capture (SS-ENC-4) and the " +
				"log group (SS-ENC-5). There is no way to turn it off.",
			Validators: []validator.String{validators.KMSKey()},
		},
		"vpc":          vpcAttribute(),
		"data_capture": dataCaptureAttribute(),
		"alarms":       alarmsAttribute(),
		"deployment":   deploymentAttribute(),
		"autoscaling":  autoscalingAttribute(),
		"log_retention_days": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(DefaultLogRetentionDays),
			MarkdownDescription: fmt.Sprintf("Retention of the log group in days, at least `min_log_retention_days` (SS-MON-3). "+
				"One of %s. Default %d.", retentionChoices(), DefaultLogRetentionDays),
			Validators: []validator.Int64{int64validator.OneOf(loggroup.ValidRetentionDays...)},
		},
		"retain_logs_on_destroy": schema.BoolAttribute{
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(true),
			MarkdownDescription: "Keep the log group (and its retention) when the endpoint is destroyed, or when its creation fails. Default true.",
		},
		"private_invoke_vpc_endpoint_ids": schema.SetAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "Interface VPC endpoints of `sagemaker.runtime`: when set, `invoke_policy_json` allows invoking the " +
				"endpoint only through them (`aws:SourceVpce`).",
			Validators: []validator.Set{
				setvalidator.SizeAtLeast(1),
				setvalidator.ValueStringsAre(stringvalidator.RegexMatches(vpceRE, "must be a VPC endpoint ID (vpce-...)")),
			},
		},
		"tags": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "Tags for the endpoint, its model and configuration, the alarms and the log group, merged over the " +
				"provider's `default_tags` (SS-GOV-1). Keys starting with `aws:` or `" + ownerTagPrefix + "` are reserved.",
			Validators: []validator.Map{mapvalidator.KeysAre(reservedTagKey{})},
		},
	}
	maps.Copy(attrs, computedAttributes())
	return schema.Schema{
		MarkdownDescription: resourceDescription,
		Attributes:          attrs,
		Blocks: map[string]schema.Block{
			"timeouts": schemautil.TimeoutsBlock(ctx, timeoutOpts, "Bounds for the waits of create, update and delete, as Go durations (`45m`, `2h`). Each is a limit, not a sleep."),
		},
	}
}

// resourceDescription is the resource's documentation: what it creates, how it
// updates, the guardrails it enforces and how it is destroyed.
var resourceDescription = "A secure real-time SageMaker inference endpoint as one object: an encrypted log group, the model, " +
	"the endpoint configuration, CloudWatch alarms and the endpoint, with guarded blue/green updates.\n\n" +
	"**What it creates, in order.** (1) The log group `" + LogGroupPrefix + "<name>`, encrypted with `kms_key_arn` (by " +
	"its key ARN, which is what CloudWatch Logs takes: an alias or key ID is resolved) and with retention, before " +
	"SageMaker would create it unencrypted. (2) A model `<name>-<hash>` in your VPC with " +
	"network isolation. (3) An endpoint configuration `<name>-<hash>` with one variant `" + VariantName + "`, the CMK " +
	"on the ML storage volume (left out for instance types with local NVMe storage, which are encrypted in hardware) " +
	"and on data capture. `<hash>` is a short hash of the model and variant settings keyed with a random salt only this " +
	"resource knows, so any change to them rolls the endpoint forward by itself while the name reveals nothing of them; " +
	"both objects carry this resource's creation token, and an existing object of the name without it, or with other " +
	"settings than the plan's, is refused, never used. (4) Alarms on 5XX and 4XX error rates, p99 model latency and CPU, memory and " +
	"disk utilization, and anomaly-detection alarms on invocations and average model latency (SS-MON-6). (5) The endpoint, " +
	"waiting until it is `InService`; if it fails, SageMaker's `FailureReason` is returned and what the apply created is " +
	"removed. (6) With `autoscaling`, the variant's scalable target and target-tracking policy.\n\n" +
	"**Updates.** A changed model or variant creates a new model and configuration and calls `UpdateEndpoint` with " +
	"a blue/green `DeploymentConfig` (all at once, canary or linear, with a baking period) whose automatic rollback " +
	"is wired to the endpoint's own 5XX and latency alarms, and with `RetainAllVariantProperties`, so an autoscaled " +
	"instance count is kept (unless you change `instance_count`). After the update the endpoint's live " +
	"configuration is compared with the new one: if SageMaker rolled back, the apply fails with the reason and the " +
	"state keeps describing what really serves. The old model and configuration are deleted only once the switch " +
	"is confirmed. Alarm thresholds and actions, tags and log retention change in place.\n\n" +
	"**Guardrails.** Network isolation, the VPC and the customer-managed key cannot be turned off. The plan is " +
	"refused, with the control ID, for public subnets, security groups open to the internet, a single Availability " +
	"Zone, fewer instances than `min_endpoint_instances` or more than `max_endpoint_instances`, AWS managed or non-rotating keys, roles that others can " +
	"assume, and images not in ECR. Every refresh re-checks the live objects, every production and shadow variant " +
	"of the serving configuration with its model included: an out-of-band change (a configuration without a key, a " +
	"model without isolation, a further variant or a shadow variant whose model is outside the VPC, a deleted or " +
	"muted alarm, an unencrypted log group, an instance count, scalable target, scaling policy or scheduled action set outside " +
	"Terraform) shows as a diff with a warning naming the control, and the next apply " +
	"restores the secure state.\n\n" +
	"**Destroy** deletes the endpoint, waits until it is gone and its network interfaces are released (so a network " +
	"destroyed in the same run does not fail with `DependencyViolation`), then the models and configurations this " +
	"resource made, the alarms, and the log group unless `retain_logs_on_destroy`."

// computedAttributes are the values the resource reports.
func computedAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The endpoint name.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"tags_all": shared.TagsAllAttribute("The endpoint's (and its model's, configuration's, alarms' and log group's)"),
		"arn": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Endpoint ARN.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"status": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Endpoint status as of the last refresh (`InService` after a successful apply).",
		},
		"model_name": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "Name of the model serving now: `<name>-<hash>`, the hash keyed with a random salt this resource keeps in its private state, " +
				"so that the name reveals nothing of the settings (the `environment` included) and nobody can create an object of that name first. " +
				"Known after apply for a new endpoint; it changes when a setting of the model or variant does. sagesafe uses an existing model or configuration " +
				"of that name only if it carries this resource's creation token (tag `" + idem.TokenTag + "`) and the plan's settings, " +
				"and a destroy deletes only the models and configurations that carry it. When a create finds the endpoint's `name` taken by an " +
				"endpoint that an apply killed before it saved the state left (it carries a creation token and `" + ownerTagKey + " = <name>`, and " +
				"serves a `<name>-<hash>` version whose configuration and model have exactly the planned settings), it takes that endpoint and " +
				"version up instead of failing; any other endpoint of that name is refused.",
		},
		"endpoint_config_name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Name of the endpoint configuration serving now: the same as `model_name`.",
		},
		"log_group_name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The endpoint's log group, `" + LogGroupPrefix + "<name>` (empty when it is missing).",
		},
		"alarm_names": schema.MapAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: fmt.Sprintf("Alarm name by kind (%s, and %s with `autoscaling`) for every alarm that exists as specified; "+
				"a missing or altered alarm drops out of the map, which shows as a diff.",
				shared.Backticked(alarms.EndpointKinds()), shared.Backticked(alarms.EndpointScalingKinds())),
		},
		"autoscaling_registered": schema.BoolAttribute{
			Computed: true,
			MarkdownDescription: "Whether the variant's scalable target and sagesafe's scaling policy exist as `autoscaling` says " +
				"(false without `autoscaling`). A target or policy removed outside Terraform, or a scaling policy or scheduled action " +
				"sagesafe did not make, or suspended scaling, turns it false, which shows as a diff; the next apply registers them " +
				"again, deletes the others and resumes scaling. Without `autoscaling`, a target registered outside Terraform turns it " +
				"true (a diff): the next apply deletes its policies and scheduled actions and deregisters it (SS-AVL-2).",
		},
		"invoke_policy_json": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "IAM policy allowing `sagemaker:InvokeEndpoint` (and the streaming variant) on this endpoint only, " +
				"and only through `private_invoke_vpc_endpoint_ids` when set. Attach it to the callers' roles.",
		},
		"controls": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "IDs of the guardrail controls the endpoint satisfies, as of the last refresh. A control that " +
				"drops out because something the endpoint manages was weakened outside Terraform (its log group, alarms, model or " +
				"configuration) shows as a diff, and the next apply restores it. A control that fails on what the endpoint was given " +
				"(its subnets, security groups, key or role) drops out with a warning naming it: sagesafe refuses to create, change " +
				"or replace the endpoint until that is fixed, but a plan that leaves the endpoint unchanged goes on, so the fix can be applied." + guardrail.ControlsHeldNote,
		},
		"control_states": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: guardrail.ControlStatesDescription,
		},
	}
}

// modelAttribute is the model container.
func modelAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Required:            true,
		MarkdownDescription: "The model container.",
		Attributes: map[string]schema.Attribute{
			"image": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Inference image: an Amazon ECR URI, from `guardrails.allowed_image_accounts` when set, " +
					"pinned by digest (`@sha256:...`; a tag is a warning) (SS-SUP-1).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"model_data_s3_uri": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "`s3://` URI of the model artifacts (`model.tar.gz`) (SS-TLS-2); the bucket should default to " +
					"SSE-KMS and deny plaintext transport (SS-DATA-1).",
			},
			"environment": schema.MapAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Environment variables of the container. Sensitive: kept out of plan output and logs.",
				Validators:          []validator.Map{mapvalidator.SizeAtMost(100)},
			},
		},
	}
}

// vpcAttribute is where the instances run.
func vpcAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Required:            true,
		MarkdownDescription: "Where the endpoint's instances run. Required: there is no endpoint outside a VPC (SS-NET-1).",
		Attributes: map[string]schema.Attribute{
			"subnet_ids": schema.SetAttribute{
				ElementType: types.StringType,
				Required:    true,
				MarkdownDescription: "Private subnets (no default route other than local and no route to an internet, egress-only or NAT gateway, SS-NET-2) in at least two Availability Zones " +
					"(SS-NET-5), ideally routed to S3 through a gateway endpoint (SS-NET-6).",
				Validators: []validator.Set{
					setvalidator.SizeBetween(1, 16),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(validators.SubnetIDRegexp, "must be a subnet ID (subnet-...)")),
				},
			},
			"security_group_ids": schema.SetAttribute{
				ElementType:         types.StringType,
				Required:            true,
				MarkdownDescription: "Security groups with no ingress from a public address range or prefix list (SS-NET-3; egress to public addresses is a warning).",
				Validators: []validator.Set{
					setvalidator.SizeBetween(1, 5),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(validators.SecurityGroupIDRegexp, "must be a security group ID (sg-...)")),
				},
			},
		},
	}
}

// dataCaptureAttribute is the capture of requests and responses to S3.
func dataCaptureAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:            true,
		Computed:            true,
		Default:             objectdefault.StaticValue(defaultDataCapture()),
		MarkdownDescription: "Capture of requests and responses to S3, always encrypted with `kms_key_arn` (SS-ENC-4). Off by default.",
		Attributes: map[string]schema.Attribute{
			"enabled": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: "Capture requests and responses. Default false.",
			},
			"s3_uri": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "`s3://` destination of the captured data; required when `enabled`.",
			},
			"sampling_percentage": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(DefaultSamplingPercentage),
				MarkdownDescription: fmt.Sprintf("Percentage of requests captured, 1 to 100. Default %d.", DefaultSamplingPercentage),
				Validators:          []validator.Int64{int64validator.Between(1, 100)},
			},
			"capture": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(DefaultCapture),
				MarkdownDescription: fmt.Sprintf("What is captured: %s. Default `%s`.", shared.Backticked(captureModes), DefaultCapture),
				Validators:          []validator.String{stringvalidator.OneOf(captureModes...)},
			},
		},
	}
}

// alarmsAttribute is the alarms' actions and thresholds. Each threshold is
// checked against its metric's real range and the alarm's comparison
// (alarms.ThresholdOf), so an alarm that can never fire is refused.
func alarmsAttribute() schema.SingleNestedAttribute {
	rule := func(kind string) (alarms.Threshold, validators.Number) {
		r := alarms.ThresholdOf(kind)
		return r, validators.NumberFunc("must be "+r.Accepted(), r.Check)
	}
	threshold := func(kind, desc string, def float64) schema.Float64Attribute {
		r, v := rule(kind)
		return schema.Float64Attribute{
			Optional:            true,
			Computed:            true,
			Default:             float64default.StaticFloat64(def),
			MarkdownDescription: fmt.Sprintf("%s %s Default %g.", desc, r.Doc(), def),
			Validators:          []validator.Float64{v},
		}
	}
	latency, latencyValidator := rule(alarms.EndpointModelLatencyP99)
	return schema.SingleNestedAttribute{
		Optional:            true,
		Computed:            true,
		Default:             objectdefault.StaticValue(defaultAlarms()),
		MarkdownDescription: "Alarm actions, thresholds and the anomaly band width (SS-MON-1/2/6). The alarms always exist with actions enabled; changes apply in place. A threshold its metric can never cross is refused (SS-MON-1).",
		Attributes: map[string]schema.Attribute{
			"actions": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "SNS topic ARNs notified by every alarm. Default: the provider's `alarm_actions`. An alarm " +
					"without actions is a warning, or an error with `guardrails.require_alarm_actions` (SS-MON-2).",
				Validators: []validator.List{
					listvalidator.SizeBetween(1, 5),
					listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(validators.ARN("sns")),
				},
			},
			"error_rate_5xx": threshold(alarms.EndpointErrorRate5XX,
				"Share of invocations failing with 5XX above which the alarm fires after 5 minutes, and a blue/green update rolls back.",
				DefaultErrorRate5XX),
			"error_rate_4xx": threshold(alarms.EndpointErrorRate4XX,
				"Share of invocations rejected with 4XX above which the alarm fires after 15 minutes.", DefaultErrorRate4XX),
			"model_latency_p99_ms": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(DefaultLatencyP99Millis),
				MarkdownDescription: fmt.Sprintf("p99 model latency in milliseconds above which the alarm fires after 5 minutes, and a "+
					"blue/green update rolls back. %s The container must answer within 60 seconds; the metric is in microseconds. Default %d.",
					latency.Doc(), DefaultLatencyP99Millis),
				Validators: []validator.Int64{latencyValidator},
			},
			"cpu_utilization_percent": threshold(alarms.EndpointCPU,
				"CPU utilization, as a percentage of the whole instance (the threshold is scaled by its vCPU count).", DefaultUtilizationPctMax),
			"memory_utilization_percent": threshold(alarms.EndpointMemory, "Memory utilization percentage.", DefaultUtilizationPctMax),
			"disk_utilization_percent":   threshold(alarms.EndpointDisk, "Disk utilization percentage.", DefaultUtilizationPctMax),
			"anomaly_band_width": schema.Float64Attribute{
				Optional: true,
				Computed: true,
				Default:  float64default.StaticFloat64(alarms.DefaultBandWidth),
				MarkdownDescription: fmt.Sprintf("Width, in standard deviations, of the anomaly-detection bands (SS-MON-6) of the alarms on "+
					"invocations (fires when traffic leaves the band up or down; a 5-minute period without traffic counts as 0, so a "+
					"collapse to zero fires too) and on average model latency (fires above the band), "+
					"from %g to %g. Default %g. CloudWatch bills each anomaly alarm as three metrics and needs about two weeks "+
					"of history before the band is reliable.", alarms.MinBandWidth, alarms.MaxBandWidth, alarms.DefaultBandWidth),
				Validators: []validator.Float64{validators.NumberFunc(
					fmt.Sprintf("must be from %g to %g", alarms.MinBandWidth, alarms.MaxBandWidth), alarms.CheckBandWidth)},
			},
		},
	}
}

// autoscalingAttribute is the variant's autoscaling (SS-AVL-2).
func autoscalingAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Autoscaling of the variant with Application Auto Scaling: a scalable target between `min_capacity` and " +
			"`max_capacity` instances and a target-tracking policy on `SageMakerVariantInvocationsPerInstance`. `min_capacity` must be " +
			"at least the guardrail `min_endpoint_instances` and `max_capacity` at most `max_endpoint_instances` (SS-AVL-2), refused " +
			"at plan. The count autoscaling sets is kept across updates; an update that changes the instance type deregisters the " +
			"target first and registers it again after, as SageMaker requires. Application Auto Scaling is free; the instances it " +
			"adds are billed as usual. Without this block the endpoint runs `instance_count` instances.\n\n" +
			"With this block sagesafe also creates the alarm `at_max_instances` (in `alarm_names`, actions `alarm_actions`): the " +
			"variant ran at `max_capacity` for 15 minutes, so it costs the most it can and either the cap is too low or the traffic " +
			"is not what was planned. SageMaker publishes no instance-count metric; the alarm computes it with metric math as " +
			"`Sum(Invocations) / Sum(InvocationsPerInstance)` per 5 minutes (SageMaker sends `1/numberOfInstances` as " +
			"`InvocationsPerInstance` on each request, per the SageMaker API Reference, `ScalingPolicyMetric`) and fires at " +
			"`max_capacity - 0.5` or more. Limitation: without traffic there is no signal (missing data is not breaching). Its " +
			"threshold follows `max_capacity`; it is removed with this block. It is a standard-resolution CloudWatch alarm " +
			"(CloudWatch pricing says how an alarm over metric math is counted).",
		Attributes: map[string]schema.Attribute{
			"min_capacity": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "Fewest instances autoscaling scales in to; at least `min_endpoint_instances` (SS-AVL-2).",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"max_capacity": schema.Int64Attribute{
				Required:            true,
				MarkdownDescription: "Most instances autoscaling scales out to; at most `max_endpoint_instances` (SS-AVL-2) and at least `min_capacity`. The `at_max_instances` alarm fires when the variant sits here.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"target_invocations_per_instance": schema.Float64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             float64default.StaticFloat64(DefaultTargetInvocations),
				MarkdownDescription: fmt.Sprintf("Average invocations per instance per minute that the policy keeps the variant at. Default %g.", DefaultTargetInvocations),
				Validators:          []validator.Float64{float64validator.AtLeast(1)},
			},
			"scale_in_cooldown_seconds": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(DefaultScaleInCooldown),
				MarkdownDescription: fmt.Sprintf("Seconds after a scale-in before the next one. Default %d.", DefaultScaleInCooldown),
				Validators:          []validator.Int64{int64validator.Between(0, 3600)},
			},
			"scale_out_cooldown_seconds": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(DefaultScaleOutCooldown),
				MarkdownDescription: fmt.Sprintf("Seconds after a scale-out before the next one. Default %d.", DefaultScaleOutCooldown),
				Validators:          []validator.Int64{int64validator.Between(0, 3600)},
			},
		},
	}
}

// deploymentAttribute is how updates roll out.
func deploymentAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:            true,
		Computed:            true,
		Default:             objectdefault.StaticValue(defaultDeployment()),
		MarkdownDescription: "How updates roll out: always blue/green with automatic rollback on the endpoint's 5XX and latency alarms (SS-MON-4).",
		Attributes: map[string]schema.Attribute{
			"strategy": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(DefaultStrategy),
				MarkdownDescription: fmt.Sprintf("Traffic shifting: %s. Default `%s`.", shared.Backticked(strategies), DefaultStrategy),
				Validators:          []validator.String{stringvalidator.OneOf(strategies...)},
			},
			"canary_percent": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Share of capacity shifted first with `canary`, %d to %d. Required with `canary`.", MinCanaryPercent, MaxCanaryPercent),
				Validators:          []validator.Int64{int64validator.Between(MinCanaryPercent, MaxCanaryPercent)},
			},
			"linear_step_percent": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Share of capacity shifted per step with `linear`, %d to %d. Required with `linear`.", MinLinearStepPercent, MaxLinearStepPercent),
				Validators:          []validator.Int64{int64validator.Between(MinLinearStepPercent, MaxLinearStepPercent)},
			},
			"bake_seconds": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(DefaultBakeSeconds),
				MarkdownDescription: fmt.Sprintf("Baking period after each traffic shift, during which an alarm rolls back, 0 to %d. Default %d.", MaxBakeSeconds, DefaultBakeSeconds),
				Validators:          []validator.Int64{int64validator.Between(0, MaxBakeSeconds)},
			},
			"termination_wait_seconds": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(0),
				MarkdownDescription: fmt.Sprintf("How long the old fleet is kept after the shift, 0 to %d. Default 0.", MaxTerminationWaitSeconds),
				Validators:          []validator.Int64{int64validator.Between(0, MaxTerminationWaitSeconds)},
			},
			"max_execution_seconds": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Upper bound of the whole deployment, %d to %d; must exceed the baking periods plus "+
					"`termination_wait_seconds`. Default: SageMaker's.", MinMaxExecutionSeconds, MaxMaxExecutionSeconds),
				Validators: []validator.Int64{int64validator.Between(MinMaxExecutionSeconds, MaxMaxExecutionSeconds)},
			},
		},
	}
}

// Default waits. Endpoints routinely take 10 to 20 minutes to create, and an
// update bakes in several stages, so these are generous; each is a bound,
// not a sleep.
const (
	DefaultCreateTimeout = 60 * time.Minute
	DefaultUpdateTimeout = 90 * time.Minute
	DefaultDeleteTimeout = 30 * time.Minute
)

var timeoutOpts = timeouts.Opts{
	Create: true, Update: true, Delete: true,
	CreateDescription: fmt.Sprintf("How long creating may take, until the endpoint is `InService`, as a Go duration (`45m`, `2h`). Default `%s`.", DefaultCreateTimeout),
	UpdateDescription: fmt.Sprintf("How long an update may take, until the new configuration serves (or SageMaker rolled back). Default `%s`.", DefaultUpdateTimeout),
	DeleteDescription: fmt.Sprintf("How long deleting may take, until the endpoint and its network interfaces are gone. Default `%s`.", DefaultDeleteTimeout),
}
