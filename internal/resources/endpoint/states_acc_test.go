package endpoint_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// TestAccEndpoint_controlStates: every control is in one state, and nothing
// unverified is held. SS-MON-4 is not checked before the endpoint's first
// update (SageMaker reports a deployment configuration only once an update
// used it) and held after it; a refresh whose subnet lookup fails marks the
// controls that needed it not checked, and drops them from `controls`,
// instead of reporting them held.
func TestAccEndpoint_controlStates(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	inj := &acctest.FaultInjector{}
	describeSubnets := func(c acctest.Call) bool { return c.Service == "ec2" && c.Action == "DescribeSubnets" }
	state := func(control, re string) resource.TestCheckFunc {
		return resource.TestMatchResourceAttr(address, "control_states."+control, regexp.MustCompile(re))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: inj.Wrap}),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config: testAccEndpointConfig_image(name, env, image("a1"), ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					state("SS-NET-2", `^held$`),
					state("SS-MON-4", `^not_checked: the endpoint has not been updated since it was created`),
					controlsLack("SS-MON-4"),
				),
			},
			{
				// One failure: the refresh's lookup. (A plan that follows looks
				// the subnets up again.)
				PreConfig:    func() { inj.Fail("InjectedFailure", 1, describeSubnets) },
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						if inj.Fired() != 1 {
							return fmt.Errorf("the refresh did not look up the subnets")
						}
						return nil
					},
					state("SS-NET-2", `^not_checked: lookup failed: .*InjectedFailure`),
					state("SS-NET-5", `^not_checked: lookup failed: `),
					state("SS-NET-4", `^held$`), // decided by the live model alone
					controlsLack("SS-NET-2"),
					controlsLack("SS-NET-5"),
				),
			},
			{
				Config: testAccEndpointConfig_image(name, env, image("b2"), ""),
				Check:  state("SS-NET-2", `^held$`),
			},
			{
				// The update sent the blue/green configuration; the refresh
				// reads it back from LastDeploymentConfig.
				RefreshState: true,
				Check:        state("SS-MON-4", `^held$`),
			},
		},
	})
}

// controlsLack checks that the endpoint's `controls` does not list id.
func controlsLack(id string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return fmt.Errorf("%s is not in state", address)
		}
		for k, v := range rs.Primary.Attributes {
			if strings.HasPrefix(k, "controls.") && k != "controls.#" && v == id {
				return fmt.Errorf("controls lists %s, whose state is %q", id, rs.Primary.Attributes["control_states."+id])
			}
		}
		return nil
	}
}
