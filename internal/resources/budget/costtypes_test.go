package budget

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestCostTypes: sagesafe's budget counts gross spending; CostTypes left
// to the API's defaults (credits and refunds subtracted), rewritten
// outside Terraform, or an AutoAdjustData is a diff, and the offsets are
// what SS-COST-1 refuses.
func TestCostTypes(t *testing.T) {
	s := spec{Name: "b", LimitUSD: 500}
	netted := func(b *btypes.Budget) {
		b.CostTypes = &btypes.CostTypes{IncludeCredit: aws.Bool(true), IncludeRefund: aws.Bool(true), IncludeTax: aws.Bool(false)} //nolint:staticcheck // the deprecated field sagesafe sets (costtypes.go)
	}
	for name, c := range map[string]struct {
		edit    func(*btypes.Budget)
		diffs   []string
		offsets []string
	}{
		"sagesafe's":        {func(*btypes.Budget) {}, nil, nil},
		"API defaults":      {func(b *btypes.Budget) { b.CostTypes = nil }, []string{"IncludeRefund=true", "IncludeCredit=true"}, []string{"refunds", "credits"}}, //nolint:staticcheck // as above
		"net, tax left out": {netted, []string{"IncludeTax=false", "IncludeRefund=true", "IncludeCredit=true"}, []string{"refunds", "credits"}},
		"amortized":         {func(b *btypes.Budget) { b.CostTypes.UseAmortized = aws.Bool(true) }, []string{"UseAmortized=true"}, nil}, //nolint:staticcheck // as above
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
		if same := sameBudget(*b, s); same != (c.diffs == nil) {
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
