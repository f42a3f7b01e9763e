package posture

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// AssessKey turns DescribeKey's metadata and GetKeyRotationStatus's answer
// into a facts.KeyFact, with the region and account taken from the key ARN. A nil meta gives
// Found=false. Ref is left for the caller (it is what the user wrote).
func AssessKey(meta *kmstypes.KeyMetadata, rotation bool) facts.KeyFact {
	if meta == nil {
		return facts.KeyFact{}
	}
	keyARN, _ := arn.Parse(aws.ToString(meta.Arn))
	account := keyARN.AccountID
	if account == "" {
		account = aws.ToString(meta.AWSAccountId)
	}
	fact := facts.KeyFact{
		Found:           true,
		ARN:             aws.ToString(meta.Arn),
		KeyID:           aws.ToString(meta.KeyId),
		Region:          keyARN.Region,
		Account:         account,
		Manager:         string(meta.KeyManager),
		Spec:            string(meta.KeySpec),
		Usage:           string(meta.KeyUsage),
		State:           string(meta.KeyState),
		RotationEnabled: rotation,
		Origin:          string(meta.Origin),
	}
	if fact.Spec == "" {
		fact.Spec = string(meta.CustomerMasterKeySpec) //nolint:staticcheck // older KMS APIs and emulators fill only this deprecated twin of KeySpec
	}
	return fact
}

// arnRegion returns the region of an ARN, or "" when s is not an ARN.
func arnRegion(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Region
}
