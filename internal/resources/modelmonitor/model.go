package modelmonitor

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// model is the resource's state and plan.
type model struct {
	Name                   types.String  `tfsdk:"name"`
	Engine                 types.String  `tfsdk:"engine"`
	EndpointName           types.String  `tfsdk:"endpoint_name"`
	ScheduleExpression     types.String  `tfsdk:"schedule_expression"`
	SchedulerRoleARN       types.String  `tfsdk:"scheduler_role_arn"`
	SchedulerRoleManaged   types.Bool    `tfsdk:"scheduler_role_managed"`
	RoleARN                types.String  `tfsdk:"role_arn"`
	Image                  types.String  `tfsdk:"image"`
	InstanceType           types.String  `tfsdk:"instance_type"`
	InstanceCount          types.Int64   `tfsdk:"instance_count"`
	VolumeSizeGB           types.Int64   `tfsdk:"volume_size_gb"`
	KMSKeyARN              types.String  `tfsdk:"kms_key_arn"`
	MaxRuntimeSeconds      types.Int64   `tfsdk:"max_runtime_seconds"`
	VPC                    types.Object  `tfsdk:"vpc"`
	BaselineConstraintsURI types.String  `tfsdk:"baseline_constraints_uri"`
	BaselineStatisticsURI  types.String  `tfsdk:"baseline_statistics_uri"`
	OutputS3URI            types.String  `tfsdk:"output_s3_uri"`
	Features               types.List    `tfsdk:"features"`
	DriftThreshold         types.Float64 `tfsdk:"drift_threshold"`
	AlarmActions           types.List    `tfsdk:"alarm_actions"`
	Tags                   types.Map     `tfsdk:"tags"`
	ModelQuality           types.Object  `tfsdk:"model_quality"`

	ID            types.String `tfsdk:"id"`
	TagsAll       types.Map    `tfsdk:"tags_all"`
	ARN           types.String `tfsdk:"arn"`
	CaptureS3URI  types.String `tfsdk:"capture_s3_uri"`
	Drift         types.List   `tfsdk:"drift"`
	AlarmNames    types.Map    `tfsdk:"alarm_names"`
	Controls      types.List   `tfsdk:"controls"`
	ControlStates types.Map    `tfsdk:"control_states"`
}

// monitorID is the monitor's id: its import ID, the name for the Scheduler
// engine, model_monitor/<name> for the Model Monitor engine (see
// ImportState).
func monitorID(engine, name types.String) types.String {
	switch {
	case engine.IsUnknown() || name.IsUnknown():
		return types.StringUnknown()
	case engine.ValueString() == monitorspec.EngineModelMonitor:
		return types.StringValue(monitorspec.EngineModelMonitor + "/" + name.ValueString())
	default:
		return name
	}
}

// inputs are a plan's or state's values, as the guardrails and the specs
// take them.
type inputs struct {
	Name, Engine, Endpoint, Schedule, SchedulerRole facts.Value[string]
	RoleARN, Image, InstanceType, KMSKey            facts.Value[string]
	InstanceCount, VolumeSizeGB, MaxRuntimeSeconds  facts.Value[int64]
	SubnetIDs, SecurityGroupIDs                     facts.Value[[]string]
	Constraints, Statistics, Output                 facts.Value[string]
	Features                                        facts.Value[[]string]
	DriftThreshold                                  float64
	ThresholdKnown                                  bool
	Actions                                         facts.Value[[]string]
	Tags                                            facts.Value[map[string]string]
	// Quality is model_quality (nil when left out), QualityKnown false
	// while a value of it is unknown.
	Quality      *monitorspec.ModelQuality
	QualityKnown bool
	// ManagedRole: sagesafe makes the scheduler role (scheduler_role_arn
	// left out of the configuration).
	ManagedRole bool
}

func decode(ctx context.Context, m model) (inputs, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := inputs{
		Name: tfval.String(m.Name), Engine: tfval.String(m.Engine), Endpoint: tfval.String(m.EndpointName),
		Schedule: tfval.String(m.ScheduleExpression), SchedulerRole: tfval.String(m.SchedulerRoleARN),
		RoleARN: tfval.String(m.RoleARN), Image: tfval.String(m.Image), InstanceType: tfval.String(m.InstanceType),
		KMSKey: tfval.String(m.KMSKeyARN), InstanceCount: tfval.Int64(m.InstanceCount), VolumeSizeGB: tfval.Int64(m.VolumeSizeGB),
		MaxRuntimeSeconds: tfval.Int64(m.MaxRuntimeSeconds), Constraints: tfval.String(m.BaselineConstraintsURI),
		Statistics: tfval.String(m.BaselineStatisticsURI), Output: tfval.String(m.OutputS3URI),
		Features: tfval.Strings(ctx, m.Features, &diags), Actions: tfval.Strings(ctx, m.AlarmActions, &diags),
		Tags:           tfval.StringMap(ctx, m.Tags, &diags),
		DriftThreshold: m.DriftThreshold.ValueFloat64(), ThresholdKnown: !m.DriftThreshold.IsUnknown(),
		ManagedRole: m.SchedulerRoleManaged.ValueBool(),
	}
	in.SubnetIDs, in.SecurityGroupIDs = sagemakerjob.DecodeVPC(ctx, m.VPC, &diags)
	in.Quality, in.QualityKnown = decodeQuality(ctx, m.ModelQuality, &diags)
	return in, diags
}
