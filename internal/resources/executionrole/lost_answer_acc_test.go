package executionrole_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccExecutionRole_lostAnswers loses the first answer of CreateRole and
// PutRolePolicy after IAM applied them, and, during destroy, of
// DeleteRolePolicy and DeleteRole. The apply must succeed (not fail with
// EntityAlreadyExists on its own role) with exactly one role of the
// configured name, the next plan must be empty, and destroy must leave
// nothing.
func TestAccExecutionRole_lostAnswers(t *testing.T) {
	name := acctest.RandomName("lost")
	in := roleInputs{
		roleName: name,
		purpose:  "inference",
		read:     []string{"s3://" + acctest.RandomName("models") + "/churn/"},
		keys:     []string{acctest.Key(t, true)},
	}
	trust, policy := in.documents(t)
	l := acctest.LoseFirstAnswers(t, "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DeleteRole")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy: resource.ComposeTestCheckFunc(
			testAccCheckExecutionRoleDestroy(t),
			func(*terraform.State) error {
				if missed := l.Missed(); len(missed) > 0 {
					return fmt.Errorf("the test did not lose the answers of %v", missed)
				}
				if roles, err := rolesNamed(t, name); err != nil || len(roles) != 0 {
					return fmt.Errorf("roles left after destroy: %v (err %v)", roles, err)
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
				roles, err := rolesNamed(t, name)
				if err != nil {
					return err
				}
				if len(roles) != 1 {
					return fmt.Errorf("roles made by the apply: %v, want only %s", roles, name)
				}
				return checkLiveRole(t, name, trust, policy, 3600, "", map[string]string{"team": "ml"})
			},
		}},
	})
}

// rolesNamed asks the emulator for every role whose name starts with
// prefix (the test's random name).
func rolesNamed(t *testing.T, prefix string) ([]string, error) {
	var names []string
	p := iam.NewListRolesPaginator(acctest.AWS(t).IAM, &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			return nil, err
		}
		for _, r := range page.Roles {
			if strings.HasPrefix(aws.ToString(r.RoleName), prefix) {
				names = append(names, aws.ToString(r.RoleName))
			}
		}
	}
	return names, nil
}

// TestAccExecutionRole_lostBoundaryAnswer loses the first answers of
// PutRolePermissionsBoundary (a boundary added by an update) and
// DeleteRolePermissionsBoundary (removed again): each update must succeed
// and leave the role as planned, with an empty plan after it.
func TestAccExecutionRole_lostBoundaryAnswer(t *testing.T) {
	name := acctest.RandomName("lostb")
	in := roleInputs{
		roleName: name,
		purpose:  "inference",
		read:     []string{"s3://" + acctest.RandomName("models") + "/churn/"},
		keys:     []string{acctest.Key(t, true)},
	}
	trust, policy := in.documents(t)
	bounded := in
	bounded.boundary = "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"
	l := acctest.LoseFirstAnswers(t, "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{Config: in.hcl()},
			{
				Config: bounded.hcl(),
				Check: func(*terraform.State) error {
					if l.Lost("iam:PutRolePermissionsBoundary") != 1 {
						return fmt.Errorf("the answer of PutRolePermissionsBoundary was not lost")
					}
					return checkLiveRole(t, name, trust, policy, 3600, bounded.boundary, map[string]string{"team": "ml"})
				},
			},
			{
				Config: in.hcl(),
				Check: func(*terraform.State) error {
					if l.Lost("iam:DeleteRolePermissionsBoundary") != 1 {
						return fmt.Errorf("the answer of DeleteRolePermissionsBoundary was not lost")
					}
					return checkLiveRole(t, name, trust, policy, 3600, "", map[string]string{"team": "ml"})
				},
			},
		},
	})
}
