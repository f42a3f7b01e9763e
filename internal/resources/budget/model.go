package budget

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// model is the sagesafe_budget state.
type model struct {
	ID            types.String  `tfsdk:"id"`
	Name          types.String  `tfsdk:"name"`
	LimitUSD      types.Float64 `tfsdk:"limit_usd"`
	Notifications types.Set     `tfsdk:"notifications"` // of notificationModel
	TopicARN      types.String  `tfsdk:"topic_arn"`
	Service       types.String  `tfsdk:"service"`
	CostTypes     types.String  `tfsdk:"cost_types"`
	Tags          types.Map     `tfsdk:"tags"`
	TagsAll       types.Map     `tfsdk:"tags_all"`
	Controls      types.List    `tfsdk:"controls"`
	ControlStates types.Map     `tfsdk:"control_states"`
}

// notificationModel is one element of notifications.
type notificationModel struct {
	Type             types.String  `tfsdk:"type"`
	ThresholdPercent types.Float64 `tfsdk:"threshold_percent"`
}

var notificationAttrTypes = map[string]attr.Type{"type": types.StringType, "threshold_percent": types.Float64Type}

var notificationType = types.ObjectType{AttrTypes: notificationAttrTypes}

// notificationsValue is the notifications attribute holding ns.
func notificationsValue(ns []notification) types.Set {
	elems := make([]attr.Value, 0, len(ns))
	for _, n := range ns {
		elems = append(elems, types.ObjectValueMust(notificationAttrTypes, map[string]attr.Value{
			"type": types.StringValue(n.Type), "threshold_percent": types.Float64Value(n.Percent),
		}))
	}
	return types.SetValueMust(notificationType, elems)
}
