package posture

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// callLog counts API calls by operation and records their inputs.
type callLog struct {
	mu     sync.Mutex
	counts map[string]int
	inputs map[string][]any
}

func (c *callLog) record(op string, in any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts, c.inputs = map[string]int{}, map[string][]any{}
	}
	c.counts[op]++
	c.inputs[op] = append(c.inputs[op], in)
}

func (c *callLog) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[op]
}

func (c *callLog) inputsOf(op string) []any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]any(nil), c.inputs[op]...)
}

func (c *callLog) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.counts {
		n += v
	}
	return n
}

func (c *callLog) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts, c.inputs = nil, nil
}

// filterValues returns the values of the one filter a fake EC2 call must
// have been given, or an error that fails the call the way a code bug would.
func filterValues(filters []ec2types.Filter, name string) ([]string, error) {
	if len(filters) != 1 || aws.ToString(filters[0].Name) != name {
		return nil, fmt.Errorf("fake EC2: want exactly one %q filter, got %+v", name, filters)
	}
	return filters[0].Values, nil
}

// pick returns the items whose id is among want.
func pick[T any](items []T, id func(T) string, want []string) []T {
	var out []T
	for _, it := range items {
		if slices.Contains(want, id(it)) {
			out = append(out, it)
		}
	}
	return out
}

// fakeEC2 answers filtered Describe calls from canned objects.
type fakeEC2 struct {
	calls         *callLog
	subnets       []ec2types.Subnet
	routeTables   []ec2types.RouteTable
	groups        []ec2types.SecurityGroup
	instanceTypes []ec2types.InstanceTypeInfo
	prefixLists   map[string][]string // managed prefix list ID -> CIDRs
	failSubnets   error
	subnetPage    int // when > 0, DescribeSubnets returns pages of this size
}

func (f *fakeEC2) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	f.calls.record("DescribeSubnets", in)
	if f.failSubnets != nil {
		return nil, f.failSubnets
	}
	ids, err := filterValues(in.Filters, "subnet-id")
	if err != nil {
		return nil, err
	}
	subnets := pick(f.subnets, func(s ec2types.Subnet) string { return aws.ToString(s.SubnetId) }, ids)
	if f.subnetPage == 0 {
		return &ec2.DescribeSubnetsOutput{Subnets: subnets}, nil
	}
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	end := min(start+f.subnetPage, len(subnets))
	out := &ec2.DescribeSubnetsOutput{Subnets: subnets[start:end]}
	if end < len(subnets) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (f *fakeEC2) DescribeRouteTables(_ context.Context, in *ec2.DescribeRouteTablesInput, _ ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error) {
	f.calls.record("DescribeRouteTables", in)
	vpcs, err := filterValues(in.Filters, "vpc-id")
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeRouteTablesOutput{RouteTables: pick(f.routeTables, func(t ec2types.RouteTable) string { return aws.ToString(t.VpcId) }, vpcs)}, nil
}

func (f *fakeEC2) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	f.calls.record("DescribeSecurityGroups", in)
	ids, err := filterValues(in.Filters, "group-id")
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeSecurityGroupsOutput{SecurityGroups: pick(f.groups, func(g ec2types.SecurityGroup) string { return aws.ToString(g.GroupId) }, ids)}, nil
}

func (f *fakeEC2) DescribeInstanceTypes(_ context.Context, in *ec2.DescribeInstanceTypesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstanceTypesOutput, error) {
	f.calls.record("DescribeInstanceTypes", in)
	types, err := filterValues(in.Filters, "instance-type")
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeInstanceTypesOutput{InstanceTypes: pick(f.instanceTypes, func(i ec2types.InstanceTypeInfo) string { return string(i.InstanceType) }, types)}, nil
}

func (f *fakeEC2) GetManagedPrefixListEntries(_ context.Context, in *ec2.GetManagedPrefixListEntriesInput, _ ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error) {
	f.calls.record("GetManagedPrefixListEntries", in)
	cidrs, ok := f.prefixLists[aws.ToString(in.PrefixListId)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "InvalidPrefixListID.NotFound", Message: "The prefix list ID does not exist"}
	}
	out := &ec2.GetManagedPrefixListEntriesOutput{}
	for _, c := range cidrs {
		out.Entries = append(out.Entries, ec2types.PrefixListEntry{Cidr: aws.String(c)})
	}
	return out, nil
}

// fakeKMS answers from canned key metadata; errs maps a KeyId to the error
// DescribeKey returns for it.
type fakeKMS struct {
	calls    *callLog
	keys     map[string]*kmstypes.KeyMetadata // by what DescribeKey is given
	rotation map[string]bool                  // by key ARN
	errs     map[string]error
}

func (f *fakeKMS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	f.calls.record("DescribeKey", in)
	id := aws.ToString(in.KeyId)
	if err := f.errs[id]; err != nil {
		return nil, err
	}
	meta, ok := f.keys[id]
	if !ok {
		return nil, &kmstypes.NotFoundException{Message: aws.String("Key '" + id + "' does not exist")}
	}
	return &kms.DescribeKeyOutput{KeyMetadata: meta}, nil
}

func (f *fakeKMS) GetKeyRotationStatus(_ context.Context, in *kms.GetKeyRotationStatusInput, _ ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error) {
	f.calls.record("GetKeyRotationStatus", in)
	return &kms.GetKeyRotationStatusOutput{KeyRotationEnabled: f.rotation[aws.ToString(in.KeyId)]}, nil
}

// fakeRole is a role as the fake IAM stores it.
type fakeRole struct {
	arn      string
	trust    string // plain JSON; returned URL-encoded, as IAM does
	attached []string
	inline   map[string]string
	boundary string // permissions boundary ARN, "" for none
}

type fakeIAM struct {
	calls    *callLog
	roles    map[string]fakeRole   // by name
	policies map[string]fakePolicy // managed policies by ARN
	listErr  error                 // ListRoles' answer when set
}

// fakePolicy is a managed policy: its default version and every version's
// document (plain JSON; returned URL-encoded, as IAM does).
type fakePolicy struct {
	defaultVersion string
	versions       map[string]string
}

func (f *fakeIAM) GetPolicy(_ context.Context, in *iam.GetPolicyInput, _ ...func(*iam.Options)) (*iam.GetPolicyOutput, error) {
	f.calls.record("GetPolicy", in)
	p, ok := f.policies[aws.ToString(in.PolicyArn)]
	if !ok {
		return nil, &iamtypes.NoSuchEntityException{Message: aws.String("Policy " + aws.ToString(in.PolicyArn) + " was not found.")}
	}
	return &iam.GetPolicyOutput{Policy: &iamtypes.Policy{Arn: in.PolicyArn, DefaultVersionId: aws.String(p.defaultVersion)}}, nil
}

func (f *fakeIAM) GetPolicyVersion(_ context.Context, in *iam.GetPolicyVersionInput, _ ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error) {
	f.calls.record("GetPolicyVersion", in)
	doc, ok := f.policies[aws.ToString(in.PolicyArn)].versions[aws.ToString(in.VersionId)]
	if !ok {
		return nil, &iamtypes.NoSuchEntityException{Message: aws.String("Policy version not found.")}
	}
	return &iam.GetPolicyVersionOutput{PolicyVersion: &iamtypes.PolicyVersion{
		VersionId: in.VersionId, IsDefaultVersion: true, Document: aws.String(url.QueryEscape(doc)),
	}}, nil
}

func (f *fakeIAM) role(name *string) (fakeRole, error) {
	r, ok := f.roles[aws.ToString(name)]
	if !ok {
		return fakeRole{}, &iamtypes.NoSuchEntityException{Message: aws.String("Role " + aws.ToString(name) + " not found")}
	}
	return r, nil
}

func (f *fakeIAM) GetRole(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	f.calls.record("GetRole", in)
	r, err := f.role(in.RoleName)
	if err != nil {
		return nil, err
	}
	out := &iam.GetRoleOutput{Role: &iamtypes.Role{
		Arn: aws.String(r.arn), RoleName: in.RoleName, AssumeRolePolicyDocument: aws.String(url.QueryEscape(r.trust)),
	}}
	if r.boundary != "" {
		out.Role.PermissionsBoundary = &iamtypes.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String(r.boundary)}
	}
	return out, nil
}

// ListRoles lists every role, one per page (to exercise paging), without
// boundaries, as IAM's ListRoles does.
func (f *fakeIAM) ListRoles(_ context.Context, in *iam.ListRolesInput, _ ...func(*iam.Options)) (*iam.ListRolesOutput, error) {
	f.calls.record("ListRoles", in)
	if f.listErr != nil {
		return nil, f.listErr
	}
	names := slices.Sorted(maps.Keys(f.roles))
	i := 0
	if in.Marker != nil {
		i = slices.Index(names, *in.Marker)
	}
	if i < 0 || i >= len(names) {
		return &iam.ListRolesOutput{}, nil
	}
	out := &iam.ListRolesOutput{Roles: []iamtypes.Role{{RoleName: aws.String(names[i]), Arn: aws.String(f.roles[names[i]].arn)}}}
	if i+1 < len(names) {
		out.IsTruncated, out.Marker = true, aws.String(names[i+1])
	}
	return out, nil
}

func (f *fakeIAM) ListAttachedRolePolicies(_ context.Context, in *iam.ListAttachedRolePoliciesInput, _ ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error) {
	f.calls.record("ListAttachedRolePolicies", in)
	r, err := f.role(in.RoleName)
	if err != nil {
		return nil, err
	}
	out := &iam.ListAttachedRolePoliciesOutput{}
	for _, a := range r.attached {
		out.AttachedPolicies = append(out.AttachedPolicies, iamtypes.AttachedPolicy{PolicyArn: aws.String(a)})
	}
	return out, nil
}

func (f *fakeIAM) ListRolePolicies(_ context.Context, in *iam.ListRolePoliciesInput, _ ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error) {
	f.calls.record("ListRolePolicies", in)
	r, err := f.role(in.RoleName)
	if err != nil {
		return nil, err
	}
	return &iam.ListRolePoliciesOutput{PolicyNames: slices.Sorted(maps.Keys(r.inline))}, nil
}

func (f *fakeIAM) GetRolePolicy(_ context.Context, in *iam.GetRolePolicyInput, _ ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error) {
	f.calls.record("GetRolePolicy", in)
	r, err := f.role(in.RoleName)
	if err != nil {
		return nil, err
	}
	return &iam.GetRolePolicyOutput{PolicyDocument: aws.String(url.QueryEscape(r.inline[aws.ToString(in.PolicyName)]))}, nil
}

// fakeBucket is a bucket as the fake S3 stores it.
type fakeBucket struct {
	encryption *s3.GetBucketEncryptionOutput // nil: no configuration
	policy     string                        // "": no policy
	owner      string                        // "": testAccount
	denied     bool                          // every read is AccessDenied (no permission)
}

// refuses reports whether S3 answers AccessDenied to a read of b: the caller
// lacks permission, or the bucket's owner is not the ExpectedBucketOwner.
func (b fakeBucket) refuses(expectedOwner *string) bool {
	owner := b.owner
	if owner == "" {
		owner = testAccount
	}
	return b.denied || (expectedOwner != nil && *expectedOwner != owner)
}

type fakeS3 struct {
	calls   *callLog
	buckets map[string]fakeBucket
}

// apiError builds the error S3 returns for codes the SDK has no type for.
func apiError(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func (f *fakeS3) GetBucketEncryption(_ context.Context, in *s3.GetBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error) {
	f.calls.record("GetBucketEncryption", in)
	b, ok := f.buckets[aws.ToString(in.Bucket)]
	switch {
	case !ok:
		return nil, apiError("NoSuchBucket")
	case b.refuses(in.ExpectedBucketOwner):
		return nil, apiError("AccessDenied")
	case b.encryption == nil:
		return nil, apiError("ServerSideEncryptionConfigurationNotFoundError")
	}
	return b.encryption, nil
}

func (f *fakeS3) GetBucketPolicy(_ context.Context, in *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	f.calls.record("GetBucketPolicy", in)
	b, ok := f.buckets[aws.ToString(in.Bucket)]
	switch {
	case !ok:
		return nil, apiError("NoSuchBucket")
	case b.refuses(in.ExpectedBucketOwner):
		return nil, apiError("AccessDenied")
	case b.policy == "":
		return nil, apiError("NoSuchBucketPolicy")
	}
	return &s3.GetBucketPolicyOutput{Policy: aws.String(b.policy)}, nil
}

type fakeLogs struct {
	calls  *callLog
	groups []logstypes.LogGroup
}

func (f *fakeLogs) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	f.calls.record("DescribeLogGroups", in)
	prefix := aws.ToString(in.LogGroupNamePrefix)
	out := &cloudwatchlogs.DescribeLogGroupsOutput{}
	for _, g := range f.groups {
		if strings.HasPrefix(aws.ToString(g.LogGroupName), prefix) {
			out.LogGroups = append(out.LogGroups, g)
		}
	}
	return out, nil
}
