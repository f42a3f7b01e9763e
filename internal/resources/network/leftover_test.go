package network

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

func leftoverSpec() spec {
	return spec{Name: "ml", CIDR: "10.42.0.0/16", Region: "us-east-1", Partition: "aws", AccountID: "123456789012", Tags: map[string]string{"team": "ml"}}
}

// TestAuditLeftoverVPC: the VPC a killed apply made is adopted only when it
// is what CreateVpc makes from the spec (part (c) of the recovery rule).
func TestAuditLeftoverVPC(t *testing.T) {
	s := leftoverSpec()
	vpc := func(change func(*ec2types.Vpc)) ec2types.Vpc {
		v := ec2types.Vpc{VpcId: aws.String("vpc-1"), CidrBlock: aws.String(s.CIDR), InstanceTenancy: ec2types.TenancyDefault,
			CidrBlockAssociationSet: []ec2types.VpcCidrBlockAssociation{{CidrBlock: aws.String(s.CIDR), CidrBlockState: &ec2types.VpcCidrBlockState{State: ec2types.VpcCidrBlockStateCodeAssociated}}}}
		if change != nil {
			change(&v)
		}
		return v
	}
	cases := []struct {
		name    string
		vpc     ec2types.Vpc
		wantErr string
	}{
		{name: "as CreateVpc made it", vpc: vpc(nil)},
		{name: "a second block, disassociated since", vpc: vpc(func(v *ec2types.Vpc) {
			v.CidrBlockAssociationSet = append(v.CidrBlockAssociationSet, ec2types.VpcCidrBlockAssociation{CidrBlock: aws.String("10.9.0.0/16"),
				CidrBlockState: &ec2types.VpcCidrBlockState{State: ec2types.VpcCidrBlockStateCodeDisassociated}})
		})},
		{name: "another CIDR", vpc: vpc(func(v *ec2types.Vpc) { v.CidrBlock = aws.String("10.43.0.0/16") }), wantErr: "CIDR block is 10.43.0.0/16"},
		{name: "a second block", vpc: vpc(func(v *ec2types.Vpc) {
			v.CidrBlockAssociationSet = append(v.CidrBlockAssociationSet, ec2types.VpcCidrBlockAssociation{CidrBlock: aws.String("10.9.0.0/16"),
				CidrBlockState: &ec2types.VpcCidrBlockState{State: ec2types.VpcCidrBlockStateCodeAssociated}})
		}), wantErr: "10.9.0.0/16 too"},
		{name: "an IPv6 block", vpc: vpc(func(v *ec2types.Vpc) {
			v.Ipv6CidrBlockAssociationSet = []ec2types.VpcIpv6CidrBlockAssociation{{Ipv6CidrBlock: aws.String("2600::/56"),
				Ipv6CidrBlockState: &ec2types.VpcCidrBlockState{State: ec2types.VpcCidrBlockStateCodeAssociated}}}
		}), wantErr: "IPv6"},
		{name: "dedicated tenancy", vpc: vpc(func(v *ec2types.Vpc) { v.InstanceTenancy = ec2types.TenancyDedicated }), wantErr: "tenancy"},
		{name: "the default VPC", vpc: vpc(func(v *ec2types.Vpc) { v.IsDefault = aws.Bool(true) }), wantErr: "default VPC"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := auditLeftoverVPC(tc.vpc, s)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestAuditLeftoverRole: the flow-log role a killed apply made is used
// only when it is what createRole makes (part (c) of the recovery rule).
func TestAuditLeftoverRole(t *testing.T) {
	s := leftoverSpec()
	trust, _, err := s.flowLogDocuments()
	if err != nil {
		t.Fatal(err)
	}
	tags := s.tags(roleFlowLogRole, "flow-logs", nil)
	tags[idem.TokenTag] = "killed-run"
	role := func(change func(*live)) *live {
		l := &live{Role: &iam.GetRoleOutput{Role: &iamtypes.Role{AssumeRolePolicyDocument: aws.String(trust), Description: aws.String(roleDescription(s))}}}
		if change != nil {
			change(l)
		}
		return l
	}
	cases := []struct {
		name    string
		l       *live
		tags    map[string]string
		wantErr string
	}{
		{name: "as createRole made it", l: role(nil), tags: tags},
		{name: "with its delivery policy", l: role(func(l *live) { l.RolePolicy = "{}" }), tags: tags},
		{name: "another trust", l: role(func(l *live) {
			l.Role.Role.AssumeRolePolicyDocument = aws.String(strings.Replace(trust, "vpc-flow-logs", "ec2", 1))
		}), tags: tags, wantErr: "trust policy"},
		{name: "another description", l: role(func(l *live) { l.Role.Role.Description = aws.String("mine") }), tags: tags, wantErr: "description"},
		{name: "another tag", l: role(nil), tags: map[string]string{TagNetwork: "ml", idem.TokenTag: "t"}, wantErr: "its tags"},
		{name: "a managed policy", l: role(func(l *live) { l.RoleAttachedARNs = []string{"arn:aws:iam::aws:policy/AdministratorAccess"} }), tags: tags, wantErr: "managed policies"},
		{name: "another inline policy", l: role(func(l *live) { l.RoleOtherInline = []string{"extra"} }), tags: tags, wantErr: "inline policies [extra]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := auditLeftoverRole(tc.l, tc.tags, s, trust)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
