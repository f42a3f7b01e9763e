package posture

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

func keyMeta(region string, manager kmstypes.KeyManagerType, state kmstypes.KeyState) *kmstypes.KeyMetadata {
	return &kmstypes.KeyMetadata{
		KeyId:      aws.String("1234abcd-12ab-34cd-56ef-1234567890ab"),
		Arn:        aws.String("arn:aws:kms:" + region + ":123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		KeyManager: manager,
		KeySpec:    kmstypes.KeySpecSymmetricDefault,
		KeyUsage:   kmstypes.KeyUsageTypeEncryptDecrypt,
		KeyState:   state,
		Enabled:    state == kmstypes.KeyStateEnabled,
		Origin:     kmstypes.OriginTypeAwsKms,
	}
}

func TestAssessKey(t *testing.T) {
	tests := []struct {
		name     string
		meta     *kmstypes.KeyMetadata
		rotation bool
		want     facts.KeyFact
	}{
		{
			name: "good CMK", rotation: true,
			meta: keyMeta("us-east-1", kmstypes.KeyManagerTypeCustomer, kmstypes.KeyStateEnabled),
			want: facts.KeyFact{Found: true, Region: "us-east-1", Manager: "CUSTOMER", State: "Enabled", RotationEnabled: true},
		},
		{
			name: "AWS-managed key", rotation: true,
			meta: keyMeta("us-east-1", kmstypes.KeyManagerTypeAws, kmstypes.KeyStateEnabled),
			want: facts.KeyFact{Found: true, Region: "us-east-1", Manager: "AWS", State: "Enabled", RotationEnabled: true},
		},
		{
			name: "disabled CMK", rotation: true,
			meta: keyMeta("us-east-1", kmstypes.KeyManagerTypeCustomer, kmstypes.KeyStateDisabled),
			want: facts.KeyFact{Found: true, Region: "us-east-1", Manager: "CUSTOMER", State: "Disabled", RotationEnabled: true},
		},
		{
			name: "rotation off",
			meta: keyMeta("us-east-1", kmstypes.KeyManagerTypeCustomer, kmstypes.KeyStateEnabled),
			want: facts.KeyFact{Found: true, Region: "us-east-1", Manager: "CUSTOMER", State: "Enabled"},
		},
		{
			name: "other region", rotation: true,
			meta: keyMeta("eu-west-1", kmstypes.KeyManagerTypeCustomer, kmstypes.KeyStateEnabled),
			want: facts.KeyFact{Found: true, Region: "eu-west-1", Manager: "CUSTOMER", State: "Enabled", RotationEnabled: true},
		},
		{
			name: "other account", rotation: true,
			meta: func() *kmstypes.KeyMetadata {
				m := keyMeta("us-east-1", kmstypes.KeyManagerTypeCustomer, kmstypes.KeyStateEnabled)
				m.Arn = aws.String("arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab")
				return m
			}(),
			want: facts.KeyFact{Found: true, Region: "us-east-1", Account: "999999999999", Manager: "CUSTOMER", State: "Enabled", RotationEnabled: true},
		},
		{name: "nil metadata", want: facts.KeyFact{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AssessKey(tt.meta, tt.rotation)
			if tt.want.Found {
				tt.want.ARN = aws.ToString(tt.meta.Arn)
				tt.want.KeyID = "1234abcd-12ab-34cd-56ef-1234567890ab"
				tt.want.Spec, tt.want.Usage, tt.want.Origin = "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS"
				if tt.want.Account == "" {
					tt.want.Account = "123456789012"
				}
			}
			if got != tt.want {
				t.Errorf("AssessKey = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestKeyManagerValues: the guardrails compare KeyFact.Manager with facts'
// constants, which must be KMS's KeyManagerType values that AssessKey copies.
func TestKeyManagerValues(t *testing.T) {
	if facts.KeyManagerAWS != string(kmstypes.KeyManagerTypeAws) || facts.KeyManagerCustomer != string(kmstypes.KeyManagerTypeCustomer) {
		t.Errorf("facts.KeyManagerAWS %q, KeyManagerCustomer %q; KMS says %q, %q", facts.KeyManagerAWS, facts.KeyManagerCustomer,
			kmstypes.KeyManagerTypeAws, kmstypes.KeyManagerTypeCustomer)
	}
}
