package posture

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// AssessSubnet resolves the route table that governs subnet (its explicit
// association, else the main route table of its VPC) among tables, which
// may hold tables of several VPCs, and decides whether the subnet is
// private. It is not private when any route of that table targets an
// internet gateway (whatever the destination), when the subnet assigns
// public IPv4 addresses on launch, or when no route table can be found.
// Reasons name the route table and route at fault.
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

			if igw := firstWithPrefix(targets, "igw-"); igw != "" {
				reason := fmt.Sprintf("%s sends %s to internet gateway %s", tableName, route.Destination, igw)
				if route.Destination == "0.0.0.0/0" || route.Destination == "::/0" {
					reason += " (a default route to the internet)"
				}
				if r.State == ec2types.RouteStateBlackhole {
					reason += " (the route is currently a blackhole, but the gateway can be reattached)"
				}
				fact.Reasons = append(fact.Reasons, reason)
			}
			if strings.HasPrefix(route.Destination, "pl-") && firstWithPrefix(targets, "vpce-") != "" {
				fact.HasS3GatewayRoute = true
			}
		}
	}

	if fact.MapPublicIPOnLaunch {
		fact.Reasons = append(fact.Reasons, fmt.Sprintf(
			"subnet %s assigns a public IPv4 address to every network interface launched in it (MapPublicIpOnLaunch is true)",
			fact.ID))
	}
	fact.Private = len(fact.Reasons) == 0
	return fact
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
