package network

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

const (
	testKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testPL  = "pl-63a5400a"
)

func testSpec() spec {
	return spec{
		Name: "ml", CIDR: "10.0.0.0/16", AZs: []string{"us-east-1a", "us-east-1b"},
		SubnetCIDRs: []string{"10.0.0.0/18", "10.0.64.0/18"}, KMSKeyARN: testKey, RetentionDays: 365,
		Services: []string{"sagemaker.api", "sagemaker.runtime"}, Tags: map[string]string{"team": "a"},
		Region: "us-east-1", Partition: "aws", AccountID: "111122223333",
	}
}

// secureLive builds the snapshot of a network exactly as reconcile makes it.
func secureLive(t *testing.T, s spec) *live {
	t.Helper()
	l := &live{
		VPC:          ec2types.Vpc{VpcId: aws.String("vpc-1"), CidrBlock: aws.String(s.CIDR), Tags: s.ec2Tags(roleVPC, "", nil)},
		Name:         s.Name,
		DNSSupport:   true,
		DNSHostnames: true,
		Zones:        map[string]*zone{},
		DefaultSG:    &ec2types.SecurityGroup{GroupId: aws.String("sg-default")},
		PrefixList:   testPL,
		Interfaces:   map[string]*ec2types.VpcEndpoint{},
	}
	policy, err := s.s3EndpointPolicy()
	if err != nil {
		t.Fatal(err)
	}
	l.S3Gateway = &ec2types.VpcEndpoint{VpcEndpointId: aws.String("vpce-s3"), Tags: s.ec2Tags(roleS3Gateway, s3Key, nil), PolicyDocument: aws.String(policy)}
	// The VPC's main table, as AWS makes it: only the local route.
	l.OtherTables = []ec2types.RouteTable{{
		RouteTableId: aws.String("rtb-main"), VpcId: aws.String("vpc-1"), Routes: []ec2types.Route{localRoute(s)},
		Associations: []ec2types.RouteTableAssociation{{Main: aws.Bool(true), RouteTableId: aws.String("rtb-main"), RouteTableAssociationId: aws.String("rtbassoc-main")}},
	}}
	for i, az := range s.AZs {
		subnetID, rtID := "subnet-"+az, "rtb-"+az
		extra := map[string]string{TagZone: az}
		l.Zones[az] = &zone{
			Subnet: &ec2types.Subnet{SubnetId: aws.String(subnetID), VpcId: aws.String("vpc-1"), CidrBlock: aws.String(s.SubnetCIDRs[i]), AvailabilityZone: aws.String(az),
				MapPublicIpOnLaunch: aws.Bool(false), Tags: s.ec2Tags(roleSubnet, "private-"+az, extra)},
			RouteTable: &ec2types.RouteTable{RouteTableId: aws.String(rtID), VpcId: aws.String("vpc-1"), Tags: s.ec2Tags(roleRouteTable, "private-"+az, extra), Routes: []ec2types.Route{
				localRoute(s),
				{DestinationPrefixListId: aws.String(testPL), GatewayId: aws.String("vpce-s3")},
			}, Associations: []ec2types.RouteTableAssociation{{RouteTableId: aws.String(rtID), SubnetId: aws.String(subnetID), RouteTableAssociationId: aws.String("rtbassoc-" + az)}}},
		}
		l.S3Gateway.RouteTableIds = append(l.S3Gateway.RouteTableIds, rtID)
	}
	w, e := "sg-workload", "sg-endpoint"
	l.WorkloadSG = &ec2types.SecurityGroup{GroupId: aws.String(w), Tags: s.ec2Tags(roleWorkloadSG, "workload", nil)}
	l.EndpointSG = &ec2types.SecurityGroup{GroupId: aws.String(e), Tags: s.ec2Tags(roleEndpointSG, "endpoint", nil)}
	wr, er := workloadRules(w, e, testPL), endpointRules(w)
	l.WorkloadSG.IpPermissions, l.WorkloadSG.IpPermissionsEgress = permissions(wr.Ingress), permissions(wr.Egress)
	l.EndpointSG.IpPermissions = permissions(er.Ingress)
	for _, svc := range s.Services {
		l.Interfaces[svc] = &ec2types.VpcEndpoint{
			VpcEndpointId: aws.String("vpce-" + svc), ServiceName: aws.String(s.serviceName(svc)),
			SubnetIds: l.subnetIDs(s.AZs), Groups: []ec2types.SecurityGroupIdentifier{{GroupId: aws.String(e)}},
			PrivateDnsEnabled: aws.Bool(true), Tags: s.ec2Tags(roleInterfaceEndpoint, svc, nil),
		}
	}
	trust, policy, err := s.flowLogDocuments()
	if err != nil {
		t.Fatal(err)
	}
	l.LogGroup = &logstypes.LogGroup{LogGroupName: aws.String(s.logGroupName()), KmsKeyId: aws.String(testKey), RetentionInDays: aws.Int32(365)}
	// IAM returns documents URL-encoded.
	l.Role = &iam.GetRoleOutput{Role: &iamtypes.Role{RoleName: aws.String(s.roleName()), AssumeRolePolicyDocument: aws.String(url.QueryEscape(trust))}}
	l.RolePolicy = url.QueryEscape(policy)
	l.FlowLogs = []ec2types.FlowLog{{
		FlowLogId: aws.String("fl-1"), TrafficType: ec2types.TrafficTypeAll, LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs,
		LogGroupName: aws.String(s.logGroupName()), DeliverLogsPermissionArn: aws.String(s.roleARN()),
	}}
	return l
}

func localRoute(s spec) ec2types.Route {
	return ec2types.Route{DestinationCidrBlock: aws.String(s.CIDR), GatewayId: aws.String("local")}
}

// testData is the provider data of the test account.
func testData(s spec) *providerdata.Data {
	return &providerdata.Data{AWS: &awsclient.Client{Region: s.Region, Partition: s.Partition, AccountID: s.AccountID}, Policy: guardrail.DefaultPolicy()}
}

// testDrift is driftOf with the controls judged from the snapshot, as apply's
// verify does.
func testDrift(s spec, l *live) []string {
	return driftOf(s, l, judgeLive(context.Background(), testData(s), s, l))
}

// unassociate removes subnet's explicit route table association.
func unassociate(l *live, subnet string) {
	for _, z := range l.Zones {
		z.RouteTable.Associations = slices.DeleteFunc(z.RouteTable.Associations, func(a ec2types.RouteTableAssociation) bool { return aws.ToString(a.SubnetId) == subnet })
	}
}

// reassociate associates subnet with a new route table of the VPC holding the
// local route and routes.
func reassociate(l *live, s spec, subnet, table string, routes ...ec2types.Route) {
	unassociate(l, subnet)
	l.OtherTables = append(l.OtherTables, ec2types.RouteTable{
		RouteTableId: aws.String(table), VpcId: aws.String("vpc-1"), Routes: append([]ec2types.Route{localRoute(s)}, routes...),
		Associations: []ec2types.RouteTableAssociation{{RouteTableId: aws.String(table), SubnetId: aws.String(subnet), RouteTableAssociationId: aws.String("rtbassoc-" + table)}},
	})
}

var (
	igwRoute = func(igw string) ec2types.Route {
		return ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(igw)}
	}
	openSSH = rule{Proto: "tcp", From: 22, To: 22, Peer: "0.0.0.0/0"}
)

func TestDriftOfSecureNetworkIsEmpty(t *testing.T) {
	s := testSpec()
	if d := testDrift(s, secureLive(t, s)); len(d) != 0 {
		t.Fatalf("drift of a secure network: %q", d)
	}
}

// driftCase weakens a secure network; one drift entry must match want.
type driftCase struct {
	name   string
	weaken func(l *live)
	want   string // a regexp
}

func TestDriftOf(t *testing.T) {
	s := testSpec()
	for _, tc := range append(networkDriftCases(s), loggingDriftCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			l := secureLive(t, s)
			tc.weaken(l)
			d := testDrift(s, l)
			if !slices.ContainsFunc(d, regexp.MustCompile(tc.want).MatchString) {
				t.Errorf("drift %q\nhas no entry matching %s", d, tc.want)
			}
		})
	}
}

// networkDriftCases weaken the VPC, subnets, routes, security groups and
// endpoints.
func networkDriftCases(s spec) []driftCase {
	return []driftCase{
		{"internet route", func(l *live) {
			rt := l.Zones["us-east-1a"].RouteTable
			rt.Routes = append(rt.Routes, ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String("igw-1")})
		}, `^SS-NET-2: route table rtb-us-east-1a sends 0\.0\.0\.0/0 to igw-1; only the local route`},
		{"NAT route", func(l *live) {
			rt := l.Zones["us-east-1b"].RouteTable
			rt.Routes = append(rt.Routes, ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: aws.String("nat-1")})
		}, `^SS-NET-2: route table rtb-us-east-1b sends 0\.0\.0\.0/0 to nat-1; only the local route`},
		{"public range to a NAT gateway", func(l *live) {
			rt := l.Zones["us-east-1b"].RouteTable
			rt.Routes = append(rt.Routes, ec2types.Route{DestinationCidrBlock: aws.String("8.8.8.0/24"), NatGatewayId: aws.String("nat-1")})
		}, `^SS-NET-2: route table rtb-us-east-1b sends 8\.8\.8\.0/24 to nat-1; only the local route`},
		{"transit gateway default route", func(l *live) {
			rt := l.Zones["us-east-1a"].RouteTable
			rt.Routes = append(rt.Routes, ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), TransitGatewayId: aws.String("tgw-1")})
		}, `^SS-NET-2: route table rtb-us-east-1a sends 0\.0\.0\.0/0 to tgw-1; only the local route`},
		// A private range to a transit gateway leaves the subnet private
		// (SS-NET-2 holds), but it is not the network's route.
		{"private range to a transit gateway", func(l *live) {
			rt := l.Zones["us-east-1a"].RouteTable
			rt.Routes = append(rt.Routes, ec2types.Route{DestinationCidrBlock: aws.String("10.50.0.0/16"), TransitGatewayId: aws.String("tgw-1")})
		}, `^route table rtb-us-east-1a sends 10\.50\.0\.0/16 to tgw-1; only the local route`},
		{"egress-only gateway", func(l *live) {
			rt := l.Zones["us-east-1b"].RouteTable
			rt.Routes = append(rt.Routes, ec2types.Route{DestinationIpv6CidrBlock: aws.String("::/0"), EgressOnlyInternetGatewayId: aws.String("eigw-1")})
		}, `^SS-NET-2: route table rtb-us-east-1b sends ::/0 to eigw-1`},
		{"attached gateway", func(l *live) {
			l.Gateways = []string{"igw-2"}
			rt := l.Zones["us-east-1a"].RouteTable
			rt.Routes = append(rt.Routes, igwRoute("igw-2"))
		}, `^SS-NET-2: internet gateway igw-2 is attached to VPC vpc-1$`},
		// No subnet routes to the gateway, so every subnet is private and
		// SS-NET-2 holds: the item names no control.
		{"unused attached gateway", func(l *live) { l.Gateways = []string{"igw-2"} }, `^internet gateway igw-2 is attached to VPC vpc-1$`},
		{"public IPs", func(l *live) { l.Zones["us-east-1b"].Subnet.MapPublicIpOnLaunch = aws.Bool(true) },
			`^SS-NET-2: subnet subnet-us-east-1b assigns public IPv4 addresses on launch`},
		{"public IPs and an internet route", func(l *live) {
			l.Zones["us-east-1b"].Subnet.MapPublicIpOnLaunch = aws.Bool(true)
			rt := l.Zones["us-east-1b"].RouteTable
			rt.Routes = append(rt.Routes, igwRoute("igw-1"))
		}, `^SS-NET-2: route table rtb-us-east-1b sends 0\.0\.0\.0/0 to igw-1; only the local route`},
		{"NAT route next to an internet route", func(l *live) {
			rt := l.Zones["us-east-1a"].RouteTable
			rt.Routes = append(rt.Routes, igwRoute("igw-1"), ec2types.Route{DestinationCidrBlock: aws.String("192.168.0.0/16"), NatGatewayId: aws.String("nat-1")})
		}, `^route table rtb-us-east-1a sends 192\.168\.0\.0/16 to nat-1;`},
		{"main table", func(l *live) {
			unassociate(l, "subnet-us-east-1a")
			l.OtherTables[0].Routes = append(l.OtherTables[0].Routes, igwRoute("igw-1"))
		}, `^SS-NET-2: subnet subnet-us-east-1a has no explicit route table association`},
		// The main table is private, so the subnet is too: no control.
		{"private main table", func(l *live) { unassociate(l, "subnet-us-east-1a") },
			`^subnet subnet-us-east-1a has no explicit route table association, so it uses the VPC's main route table instead of rtb-us-east-1a$`},
		{"other table", func(l *live) { reassociate(l, s, "subnet-us-east-1a", "rtb-public", igwRoute("igw-1")) },
			`^SS-NET-2: subnet subnet-us-east-1a is associated with route table rtb-public instead of rtb-us-east-1a$`},
		{"private other table", func(l *live) { reassociate(l, s, "subnet-us-east-1a", "rtb-other") },
			`^subnet subnet-us-east-1a is associated with route table rtb-other instead of rtb-us-east-1a$`},
		{"S3 route deleted", func(l *live) {
			rt := l.Zones["us-east-1a"].RouteTable
			rt.Routes = rt.Routes[:1]
		}, `^SS-NET-6: route table rtb-us-east-1a has no route from the S3 prefix list`},
		{"gateway gone", func(l *live) {
			// AWS removes a deleted gateway endpoint's routes with it.
			l.S3Gateway = nil
			for _, z := range l.Zones {
				z.RouteTable.Routes = z.RouteTable.Routes[:1]
			}
		}, `^SS-NET-6: the S3 gateway endpoint is missing$`},
		{"gateway gone, routes left", func(l *live) { l.S3Gateway = nil },
			`^the S3 gateway endpoint is missing$`},
		// AWS's default endpoint policy, or any edit of the network's.
		{"S3 endpoint policy allows every bucket", func(l *live) {
			l.S3Gateway.PolicyDocument = aws.String(`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)
		}, `^SS-DATA-2: S3 gateway endpoint vpce-s3 has a policy other than the network's \(only buckets of account 111122223333`},
		// Someone else adds an S3 interface endpoint (AWS's default
		// allow-all policy) to the network: workloads reach any account's
		// bucket through it, around the gateway's policy.
		{"foreign S3 interface endpoint with the default policy", func(l *live) {
			l.ForeignS3 = append(l.ForeignS3, ec2types.VpcEndpoint{VpcEndpointId: aws.String("vpce-other"), VpcEndpointType: ec2types.VpcEndpointTypeInterface,
				ServiceName: aws.String("com.amazonaws.us-east-1.s3"), PolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)})
		}, `^SS-DATA-2: S3 endpoint vpce-other \(Interface\), not made by the network, has a policy other than the network's`},
		{"S3 endpoint policy without the account condition", func(l *live) {
			l.S3Gateway.PolicyDocument = aws.String(strings.Replace(aws.ToString(l.S3Gateway.PolicyDocument), "111122223333", "999999999999", 1))
		}, `^SS-DATA-2: S3 gateway endpoint vpce-s3 has a policy other than the network's`},
		{"open ingress", func(l *live) {
			l.WorkloadSG.IpPermissions = append(l.WorkloadSG.IpPermissions, rule{Proto: "tcp", From: 22, To: 22, Peer: "0.0.0.0/0"}.permission())
		}, `^SS-NET-3: workload security group sg-workload has an unexpected inbound rule: tcp 22 0\.0\.0\.0/0$`},
		{"internal rule next to open ingress", func(l *live) {
			l.WorkloadSG.IpPermissions = append(l.WorkloadSG.IpPermissions, openSSH.permission(), rule{Proto: "tcp", From: 80, To: 80, Peer: "10.0.0.0/8"}.permission())
		}, `^workload security group sg-workload has an unexpected inbound rule: tcp 80 10\.0\.0\.0/8$`},
		// Egress to public addresses fails SS-NET-3 on the groups
		// sagesafe_network creates.
		{"wide egress on an open group", func(l *live) {
			l.WorkloadSG.IpPermissions = append(l.WorkloadSG.IpPermissions, openSSH.permission())
			l.WorkloadSG.IpPermissionsEgress = append(l.WorkloadSG.IpPermissionsEgress, rule{Proto: "-1", From: -1, To: -1, Peer: "0.0.0.0/0"}.permission())
		}, `^SS-NET-3: workload security group sg-workload has an unexpected outbound rule: all traffic 0\.0\.0\.0/0$`},
		{"wide egress", func(l *live) {
			l.EndpointSG.IpPermissionsEgress = append(l.EndpointSG.IpPermissionsEgress, rule{Proto: "-1", From: -1, To: -1, Peer: "0.0.0.0/0"}.permission())
		}, `^SS-NET-3: endpoint security group sg-endpoint has an unexpected outbound rule: all traffic 0\.0\.0\.0/0$`},
		{"egress to a public /24", func(l *live) {
			l.WorkloadSG.IpPermissionsEgress = append(l.WorkloadSG.IpPermissionsEgress, rule{Proto: "tcp", From: 443, To: 443, Peer: "8.8.8.0/24"}.permission())
		}, `^SS-NET-3: workload security group sg-workload has an unexpected outbound rule: tcp 443 8\.8\.8\.0/24$`},
		{"ingress open in pieces", func(l *live) {
			l.WorkloadSG.IpPermissions = append(l.WorkloadSG.IpPermissions, rule{Proto: "tcp", From: 22, To: 22, Peer: "0.0.0.0/1"}.permission())
		}, `^SS-NET-3: workload security group sg-workload has an unexpected inbound rule: tcp 22 0\.0\.0\.0/1$`},
		{"rule removed", func(l *live) { l.EndpointSG.IpPermissions = nil },
			`^endpoint security group sg-endpoint lacks its inbound rule: tcp 443 sg-workload$`},
		{"default group", func(l *live) {
			l.DefaultSG.IpPermissionsEgress = []ec2types.IpPermission{rule{Proto: "-1", From: -1, To: -1, Peer: "0.0.0.0/0"}.permission()}
		}, `^SS-NET-7: default security group sg-default has 0 inbound and 1 outbound rule\(s\); it must have none \(Security Hub EC2\.2\)$`},
		{"endpoint deleted", func(l *live) { delete(l.Interfaces, "sagemaker.api") },
			`^SS-NET-8: the interface endpoint for com\.amazonaws\.us-east-1\.sagemaker\.api is missing$`},
		{"endpoint extra", func(l *live) {
			l.Interfaces["kms"] = &ec2types.VpcEndpoint{VpcEndpointId: aws.String("vpce-kms"), PrivateDnsEnabled: aws.Bool(true)}
		}, `^interface endpoint vpce-kms for com\.amazonaws\.us-east-1\.kms is not in interface_endpoints$`},
		{"private DNS off", func(l *live) { l.Interfaces["sagemaker.runtime"].PrivateDnsEnabled = aws.Bool(false) },
			`^interface endpoint vpce-sagemaker\.runtime \(sagemaker\.runtime\) has private DNS off`},
		{"endpoint extra group", func(l *live) {
			e := l.Interfaces["sagemaker.api"]
			e.Groups = append(e.Groups, ec2types.SecurityGroupIdentifier{GroupId: aws.String("sg-open")})
		}, `uses security groups \[sg-endpoint, sg-open\] instead of only sg-endpoint$`},
		{"endpoint lost a subnet", func(l *live) { l.Interfaces["sagemaker.api"].SubnetIds = []string{"subnet-us-east-1a"} },
			`has no network interface in subnet subnet-us-east-1b$`},
		{"subnet deleted", func(l *live) { l.Zones["us-east-1b"].Subnet = nil }, `^the private subnet in us-east-1b is missing$`},
		{"DNS off", func(l *live) { l.DNSHostnames = false }, `enableDnsHostnames\) off`},
	}
}

// loggingDriftCases weaken the flow log, its group and its role.
func loggingDriftCases() []driftCase {
	return []driftCase{
		{"flow log deleted", func(l *live) { l.FlowLogs = nil }, `^SS-MON-5: no flow log records all traffic of VPC vpc-1`},
		{"flow log weakened", func(l *live) { l.FlowLogs[0].TrafficType = ec2types.TrafficTypeReject },
			`^flow log fl-1 \(traffic REJECT to /sagesafe/network/ml/flow-logs\) does not match`},
		{"flow log weakened is SS-MON-5", func(l *live) { l.FlowLogs[0].TrafficType = ec2types.TrafficTypeReject },
			`^SS-MON-5: no flow log records all traffic of VPC vpc-1`},
		{"flow log through another role", func(l *live) {
			l.FlowLogs[0].DeliverLogsPermissionArn = aws.String("arn:aws:iam::111122223333:role/other")
		},
			`^flow log fl-1 \(traffic ALL to /sagesafe/network/ml/flow-logs through role arn:aws:iam::111122223333:role/other\) does not match`},
		{"log key removed", func(l *live) { l.LogGroup.KmsKeyId = nil },
			`^SS-ENC-5: flow-log group /sagesafe/network/ml/flow-logs is encrypted with no key`},
		{"retention shortened", func(l *live) { l.LogGroup.RetentionInDays = aws.Int32(7) },
			`^SS-MON-3: flow-log group /sagesafe/network/ml/flow-logs keeps events for 7 days, not flow_log_retention_days 365$`},
		{"log group deleted", func(l *live) { l.LogGroup = nil }, `^SS-ENC-5: flow-log group /sagesafe/network/ml/flow-logs is missing$`},
		{"trust widened", func(l *live) {
			l.Role.Role.AssumeRolePolicyDocument = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
		}, `^flow-log role ml-flow-logs-us-east-1 has a trust policy other than`},
		{"policy widened", func(l *live) {
			l.RolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`
		}, `policy vpc-flow-logs-delivery allows more or other than writing to /sagesafe/network/ml/flow-logs$`},
		{"managed policy", func(l *live) { l.RoleAttachedARNs = []string{"arn:aws:iam::aws:policy/AdministratorAccess"} },
			`has managed policy arn:aws:iam::aws:policy/AdministratorAccess attached$`},
		{"tag removed", func(l *live) { l.Zones["us-east-1a"].Subnet.Tags = nil },
			`^subnet subnet-us-east-1a has tag sagesafe:network="", not "ml"$`},
	}
}

func TestDiffRules(t *testing.T) {
	want := workloadRules("sg-w", "sg-e", testPL).Egress
	have := rulesOf([]ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
			UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String("sg-e"), UserId: aws.String("111122223333"), Description: aws.String("other words")}},
			PrefixListIds:    []ec2types.PrefixListId{{PrefixListId: aws.String(testPL)}}},
		{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}},
	})
	extra, missing := diffRules(want, have)
	if len(extra) != 1 || extra[0].String() != "all traffic 0.0.0.0/0" {
		t.Errorf("extra = %v", extra)
	}
	if len(missing) != 1 || missing[0].String() != "all traffic sg-w" {
		t.Errorf("missing = %v (descriptions must not matter)", missing)
	}
	// A rule round-trips through IpPermission.
	for _, r := range append(want, rule{Proto: "udp", From: 53, To: 54, Peer: "::/0"}, rule{Proto: "tcp", From: 1, To: 2, Peer: "10.0.0.0/8"}) {
		back := rulesOf([]ec2types.IpPermission{r.permission()})
		if len(back) != 1 || back[0].key() != r.key() {
			t.Errorf("%v round-trips to %v", r, back)
		}
	}
}

func TestFlowLogDocuments(t *testing.T) {
	s := testSpec()
	trust, policy, err := s.flowLogDocuments()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Service":"vpc-flow-logs.amazonaws.com"`, `"aws:SourceAccount":"111122223333"`, `"aws:SourceArn":"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"`} {
		if !strings.Contains(trust, want) {
			t.Errorf("trust policy %s lacks %s", trust, want)
		}
	}
	group := "arn:aws:logs:us-east-1:111122223333:log-group:/sagesafe/network/ml/flow-logs"
	for _, want := range []string{`"Resource":["` + group + `","` + group + `:*"]`, `"logs:PutLogEvents"`} {
		if !strings.Contains(policy, want) {
			t.Errorf("policy %s lacks %s", policy, want)
		}
	}
	if strings.Contains(policy, "logs:CreateLogGroup") || strings.Contains(policy, `"Resource":"*"`) {
		t.Errorf("policy %s is broader than writing to its group", policy)
	}
	if s.roleARN() != "arn:aws:iam::111122223333:role/ml-flow-logs-us-east-1" {
		t.Errorf("role ARN %s", s.roleARN())
	}
}

func TestServiceNames(t *testing.T) {
	s := testSpec()
	if got := s.serviceName("sagemaker.api"); got != "com.amazonaws.us-east-1.sagemaker.api" {
		t.Errorf("serviceName = %s", got)
	}
	if short, ok := s.shortService("com.amazonaws.us-east-1.ecr.dkr"); !ok || short != "ecr.dkr" {
		t.Errorf("shortService = %s %v", short, ok)
	}
	if _, ok := s.shortService("aws.sagemaker.us-east-1.notebook"); ok {
		t.Error("shortService accepted a service of another naming scheme")
	}
	s.Partition, s.Region = "aws-cn", "cn-north-1"
	if got := s.serviceName("sts"); got != "cn.com.amazonaws.cn-north-1.sts" {
		t.Errorf("China serviceName = %s", got)
	}
}

func TestEndpointStateIsCaseInsensitive(t *testing.T) {
	// The SDK's enum says "Available"; EC2 answers "available".
	for _, st := range []ec2types.State{"available", ec2types.StateAvailable} {
		if endpointState(ec2types.VpcEndpoint{State: st}) != stateAvailable {
			t.Errorf("%q is not available", st)
		}
	}
	for _, st := range []ec2types.State{"deleted", "Deleting", "failed", ec2types.StateRejected} {
		if !endpointGone(ec2types.VpcEndpoint{State: st}) {
			t.Errorf("%q is not gone", st)
		}
	}
	if endpointGone(ec2types.VpcEndpoint{State: "pending"}) {
		t.Error("pending is gone")
	}
}
