package endpoint

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// endpointModel is the resource's state and plan.
type endpointModel struct {
	ID                          types.String   `tfsdk:"id"`
	Name                        types.String   `tfsdk:"name"`
	RoleARN                     types.String   `tfsdk:"role_arn"`
	Model                       types.Object   `tfsdk:"model"`
	InstanceType                types.String   `tfsdk:"instance_type"`
	InstanceCount               types.Int64    `tfsdk:"instance_count"`
	KMSKeyARN                   types.String   `tfsdk:"kms_key_arn"`
	VPC                         types.Object   `tfsdk:"vpc"`
	DataCapture                 types.Object   `tfsdk:"data_capture"`
	Alarms                      types.Object   `tfsdk:"alarms"`
	Deployment                  types.Object   `tfsdk:"deployment"`
	Autoscaling                 types.Object   `tfsdk:"autoscaling"`
	LogRetentionDays            types.Int64    `tfsdk:"log_retention_days"`
	RetainLogsOnDestroy         types.Bool     `tfsdk:"retain_logs_on_destroy"`
	PrivateInvokeVPCEndpointIDs types.Set      `tfsdk:"private_invoke_vpc_endpoint_ids"`
	Tags                        types.Map      `tfsdk:"tags"`
	TagsAll                     types.Map      `tfsdk:"tags_all"`
	Timeouts                    timeouts.Value `tfsdk:"timeouts"`

	ARN                types.String `tfsdk:"arn"`
	Status             types.String `tfsdk:"status"`
	ModelName          types.String `tfsdk:"model_name"`
	EndpointConfigName types.String `tfsdk:"endpoint_config_name"`
	LogGroupName       types.String `tfsdk:"log_group_name"`
	AlarmNames         types.Map    `tfsdk:"alarm_names"`
	ScalingRegistered  types.Bool   `tfsdk:"autoscaling_registered"`
	InvokePolicyJSON   types.String `tfsdk:"invoke_policy_json"`
	Controls           types.List   `tfsdk:"controls"`
	ControlStates      types.Map    `tfsdk:"control_states"`
}

type modelSpecModel struct {
	Image          types.String `tfsdk:"image"`
	ModelDataS3URI types.String `tfsdk:"model_data_s3_uri"`
	Environment    types.Map    `tfsdk:"environment"`
}

type vpcModel struct {
	SubnetIDs        types.Set `tfsdk:"subnet_ids"`
	SecurityGroupIDs types.Set `tfsdk:"security_group_ids"`
}

type dataCaptureModel struct {
	Enabled            types.Bool   `tfsdk:"enabled"`
	S3URI              types.String `tfsdk:"s3_uri"`
	SamplingPercentage types.Int64  `tfsdk:"sampling_percentage"`
	Capture            types.String `tfsdk:"capture"`
}

type alarmsModel struct {
	Actions                  types.List    `tfsdk:"actions"`
	ErrorRate5XX             types.Float64 `tfsdk:"error_rate_5xx"`
	ErrorRate4XX             types.Float64 `tfsdk:"error_rate_4xx"`
	ModelLatencyP99Ms        types.Int64   `tfsdk:"model_latency_p99_ms"`
	CPUUtilizationPercent    types.Float64 `tfsdk:"cpu_utilization_percent"`
	MemoryUtilizationPercent types.Float64 `tfsdk:"memory_utilization_percent"`
	DiskUtilizationPercent   types.Float64 `tfsdk:"disk_utilization_percent"`
	AnomalyBandWidth         types.Float64 `tfsdk:"anomaly_band_width"`
}

type deploymentModel struct {
	Strategy               types.String `tfsdk:"strategy"`
	CanaryPercent          types.Int64  `tfsdk:"canary_percent"`
	LinearStepPercent      types.Int64  `tfsdk:"linear_step_percent"`
	BakeSeconds            types.Int64  `tfsdk:"bake_seconds"`
	TerminationWaitSeconds types.Int64  `tfsdk:"termination_wait_seconds"`
	MaxExecutionSeconds    types.Int64  `tfsdk:"max_execution_seconds"`
}

// objectAsOptions turns a null or unknown object into the zero struct (every
// field null), so callers only need to look at the fields.
var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// nested reads the nested objects of m. A null or unknown object gives a
// struct whose fields are null; callers that need to tell unknown apart
// check the object itself.
type nestedModels struct {
	Model       modelSpecModel
	VPC         vpcModel
	DataCapture dataCaptureModel
	Alarms      alarmsModel
	Deployment  deploymentModel
	Autoscaling autoscalingModel
}

type autoscalingModel struct {
	MinCapacity             types.Int64   `tfsdk:"min_capacity"`
	MaxCapacity             types.Int64   `tfsdk:"max_capacity"`
	TargetInvocations       types.Float64 `tfsdk:"target_invocations_per_instance"`
	ScaleInCooldownSeconds  types.Int64   `tfsdk:"scale_in_cooldown_seconds"`
	ScaleOutCooldownSeconds types.Int64   `tfsdk:"scale_out_cooldown_seconds"`
}

func (m *endpointModel) nested(ctx context.Context) (n nestedModels, diags diag.Diagnostics) {
	diags.Append(m.Model.As(ctx, &n.Model, objectAsOptions)...)
	diags.Append(m.VPC.As(ctx, &n.VPC, objectAsOptions)...)
	diags.Append(m.DataCapture.As(ctx, &n.DataCapture, objectAsOptions)...)
	diags.Append(m.Alarms.As(ctx, &n.Alarms, objectAsOptions)...)
	diags.Append(m.Deployment.As(ctx, &n.Deployment, objectAsOptions)...)
	diags.Append(m.Autoscaling.As(ctx, &n.Autoscaling, objectAsOptions)...)
	return n, diags
}

// Tags reserved for sagesafe: every object the resource makes carries
// ownerTagKey = <endpoint name>, which says which endpoint it belongs to (a
// tag anyone can copy: it proves nothing); every model, endpoint
// configuration and endpoint it creates carries idem.TokenTag = its
// creation token (see nameKey), the proof that this resource created it.
const (
	ownerTagPrefix = "sagesafe:"
	ownerTagKey    = ownerTagPrefix + "endpoint"
)

func reservedKey(k string) bool {
	return shared.IsAWSTag(k) || strings.HasPrefix(k, ownerTagPrefix)
}

type reservedTagKey struct{}

func (reservedTagKey) Description(context.Context) string {
	return "must not start with aws: or " + ownerTagPrefix
}

func (v reservedTagKey) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (reservedTagKey) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if reservedKey(req.ConfigValue.ValueString()) {
		resp.Diagnostics.AddAttributeError(req.Path, "Reserved tag key",
			"Tag keys starting with aws: are reserved by AWS, and keys starting with "+ownerTagPrefix+" by sagesafe.")
	}
}
