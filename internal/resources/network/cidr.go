package network

import (
	"fmt"
	"net"
	"net/netip"

	gocidr "github.com/apparentlymart/go-cidr/cidr"
)

// CIDR limits for cidr_block.
const (
	minVPCPrefix = 16
	maxVPCPrefix = 24
	// subnetBits is how many bits each subnet adds to the VPC prefix: the
	// VPC is cut into four equal quarters, one per Availability Zone (at most
	// three), so the fourth quarter stays free for whatever the team adds
	// later (a second tier, a larger subnet in one zone).
	subnetBits = 2
	maxZones   = 1 << subnetBits
)

// parseVPCCIDR checks that cidr is an IPv4 network address (host bits zero)
// with a prefix length between /16 and /24, the range this resource allows.
func parseVPCCIDR(cidr string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR block such as 10.0.0.0/16", cidr)
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 CIDR block", cidr)
	}
	if p.Bits() < minVPCPrefix || p.Bits() > maxVPCPrefix {
		return netip.Prefix{}, fmt.Errorf("%q has a /%d prefix; use /%d to /%d", cidr, p.Bits(), minVPCPrefix, maxVPCPrefix)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set; the network address is %s", cidr, p.Masked())
	}
	return p, nil
}

// carveSubnets returns n subnet CIDRs carved from the VPC CIDR: the first n
// quarters (prefix + 2) in address order, so subnet i is always the same
// block for a given VPC CIDR (which makes a lost subnet restorable and an
// imported network's zone order recoverable).
func carveSubnets(cidr string, n int) ([]string, error) {
	p, err := parseVPCCIDR(cidr)
	if err != nil {
		return nil, err
	}
	if n < 1 || n > maxZones {
		return nil, fmt.Errorf("cannot carve %d subnets; between 1 and %d are possible", n, maxZones)
	}
	base := net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), 32)}
	out := make([]string, n)
	for i := range n {
		sub, err := gocidr.Subnet(&base, subnetBits, i)
		if err != nil {
			return nil, fmt.Errorf("carving subnet %d of %s: %w", i, cidr, err)
		}
		out[i] = sub.String()
	}
	return out, nil
}

// subnetIndex returns the position of subnet CIDR sub among the quarters of
// the VPC CIDR, or -1 when it is not one of them.
func subnetIndex(vpcCIDR, sub string) int {
	all, err := carveSubnets(vpcCIDR, maxZones)
	if err != nil {
		return -1
	}
	for i, c := range all {
		if c == sub {
			return i
		}
	}
	return -1
}
