package trainingjob_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccTrainingJob_refusesNetworkOpenAnotherWay checks that the ways out
// of a VPC that are not an internet gateway, and a security group opened in
// pieces, are refused at plan time: a subnet whose route table sends
// 0.0.0.0/0 to a NAT gateway (SS-NET-2) and a group allowing ingress from
// 0.0.0.0/1 and 128.0.0.0/1 (SS-NET-3). No training job is created.
func TestAccTrainingJob_refusesNetworkOpenAnotherWay(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	vpc := acctest.VPC(t, "10.63.0.0/16")
	natSubnet := acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.63.1.0/24", NATDefaultRoute: true, S3Gateway: true})
	halvesSG := acctest.SecurityGroupOpenTo(t, vpc, "0.0.0.0/1", "128.0.0.0/1")
	name := acctest.RandomName("bypass")
	with := func(subnet, sg string) string {
		cfg := jobConfig{env: e, nameLine: fmt.Sprintf("name = %q", name)}
		cfg.vpcBlock = fmt.Sprintf("vpc = {\n    subnet_ids         = [%q]\n    security_group_ids = [%q]\n  }", subnet, sg)
		return cfg.render(acctest.ProviderConfig)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if _, err := describe(context.Background(), c, name); err == nil {
				return fmt.Errorf("training job %s was created", name)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:      with(natSubnet, e.sg),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`SS-NET-2: subnet ` + natSubnet + ` is not private(.|\n)*0\.0\.0\.0/0\s+to\s+NAT\s+gateway\s+nat-[0-9a-f]+`),
			},
			{
				Config:      with(e.subnet, halvesSG),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`SS-NET-3: security group ` + halvesSG + ` allows\s+ingress\s+from\s+the\s+internet(.|\n)*0\.0\.0\.0/1`),
			},
		},
	})
}
