package budget

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestCostTypes: sagesafe's budget is Metrics UnblendedCost with credits
// and refunds filtered out, and no CostTypes. Other Metrics, a filter
// without the exclusion, a legacy budget (CostTypes, no Metrics) or an
// AutoAdjustData is a diff; the offsets (credits, refunds subtracted) are
// what SS-COST-1 refuses, read from the filter, or for a legacy budget from
// its CostTypes (the API's defaults when unset).
func TestCostTypes(t *testing.T) {
	s := spec{Name: "b", LimitUSD: 500}
	if b := budgetOf(s); !slices.Equal(b.Metrics, []btypes.Metric{btypes.MetricUnblendedCost}) || b.CostTypes != nil { //nolint:staticcheck // asserting the deprecated field is not sent
		t.Fatalf("budgetOf sends Metrics %v, CostTypes %+v", b.Metrics, b.CostTypes) //nolint:staticcheck // as above
	}
	gross := &btypes.CostTypes{IncludeCredit: aws.Bool(false), IncludeRefund: aws.Bool(false)}
	legacy := func(ct *btypes.CostTypes, filter *btypes.Expression) func(*btypes.Budget) {
		return func(b *btypes.Budget) { b.Metrics, b.CostTypes, b.FilterExpression = nil, ct, filter } //nolint:staticcheck // the legacy form, read only
	}
	serviceOnly := serviceFilter().And[0]
	for name, c := range map[string]struct {
		edit    func(*btypes.Budget)
		diffs   []string
		offsets []string
	}{
		"sagesafe's": {func(*btypes.Budget) {}, nil, nil},
		// AWS may return CostTypes (the emulator returns its defaults)
		// alongside Metrics: they do not apply.
		"CostTypes read back with Metrics": {func(b *btypes.Budget) { b.CostTypes = &btypes.CostTypes{IncludeCredit: aws.Bool(true)} }, nil, nil}, //nolint:staticcheck // as above
		"amortized":                        {func(b *btypes.Budget) { b.Metrics = []btypes.Metric{btypes.MetricAmortizedCost} }, []string{"Metrics=AmortizedCost"}, nil},
		"a second metric":                  {func(b *btypes.Budget) { b.Metrics = append(b.Metrics, btypes.MetricNetUnblendedCost) }, []string{"Metrics=UnblendedCost,NetUnblendedCost"}, nil},
		"filter without the exclusion": {func(b *btypes.Budget) { b.FilterExpression = &serviceOnly },
			[]string{"credits subtracted", "refunds subtracted"}, []string{"credits", "refunds"}},
		"credits only excluded": {func(b *btypes.Budget) { b.FilterExpression.And[1].Not.Dimensions.Values = []string{recordTypeCredit} },
			[]string{"refunds subtracted"}, []string{"refunds"}},
		"legacy, gross (an earlier sagesafe's)": {legacy(gross, &serviceOnly), []string{countsLegacy}, nil},
		"legacy, API defaults":                  {legacy(nil, &serviceOnly), []string{countsLegacy, "credits subtracted", "refunds subtracted"}, []string{"credits", "refunds"}},
		"legacy, net of credits": {legacy(&btypes.CostTypes{IncludeCredit: aws.Bool(true), IncludeRefund: aws.Bool(false)}, &serviceOnly),
			[]string{countsLegacy, "credits subtracted"}, []string{"credits"}},
		"legacy defaults, modern filter": {legacy(nil, serviceFilter()), []string{countsLegacy}, nil},
		"auto-adjusted limit": {func(b *btypes.Budget) {
			b.AutoAdjustData = &btypes.AutoAdjustData{AutoAdjustType: btypes.AutoAdjustTypeForecast}
		}, []string{"AutoAdjustData=FORECAST"}, nil},
	} {
		b := budgetOf(s)
		c.edit(b)
		if got := costDiffs(*b); !slices.Equal(got, c.diffs) {
			t.Errorf("%s: costDiffs = %v, want %v", name, got, c.diffs)
		}
		if got := offsets(*b); !slices.Equal(got, c.offsets) {
			t.Errorf("%s: offsets = %v, want %v", name, got, c.offsets)
		}
		_, _, ours := liveFilter(*b)
		if same := sameBudget(*b, s); same != (c.diffs == nil && ours) {
			t.Errorf("%s: sameBudget = %v", name, same)
		}
		if shown := countsShown(*b); (shown == countsShownOurs) != (c.diffs == nil) {
			t.Errorf("%s: cost_types shows %q", name, shown)
		}
	}
}

// TestThresholdWithinType: ACTUAL at most 100 %, FORECASTED at most 200 %.
func TestThresholdWithinType(t *testing.T) {
	for _, c := range []struct {
		typ     string
		percent float64
		ok      bool
	}{{typeActual, 100, true}, {typeActual, 100.5, false}, {typeForecasted, 200, true}, {typeForecasted, 250, false}} {
		v := types.ObjectValueMust(notificationAttrTypes, map[string]attr.Value{"type": types.StringValue(c.typ), "threshold_percent": types.Float64Value(c.percent)})
		resp := &validator.ObjectResponse{}
		thresholdWithinType{}.ValidateObject(context.Background(), validator.ObjectRequest{Path: path.Root("notifications"), ConfigValue: v}, resp)
		if resp.Diagnostics.HasError() == c.ok {
			t.Errorf("%s at %g: errors %v, want ok=%v", c.typ, c.percent, resp.Diagnostics, c.ok)
		}
	}
}

// TestGuardedLiveNotification: SS-COST-1 sees each live notification's
// comparison and threshold type, not only sagesafe's kind.
func TestGuardedLiveNotification(t *testing.T) {
	g, _ := guardedLive(*budgetOf(spec{Name: "b", LimitUSD: 5}), []liveNotification{liveN(typeActual, 10, btypes.ComparisonOperatorLessThan, snsSub(topic))})
	if n := g.Notifications[0]; n.Comparison != "LESS_THAN" || n.Unit != "PERCENTAGE" || !slices.Equal(n.Subscribers, []string{topic}) {
		t.Errorf("guardedLive notification = %+v", n)
	}
	if len(g.Offsets) != 0 {
		t.Errorf("sagesafe's budget has offsets %v", g.Offsets)
	}
}

// TestPeriodDiffs: AWS's default period (this month's start to 2087-06-15)
// is no diff; a start after now or another end is, and period() restores
// the default from the current month's start.
func TestPeriodDiffs(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	if d := periodDiffs(period(now), now); d != nil {
		t.Errorf("the restored period differs: %v", d)
	}
	if p := period(now); !aws.ToTime(p.Start).Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("restored start %v", p.Start)
	}
	later, soon := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	got := periodDiffs(&btypes.TimePeriod{Start: &later, End: &soon}, now)
	if want := []string{"TimePeriod starts 2099-01-01", "TimePeriod ends 2026-12-20"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if d := costDiffsAt(btypes.Budget{Metrics: metrics(), FilterExpression: serviceFilter(), TimePeriod: &btypes.TimePeriod{Start: &later}}, now); len(d) != 1 {
		t.Errorf("costDiffsAt with a later start: %v", d)
	}
}
