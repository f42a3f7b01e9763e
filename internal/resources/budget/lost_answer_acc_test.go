package budget_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccBudget_lostAnswers loses the first answer of each mutating call
// after the emulator applied it: CreateBudget (the retry gets
// DuplicateRecordException on its own budget), UpdateBudget,
// CreateNotification and DeleteNotification (a changed threshold),
// TagResource and UntagResource (changed tags), and DeleteBudget. Every apply must succeed with the planned budget, the
// next plan must be empty, and destroy must leave nothing.
func TestAccBudget_lostAnswers(t *testing.T) {
	actions := []string{"budgets:CreateBudget", "budgets:UpdateBudget", "budgets:CreateNotification", "budgets:DeleteNotification",
		"budgets:TagResource", "budgets:UntagResource", "budgets:DeleteBudget"}
	cfg := budgetConfig{name: acctest.RandomName("lost"), limit: 500, body: `  tags = { team = "ml" }`}
	changed := cfg
	changed.limit = 600
	changed.body = `  notifications = [{ type = "ACTUAL", threshold_percent = 90 }]
  tags = { owner = "finops" }`
	l := acctest.LoseFirstAnswers(t, actions...)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy: resource.ComposeTestCheckFunc(checkDestroyed(t, cfg.name), func(*terraform.State) error {
			if missed := l.Missed(); len(missed) > 0 {
				return fmt.Errorf("the test did not lose the answers of %v", missed)
			}
			return nil
		}),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check: resource.ComposeTestCheckFunc(lost(l, "budgets:CreateBudget"),
				checkLive(t, cfg.name, 500, testTopic, "ACTUAL@80", "FORECASTED@100"), checkTags(t, cfg.name, map[string]string{"team": "ml"})),
		}, {
			Config: changed.hcl(),
			Check: resource.ComposeTestCheckFunc(lost(l, "budgets:UpdateBudget", "budgets:CreateNotification", "budgets:DeleteNotification",
				"budgets:TagResource", "budgets:UntagResource"),
				checkLive(t, cfg.name, 600, testTopic, "ACTUAL@90"), checkTags(t, cfg.name, map[string]string{"owner": "finops"})),
		}},
	})
}

// lost checks that the first answer of each action was lost once.
func lost(l *acctest.Loser, actions ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, a := range actions {
			if n := l.Lost(a); n != 1 {
				return fmt.Errorf("the answer of %s was lost %d times, want 1", a, n)
			}
		}
		return nil
	}
}
