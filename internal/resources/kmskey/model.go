package kmskey

import (
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// model is the sagesafe_kms_key state.
type model struct {
	ID                    types.String `tfsdk:"id"`
	KeyID                 types.String `tfsdk:"key_id"`
	ARN                   types.String `tfsdk:"arn"`
	Description           types.String `tfsdk:"description"`
	Alias                 types.String `tfsdk:"alias"`
	RotationPeriodDays    types.Int64  `tfsdk:"rotation_period_days"`
	DeletionWindowDays    types.Int64  `tfsdk:"deletion_window_days"`
	Administrators        types.Set    `tfsdk:"administrators"`
	Users                 types.Set    `tfsdk:"users"`
	AllowCloudWatchLogs   types.Bool   `tfsdk:"allow_cloudwatch_logs"`
	AllowFlowLogsDelivery types.Bool   `tfsdk:"allow_flow_logs_delivery"`
	AllowCloudTrail       types.Bool   `tfsdk:"allow_cloudtrail"`
	Tags                  types.Map    `tfsdk:"tags"`
	TagsAll               types.Map    `tfsdk:"tags_all"`
	PolicyJSON            types.String `tfsdk:"policy_json"`
	KeyState              types.String `tfsdk:"key_state"`
	RotationEnabled       types.Bool   `tfsdk:"rotation_enabled"`
	Controls              types.List   `tfsdk:"controls"`
	ControlStates         types.Map    `tfsdk:"control_states"`
}
