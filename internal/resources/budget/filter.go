package budget

import (
	"fmt"
	"slices"
	"strings"

	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// The budget's filter: SageMaker's costs (the SERVICE dimension) and not
// credits or refunds (the RECORD_TYPE dimension, which Budgets'
// ExpressionDimensionValues lists among its keys; Cost Explorer's API
// spells the charge types Credit and Refund). Excluding them is how a
// budget on Metrics counts gross spending (costtypes.go). CostFilters,
// which AWS deprecated for FilterExpression, and a FilterExpression on
// SERVICE alone (an earlier sagesafe's, with CostTypes) are only read:
// such budgets show their filter as a diff and the next apply rewrites it.

// RECORD_TYPE values sagesafe's filter excludes.
const (
	recordTypeCredit = "Credit"
	recordTypeRefund = "Refund"
)

// serviceFilter is the FilterExpression sagesafe sets: SageMaker's costs,
// credits and refunds left out.
func serviceFilter() *btypes.Expression {
	return &btypes.Expression{And: []btypes.Expression{
		{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionService, Values: []string{guardrail.BudgetService}}},
		{Not: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionRecordType,
			Values: []string{recordTypeCredit, recordTypeRefund}}}},
	}}
}

// Forms of a live filter other than sagesafe's, as the service attribute
// shows them (a diff the apply repairs).
const (
	formCostFilters = "CostFilters Service=%s (deprecated form)"
	formNoExclusion = "FilterExpression SERVICE=%s without the RECORD_TYPE exclusion (earlier form)"
	formOther       = "(another filter)"
)

// liveFilter reads a live budget's filter: the services its costs are
// limited to (for SS-COST-1), the RECORD_TYPE values it excludes, and
// whether it is exactly sagesafe's FilterExpression. A budget on
// CostFilters that filters Service alone, or on a FilterExpression of
// SERVICE alone, keeps its services (it does cap SageMaker) but is not in
// sagesafe's form. Any other shape (tags, cost categories, Or, other
// dimensions, match options other than EQUALS) limits nothing sagesafe
// can vouch for: no services.
func liveFilter(b btypes.Budget) (services, excluded []string, ours bool) {
	filters := b.CostFilters //nolint:staticcheck // read only: budgets made with the deprecated form are rewritten
	e := b.FilterExpression
	switch {
	case e == nil:
		if len(filters) == 1 && len(filters["Service"]) > 0 {
			return filters["Service"], nil, false
		}
		return nil, nil, false
	case len(filters) > 0:
		return nil, nil, false
	}
	if s, ok := dimensionTerm(*e, btypes.DimensionService); ok {
		return s, nil, false
	}
	if len(e.And) != 2 || !oneField(*e) {
		return nil, nil, false
	}
	for i := range 2 {
		s, okS := dimensionTerm(e.And[i], btypes.DimensionService)
		x, okX := notTerm(e.And[1-i])
		if okS && okX {
			sorted := slices.Sorted(slices.Values(x))
			return s, x, slices.Equal(s, []string{guardrail.BudgetService}) && slices.Equal(sorted, []string{recordTypeCredit, recordTypeRefund})
		}
	}
	return nil, nil, false
}

// dimensionTerm is the values of e when e is a single Dimensions term on
// key that matches them exactly (EQUALS).
func dimensionTerm(e btypes.Expression, key btypes.Dimension) ([]string, bool) {
	d := e.Dimensions
	if d == nil || d.Key != key || !onlyEquals(d.MatchOptions) || !oneField(e) {
		return nil, false
	}
	return d.Values, true
}

// notTerm is the RECORD_TYPE values e excludes when e is Not of a single
// RECORD_TYPE Dimensions term.
func notTerm(e btypes.Expression) ([]string, bool) {
	if e.Not == nil || !oneField(e) {
		return nil, false
	}
	return dimensionTerm(*e.Not, btypes.DimensionRecordType)
}

// onlyEquals reports whether match options are AWS's default (EQUALS).
func onlyEquals(opts []btypes.MatchOption) bool {
	return len(opts) == 0 || slices.Equal(opts, []btypes.MatchOption{btypes.MatchOptionEquals})
}

// oneField reports whether e sets exactly one of its fields (And, Or,
// Not, Dimensions, CostCategories, Tags; the caller checks which): a second
// would narrow or widen the term.
func oneField(e btypes.Expression) bool {
	n := 0
	for _, f := range []bool{len(e.And) > 0, len(e.Or) > 0, e.Not != nil, e.Dimensions != nil, e.CostCategories != nil, e.Tags != nil} {
		if f {
			n++
		}
	}
	return n == 1
}

// serviceShown is the service attribute for a live budget: SageMaker's
// service name when the filter is sagesafe's, otherwise a description of
// what it is (a diff that the next apply rewrites).
func serviceShown(b btypes.Budget) string {
	services, excluded, ours := liveFilter(b)
	switch {
	case ours:
		return guardrail.BudgetService
	case b.FilterExpression == nil && len(services) > 0:
		return fmt.Sprintf(formCostFilters, strings.Join(services, ","))
	case len(services) > 0 && excluded == nil:
		return fmt.Sprintf(formNoExclusion, strings.Join(services, ","))
	}
	return formOther
}
