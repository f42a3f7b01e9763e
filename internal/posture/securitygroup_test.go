package posture

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

func perm(proto string, from, to int32, cidrs ...string) ec2types.IpPermission {
	p := ec2types.IpPermission{IpProtocol: aws.String(proto)}
	if proto != "-1" {
		p.FromPort, p.ToPort = aws.Int32(from), aws.Int32(to)
	}
	for _, c := range cidrs {
		if strings.Contains(c, ":") {
			p.Ipv6Ranges = append(p.Ipv6Ranges, ec2types.Ipv6Range{CidrIpv6: aws.String(c)})
		} else {
			p.IpRanges = append(p.IpRanges, ec2types.IpRange{CidrIp: aws.String(c)})
		}
	}
	return p
}

func plPerm(proto string, port int32, lists ...string) ec2types.IpPermission {
	p := ec2types.IpPermission{IpProtocol: aws.String(proto), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
	for _, l := range lists {
		p.PrefixListIds = append(p.PrefixListIds, ec2types.PrefixListId{PrefixListId: aws.String(l)})
	}
	return p
}

// testPrefixLists: pl-private holds only RFC 1918 ranges; pl-s3 is like
// the AWS-managed com.amazonaws.<region>.s3 list (public ranges).
var testPrefixLists = PrefixLists{
	"pl-private": {"10.1.0.0/16", "192.168.0.0/24"},
	"pl-s3":      {"10.9.0.0/16", "52.216.0.0/15", "3.5.0.0/19"},
}

func TestAssessSecurityGroup(t *testing.T) {
	const id = "sg-0abc"
	selfRef := ec2types.IpPermission{
		IpProtocol:       aws.String("-1"),
		UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(id)}},
	}
	otherRef := ec2types.IpPermission{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String("sg-0other")}},
	}
	tests := []struct {
		name             string
		ingress          []ec2types.IpPermission
		egress           []ec2types.IpPermission
		wantOpen         []string
		wantPublicEgress []facts.EgressRule
		wantEgress       bool
	}{
		{
			name: "open to the internet",
			ingress: []ec2types.IpPermission{
				perm("tcp", 22, 22, "0.0.0.0/0", "10.0.0.0/8"),
				perm("-1", 0, 0, "::/0"),
				perm("udp", 1000, 2000, "0.0.0.0/0"),
				perm("6", 0, 65535, "0.0.0.0/0"),
				perm("icmp", -1, -1, "0.0.0.0/0"),
				perm("50", 0, 0, "0.0.0.0/0"),
			},
			wantOpen: []string{
				"tcp 22 from 0.0.0.0/0",
				"all traffic from ::/0",
				"udp 1000-2000 from 0.0.0.0/0",
				"tcp all ports from 0.0.0.0/0",
				"icmp from 0.0.0.0/0",
				"protocol 50 from 0.0.0.0/0",
			},
		},
		{
			name:     "open in pieces: two /1s",
			ingress:  []ec2types.IpPermission{perm("tcp", 22, 22, "0.0.0.0/1", "128.0.0.0/1")},
			wantOpen: []string{"tcp 22 from 0.0.0.0/1", "tcp 22 from 128.0.0.0/1"},
		},
		{
			name:     "a public /24 and a public IPv6 range",
			ingress:  []ec2types.IpPermission{perm("tcp", 443, 443, "8.8.8.0/24", "2001:db8::/32")},
			wantOpen: []string{"tcp 443 from 8.8.8.0/24", "tcp 443 from 2001:db8::/32"},
		},
		{
			name:     "a range that straddles a private block",
			ingress:  []ec2types.IpPermission{perm("tcp", 443, 443, "10.0.0.0/7", "172.0.0.0/8")},
			wantOpen: []string{"tcp 443 from 10.0.0.0/7", "tcp 443 from 172.0.0.0/8"},
		},
		{
			name:     "a prefix list with a public entry",
			ingress:  []ec2types.IpPermission{plPerm("tcp", 443, "pl-s3")},
			wantOpen: []string{"tcp 443 from prefix list pl-s3 (it holds the public range 52.216.0.0/15)"},
		},
		{
			name:     "a prefix list whose entries are unknown fails closed",
			ingress:  []ec2types.IpPermission{plPerm("tcp", 443, "pl-unknown")},
			wantOpen: []string{"tcp 443 from prefix list pl-unknown (its entries could not be read, so it counts as public)"},
		},
		{
			name: "closed: private, shared, link-local, ULA and loopback ranges, a private prefix list, referenced groups",
			ingress: []ec2types.IpPermission{
				perm("tcp", 443, 443, "10.0.0.0/16", "172.16.0.0/12", "192.168.1.0/24", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.1/32", "fd00::/8", "fe80::/64", "::1/128"),
				plPerm("tcp", 443, "pl-private"),
				otherRef,
			},
			egress: []ec2types.IpPermission{perm("-1", 0, 0, "10.0.0.0/16"), plPerm("tcp", 443, "pl-private"), otherRef},
		},
		{
			name:    "self-referencing for distributed training",
			ingress: []ec2types.IpPermission{selfRef},
			egress:  []ec2types.IpPermission{selfRef},
		},
		{
			name:             "all egress (IPv4)",
			egress:           []ec2types.IpPermission{perm("-1", 0, 0, "0.0.0.0/0")},
			wantPublicEgress: []facts.EgressRule{{Rule: "all traffic to 0.0.0.0/0"}},
			wantEgress:       true,
		},
		{
			name:             "all egress (IPv6)",
			egress:           []ec2types.IpPermission{perm("-1", 0, 0, "::/0")},
			wantPublicEgress: []facts.EgressRule{{Rule: "all traffic to ::/0"}},
			wantEgress:       true,
		},
		{
			name:   "egress to public ranges and to a public prefix list",
			egress: []ec2types.IpPermission{perm("tcp", 443, 443, "0.0.0.0/0", "8.8.8.8/32"), plPerm("tcp", 443, "pl-s3")},
			wantPublicEgress: []facts.EgressRule{
				{Rule: "tcp 443 to 0.0.0.0/0"},
				{Rule: "tcp 443 to 8.8.8.8/32"},
				{Rule: "tcp 443 to prefix list pl-s3 (it holds the public range 52.216.0.0/15)", PrefixList: "pl-s3"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AssessSecurityGroup(ec2types.SecurityGroup{
				GroupId: aws.String(id), VpcId: aws.String(testVPC),
				IpPermissions: tt.ingress, IpPermissionsEgress: tt.egress,
			}, testPrefixLists)
			if !got.Found || got.ID != id || got.VPCID != testVPC {
				t.Errorf("identity = %+v", got)
			}
			if !reflect.DeepEqual(got.OpenIngress, tt.wantOpen) {
				t.Errorf("OpenIngress = %q, want %q", got.OpenIngress, tt.wantOpen)
			}
			if !reflect.DeepEqual(got.PublicEgress, tt.wantPublicEgress) {
				t.Errorf("PublicEgress = %q, want %q", got.PublicEgress, tt.wantPublicEgress)
			}
			if got.UnrestrictedEgress != tt.wantEgress {
				t.Errorf("UnrestrictedEgress = %v, want %v", got.UnrestrictedEgress, tt.wantEgress)
			}
		})
	}
}

func TestHoldsPublicAddress(t *testing.T) {
	for cidr, want := range map[string]bool{
		"0.0.0.0/0": true, "0.0.0.0/1": true, "128.0.0.0/1": true, "8.8.8.0/24": true, "11.0.0.0/8": true,
		"10.0.0.0/7": true, "172.15.255.0/24": true, "192.169.0.0/16": true, "100.128.0.0/10": true,
		"::/0": true, "2000::/3": true, "fe00::/7": true, "not-a-cidr": true, "": true,
		"10.0.0.0/8": false, "10.1.2.3/32": false, "172.31.0.0/16": false, "192.168.0.0/16": false,
		"100.64.0.0/10": false, "169.254.169.254/32": false, "127.0.0.0/8": false,
		"fc00::/7": false, "fd12:3456::/48": false, "fe80::/10": false, "::1/128": false,
		"10.1.2.3/8": false, // host bits set: the network is 10.0.0.0/8
	} {
		if got := HoldsPublicAddress(cidr); got != want {
			t.Errorf("HoldsPublicAddress(%q) = %v, want %v", cidr, got, want)
		}
	}
}
