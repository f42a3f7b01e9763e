package budget

import (
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
)

// What the budget counts. sagesafe counts SageMaker's gross unblended
// spending: Metrics UnblendedCost (the charges as billed to the account,
// not spread over a reservation's term as AmortizedCost does, nor averaged
// over an organization as BlendedCost does, nor net of discounts as the
// Net* metrics are), with credits and refunds kept out of the count by the
// FilterExpression (filter.go): on an account with credits a budget net of
// them counts SageMaker's spending as about 0 and never notifies.
//
// This is the form AWS asks for: the SDK marks CostTypes deprecated for
// Metrics ("CostTypes lack support for newer record type dimensions"), and
// terraform-provider-aws documents filter_expression as requiring metrics
// and metrics as conflicting with cost_types, so sagesafe never sends
// CostTypes. Budgets made in the legacy form (CostTypes, CostFilters: by
// hand or by an earlier sagesafe) are still read, judged by what their
// CostTypes count, and rewritten in this form by the next apply.
// AutoAdjustData (a limit that follows past spending or the forecast) is
// never set: the limit is the one in the configuration.

// metrics is the Metrics sagesafe sets.
func metrics() []btypes.Metric { return []btypes.Metric{btypes.MetricUnblendedCost} }

// countsShownOurs is the cost_types attribute of a budget counting what
// sagesafe sets.
const countsShownOurs = "UnblendedCost, gross (credits and refunds not subtracted)"

// Shown in cost_types for a budget in the legacy form.
const countsLegacy = "CostTypes (deprecated form)"

// offsetKind is a kind of cost that a budget may subtract: its RECORD_TYPE
// value (excluded by sagesafe's filter) and the legacy CostTypes flag that
// counts it.
type offsetKind struct {
	name, recordType string
	legacy           func(*btypes.CostTypes) *bool
}

var offsetKinds = []offsetKind{
	{"credits", recordTypeCredit, func(c *btypes.CostTypes) *bool { return c.IncludeCredit }},
	{"refunds", recordTypeRefund, func(c *btypes.CostTypes) *bool { return c.IncludeRefund }},
}

// offsets are the kinds of cost the live budget subtracts from the
// spending it counts (SS-COST-1). A kind its filter excludes is not
// counted. Otherwise a budget on Metrics counts it, and a legacy budget
// (no Metrics) counts it when its CostTypes say so, the API's default
// (IncludeCredit and IncludeRefund true) when unset.
func offsets(b btypes.Budget) []string {
	_, excluded, _ := liveFilter(b)
	var out []string
	for _, k := range offsetKinds {
		if slices.Contains(excluded, k.recordType) {
			continue
		}
		if len(b.Metrics) == 0 {
			ct := b.CostTypes //nolint:staticcheck // read only: legacy budgets are judged by what they count, then rewritten
			if ct != nil && k.legacy(ct) != nil && !aws.ToBool(k.legacy(ct)) {
				continue
			}
		}
		out = append(out, k.name)
	}
	return out
}

// costDiffs lists where the live budget counts otherwise than sagesafe:
// other Metrics ("Metrics=AmortizedCost"), the legacy CostTypes form,
// credits or refunds subtracted, an AutoAdjustData.
func costDiffs(b btypes.Budget) []string { return costDiffsAt(b, time.Now()) }

// costDiffsAt is costDiffs at the time now: a TimePeriod that starts after
// now, or ends other than AWS's default end, counts otherwise too.
func costDiffsAt(b btypes.Budget, now time.Time) []string {
	diffs := periodDiffs(b.TimePeriod, now)
	switch {
	case len(b.Metrics) == 0:
		diffs = append(diffs, countsLegacy)
	case !slices.Equal(b.Metrics, metrics()):
		ms := make([]string, len(b.Metrics))
		for i, m := range b.Metrics {
			ms[i] = string(m)
		}
		diffs = append(diffs, "Metrics="+strings.Join(ms, ","))
	}
	for _, o := range offsets(b) {
		diffs = append(diffs, o+" subtracted")
	}
	if b.AutoAdjustData != nil {
		diffs = append(diffs, "AutoAdjustData="+string(b.AutoAdjustData.AutoAdjustType))
	}
	return diffs
}

// countsShown is the cost_types attribute of a live budget: sagesafe's
// basis, or what differs from it (a diff the next apply restores).
func countsShown(b btypes.Budget) string {
	if d := costDiffs(b); len(d) > 0 {
		return strings.Join(d, ", ")
	}
	return countsShownOurs
}

// defaultEnd is the end AWS Budgets gives a budget created without one
// (June 15, 2087; the Budgets API reference, Budget.TimePeriod).
var defaultEnd = time.Date(2087, 6, 15, 0, 0, 0, 0, time.UTC)

// periodDiffs lists how the live TimePeriod differs from the one sagesafe's
// budgets have: counting from the start of a month up to now, until AWS's
// default end. A start after now counts nothing yet; an earlier end stops
// the budget (AWS then deletes it).
func periodDiffs(p *btypes.TimePeriod, now time.Time) []string {
	if p == nil {
		return nil
	}
	var diffs []string
	if p.Start != nil && p.Start.After(now) {
		diffs = append(diffs, "TimePeriod starts "+p.Start.UTC().Format(time.DateOnly))
	}
	if p.End != nil && !p.End.Equal(defaultEnd) {
		diffs = append(diffs, "TimePeriod ends "+p.End.UTC().Format(time.DateOnly))
	}
	return diffs
}

// period is the TimePeriod an update restores: from the start of this
// month (UTC) until AWS's default end.
func period(now time.Time) *btypes.TimePeriod {
	now = now.UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return &btypes.TimePeriod{Start: &start, End: aws.Time(defaultEnd)}
}
