package network

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// fakeCreates is an EC2 that keeps VPCs and subnets with their tags. lose
// makes the next create's answer get lost after it took effect; empty
// makes creates answer without the object.
type fakeCreates struct {
	ec2API
	vpcs    []ec2types.Vpc
	subnets []ec2types.Subnet
	lose    int
	empty   bool
	creates int
}

var errLost = &smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF}

func (f *fakeCreates) answer() error {
	f.creates++
	if f.lose > 0 {
		f.lose--
		return errLost
	}
	return nil
}

func tagsOf(specs []ec2types.TagSpecification) []ec2types.Tag { return specs[0].Tags }

func (f *fakeCreates) CreateVpc(_ context.Context, in *ec2.CreateVpcInput, _ ...func(*ec2.Options)) (*ec2.CreateVpcOutput, error) {
	v := ec2types.Vpc{VpcId: aws.String("vpc-" + string(rune('a'+len(f.vpcs)))), CidrBlock: in.CidrBlock, Tags: tagsOf(in.TagSpecifications)}
	f.vpcs = append(f.vpcs, v)
	if err := f.answer(); err != nil {
		return nil, err
	}
	if f.empty {
		return &ec2.CreateVpcOutput{}, nil
	}
	return &ec2.CreateVpcOutput{Vpc: &v}, nil
}

// tokenOf returns the creation token a filter list asks for.
func tokenOf(filters []ec2types.Filter) string {
	for _, f := range filters {
		if aws.ToString(f.Name) == "tag:"+idem.TokenTag {
			return f.Values[0]
		}
	}
	return ""
}

func hasToken(tags []ec2types.Tag, token string) bool {
	return token != "" && shared.TagMap(tags, ec2TagKeyValue)[idem.TokenTag] == token
}

func (f *fakeCreates) DescribeVpcs(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	out := &ec2.DescribeVpcsOutput{}
	for _, v := range f.vpcs {
		if hasToken(v.Tags, tokenOf(in.Filters)) {
			out.Vpcs = append(out.Vpcs, v)
		}
	}
	return out, nil
}

func (f *fakeCreates) CreateSubnet(_ context.Context, in *ec2.CreateSubnetInput, _ ...func(*ec2.Options)) (*ec2.CreateSubnetOutput, error) {
	for _, s := range f.subnets {
		if aws.ToString(s.CidrBlock) == aws.ToString(in.CidrBlock) {
			f.creates++
			return nil, &smithy.GenericAPIError{Code: "InvalidSubnet.Conflict", Message: "conflicts"}
		}
	}
	s := ec2types.Subnet{SubnetId: aws.String("subnet-" + string(rune('a'+len(f.subnets)))), CidrBlock: in.CidrBlock, Tags: tagsOf(in.TagSpecifications)}
	f.subnets = append(f.subnets, s)
	if err := f.answer(); err != nil {
		return nil, err
	}
	return &ec2.CreateSubnetOutput{Subnet: &s}, nil
}

func (f *fakeCreates) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	out := &ec2.DescribeSubnetsOutput{}
	for _, s := range f.subnets {
		if hasToken(s.Tags, tokenOf(in.Filters)) {
			out.Subnets = append(out.Subnets, s)
		}
	}
	return out, nil
}

var createSpec = spec{Name: "net", CIDR: "10.0.0.0/16"}

func TestCreateVPCLostAnswerMakesOneVPC(t *testing.T) {
	f := &fakeCreates{lose: 1}
	id, err := createVPC(context.Background(), f, createSpec)
	if err != nil || id != "vpc-a" || len(f.vpcs) != 1 {
		t.Fatalf("createVPC = %q, %v with VPCs %v; want vpc-a, the one VPC", id, err, f.vpcs)
	}
}

func TestCreateVPCEmptyAnswer(t *testing.T) {
	// The VPC was made: it is found by its token.
	f := &fakeCreates{empty: true}
	if id, err := createVPC(context.Background(), f, createSpec); err != nil || id != "vpc-a" {
		t.Fatalf("createVPC = %q, %v; want vpc-a found by its token", id, err)
	}
	// Nothing carries the token: a clear error, no panic.
	g := &emptyNoVPC{&fakeCreates{}}
	_, err := createVPC(context.Background(), g, createSpec)
	if err == nil || !strings.Contains(err.Error(), "answered the create without the object") {
		t.Fatalf("createVPC with an empty answer = %v, want a clear error", err)
	}
}

// emptyNoVPC answers CreateVpc without a VPC and creates nothing.
type emptyNoVPC struct{ *fakeCreates }

func (e *emptyNoVPC) CreateVpc(context.Context, *ec2.CreateVpcInput, ...func(*ec2.Options)) (*ec2.CreateVpcOutput, error) {
	return &ec2.CreateVpcOutput{}, nil
}

func TestCreateSubnetAdoptsOnlyItsOwn(t *testing.T) {
	ctx := context.Background()
	// Lost answer: the subnet is found by its token before the request is
	// sent again (which would conflict with the subnet itself).
	f := &fakeCreates{lose: 1}
	r := &reconciler{c: clients{ec2: f}, vpcID: "vpc-a"}
	tags := createSpec.tagSpec(ec2types.ResourceTypeSubnet, roleSubnet, "a", nil)
	sn, err := r.createSubnet(ctx, "10.0.0.0/18", "us-east-1a", tags)
	if err != nil || aws.ToString(sn.SubnetId) != "subnet-a" || len(f.subnets) != 1 || f.creates != 1 {
		t.Fatalf("createSubnet = %v, %v (subnets %d, creates %d); want subnet-a, one request", sn, err, len(f.subnets), f.creates)
	}
	// Another subnet holds the CIDR (no token of this create): not adopted.
	f = &fakeCreates{subnets: []ec2types.Subnet{{SubnetId: aws.String("subnet-x"), CidrBlock: aws.String("10.0.0.0/18"), Tags: createSpec.ec2Tags(roleSubnet, "a", nil)}}}
	r.c.ec2 = f
	if sn, err := r.createSubnet(ctx, "10.0.0.0/18", "us-east-1a", tags); err == nil || !strings.Contains(err.Error(), "InvalidSubnet.Conflict") {
		t.Fatalf("createSubnet over another subnet = %v, %v; want the conflict error", sn, err)
	}
}

// tagCalls records tag changes.
type tagCalls struct {
	ec2API
	removed []string
}

func (c *tagCalls) DeleteTags(_ context.Context, in *ec2.DeleteTagsInput, _ ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error) {
	for _, t := range in.Tags {
		c.removed = append(c.removed, aws.ToString(t.Key))
	}
	return &ec2.DeleteTagsOutput{}, nil
}

func TestSyncTagsKeepsTheCreationToken(t *testing.T) {
	want := createSpec.tags(roleVPC, "", nil)
	have := append(createSpec.ec2Tags(roleVPC, "", nil),
		ec2types.Tag{Key: aws.String(idem.TokenTag), Value: aws.String("abc")},
		ec2types.Tag{Key: aws.String("stray"), Value: aws.String("x")})
	c := &tagCalls{}
	if err := syncTags(context.Background(), c, nil, "vpc-a", have, want); err != nil {
		t.Fatal(err)
	}
	if len(c.removed) != 1 || c.removed[0] != "stray" {
		t.Fatalf("removed %v, want only the stray tag (the creation token stays)", c.removed)
	}
}
