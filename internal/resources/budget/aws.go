package budget

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// clients is the Budgets client and the account whose budgets it manages.
type clients struct {
	b       *budgets.Client
	account string
}

func (r *budgetResource) clients() clients {
	return clients{b: r.data.AWS.Budgets, account: r.data.AWS.AccountID}
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

// budgetOf is the AWS budget spec describes: monthly cost of SageMaker.
func budgetOf(s spec) *btypes.Budget {
	return &btypes.Budget{
		BudgetName:  aws.String(s.Name),
		BudgetType:  btypes.BudgetTypeCost,
		TimeUnit:    btypes.TimeUnitMonthly,
		BudgetLimit: &btypes.Spend{Amount: aws.String(strconv.FormatFloat(s.LimitUSD, 'f', -1, 64)), Unit: aws.String("USD")},
		// CostFilters (deprecated for FilterExpression) is kept on purpose:
		// it is what the emulator and the check read back today; moving to
		// FilterExpression is noted on issue 14.
		CostFilters: map[string][]string{"Service": {guardrail.BudgetService}}, //nolint:staticcheck // see above
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

// createBudget creates the budget with its notifications in one request.
// Budgets has no client token, and moto keeps no budget tags, so the name
// is the identity: refuseTaken has made sure no budget of this name existed
// before, so after a lost answer the budget of this name (DuplicateRecord
// on the retry) is the one this create made; it is also checked to be the
// budget that was asked for.
func createBudget(ctx context.Context, c clients, s spec) error {
	in := &budgets.CreateBudgetInput{AccountId: aws.String(c.account), Budget: budgetOf(s)}
	for _, n := range s.Notifications {
		in.NotificationsWithSubscribers = append(in.NotificationsWithSubscribers,
			btypes.NotificationWithSubscribers{Notification: awsNotification(n), Subscribers: subscribers(s.TopicARN)})
	}
	_, err := idem.Create[bool]{
		What: "creating budget " + s.Name,
		Do: func(ctx context.Context) (bool, error) {
			_, err := c.b.CreateBudget(ctx, in, noRetry)
			return err == nil, err
		},
		Find: func(ctx context.Context) (bool, bool, error) {
			b, err := findBudget(ctx, c, s.Name)
			if errors.Is(err, errBudgetNotFound) {
				return false, false, nil
			}
			if err != nil {
				return false, false, err
			}
			if !sameBudget(b, s) {
				return false, false, fmt.Errorf("budget %s appeared during the create with other settings; import it or choose another name", s.Name)
			}
			return true, true, nil
		},
		Taken: isDuplicate,
	}.Run(ctx)
	return err
}

// sameBudget reports whether b is the budget s asks for.
func sameBudget(b btypes.Budget, s spec) bool {
	filters := b.CostFilters //nolint:staticcheck // CostFilters: see budgetOf
	f := filters["Service"]
	return b.BudgetType == btypes.BudgetTypeCost && b.TimeUnit == btypes.TimeUnitMonthly && limitUSD(b) == s.LimitUSD &&
		len(filters) == 1 && len(f) == 1 && f[0] == guardrail.BudgetService
}

// refuseTaken refuses a create whose name is in use: adopting that budget
// would rewrite someone else's, and destroy would delete it.
func refuseTaken(ctx context.Context, c clients, name string) error {
	switch _, err := findBudget(ctx, c, name); {
	case err == nil:
		return fmt.Errorf("budget %s already exists; import it (terraform import) or choose another name", name)
	case !errors.Is(err, errBudgetNotFound):
		return err
	}
	return nil
}

// updateBudget puts the budget's settings back to s (limit, filter, type,
// period). UpdateBudget replaces them all, so a repeat after a lost answer
// does the same again.
func updateBudget(ctx context.Context, c clients, s spec) error {
	if _, err := c.b.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: aws.String(c.account), NewBudget: budgetOf(s)}); err != nil {
		return fmt.Errorf("UpdateBudget %s: %w", s.Name, err)
	}
	return nil
}

// reconcileNotifications makes the budget's notifications exactly s's, each
// telling exactly s's topic: others are deleted, missing ones created, one
// with other subscribers deleted and created again. A delete answered "not
// found" and a create answered "duplicate" (a repeat after a lost answer)
// are done.
func reconcileNotifications(ctx context.Context, c clients, s spec) error {
	live, err := notifications(ctx, c, s.Name)
	if err != nil {
		return err
	}
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
		_, err := c.b.DeleteNotification(ctx, &budgets.DeleteNotificationInput{
			AccountId: aws.String(c.account), BudgetName: aws.String(s.Name), Notification: &l.n})
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("DeleteNotification %s: %w", s.Name, err)
		}
	}
	for _, n := range s.Notifications {
		if have[n.key()] {
			continue
		}
		_, err := c.b.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: aws.String(c.account),
			BudgetName: aws.String(s.Name), Notification: awsNotification(n), Subscribers: subscribers(s.TopicARN)})
		if err != nil && !isDuplicate(err) {
			return fmt.Errorf("CreateNotification %s: %w", s.Name, err)
		}
	}
	return nil
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
