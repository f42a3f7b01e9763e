package posture

import (
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// PrefixLists holds the CIDRs of managed prefix lists by ID, as
// GetManagedPrefixListEntries returns them.
type PrefixLists map[string][]string

// AssessSecurityGroup decides sg's exposure to public addresses (any
// address outside RFC 1918, 100.64.0.0/10, link-local, loopback and the
// IPv6 unique-local and link-local ranges; see HoldsPublicAddress):
//   - OpenIngress lists the inbound rules from a CIDR that holds a public
//     address (0.0.0.0/1 and 8.8.8.0/24 as much as 0.0.0.0/0), and from a
//     prefix list that holds one or whose entries are not in lists (it
//     fails closed);
//   - PublicEgress lists the outbound rules to such a CIDR or prefix list;
//     a rule to a prefix list names it, so that the check can accept one
//     the subnets route to a gateway VPC endpoint;
//   - UnrestrictedEgress is an outbound rule for all traffic to 0.0.0.0/0
//     or ::/0.
//
// Rules that reference security groups (including the group itself) are
// not open.
func AssessSecurityGroup(sg ec2types.SecurityGroup, lists PrefixLists) facts.SecurityGroupFact {
	fact := facts.SecurityGroupFact{
		ID:    aws.ToString(sg.GroupId),
		Found: true,
		VPCID: aws.ToString(sg.VpcId),
	}
	for _, perm := range sg.IpPermissions {
		for _, p := range publicPeers(perm, lists) {
			fact.OpenIngress = append(fact.OpenIngress, describePermission(perm)+" from "+p.describe())
		}
	}
	for _, perm := range sg.IpPermissionsEgress {
		for _, p := range publicPeers(perm, lists) {
			fact.PublicEgress = append(fact.PublicEgress, facts.EgressRule{
				Rule: describePermission(perm) + " to " + p.describe(), PrefixList: p.prefixList,
			})
			if aws.ToString(perm.IpProtocol) == "-1" && isDefaultRoute(p.cidr) {
				fact.UnrestrictedEgress = true
			}
		}
	}
	return fact
}

// publicPeer is a CIDR, or a prefix list, of a rule that holds a public
// address.
type publicPeer struct {
	cidr       string
	prefixList string
	entry      string // the public entry of the prefix list, "" when unknown
}

func (p publicPeer) describe() string {
	switch {
	case p.prefixList == "":
		return p.cidr
	case p.entry == "":
		return "prefix list " + p.prefixList + " (its entries could not be read, so it counts as public)"
	default:
		return "prefix list " + p.prefixList + " (it holds the public range " + p.entry + ")"
	}
}

// publicPeers returns the CIDRs and prefix lists of a permission that hold
// a public address.
func publicPeers(perm ec2types.IpPermission, lists PrefixLists) []publicPeer {
	var out []publicPeer
	for _, r := range perm.IpRanges {
		if c := aws.ToString(r.CidrIp); HoldsPublicAddress(c) {
			out = append(out, publicPeer{cidr: c})
		}
	}
	for _, r := range perm.Ipv6Ranges {
		if c := aws.ToString(r.CidrIpv6); HoldsPublicAddress(c) {
			out = append(out, publicPeer{cidr: c})
		}
	}
	for _, pl := range perm.PrefixListIds {
		id := aws.ToString(pl.PrefixListId)
		entries, known := lists[id]
		if !known {
			out = append(out, publicPeer{prefixList: id})
			continue
		}
		for _, c := range entries {
			if HoldsPublicAddress(c) {
				out = append(out, publicPeer{prefixList: id, entry: c})
				break
			}
		}
	}
	return out
}

// PrefixListIDs returns the distinct prefix lists the rules of groups
// refer to, in order of appearance.
func PrefixListIDs(groups ...ec2types.SecurityGroup) []string {
	var out []string
	for _, g := range groups {
		for _, perm := range append(slices.Clone(g.IpPermissions), g.IpPermissionsEgress...) {
			for _, pl := range perm.PrefixListIds {
				if id := aws.ToString(pl.PrefixListId); id != "" && !slices.Contains(out, id) {
					out = append(out, id)
				}
			}
		}
	}
	return out
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
