package personarole_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccPersonaRole_lostAnswers loses the first answer of CreateRole and
// PutRolePolicy after IAM applied them, and, during destroy, of
// DeleteRolePolicy and DeleteRole. The apply must succeed (not fail with
// EntityAlreadyExists on its own role) with the role as generated, the next
// plan must be empty, and destroy must leave nothing.
func TestAccPersonaRole_lostAnswers(t *testing.T) {
	name := acctest.RandomName("lostp")
	in := dataScientist(t, name)
	trust, policy := in.documents(t)
	l := acctest.LoseFirstAnswers(t, "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DeleteRole")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy: resource.ComposeTestCheckFunc(
			testAccCheckPersonaRoleDestroy(t, name),
			func(*terraform.State) error {
				if missed := l.Missed(); len(missed) > 0 {
					return fmt.Errorf("the test did not lose the answers of %v", missed)
				}
				return nil
			},
		),
		Steps: []resource.TestStep{{
			Config: in.hcl(),
			Check: func(*terraform.State) error {
				if l.Lost("iam:CreateRole") != 1 || l.Lost("iam:PutRolePolicy") != 1 {
					return fmt.Errorf("answers lost: CreateRole %d, PutRolePolicy %d; want 1 each", l.Lost("iam:CreateRole"), l.Lost("iam:PutRolePolicy"))
				}
				return checkLiveRole(t, name, trust, policy, 3600, map[string]string{"team": "ml"})
			},
		}},
	})
}
