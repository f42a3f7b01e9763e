package processingjob

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// model is the resource's state and plan.
type model struct {
	Name              types.String   `tfsdk:"name"`
	NamePrefix        types.String   `tfsdk:"name_prefix"`
	RoleARN           types.String   `tfsdk:"role_arn"`
	Image             types.String   `tfsdk:"image"`
	Entrypoint        types.List     `tfsdk:"entrypoint"`
	Arguments         types.List     `tfsdk:"arguments"`
	Environment       types.Map      `tfsdk:"environment"`
	Inputs            types.List     `tfsdk:"inputs"`
	Outputs           types.List     `tfsdk:"outputs"`
	InstanceType      types.String   `tfsdk:"instance_type"`
	InstanceCount     types.Int64    `tfsdk:"instance_count"`
	VolumeSizeGB      types.Int64    `tfsdk:"volume_size_gb"`
	KMSKeyARN         types.String   `tfsdk:"kms_key_arn"`
	MaxRuntimeSeconds types.Int64    `tfsdk:"max_runtime_seconds"`
	VPC               types.Object   `tfsdk:"vpc"`
	WaitForCompletion types.Bool     `tfsdk:"wait_for_completion"`
	Tags              types.Map      `tfsdk:"tags"`
	Alarms            types.Object   `tfsdk:"alarms"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`

	ID            types.String `tfsdk:"id"`
	TagsAll       types.Map    `tfsdk:"tags_all"`
	ARN           types.String `tfsdk:"arn"`
	Status        types.String `tfsdk:"status"`
	FailureReason types.String `tfsdk:"failure_reason"`
	ExitMessage   types.String `tfsdk:"exit_message"`
	AlarmNames    types.Map    `tfsdk:"alarm_names"`
	LogGroupName  types.String `tfsdk:"log_group_name"`
	Controls      types.List   `tfsdk:"controls"`
	ControlStates types.Map    `tfsdk:"control_states"`
}

// locationModel is one input or output: an S3 prefix and the container path
// it is copied from or to.
type locationModel struct {
	Name      types.String `tfsdk:"name"`
	S3URI     types.String `tfsdk:"s3_uri"`
	LocalPath types.String `tfsdk:"local_path"`
}

type alarmsModel struct {
	Actions       types.List    `tfsdk:"actions"`
	DiskPercent   types.Float64 `tfsdk:"disk_percent"`
	MemoryPercent types.Float64 `tfsdk:"memory_percent"`
}

var (
	locationAttrTypes = map[string]attr.Type{
		"name":       types.StringType,
		"s3_uri":     types.StringType,
		"local_path": types.StringType,
	}
	locationObjectType = types.ObjectType{AttrTypes: locationAttrTypes}

	alarmsAttrTypes = map[string]attr.Type{
		"actions":        types.ListType{ElemType: types.StringType},
		"disk_percent":   types.Float64Type,
		"memory_percent": types.Float64Type,
	}
)

// objectAsOptions turns unknown or null nested values into zero values
// instead of errors; callers check the object itself first.
var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}
