package posture

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// SNSAPI is the part of the SNS client the fetcher uses: the topics alarms
// notify (SS-MON-2).
type SNSAPI interface {
	GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, optFns ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error)
}

// KeyPolicyAPI reads a KMS key's policy: an encrypted alarm topic's key must
// let CloudWatch use it.
type KeyPolicyAPI interface {
	GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, optFns ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
}

// WithTopics lets the fetcher read alarm topics (Request.Topics); without
// it they are not looked up (their checks are skipped, never held).
func (f *Fetcher) WithTopics(topics SNSAPI, keyPolicies KeyPolicyAPI) *Fetcher {
	f.sns, f.keyPolicies = topics, keyPolicies
	return f
}

// fetchTopics reads each topic's attributes (its access policy among them:
// ServiceMayPublish) and, for an encrypted one, its key and whether the
// key's policy lets CloudWatch use it.
func (f *Fetcher) fetchTopics(ctx context.Context, arns []string, into map[string]facts.TopicFact) error {
	return lookupEach("SNS", f.sns != nil, arns, into, func(topic string) (facts.TopicFact, error) { return f.lookupTopic(ctx, topic) })
}

// lookupTopic is what SNS says of one topic: Found=false when SNS does not
// know it (NotFound) or the ARN is malformed (InvalidParameter).
func (f *Fetcher) lookupTopic(ctx context.Context, topic string) (facts.TopicFact, error) {
	out, err := f.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	var nf *snstypes.NotFoundException
	var invalid *snstypes.InvalidParameterException
	switch {
	case errors.As(err, &nf), errors.As(err, &invalid):
		return facts.TopicFact{ARN: topic}, nil
	case err != nil:
		return facts.TopicFact{}, fmt.Errorf("posture: reading SNS topic %s: %w", topic, err)
	}
	attrs := out.Attributes
	t := facts.TopicFact{ARN: topic, Found: true, KMSKey: attrs["KmsMasterKeyId"]}
	t.Confirmed, _ = strconv.Atoi(attrs["SubscriptionsConfirmed"])
	t.Pending, _ = strconv.Atoi(attrs["SubscriptionsPending"])
	t.PolicyProblem, t.PolicyUnread = ServiceMayPublish(attrs["Policy"], "cloudwatch", topic)
	if t.KMSKey == "" {
		return t, nil
	}
	if AWSManagedSNSKey(t.KMSKey) {
		// Not looked up: KMS makes it on first use, and what matters is
		// only that it is AWS managed.
		t.Key = &facts.KeyFact{Ref: t.KMSKey, Found: true, Manager: facts.KeyManagerAWS}
		return t, nil
	}
	key, err := f.lookupKey(ctx, t.KMSKey)
	if err != nil {
		return facts.TopicFact{}, err
	}
	t.Key = &key
	if !key.Found || key.Manager != facts.KeyManagerCustomer || key.State != "Enabled" || f.keyPolicies == nil {
		return t, nil
	}
	p, err := f.keyPolicies.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(key.ARN), PolicyName: aws.String("default")})
	switch {
	case tfawserr.ErrCodeEquals(err, "AccessDeniedException"):
		t.KeyPolicyUnread = err.Error()
	case err != nil:
		return facts.TopicFact{}, fmt.Errorf("posture: reading the policy of KMS key %s: %w", key.ARN, err)
	default:
		t.KeyPolicyProblem = ServiceMayUseKey(aws.ToString(p.Policy), "cloudwatch", f.account)
	}
	return t, nil
}
