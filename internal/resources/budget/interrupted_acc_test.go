package budget_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// killedCreate is a step whose apply is killed right after CreateBudget
// reached AWS Budgets: the budget exists, nothing is in the state.
func killedCreate(k *acctest.Killer, cfg budgetConfig) resource.TestStep {
	return resource.TestStep{
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: k.Wrap}),
		Config:                   cfg.hcl(),
		ExpectError:              regexp.MustCompile(`AccessDenied`),
	}
}

// leftBehind checks that the killed apply left the budget, with the
// creation token.
func leftBehind(t *testing.T, k *acctest.Killer, name string) {
	if !k.Done() {
		t.Fatal("the first apply was not killed after CreateBudget")
	}
	l, err := readLive(t, name)
	if err != nil {
		t.Fatalf("the killed apply left no budget: %v", err)
	}
	if l.tags[idem.TokenTag] == "" {
		t.Fatalf("the killed apply's budget does not carry the creation token: %v", l.tags)
	}
}

// TestAccBudget_killedApplyAdopted: an apply is killed right after
// CreateBudget reached AWS Budgets, before Terraform saved the state; its
// creation token is gone with it. The next apply finds the budget of the
// configured name, with sagesafe's token and exactly the planned settings,
// notifications and tags, and records it instead of failing on the taken
// name. The plan after it is empty, and destroy deletes it.
func TestAccBudget_killedApplyAdopted(t *testing.T) {
	cfg := budgetConfig{name: acctest.RandomName("killed"), limit: 500, body: `  tags = { team = "ml" }`}
	k := &acctest.Killer{Action: "budgets:CreateBudget"}
	resource.Test(t, resource.TestCase{
		PreCheck:     func() { preCheck(t) },
		CheckDestroy: checkDestroyed(t, cfg.name),
		Steps: []resource.TestStep{killedCreate(k, cfg), {
			PreConfig:                func() { leftBehind(t, k, cfg.name) },
			ProtoV6ProviderFactories: acctest.ProviderFactories(),
			Config:                   cfg.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{heldCost},
			Check: resource.ComposeTestCheckFunc(checkLive(t, cfg.name, 500, testTopic, "ACTUAL@80", "FORECASTED@100"),
				checkTags(t, cfg.name, map[string]string{"team": "ml"})),
		}},
	})
}

// TestAccBudget_killedApplyRefused: the budget a killed apply left is
// not adopted when it is not exactly the planned one (its limit changed
// since), nor is a budget of the name that does not carry sagesafe's
// creation token (made by hand): the create is refused naming the budget,
// and the budget is left as it was.
func TestAccBudget_killedApplyRefused(t *testing.T) {
	cfg := budgetConfig{name: acctest.RandomName("killed"), limit: 500}
	k := &acctest.Killer{Action: "budgets:CreateBudget"}
	ctx := context.Background()
	refused := func(pre func(), why string) resource.TestStep {
		return resource.TestStep{PreConfig: pre, ProtoV6ProviderFactories: acctest.ProviderFactories(), Config: cfg.hcl(),
			ExpectError: regexp.MustCompile(`budget\s+` + regexp.QuoteMeta(cfg.name) + `[\s\S]*` + strings.ReplaceAll(why, " ", `\s+`))}
	}
	resource.Test(t, resource.TestCase{
		PreCheck: func() { preCheck(t) },
		CheckDestroy: func(s *terraform.State) error {
			// Nothing of the refused applies is in the state; the test
			// deletes the budget it left.
			c := acctest.AWS(t)
			if _, err := c.Budgets.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: aws.String(c.AccountID), BudgetName: aws.String(cfg.name)}); err != nil {
				return err
			}
			return checkDestroyed(t, cfg.name)(s)
		},
		Steps: []resource.TestStep{killedCreate(k, cfg),
			refused(func() {
				leftBehind(t, k, cfg.name)
				updateBudget(t, cfg.name, "1", &btypes.Budget{FilterExpression: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{
					Key: btypes.DimensionService, Values: []string{"Amazon SageMaker"}}}})
			}, `carries sagesafe's creation token[\s\S]*limit`),
			refused(func() {
				c := acctest.AWS(t)
				if _, err := c.Budgets.UntagResource(ctx, &budgets.UntagResourceInput{ResourceARN: aws.String(budgetARN(c.AccountID, cfg.name)),
					ResourceTagKeys: []string{idem.TokenTag}}); err != nil {
					t.Fatal(err)
				}
				updateBudget(t, cfg.name, "500", &btypes.Budget{FilterExpression: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{
					Key: btypes.DimensionService, Values: []string{"Amazon SageMaker"}}}})
			}, `does not carry the tag `+regexp.QuoteMeta(idem.TokenTag)),
			{
				// Still there, as the hand left it.
				PreConfig: func() {
					l, err := readLive(t, cfg.name)
					if err != nil || l.limit != 500 || l.tags[idem.TokenTag] != "" {
						t.Fatalf("the refused budget was changed: %+v (%v)", l, err)
					}
				},
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Config:                   acctest.ProviderConfig(""),
			},
		},
	})
}
