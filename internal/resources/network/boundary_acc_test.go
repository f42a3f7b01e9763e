package network_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/network"
)

// TestAccNetwork_boundaryRemovedOutOfBand: with the provider's
// role_permissions_boundary_arn the flow-log role is created with it
// (SS-IAM-5 held); the boundary deleted outside Terraform is drift naming
// SS-IAM-5 (no longer held) and the next apply puts it back, although the
// answer of its PutRolePermissionsBoundary is lost (the SDK sends it again:
// it sets a value).
func TestAccNetwork_boundaryRemovedOutOfBand(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	boundary := acctest.Boundary(t, `{"Effect":"Allow","Action":"logs:*","Resource":"*"}`)
	role := network.RoleName(name, acctest.Region)
	ctx := context.Background()
	ic := acctest.AWS(t).IAM
	config := acctest.ProviderConfig(acctest.BoundaryGuardrail(boundary)) + fmt.Sprintf(`
resource "sagesafe_network" "test" {
  name        = %[1]q
  cidr_block  = "10.61.0.0/16"
  kms_key_arn = %[2]q
  tags = {
    team = "ml-platform"
  }
}
`, name, key)
	checkBoundary := acctest.CheckRoleBoundary(ic, role, boundary)
	lost := acctest.LoseFirstAnswers(t, "iam:PutRolePermissionsBoundary")
	held := statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), stringsExact(withIAM5(networkControls)...))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(lost.Options()),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{held}, Check: checkBoundary},
			{
				PreConfig: func() {
					if _, err := ic.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(role)}); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: driftChecks("SS-IAM-5", regexp.MustCompile(`^SS-IAM-5: flow-log role `+regexp.QuoteMeta(role)+
					` has no permissions boundary, not role_permissions_boundary_arn `+regexp.QuoteMeta(boundary)+`$`)),
			},
			{
				Config:            config,
				ConfigPlanChecks:  restorePlan(),
				ConfigStateChecks: []statecheck.StateCheck{held},
				Check: resource.ComposeTestCheckFunc(checkBoundary, func(*terraform.State) error {
					if lost.Lost("iam:PutRolePermissionsBoundary") != 1 {
						return fmt.Errorf("the answer of PutRolePermissionsBoundary was not lost")
					}
					return nil
				}),
			},
		},
	})
}

// withIAM5 is controls with SS-IAM-5 in its place (sorted by area).
func withIAM5(controls []string) []string {
	out := append([]string{"SS-IAM-5"}, controls...)
	for i := 1; i < len(out) && strings.Compare(out[i-1], out[i]) > 0; i++ {
		out[i-1], out[i] = out[i], out[i-1]
	}
	return out
}
