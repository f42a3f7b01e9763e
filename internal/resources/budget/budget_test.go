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

// TestLiveFilter: only sagesafe's FilterExpression is "ours"; a budget on
// the deprecated CostFilters keeps its services (SS-COST-1) but shows as a
// diff; anything else is another filter.
func TestLiveFilter(t *testing.T) {
	sm := []string{guardrail.BudgetService}
	dims := func(opts ...btypes.MatchOption) *btypes.Expression {
		return &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionService, Values: sm, MatchOptions: opts}}
	}
	for name, c := range map[string]struct {
		b        btypes.Budget
		services []string
		ours     bool
		shown    string
	}{
		"sagesafe's":           {btypes.Budget{FilterExpression: serviceFilter()}, sm, true, guardrail.BudgetService},
		"explicit EQUALS":      {btypes.Budget{FilterExpression: dims(btypes.MatchOptionEquals)}, sm, true, guardrail.BudgetService},
		"CONTAINS":             {btypes.Budget{FilterExpression: dims(btypes.MatchOptionContains)}, nil, false, formOther},
		"deprecated form":      {btypes.Budget{CostFilters: map[string][]string{"Service": sm}}, sm, false, "CostFilters Service=Amazon SageMaker (deprecated form)"}, //nolint:staticcheck // the old form, read only
		"no filter":            {btypes.Budget{}, nil, false, formOther},
		"narrowed by a tag":    {btypes.Budget{FilterExpression: &btypes.Expression{Dimensions: dims().Dimensions, Tags: &btypes.TagValues{Key: aws.String("team")}}}, nil, false, formOther},
		"another service":      {btypes.Budget{FilterExpression: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionService, Values: []string{"Amazon EC2"}}}}, []string{"Amazon EC2"}, false, formOther},
		"region, not service":  {btypes.Budget{FilterExpression: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionRegion, Values: []string{"us-east-1"}}}}, nil, false, formOther},
		"both forms (old too)": {btypes.Budget{FilterExpression: serviceFilter(), CostFilters: map[string][]string{"Region": {"us-east-1"}}}, nil, false, formOther}, //nolint:staticcheck // the old form, read only
	} {
		services, ours := liveFilter(c.b)
		if !slices.Equal(services, c.services) || ours != c.ours || serviceShown(c.b) != c.shown {
			t.Errorf("%s: liveFilter = %q, %v; shown %q; want %q, %v; %q", name, services, ours, serviceShown(c.b), c.services, c.ours, c.shown)
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
