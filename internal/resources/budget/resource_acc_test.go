package budget_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

const (
	addr       = "sagesafe_budget.test"
	testTopic  = "arn:aws:sns:us-east-1:123456789012:sagesafe-budget-alerts"
	otherTopic = "arn:aws:sns:us-east-1:123456789012:sagesafe-finops"
)

// budgetConfig is a sagesafe_budget; the provider's alarm_actions are
// testTopic unless providerX says otherwise.
type budgetConfig struct {
	name      string
	limit     float64
	body      string // extra attributes (notifications, topic_arn, tags)
	providerX *string
}

func (c budgetConfig) hcl() string {
	extra := fmt.Sprintf("  alarm_actions = [%q]", testTopic)
	if c.providerX != nil {
		extra = *c.providerX
	}
	return acctest.ProviderConfig(extra) + fmt.Sprintf(`
resource "sagesafe_budget" "test" {
  name      = %[1]q
  limit_usd = %[2]g
%[3]s
}
`, c.name, c.limit, c.body)
}

// live is what the emulator holds for a budget: limit, filter, tags and
// each notification ("ACTUAL@80") with its subscribers.
type live struct {
	limit         float64
	services      []string // SERVICE values of a FilterExpression in sagesafe's form
	oldForm       bool     // CostFilters set
	notifications map[string][]string
	tags          map[string]string
}

func budgetARN(account, name string) string {
	return "arn:aws:budgets::" + account + ":budget/" + name
}

func readLive(t *testing.T, name string) (live, error) {
	ctx, c := context.Background(), acctest.AWS(t)
	out, err := c.Budgets.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(c.AccountID), BudgetName: aws.String(name)})
	if err != nil {
		return live{}, err
	}
	l := live{notifications: map[string][]string{}, oldForm: len(out.Budget.CostFilters) > 0} //nolint:staticcheck // the deprecated form must be gone
	// sagesafe's filter: SERVICE, and not RECORD_TYPE Credit and Refund.
	if e := out.Budget.FilterExpression; e != nil && len(e.And) == 2 && reflect.DeepEqual(e.And[1], grossFilter().And[1]) &&
		e.And[0].Dimensions != nil && e.And[0].Dimensions.Key == btypes.DimensionService {
		l.services = e.And[0].Dimensions.Values
	}
	tags, err := c.Budgets.ListTagsForResource(ctx, &budgets.ListTagsForResourceInput{ResourceARN: aws.String(budgetARN(c.AccountID, name))})
	if err != nil {
		return l, err
	}
	l.tags = map[string]string{}
	for _, t := range tags.ResourceTags {
		l.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	l.limit, _ = strconv.ParseFloat(aws.ToString(out.Budget.BudgetLimit.Amount), 64)
	ns, err := c.Budgets.DescribeNotificationsForBudget(ctx, &budgets.DescribeNotificationsForBudgetInput{AccountId: aws.String(c.AccountID), BudgetName: aws.String(name)})
	if err != nil {
		return l, err
	}
	for _, n := range ns.Notifications {
		subs, err := c.Budgets.DescribeSubscribersForNotification(ctx, &budgets.DescribeSubscribersForNotificationInput{
			AccountId: aws.String(c.AccountID), BudgetName: aws.String(name), Notification: &n})
		if err != nil {
			return l, err
		}
		k := fmt.Sprintf("%s@%g", n.NotificationType, n.Threshold)
		for _, s := range subs.Subscribers {
			l.notifications[k] = append(l.notifications[k], aws.ToString(s.Address))
		}
	}
	return l, nil
}

// checkLive checks the emulator's budget: SageMaker only, credits and
// refunds left out (FilterExpression, no CostFilters), the limit, and exactly the given notifications, each to
// topic.
func checkLive(t *testing.T, name string, limit float64, topic string, notifications ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		l, err := readLive(t, name)
		if err != nil {
			return err
		}
		if l.limit != limit || !slices.Equal(l.services, []string{"Amazon SageMaker"}) || l.oldForm {
			return fmt.Errorf("budget %s: limit %g, FilterExpression services %v (CostFilters too: %v); want %g, [Amazon SageMaker] alone, credits and refunds left out",
				name, l.limit, l.services, l.oldForm, limit)
		}
		if len(l.notifications) != len(notifications) {
			return fmt.Errorf("budget %s has notifications %v, want %v", name, l.notifications, notifications)
		}
		for _, n := range notifications {
			if !slices.Equal(l.notifications[n], []string{topic}) {
				return fmt.Errorf("budget %s: notification %s tells %v, want [%s] (all: %v)", name, n, l.notifications[n], topic, l.notifications)
			}
		}
		return nil
	}
}

// checkTags checks the budget's live tags: want, and sagesafe's creation
// token.
func checkTags(t *testing.T, name string, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		l, err := readLive(t, name)
		if err != nil {
			return err
		}
		if l.tags[idem.TokenTag] == "" {
			return fmt.Errorf("budget %s does not carry the creation token: %v", name, l.tags)
		}
		delete(l.tags, idem.TokenTag)
		if !maps.Equal(l.tags, want) {
			return fmt.Errorf("budget %s has tags %v, want %v", name, l.tags, want)
		}
		return nil
	}
}

// checkDestroyed asks the emulator that the budget is gone.
func checkDestroyed(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := readLive(t, name)
		var nf *btypes.NotFoundException
		if errors.As(err, &nf) {
			return nil
		}
		if err == nil {
			return fmt.Errorf("budget %s is left after destroy", name)
		}
		return err
	}
}

var heldCost = statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("SS-COST-1")}))

// TestAccBudget_basic creates a budget with the default notifications to
// the provider's alarm action, changes its limit, thresholds and topic,
// imports it, and destroys it.
func TestAccBudget_basic(t *testing.T) {
	providerX := fmt.Sprintf("  alarm_actions = [%q]\n  default_tags {\n    tags = { cost-center = \"cc-1\" }\n  }", testTopic)
	cfg := budgetConfig{name: acctest.RandomName("budget"), limit: 500, body: `  tags = { team = "ml" }`, providerX: &providerX}
	changed := cfg
	changed.limit = 750.5
	changed.body = fmt.Sprintf(`  topic_arn = %q
  notifications = [
    { type = "ACTUAL", threshold_percent = 50 },
    { type = "ACTUAL", threshold_percent = 90 },
    { type = "FORECASTED", threshold_percent = 110 },
  ]
  tags = { team = "finops", owner = "platform" }`, otherTopic)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, cfg.name),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{
				heldCost,
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("topic_arn"), knownvalue.StringExact(testTopic)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states"), knownvalue.MapPartial(map[string]knownvalue.Check{"SS-COST-1": knownvalue.StringExact("held")})),
			},
			Check: resource.ComposeTestCheckFunc(checkLive(t, cfg.name, 500, testTopic, "ACTUAL@80", "FORECASTED@100"),
				checkTags(t, cfg.name, map[string]string{"team": "ml", "cost-center": "cc-1"}),
				resource.TestCheckResourceAttr(addr, "service", "Amazon SageMaker"),
				resource.TestCheckResourceAttr(addr, "tags_all.%", "2")),
		}, {
			Config:            changed.hcl(),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
			ConfigStateChecks: []statecheck.StateCheck{heldCost},
			Check: resource.ComposeTestCheckFunc(checkLive(t, cfg.name, 750.5, otherTopic, "ACTUAL@50", "ACTUAL@90", "FORECASTED@110"),
				checkTags(t, cfg.name, map[string]string{"team": "finops", "owner": "platform", "cost-center": "cc-1"})),
		}, {
			ResourceName:      addr,
			ImportState:       true,
			ImportStateId:     cfg.name,
			ImportStateVerify: true,
		}},
	})
}

// TestAccBudget_drift changes the limit, the filter and the tags, removes a
// notification and adds a foreign one outside Terraform: the refresh shows it (SS-COST-1 no
// longer held once no notification tells anyone), and the next apply
// restores the budget. A budget rewritten in the deprecated CostFilters
// form (on SageMaker alone) is a diff too, and the apply rewrites it with
// FilterExpression.
func TestAccBudget_drift(t *testing.T) {
	cfg := budgetConfig{name: acctest.RandomName("budget"), limit: 500, body: `  tags = { team = "ml" }`}
	ctx := context.Background()
	tags := map[string]string{"team": "ml"}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, cfg.name),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check:  resource.ComposeTestCheckFunc(checkLive(t, cfg.name, 500, testTopic, "ACTUAL@80", "FORECASTED@100"), checkTags(t, cfg.name, tags)),
		}, {
			// Limit to 1 USD on all of EC2, the forecast notification gone,
			// the team tag changed and another added.
			PreConfig: func() {
				updateBudget(t, cfg.name, "1", &btypes.Budget{FilterExpression: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{
					Key: btypes.DimensionService, Values: []string{"Amazon Elastic Compute Cloud - Compute"}}}})
				deleteNotification(t, cfg.name, btypes.NotificationTypeForecasted, 100)
				c := acctest.AWS(t)
				// And a notification sagesafe does not set, to an email address.
				if _, err := c.Budgets.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: aws.String(c.AccountID),
					BudgetName: aws.String(cfg.name), Notification: &btypes.Notification{NotificationType: btypes.NotificationTypeActual,
						ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 10, ThresholdType: btypes.ThresholdTypeAbsoluteValue},
					Subscribers: []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("someone@example.com")}},
				}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Budgets.TagResource(ctx, &budgets.TagResourceInput{ResourceARN: aws.String(budgetARN(c.AccountID, cfg.name)),
					ResourceTags: []btypes.ResourceTag{{Key: aws.String("team"), Value: aws.String("other")}, {Key: aws.String("extra"), Value: aws.String("x")}}}); err != nil {
					t.Fatal(err)
				}
			},
			Config:            cfg.hcl(),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
			ConfigStateChecks: []statecheck.StateCheck{heldCost},
			Check:             resource.ComposeTestCheckFunc(checkLive(t, cfg.name, 500, testTopic, "ACTUAL@80", "FORECASTED@100"), checkTags(t, cfg.name, tags)),
		}, {
			// The same budget in the deprecated form: it still caps
			// SageMaker (SS-COST-1 holds), but the filter is a diff and the
			// apply rewrites it with FilterExpression.
			PreConfig: func() {
				updateBudget(t, cfg.name, "500", &btypes.Budget{CostFilters: map[string][]string{"Service": {"Amazon SageMaker"}}}) //nolint:staticcheck // the deprecated form, made on purpose
			},
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: resource.ComposeTestCheckFunc(resource.TestCheckResourceAttr(addr, "service", "CostFilters Service=Amazon SageMaker (deprecated form)"),
				resource.TestCheckResourceAttr(addr, "control_states.SS-COST-1", "held")),
		}, {
			Config:            cfg.hcl(),
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}},
			ConfigStateChecks: []statecheck.StateCheck{heldCost, statecheck.ExpectKnownValue(addr, tfjsonpath.New("service"), knownvalue.StringExact("Amazon SageMaker"))},
			Check:             checkLive(t, cfg.name, 500, testTopic, "ACTUAL@80", "FORECASTED@100"),
		}, {
			// Every notification gone: nobody is told; the refresh warns
			// and no longer holds SS-COST-1; the apply restores them.
			PreConfig: func() {
				deleteNotification(t, cfg.name, btypes.NotificationTypeActual, 80)
				deleteNotification(t, cfg.name, btypes.NotificationTypeForecasted, 100)
			},
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: resource.ComposeTestCheckFunc(resource.TestCheckResourceAttr(addr, "controls.#", "0"),
				resource.TestCheckResourceAttr(addr, "control_states.SS-COST-1", "failed"),
				resource.TestCheckResourceAttr(addr, "notifications.#", "0")),
		}, {
			Config:            cfg.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{heldCost},
			Check:             checkLive(t, cfg.name, 500, testTopic, "ACTUAL@80", "FORECASTED@100"),
		}},
	})
}

// updateBudget replaces the budget outside Terraform: a monthly cost
// budget of limit USD with filter's FilterExpression (and Metrics
// UnblendedCost, which AWS requires with it) or its deprecated CostFilters
// (and CostTypes counting gross spending, the legacy form);
// TestAccBudget_costTypesDrift changes what it counts.
func updateBudget(t *testing.T, name, limit string, filter *btypes.Budget) {
	c := acctest.AWS(t)
	b := &btypes.Budget{BudgetName: aws.String(name), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
		BudgetLimit: &btypes.Spend{Amount: aws.String(limit), Unit: aws.String("USD")}}
	if filter.FilterExpression != nil {
		b.FilterExpression, b.Metrics = filter.FilterExpression, []btypes.Metric{btypes.MetricUnblendedCost}
	} else {
		b.CostFilters = filter.CostFilters                                                              //nolint:staticcheck // the deprecated form, made on purpose
		b.CostTypes = &btypes.CostTypes{IncludeCredit: aws.Bool(false), IncludeRefund: aws.Bool(false)} //nolint:staticcheck // as above
	}
	if _, err := c.Budgets.UpdateBudget(context.Background(), &budgets.UpdateBudgetInput{AccountId: aws.String(c.AccountID), NewBudget: b}); err != nil {
		t.Fatal(err)
	}
}

func deleteNotification(t *testing.T, name string, typ btypes.NotificationType, percent float64) {
	c := acctest.AWS(t)
	if _, err := c.Budgets.DeleteNotification(context.Background(), &budgets.DeleteNotificationInput{
		AccountId: aws.String(c.AccountID), BudgetName: aws.String(name), Notification: &btypes.Notification{
			NotificationType: typ, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: percent, ThresholdType: btypes.ThresholdTypePercentage},
	}); err != nil {
		t.Fatal(err)
	}
}

// TestAccBudget_refusals: a budget that would tell nobody (no topic, no
// alarm_actions; no notifications; a topic of another account or region)
// is refused at plan with SS-COST-1, one whose limit is 0 or beyond 100
// million USD, or whose threshold is beyond its type's (ACTUAL 100 %,
// FORECASTED 200 %) by the schema, one without a required tag with SS-GOV-1, and nothing is
// created.
func TestAccBudget_refusals(t *testing.T) {
	name := acctest.RandomName("budget")
	none := ""
	required := fmt.Sprintf("  alarm_actions = [%q]\n  guardrails {\n    required_tags = [\"cost-center\"]\n  }", testTopic)
	steps := []resource.TestStep{}
	for _, c := range []struct {
		cfg     budgetConfig
		control string
	}{
		{budgetConfig{name: name, limit: 500, providerX: &none}, "SS-COST-1"},
		{budgetConfig{name: name, limit: 500, body: "  notifications = []"}, "SS-COST-1"},
		{budgetConfig{name: name, limit: 0}, "SS-COST-1|between"},
		{budgetConfig{name: name, limit: 1e12}, "between 0.010000 and 100000000"},
		{budgetConfig{name: name, limit: 500, body: `  notifications = [{ type = "ACTUAL", threshold_percent = 80 }, { type = "ACTUAL", threshold_percent = 150 }]`}, `Threshold beyond reach`},
		{budgetConfig{name: name, limit: 500, body: `  notifications = [{ type = "FORECASTED", threshold_percent = 1e9 }]`}, "between 0.010000 and 200"},
		{budgetConfig{name: name, limit: 500, body: `  topic_arn = "arn:aws:sns:us-east-1:999999999999:not-ours"`}, "SS-COST-1"},
		{budgetConfig{name: name, limit: 500, body: `  topic_arn = "arn:aws:sns:eu-west-1:123456789012:elsewhere"`}, "SS-COST-1"},
		{budgetConfig{name: name, limit: 500, body: `  tags = { team = "ml" }`, providerX: &required}, "SS-GOV-1"},
	} {
		// The previous step's refusal created nothing.
		nothing := func() {
			if err := checkDestroyed(t, name)(nil); err != nil {
				t.Fatal(err)
			}
		}
		want := regexp.MustCompile(c.control)
		steps = append(steps, resource.TestStep{PreConfig: nothing, Config: c.cfg.hcl(), PlanOnly: true, ExpectError: want},
			resource.TestStep{PreConfig: nothing, Config: c.cfg.hcl(), ExpectError: want})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, name),
		Steps:                    steps,
	})
}
