package posture

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// emulatorClients are SDK clients pointed at the emulator.
type emulatorClients struct {
	ec2  *ec2.Client
	kms  *kms.Client
	iam  *iam.Client
	s3   *s3.Client
	logs *cloudwatchlogs.Client
}

// newEmulatorClients points SDK clients at SAGESAFE_TEST_ENDPOINT, or skips
// the test when it is not set.
func newEmulatorClients(t *testing.T) emulatorClients {
	t.Helper()
	endpoint := os.Getenv("SAGESAFE_TEST_ENDPOINT")
	if endpoint == "" {
		t.Skip("SAGESAFE_TEST_ENDPOINT is not set; start an emulator (moto_server -H 127.0.0.1 -p PORT) and set it to http://127.0.0.1:PORT to run this test")
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "posture emulator test"}, nil
		}),
	}
	return emulatorClients{
		ec2:  ec2.NewFromConfig(cfg),
		kms:  kms.NewFromConfig(cfg),
		iam:  iam.NewFromConfig(cfg),
		s3:   s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		logs: cloudwatchlogs.NewFromConfig(cfg),
	}
}

// must fails the test on err, naming the step.
func must[T any](t *testing.T, step string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return v
	}
}

// undo registers a cleanup step; cleanups run last-in first-out, so objects
// are deleted before what they depend on.
func undo(t *testing.T, step string, fn func(ctx context.Context) error) {
	t.Cleanup(func() {
		if err := fn(context.Background()); err != nil {
			t.Errorf("cleanup %s: %v", step, err)
		}
	})
}

// emulatorAccount is what buildEmulatorAccount created.
type emulatorAccount struct {
	vpc, privateSubnet, mainSubnet, privateTable, mainTable, openSG string
	goodKeyARN, plainKeyID                                          string
	roleARN                                                         string
	secureBucket, plainBucket, theirBucket                          string
	logGroup                                                        string
}

// buildEmulatorAccount creates, with names starting with name, and removes
// when the test ends:
//   - a VPC whose main route table routes 0.0.0.0/0 to an internet gateway,
//     a private subnet with its own table holding an S3 gateway endpoint
//     route, a subnet with no association (it falls back to the main
//     table), and a security group open on tcp 22;
//   - a KMS key with rotation and one without (scheduled for deletion);
//   - a role under /service-role/ with an inline "*" on "*" policy;
//   - a bucket with SSE-KMS and a TLS-only policy, and a plain bucket;
//   - an SSE-KMS bucket of account 999999999999 (moto's x-moto-account-id;
//     the launcher honours ExpectedBucketOwner);
//   - a log group with a key and retention, and one whose name extends it.
func buildEmulatorAccount(t *testing.T, c emulatorClients, name string) emulatorAccount {
	ctx := context.Background()
	var a emulatorAccount

	a.vpc = aws.ToString(must[*ec2.CreateVpcOutput](t, "CreateVpc")(c.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})).Vpc.VpcId)
	undo(t, "DeleteVpc", func(ctx context.Context) error {
		_, err := c.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(a.vpc)})
		return err
	})
	subnet := func(cidr string) string {
		id := aws.ToString(must[*ec2.CreateSubnetOutput](t, "CreateSubnet")(c.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(a.vpc), CidrBlock: aws.String(cidr)})).Subnet.SubnetId)
		undo(t, "DeleteSubnet", func(ctx context.Context) error {
			_, err := c.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(id)})
			return err
		})
		return id
	}
	a.privateSubnet, a.mainSubnet = subnet("10.20.1.0/24"), subnet("10.20.2.0/24")

	igw := aws.ToString(must[*ec2.CreateInternetGatewayOutput](t, "CreateInternetGateway")(c.ec2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayId)
	undo(t, "DeleteInternetGateway", func(ctx context.Context) error {
		_, err := c.ec2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(igw)})
		return err
	})
	must[*ec2.AttachInternetGatewayOutput](t, "AttachInternetGateway")(c.ec2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(a.vpc)}))
	undo(t, "DetachInternetGateway", func(ctx context.Context) error {
		_, err := c.ec2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(a.vpc)})
		return err
	})
	tables := must[*ec2.DescribeRouteTablesOutput](t, "DescribeRouteTables")(c.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{a.vpc}}, {Name: aws.String("association.main"), Values: []string{"true"}}},
	})).RouteTables
	if len(tables) != 1 {
		t.Fatalf("main route tables of %s: %d", a.vpc, len(tables))
	}
	a.mainTable = aws.ToString(tables[0].RouteTableId)
	must[*ec2.CreateRouteOutput](t, "CreateRoute")(c.ec2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(a.mainTable), DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(igw)}))

	a.privateTable = aws.ToString(must[*ec2.CreateRouteTableOutput](t, "CreateRouteTable")(c.ec2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(a.vpc)})).RouteTable.RouteTableId)
	undo(t, "DeleteRouteTable", func(ctx context.Context) error {
		_, err := c.ec2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: aws.String(a.privateTable)})
		return err
	})
	assoc := must[*ec2.AssociateRouteTableOutput](t, "AssociateRouteTable")(c.ec2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(a.privateTable), SubnetId: aws.String(a.privateSubnet)})).AssociationId
	undo(t, "DisassociateRouteTable", func(ctx context.Context) error {
		_, err := c.ec2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: assoc})
		return err
	})
	endpoint := must[*ec2.CreateVpcEndpointOutput](t, "CreateVpcEndpoint")(c.ec2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{
		VpcId: aws.String(a.vpc), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), VpcEndpointType: ec2types.VpcEndpointTypeGateway, RouteTableIds: []string{a.privateTable},
	})).VpcEndpoint.VpcEndpointId
	undo(t, "DeleteVpcEndpoints", func(ctx context.Context) error {
		_, err := c.ec2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{aws.ToString(endpoint)}})
		return err
	})

	a.openSG = aws.ToString(must[*ec2.CreateSecurityGroupOutput](t, "CreateSecurityGroup")(c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name + "-open"), Description: aws.String("open"), VpcId: aws.String(a.vpc)})).GroupId)
	undo(t, "DeleteSecurityGroup", func(ctx context.Context) error {
		_, err := c.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(a.openSG)})
		return err
	})
	must[*ec2.AuthorizeSecurityGroupIngressOutput](t, "AuthorizeSecurityGroupIngress")(c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(a.openSG), IpPermissions: []ec2types.IpPermission{perm("tcp", 22, 22, "0.0.0.0/0")},
	}))

	key := func() *kmstypes.KeyMetadata {
		meta := must[*kms.CreateKeyOutput](t, "CreateKey")(c.kms.CreateKey(ctx, &kms.CreateKeyInput{})).KeyMetadata
		undo(t, "ScheduleKeyDeletion", func(ctx context.Context) error {
			_, err := c.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: meta.KeyId, PendingWindowInDays: aws.Int32(7)})
			return err
		})
		return meta
	}
	good, plain := key(), key()
	must[*kms.EnableKeyRotationOutput](t, "EnableKeyRotation")(c.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: good.KeyId}))
	a.goodKeyARN, a.plainKeyID = aws.ToString(good.Arn), aws.ToString(plain.KeyId)

	a.roleARN = aws.ToString(must[*iam.CreateRoleOutput](t, "CreateRole")(c.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(name), Path: aws.String("/service-role/"), AssumeRolePolicyDocument: aws.String(goodTrust),
	})).Role.Arn)
	undo(t, "DeleteRole", func(ctx context.Context) error {
		_, err := c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
		return err
	})
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(name), PolicyName: aws.String("admin"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`),
	}))
	undo(t, "DeleteRolePolicy", func(ctx context.Context) error {
		_, err := c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("admin")})
		return err
	})

	a.secureBucket, a.plainBucket = name+"-secure", name+"-plain"
	for _, b := range []string{a.secureBucket, a.plainBucket} {
		must[*s3.CreateBucketOutput](t, "CreateBucket")(c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))
		undo(t, "DeleteBucket", func(ctx context.Context) error {
			_, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b)})
			return err
		})
	}
	a.theirBucket = name + "-theirs"
	asOther := func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("x-moto-account-id", "999999999999"))
	}
	must[*s3.CreateBucketOutput](t, "CreateBucket")(c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(a.theirBucket)}, asOther))
	undo(t, "DeleteBucket", func(ctx context.Context) error {
		_, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(a.theirBucket)}, asOther)
		return err
	})
	must[*s3.PutBucketEncryptionOutput](t, "PutBucketEncryption")(c.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket: aws.String(a.theirBucket), ServerSideEncryptionConfiguration: encryption(s3types.ServerSideEncryptionAwsKms).ServerSideEncryptionConfiguration,
	}, asOther))
	must[*s3.PutBucketEncryptionOutput](t, "PutBucketEncryption")(c.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
		Bucket: aws.String(a.secureBucket), ServerSideEncryptionConfiguration: encryption(s3types.ServerSideEncryptionAwsKms).ServerSideEncryptionConfiguration,
	}))
	must[*s3.PutBucketPolicyOutput](t, "PutBucketPolicy")(c.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{
		Bucket: aws.String(a.secureBucket), Policy: aws.String(strings.ReplaceAll(tlsOnlyPolicy, "data-bucket", a.secureBucket)),
	}))

	a.logGroup = "/aws/sagemaker/" + name
	for _, g := range []string{a.logGroup, a.logGroup + "-other"} {
		must[*cloudwatchlogs.CreateLogGroupOutput](t, "CreateLogGroup")(c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g), KmsKeyId: good.Arn}))
		undo(t, "DeleteLogGroup", func(ctx context.Context) error {
			_, err := c.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(g)})
			return err
		})
	}
	must[*cloudwatchlogs.PutRetentionPolicyOutput](t, "PutRetentionPolicy")(c.logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(a.logGroup), RetentionInDays: aws.Int32(365)}))
	return a
}

// TestEmulatorFetch checks the Fetcher's SDK usage against the emulator:
// the subnet-id, group-id, vpc-id and instance-type filters, main-table
// fallback, gateway endpoint routes as the emulator shows them, typed
// not-found errors and URL-encoded IAM documents.
func TestEmulatorFetch(t *testing.T) {
	c := newEmulatorClients(t)
	ctx := context.Background()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "posture-" + hex.EncodeToString(suffix)
	a := buildEmulatorAccount(t, c, name)
	otherRegion := strings.Replace(a.goodKeyARN, ":us-east-1:", ":eu-west-1:", 1)

	f := NewFetcher("123456789012", c.ec2, c.kms, c.iam, c.s3, c.logs)
	found, err := f.Fetch(ctx, facts.Request{
		SubnetIDs:        []string{a.privateSubnet, a.mainSubnet, "subnet-0000000000000dead"},
		SecurityGroupIDs: []string{a.openSG, "sg-0000000000000dead"},
		KeyRefs:          []string{a.goodKeyARN, a.plainKeyID, "11111111-2222-3333-4444-555555555555", "arn:aws:kms:us-east-1:123456789012:nonsense", "alias/" + name, otherRegion},
		RoleARNs:         []string{a.roleARN, "arn:aws:iam::123456789012:role/" + name + "-missing"},
		InstanceTypes:    []string{"ml.g5.xlarge", "ml.m5.large", "ml.nope.large"},
		Buckets:          []string{a.secureBucket, a.plainBucket, a.theirBucket, name + "-missing"},
		LogGroups:        []string{a.logGroup, "/aws/sagemaker/" + name + "-missing"},
	})
	if err != nil {
		t.Fatal(err)
	}

	if got := found.Subnets[a.privateSubnet]; !got.Found || !got.Private || got.RouteTableID != a.privateTable || !got.HasS3GatewayRoute {
		t.Errorf("private subnet = %+v", got)
	}
	if got := found.Subnets[a.mainSubnet]; !got.Found || got.Private || got.RouteTableID != a.mainTable || !got.RouteTableIsMain {
		t.Errorf("subnet on the main table = %+v", got)
	}
	if got := found.Subnets["subnet-0000000000000dead"]; got.Found {
		t.Errorf("unknown subnet = %+v", got)
	}
	if got := found.SecurityGroups[a.openSG]; !got.Found || !reflect.DeepEqual(got.OpenIngress, []string{"tcp 22 from 0.0.0.0/0"}) || !got.UnrestrictedEgress || got.VPCID != a.vpc {
		t.Errorf("open SG = %+v", got)
	}
	if got := found.SecurityGroups["sg-0000000000000dead"]; got.Found {
		t.Errorf("unknown SG = %+v", got)
	}

	if got := found.Keys[a.goodKeyARN]; !got.Found || !got.RotationEnabled || got.Manager != "CUSTOMER" || got.Region != "us-east-1" || got.State != "Enabled" {
		t.Errorf("rotating key = %+v", got)
	}
	if got := found.Keys[a.plainKeyID]; !got.Found || got.RotationEnabled {
		t.Errorf("key without rotation = %+v", got)
	}
	for _, ref := range []string{"11111111-2222-3333-4444-555555555555", "arn:aws:kms:us-east-1:123456789012:nonsense", "alias/" + name, otherRegion} {
		if got, ok := found.Keys[ref]; !ok || got.Found {
			t.Errorf("key %q = %+v (present %v), want Found=false", ref, got, ok)
		}
	}

	role := found.Roles[a.roleARN]
	if !role.Found || len(role.Trust) != 1 || len(role.TrustProblems)+len(role.MissingConditions) != 0 {
		t.Errorf("role = %+v", role)
	}
	assertContainsEach(t, "BroadPermissions", role.BroadPermissions, []string{`inline policy "admin" statement 0 allows * on every resource`})
	if got := found.Roles["arn:aws:iam::123456789012:role/"+name+"-missing"]; got.Found {
		t.Errorf("missing role = %+v", got)
	}

	wantTypes := map[string]facts.InstanceTypeFact{
		"ml.g5.xlarge":  {Name: "ml.g5.xlarge", Found: true, InstanceStorageSupported: true, GPUs: 1},
		"ml.m5.large":   {Name: "ml.m5.large", Found: true},
		"ml.nope.large": {Name: "ml.nope.large"},
	}
	if !reflect.DeepEqual(found.InstanceTypes, wantTypes) {
		t.Errorf("InstanceTypes = %+v, want %+v", found.InstanceTypes, wantTypes)
	}

	wantBuckets := map[string]facts.BucketFact{
		a.secureBucket:    {Name: a.secureBucket, Found: true, DefaultSSEKMS: true, DeniesInsecureTransport: true, OwnerChecked: true, OwnedByCaller: true},
		a.plainBucket:     {Name: a.plainBucket, Found: true, OwnerChecked: true, OwnedByCaller: true},
		a.theirBucket:     {Name: a.theirBucket, Found: true, OwnerChecked: true}, // SS-DATA-2
		name + "-missing": {Name: name + "-missing"},
	}
	if !reflect.DeepEqual(found.Buckets, wantBuckets) {
		t.Errorf("Buckets = %+v, want %+v", found.Buckets, wantBuckets)
	}
	if got := found.LogGroups[a.logGroup]; !got.Found || got.KMSKeyARN != a.goodKeyARN || got.RetentionDays != 365 {
		t.Errorf("log group = %+v", got)
	}
	if got := found.LogGroups["/aws/sagemaker/"+name+"-missing"]; got.Found {
		t.Errorf("missing log group = %+v", got)
	}
}
