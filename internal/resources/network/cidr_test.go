package network

import (
	"slices"
	"strings"
	"testing"
)

func TestCarveSubnets(t *testing.T) {
	for _, tc := range []struct {
		cidr string
		n    int
		want []string
	}{
		{"10.0.0.0/16", 2, []string{"10.0.0.0/18", "10.0.64.0/18"}},
		{"10.0.0.0/16", 3, []string{"10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"}},
		{"172.16.8.0/21", 3, []string{"172.16.8.0/23", "172.16.10.0/23", "172.16.12.0/23"}},
		{"192.168.1.0/24", 2, []string{"192.168.1.0/26", "192.168.1.64/26"}},
		{"10.255.0.0/16", 4, []string{"10.255.0.0/18", "10.255.64.0/18", "10.255.128.0/18", "10.255.192.0/18"}},
		{"10.61.0.0/20", 3, []string{"10.61.0.0/22", "10.61.4.0/22", "10.61.8.0/22"}},
	} {
		got, err := carveSubnets(tc.cidr, tc.n)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("carveSubnets(%s, %d) = %v, %v; want %v", tc.cidr, tc.n, got, err, tc.want)
		}
		// Subnet i is always the same block, whatever n is.
		for i, sub := range got {
			if idx := subnetIndex(tc.cidr, sub); idx != i {
				t.Errorf("subnetIndex(%s, %s) = %d, want %d", tc.cidr, sub, idx, i)
			}
		}
	}
}

func TestCarveSubnetsRejects(t *testing.T) {
	for _, tc := range []struct {
		cidr string
		n    int
		want string
	}{
		{"10.0.0.0/15", 2, "has a /15 prefix; use /16 to /24"},
		{"10.0.0.0/25", 2, "has a /25 prefix; use /16 to /24"},
		{"10.0.0.1/16", 2, "has host bits set; the network address is 10.0.0.0/16"},
		{"fd00::/56", 2, "is not an IPv4 CIDR block"},
		{"10.0.0.0", 2, "is not a CIDR block"},
		{"10.0.0.0/16", 5, "cannot carve 5 subnets"},
		{"10.0.0.0/16", 0, "cannot carve 0 subnets"},
	} {
		_, err := carveSubnets(tc.cidr, tc.n)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("carveSubnets(%s, %d) error = %v, want %q", tc.cidr, tc.n, err, tc.want)
		}
	}
	if subnetIndex("10.0.0.0/16", "10.0.32.0/19") != -1 || subnetIndex("bad", "10.0.0.0/18") != -1 {
		t.Error("subnetIndex accepted a block that is not a quarter")
	}
}
