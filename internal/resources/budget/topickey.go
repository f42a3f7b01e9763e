package budget

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
)

// A topic encrypted with a KMS key takes a budget notification only when
// the key's policy lets AWS Budgets use it (kms:GenerateDataKey* and
// kms:Decrypt for budgets.amazonaws.com): SNS encrypts the message with a
// data key made on the publisher's behalf, and AWS Budgets reports no failed
// delivery. An AWS managed key (alias/aws/sns) never does.

// accessDenied is the error code of a KMS call the caller may not make
// (another account's key, or a deployer without kms:GetKeyPolicy).
const accessDenied = "AccessDeniedException"

// topicKey judges the key of a topic (KmsMasterKeyId: a key ID, key ARN,
// alias name or alias ARN): refused says why AWS Budgets cannot use it;
// unverified why that could not be told (its policy could not be read:
// never counted as usable).
func topicKey(ctx context.Context, c clients, keyID string) (refused, unverified string, err error) {
	if why := awsManagedKey(keyID); why != "" {
		return why, "", nil
	}
	d, err := c.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	var nf *kmstypes.NotFoundException
	switch {
	case errors.As(err, &nf):
		return "its KMS key " + keyID + " does not exist", "", nil
	case tfawserr.ErrCodeEquals(err, accessDenied):
		return "", "its KMS key " + keyID + " cannot be described (" + err.Error() + ")", nil
	case err != nil:
		return "", "", fmt.Errorf("DescribeKey %s: %w", keyID, err)
	case d.KeyMetadata == nil:
		return "", "", fmt.Errorf("DescribeKey %s: KMS answered without the key", keyID)
	}
	md := d.KeyMetadata
	switch {
	case md.KeyManager == kmstypes.KeyManagerTypeAws:
		return "it is encrypted with an AWS managed key (" + keyID + "), which AWS Budgets cannot use; use a customer managed key whose policy lets " +
			budgetsPrincipal + " call kms:GenerateDataKey* and kms:Decrypt", "", nil
	case md.KeyState != kmstypes.KeyStateEnabled:
		return "its KMS key " + aws.ToString(md.Arn) + " is " + string(md.KeyState), "", nil
	}
	p, err := c.kms.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.Arn, PolicyName: aws.String("default")})
	switch {
	case tfawserr.ErrCodeEquals(err, accessDenied):
		return "", "the policy of its KMS key " + aws.ToString(md.Arn) + " cannot be read (" + err.Error() + ")", nil
	case err != nil:
		return "", "", fmt.Errorf("GetKeyPolicy %s: %w", aws.ToString(md.Arn), err)
	}
	if why := budgetsMayUseKey(aws.ToString(p.Policy), c.account); why != "" {
		return "its KMS key " + aws.ToString(md.Arn) + " " + why, "", nil
	}
	return "", "", nil
}

// budgetsMayUseKey judges a key policy for AWS Budgets
// (posture.ServiceMayUseKey, which judges CloudWatch's use of an alarm
// topic's key too).
func budgetsMayUseKey(policy, account string) string {
	return posture.ServiceMayUseKey(policy, "budgets", account)
}
