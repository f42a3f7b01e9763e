package budget

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// A topic encrypted with a KMS key takes a budget notification only when
// the key's policy lets AWS Budgets use it (kms:GenerateDataKey* and
// kms:Decrypt for budgets.amazonaws.com): SNS encrypts the message with a
// data key made on the publisher's behalf, and AWS Budgets reports no failed
// delivery. An AWS managed key (alias/aws/sns) never does.

// keyActions are what AWS Budgets must be allowed on a topic's key.
var keyActions = []string{"kms:GenerateDataKey", "kms:Decrypt"}

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

// budgetsMayUseKey judges a key policy: why AWS Budgets may not use the key
// for account's budgets ("" when it may). Conservative, as budgetsMayPublish:
// an Allow counts only with budgets.amazonaws.com as principal and no
// condition but aws:SourceAccount/aws:SourceArn naming account; each of
// kms:GenerateDataKey* and kms:Decrypt must be allowed (by one statement or
// two); an unconditional Deny of either wins.
func budgetsMayUseKey(policy, account string) string {
	doc, err := iampolicy.Parse(policy)
	if err != nil {
		return "has a policy that cannot be read: " + err.Error()
	}
	allowed := map[string]bool{}
	for _, st := range doc.Statement {
		if len(st.NotPrincipal) > 0 || len(st.NotAction) > 0 || len(st.NotResource) > 0 || !namesBudgets(st, st.Effect == iampolicy.EffectDeny) {
			continue
		}
		for _, a := range keyActions {
			if !anyMatch(st.Action, a) {
				continue
			}
			switch {
			case st.Effect == iampolicy.EffectDeny && len(st.Condition) == 0:
				return "has a statement that denies " + budgetsPrincipal + " " + a
			case st.Effect == iampolicy.EffectAllow && (len(st.Condition) == 0 || scopedTo(st.Condition, account)):
				allowed[a] = true
			}
		}
	}
	var missing []string
	for _, a := range keyActions {
		if !allowed[a] {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return "does not let " + budgetsPrincipal + " call " + strings.Join(missing, " and ") +
			" (for account " + account + "); add a key policy statement allowing it kms:GenerateDataKey* and kms:Decrypt"
	}
	return ""
}

// namesBudgets reports whether st's principal is AWS Budgets (or, for a
// Deny, anyone).
func namesBudgets(st iampolicy.Statement, orAnyone bool) bool {
	for _, s := range st.Principal["Service"] {
		if strings.EqualFold(s, budgetsPrincipal) {
			return true
		}
	}
	return orAnyone && (len(st.Principal["*"]) > 0 || slices.Contains(st.Principal["AWS"], "*"))
}
