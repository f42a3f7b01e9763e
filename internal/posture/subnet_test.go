package posture

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

const (
	testVPC    = "vpc-0aaa"
	testSubnet = "subnet-0abc"
)

func subnet(id string, mapPublicIP bool) ec2types.Subnet {
	return ec2types.Subnet{
		SubnetId:            aws.String(id),
		VpcId:               aws.String(testVPC),
		AvailabilityZone:    aws.String("us-east-1a"),
		MapPublicIpOnLaunch: aws.Bool(mapPublicIP),
	}
}

// routeTable builds a table of testVPC; main marks it as the VPC's main
// table, subnets are its explicit associations.
func routeTable(id string, main bool, subnets []string, routes ...ec2types.Route) ec2types.RouteTable {
	t := ec2types.RouteTable{RouteTableId: aws.String(id), VpcId: aws.String(testVPC), Routes: routes}
	if main {
		t.Associations = append(t.Associations, ec2types.RouteTableAssociation{Main: aws.Bool(true), RouteTableId: aws.String(id)})
	}
	for _, s := range subnets {
		t.Associations = append(t.Associations, ec2types.RouteTableAssociation{
			Main: aws.Bool(false), RouteTableId: aws.String(id), SubnetId: aws.String(s),
			AssociationState: &ec2types.RouteTableAssociationState{State: ec2types.RouteTableAssociationStateCodeAssociated},
		})
	}
	return t
}

var (
	localRoute = ec2types.Route{DestinationCidrBlock: aws.String("10.0.0.0/16"), GatewayId: aws.String("local")}
	igwRoute   = ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String("igw-0123")}
	natRoute   = ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: aws.String("nat-0456")}
	// s3Route is how EC2 (and moto) show a gateway endpoint's route.
	s3Route = ec2types.Route{DestinationPrefixListId: aws.String("pl-63a5400a"), GatewayId: aws.String("vpce-0789")}
)

func TestAssessSubnet(t *testing.T) {
	tests := []struct {
		name        string
		subnet      ec2types.Subnet
		tables      []ec2types.RouteTable
		wantPrivate bool
		wantTable   string
		wantMain    bool
		wantS3      bool
		wantReasons []string // substrings, one per reason
	}{
		{
			name:   "private: explicit table with local and S3 gateway routes only, main table public",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{
				routeTable("rtb-main", true, nil, localRoute, igwRoute),
				routeTable("rtb-0def", false, []string{testSubnet}, localRoute, s3Route),
			},
			wantPrivate: true, wantTable: "rtb-0def", wantS3: true,
		},
		{
			name:   "NAT gateway default route",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{
				routeTable("rtb-main", true, nil, localRoute),
				routeTable("rtb-0def", false, []string{testSubnet}, localRoute, natRoute),
			},
			wantTable:   "rtb-0def",
			wantReasons: []string{"route table rtb-0def sends 0.0.0.0/0 to NAT gateway nat-0456 (a default route leaves the VPC; only the local route may be the default); remove that route"},
		},
		{
			name:   "private ranges to a transit gateway and a peering connection are fine",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{routeTable("rtb-0def", false, []string{testSubnet}, localRoute,
				ec2types.Route{DestinationCidrBlock: aws.String("10.20.0.0/16"), TransitGatewayId: aws.String("tgw-0222")},
				ec2types.Route{DestinationCidrBlock: aws.String("192.168.0.0/16"), VpcPeeringConnectionId: aws.String("pcx-0333")},
				ec2types.Route{DestinationIpv6CidrBlock: aws.String("fd00::/8"), NatGatewayId: aws.String("nat-0456")})},
			wantPrivate: true, wantTable: "rtb-0def",
		},
		{
			name:   "explicit table with igw default route",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{
				routeTable("rtb-main", true, nil, localRoute),
				routeTable("rtb-0def", false, []string{testSubnet}, localRoute, igwRoute),
			},
			wantTable: "rtb-0def",
			wantReasons: []string{
				"route table rtb-0def sends 0.0.0.0/0 to internet gateway igw-0123 (a default route leaves the VPC",
			},
		},
		{
			name:   "no explicit association: main table has igw route",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{
				routeTable("rtb-main", true, nil, localRoute, igwRoute),
				routeTable("rtb-other", false, []string{"subnet-0other"}, localRoute),
			},
			wantTable: "rtb-main", wantMain: true,
			wantReasons: []string{"route table rtb-main (the main table of vpc-0aaa; the subnet has no explicit association) sends 0.0.0.0/0 to internet gateway igw-0123"},
		},
		{
			name:   "no explicit association: private main table",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{
				routeTable("rtb-main", true, nil, localRoute, s3Route),
			},
			wantPrivate: true, wantTable: "rtb-main", wantMain: true, wantS3: true,
		},
		{
			name:   "main table of another VPC is not used",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{func() ec2types.RouteTable {
				t := routeTable("rtb-elsewhere", true, nil, localRoute)
				t.VpcId = aws.String("vpc-0other")
				return t
			}()},
			wantReasons: []string{"no route table governs subnet subnet-0abc"},
		},
		{
			name:        "no route table at all",
			subnet:      subnet(testSubnet, false),
			wantReasons: []string{"no route table governs subnet subnet-0abc"},
		},
		{
			name:   "disassociated explicit association falls back to main",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{
				routeTable("rtb-main", true, nil, localRoute),
				func() ec2types.RouteTable {
					t := routeTable("rtb-old", false, []string{testSubnet}, localRoute, igwRoute)
					t.Associations[0].AssociationState.State = ec2types.RouteTableAssociationStateCodeDisassociated
					return t
				}(),
			},
			wantPrivate: true, wantTable: "rtb-main", wantMain: true,
		},
		{
			name:   "MapPublicIpOnLaunch",
			subnet: subnet(testSubnet, true),
			tables: []ec2types.RouteTable{
				routeTable("rtb-0def", false, []string{testSubnet}, localRoute, s3Route),
			},
			wantTable: "rtb-0def", wantS3: true,
			wantReasons: []string{"MapPublicIpOnLaunch is true"},
		},
		{
			name:   "igw route to a narrow IPv6 destination still counts",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{
				routeTable("rtb-0def", false, []string{testSubnet}, localRoute,
					ec2types.Route{DestinationIpv6CidrBlock: aws.String("2600:1f18::/32"), GatewayId: aws.String("igw-0123")}),
			},
			wantTable:   "rtb-0def",
			wantReasons: []string{"route table rtb-0def sends 2600:1f18::/32 to internet gateway igw-0123"},
		},
		{
			name:   "prefix list routed to a NAT gateway is not an S3 gateway route",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{
				routeTable("rtb-0def", false, []string{testSubnet}, localRoute,
					ec2types.Route{DestinationPrefixListId: aws.String("pl-0111"), NatGatewayId: aws.String("nat-0456")}),
			},
			wantTable:   "rtb-0def",
			wantReasons: []string{"route table rtb-0def sends pl-0111 to NAT gateway nat-0456 (a prefix list, which can hold public ranges, is sent towards the internet)"},
		},
		{
			name:   "egress-only igw default route (IPv6)",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{
				routeTable("rtb-0def", false, []string{testSubnet}, localRoute, s3Route,
					ec2types.Route{DestinationIpv6CidrBlock: aws.String("::/0"), EgressOnlyInternetGatewayId: aws.String("eigw-0111")}),
			},
			wantTable: "rtb-0def", wantS3: true,
			wantReasons: []string{"route table rtb-0def sends ::/0 to egress-only internet gateway eigw-0111 (a default route leaves the VPC"},
		},
		{
			name:   "transit gateway default route",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{routeTable("rtb-0def", false, []string{testSubnet}, localRoute,
				ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), TransitGatewayId: aws.String("tgw-0222")})},
			wantTable:   "rtb-0def",
			wantReasons: []string{"sends 0.0.0.0/0 to transit gateway tgw-0222 (a default route leaves the VPC; only the local route may be the default); remove that route"},
		},
		{
			name:   "peering connection default route",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{routeTable("rtb-0def", false, []string{testSubnet}, localRoute,
				ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), VpcPeeringConnectionId: aws.String("pcx-0333")})},
			wantTable:   "rtb-0def",
			wantReasons: []string{"sends 0.0.0.0/0 to VPC peering connection pcx-0333 (a default route"},
		},
		{
			name:   "virtual private gateway default route (IPv6), a blackhole",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{routeTable("rtb-0def", false, []string{testSubnet}, localRoute,
				ec2types.Route{DestinationIpv6CidrBlock: aws.String("::/0"), GatewayId: aws.String("vgw-0444"), State: ec2types.RouteStateBlackhole})},
			wantTable:   "rtb-0def",
			wantReasons: []string{"sends ::/0 to virtual private gateway vgw-0444 (a default route leaves the VPC; only the local route may be the default); remove that route (it is currently a blackhole"},
		},
		{
			name:   "network interface default route",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{routeTable("rtb-0def", false, []string{testSubnet}, localRoute,
				ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/0"), NetworkInterfaceId: aws.String("eni-0555")})},
			wantTable:   "rtb-0def",
			wantReasons: []string{"sends 0.0.0.0/0 to network interface eni-0555 (a default route"},
		},
		{
			name:   "public ranges in pieces to a NAT gateway and an egress-only gateway",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{routeTable("rtb-0def", false, []string{testSubnet}, localRoute,
				ec2types.Route{DestinationCidrBlock: aws.String("0.0.0.0/1"), NatGatewayId: aws.String("nat-0456")},
				ec2types.Route{DestinationCidrBlock: aws.String("8.8.8.0/24"), NatGatewayId: aws.String("nat-0456")},
				ec2types.Route{DestinationIpv6CidrBlock: aws.String("2000::/3"), EgressOnlyInternetGatewayId: aws.String("eigw-0111")})},
			wantTable: "rtb-0def",
			wantReasons: []string{
				"sends 0.0.0.0/1 to NAT gateway nat-0456 (a public range is sent towards the internet); remove that route",
				"sends 8.8.8.0/24 to NAT gateway nat-0456 (a public range",
				"sends 2000::/3 to egress-only internet gateway eigw-0111 (a public range",
			},
		},
		{
			name:   "a public range to a transit gateway is not a route to the internet",
			subnet: subnet(testSubnet, false),
			tables: []ec2types.RouteTable{routeTable("rtb-0def", false, []string{testSubnet}, localRoute,
				ec2types.Route{DestinationCidrBlock: aws.String("52.0.0.0/8"), TransitGatewayId: aws.String("tgw-0222")})},
			wantPrivate: true, wantTable: "rtb-0def",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AssessSubnet(tt.subnet, tt.tables)
			if !got.Found || got.ID != testSubnet || got.VPCID != testVPC || got.AvailabilityZone != "us-east-1a" {
				t.Errorf("identity = %+v", got)
			}
			if got.Private != tt.wantPrivate {
				t.Errorf("Private = %v, want %v (reasons %q)", got.Private, tt.wantPrivate, got.Reasons)
			}
			if got.RouteTableID != tt.wantTable || got.RouteTableIsMain != tt.wantMain {
				t.Errorf("route table = %q main=%v, want %q main=%v", got.RouteTableID, got.RouteTableIsMain, tt.wantTable, tt.wantMain)
			}
			if got.HasS3GatewayRoute != tt.wantS3 {
				t.Errorf("HasS3GatewayRoute = %v, want %v", got.HasS3GatewayRoute, tt.wantS3)
			}
			assertContainsEach(t, "Reasons", got.Reasons, tt.wantReasons)
		})
	}
}

func TestAssessSubnetRoutes(t *testing.T) {
	table := routeTable("rtb-0def", false, []string{testSubnet}, localRoute, natRoute, s3Route,
		ec2types.Route{DestinationCidrBlock: aws.String("192.168.0.0/16"), TransitGatewayId: aws.String("tgw-0222")})
	got := AssessSubnet(subnet(testSubnet, false), []ec2types.RouteTable{table}).Routes
	want := []facts.Route{
		{Destination: "10.0.0.0/16", Target: "local"},
		{Destination: "0.0.0.0/0", Target: "nat-0456"},
		{Destination: "pl-63a5400a", Target: "vpce-0789"},
		{Destination: "192.168.0.0/16", Target: "tgw-0222"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Routes = %+v, want %+v", got, want)
	}
}

func TestRouteHelpers(t *testing.T) {
	multi := ec2types.Route{DestinationIpv6CidrBlock: aws.String("::/0"), GatewayId: aws.String("igw-0123"), NetworkInterfaceId: aws.String("eni-0333")}
	if got := RouteDestination(multi); got != "::/0" {
		t.Errorf("RouteDestination = %q", got)
	}
	if got := RouteTargets(multi); !reflect.DeepEqual(got, []string{"igw-0123", "eni-0333"}) {
		t.Errorf("RouteTargets = %q, want every target, GatewayId first", got)
	}
	if RouteDestination(ec2types.Route{}) != "" || RouteTargets(ec2types.Route{}) != nil {
		t.Error("an empty route has a destination or target")
	}
	for state, want := range map[ec2types.RouteTableAssociationStateCode]bool{
		"": true, ec2types.RouteTableAssociationStateCodeAssociating: true, ec2types.RouteTableAssociationStateCodeAssociated: true,
		ec2types.RouteTableAssociationStateCodeDisassociating: true,
		ec2types.RouteTableAssociationStateCodeDisassociated:  false, ec2types.RouteTableAssociationStateCodeFailed: false,
	} {
		a := ec2types.RouteTableAssociation{}
		if state != "" {
			a.AssociationState = &ec2types.RouteTableAssociationState{State: state}
		}
		if AssociationActive(a) != want {
			t.Errorf("AssociationActive(%q) = %v, want %v", state, !want, want)
		}
	}
	tables := []ec2types.RouteTable{routeTable("rtb-main", true, nil, localRoute), routeTable("rtb-0def", false, []string{testSubnet}, localRoute)}
	if got, isMain := GoverningRouteTable(testSubnet, testVPC, tables); got == nil || aws.ToString(got.RouteTableId) != "rtb-0def" || isMain {
		t.Errorf("GoverningRouteTable = %v main=%v, want the explicit table", got, isMain)
	}
	if got, isMain := GoverningRouteTable("subnet-0other", testVPC, tables); got == nil || aws.ToString(got.RouteTableId) != "rtb-main" || !isMain {
		t.Errorf("GoverningRouteTable = %v main=%v, want the main table", got, isMain)
	}
}

func TestSplitDefaultRoute(t *testing.T) {
	sn := ec2types.Subnet{SubnetId: aws.String("subnet-1"), VpcId: aws.String("vpc-1")}
	table := func(routes ...ec2types.Route) []ec2types.RouteTable {
		routes = append([]ec2types.Route{{DestinationCidrBlock: aws.String("10.0.0.0/16"), GatewayId: aws.String("local")}}, routes...)
		return []ec2types.RouteTable{{RouteTableId: aws.String("rtb-1"), VpcId: aws.String("vpc-1"), Routes: routes,
			Associations: []ec2types.RouteTableAssociation{{SubnetId: aws.String("subnet-1")}}}}
	}
	v4 := func(cidr, tgw string) ec2types.Route {
		return ec2types.Route{DestinationCidrBlock: aws.String(cidr), TransitGatewayId: aws.String(tgw)}
	}
	v6 := func(cidr string) ec2types.Route {
		return ec2types.Route{DestinationIpv6CidrBlock: aws.String(cidr), VpcPeeringConnectionId: aws.String("pcx-1")}
	}
	for _, tc := range []struct {
		name    string
		routes  []ec2types.Route
		private bool
	}{
		{"two halves to a transit gateway", []ec2types.Route{v4("0.0.0.0/1", "tgw-1"), v4("128.0.0.0/1", "tgw-2")}, false},
		{"four quarters, unordered", []ec2types.Route{v4("192.0.0.0/2", "tgw-1"), v4("0.0.0.0/2", "tgw-1"), v4("128.0.0.0/2", "tgw-1"), v4("64.0.0.0/2", "tgw-1")}, false},
		{"overlapping pieces", []ec2types.Route{v4("0.0.0.0/1", "tgw-1"), v4("64.0.0.0/2", "tgw-1"), v4("128.0.0.0/1", "tgw-1")}, false},
		{"IPv6 halves to peering", []ec2types.Route{v6("::/1"), v6("8000::/1")}, false},
		{"three quarters leave a gap", []ec2types.Route{v4("0.0.0.0/2", "tgw-1"), v4("64.0.0.0/2", "tgw-1"), v4("128.0.0.0/2", "tgw-1")}, true},
		{"a specific range to a transit gateway", []ec2types.Route{v4("172.16.0.0/12", "tgw-1")}, true},
	} {
		got := AssessSubnet(sn, table(tc.routes...))
		if got.Private != tc.private {
			t.Errorf("%s: private = %v, want %v (reasons %v)", tc.name, got.Private, tc.private, got.Reasons)
		}
		if !tc.private && !strings.Contains(strings.Join(got.Reasons, " "), "default route written in pieces") {
			t.Errorf("%s: reasons %v do not name the split default route", tc.name, got.Reasons)
		}
	}
}

func TestCoversAll(t *testing.T) {
	p := netip.MustParsePrefix
	if !coversAll([]netip.Prefix{p("0.0.0.0/1"), p("128.0.0.0/1")}) || coversAll([]netip.Prefix{p("0.0.0.0/1"), p("128.0.0.0/2")}) {
		t.Error("IPv4 halves")
	}
	if got := lastAddr(p("10.1.0.0/17")); got != netip.MustParseAddr("10.1.127.255") {
		t.Errorf("lastAddr = %s", got)
	}
}
