package posture

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
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

func TestAssessSecurityGroup(t *testing.T) {
	const id = "sg-0abc"
	selfRef := ec2types.IpPermission{
		IpProtocol:       aws.String("-1"),
		UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(id)}},
	}
	tests := []struct {
		name       string
		ingress    []ec2types.IpPermission
		egress     []ec2types.IpPermission
		wantOpen   []string
		wantEgress bool
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
			name:    "closed: private CIDRs and prefix lists only, egress to VPC",
			ingress: []ec2types.IpPermission{perm("tcp", 443, 443, "10.0.0.0/16", "fd00::/8"), {IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), PrefixListIds: []ec2types.PrefixListId{{PrefixListId: aws.String("pl-0abc")}}}},
			egress:  []ec2types.IpPermission{perm("-1", 0, 0, "10.0.0.0/16"), perm("tcp", 443, 443, "0.0.0.0/0")},
		},
		{
			name:    "self-referencing for distributed training",
			ingress: []ec2types.IpPermission{selfRef},
			egress:  []ec2types.IpPermission{selfRef},
		},
		{
			name:       "all egress (IPv4)",
			egress:     []ec2types.IpPermission{perm("-1", 0, 0, "0.0.0.0/0")},
			wantEgress: true,
		},
		{
			name:       "all egress (IPv6)",
			egress:     []ec2types.IpPermission{perm("-1", 0, 0, "::/0")},
			wantEgress: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AssessSecurityGroup(ec2types.SecurityGroup{
				GroupId: aws.String(id), VpcId: aws.String(testVPC),
				IpPermissions: tt.ingress, IpPermissionsEgress: tt.egress,
			})
			if !got.Found || got.ID != id || got.VPCID != testVPC {
				t.Errorf("identity = %+v", got)
			}
			if !reflect.DeepEqual(got.OpenIngress, tt.wantOpen) {
				t.Errorf("OpenIngress = %q, want %q", got.OpenIngress, tt.wantOpen)
			}
			if got.UnrestrictedEgress != tt.wantEgress {
				t.Errorf("UnrestrictedEgress = %v, want %v", got.UnrestrictedEgress, tt.wantEgress)
			}
		})
	}
}
