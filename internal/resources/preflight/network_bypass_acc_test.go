package preflight_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccPreflight_networkOpenAnotherWay: with enforce, a preflight fails
// the plan on a subnet whose route table sends 0.0.0.0/0 to a NAT gateway
// (SS-NET-2, naming the route and target) and on a security group open to
// 0.0.0.0/1 and 128.0.0.0/1 (SS-NET-3).
func TestAccPreflight_networkOpenAnotherWay(t *testing.T) {
	vpc := acctest.VPC(t, "10.42.0.0/16")
	natSubnet := acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.42.1.0/24", NATDefaultRoute: true, S3Gateway: true})
	halvesSG := acctest.SecurityGroupOpenTo(t, vpc, "0.0.0.0/1", "128.0.0.0/1")
	publicSG := acctest.SecurityGroupOpenTo(t, vpc, "8.8.8.0/24")
	privateSG := acctest.SecurityGroupOpenTo(t, vpc, "10.0.0.0/8", "100.64.0.0/10")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: config(fmt.Sprintf(`
  subnet_ids = [%q]
  enforce    = true
`, natSubnet)),
			ExpectError: regexp.MustCompile(`SS-NET-2: subnet ` + natSubnet + ` is not private(.|\n)*0\.0\.0\.0/0\s+to\s+NAT\s+gateway\s+nat-[0-9a-f]+(.|\n)*remove\s+that\s+route`),
		}, {
			Config: config(fmt.Sprintf(`
  security_group_ids = [%q]
  enforce            = true
`, halvesSG)),
			ExpectError: regexp.MustCompile(`SS-NET-3: security group ` + halvesSG + ` allows\s+ingress\s+from\s+the\s+internet(.|\n)*0\.0\.0\.0/1(.|\n)*128\.0\.0\.0/1`),
		}, {
			Config: config(fmt.Sprintf(`
  security_group_ids = [%q]
  enforce            = true
`, publicSG)),
			ExpectError: regexp.MustCompile(`SS-NET-3: security group ` + publicSG + ` allows\s+ingress\s+from\s+the\s+internet(.|\n)*8\.8\.8\.0/24`),
		}, {
			// Private and shared (100.64.0.0/10) ranges are not public.
			Config: config(fmt.Sprintf(`
  security_group_ids = [%q]
  enforce            = true
`, privateSG)),
		}},
	})
}

// TestAccPreflight_subnetsAndGroupsOfTwoVPCs: with enforce, a preflight
// fails the plan (SS-NET-1, naming the objects and their VPCs) when the
// subnets and security groups are not all in one VPC, each one private and
// closed on its own; those of one VPC pass.
func TestAccPreflight_subnetsAndGroupsOfTwoVPCs(t *testing.T) {
	vpcA := acctest.VPC(t, "10.43.0.0/16")
	vpcB := acctest.VPC(t, "10.44.0.0/16")
	subnetA := acctest.Subnet(t, vpcA, acctest.SubnetOpts{CIDR: "10.43.1.0/24", S3Gateway: true})
	subnetB := acctest.Subnet(t, vpcB, acctest.SubnetOpts{CIDR: "10.44.1.0/24", S3Gateway: true})
	groupA := acctest.SecurityGroup(t, vpcA, false)
	groupB := acctest.SecurityGroup(t, vpcB, false)
	step := func(subnets, groups string) string {
		return config(fmt.Sprintf(`
  subnet_ids         = [%s]
  security_group_ids = [%s]
  enforce            = true
`, subnets, groups))
	}
	q := func(id string) string { return fmt.Sprintf("%q", id) }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: step(q(subnetA), q(groupB)),
			ExpectError: regexp.MustCompile(`SS-NET-1: security group ` + groupB + ` is in ` + vpcB + `,\s+another\s+VPC\s+than\s+subnet\s+` +
				subnetA + ` \(` + vpcA + `\)`),
		}, {
			Config:      step(q(subnetA)+", "+q(subnetB), q(groupA)),
			ExpectError: regexp.MustCompile(`SS-NET-1: subnet ` + subnetB + ` is in ` + vpcB),
		}, {
			Config: step(q(subnetA), q(groupA)),
		}},
	})
}
