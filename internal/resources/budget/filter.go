package budget

import (
	"fmt"
	"slices"
	"strings"

	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// The budget's filter: FilterExpression's SERVICE dimension, equal to
// SageMaker's service name. CostFilters, which AWS deprecated for
// FilterExpression, is only read: budgets made with it (by earlier versions
// of sagesafe, or by hand) show their filter as a diff and the next apply
// rewrites it in the new form.

// serviceFilter is the FilterExpression sagesafe sets: SageMaker's costs.
func serviceFilter() *btypes.Expression {
	return &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionService, Values: []string{guardrail.BudgetService}}}
}

// Forms of a live filter other than sagesafe's, as the service attribute
// shows them (a diff the apply repairs).
const (
	formCostFilters = "CostFilters Service=%s (deprecated form)"
	formOther       = "(another filter)"
)

// liveFilter reads a live budget's filter: the services its costs are
// limited to (for SS-COST-1), and whether it is exactly sagesafe's
// FilterExpression. A budget still on CostFilters that filters Service alone
// keeps its services (it does cap SageMaker), but is not in sagesafe's form.
func liveFilter(b btypes.Budget) (services []string, ours bool) {
	filters := b.CostFilters //nolint:staticcheck // read only: budgets made with the deprecated form are rewritten
	if b.FilterExpression == nil {
		if len(filters) == 1 && len(filters["Service"]) > 0 {
			return filters["Service"], false
		}
		return nil, false
	}
	d := b.FilterExpression.Dimensions
	if len(filters) > 0 || d == nil || d.Key != btypes.DimensionService || !onlyEquals(d.MatchOptions) || !onlyDimensions(*b.FilterExpression) {
		return nil, false
	}
	return d.Values, slices.Equal(d.Values, []string{guardrail.BudgetService})
}

// onlyEquals reports whether match options are AWS's default (EQUALS).
func onlyEquals(opts []btypes.MatchOption) bool {
	return len(opts) == 0 || slices.Equal(opts, []btypes.MatchOption{btypes.MatchOptionEquals})
}

// onlyDimensions reports whether e is a single Dimensions term (no And, Or,
// Not, cost categories or tags that would narrow or widen it).
func onlyDimensions(e btypes.Expression) bool {
	return len(e.And) == 0 && len(e.Or) == 0 && e.Not == nil && e.CostCategories == nil && e.Tags == nil
}

// serviceShown is the service attribute for a live budget: SageMaker's
// service name when the filter is sagesafe's, otherwise a description of
// what it is (a diff that the next apply rewrites).
func serviceShown(b btypes.Budget) string {
	services, ours := liveFilter(b)
	switch {
	case ours:
		return guardrail.BudgetService
	case b.FilterExpression == nil && len(services) > 0:
		return fmt.Sprintf(formCostFilters, strings.Join(services, ","))
	}
	return formOther
}
