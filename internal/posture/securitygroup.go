package posture

import (
	"fmt"
	"net/netip"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// AssessSecurityGroup lists the ingress rules of sg that are open to the
// whole internet (0.0.0.0/0 or ::/0, written any way that parses to a /0)
// and whether its egress allows all traffic to the whole internet. Rules
// that reference security groups (including the group itself) or prefix
// lists are not open.
func AssessSecurityGroup(sg ec2types.SecurityGroup) facts.SecurityGroupFact {
	fact := facts.SecurityGroupFact{
		ID:    aws.ToString(sg.GroupId),
		Found: true,
		VPCID: aws.ToString(sg.VpcId),
	}
	for _, perm := range sg.IpPermissions {
		for _, cidr := range openCIDRs(perm) {
			fact.OpenIngress = append(fact.OpenIngress, fmt.Sprintf("%s from %s", describePermission(perm), cidr))
		}
	}
	for _, perm := range sg.IpPermissionsEgress {
		if aws.ToString(perm.IpProtocol) == "-1" && len(openCIDRs(perm)) > 0 {
			fact.UnrestrictedEgress = true
		}
	}
	return fact
}

// openCIDRs returns the CIDRs of a permission that cover every address.
func openCIDRs(perm ec2types.IpPermission) []string {
	var out []string
	for _, r := range perm.IpRanges {
		if isWholeInternet(aws.ToString(r.CidrIp)) {
			out = append(out, aws.ToString(r.CidrIp))
		}
	}
	for _, r := range perm.Ipv6Ranges {
		if isWholeInternet(aws.ToString(r.CidrIpv6)) {
			out = append(out, aws.ToString(r.CidrIpv6))
		}
	}
	return out
}

// isWholeInternet reports whether cidr has a zero-length prefix.
func isWholeInternet(cidr string) bool {
	p, err := netip.ParsePrefix(cidr)
	return err == nil && p.Bits() == 0
}

// describePermission phrases a permission's protocol and ports: "tcp 22",
// "udp 1000-2000", "tcp all ports", "icmp", "protocol 50", "all traffic".
func describePermission(perm ec2types.IpPermission) string {
	proto := aws.ToString(perm.IpProtocol)
	switch proto {
	case "-1", "all":
		return "all traffic"
	case "6":
		proto = "tcp"
	case "17":
		proto = "udp"
	case "1":
		proto = "icmp"
	case "58":
		proto = "icmpv6"
	case "tcp", "udp", "icmp", "icmpv6":
	default:
		return "protocol " + proto
	}
	if perm.FromPort == nil || perm.ToPort == nil {
		return proto
	}
	from, to := *perm.FromPort, *perm.ToPort
	switch {
	case proto == "icmp" || proto == "icmpv6":
		if from == -1 {
			return proto
		}
		return fmt.Sprintf("%s type %d", proto, from)
	case from == to:
		return fmt.Sprintf("%s %d", proto, from)
	case (from == 0 || from == -1) && (to == 65535 || to == -1):
		return proto + " all ports"
	default:
		return fmt.Sprintf("%s %d-%d", proto, from, to)
	}
}
