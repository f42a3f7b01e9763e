package budget

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// clients is the Budgets client, the account whose budgets it manages and
// the SNS client that reads the topics they notify.
type clients struct {
	b                          *budgets.Client
	sns                        *sns.Client // reads the topics notified
	kms                        *kms.Client // reads the keys of those topics
	account, partition, region string
	// tags are the provider's tag settings: tag updates leave the keys
	// ignore_tags names.
	tags shared.TagSettings
}

func (r *budgetResource) clients() clients {
	return clients{b: r.data.AWS.Budgets, sns: r.data.AWS.SNS, kms: r.data.AWS.KMS, account: r.data.AWS.AccountID, partition: r.data.AWS.Partition, region: r.data.AWS.Region,
		tags: r.data}
}

// noRetry sends a mutating call once: after a lost answer the caller
// decides (find-before-retry, or an idempotent repeat).
func noRetry(o *budgets.Options) { o.RetryMaxAttempts = 1 }

// errBudgetNotFound says the budget does not exist.
var errBudgetNotFound = errors.New("budget not found")

func isNotFound(err error) bool {
	var nf *btypes.NotFoundException
	return errors.As(err, &nf)
}

func isDuplicate(err error) bool {
	var dup *btypes.DuplicateRecordException
	return errors.As(err, &dup)
}

// findBudget returns the budget of this name in this account.
func findBudget(ctx context.Context, c clients, name string) (btypes.Budget, error) {
	out, err := c.b.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(c.account), BudgetName: aws.String(name)})
	switch {
	case isNotFound(err):
		return btypes.Budget{}, fmt.Errorf("budget %s: %w", name, errBudgetNotFound)
	case err != nil:
		return btypes.Budget{}, fmt.Errorf("DescribeBudget %s: %w", name, err)
	case out.Budget == nil:
		return btypes.Budget{}, fmt.Errorf("budget %s: %w", name, errBudgetNotFound)
	}
	return *out.Budget, nil
}

// liveNotification is a notification of the live budget and its subscribers.
type liveNotification struct {
	n           btypes.Notification
	subscribers []btypes.Subscriber
}

// guarded is the notification as SS-COST-1 sees it.
func (l liveNotification) guarded() guardrail.BudgetNotification {
	g := guardrail.BudgetNotification{Type: string(l.n.NotificationType), Comparison: string(l.n.ComparisonOperator),
		Unit: string(l.n.ThresholdType), Percent: l.n.Threshold}
	for _, s := range l.subscribers {
		g.Subscribers = append(g.Subscribers, aws.ToString(s.Address))
	}
	return g
}

// ours reports whether the notification is one sagesafe sets (greater than
// a percentage), and which.
func (l liveNotification) ours() (notification, bool) {
	n := notification{Type: string(l.n.NotificationType), Percent: l.n.Threshold}
	return n, l.n.ComparisonOperator == btypes.ComparisonOperatorGreaterThan && l.n.ThresholdType == btypes.ThresholdTypePercentage
}

// notifications reads the budget's notifications and who each tells.
func notifications(ctx context.Context, c clients, name string) ([]liveNotification, error) {
	var out []liveNotification
	p := budgets.NewDescribeNotificationsForBudgetPaginator(c.b, &budgets.DescribeNotificationsForBudgetInput{
		AccountId: aws.String(c.account), BudgetName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("DescribeNotificationsForBudget %s: %w", name, err)
		}
		for _, n := range page.Notifications {
			subs, err := c.b.DescribeSubscribersForNotification(ctx, &budgets.DescribeSubscribersForNotificationInput{
				AccountId: aws.String(c.account), BudgetName: aws.String(name), Notification: &n})
			if err != nil {
				return nil, fmt.Errorf("DescribeSubscribersForNotification %s: %w", name, err)
			}
			out = append(out, liveNotification{n: n, subscribers: subs.Subscribers})
		}
	}
	return out, nil
}

// limitUSD is the budget's limit in USD (NaN when it has none, or another unit).
func limitUSD(b btypes.Budget) float64 {
	if b.BudgetLimit == nil || aws.ToString(b.BudgetLimit.Unit) != "USD" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(aws.ToString(b.BudgetLimit.Amount), 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// budgetOf is the AWS budget spec describes: monthly UnblendedCost of
// SageMaker without credits and refunds, in the form AWS asks for (Metrics
// and FilterExpression, never the deprecated CostTypes or CostFilters; see
// costtypes.go and filter.go).
func budgetOf(s spec) *btypes.Budget {
	return &btypes.Budget{
		BudgetName:       aws.String(s.Name),
		BudgetType:       btypes.BudgetTypeCost,
		TimeUnit:         btypes.TimeUnitMonthly,
		BudgetLimit:      &btypes.Spend{Amount: aws.String(strconv.FormatFloat(s.LimitUSD, 'f', -1, 64)), Unit: aws.String("USD")},
		Metrics:          metrics(),
		FilterExpression: serviceFilter(),
	}
}

func awsNotification(n notification) *btypes.Notification {
	return &btypes.Notification{
		NotificationType:   btypes.NotificationType(n.Type),
		ComparisonOperator: btypes.ComparisonOperatorGreaterThan,
		Threshold:          n.Percent,
		ThresholdType:      btypes.ThresholdTypePercentage,
	}
}

func subscribers(topic string) []btypes.Subscriber {
	return []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeSns, Address: aws.String(topic)}}
}

// createBudget creates the budget with its notifications and tags in one
// request. Budgets has no client token, so the request carries a creation
// token tag: after a lost answer (DuplicateRecord on the retry) the budget
// of this name is used only when it carries this create's token.
func createBudget(ctx context.Context, c clients, s spec) error {
	token, err := idem.NewToken()
	if err != nil {
		return err
	}
	tags := maps.Clone(s.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	tags[idem.TokenTag] = token
	in := &budgets.CreateBudgetInput{AccountId: aws.String(c.account), Budget: budgetOf(s), ResourceTags: resourceTags(tags)}
	for _, n := range s.Notifications {
		in.NotificationsWithSubscribers = append(in.NotificationsWithSubscribers,
			btypes.NotificationWithSubscribers{Notification: awsNotification(n), Subscribers: subscribers(s.TopicARN)})
	}
	_, err = idem.Create[bool]{
		What: "creating budget " + s.Name,
		Do: func(ctx context.Context) (bool, error) {
			_, err := c.b.CreateBudget(ctx, in, noRetry)
			return err == nil, err
		},
		Find: func(ctx context.Context) (bool, bool, error) {
			switch tags, err := budgetTags(ctx, c, s.Name); {
			case errors.Is(err, errBudgetNotFound):
				return false, false, nil
			case err != nil:
				return false, false, err
			default:
				return true, tags[idem.TokenTag] == token, nil
			}
		},
		Taken: isDuplicate,
	}.Run(ctx)
	if isDuplicate(err) {
		return fmt.Errorf("budget %s appeared during the create and does not carry this create's token (tag %s); import it or choose another name: %w",
			s.Name, idem.TokenTag, err)
	}
	return err
}

// resourceTags is tags in the Budgets API's form.
func resourceTags(tags map[string]string) []btypes.ResourceTag {
	return shared.TagList(tags, func(k, v *string) btypes.ResourceTag { return btypes.ResourceTag{Key: k, Value: v} })
}

// budgetARN is the budget's ARN, which its tag calls take.
func budgetARN(c clients, name string) string {
	return arn.ARN{Partition: c.partition, Service: "budgets", AccountID: c.account, Resource: "budget/" + name}.String()
}

// budgetTags reads the budget's tags, the creation token included.
func budgetTags(ctx context.Context, c clients, name string) (map[string]string, error) {
	out, err := c.b.ListTagsForResource(ctx, &budgets.ListTagsForResourceInput{ResourceARN: aws.String(budgetARN(c, name))})
	switch {
	case isNotFound(err):
		return nil, fmt.Errorf("budget %s: %w", name, errBudgetNotFound)
	case err != nil:
		return nil, fmt.Errorf("ListTagsForResource %s: %w", name, err)
	}
	return shared.TagMap(out.ResourceTags, func(t btypes.ResourceTag) (*string, *string) { return t.Key, t.Value }), nil
}

// reconcileTags makes the budget's tags want, keeping its creation token and
// the keys ignore_tags names.
// Tagging sets values and untagging a removed key is a no-op, so a repeat
// after a lost answer changes nothing.
func reconcileTags(ctx context.Context, c clients, name string, want map[string]string) error {
	have, err := budgetTags(ctx, c, name)
	if err != nil {
		return err
	}
	delete(have, idem.TokenTag)
	a := aws.String(budgetARN(c, name))
	return shared.UpdateTags(c.tags, have, want, func(keys []string) error {
		if _, err := c.b.UntagResource(ctx, &budgets.UntagResourceInput{ResourceARN: a, ResourceTagKeys: keys}); err != nil {
			return fmt.Errorf("UntagResource %s: %w", name, err)
		}
		return nil
	}, func(set map[string]string) error {
		if _, err := c.b.TagResource(ctx, &budgets.TagResourceInput{ResourceARN: a, ResourceTags: resourceTags(set)}); err != nil {
			return fmt.Errorf("TagResource %s: %w", name, err)
		}
		return nil
	})
}

// sameBudget reports whether b is the budget s asks for (type, period,
// limit, sagesafe's filter, its Metrics, its TimePeriod and no
// AutoAdjustData).
func sameBudget(b btypes.Budget, s spec) bool {
	_, _, ours := liveFilter(b)
	return b.BudgetType == btypes.BudgetTypeCost && b.TimeUnit == btypes.TimeUnitMonthly && limitUSD(b) == s.LimitUSD && ours &&
		len(costDiffs(b)) == 0
}

// updateBudget puts the budget's settings back to s (limit, filter, type,
// period, Metrics, TimePeriod; without AutoAdjustData). UpdateBudget replaces them all
// (a budget on the deprecated CostFilters or CostTypes comes back with
// FilterExpression and Metrics alone), so a repeat after a lost answer does
// the same again.
func updateBudget(ctx context.Context, c clients, s spec) error {
	b := budgetOf(s)
	// The period too: UpdateBudget keeps a TimePeriod it is not sent.
	b.TimePeriod = period(time.Now())
	if _, err := c.b.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: aws.String(c.account), NewBudget: b}); err != nil {
		return fmt.Errorf("UpdateBudget %s: %w", s.Name, err)
	}
	return nil
}

// reconcileNotifications makes the budget's notifications exactly s's, each
// telling exactly s's topic (notificationChanges). A delete answered "not
// found" and a create answered "duplicate" (a repeat after a lost answer)
// are done.
func reconcileNotifications(ctx context.Context, c clients, s spec) error {
	live, err := notifications(ctx, c, s.Name)
	if err != nil {
		return err
	}
	remove, add := notificationChanges(live, s)
	for _, l := range remove {
		_, err := c.b.DeleteNotification(ctx, &budgets.DeleteNotificationInput{
			AccountId: aws.String(c.account), BudgetName: aws.String(s.Name), Notification: &l.n})
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("DeleteNotification %s: %w", s.Name, err)
		}
	}
	for _, n := range add {
		_, err := c.b.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: aws.String(c.account),
			BudgetName: aws.String(s.Name), Notification: awsNotification(n), Subscribers: subscribers(s.TopicARN)})
		if err != nil && !isDuplicate(err) {
			return fmt.Errorf("CreateNotification %s: %w", s.Name, err)
		}
	}
	return nil
}

// notificationChanges is what turns the live notifications into s's: the
// ones to delete (not s's, a duplicate, or telling anyone but s's topic:
// deleted and created again) and the ones to create.
func notificationChanges(live []liveNotification, s spec) (remove []liveNotification, add []notification) {
	want := map[string]notification{}
	for _, n := range s.Notifications {
		want[n.key()] = n
	}
	have := map[string]bool{}
	for _, l := range live {
		n, ours := l.ours()
		if ours && want[n.key()] == n && onlyTopic(l.subscribers, s.TopicARN) && !have[n.key()] {
			have[n.key()] = true
			continue
		}
		remove = append(remove, l)
	}
	for _, n := range s.Notifications {
		if !have[n.key()] {
			add = append(add, n)
		}
	}
	return remove, add
}

// onlyTopic reports whether subs are exactly the SNS topic.
func onlyTopic(subs []btypes.Subscriber, topic string) bool {
	return len(subs) == 1 && subs[0].SubscriptionType == btypes.SubscriptionTypeSns && aws.ToString(subs[0].Address) == topic
}

// deleteBudget deletes the budget (and with it its notifications); "not
// found" is done.
func deleteBudget(ctx context.Context, c clients, name string) error {
	_, err := c.b.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: aws.String(c.account), BudgetName: aws.String(name)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("DeleteBudget %s: %w", name, err)
	}
	return nil
}
