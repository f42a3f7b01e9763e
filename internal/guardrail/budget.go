package guardrail

import (
	"fmt"
	"strings"
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
	LimitUSD      float64
	Notifications []BudgetNotification
}

// BudgetNotification is one notification of a budget and who it tells.
type BudgetNotification struct {
	Type        string  // ACTUAL or FORECASTED
	Percent     float64 // threshold, percent of the limit
	Subscribers []string
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
	if b.LimitUSD <= 0 {
		gaps = append(gaps, fmt.Sprintf("its limit is %g USD, which caps nothing", b.LimitUSD))
	}
	told := 0
	for _, n := range b.Notifications {
		if len(n.Subscribers) > 0 {
			told++
		}
	}
	if told == 0 {
		gaps = append(gaps, "no notification has a subscriber (such as the provider's alarm_actions), so nobody is told when SageMaker spending nears or passes the limit")
	}
	if len(gaps) > 0 {
		r.add(SeverityError, FieldBudget, -1, b.Name, "budget "+b.Name+" does not cap SageMaker spending with a notification",
			"Of budget "+b.Name+": "+strings.Join(gaps, "; ")+".")
	}
	return r.out
}
