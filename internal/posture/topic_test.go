package posture

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// fakeSNS answers GetTopicAttributes from canned attributes by topic ARN.
type fakeSNS struct {
	calls  *callLog
	topics map[string]map[string]string
}

func (f *fakeSNS) GetTopicAttributes(_ context.Context, in *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	f.calls.record("GetTopicAttributes", in)
	attrs, ok := f.topics[aws.ToString(in.TopicArn)]
	if !ok {
		return nil, &snstypes.NotFoundException{Message: aws.String("Topic does not exist")}
	}
	return &sns.GetTopicAttributesOutput{Attributes: attrs}, nil
}

// fakeKeyPolicies answers GetKeyPolicy by key ARN; a missing one is denied.
type fakeKeyPolicies map[string]string

func (f fakeKeyPolicies) GetKeyPolicy(_ context.Context, in *kms.GetKeyPolicyInput, _ ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	p, ok := f[aws.ToString(in.KeyId)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	}
	return &kms.GetKeyPolicyOutput{Policy: aws.String(p)}, nil
}

// TestFetchTopics: a topic's subscriptions and key as SS-MON-2 judges them:
// missing, plain, under SNS's AWS managed key (not looked up), under a
// customer managed key whose policy lets CloudWatch use it or not, or
// whose policy cannot be read; cached like every other fact.
func TestFetchTopics(t *testing.T) {
	const (
		plain, managed, good, bad, unread, missing = "arn:aws:sns:eu-west-1:123456789012:plain", "arn:aws:sns:eu-west-1:123456789012:managed",
			"arn:aws:sns:eu-west-1:123456789012:good", "arn:aws:sns:eu-west-1:123456789012:bad",
			"arn:aws:sns:eu-west-1:123456789012:unread", "arn:aws:sns:eu-west-1:123456789012:missing"
		denied                     = "arn:aws:sns:eu-west-1:123456789012:denied"
		goodKey, badKey, unreadKey = "arn:aws:kms:eu-west-1:123456789012:key/good", "arn:aws:kms:eu-west-1:123456789012:key/bad", "arn:aws:kms:eu-west-1:123456789012:key/unread"
	)
	calls := &callLog{}
	key := func(arn string) *kmstypes.KeyMetadata {
		return &kmstypes.KeyMetadata{Arn: aws.String(arn), KeyId: aws.String(arn[strings.LastIndex(arn, "/")+1:]), KeyManager: kmstypes.KeyManagerTypeCustomer,
			KeyState: kmstypes.KeyStateEnabled, KeySpec: kmstypes.KeySpecSymmetricDefault, Origin: kmstypes.OriginTypeAwsKms}
	}
	km := &fakeKMS{calls: calls, keys: map[string]*kmstypes.KeyMetadata{goodKey: key(goodKey), badKey: key(badKey), unreadKey: key(unreadKey)}}
	topics := &fakeSNS{calls: calls, topics: map[string]map[string]string{
		plain:   {"SubscriptionsConfirmed": "2", "SubscriptionsPending": "1"},
		managed: {"SubscriptionsConfirmed": "1", "KmsMasterKeyId": "alias/aws/sns"},
		good:    {"SubscriptionsConfirmed": "1", "KmsMasterKeyId": goodKey},
		bad:     {"SubscriptionsConfirmed": "1", "KmsMasterKeyId": badKey},
		unread:  {"SubscriptionsConfirmed": "1", "KmsMasterKeyId": unreadKey},
		denied: {"SubscriptionsConfirmed": "1", "Policy": `{"Statement":[{"Sid":"NoCloudWatch","Effect":"Deny","Principal":{"Service":"cloudwatch.amazonaws.com"},` +
			`"Action":"SNS:Publish","Resource":"` + denied + `"}]}`},
	}}
	cloudwatch := `{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"}]}`
	f := NewFetcher(testAccount, nil, km, nil, nil, nil).WithTopics(topics, fakeKeyPolicies{
		goodKey: cloudwatch,
		badKey:  `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}`,
	})
	req := facts.Request{Topics: []string{plain, managed, good, bad, unread, missing, denied}}
	got, err := f.Fetch(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Topics[plain]; !p.Found || p.Confirmed != 2 || p.Pending != 1 || p.Key != nil {
		t.Errorf("plain topic: %+v", p)
	}
	if m := got.Topics[managed]; m.Key == nil || m.Key.Manager != "AWS" {
		t.Errorf("topic under alias/aws/sns: %+v", m)
	}
	if g := got.Topics[good]; g.Key == nil || !g.Key.Found || g.KeyPolicyProblem != "" || g.KeyPolicyUnread != "" {
		t.Errorf("topic under a key CloudWatch may use: %+v", g)
	}
	if b := got.Topics[bad]; !strings.Contains(b.KeyPolicyProblem, "does not let cloudwatch.amazonaws.com call kms:GenerateDataKey and kms:Decrypt") {
		t.Errorf("topic under a key CloudWatch may not use: %+v", b)
	}
	if u := got.Topics[unread]; u.KeyPolicyUnread == "" || u.KeyPolicyProblem != "" {
		t.Errorf("topic whose key policy cannot be read: %+v", u)
	}
	if m, ok := got.Topics[missing]; !ok || m.Found {
		t.Errorf("missing topic: %+v (present %v)", m, ok)
	}
	if d := got.Topics[denied]; !strings.Contains(d.PolicyProblem, `statement "NoCloudWatch" denies cloudwatch.amazonaws.com sns:Publish`) {
		t.Errorf("topic whose policy denies CloudWatch: %+v", d)
	}
	if p := got.Topics[plain]; p.PolicyProblem != "" {
		t.Errorf("topic without a policy: problem %q", p.PolicyProblem)
	}
	if n := calls.counts["GetTopicAttributes"]; n != 7 {
		t.Errorf("GetTopicAttributes called %d times, want 7", n)
	}
	if _, err := f.Fetch(context.Background(), req); err != nil || calls.counts["GetTopicAttributes"] != 7 {
		t.Errorf("second fetch: err %v, GetTopicAttributes %d times (cached: want 7)", err, calls.counts["GetTopicAttributes"])
	}

	// Without WithTopics the topics are not looked up: an error, no facts.
	bare, err := NewFetcher(testAccount, nil, km, nil, nil, nil).Fetch(context.Background(), facts.Request{Topics: []string{plain}})
	if err == nil || len(bare.Topics) != 0 {
		t.Errorf("fetch without an SNS client: %v, %+v", err, bare.Topics)
	}
	var notFound *snstypes.NotFoundException
	if errors.As(err, &notFound) {
		t.Errorf("fetch without an SNS client reported SNS's answer: %v", err)
	}
}

// TestServiceMayUseKey: the key policy judgement for CloudWatch (AWS
// Budgets' is tested with the budget resource).
func TestServiceMayUseKey(t *testing.T) {
	for name, c := range map[string]struct {
		policy string
		ok     bool
	}{
		"allowed":             {`{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"}]}`, true},
		"scoped to alarms":    {`{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*"}}}]}`, true},
		"another service":     {`{"Statement":[{"Effect":"Allow","Principal":{"Service":"budgets.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"}]}`, false},
		"decrypt missing":     {`{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"}]}`, false},
		"another account":     {`{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"999999999999"}}}]}`, false},
		"denied to everybody": {`{"Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"kms:*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`, false},
	} {
		if got := ServiceMayUseKey(c.policy, "cloudwatch", testAccount); (got == "") != c.ok {
			t.Errorf("%s: %q, want usable %v", name, got, c.ok)
		}
	}
}

// TestServiceMayPublish: only a Deny that certainly stops CloudWatch
// publishing to the topic counts: unconditional, on sns:Publish, on the
// topic, to CloudWatch, to everyone, or to everyone but a list without it.
func TestServiceMayPublish(t *testing.T) {
	const topic = "arn:aws:sns:eu-west-1:123456789012:oncall"
	deny := func(principal, action, resource, extra string) string {
		return `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"SNS:Publish","Resource":"` + topic + `",` +
			`"Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}},` +
			`{"Effect":"Deny",` + principal + `,"Action":"` + action + `","Resource":"` + resource + `"` + extra + `}]}`
	}
	for name, c := range map[string]struct {
		policy string
		fails  bool
	}{
		"no policy":                                 {"", false},
		"the default policy":                        {`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:Publish","SNS:Subscribe"],"Resource":"` + topic + `","Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}}]}`, false},
		"Deny to CloudWatch":                        {deny(`"Principal":{"Service":"cloudwatch.amazonaws.com"}`, "sns:Publish", topic, ""), true},
		"Deny to everyone, sns:*":                   {deny(`"Principal":"*"`, "sns:*", "*", ""), true},
		"Deny to AWS *":                             {deny(`"Principal":{"AWS":"*"}`, "SNS:Publish", topic, ""), true},
		"Deny to all but a role":                    {deny(`"NotPrincipal":{"AWS":"arn:aws:iam::123456789012:role/ops"}`, "sns:Publish", topic, ""), true},
		"Deny to all but everyone (NotPrincipal *)": {deny(`"NotPrincipal":{"AWS":"*"}`, "sns:Publish", topic, ""), false},
		"Deny to all but CloudWatch":                {deny(`"NotPrincipal":{"Service":"cloudwatch.amazonaws.com"}`, "sns:Publish", topic, ""), false},
		"Deny without TLS (conditioned)":            {deny(`"Principal":"*"`, "sns:Publish", topic, `,"Condition":{"Bool":{"aws:SecureTransport":"false"}}`), false},
		"Deny of another action":                    {deny(`"Principal":"*"`, "sns:Subscribe", topic, ""), false},
		"Deny on another topic":                     {deny(`"Principal":"*"`, "sns:Publish", topic+"-other", ""), false},
		"Deny to another service":                   {deny(`"Principal":{"Service":"events.amazonaws.com"}`, "sns:Publish", topic, ""), false},
		"unreadable":                                {`{"Statement":`, true},
		// red team: conditions that certainly hold for CloudWatch.
		"Deny outside the organisation (data perimeter)": {deny(`"Principal":"*"`, "sns:Publish", topic, `,"Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}`), true},
		"Deny to CloudWatch for this account":            {deny(`"Principal":{"Service":"cloudwatch.amazonaws.com"}`, "sns:Publish", topic, `,"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}`), true},
		"Deny with an empty condition":                   {deny(`"Principal":"*"`, "sns:Publish", topic, `,"Condition":{"StringEquals":{}}`), true},
		"Deny outside the organisation, services exempt": {deny(`"Principal":"*"`, "sns:Publish", topic, `,"Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"},"Bool":{"aws:PrincipalIsAWSService":"false"}}`), false},
		"Deny to CloudWatch for another account":         {deny(`"Principal":{"Service":"cloudwatch.amazonaws.com"}`, "sns:Publish", topic, `,"Condition":{"StringEquals":{"aws:SourceAccount":"999999999999"}}`), false},
	} {
		denied, unread := ServiceMayPublish(c.policy, "cloudwatch", topic)
		if got := denied + unread; (got != "") != c.fails {
			t.Errorf("%s: problem %q, want a problem: %v", name, got, c.fails)
		}
		if name == "unreadable" && (denied != "" || unread == "") {
			t.Errorf("an unreadable policy: denied %q, unread %q; want unread only", denied, unread)
		}
	}
}
