package guardrail

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// FieldBudget is the spending budget (KindBudget): its limit and
// notifications.
const FieldBudget Field = "budget"

// BudgetService is SageMaker's value of the SERVICE dimension (Cost
// Explorer's service name), which a budget's FilterExpression matches.
const BudgetService = "Amazon SageMaker"

// Budget is a spending budget as planned or as read from AWS Budgets
// (SS-COST-1).
type Budget struct {
	Name string
	// Services is what the budget's service filter matches (its
	// FilterExpression's SERVICE dimension, or the deprecated CostFilters'
	// Service); SageMaker's budget has exactly BudgetService.
	Services []string
	// LimitUSD is the monthly limit.
	LimitUSD float64
	// Offsets are the kinds of cost the budget subtracts from the spending
	// it counts ("credits", "refunds": its CostTypes IncludeCredit and
	// IncludeRefund); SageMaker's budget has none, so credits cannot hide
	// spending.
	Offsets       []string
	Notifications []BudgetNotification
}

// BudgetNotification is one notification of a budget and who it tells.
type BudgetNotification struct {
	Type        string  // ACTUAL or FORECASTED
	Comparison  string  // GREATER_THAN, LESS_THAN or EQUAL_TO
	Unit        string  // threshold type: PERCENTAGE or ABSOLUTE_VALUE
	Percent     float64 // threshold, percent of the limit
	Subscribers []string
}

// Bounds of a budget that caps and tells. A limit above BudgetMaxLimitUSD
// (100 million USD a month) caps nothing a SageMaker account spends. An
// ACTUAL notification above 100 % tells only after the limit is passed by
// more than it caps; a FORECASTED one may go above (warn only when the
// month's forecast overshoots by a margin, to cut noise), but a forecast of
// more than twice the limit means the limit is not the cap: raise
// limit_usd instead.
const (
	BudgetMaxLimitUSD         = 1e8
	BudgetMaxActualPercent    = 100.0
	BudgetMaxForecastPercent  = 200.0
	budgetNotificationUnit    = "PERCENTAGE"
	budgetNotificationCompare = "GREATER_THAN"
)

// BudgetMaxPercent is the highest threshold a notification of type typ may
// have and still tell someone before the limit means nothing (0 for a type
// that is neither ACTUAL nor FORECASTED).
func BudgetMaxPercent(typ string) float64 {
	switch typ {
	case "ACTUAL":
		return BudgetMaxActualPercent
	case "FORECASTED":
		return BudgetMaxForecastPercent
	}
	return 0
}

// tells reports whether n tells a subscriber in time: spending (or its
// forecast) greater than a percentage of the limit, within
// BudgetMaxPercent, to an SNS topic of this account and region (a topic
// elsewhere is someone else's inbox).
func (n BudgetNotification) tells(account, region string) bool {
	if n.Comparison != budgetNotificationCompare || n.Unit != budgetNotificationUnit || n.Percent <= 0 || n.Percent > BudgetMaxPercent(n.Type) {
		return false
	}
	for _, s := range n.Subscribers {
		if a, err := arn.Parse(s); err == nil && a.Service == "sns" && a.AccountID == account && a.Region == region {
			return true
		}
	}
	return false
}

func checkBudget(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-COST-1"}
	if !s.Budget.IsKnown() {
		r.skipValue(s, FieldBudget, s.Budget.State)
		return r.out
	}
	b := s.Budget.V
	var gaps []string
	if len(b.Services) != 1 || b.Services[0] != BudgetService {
		gaps = append(gaps, fmt.Sprintf("it is filtered to services %q, not only %q", b.Services, BudgetService))
	}
	if b.LimitUSD <= 0 || b.LimitUSD > BudgetMaxLimitUSD {
		gaps = append(gaps, fmt.Sprintf("its limit is %g USD, which caps nothing (it must be above 0 and at most %g)", b.LimitUSD, BudgetMaxLimitUSD))
	}
	if len(b.Offsets) > 0 {
		gaps = append(gaps, fmt.Sprintf("it counts spending net of %s (CostTypes), which can hide SageMaker spending", strings.Join(b.Offsets, " and ")))
	}
	told := 0
	for _, n := range b.Notifications {
		if n.tells(s.AccountID, s.Region) {
			told++
		}
	}
	if told == 0 {
		gaps = append(gaps, fmt.Sprintf("no notification tells a subscriber in time (greater than a percentage of the limit, at most %g %% ACTUAL or %g %% FORECASTED, "+
			"to an SNS topic of account %s in %s, such as the provider's alarm_actions), so nobody is told when SageMaker spending nears or passes the limit",
			BudgetMaxActualPercent, BudgetMaxForecastPercent, s.AccountID, s.Region))
	}
	if len(gaps) > 0 {
		r.add(SeverityError, FieldBudget, -1, b.Name, "budget "+b.Name+" does not cap SageMaker spending with a notification",
			"Of budget "+b.Name+": "+strings.Join(gaps, "; ")+".")
	}
	return r.out
}
