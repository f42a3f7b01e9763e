package network_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// testAccNetworkConfig_custom is a network with explicit zones, endpoints,
// retention and tags; extra goes inside the resource block.
func testAccNetworkConfig_custom(name, cidr, key string, endpoints []string, retention int, tags, extra string) string {
	quoted := make([]string, len(endpoints))
	for i, e := range endpoints {
		quoted[i] = fmt.Sprintf("%q", e)
	}
	return acctest.ProviderConfig("") + fmt.Sprintf(`
resource "sagesafe_network" "test" {
  name                    = %[1]q
  cidr_block              = %[2]q
  availability_zones      = ["us-east-1a", "us-east-1b", "us-east-1c"]
  kms_key_arn             = %[3]q
  interface_endpoints     = [%[4]s]
  flow_log_retention_days = %[5]d
  tags = {
%[6]s
  }
%[7]s
}
`, name, cidr, key, strings.Join(quoted, ", "), retention, tags, extra)
}

// stateAttrs captures the network's state attributes into *into.
func stateAttrs(into *map[string]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs := s.RootModule().Resources[addr]
		if rs == nil {
			return fmt.Errorf("%s not in state", addr)
		}
		*into = rs.Primary.Attributes
		return nil
	}
}

func mapKeys(keys ...string) knownvalue.Check {
	m := map[string]knownvalue.Check{}
	for _, k := range keys {
		m[k] = knownvalue.StringRegexp(vpceIDRe)
	}
	return knownvalue.MapExact(m)
}

func TestAccNetwork_update(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	base := []string{"sagemaker.api", "sagemaker.runtime", "sts", "logs"}
	var before, after map[string]string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{
				Config: testAccNetworkConfig_custom(name, "10.61.0.0/20", key, base, 365, `    team = "a"`, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("vpc_endpoint_ids"), mapKeys("s3", "sagemaker.api", "sagemaker.runtime", "sts", "logs")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("subnet_ids"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(stateAttrs(&before), checkSubnetCIDRs(t, "10.61.0.0/22", "10.61.4.0/22", "10.61.8.0/22")),
			},
			{
				// Add an endpoint, remove one, change tags and retention: all in place.
				Config: testAccNetworkConfig_custom(name, "10.61.0.0/20", key, []string{"sagemaker.api", "sagemaker.runtime", "sts", "ecr.dkr"}, 400, `    team = "b"
    cost = "ml"`, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("vpc_endpoint_ids")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("subnet_ids"), knownvalue.ListSizeExact(3)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("vpc_endpoint_ids"), mapKeys("s3", "sagemaker.api", "sagemaker.runtime", "sts", "ecr.dkr")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("flow_log_retention_days"), knownvalue.Int64Exact(400)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("b"), "cost": knownvalue.StringExact("ml")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					stateAttrs(&after),
					func(*terraform.State) error {
						// Kept objects kept their IDs; the removed endpoint is gone.
						for _, k := range []string{"vpc_id", "subnet_ids.0", "workload_security_group_id", "flow_log_id", "vpc_endpoint_ids.sagemaker.api", "vpc_endpoint_ids.s3"} {
							if before[k] != after[k] {
								return fmt.Errorf("%s changed from %s to %s", k, before[k], after[k])
							}
						}
						return checkEndpointGone(t, before["vpc_endpoint_ids.logs"])
					},
					checkSubnetTag(t, &after, "team", "b"),
				),
			},
			{
				// Drop a tag key: it comes off the EC2 objects, the flow-log role and its log group.
				Config: testAccNetworkConfig_custom(name, "10.61.0.0/20", key, []string{"sagemaker.api", "sagemaker.runtime", "sts", "ecr.dkr"}, 400, `    cost = "ml"`, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkSubnetTagAbsent(t, &after, "team"),
					checkRoleTagAbsent(t, &after, "team"),
					checkLogGroupTagAbsent(t, &after, "team"),
				),
			},
		},
	})
}

func checkSubnetTagAbsent(t *testing.T, attrs *map[string]string, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := acctest.AWS(t).EC2.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{SubnetIds: []string{(*attrs)["subnet_ids.0"]}})
		if err != nil {
			return err
		}
		for _, tag := range out.Subnets[0].Tags {
			if aws.ToString(tag.Key) == key {
				return fmt.Errorf("subnet %s still has tag %s", (*attrs)["subnet_ids.0"], key)
			}
		}
		return nil
	}
}

func checkRoleTagAbsent(t *testing.T, attrs *map[string]string, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		roleARN := (*attrs)["flow_log_role_arn"]
		name := roleARN[strings.LastIndex(roleARN, "/")+1:]
		out, err := acctest.AWS(t).IAM.ListRoleTags(context.Background(), &iam.ListRoleTagsInput{RoleName: aws.String(name)})
		if err != nil {
			return err
		}
		for _, tag := range out.Tags {
			if aws.ToString(tag.Key) == key {
				return fmt.Errorf("role %s still has tag %s", name, key)
			}
		}
		if len(out.Tags) == 0 {
			return fmt.Errorf("role %s has no tags at all; expected the network's own", name)
		}
		return nil
	}
}

func checkLogGroupTagAbsent(t *testing.T, attrs *map[string]string, key string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		c := acctest.AWS(t)
		name := (*attrs)["flow_log_group_name"]
		arn := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", c.Region, c.AccountID, name)
		out, err := c.Logs.ListTagsForResource(context.Background(), &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			return err
		}
		if _, ok := out.Tags[key]; ok {
			return fmt.Errorf("log group %s still has tag %s", name, key)
		}
		if len(out.Tags) == 0 {
			return fmt.Errorf("log group %s has no tags at all; expected the network's own", name)
		}
		return nil
	}
}

func checkEndpointGone(t *testing.T, id string) error {
	out, err := acctest.AWS(t).EC2.DescribeVpcEndpoints(context.Background(), &ec2.DescribeVpcEndpointsInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-endpoint-type"), Values: []string{"Interface"}}},
	})
	if err != nil {
		return err
	}
	for _, e := range out.VpcEndpoints {
		if aws.ToString(e.VpcEndpointId) == id && !strings.EqualFold(string(e.State), "deleted") {
			return fmt.Errorf("endpoint %s is still %s", id, e.State)
		}
	}
	return nil
}

func checkSubnetCIDRs(t *testing.T, want ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a := s.RootModule().Resources[addr].Primary.Attributes
		var ids []string
		for i := range want {
			ids = append(ids, a[fmt.Sprintf("subnet_ids.%d", i)])
		}
		out, err := acctest.AWS(t).EC2.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{SubnetIds: ids})
		if err != nil {
			return err
		}
		byID := map[string]string{}
		for _, sn := range out.Subnets {
			byID[aws.ToString(sn.SubnetId)] = aws.ToString(sn.CidrBlock) + "@" + aws.ToString(sn.AvailabilityZone)
		}
		for i, id := range ids {
			w := want[i] + "@us-east-1" + string(rune('a'+i))
			if byID[id] != w {
				return fmt.Errorf("subnet %d (%s) is %s, want %s", i, id, byID[id], w)
			}
		}
		return nil
	}
}

func checkSubnetTag(t *testing.T, attrs *map[string]string, key, value string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := acctest.AWS(t).EC2.DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{SubnetIds: []string{(*attrs)["subnet_ids.0"]}})
		if err != nil {
			return err
		}
		for _, tag := range out.Subnets[0].Tags {
			if aws.ToString(tag.Key) == key && aws.ToString(tag.Value) == value {
				return nil
			}
		}
		return fmt.Errorf("subnet %s lacks tag %s=%s: %v", (*attrs)["subnet_ids.0"], key, value, out.Subnets[0].Tags)
	}
}

// driftChecks assert the refreshed state after an out-of-band change: the
// drift list names the control, and the control is no longer satisfied.
func driftChecks(control string, driftRe *regexp.Regexp) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a := s.RootModule().Resources[addr].Primary.Attributes
		var drift, controls []string
		for k, v := range a {
			switch {
			case strings.HasPrefix(k, "drift.") && k != "drift.#":
				drift = append(drift, v)
			case strings.HasPrefix(k, "controls.") && k != "controls.#":
				controls = append(controls, v)
			}
		}
		if !slices.ContainsFunc(drift, driftRe.MatchString) {
			return fmt.Errorf("drift %q has no entry matching %s", drift, driftRe)
		}
		if control != "" && slices.Contains(controls, control) {
			return fmt.Errorf("controls %v still lists %s", controls, control)
		}
		return nil
	}
}

var restoredChecks = []statecheck.StateCheck{
	statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact([]knownvalue.Check{})),
	statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), stringsExact(networkControls...)),
}

func restorePlan() resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
		plancheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact([]knownvalue.Check{})),
	}}
}

func TestAccNetwork_driftInternetRoute(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	ctx := context.Background()
	c := acctest.AWS(t)
	var a map[string]string
	var igw string
	t.Cleanup(func() {
		if igw != "" {
			if err := fixtures.RemoveInternetGateway(ctx, c, igw); err != nil {
				t.Errorf("removing internet gateway %s: %v", igw, err)
			}
		}
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{
				Config: testAccNetworkConfig_basic(name, key),
				Check:  stateAttrs(&a),
			},
			{
				// Someone adds an internet gateway and a default route out of band.
				PreConfig: func() {
					var err error
					igw, err = fixtures.AddInternetRoute(ctx, c, a["vpc_id"], a["route_table_ids.0"])
					if err != nil {
						t.Fatalf("adding an internet route: %v", err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					driftChecks("SS-NET-2", regexp.MustCompile(`^SS-NET-2: route table rtb-\w+ sends 0\.0\.0\.0/0 to igw-`)),
					driftChecks("SS-NET-2", regexp.MustCompile(`^SS-NET-2: internet gateway igw-\w+ is attached`)),
				),
			},
			{
				// The next apply restores the private network.
				Config:            testAccNetworkConfig_basic(name, key),
				ConfigPlanChecks:  restorePlan(),
				ConfigStateChecks: restoredChecks,
				Check: func(*terraform.State) error {
					out, err := c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{a["route_table_ids.0"]}})
					if err != nil {
						return err
					}
					for _, r := range out.RouteTables[0].Routes {
						if strings.HasPrefix(aws.ToString(r.GatewayId), "igw-") {
							return fmt.Errorf("the internet route is still there: %+v", r)
						}
					}
					g, err := c.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{igw}})
					if err != nil {
						return err
					}
					if len(g.InternetGateways[0].Attachments) > 0 && g.InternetGateways[0].Attachments[0].State != ec2types.AttachmentStatusDetached {
						return fmt.Errorf("internet gateway %s is still attached", igw)
					}
					return nil
				},
			},
		},
	})
}

func TestAccNetwork_driftOpenIngress(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	ctx := context.Background()
	c := acctest.AWS(t)
	var a map[string]string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{
				Config: testAccNetworkConfig_basic(name, key),
				Check:  stateAttrs(&a),
			},
			{
				// Someone opens SSH to the world on the workload group, and
				// gives the endpoint group all outbound traffic.
				PreConfig: func() {
					if err := fixtures.OpenIngress(ctx, c, a["workload_security_group_id"], 22); err != nil {
						t.Fatalf("opening ingress: %v", err)
					}
					_, err := c.EC2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{
						GroupId:       aws.String(a["endpoint_security_group_id"]),
						IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
					})
					if err != nil {
						t.Fatalf("opening egress: %v", err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					driftChecks("SS-NET-3", regexp.MustCompile(`^SS-NET-3: workload security group sg-\w+ has an unexpected inbound rule: tcp 22 0\.0\.0\.0/0$`)),
					// Egress to public addresses fails SS-NET-3 on the groups sagesafe_network creates.
					driftChecks("SS-NET-3", regexp.MustCompile(`^SS-NET-3: endpoint security group sg-\w+ has an unexpected outbound rule: all traffic 0\.0\.0\.0/0$`)),
				),
			},
			{
				Config:            testAccNetworkConfig_basic(name, key),
				ConfigPlanChecks:  restorePlan(),
				ConfigStateChecks: restoredChecks,
				Check: func(*terraform.State) error {
					out, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{a["workload_security_group_id"], a["endpoint_security_group_id"]}})
					if err != nil {
						return err
					}
					for _, g := range out.SecurityGroups {
						for _, r := range append(permSummary(g.IpPermissions), permSummary(g.IpPermissionsEgress)...) {
							if strings.HasSuffix(r, ":0.0.0.0/0") {
								return fmt.Errorf("security group %s still has %s", aws.ToString(g.GroupId), r)
							}
						}
					}
					return nil
				},
			},
		},
	})
}

func TestAccNetwork_driftPublicSubnetAndDeletedEndpoint(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	ctx := context.Background()
	c := acctest.AWS(t)
	var a, restored map[string]string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{
				Config: testAccNetworkConfig_basic(name, key),
				Check:  stateAttrs(&a),
			},
			{
				// Public IPs on launch, a deleted endpoint, a deleted flow log
				// and rules on the default security group.
				PreConfig: func() {
					_, err := c.EC2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(a["subnet_ids.1"]), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}})
					if err == nil {
						_, err = c.EC2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{a["vpc_endpoint_ids.kms"]}})
					}
					if err == nil {
						_, err = c.EC2.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: []string{a["flow_log_id"]}})
					}
					if err == nil {
						var sgs *ec2.DescribeSecurityGroupsOutput
						sgs, err = c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{a["vpc_id"]}}, {Name: aws.String("group-name"), Values: []string{"default"}}}})
						if err == nil {
							err = fixtures.OpenIngress(ctx, c, aws.ToString(sgs.SecurityGroups[0].GroupId), 3389)
						}
					}
					if err != nil {
						t.Fatalf("weakening the network: %v", err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					driftChecks("SS-NET-2", regexp.MustCompile(`^SS-NET-2: subnet subnet-\w+ assigns public IPv4 addresses on launch`)),
					// The default group's open rule fails SS-NET-3 as well as SS-NET-7.
					driftChecks("SS-NET-3", regexp.MustCompile(`^SS-NET-7: default security group sg-\w+ has 1 inbound and 0 outbound rule\(s\); it must have none \(Security Hub EC2\.2\)$`)),
					driftChecks("SS-NET-7", regexp.MustCompile(`^SS-NET-7: default security group sg-\w+ has 1 inbound and 0 outbound rule\(s\)`)),
					driftChecks("SS-NET-8", regexp.MustCompile(`^SS-NET-8: the interface endpoint for com\.amazonaws\.us-east-1\.kms is missing$`)),
					driftChecks("SS-MON-5", regexp.MustCompile(`^SS-MON-5: no flow log records all traffic of VPC`)),
					// Read reflects the missing endpoint in interface_endpoints.
					resource.TestCheckResourceAttr(addr, "interface_endpoints.#", "7"),
					resource.TestCheckNoResourceAttr(addr, "flow_log_id"),
				),
			},
			{
				Config: testAccNetworkConfig_basic(name, key),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("vpc_endpoint_ids")),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("flow_log_id")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("subnet_ids"), knownvalue.ListSizeExact(2)),
				}},
				ConfigStateChecks: restoredChecks,
				Check: resource.ComposeAggregateTestCheckFunc(
					stateAttrs(&restored),
					resource.TestCheckResourceAttr(addr, "interface_endpoints.#", "8"),
					func(*terraform.State) error {
						if restored["vpc_endpoint_ids.kms"] == a["vpc_endpoint_ids.kms"] || restored["vpc_endpoint_ids.kms"] == "" {
							return fmt.Errorf("the kms endpoint was not recreated: %q", restored["vpc_endpoint_ids.kms"])
						}
						if restored["flow_log_id"] == "" || restored["subnet_ids.1"] != a["subnet_ids.1"] {
							return fmt.Errorf("flow log %q, subnet %q", restored["flow_log_id"], restored["subnet_ids.1"])
						}
						out, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{a["subnet_ids.1"]}})
						if err != nil {
							return err
						}
						if aws.ToBool(out.Subnets[0].MapPublicIpOnLaunch) {
							return fmt.Errorf("subnet %s still maps public IPs", a["subnet_ids.1"])
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccNetwork_import(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	foreignVPC := acctest.VPC(t, "10.70.0.0/16")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{
				Config: testAccNetworkConfig_custom(name, "10.62.0.0/24", key, []string{"sagemaker.api", "sagemaker.runtime", "ecr.api"}, 731, `    team = "import"`, ""),
			},
			{
				ResourceName:                         addr,
				ImportState:                          true,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "vpc_id",
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources[addr].Primary.Attributes["vpc_id"], nil
				},
			},
			{
				// A VPC that sagesafe_network did not make cannot be imported.
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: foreignVPC,
				ExpectError:   wrapped("has no sagesafe:network tag"),
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "subnet-0123456789abcdef0",
				ExpectError:   wrapped("Import sagesafe_network by its VPC ID"),
			},
		},
	})
}

func TestAccNetwork_refusals(t *testing.T) {
	name := acctest.RandomName("net")
	rotating := acctest.Key(t, true)
	static := acctest.Key(t, false)
	all := []string{"sagemaker.api", "sagemaker.runtime"}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		// Refusals first: the test destroys with the last step's configuration.
		Steps: []resource.TestStep{
			{
				Config:      testAccNetworkConfig_basic(name, static),
				ExpectError: regexp.MustCompile(`SS-KMS-2: KMS key (.|\n)* does\s+not\s+rotate\s+automatically`),
			},
			{
				Config:      testAccNetworkConfig_custom(name, "10.63.0.0/16", rotating, all, 30, "", ""),
				ExpectError: wrapped("SS-MON-3: log group /sagesafe/network/" + name + "/flow-logs keeps logs for only 30 days"),
			},
			{
				Config: acctest.ProviderConfig(`
  guardrails {
    required_tags = ["cost-center"]
  }`) + fmt.Sprintf(`
resource "sagesafe_network" "test" {
  name        = %q
  cidr_block  = "10.63.0.0/16"
  kms_key_arn = %q
}
`, name, rotating),
				ExpectError: wrapped(`SS-GOV-1: network "` + name + `" lacks required tags cost-center`),
			},
			{
				Config:      testAccNetworkConfig_custom(name, "10.63.0.0/25", rotating, all, 365, "", ""),
				ExpectError: wrapped("has a /25 prefix; use /16 to /24"),
			},
			{
				Config:      testAccNetworkConfig_custom(name, "10.63.0.1/16", rotating, all, 365, "", ""),
				ExpectError: wrapped("has host bits set; the network address is 10.63.0.0/16"),
			},
			{
				Config:      testAccNetworkConfig_custom(name, "10.63.0.0/16", rotating, []string{"sagemaker.api", "sts"}, 365, "", ""),
				ExpectError: wrapped(`interface_endpoints must contain "sagemaker.runtime"`),
			},
			{
				Config:      testAccNetworkConfig_custom(name, "10.63.0.0/16", rotating, []string{"sagemaker.api", "sagemaker.runtime", "s3"}, 365, "", ""),
				ExpectError: regexp.MustCompile(`Remove "s3"`),
			},
			{
				Config:      testAccNetworkConfig_custom(name, "10.63.0.0/16", rotating, []string{"sagemaker.api", "sagemaker.runtime", "no-such-service"}, 365, "", ""),
				ExpectError: wrapped("offers no VPC endpoint service com.amazonaws.us-east-1.no-such-service"),
			},
			{
				Config:      testAccNetworkConfig_custom(name, "10.63.0.0/16", rotating, all, 365, `    "sagesafe:network" = "other"`, ""),
				ExpectError: regexp.MustCompile(`Reserved tag key`),
			},
			{
				Config:      testAccNetworkConfig_custom(name, "10.63.0.0/16", "alias/my-key", all, 365, "", ""),
				ExpectError: wrapped("must be a KMS key ARN"),
			},
			{
				Config: strings.Replace(testAccNetworkConfig_custom(name, "10.63.0.0/16", rotating, all, 365, "", ""),
					`["us-east-1a", "us-east-1b", "us-east-1c"]`, `["us-east-1a", "us-east-1z"]`, 1),
				ExpectError: wrapped("us-east-1z is not an available zone of us-east-1"),
			},
			{
				Config: testAccNetworkConfig_custom(name, "10.63.0.0/16", rotating, all, 365, "", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("vpc_endpoint_ids"), mapKeys("s3", "sagemaker.api", "sagemaker.runtime")),
				},
			},
		},
	})
}

func TestAccNetwork_nameTaken(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	ctx := context.Background()
	c := acctest.AWS(t)
	// What an interrupted apply leaves behind: a VPC with the network's tag.
	out, err := c.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.64.0.0/16"), TagSpecifications: []ec2types.TagSpecification{{
		ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("sagesafe:network"), Value: aws.String(name)}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	leftover := aws.ToString(out.Vpc.VpcId)
	t.Cleanup(func() {
		if _, err := c.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(leftover)}); err != nil {
			t.Errorf("deleting %s: %v", leftover, err)
		}
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      testAccNetworkConfig_basic(name, key),
			ExpectError: wrapped("VPC " + leftover + " is tagged sagesafe:network=" + name),
		}},
		CheckDestroy: func(*terraform.State) error {
			left := acctest.NetworkLeftovers(t, name)
			if !slices.Equal(left, []string{"VPC " + leftover}) {
				return fmt.Errorf("leftovers: %v", left)
			}
			return nil
		},
	})
}

// wrapped matches text in a Terraform diagnostic, which wraps long lines at
// any space.
func wrapped(text string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(text), " ", `\s+`))
}
