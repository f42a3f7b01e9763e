package budget

import (
	"math"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

const topic = "arn:aws:sns:us-east-1:123456789012:ops"

func liveN(typ string, percent float64, op btypes.ComparisonOperator, subs ...btypes.Subscriber) liveNotification {
	return liveNotification{n: btypes.Notification{NotificationType: btypes.NotificationType(typ), Threshold: percent,
		ComparisonOperator: op, ThresholdType: btypes.ThresholdTypePercentage}, subscribers: subs}
}

func snsSub(a string) btypes.Subscriber {
	return btypes.Subscriber{SubscriptionType: btypes.SubscriptionTypeSns, Address: aws.String(a)}
}

// TestCommonTopic: the topic shows only when every notification is
// sagesafe's and tells exactly it; anything else is "" (a diff the apply
// repairs).
func TestCommonTopic(t *testing.T) {
	gt := btypes.ComparisonOperatorGreaterThan
	email := btypes.Subscriber{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("x@example.com")}
	for name, c := range map[string]struct {
		live []liveNotification
		want string
	}{
		"both to the topic":       {[]liveNotification{liveN(typeActual, 80, gt, snsSub(topic)), liveN(typeForecasted, 100, gt, snsSub(topic))}, topic},
		"one to another topic":    {[]liveNotification{liveN(typeActual, 80, gt, snsSub(topic)), liveN(typeForecasted, 100, gt, snsSub(topic+"2"))}, ""},
		"an email added":          {[]liveNotification{liveN(typeActual, 80, gt, snsSub(topic), email)}, ""},
		"a LESS_THAN added":       {[]liveNotification{liveN(typeActual, 80, gt, snsSub(topic)), liveN(typeActual, 10, btypes.ComparisonOperatorLessThan, snsSub(topic))}, ""},
		"no notifications: prior": {nil, topic},
	} {
		if got := commonTopic(c.live, topic); got != c.want {
			t.Errorf("%s: commonTopic = %q, want %q", name, got, c.want)
		}
	}
}

// TestSameBudget: a budget found after a lost answer is used only when it
// is the budget the create asked for.
func TestSameBudget(t *testing.T) {
	s := spec{Name: "b", LimitUSD: 500}
	if !sameBudget(*budgetOf(s), s) {
		t.Error("the requested budget is not the same as itself")
	}
	other := budgetOf(s)
	other.FilterExpression = &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionService, Values: []string{"Amazon Elastic Compute Cloud - Compute"}}}
	if sameBudget(*other, s) {
		t.Error("a budget on EC2 passed as the SageMaker budget")
	}
	if sameBudget(*budgetOf(spec{Name: "b", LimitUSD: 5}), s) {
		t.Error("a budget with another limit passed")
	}
	if !math.IsNaN(limitUSD(btypes.Budget{})) {
		t.Error("a budget without a limit has a limit")
	}
}

// TestLiveFilter: only sagesafe's FilterExpression (SERVICE SageMaker and
// not RECORD_TYPE Credit and Refund, in either order) is "ours"; a budget
// on the deprecated CostFilters, or on SERVICE alone (an earlier
// sagesafe's), keeps its services (SS-COST-1) but shows as a diff; anything
// else is another filter.
func TestLiveFilter(t *testing.T) {
	sm := []string{guardrail.BudgetService}
	cr := []string{recordTypeCredit, recordTypeRefund}
	dims := func(opts ...btypes.MatchOption) *btypes.Expression {
		return &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionService, Values: sm, MatchOptions: opts}}
	}
	not := func(values ...string) btypes.Expression {
		return btypes.Expression{Not: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionRecordType, Values: values}}}
	}
	and := func(terms ...btypes.Expression) *btypes.Expression { return &btypes.Expression{And: terms} }
	noExclusion := "FilterExpression SERVICE=Amazon SageMaker without the RECORD_TYPE exclusion (earlier form)"
	for name, c := range map[string]struct {
		b        btypes.Budget
		services []string
		excluded []string
		ours     bool
		shown    string
	}{
		"sagesafe's":               {btypes.Budget{FilterExpression: serviceFilter()}, sm, cr, true, guardrail.BudgetService},
		"terms swapped":            {btypes.Budget{FilterExpression: and(not(recordTypeRefund, recordTypeCredit), *dims())}, sm, []string{recordTypeRefund, recordTypeCredit}, true, guardrail.BudgetService},
		"explicit EQUALS":          {btypes.Budget{FilterExpression: and(*dims(btypes.MatchOptionEquals), not(cr...))}, sm, cr, true, guardrail.BudgetService},
		"refunds not excluded":     {btypes.Budget{FilterExpression: and(*dims(), not(recordTypeCredit))}, sm, []string{recordTypeCredit}, false, formOther},
		"SERVICE alone":            {btypes.Budget{FilterExpression: dims()}, sm, nil, false, noExclusion},
		"CONTAINS":                 {btypes.Budget{FilterExpression: and(*dims(btypes.MatchOptionContains), not(cr...))}, nil, nil, false, formOther},
		"deprecated form":          {btypes.Budget{CostFilters: map[string][]string{"Service": sm}}, sm, nil, false, "CostFilters Service=Amazon SageMaker (deprecated form)"}, //nolint:staticcheck // the old form, read only
		"no filter":                {btypes.Budget{}, nil, nil, false, formOther},
		"a third term":             {btypes.Budget{FilterExpression: and(*dims(), not(cr...), not("Tax"))}, nil, nil, false, formOther},
		"Or, not And":              {btypes.Budget{FilterExpression: &btypes.Expression{Or: []btypes.Expression{*dims(), not(cr...)}}}, nil, nil, false, formOther},
		"narrowed by a tag":        {btypes.Budget{FilterExpression: &btypes.Expression{And: serviceFilter().And, Tags: &btypes.TagValues{Key: aws.String("team")}}}, nil, nil, false, formOther},
		"tag in the Not":           {btypes.Budget{FilterExpression: and(*dims(), btypes.Expression{Not: &btypes.Expression{Dimensions: not(cr...).Not.Dimensions, Tags: &btypes.TagValues{Key: aws.String("team")}}})}, nil, nil, false, formOther},
		"another service":          {btypes.Budget{FilterExpression: and(btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionService, Values: []string{"Amazon EC2"}}}, not(cr...))}, []string{"Amazon EC2"}, cr, false, formOther},
		"region, not service":      {btypes.Budget{FilterExpression: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionRegion, Values: []string{"us-east-1"}}}}, nil, nil, false, formOther},
		"both forms (old too)":     {btypes.Budget{FilterExpression: serviceFilter(), CostFilters: map[string][]string{"Region": {"us-east-1"}}}, nil, nil, false, formOther}, //nolint:staticcheck // the old form, read only
		"Not of another dimension": {btypes.Budget{FilterExpression: and(*dims(), btypes.Expression{Not: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionRegion, Values: cr}}})}, nil, nil, false, formOther},
	} {
		services, excluded, ours := liveFilter(c.b)
		if !slices.Equal(services, c.services) || !slices.Equal(excluded, c.excluded) || ours != c.ours || serviceShown(c.b) != c.shown {
			t.Errorf("%s: liveFilter = %q, %q, %v; shown %q; want %q, %q, %v; %q", name, services, excluded, ours, serviceShown(c.b), c.services, c.excluded, c.ours, c.shown)
		}
	}
}

// TestAuditLeftover: a budget a killed apply left is adopted only when it
// is exactly the planned one: settings, tags (the token aside) and
// notifications to the topic.
func TestAuditLeftover(t *testing.T) {
	s := spec{Name: "b", LimitUSD: 500, TopicARN: topic, Tags: map[string]string{"team": "ml"},
		Notifications: []notification{{typeActual, 80}, {typeForecasted, 100}}}
	gt := btypes.ComparisonOperatorGreaterThan
	live := []liveNotification{liveN(typeActual, 80, gt, snsSub(topic)), liveN(typeForecasted, 100, gt, snsSub(topic))}
	tags := map[string]string{idem.TokenTag: "old", "team": "ml"}
	if err := auditLeftover(*budgetOf(s), tags, live, s); err != nil {
		t.Errorf("the planned budget was refused: %v", err)
	}
	other := s
	other.LimitUSD = 1
	for name, err := range map[string]error{
		"another limit":          auditLeftover(*budgetOf(other), tags, live, s),
		"another tag":            auditLeftover(*budgetOf(s), map[string]string{idem.TokenTag: "old", "team": "ops"}, live, s),
		"a notification missing": auditLeftover(*budgetOf(s), tags, live[:1], s),
		"another subscriber":     auditLeftover(*budgetOf(s), tags, []liveNotification{live[0], liveN(typeForecasted, 100, gt, snsSub(topic+"2"))}, s),
	} {
		if err == nil {
			t.Errorf("%s: adopted", name)
		}
	}
}
