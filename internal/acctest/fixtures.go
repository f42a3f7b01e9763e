package acctest

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// SubnetOpts shapes a fixture subnet.
type SubnetOpts = fixtures.SubnetOpts

// builder returns a fixtures.Builder whose objects are removed when the
// test ends.
func builder(t *testing.T) *fixtures.Builder {
	t.Helper()
	b := fixtures.New(AWS(t), map[string]string{"sagesafe-test": t.Name()})
	t.Cleanup(func() {
		if err := b.Teardown(context.Background()); err != nil {
			t.Errorf("removing fixtures: %v", err)
		}
	})
	return b
}

func must(t *testing.T, id string, err error) string {
	t.Helper()
	if err != nil {
		t.Fatalf("creating a fixture: %v", err)
	}
	return id
}

// VPC creates a VPC, removed when the test ends.
func VPC(t *testing.T, cidr string) string {
	t.Helper()
	id, err := builder(t).VPC(context.Background(), cidr)
	return must(t, id, err)
}

// Subnet creates a subnet with its own route table, shaped by opts.
func Subnet(t *testing.T, vpcID string, opts SubnetOpts) string {
	t.Helper()
	id, err := builder(t).Subnet(context.Background(), vpcID, opts)
	return must(t, id, err)
}

// SecurityGroup creates a security group; open allows 22 from 0.0.0.0/0.
func SecurityGroup(t *testing.T, vpcID string, open bool) string {
	t.Helper()
	id, err := builder(t).SecurityGroup(context.Background(), vpcID, RandomName("sg"), open)
	return must(t, id, err)
}

// SecurityGroupOpenTo creates a closed security group, then allows tcp 22
// in from each CIDR (0.0.0.0/1 and 128.0.0.0/1: open in pieces).
func SecurityGroupOpenTo(t *testing.T, vpcID string, cidrs ...string) string {
	t.Helper()
	b := builder(t)
	id, err := b.SecurityGroup(context.Background(), vpcID, RandomName("sg"), false)
	must(t, id, err)
	if err := b.AllowIngress(context.Background(), id, 22, cidrs...); err != nil {
		t.Fatalf("opening security group %s: %v", id, err)
	}
	return id
}

// Key creates a customer-managed key, rotating or not.
func Key(t *testing.T, rotate bool) string {
	t.Helper()
	id, err := builder(t).Key(context.Background(), "sagesafe acceptance test "+t.Name(), rotate)
	return must(t, id, err)
}

// KeyInAccount creates a rotating customer-managed key in another account
// and returns its ARN, scheduled for deletion when the test ends. Emulator
// only: moto's x-moto-account-id header picks the account, and the
// launcher serves requests that name the key by ARN from that account (as
// KMS does for a key whose policy allows the caller).
func KeyInAccount(t *testing.T, account string) string {
	t.Helper()
	c := AWS(t).KMS
	asOther := func(o *kms.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("x-moto-account-id", account))
	}
	ctx := context.Background()
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("sagesafe acceptance test " + t.Name()),
		KeySpec: kmstypes.KeySpecSymmetricDefault, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt}, asOther)
	if err != nil {
		t.Fatalf("creating a key in account %s: %v", account, err)
	}
	keyARN := aws.ToString(out.KeyMetadata.Arn)
	t.Cleanup(func() {
		// As the key's own account (KMS schedules deletion only there), by
		// key ID (moto's ScheduleKeyDeletion takes no ARN).
		in := &kms.ScheduleKeyDeletionInput{KeyId: out.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(7)}
		if _, err := c.ScheduleKeyDeletion(context.Background(), in, asOther); err != nil {
			t.Errorf("removing key %s: %v", keyARN, err)
		}
	})
	if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keyARN)}); err != nil {
		t.Fatalf("enabling rotation of %s: %v", keyARN, err)
	}
	return keyARN
}

// BucketInAccount creates a data bucket like DataBucket's (SSE-KMS under
// kmsKeyARN, TLS-only policy) owned by another account, emptied and removed
// when the test ends. It returns the bucket name. Emulator only: moto's
// x-moto-account-id header picks the owner, and the launcher refuses a
// request whose ExpectedBucketOwner is not that account, as S3 does.
func BucketInAccount(t *testing.T, account, kmsKeyARN string) string {
	t.Helper()
	other := *AWS(t)
	opts := other.S3.Options()
	opts.APIOptions = append(slices.Clone(opts.APIOptions), smithyhttp.AddHeaderValue("x-moto-account-id", account))
	other.S3 = s3.New(opts)
	b := fixtures.New(&other, map[string]string{"sagesafe-test": t.Name()})
	t.Cleanup(func() {
		if err := b.Teardown(context.Background()); err != nil {
			t.Errorf("removing the bucket of account %s: %v", account, err)
		}
	})
	name, err := b.DataBucket(context.Background(), RandomName("theirs"), kmsKeyARN)
	return must(t, name, err)
}

// SageMakerTrust is a SageMaker trust policy, with or without the
// confused-deputy conditions.
func SageMakerTrust(account string, conditions bool) string {
	return fixtures.SageMakerTrust("aws", Region, account, conditions)
}

// Role creates an IAM role with a trust policy and managed policies.
func Role(t *testing.T, trust string, managed ...string) string {
	t.Helper()
	id, err := builder(t).Role(context.Background(), RandomName("role"), trust, managed...)
	return must(t, id, err)
}

// NamedRole creates an IAM role of the given name (for tests of a name
// someone else already holds).
func NamedRole(t *testing.T, name, trust string) string {
	t.Helper()
	id, err := builder(t).Role(context.Background(), name, trust)
	return must(t, id, err)
}

// Policy creates a customer-managed IAM policy, removed when the test ends
// (create it before the roles it is attached to: they are removed first).
func Policy(t *testing.T, document string) string {
	t.Helper()
	id, err := builder(t).Policy(context.Background(), RandomName("policy"), document)
	return must(t, id, err)
}
