package budget_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

const grossShown = "gross unblended (credits and refunds not subtracted)"

// rewrite changes the live budget outside Terraform (same name, type,
// period, limit and filter).
func rewrite(t *testing.T, name string, edit func(*btypes.Budget)) {
	ctx, c := context.Background(), acctest.AWS(t)
	out, err := c.Budgets.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(c.AccountID), BudgetName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	b := *out.Budget
	b.CalculatedSpend = nil
	edit(&b)
	if _, err := c.Budgets.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: aws.String(c.AccountID), NewBudget: &b}); err != nil {
		t.Fatal(err)
	}
}

// checkGross asks the emulator that the budget counts gross spending
// (CostTypes written out: credits and refunds not subtracted, every charge
// type in, unblended) and has no AutoAdjustData.
func checkGross(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, c := context.Background(), acctest.AWS(t)
		out, err := c.Budgets.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(c.AccountID), BudgetName: aws.String(name)})
		if err != nil {
			return err
		}
		ct, b := out.Budget.CostTypes, out.Budget //nolint:staticcheck // the deprecated field sagesafe sets
		if ct == nil || b.AutoAdjustData != nil {
			return fmt.Errorf("budget %s: CostTypes %+v, AutoAdjustData %+v", name, ct, b.AutoAdjustData)
		}
		for flag, v := range map[string]*bool{"IncludeCredit": ct.IncludeCredit, "IncludeRefund": ct.IncludeRefund, "UseBlended": ct.UseBlended, "UseAmortized": ct.UseAmortized} {
			if v == nil || *v {
				return fmt.Errorf("budget %s: %s is %v, want false", name, flag, v)
			}
		}
		for flag, v := range map[string]*bool{"IncludeTax": ct.IncludeTax, "IncludeSubscription": ct.IncludeSubscription, "IncludeUpfront": ct.IncludeUpfront,
			"IncludeRecurring": ct.IncludeRecurring, "IncludeOtherSubscription": ct.IncludeOtherSubscription, "IncludeSupport": ct.IncludeSupport, "IncludeDiscount": ct.IncludeDiscount} {
			if v == nil || !*v {
				return fmt.Errorf("budget %s: %s is %v, want true", name, flag, v)
			}
		}
		return nil
	}
}

// TestAccBudget_costTypesDrift (from the red team's
// TestAccRedteam_budgetCostTypesUnseen): the create writes CostTypes out;
// rewritten outside Terraform to count net of credits and refunds (on an
// account with credits SageMaker's spending counts as about 0 and the
// budget never notifies), the refresh shows it in cost_types and fails
// SS-COST-1, and the apply restores it; an AutoAdjustData set outside
// Terraform is a diff the apply removes.
func TestAccBudget_costTypesDrift(t *testing.T) {
	name := acctest.RandomName("budget")
	cfg := budgetConfig{name: name, limit: 500}.hcl()
	update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, name),
		Steps: []resource.TestStep{{
			Config: cfg,
			Check:  resource.ComposeTestCheckFunc(checkGross(t, name), resource.TestCheckResourceAttr(addr, "cost_types", grossShown)),
		}, {
			PreConfig: func() {
				rewrite(t, name, func(b *btypes.Budget) {
					b.CostTypes = &btypes.CostTypes{IncludeCredit: aws.Bool(true), IncludeRefund: aws.Bool(true), IncludeDiscount: aws.Bool(true), //nolint:staticcheck // the red team's tamper
						IncludeTax: aws.Bool(false), IncludeSupport: aws.Bool(false), IncludeSubscription: aws.Bool(false),
						IncludeRecurring: aws.Bool(false), IncludeUpfront: aws.Bool(false), IncludeOtherSubscription: aws.Bool(false)}
				})
			},
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: resource.ComposeTestCheckFunc(resource.TestCheckResourceAttr(addr, "control_states.SS-COST-1", "failed"),
				resource.TestMatchResourceAttr(addr, "cost_types", regexp.MustCompile(`IncludeRefund=true, IncludeCredit=true`))),
		}, {
			Config:            cfg,
			ConfigPlanChecks:  update,
			ConfigStateChecks: []statecheck.StateCheck{heldCost},
			Check:             resource.ComposeTestCheckFunc(checkGross(t, name), checkLive(t, name, 500, testTopic, "ACTUAL@80", "FORECASTED@100")),
		}, {
			// Only amortized: still gross (SS-COST-1 holds), but a diff.
			PreConfig:          func() { rewrite(t, name, func(b *btypes.Budget) { b.CostTypes.UseAmortized = aws.Bool(true) }) }, //nolint:staticcheck // as above
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check: resource.ComposeTestCheckFunc(resource.TestCheckResourceAttr(addr, "control_states.SS-COST-1", "held"),
				resource.TestCheckResourceAttr(addr, "cost_types", "UseAmortized=true")),
		}, {
			Config:           cfg,
			ConfigPlanChecks: update,
			Check:            checkGross(t, name),
		}, {
			PreConfig: func() {
				rewrite(t, name, func(b *btypes.Budget) {
					b.AutoAdjustData = &btypes.AutoAdjustData{AutoAdjustType: btypes.AutoAdjustTypeForecast}
				})
			},
			Config:            cfg,
			ConfigPlanChecks:  update,
			ConfigStateChecks: []statecheck.StateCheck{heldCost},
			Check:             resource.ComposeTestCheckFunc(checkGross(t, name), resource.TestCheckResourceAttr(addr, "cost_types", grossShown)),
		}},
	})
}
