package posture

import (
	"net/netip"
	"slices"
	"strings"
)

// nonPublicRanges are the address blocks that are not reachable from the
// internet: RFC 1918, shared address space (RFC 6598, 100.64.0.0/10),
// IPv4 link-local and loopback, IPv6 unique-local (fc00::/7), link-local
// (fe80::/10) and loopback. Everything else counts as public. The blocks
// are disjoint and no two of them make up a larger CIDR together, so a
// CIDR is non-public exactly when it lies inside one of them.
var nonPublicRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("::1/128"),
}

// HoldsPublicAddress reports whether cidr contains at least one public
// address (one outside nonPublicRanges). A value that does not parse as a
// CIDR counts as public: it fails closed.
func HoldsPublicAddress(cidr string) bool {
	p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil {
		return true
	}
	p = p.Masked()
	for _, q := range nonPublicRanges {
		if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
			return false
		}
	}
	return true
}

// isDefaultRoute reports whether cidr is 0.0.0.0/0 or ::/0, however it is
// written.
func isDefaultRoute(cidr string) bool {
	p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	return err == nil && p.Bits() == 0
}

// coversAll reports whether prefixes, all of one address family, together
// contain every address of that family.
func coversAll(prefixes []netip.Prefix) bool {
	if len(prefixes) == 0 {
		return false
	}
	sorted := slices.Clone(prefixes)
	slices.SortFunc(sorted, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
	next := netip.IPv6Unspecified() // the first address not covered yet
	if sorted[0].Addr().Is4() {
		next = netip.IPv4Unspecified()
	}
	for _, p := range sorted {
		if p.Addr().Compare(next) > 0 {
			return false // a gap before this prefix
		}
		end := lastAddr(p)
		if end.Compare(next) >= 0 {
			if next = end.Next(); !next.IsValid() {
				return true // the family's last address is covered
			}
		}
	}
	return false
}

// lastAddr returns the last address of a (masked) prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := range b {
		hostBits := len(b)*8 - p.Bits() - (len(b)-1-i)*8 // host bits that fall in byte i
		switch {
		case hostBits >= 8:
			b[i] = 0xff
		case hostBits > 0:
			b[i] |= byte(1<<hostBits - 1)
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
