package trainingjob

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// model is the resource's state and plan.
type model struct {
	Name              types.String   `tfsdk:"name"`
	NamePrefix        types.String   `tfsdk:"name_prefix"`
	RoleARN           types.String   `tfsdk:"role_arn"`
	Image             types.String   `tfsdk:"image"`
	InputChannels     types.List     `tfsdk:"input_channels"`
	OutputS3URI       types.String   `tfsdk:"output_s3_uri"`
	CheckpointS3URI   types.String   `tfsdk:"checkpoint_s3_uri"`
	InstanceType      types.String   `tfsdk:"instance_type"`
	InstanceCount     types.Int64    `tfsdk:"instance_count"`
	VolumeSizeGB      types.Int64    `tfsdk:"volume_size_gb"`
	KMSKeyARN         types.String   `tfsdk:"kms_key_arn"`
	MaxRuntimeSeconds types.Int64    `tfsdk:"max_runtime_seconds"`
	UseSpot           types.Bool     `tfsdk:"use_spot"`
	MaxWaitSeconds    types.Int64    `tfsdk:"max_wait_seconds"`
	Hyperparameters   types.Map      `tfsdk:"hyperparameters"`
	Environment       types.Map      `tfsdk:"environment"`
	WaitForCompletion types.Bool     `tfsdk:"wait_for_completion"`
	Tags              types.Map      `tfsdk:"tags"`
	VPC               types.Object   `tfsdk:"vpc"`
	Alarms            types.Object   `tfsdk:"alarms"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`

	ID                  types.String `tfsdk:"id"`
	TagsAll             types.Map    `tfsdk:"tags_all"`
	ARN                 types.String `tfsdk:"arn"`
	Status              types.String `tfsdk:"status"`
	SecondaryStatus     types.String `tfsdk:"secondary_status"`
	FailureReason       types.String `tfsdk:"failure_reason"`
	ModelArtifactsS3URI types.String `tfsdk:"model_artifacts_s3_uri"`
	TrainingSeconds     types.Int64  `tfsdk:"training_seconds"`
	BillableSeconds     types.Int64  `tfsdk:"billable_seconds"`
	AlarmNames          types.Map    `tfsdk:"alarm_names"`
	LogGroupName        types.String `tfsdk:"log_group_name"`
	Controls            types.List   `tfsdk:"controls"`
	ControlStates       types.Map    `tfsdk:"control_states"`
}

type channelModel struct {
	Name         types.String `tfsdk:"name"`
	S3URI        types.String `tfsdk:"s3_uri"`
	ContentType  types.String `tfsdk:"content_type"`
	InputMode    types.String `tfsdk:"input_mode"`
	Distribution types.String `tfsdk:"distribution"`
}

type alarmsModel struct {
	Actions        types.List    `tfsdk:"actions"`
	DiskPercent    types.Float64 `tfsdk:"disk_percent"`
	MemoryPercent  types.Float64 `tfsdk:"memory_percent"`
	GPUIdlePercent types.Float64 `tfsdk:"gpu_idle_percent"`
}

var (
	channelAttrTypes = map[string]attr.Type{
		"name":         types.StringType,
		"s3_uri":       types.StringType,
		"content_type": types.StringType,
		"input_mode":   types.StringType,
		"distribution": types.StringType,
	}
	channelObjectType = types.ObjectType{AttrTypes: channelAttrTypes}

	vpcAttrTypes = sagemakerjob.VPCAttrTypes

	alarmsAttrTypes = map[string]attr.Type{
		"actions":          types.ListType{ElemType: types.StringType},
		"disk_percent":     types.Float64Type,
		"memory_percent":   types.Float64Type,
		"gpu_idle_percent": types.Float64Type,
	}
)

// objectAsOptions turns unknown or null nested values into zero values
// instead of errors; callers check the object itself first.
var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}
