package kmskey

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
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
	Tags                  types.Map    `tfsdk:"tags"`
	TagsAll               types.Map    `tfsdk:"tags_all"`
	PolicyJSON            types.String `tfsdk:"policy_json"`
	KeyState              types.String `tfsdk:"key_state"`
	RotationEnabled       types.Bool   `tfsdk:"rotation_enabled"`
	Controls              types.List   `tfsdk:"controls"`
}

// scope is where the key lives: the provider's partition, region and account.
type scope struct {
	Partition, Region, AccountID string
}

// knownStrings returns the elements of a set or list. ok is false when the
// collection or any element is unknown; a null collection gives (nil, true).
func knownStrings(v attr.Value) ([]string, bool) {
	if v == nil || v.IsNull() {
		return nil, true
	}
	if v.IsUnknown() {
		return nil, false
	}
	var elems []attr.Value
	switch c := v.(type) {
	case types.Set:
		elems = c.Elements()
	case types.List:
		elems = c.Elements()
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		if e.IsUnknown() {
			return nil, false
		}
		s, ok := e.(types.String)
		if !ok || s.IsNull() {
			continue
		}
		out = append(out, s.ValueString())
	}
	return out, true
}

// keySpec builds the iampolicy input from a plan or state. ok is false when
// an input is not known yet (the policy is then known only at apply).
func keySpec(m *model, sc scope) (iampolicy.KeySpec, bool) {
	admins, okA := knownStrings(m.Administrators)
	users, okU := knownStrings(m.Users)
	if !okA || !okU || m.AllowCloudWatchLogs.IsUnknown() || m.AllowFlowLogsDelivery.IsUnknown() {
		return iampolicy.KeySpec{}, false
	}
	return iampolicy.KeySpec{
		Partition:             sc.Partition,
		Region:                sc.Region,
		AccountID:             sc.AccountID,
		Administrators:        admins,
		Users:                 users,
		AllowCloudWatchLogs:   m.AllowCloudWatchLogs.IsNull() || m.AllowCloudWatchLogs.ValueBool(),
		AllowFlowLogsDelivery: m.AllowFlowLogsDelivery.ValueBool(),
	}, true
}
