package budget

import (
	"context"
	"slices"
	"strconv"

	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// Notification types (AWS Budgets' NotificationType values sagesafe uses).
const (
	typeActual     = "ACTUAL"
	typeForecasted = "FORECASTED"
)

// Default notifications: spending has passed 80% of the limit, or is
// forecast to pass the limit by the end of the month.
const (
	defaultActualPercent     = 80
	defaultForecastedPercent = 100
)

// notification is one notification as sagesafe sets it: GREATER_THAN a
// percentage of the limit.
type notification struct {
	Type    string
	Percent float64
}

// key identifies a notification within its budget.
func (n notification) key() string {
	return n.Type + "@" + strconv.FormatFloat(n.Percent, 'f', -1, 64)
}

// spec is the budget sagesafe keeps: what the plan asks for.
type spec struct {
	Name          string
	LimitUSD      float64
	Notifications []notification
	TopicARN      string
	// Tags are the budget's tags with the provider's default_tags (the
	// creation token aside).
	Tags map[string]string
}

// specOf reads the budget a (known) plan asks for.
func specOf(ctx context.Context, m *model, diags *diag.Diagnostics) spec {
	s := spec{Name: m.Name.ValueString(), LimitUSD: m.LimitUSD.ValueFloat64(), TopicARN: m.TopicARN.ValueString()}
	var ns []notificationModel
	diags.Append(m.Notifications.ElementsAs(ctx, &ns, false)...)
	for _, n := range ns {
		s.Notifications = append(s.Notifications, notification{Type: n.Type.ValueString(), Percent: n.ThresholdPercent.ValueFloat64()})
	}
	sortNotifications(s.Notifications)
	s.Tags, _ = tfval.Tags(ctx, m.TagsAll, diags)
	return s
}

func sortNotifications(ns []notification) {
	slices.SortFunc(ns, func(a, b notification) int {
		if a.Type != b.Type {
			if a.Type < b.Type {
				return -1
			}
			return 1
		}
		switch {
		case a.Percent < b.Percent:
			return -1
		case a.Percent > b.Percent:
			return 1
		}
		return 0
	})
}

// guarded is the budget as the guardrails see it (SS-COST-1).
func (s spec) guarded() guardrail.Budget {
	b := guardrail.Budget{Name: s.Name, Services: []string{guardrail.BudgetService}, LimitUSD: s.LimitUSD}
	for _, n := range s.Notifications {
		gn := guardrail.BudgetNotification{Type: n.Type, Comparison: string(btypes.ComparisonOperatorGreaterThan),
			Unit: string(btypes.ThresholdTypePercentage), Percent: n.Percent}
		if s.TopicARN != "" {
			gn.Subscribers = []string{s.TopicARN}
		}
		b.Notifications = append(b.Notifications, gn)
	}
	return b
}
