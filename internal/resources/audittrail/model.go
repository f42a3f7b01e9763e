package audittrail

import "github.com/hashicorp/terraform-plugin-framework/types"

// model is the sagesafe_audit_trail state.
type model struct {
	ID                types.String `tfsdk:"id"`
	Name              types.String `tfsdk:"name"`
	ARN               types.String `tfsdk:"arn"`
	KMSKeyARN         types.String `tfsdk:"kms_key_arn"`
	RetentionDays     types.Int64  `tfsdk:"retention_days"`
	Bucket            types.String `tfsdk:"bucket"`
	LogGroupName      types.String `tfsdk:"log_group_name"`
	CloudTrailRoleARN types.String `tfsdk:"cloudtrail_role_arn"`
	Logging           types.Bool   `tfsdk:"logging"`
	MetricFilterNames types.List   `tfsdk:"metric_filter_names"`
	AlarmNames        types.List   `tfsdk:"alarm_names"`
	AlarmActions      types.List   `tfsdk:"alarm_actions"`
	Tags              types.Map    `tfsdk:"tags"`
	TagsAll           types.Map    `tfsdk:"tags_all"`
	Controls          types.List   `tfsdk:"controls"`
	ControlStates     types.Map    `tfsdk:"control_states"`
}
