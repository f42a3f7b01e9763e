package network_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/network"
)

const addr = "sagesafe_network.test"

// networkControls are the controls a compliant network satisfies.
var networkControls = []string{"SS-DATA-2", "SS-ENC-5", "SS-KMS-1", "SS-KMS-2", "SS-MON-3", "SS-MON-5", "SS-NET-2", "SS-NET-3", "SS-NET-6", "SS-NET-7", "SS-NET-8"}

func stringsExact(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

var (
	vpcIDRe    = regexp.MustCompile(`^vpc-[0-9a-f]+$`)
	subnetIDRe = regexp.MustCompile(`^subnet-[0-9a-f]+$`)
	rtbIDRe    = regexp.MustCompile(`^rtb-[0-9a-f]+$`)
	sgIDRe     = regexp.MustCompile(`^sg-[0-9a-f]+$`)
	vpceIDRe   = regexp.MustCompile(`^vpce-[0-9a-f]+$`)
	flIDRe     = regexp.MustCompile(`^fl-[0-9a-f]+$`)
)

func testAccNetworkConfig_basic(name, key string) string {
	return acctest.ProviderConfig("") + fmt.Sprintf(`
resource "sagesafe_network" "test" {
  name        = %[1]q
  cidr_block  = "10.60.0.0/16"
  kms_key_arn = %[2]q
  tags = {
    team = "ml-platform"
  }
}

data "sagesafe_preflight" "test" {
  subnet_ids         = sagesafe_network.test.subnet_ids
  security_group_ids = [sagesafe_network.test.workload_security_group_id]
  kms_key_arn        = sagesafe_network.test.kms_key_arn
  enforce            = true
}
`, name, key)
}

func TestAccNetwork_basic(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	endpointIDs := map[string]knownvalue.Check{"s3": knownvalue.StringRegexp(vpceIDRe)}
	for _, svc := range network.DefaultInterfaceEndpoints {
		endpointIDs[svc] = knownvalue.StringRegexp(vpceIDRe)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{{
			Config: testAccNetworkConfig_basic(name, key),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				// The default zones and the controls are known at plan time.
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("availability_zones"), stringsExact("us-east-1a", "us-east-1b")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), stringsExact(networkControls...)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("vpc_id"), knownvalue.StringRegexp(vpcIDRe)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("availability_zones"), stringsExact("us-east-1a", "us-east-1b")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("subnet_ids"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(subnetIDRe), knownvalue.StringRegexp(subnetIDRe)})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("route_table_ids"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringRegexp(rtbIDRe), knownvalue.StringRegexp(rtbIDRe)})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("workload_security_group_id"), knownvalue.StringRegexp(sgIDRe)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("endpoint_security_group_id"), knownvalue.StringRegexp(sgIDRe)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("vpc_endpoint_ids"), knownvalue.MapExact(endpointIDs)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("flow_log_id"), knownvalue.StringRegexp(flIDRe)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("flow_log_group_name"), knownvalue.StringExact("/sagesafe/network/"+name+"/flow-logs")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("flow_log_role_arn"), knownvalue.StringExact("arn:aws:iam::123456789012:role/"+name+"-flow-logs-us-east-1")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("flow_log_retention_days"), knownvalue.Int64Exact(365)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("interface_endpoints"), knownvalue.SetSizeExact(len(network.DefaultInterfaceEndpoints))),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), stringsExact(networkControls...)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact([]knownvalue.Check{})),
				// The foundation's preflight agrees: private subnets, compliant network.
				statecheck.ExpectKnownValue("data.sagesafe_preflight.test", tfjsonpath.New("compliant"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.sagesafe_preflight.test", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue("data.sagesafe_preflight.test", tfjsonpath.New("subnets").AtSliceIndex(0).AtMapKey("private"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.sagesafe_preflight.test", tfjsonpath.New("subnets").AtSliceIndex(1).AtMapKey("private"), knownvalue.Bool(true)),
			},
			Check: checkBuiltSecure(t, name, key),
		}},
	})
}

// checkBuiltSecure asks the emulator directly that the network is built as
// the issue describes.
func checkBuiltSecure(t *testing.T, name, key string) resource.TestCheckFunc {
	return func(st *terraform.State) error {
		ctx := context.Background()
		c := acctest.AWS(t)
		rs := st.RootModule().Resources[addr]
		if rs == nil {
			return fmt.Errorf("%s not in state", addr)
		}
		a := rs.Primary.Attributes
		plID, err := s3PrefixList(ctx, c)
		if err != nil {
			return err
		}
		for _, check := range []func() error{
			func() error { return checkVPCBuilt(ctx, c, a["vpc_id"]) },
			func() error { return checkSubnetsBuilt(ctx, c, a) },
			func() error { return checkRouteTablesBuilt(ctx, c, a, plID) },
			func() error { return checkGroupsBuilt(ctx, c, a, plID) },
			func() error { return checkEndpointsBuilt(ctx, c, a) },
			func() error { return checkFlowLogBuilt(ctx, c, a, key) },
			func() error { return checkFlowLogRole(ctx, t, name) },
		} {
			if err := check(); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkVPCBuilt: DNS on, no internet gateway, an empty default security group.
func checkVPCBuilt(ctx context.Context, c *awsclient.Client, vpcID string) error {
	for _, attr := range []ec2types.VpcAttributeName{ec2types.VpcAttributeNameEnableDnsSupport, ec2types.VpcAttributeNameEnableDnsHostnames} {
		out, err := c.EC2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(vpcID), Attribute: attr})
		if err != nil {
			return err
		}
		on := out.EnableDnsSupport
		if on == nil {
			on = out.EnableDnsHostnames
		}
		if on == nil || !aws.ToBool(on.Value) {
			return fmt.Errorf("VPC %s: %s is off", vpcID, attr)
		}
	}
	igw, err := c.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []ec2types.Filter{{Name: aws.String("attachment.vpc-id"), Values: []string{vpcID}}}})
	if err != nil {
		return err
	}
	if len(igw.InternetGateways) > 0 {
		return fmt.Errorf("VPC %s has an internet gateway", vpcID)
	}
	sgs, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}, {Name: aws.String("group-name"), Values: []string{"default"}}}})
	if err != nil {
		return err
	}
	if len(sgs.SecurityGroups) != 1 || len(sgs.SecurityGroups[0].IpPermissions)+len(sgs.SecurityGroups[0].IpPermissionsEgress) != 0 {
		return fmt.Errorf("the default security group of %s still has rules: %+v", vpcID, sgs.SecurityGroups)
	}
	return nil
}

// checkSubnetsBuilt: no public IPs, the first two quarters of the VPC CIDR.
func checkSubnetsBuilt(ctx context.Context, c *awsclient.Client, a map[string]string) error {
	subnets, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{a["subnet_ids.0"], a["subnet_ids.1"]}})
	if err != nil {
		return err
	}
	cidrs := map[string]string{}
	for _, s := range subnets.Subnets {
		if aws.ToBool(s.MapPublicIpOnLaunch) {
			return fmt.Errorf("subnet %s maps public IPs", aws.ToString(s.SubnetId))
		}
		cidrs[aws.ToString(s.AvailabilityZone)] = aws.ToString(s.CidrBlock)
	}
	if cidrs["us-east-1a"] != "10.60.0.0/18" || cidrs["us-east-1b"] != "10.60.64.0/18" {
		return fmt.Errorf("subnet CIDRs: %v", cidrs)
	}
	return nil
}

// s3PrefixList returns the ID of the region's S3 prefix list.
func s3PrefixList(ctx context.Context, c *awsclient.Client) (string, error) {
	pl, err := c.EC2.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{Filters: []ec2types.Filter{{Name: aws.String("prefix-list-name"), Values: []string{"com.amazonaws.us-east-1.s3"}}}})
	if err != nil || len(pl.PrefixLists) == 0 {
		return "", fmt.Errorf("S3 prefix list: %v", err)
	}
	return aws.ToString(pl.PrefixLists[0].PrefixListId), nil
}

// checkRouteTablesBuilt: only the local and S3 routes, each associated with
// its subnet.
func checkRouteTablesBuilt(ctx context.Context, c *awsclient.Client, a map[string]string, plID string) error {
	for i := range 2 {
		rtID := a[fmt.Sprintf("route_table_ids.%d", i)]
		out, err := c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{rtID}})
		if err != nil {
			return err
		}
		rt := out.RouteTables[0]
		var routes []string
		for _, r := range rt.Routes {
			routes = append(routes, aws.ToString(r.DestinationCidrBlock)+aws.ToString(r.DestinationPrefixListId)+"->"+aws.ToString(r.GatewayId))
		}
		want := []string{"10.60.0.0/16->local", plID + "->" + a["vpc_endpoint_ids.s3"]}
		slices.Sort(routes)
		slices.Sort(want)
		if !slices.Equal(routes, want) {
			return fmt.Errorf("route table %s has routes %v, want %v", rtID, routes, want)
		}
		assoc := ""
		for _, as := range rt.Associations {
			assoc = aws.ToString(as.SubnetId)
		}
		if assoc != a[fmt.Sprintf("subnet_ids.%d", i)] {
			return fmt.Errorf("route table %s is associated with %q", rtID, assoc)
		}
	}
	return nil
}

// checkGroupsBuilt: the workload and endpoint groups' exact rules.
func checkGroupsBuilt(ctx context.Context, c *awsclient.Client, a map[string]string, plID string) error {
	wl, ep := a["workload_security_group_id"], a["endpoint_security_group_id"]
	groups, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{wl, ep}})
	if err != nil {
		return err
	}
	for _, g := range groups.SecurityGroups {
		in, out := permSummary(g.IpPermissions), permSummary(g.IpPermissionsEgress)
		var wantIn, wantOut []string
		if aws.ToString(g.GroupId) == wl {
			wantIn = []string{"-1:" + wl}
			wantOut = []string{"-1:" + wl, "tcp443:" + ep, "tcp443:" + plID}
		} else {
			wantIn = []string{"tcp443:" + wl}
		}
		slices.Sort(wantOut)
		if !slices.Equal(in, wantIn) || !slices.Equal(out, wantOut) {
			return fmt.Errorf("security group %s: ingress %v egress %v, want %v / %v", aws.ToString(g.GroupId), in, out, wantIn, wantOut)
		}
	}
	return nil
}

// checkEndpointsBuilt: every default interface endpoint, private DNS on, in
// both subnets, behind the endpoint group only.
func checkEndpointsBuilt(ctx context.Context, c *awsclient.Client, a map[string]string) error {
	vpcID, ep := a["vpc_id"], a["endpoint_security_group_id"]
	eps, err := c.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}})
	if err != nil {
		return err
	}
	interfaces := 0
	for _, e := range eps.VpcEndpoints {
		if e.VpcEndpointType != ec2types.VpcEndpointTypeInterface {
			continue
		}
		interfaces++
		if !aws.ToBool(e.PrivateDnsEnabled) || len(e.SubnetIds) != 2 || len(e.Groups) != 1 || aws.ToString(e.Groups[0].GroupId) != ep {
			return fmt.Errorf("interface endpoint %s: private DNS %v, subnets %v, groups %v", aws.ToString(e.VpcEndpointId), aws.ToBool(e.PrivateDnsEnabled), e.SubnetIds, e.Groups)
		}
	}
	if interfaces != len(network.DefaultInterfaceEndpoints) {
		return fmt.Errorf("%d interface endpoints, want %d", interfaces, len(network.DefaultInterfaceEndpoints))
	}
	return nil
}

// checkFlowLogBuilt: the encrypted log group and a flow log of all traffic.
func checkFlowLogBuilt(ctx context.Context, c *awsclient.Client, a map[string]string, key string) error {
	vpcID := a["vpc_id"]
	lgs, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(a["flow_log_group_name"])})
	if err != nil || len(lgs.LogGroups) != 1 {
		return fmt.Errorf("log group %s: %v %v", a["flow_log_group_name"], err, lgs)
	}
	if aws.ToString(lgs.LogGroups[0].KmsKeyId) != key || aws.ToInt32(lgs.LogGroups[0].RetentionInDays) != 365 {
		return fmt.Errorf("log group key %s retention %d", aws.ToString(lgs.LogGroups[0].KmsKeyId), aws.ToInt32(lgs.LogGroups[0].RetentionInDays))
	}
	fls, err := c.EC2.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{FlowLogIds: []string{a["flow_log_id"]}})
	if err != nil || len(fls.FlowLogs) != 1 {
		return fmt.Errorf("flow log %s: %v", a["flow_log_id"], err)
	}
	fl := fls.FlowLogs[0]
	if fl.TrafficType != ec2types.TrafficTypeAll || aws.ToString(fl.LogGroupName) != a["flow_log_group_name"] || aws.ToString(fl.DeliverLogsPermissionArn) != a["flow_log_role_arn"] || aws.ToString(fl.ResourceId) != vpcID {
		return fmt.Errorf("flow log: %+v", fl)
	}
	return nil
}

func checkFlowLogRole(ctx context.Context, t *testing.T, name string) error {
	c := acctest.AWS(t)
	role, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(network.RoleName(name, acctest.Region))})
	if err != nil {
		return err
	}
	trust, _ := iampolicy.FlowLogsTrustPolicy("aws", acctest.Region, c.AccountID)
	if ok, err := iampolicy.Equivalent(aws.ToString(role.Role.AssumeRolePolicyDocument), trust.JSON()); err != nil || !ok {
		return fmt.Errorf("flow-log role trust policy %s (%v)", aws.ToString(role.Role.AssumeRolePolicyDocument), err)
	}
	doc, err := iampolicy.Parse(aws.ToString(role.Role.AssumeRolePolicyDocument))
	if err != nil {
		return err
	}
	if got := doc.Statement[0].Condition["StringEquals"]["aws:SourceAccount"]; !slices.Equal(got, []string{c.AccountID}) {
		return fmt.Errorf("flow-log role trust: aws:SourceAccount is %v, want %s", got, c.AccountID)
	}
	if got := doc.Statement[0].Principal["Service"]; !slices.Equal(got, []string{"vpc-flow-logs.amazonaws.com"}) {
		return fmt.Errorf("flow-log role trust: principal %v", got)
	}
	policy, err := c.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role.Role.RoleName, PolicyName: aws.String("vpc-flow-logs-delivery")})
	if err != nil {
		return err
	}
	want, _ := iampolicy.FlowLogsPolicy("aws", acctest.Region, c.AccountID, network.LogGroupName(name))
	if ok, err := iampolicy.Equivalent(aws.ToString(policy.PolicyDocument), want.JSON()); err != nil || !ok {
		return fmt.Errorf("flow-log role policy %s (%v)", aws.ToString(policy.PolicyDocument), err)
	}
	return nil
}

// permSummary renders permissions as sorted "proto[port]:peer" strings.
func permSummary(perms []ec2types.IpPermission) []string {
	var out []string
	for _, p := range perms {
		proto := aws.ToString(p.IpProtocol)
		if proto != "-1" {
			proto += fmt.Sprint(aws.ToInt32(p.FromPort))
		}
		for _, g := range p.UserIdGroupPairs {
			out = append(out, proto+":"+aws.ToString(g.GroupId))
		}
		for _, pl := range p.PrefixListIds {
			out = append(out, proto+":"+aws.ToString(pl.PrefixListId))
		}
		for _, r := range p.IpRanges {
			out = append(out, proto+":"+aws.ToString(r.CidrIp))
		}
	}
	slices.Sort(out)
	return out
}
