package budget

import (
	"math"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
)

const topic = "arn:aws:sns:us-east-1:123456789012:ops"

func liveN(typ string, percent float64, op btypes.ComparisonOperator, subs ...btypes.Subscriber) liveNotification {
	return liveNotification{n: btypes.Notification{NotificationType: btypes.NotificationType(typ), Threshold: percent,
		ComparisonOperator: op, ThresholdType: btypes.ThresholdTypePercentage}, subscribers: subs}
}

func sns(a string) btypes.Subscriber {
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
		"both to the topic":       {[]liveNotification{liveN(typeActual, 80, gt, sns(topic)), liveN(typeForecasted, 100, gt, sns(topic))}, topic},
		"one to another topic":    {[]liveNotification{liveN(typeActual, 80, gt, sns(topic)), liveN(typeForecasted, 100, gt, sns(topic+"2"))}, ""},
		"an email added":          {[]liveNotification{liveN(typeActual, 80, gt, sns(topic), email)}, ""},
		"a LESS_THAN added":       {[]liveNotification{liveN(typeActual, 80, gt, sns(topic)), liveN(typeActual, 10, btypes.ComparisonOperatorLessThan, sns(topic))}, ""},
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
	other.CostFilters = map[string][]string{"Service": {"Amazon Elastic Compute Cloud - Compute"}} //nolint:staticcheck // CostFilters: see budgetOf
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
