package posture

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

const (
	// otherRegionKeyARN is goodKeyARN's key ID in another region, which
	// moto resolves to the us-east-1 key anyway.
	otherRegionKeyARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	privateSubnet     = "subnet-0priv"
	publicSubnet      = "subnet-0pub" // no explicit association; the main table has an igw route
	goodKeyARN        = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	// testAccount is the caller's account; the fake buckets belong to it
	// unless they say otherwise.
	testAccount = "123456789012"
)

// world is a fake AWS account shared by the fetcher tests.
type world struct {
	calls *callLog
	ec2   *fakeEC2
	kms   *fakeKMS
	iam   *fakeIAM
	s3    *fakeS3
	logs  *fakeLogs
}

func newWorld() *world {
	calls := &callLog{}
	goodKey := keyMeta("us-east-1", kmstypes.KeyManagerTypeCustomer, kmstypes.KeyStateEnabled)
	signKey := keyMeta("us-east-1", kmstypes.KeyManagerTypeCustomer, kmstypes.KeyStateEnabled)
	signKey.KeySpec, signKey.KeyUsage = kmstypes.KeySpecRsa2048, kmstypes.KeyUsageTypeSignVerify
	return &world{
		calls: calls,
		ec2: &fakeEC2{
			calls: calls,
			subnets: []ec2types.Subnet{
				{SubnetId: aws.String(privateSubnet), VpcId: aws.String(testVPC), AvailabilityZone: aws.String("us-east-1a")},
				{SubnetId: aws.String(publicSubnet), VpcId: aws.String(testVPC), AvailabilityZone: aws.String("us-east-1b")},
			},
			routeTables: []ec2types.RouteTable{
				routeTable("rtb-main", true, nil, localRoute, igwRoute),
				routeTable("rtb-priv", false, []string{privateSubnet}, localRoute, s3Route),
			},
			groups: []ec2types.SecurityGroup{
				{GroupId: aws.String("sg-0closed"), VpcId: aws.String(testVPC)},
				{GroupId: aws.String("sg-0open"), VpcId: aws.String(testVPC), IpPermissions: []ec2types.IpPermission{perm("tcp", 22, 22, "0.0.0.0/0")}},
			},
			instanceTypes: []ec2types.InstanceTypeInfo{
				{InstanceType: "g5.xlarge", InstanceStorageSupported: aws.Bool(true), GpuInfo: &ec2types.GpuInfo{Gpus: []ec2types.GpuDeviceInfo{{Count: aws.Int32(1)}}}},
				{InstanceType: "m5.large", InstanceStorageSupported: aws.Bool(false)},
			},
		},
		kms: &fakeKMS{
			calls:    calls,
			keys:     map[string]*kmstypes.KeyMetadata{"alias/good": goodKey, goodKeyARN: goodKey, otherRegionKeyARN: goodKey, "alias/sign": signKey},
			rotation: map[string]bool{goodKeyARN: true},
			errs: map[string]error{
				"arn:aws:kms:us-east-1:123456789012:nonsense": &kmstypes.InvalidArnException{Message: aws.String("Invalid arn")},
				"alias/throttled": apiError("ThrottlingException"),
			},
		},
		iam: &fakeIAM{calls: calls, roles: map[string]fakeRole{
			"sagemaker-exec": {
				arn:      testRoleARN,
				trust:    noConditionTrust,
				attached: []string{"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"},
				inline:   map[string]string{"kms": `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}`},
			},
		}},
		s3: &fakeS3{calls: calls, buckets: map[string]fakeBucket{
			"secure-bucket": {encryption: encryption(s3types.ServerSideEncryptionAwsKms), policy: tlsOnlyPolicy},
			"plain-bucket":  {},
			"their-bucket":  {owner: "999999999999", encryption: encryption(s3types.ServerSideEncryptionAwsKms), policy: tlsOnlyPolicy},
			"locked-bucket": {denied: true},
		}},
		logs: &fakeLogs{calls: calls, groups: []logstypes.LogGroup{
			{LogGroupName: aws.String("/aws/sagemaker/TrainingJobsArchive"), RetentionInDays: aws.Int32(1)},
			{LogGroupName: aws.String("/aws/sagemaker/TrainingJobs"), KmsKeyId: aws.String(goodKeyARN), RetentionInDays: aws.Int32(365)},
		}},
	}
}

func (w *world) fetcher() *Fetcher { return NewFetcher(testAccount, w.ec2, w.kms, w.iam, w.s3, w.logs) }

func TestFetchBatchesSubnetLookups(t *testing.T) {
	w := newWorld()
	f := w.fetcher()
	var ids []string
	for i := range 100 {
		ids = append(ids, []string{privateSubnet, publicSubnet}[i%2])
	}
	ids = append(ids, "subnet-0unknown", "")

	found, err := f.Fetch(context.Background(), facts.Request{SubnetIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	if n := w.calls.count("DescribeSubnets"); n != 1 {
		t.Errorf("DescribeSubnets calls = %d, want 1", n)
	}
	if n := w.calls.count("DescribeRouteTables"); n != 1 {
		t.Errorf("DescribeRouteTables calls = %d, want 1", n)
	}
	if in := w.calls.inputs["DescribeSubnets"][0].(*ec2.DescribeSubnetsInput); !reflect.DeepEqual(in.Filters[0].Values, []string{privateSubnet, publicSubnet, "subnet-0unknown"}) {
		t.Errorf("DescribeSubnets filter values = %q", in.Filters[0].Values)
	}
	if in := w.calls.inputs["DescribeRouteTables"][0].(*ec2.DescribeRouteTablesInput); !reflect.DeepEqual(in.Filters[0].Values, []string{testVPC}) {
		t.Errorf("DescribeRouteTables filter values = %q", in.Filters[0].Values)
	}

	if got := found.Subnets[privateSubnet]; !got.Found || !got.Private || got.RouteTableID != "rtb-priv" || !got.HasS3GatewayRoute {
		t.Errorf("private subnet = %+v", got)
	}
	if got := found.Subnets[publicSubnet]; !got.Found || got.Private || got.RouteTableID != "rtb-main" || !got.RouteTableIsMain {
		t.Errorf("public subnet (main table fallback) = %+v", got)
	}
	for _, id := range []string{"subnet-0unknown", ""} {
		if got, ok := found.Subnets[id]; !ok || got.Found || got.ID != id {
			t.Errorf("subnet %q = %+v (present %v), want Found=false", id, got, ok)
		}
	}
	if len(found.Subnets) != 4 {
		t.Errorf("len(Subnets) = %d, want 4", len(found.Subnets))
	}
}

func TestFetchSplitsLargeRequestsAndFollowsPages(t *testing.T) {
	w := newWorld()
	var ids []string
	for i := range 250 {
		id := fmt.Sprintf("subnet-%04d", i)
		ids = append(ids, id)
		w.ec2.subnets = append(w.ec2.subnets, ec2types.Subnet{SubnetId: aws.String(id), VpcId: aws.String(testVPC)})
	}
	w.ec2.subnetPage = 150

	found, err := w.fetcher().Fetch(context.Background(), facts.Request{SubnetIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	// 200 IDs in two pages of 150 + 50, then 50 IDs in one page.
	if n := w.calls.count("DescribeSubnets"); n != 3 {
		t.Errorf("DescribeSubnets calls = %d, want 3", n)
	}
	if n := w.calls.count("DescribeRouteTables"); n != 1 {
		t.Errorf("DescribeRouteTables calls = %d, want 1", n)
	}
	for _, id := range ids {
		if got := found.Subnets[id]; !got.Found || got.RouteTableID != "rtb-main" {
			t.Fatalf("subnet %s = %+v", id, got)
		}
	}
}

// everything asks for one of each kind of object.
var everything = facts.Request{
	SubnetIDs:        []string{privateSubnet},
	SecurityGroupIDs: []string{"sg-0closed"},
	KeyRefs:          []string{"alias/good"},
	RoleARNs:         []string{testRoleARN},
	InstanceTypes:    []string{"ml.g5.xlarge"},
	Buckets:          []string{"secure-bucket"},
	LogGroups:        []string{"/aws/sagemaker/TrainingJobs"},
}

func TestFetchCachesUntilInvalidate(t *testing.T) {
	w := newWorld()
	f := w.fetcher()
	ctx := context.Background()

	first, err := f.Fetch(ctx, everything)
	if err != nil {
		t.Fatal(err)
	}
	firstCalls := w.calls.total()
	if firstCalls == 0 {
		t.Fatal("first Fetch made no calls")
	}

	w.calls.reset()
	second, err := f.Fetch(ctx, everything)
	if err != nil {
		t.Fatal(err)
	}
	if n := w.calls.total(); n != 0 {
		t.Errorf("second Fetch made %d calls (%v), want 0", n, w.calls.counts)
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("cached found differ:\n%+v\n%+v", first, second)
	}

	// Only what is not cached is fetched.
	w.calls.reset()
	found, err := f.Fetch(ctx, facts.Request{SubnetIDs: []string{privateSubnet, publicSubnet}, KeyRefs: []string{"alias/good"}})
	if err != nil {
		t.Fatal(err)
	}
	if in := w.calls.inputs["DescribeSubnets"]; len(in) != 1 || !reflect.DeepEqual(in[0].(*ec2.DescribeSubnetsInput).Filters[0].Values, []string{publicSubnet}) {
		t.Errorf("DescribeSubnets inputs = %+v, want one call for %s only", in, publicSubnet)
	}
	if n := w.calls.count("DescribeKey"); n != 0 {
		t.Errorf("DescribeKey calls = %d, want 0 (cached)", n)
	}
	if len(found.Subnets) != 2 || len(found.Keys) != 1 || len(found.Roles) != 0 {
		t.Errorf("facts = %+v, want only what was asked for", found)
	}

	f.Invalidate()
	w.calls.reset()
	if _, err := f.Fetch(ctx, everything); err != nil {
		t.Fatal(err)
	}
	if n := w.calls.total(); n != firstCalls {
		t.Errorf("after Invalidate: %d calls, want %d", n, firstCalls)
	}
}

func TestFetchKeys(t *testing.T) {
	w := newWorld()
	found, err := w.fetcher().Fetch(context.Background(), facts.Request{KeyRefs: []string{
		"alias/good", goodKeyARN, "alias/sign", "alias/missing",
		"arn:aws:kms:eu-west-1:123456789012:key/0000", otherRegionKeyARN, "arn:aws:kms:us-east-1:123456789012:nonsense", "",
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"alias/good", goodKeyARN} {
		got := found.Keys[ref]
		if !got.Found || got.Ref != ref || got.ARN != goodKeyARN || !got.RotationEnabled || got.Manager != "CUSTOMER" || got.Region != "us-east-1" {
			t.Errorf("key %q = %+v", ref, got)
		}
	}
	if got := found.Keys["alias/sign"]; !got.Found || got.RotationEnabled || got.Spec != "RSA_2048" {
		t.Errorf("asymmetric key = %+v", got)
	}
	if n := w.calls.count("GetKeyRotationStatus"); n != 2 {
		t.Errorf("GetKeyRotationStatus calls = %d, want 2 (none for the asymmetric key)", n)
	}
	wantMissing := map[string]string{
		"alias/missing": "",
		"arn:aws:kms:eu-west-1:123456789012:key/0000": "eu-west-1",
		otherRegionKeyARN: "eu-west-1",
		"arn:aws:kms:us-east-1:123456789012:nonsense": "us-east-1",
		"": "",
	}
	for ref, region := range wantMissing {
		if got, ok := found.Keys[ref]; !ok || got != (facts.KeyFact{Ref: ref, Region: region}) {
			t.Errorf("key %q = %+v (present %v), want Found=false with region %q", ref, got, ok, region)
		}
	}
	if n := w.calls.count("DescribeKey"); n != 7 {
		t.Errorf("DescribeKey calls = %d, want 7 (none for the empty reference)", n)
	}
}

func TestFetchReportsFailuresAndKeepsTheRest(t *testing.T) {
	w := newWorld()
	w.ec2.failSubnets = apiError("UnauthorizedOperation")
	f := w.fetcher()
	req := facts.Request{SubnetIDs: []string{privateSubnet}, KeyRefs: []string{"alias/throttled", "alias/good"}, SecurityGroupIDs: []string{"sg-0open"}}

	found, err := f.Fetch(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "UnauthorizedOperation") || !strings.Contains(err.Error(), `"alias/throttled"`) {
		t.Errorf("err = %v, want both failures", err)
	}
	if _, ok := found.Subnets[privateSubnet]; ok {
		t.Error("a subnet whose lookup failed must be absent (not looked up), not Found=false")
	}
	if _, ok := found.Keys["alias/throttled"]; ok {
		t.Error("a key whose lookup failed must be absent")
	}
	if !found.Keys["alias/good"].Found || found.SecurityGroups["sg-0open"].OpenIngress == nil {
		t.Errorf("the lookups that worked are missing: %+v", found)
	}

	// Failures are not cached: the next Fetch asks again.
	w.calls.reset()
	w.ec2.failSubnets = nil
	delete(w.kms.errs, "alias/throttled")
	w.kms.keys["alias/throttled"] = w.kms.keys["alias/good"]
	found, err = f.Fetch(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !found.Subnets[privateSubnet].Found || !found.Keys["alias/throttled"].Found {
		t.Errorf("retry = %+v", found)
	}
	if n := w.calls.count("DescribeKey"); n != 1 {
		t.Errorf("DescribeKey calls on retry = %d, want 1", n)
	}
}

func TestFetchSecurityGroupsAndInstanceTypes(t *testing.T) {
	w := newWorld()
	found, err := w.fetcher().Fetch(context.Background(), facts.Request{
		SecurityGroupIDs: []string{"sg-0closed", "sg-0open", "sg-0unknown", "sg-0open"},
		InstanceTypes:    []string{"ml.g5.xlarge", "ml.m5.large", "ml.nope.large", "local", "ml.g5.xlarge"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if w.calls.count("DescribeSecurityGroups") != 1 || w.calls.count("DescribeInstanceTypes") != 1 {
		t.Errorf("calls = %v, want one DescribeSecurityGroups and one DescribeInstanceTypes", w.calls.counts)
	}
	if got := found.SecurityGroups["sg-0open"]; !got.Found || !reflect.DeepEqual(got.OpenIngress, []string{"tcp 22 from 0.0.0.0/0"}) {
		t.Errorf("open SG = %+v", got)
	}
	if got := found.SecurityGroups["sg-0closed"]; !got.Found || got.OpenIngress != nil {
		t.Errorf("closed SG = %+v", got)
	}
	if got := found.SecurityGroups["sg-0unknown"]; !reflect.DeepEqual(got, facts.SecurityGroupFact{ID: "sg-0unknown"}) {
		t.Errorf("unknown SG = %+v", got)
	}
	want := map[string]facts.InstanceTypeFact{
		"ml.g5.xlarge":  {Name: "ml.g5.xlarge", Found: true, InstanceStorageSupported: true, GPUs: 1},
		"ml.m5.large":   {Name: "ml.m5.large", Found: true},
		"ml.nope.large": {Name: "ml.nope.large"},
		"local":         {Name: "local"},
	}
	if !reflect.DeepEqual(found.InstanceTypes, want) {
		t.Errorf("InstanceTypes = %+v, want %+v", found.InstanceTypes, want)
	}
	if in := w.calls.inputs["DescribeInstanceTypes"][0].(*ec2.DescribeInstanceTypesInput); !reflect.DeepEqual(in.Filters[0].Values, []string{"g5.xlarge", "m5.large", "nope.large"}) {
		t.Errorf("DescribeInstanceTypes filter values = %q", in.Filters[0].Values)
	}
}

func TestFetchRoles(t *testing.T) {
	w := newWorld()
	otherPath := "arn:aws:iam::123456789012:role/sagemaker-exec" // the real role lives under service-role/
	found, err := w.fetcher().Fetch(context.Background(), facts.Request{RoleARNs: []string{
		testRoleARN, "arn:aws:iam::123456789012:role/missing", otherPath, "sagemaker-exec", "arn:aws:s3:::bucket", "",
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := found.Roles[testRoleARN]
	if !got.Found || got.Name != "sagemaker-exec" || len(got.Trust) != 1 {
		t.Errorf("role = %+v", got)
	}
	assertContainsEach(t, "MissingConditions", got.MissingConditions, []string{"aws:SourceAccount", "aws:SourceArn"})
	assertContainsEach(t, "BroadPermissions", got.BroadPermissions, []string{"AmazonSageMakerFullAccess", `inline policy "kms" statement 0 allows kms:Decrypt`})
	if len(got.TrustProblems) != 0 {
		t.Errorf("TrustProblems = %q", got.TrustProblems)
	}
	for _, ref := range []string{"arn:aws:iam::123456789012:role/missing", otherPath, "sagemaker-exec", "arn:aws:s3:::bucket", ""} {
		if got, ok := found.Roles[ref]; !ok || got.Found || got.Ref != ref {
			t.Errorf("role %q = %+v (present %v), want Found=false", ref, got, ok)
		}
	}
	// Only the three role ARNs reach IAM; the malformed references do not.
	if n := w.calls.count("GetRole"); n != 3 {
		t.Errorf("GetRole calls = %d, want 3", n)
	}
}

func TestRoleNameFromARN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"arn:aws:iam::123456789012:role/x", "x"},
		{"arn:aws:iam::123456789012:role/service-role/x", "x"},
		{"arn:aws-cn:iam::123456789012:role/a/b/c.d@e", "c.d@e"},
		{"arn:aws:iam::123456789012:user/x", ""},
		{"arn:aws:iam::123456789012:role/", ""},
		{"arn:aws:iam::123456789012:role/bad*name", ""},
		{"arn:aws:sts::123456789012:role/x", ""},
		{"x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := RoleNameFromARN(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("RoleNameFromARN(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestFetchBucketsAndLogGroups(t *testing.T) {
	w := newWorld()
	found, err := w.fetcher().Fetch(context.Background(), facts.Request{
		Buckets:   []string{"secure-bucket", "plain-bucket", "missing-bucket", "Not_A_Bucket", ""},
		LogGroups: []string{"/aws/sagemaker/TrainingJobs", "/aws/sagemaker/Training", "/aws/sagemaker/Endpoints/x", "bad name!", ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantBuckets := map[string]facts.BucketFact{
		"secure-bucket":  {Name: "secure-bucket", Found: true, DefaultSSEKMS: true, DeniesInsecureTransport: true, OwnerChecked: true, OwnedByCaller: true},
		"plain-bucket":   {Name: "plain-bucket", Found: true, OwnerChecked: true, OwnedByCaller: true},
		"missing-bucket": {Name: "missing-bucket"},
		"Not_A_Bucket":   {Name: "Not_A_Bucket"},
		"":               {},
	}
	if !reflect.DeepEqual(found.Buckets, wantBuckets) {
		t.Errorf("Buckets = %+v, want %+v", found.Buckets, wantBuckets)
	}
	if n := w.calls.count("GetBucketEncryption"); n != 3 {
		t.Errorf("GetBucketEncryption calls = %d, want 3", n)
	}
	for _, in := range w.calls.inputsOf("GetBucketEncryption") {
		if got := aws.ToString(in.(*s3.GetBucketEncryptionInput).ExpectedBucketOwner); got != testAccount {
			t.Errorf("GetBucketEncryption ExpectedBucketOwner = %q, want the caller's account %s", got, testAccount)
		}
	}
	wantGroups := map[string]facts.LogGroupFact{
		"/aws/sagemaker/TrainingJobs": {Name: "/aws/sagemaker/TrainingJobs", Found: true, KMSKeyARN: goodKeyARN, RetentionDays: 365},
		// A prefix of existing groups is not a group.
		"/aws/sagemaker/Training":    {Name: "/aws/sagemaker/Training"},
		"/aws/sagemaker/Endpoints/x": {Name: "/aws/sagemaker/Endpoints/x"},
		"bad name!":                  {Name: "bad name!"},
		"":                           {},
	}
	if !reflect.DeepEqual(found.LogGroups, wantGroups) {
		t.Errorf("LogGroups = %+v, want %+v", found.LogGroups, wantGroups)
	}
	if n := w.calls.count("DescribeLogGroups"); n != 3 {
		t.Errorf("DescribeLogGroups calls = %d, want 3", n)
	}
}

// TestFetchBucketOwner: S3 is asked with ExpectedBucketOwner = the caller's
// account; a bucket it refuses that way but answers without is another
// account's (SS-DATA-2), and its policy is not read. A bucket refused both
// ways cannot be told apart from missing permissions: the lookup fails.
func TestFetchBucketOwner(t *testing.T) {
	w := newWorld()
	found, err := w.fetcher().Fetch(context.Background(), facts.Request{Buckets: []string{"their-bucket"}})
	if err != nil {
		t.Fatal(err)
	}
	want := facts.BucketFact{Name: "their-bucket", Found: true, OwnerChecked: true}
	if got := found.Buckets["their-bucket"]; got != want {
		t.Errorf("another account's bucket = %+v, want %+v", got, want)
	}
	if n := w.calls.count("GetBucketPolicy"); n != 0 {
		t.Errorf("GetBucketPolicy calls = %d for another account's bucket, want 0", n)
	}

	w = newWorld()
	found, err = w.fetcher().Fetch(context.Background(), facts.Request{Buckets: []string{"locked-bucket", "plain-bucket"}})
	if err == nil || !strings.Contains(err.Error(), `"locked-bucket"`) || !strings.Contains(err.Error(), "ExpectedBucketOwner "+testAccount) {
		t.Errorf("a bucket refused with and without ExpectedBucketOwner: err = %v", err)
	}
	if _, ok := found.Buckets["locked-bucket"]; ok {
		t.Errorf("an undecided bucket is in the facts: %+v", found.Buckets["locked-bucket"])
	}
	if got := found.Buckets["plain-bucket"]; !got.OwnedByCaller {
		t.Errorf("plain-bucket = %+v, want owned by the caller", got)
	}

	// Without an account nothing is asked of the owner.
	w = newWorld()
	found, err = NewFetcher("", w.ec2, w.kms, w.iam, w.s3, w.logs).Fetch(context.Background(), facts.Request{Buckets: []string{"their-bucket"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := found.Buckets["their-bucket"]; got.OwnerChecked || !got.DefaultSSEKMS {
		t.Errorf("without an account: %+v, want not owner-checked, encryption read", got)
	}
}

func TestFetchWithoutClients(t *testing.T) {
	f := NewFetcher("", nil, nil, nil, nil, nil)
	found, err := f.Fetch(context.Background(), facts.Request{})
	if err != nil || len(found.Subnets) != 0 || found.Subnets == nil {
		t.Errorf("empty request: %+v, %v", found, err)
	}
	_, err = f.Fetch(context.Background(), everything)
	for _, service := range []string{"EC2", "KMS", "IAM", "S3", "CloudWatch Logs"} {
		if err == nil || !strings.Contains(err.Error(), "no "+service+" client") {
			t.Errorf("err = %v, want it to name the missing %s client", err, service)
		}
	}
}

// TestFetchConcurrent is meant for `go test -race`: Fetch and Invalidate
// from many goroutines must neither race nor lose answers.
func TestFetchConcurrent(t *testing.T) {
	w := newWorld()
	f := w.fetcher()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			if i%10 == 0 {
				f.Invalidate()
			}
			found, err := f.Fetch(context.Background(), everything)
			switch {
			case err != nil:
				errs <- err
			case !found.Subnets[privateSubnet].Private || !found.Keys["alias/good"].Found:
				errs <- fmt.Errorf("goroutine %d got %+v", i, found)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The fetchers recognise AWS errors with tfawserr.ErrCodeEquals: by the
// code of a typed or generic API error, however wrapped, never by text.
func TestErrCodeEquals(t *testing.T) {
	typed := fmt.Errorf("wrapped: %w", &kmstypes.NotFoundException{Message: aws.String("whatever the text says")})
	if !tfawserr.ErrCodeEquals(typed, "NotFoundException") {
		t.Error("typed, wrapped NotFoundException not recognised")
	}
	if tfawserr.ErrCodeEquals(errors.New("NotFoundException"), "NotFoundException") {
		t.Error("an error is recognised by its message text")
	}
	if tfawserr.ErrCodeEquals(nil, "NotFoundException") {
		t.Error("nil recognised")
	}
}

// Resources refreshed in parallel that share subnets must not all miss the
// cache at once: concurrent Fetches of the same IDs cost one lookup.
func TestConcurrentFetchesShareOneLookup(t *testing.T) {
	w := newWorld()
	f := w.fetcher()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := f.Fetch(context.Background(), facts.Request{SubnetIDs: []string{privateSubnet, publicSubnet}, KeyRefs: []string{goodKeyARN}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := w.calls.count("DescribeSubnets"); n != 1 {
		t.Errorf("DescribeSubnets calls = %d, want 1 for 20 concurrent fetches", n)
	}
	if n := w.calls.count("DescribeKey"); n != 1 {
		t.Errorf("DescribeKey calls = %d, want 1 for 20 concurrent fetches", n)
	}
}

func TestFetchExpandsPrefixListsOnceEach(t *testing.T) {
	w := newWorld()
	w.ec2.prefixLists = map[string][]string{"pl-s3": {"52.216.0.0/15"}, "pl-corp": {"10.8.0.0/16"}}
	w.ec2.groups = append(w.ec2.groups,
		ec2types.SecurityGroup{GroupId: aws.String("sg-0pl"), VpcId: aws.String(testVPC),
			IpPermissions:       []ec2types.IpPermission{plPerm("tcp", 443, "pl-s3", "pl-corp")},
			IpPermissionsEgress: []ec2types.IpPermission{plPerm("tcp", 443, "pl-s3", "pl-gone")}},
		ec2types.SecurityGroup{GroupId: aws.String("sg-0pl2"), VpcId: aws.String(testVPC),
			IpPermissions: []ec2types.IpPermission{plPerm("tcp", 443, "pl-corp")}},
	)
	f := w.fetcher()
	found, err := f.Fetch(context.Background(), facts.Request{SecurityGroupIDs: []string{"sg-0pl", "sg-0pl2"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := w.calls.count("GetManagedPrefixListEntries"); n != 3 {
		t.Errorf("GetManagedPrefixListEntries calls = %d, want one per distinct list (3)", n)
	}
	if got := found.SecurityGroups["sg-0pl"].OpenIngress; !reflect.DeepEqual(got, []string{"tcp 443 from prefix list pl-s3 (it holds the public range 52.216.0.0/15)"}) {
		t.Errorf("sg-0pl OpenIngress = %q", got)
	}
	if got := found.SecurityGroups["sg-0pl"].PublicEgress; len(got) != 2 || got[1].PrefixList != "pl-gone" {
		t.Errorf("sg-0pl PublicEgress = %+v, want pl-s3 and the missing pl-gone (fails closed)", got)
	}
	if got := found.SecurityGroups["sg-0pl2"].OpenIngress; got != nil {
		t.Errorf("sg-0pl2 (private prefix list) OpenIngress = %q", got)
	}

	// Another group naming the same lists: the entries come from the cache.
	w.calls.reset()
	w.ec2.groups = append(w.ec2.groups, ec2types.SecurityGroup{GroupId: aws.String("sg-0pl3"), VpcId: aws.String(testVPC),
		IpPermissions: []ec2types.IpPermission{plPerm("tcp", 443, "pl-s3", "pl-corp")}})
	if _, err := f.Fetch(context.Background(), facts.Request{SecurityGroupIDs: []string{"sg-0pl3"}}); err != nil {
		t.Fatal(err)
	}
	if n := w.calls.count("GetManagedPrefixListEntries"); n != 0 {
		t.Errorf("GetManagedPrefixListEntries calls for cached lists = %d, want 0", n)
	}
	f.Invalidate()
	w.calls.reset()
	if _, err := f.Fetch(context.Background(), facts.Request{SecurityGroupIDs: []string{"sg-0pl3"}}); err != nil {
		t.Fatal(err)
	}
	if n := w.calls.count("GetManagedPrefixListEntries"); n != 2 {
		t.Errorf("GetManagedPrefixListEntries calls after Invalidate = %d, want 2", n)
	}
}

// TestFetchBoundaryReachedRoles: a boundary whose iam:PassRole names roles
// of a prefix is judged with the roles that prefix reaches: one of them
// without the boundary is an uncapped role (SS-IAM-5). ListRoles is paged
// and GetRole is asked only of the roles the pattern reaches.
func TestFetchBoundaryReachedRoles(t *testing.T) {
	const boundary = "arn:aws:iam::123456789012:policy/org-boundary"
	w := newWorld()
	fi := w.iam
	fi.policies = map[string]fakePolicy{boundary: {defaultVersion: "v1", versions: map[string]string{
		"v1": `{"Statement":[{"Effect":"Allow","Action":"sagemaker:CreateTrainingJob","Resource":"*"},` +
			`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-*"}]}`}}}
	role := func(n string) string { return "arn:aws:iam::123456789012:role/" + n }
	fi.roles["ml-train"] = fakeRole{arn: role("ml-train"), trust: noConditionTrust, boundary: boundary}
	fi.roles["ml-legacy"] = fakeRole{arn: role("ml-legacy"), trust: noConditionTrust}
	fi.roles["web"] = fakeRole{arn: role("web"), trust: noConditionTrust}

	got, err := w.fetcher().Fetch(context.Background(), facts.Request{Policies: []string{boundary}})
	if err != nil {
		t.Fatal(err)
	}
	f := got.Policies[boundary]
	if !f.Found || len(f.Escapes) > 0 || !slices.Equal(f.UncappedRoles, []string{role("ml-legacy")}) {
		t.Errorf("boundary fact %+v, want found, no escapes, uncapped [ml-legacy]", f)
	}
	if n := w.calls.count("ListRoles"); n != len(fi.roles) {
		t.Errorf("ListRoles called %d times, want one per page (%d)", n, len(fi.roles))
	}
	var asked []string
	for _, in := range w.calls.inputsOf("GetRole") {
		asked = append(asked, aws.ToString(in.(*iam.GetRoleInput).RoleName))
	}
	if slices.Sort(asked); !slices.Equal(asked, []string{"ml-legacy", "ml-train"}) {
		t.Errorf("GetRole asked of %v, want only the roles ml-* reaches", asked)
	}

	// A deployer that may not list roles (a policy older than the check):
	// the boundary is still judged, the roles are unread (not held).
	fi.listErr = apiError("AccessDenied")
	got, err = w.fetcher().Fetch(context.Background(), facts.Request{Policies: []string{boundary}})
	if f := got.Policies[boundary]; err != nil || !f.Found || f.RolesUnread == "" || f.UncappedRoles != nil {
		t.Errorf("with ListRoles denied: err %v, fact %+v; want found, roles unread", err, f)
	}
}

// fakeNotebooks lists notebook instances one per page (to exercise paging)
// and describes them with their execution role.
type fakeNotebooks struct {
	calls   *callLog
	roles   map[string]string // notebook name to role ARN
	listErr error
}

func (f *fakeNotebooks) ListNotebookInstances(_ context.Context, in *sagemaker.ListNotebookInstancesInput, _ ...func(*sagemaker.Options)) (*sagemaker.ListNotebookInstancesOutput, error) {
	f.calls.record("ListNotebookInstances", in)
	if f.listErr != nil {
		return nil, f.listErr
	}
	names := slices.Sorted(maps.Keys(f.roles))
	i := 0
	if in.NextToken != nil {
		i = slices.Index(names, *in.NextToken)
	}
	if i < 0 || i >= len(names) {
		return &sagemaker.ListNotebookInstancesOutput{}, nil
	}
	out := &sagemaker.ListNotebookInstancesOutput{NotebookInstances: []smtypes.NotebookInstanceSummary{{
		NotebookInstanceName: aws.String(names[i]), NotebookInstanceArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/" + names[i])}}}
	if i+1 < len(names) {
		out.NextToken = aws.String(names[i+1])
	}
	return out, nil
}

func (f *fakeNotebooks) DescribeNotebookInstance(_ context.Context, in *sagemaker.DescribeNotebookInstanceInput, _ ...func(*sagemaker.Options)) (*sagemaker.DescribeNotebookInstanceOutput, error) {
	f.calls.record("DescribeNotebookInstance", in)
	role, ok := f.roles[aws.ToString(in.NotebookInstanceName)]
	if !ok {
		return nil, apiError("ValidationException")
	}
	return &sagemaker.DescribeNotebookInstanceOutput{NotebookInstanceName: in.NotebookInstanceName, RoleArn: aws.String(role)}, nil
}

// TestFetchBoundaryReachedNotebooks: a boundary whose presigned notebook
// URLs name a prefix is judged with the notebook instances of that prefix:
// one running as a role without the boundary is uncapped (SS-IAM-5). Only
// the reached instances are described, and each role is read once.
func TestFetchBoundaryReachedNotebooks(t *testing.T) {
	const boundary = "arn:aws:iam::123456789012:policy/org-boundary"
	w := newWorld()
	fi := w.iam
	fi.policies = map[string]fakePolicy{boundary: {defaultVersion: "v1", versions: map[string]string{
		"v1": `{"Statement":[{"Effect":"Allow","Action":"sagemaker:CreateTrainingJob","Resource":"*"},` +
			`{"Effect":"Allow","Action":"sagemaker:CreatePresignedNotebookInstanceUrl","Resource":"arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/ml-*"}]}`}}}
	role := func(n string) string { return "arn:aws:iam::123456789012:role/" + n }
	fi.roles["ml-lab"] = fakeRole{arn: role("ml-lab"), trust: noConditionTrust, boundary: boundary}
	fi.roles["admin"] = fakeRole{arn: role("admin"), trust: noConditionTrust}
	nbs := &fakeNotebooks{calls: w.calls, roles: map[string]string{"ml-lab": role("ml-lab"), "ml-legacy": role("admin"), "ml-old": role("admin"), "web": role("admin")}}

	got, err := w.fetcher().WithNotebooks(nbs, "us-east-1").Fetch(context.Background(), facts.Request{Policies: []string{boundary}})
	if err != nil {
		t.Fatal(err)
	}
	nb := func(n string) string { return "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/" + n }
	f := got.Policies[boundary]
	want := []string{nb("ml-legacy") + " (role " + role("admin") + ")", nb("ml-old") + " (role " + role("admin") + ")"}
	if !f.Found || len(f.Escapes) > 0 || !slices.Equal(f.UncappedNotebooks, want) || f.NotebooksUnread != "" || f.UnverifiedReach != nil {
		t.Errorf("boundary fact %+v, want found, no escapes, uncapped %v, nothing unverified", f, want)
	}
	if n := w.calls.count("ListNotebookInstances"); n != 4 {
		t.Errorf("ListNotebookInstances called %d times, want one per page (4)", n)
	}
	if n := w.calls.count("DescribeNotebookInstance"); n != 3 {
		t.Errorf("DescribeNotebookInstance called %d times, want only for the 3 instances ml-* reaches", n)
	}
	if n := w.calls.count("GetRole"); n != 2 {
		t.Errorf("GetRole called %d times, want once per role (2)", n)
	}

	// A deployer that may not list notebook instances (a policy older than
	// the check): the boundary is still judged, unread (not held).
	nbs.listErr = apiError("AccessDeniedException")
	got, err = w.fetcher().WithNotebooks(nbs, "us-east-1").Fetch(context.Background(), facts.Request{Policies: []string{boundary}})
	if f := got.Policies[boundary]; err != nil || !f.Found || f.NotebooksUnread == "" || f.UncappedNotebooks != nil {
		t.Errorf("with ListNotebookInstances denied: err %v, fact %+v; want found, unread", err, f)
	}

	// Without a SageMaker client the boundary cannot be judged: an error,
	// never a fact that could read as held.
	got, err = w.fetcher().Fetch(context.Background(), facts.Request{Policies: []string{boundary}})
	if _, ok := got.Policies[boundary]; err == nil || ok {
		t.Errorf("without a SageMaker client: err %v, fact present %v; want an error and no fact", err, ok)
	}
}
