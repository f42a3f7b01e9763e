package audittrail_test

import (
	"context"
	"fmt"
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

// TestAccAuditTrail_boundaryRemovedOutOfBand: with the provider's
// role_permissions_boundary_arn the CloudTrail delivery role is created
// with it (SS-IAM-5 held); the boundary deleted outside Terraform drops
// SS-IAM-5 from the refreshed controls, and the next apply puts it back.
func TestAccAuditTrail_boundaryRemovedOutOfBand(t *testing.T) {
	boundary := acctest.Boundary(t, `{"Effect":"Allow","Action":"logs:*","Resource":"*"}`)
	cfg := trailConfig{name: acctest.RandomName("trail"), retention: 365,
		providerX: fmt.Sprintf("  alarm_actions = [%q]\n  guardrails {\n    role_permissions_boundary_arn = %q\n  }\n", testTopic, boundary)}
	role := cfg.name + "-cloudtrail-logs"
	ctx := context.Background()
	ic := acctest.AWS(t).IAM
	checkBoundary := acctest.CheckRoleBoundary(ic, role, boundary)
	held := knownvalue.ListExact([]knownvalue.Check{
		knownvalue.StringExact("SS-AUD-1"), knownvalue.StringExact("SS-AUD-2"), knownvalue.StringExact("SS-AUD-3"),
		knownvalue.StringExact("SS-AUD-4"), knownvalue.StringExact("SS-AUD-5"), knownvalue.StringExact("SS-IAM-5"),
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, cfg.name),
		Steps: []resource.TestStep{
			{
				Config:            cfg.hcl(),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), held)},
				Check:             checkBoundary,
			},
			{
				PreConfig: func() {
					must(t, func() error {
						_, err := ic.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(role)})
						return err
					})
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "controls.#", "5"),
					resource.TestCheckResourceAttr(addr, "control_states.SS-IAM-5", "failed"),
				),
			},
			{
				Config: cfg.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), held)},
				Check:             checkBoundary,
			},
		},
	})
}
