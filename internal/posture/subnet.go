package posture

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// AssessSubnet resolves the route table that governs subnet (its explicit
// association, else the main route table of its VPC) among tables, which
// may hold tables of several VPCs, and decides whether the subnet is
// private. It is private only when
//   - no route of that table sends a default route (0.0.0.0/0 or ::/0)
//     anywhere but "local" (a NAT, egress-only or internet gateway, a
//     transit gateway, a peering connection, a virtual private gateway,
//     a network interface, ... all lead out of the VPC);
//   - no route sends a range that holds a public address (or a prefix
//     list, whose entries are not looked up here) to an internet (igw-),
//     egress-only internet (eigw-), NAT (nat-) or carrier (cagw-) gateway,
//     and no route targets an internet gateway at all; a prefix list routed
//     to a gateway VPC endpoint (pl- to vpce-) is fine;
//   - the subnet does not assign public IPv4 addresses on launch;
//   - a route table governs it at all.
//
// Reasons name the route table, the route and its target, and the fix.
func AssessSubnet(subnet ec2types.Subnet, tables []ec2types.RouteTable) facts.SubnetFact {
	fact := facts.SubnetFact{
		ID:                  aws.ToString(subnet.SubnetId),
		Found:               true,
		VPCID:               aws.ToString(subnet.VpcId),
		AvailabilityZone:    aws.ToString(subnet.AvailabilityZone),
		MapPublicIPOnLaunch: aws.ToBool(subnet.MapPublicIpOnLaunch),
	}

	table, isMain := GoverningRouteTable(fact.ID, fact.VPCID, tables)
	if table == nil {
		fact.Reasons = append(fact.Reasons, fmt.Sprintf(
			"no route table governs subnet %s: it has no explicit association and no main route table was found for %s",
			fact.ID, fact.VPCID))
	} else {
		fact.RouteTableID = aws.ToString(table.RouteTableId)
		fact.RouteTableIsMain = isMain
		tableName := "route table " + fact.RouteTableID
		if isMain {
			tableName = fmt.Sprintf("route table %s (the main table of %s; the subnet has no explicit association)",
				fact.RouteTableID, fact.VPCID)
		}
		for _, r := range table.Routes {
			route := facts.Route{Destination: RouteDestination(r)}
			targets := RouteTargets(r)
			if len(targets) > 0 {
				route.Target = targets[0]
			}
			fact.Routes = append(fact.Routes, route)

			if why := routeLeavesVPC(route.Destination, targets); why != "" {
				reason := fmt.Sprintf("%s sends %s to %s (%s); remove that route", tableName, route.Destination, describeTarget(targets), why)
				if r.State == ec2types.RouteStateBlackhole {
					reason += " (it is currently a blackhole, but its target can come back)"
				}
				fact.Reasons = append(fact.Reasons, reason)
			}
			if strings.HasPrefix(route.Destination, "pl-") && firstWithPrefix(targets, "vpce-") != "" {
				fact.HasS3GatewayRoute = true
			}
		}
		fact.Reasons = append(fact.Reasons, splitDefaultRoutes(tableName, table.Routes)...)
	}

	if fact.MapPublicIPOnLaunch {
		fact.Reasons = append(fact.Reasons, fmt.Sprintf(
			"subnet %s assigns a public IPv4 address to every network interface launched in it (MapPublicIpOnLaunch is true)",
			fact.ID))
	}
	fact.Private = len(fact.Reasons) == 0
	return fact
}

// splitDefaultRoutes finds a default route written in pieces: routes to
// targets outside the VPC (not local, not a gateway VPC endpoint) whose
// destinations together cover every IPv4 or every IPv6 address, such as
// 0.0.0.0/1 and 128.0.0.0/1 to a transit gateway. Each piece alone is a
// specific range, which routeLeavesVPC allows; together they are a default
// route.
func splitDefaultRoutes(tableName string, routes []ec2types.Route) []string {
	var reasons []string
	for _, family := range []struct {
		name string
		v4   bool
	}{{"0.0.0.0/0", true}, {"::/0", false}} {
		var pieces []netip.Prefix
		var described []string
		for _, r := range routes {
			targets := RouteTargets(r)
			if slices.Contains(targets, "local") || firstWithPrefix(targets, "vpce-") != "" {
				continue
			}
			p, err := netip.ParsePrefix(RouteDestination(r))
			if err != nil || p.Addr().Is4() != family.v4 || p.Bits() == 0 { // a plain default route is reported on its own
				continue
			}
			pieces = append(pieces, p.Masked())
			described = append(described, RouteDestination(r)+" to "+describeTarget(targets))
		}
		if len(pieces) > 1 && coversAll(pieces) {
			reasons = append(reasons, fmt.Sprintf("%s sends %s (%s): together these routes are a default route %s that leaves the VPC; remove them",
				tableName, strings.Join(described, ", "), "a default route written in pieces", family.name))
		}
	}
	return reasons
}

// internetGateways are the targets that carry traffic to the internet:
// internet, egress-only internet, NAT and carrier gateways.
var internetGateways = []string{"igw-", "eigw-", "nat-", "cagw-"}

// routeLeavesVPC says why a route with this destination and these targets
// makes a subnet non-private, or returns "" when it does not.
func routeLeavesVPC(destination string, targets []string) string {
	if slices.Contains(targets, "local") {
		return ""
	}
	if isDefaultRoute(destination) {
		return "a default route leaves the VPC; only the local route may be the default"
	}
	gateway := ""
	for _, prefix := range internetGateways {
		if g := firstWithPrefix(targets, prefix); g != "" {
			gateway = g
			break
		}
	}
	switch {
	case gateway == "":
		return "" // a VPC endpoint, peering, transit gateway, ... for a specific range
	case strings.HasPrefix(gateway, "igw-"):
		return "a route to an internet gateway makes the subnet public"
	case strings.HasPrefix(destination, "pl-"):
		return "a prefix list, which can hold public ranges, is sent towards the internet"
	case HoldsPublicAddress(destination):
		return "a public range is sent towards the internet"
	}
	return ""
}

// describeTarget names a route's first target with its kind: "NAT gateway
// nat-0abc", "transit gateway tgw-0abc".
func describeTarget(targets []string) string {
	if len(targets) == 0 {
		return "no target"
	}
	t := targets[0]
	for _, k := range []struct{ prefix, kind string }{
		{"igw-", "internet gateway"}, {"eigw-", "egress-only internet gateway"}, {"nat-", "NAT gateway"},
		{"cagw-", "carrier gateway"}, {"tgw-", "transit gateway"}, {"pcx-", "VPC peering connection"},
		{"vgw-", "virtual private gateway"}, {"vpce-", "VPC endpoint"}, {"eni-", "network interface"},
		{"i-", "instance"}, {"lgw-", "local gateway"},
	} {
		if strings.HasPrefix(t, k.prefix) {
			return k.kind + " " + t
		}
	}
	return t
}

// GoverningRouteTable returns the table explicitly associated with the
// subnet, else the main table of its VPC (isMain true), else nil.
// Associations that are disassociated or failed are ignored.
func GoverningRouteTable(subnetID, vpcID string, tables []ec2types.RouteTable) (table *ec2types.RouteTable, isMain bool) {
	var main *ec2types.RouteTable
	for i := range tables {
		t := &tables[i]
		for _, a := range t.Associations {
			if !AssociationActive(a) {
				continue
			}
			if subnetID != "" && aws.ToString(a.SubnetId) == subnetID {
				return t, false
			}
			if aws.ToBool(a.Main) && vpcID != "" && aws.ToString(t.VpcId) == vpcID && main == nil {
				main = t
			}
		}
	}
	return main, main != nil
}

// AssociationActive reports whether a route table association is in force
// (associated or being associated; a missing state counts as associated).
// Everything that asks which table governs a subnet uses it, so that the
// network resource and the assessment agree on it.
func AssociationActive(a ec2types.RouteTableAssociation) bool {
	if a.AssociationState == nil {
		return true
	}
	switch a.AssociationState.State {
	case ec2types.RouteTableAssociationStateCodeDisassociated, ec2types.RouteTableAssociationStateCodeFailed:
		return false
	}
	return true
}

// RouteDestination returns a route's IPv4 CIDR, IPv6 CIDR or prefix list,
// or "" when it has none.
func RouteDestination(r ec2types.Route) string {
	for _, d := range []*string{r.DestinationCidrBlock, r.DestinationIpv6CidrBlock, r.DestinationPrefixListId} {
		if s := aws.ToString(d); s != "" {
			return s
		}
	}
	return ""
}

// RouteTargets returns every target a route names, in a stable order with
// GatewayId ("local", "igw-", "vgw-", and "vpce-" for gateway endpoints)
// first.
func RouteTargets(r ec2types.Route) []string {
	var out []string
	for _, t := range []*string{
		r.GatewayId, r.NatGatewayId, r.TransitGatewayId, r.VpcPeeringConnectionId,
		r.EgressOnlyInternetGatewayId, r.NetworkInterfaceId, r.InstanceId,
		r.LocalGatewayId, r.CarrierGatewayId, r.CoreNetworkArn, r.OdbNetworkArn,
	} {
		if s := aws.ToString(t); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// firstWithPrefix returns the first value starting with prefix, or "".
func firstWithPrefix(values []string, prefix string) string {
	for _, v := range values {
		if strings.HasPrefix(v, prefix) {
			return v
		}
	}
	return ""
}
