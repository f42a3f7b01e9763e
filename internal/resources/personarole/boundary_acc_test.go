package personarole_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccPersonaRole_permissionsBoundary: with the provider's
// role_permissions_boundary_arn, a persona role with another boundary is
// refused before it exists; one that sets none gets the provider's
// (SS-IAM-5 held), and a boundary deleted outside Terraform is a diff the
// next apply restores.
func TestAccPersonaRole_permissionsBoundary(t *testing.T) {
	name := acctest.RandomName("persona")
	org := acctest.Boundary(t, `{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"}`)
	other := acctest.Policy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	in := dataScientist(t, name)
	in.providerX = acctest.BoundaryGuardrail(org)
	conflicting := strings.Replace(in.hcl(), "  tags = {", fmt.Sprintf("  permissions_boundary_arn = %q\n  tags = {", other), 1)
	ctx := context.Background()
	ic := acctest.AWS(t).IAM
	checkBoundary := acctest.CheckRoleBoundary(ic, name, org)
	iam5 := statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-IAM-5"), knownvalue.StringExact("held"))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckPersonaRoleDestroy(t, name),
		Steps: []resource.TestStep{
			{
				Config:      conflicting,
				ExpectError: regexp.MustCompile(`SS-IAM-5: role ` + name + ` does not carry the organisation's permissions boundary`),
			},
			{
				PreConfig: func() {
					if err := acctest.NoRole(t, name); err != nil {
						t.Fatal(err) // the refused plan created nothing
					}
				},
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_boundary_arn"), knownvalue.StringExact(org)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{iam5},
				Check:             checkBoundary,
			},
			{
				PreConfig: func() {
					if _, err := ic.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(name)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBefore(addr, "controls", []any{"SS-IAM-3", "SS-IAM-4"}), // SS-IAM-5 dropped out
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_boundary_arn"), knownvalue.StringExact(org)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{iam5},
				Check:             checkBoundary,
			},
		},
	})
}
