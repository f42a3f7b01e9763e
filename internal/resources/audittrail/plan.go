package audittrail

import (
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// planNames plans what follows from the trail's name (its ARN, log group,
// role, filters and alarms) and the state the apply leaves (logging). A
// refresh that finds less (a filter deleted, logging stopped) then differs
// from this plan, which is how drift shows.
func planNames(c clients, plan *model) {
	plan.Logging = types.BoolValue(true)
	if plan.Name.IsUnknown() {
		plan.ID, plan.ARN, plan.LogGroupName, plan.CloudTrailRoleARN = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		plan.MetricFilterNames, plan.AlarmNames = types.ListUnknown(types.StringType), types.ListUnknown(types.StringType)
		return
	}
	name := plan.Name.ValueString()
	plan.ID = types.StringValue(name)
	if a, err := iampolicy.TrailARN(c.partition, c.region, c.account, name); err == nil {
		plan.ARN = types.StringValue(a)
	}
	plan.LogGroupName = types.StringValue(logGroupName(name))
	plan.CloudTrailRoleARN = types.StringValue("arn:" + c.partition + ":iam::" + c.account + ":role" + rolePath + roleName(name))
	plan.MetricFilterNames = tfval.List(watchNames(name))
	plan.AlarmNames = tfval.List(watchNames(name))
}
