package budget

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
)

// The topics a budget tells (SS-COST-1): AWS Budgets publishes to an SNS
// topic only when the topic's policy lets budgets.amazonaws.com do so
// (AWS Billing and Cost Management User Guide, "Creating an Amazon SNS
// topic for budget notifications"); otherwise, and when the topic does not
// exist, the notification is dropped and nobody learns of it. The default
// topic policy (any principal of the owner's account, AWS:SourceOwner) does
// not let the service publish.

const budgetsPrincipal = "budgets.amazonaws.com"

// budgetTopics looks up the SNS topics of this account and region that b's
// notifications tell (guardrail.checkBudgetTopics judges them; a topic
// elsewhere is not told in time whatever it is).
func budgetTopics(ctx context.Context, c clients, b guardrail.Budget) (map[string]guardrail.BudgetTopic, error) {
	out := map[string]guardrail.BudgetTopic{}
	for _, n := range b.Notifications {
		for _, sub := range n.Subscribers {
			a, err := arn.Parse(sub)
			if _, done := out[sub]; err != nil || done || a.Service != "sns" || a.AccountID != c.account || a.Region != c.region {
				continue
			}
			t, err := lookTopic(ctx, c, sub)
			if err != nil {
				return nil, err
			}
			out[sub] = t
		}
	}
	return out, nil
}

// lookTopic is what SNS says of one topic.
func lookTopic(ctx context.Context, c clients, topic string) (guardrail.BudgetTopic, error) {
	got, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	var nf *snstypes.NotFoundException
	switch {
	case errors.As(err, &nf):
		return guardrail.BudgetTopic{}, nil
	case err != nil:
		return guardrail.BudgetTopic{}, fmt.Errorf("GetTopicAttributes %s: %w", topic, err)
	}
	refused, unscoped := budgetsMayPublish(got.Attributes["Policy"], topic, c.account)
	unverified := ""
	if key := got.Attributes["KmsMasterKeyId"]; refused == "" && key != "" {
		if refused, unverified, err = topicKey(ctx, c, key); err != nil {
			return guardrail.BudgetTopic{}, err
		}
	}
	return guardrail.BudgetTopic{Found: true, Refused: refused, Unscoped: unscoped, KeyUnverified: unverified}, nil
}

// awsManagedKey says why a topic encrypted with SNS's AWS managed key
// (alias/aws/sns) drops budget notifications: that key's policy lets no
// service principal, AWS Budgets included, use it, and AWS Budgets reports
// no failed delivery. "" for an unencrypted topic or another key (judged
// by topicKey).
func awsManagedKey(keyID string) string {
	if posture.AWSManagedSNSKey(keyID) {
		return "it is encrypted with the AWS managed key alias/aws/sns, which AWS Budgets cannot use; use a customer managed key whose policy lets budgets.amazonaws.com call kms:GenerateDataKey* and kms:Decrypt"
	}
	return ""
}

// budgetsMayPublish judges a topic policy: refused says why AWS Budgets may
// not publish to topic for account ("" when a statement allows it);
// unscoped is true when the allowing statement has no aws:SourceAccount or
// aws:SourceArn condition. Conservative: an Allow counts only with
// budgets.amazonaws.com (or "*") as principal, sns:Publish in Action,
// topic in Resource, and no condition but those two, naming account; a
// Deny that certainly applies wins (posture.ServiceMayPublish, the judgement of
// CloudWatch's alarm topics too, which also reads NotPrincipal, NotAction
// and NotResource denies).
func budgetsMayPublish(policy, topic, account string) (refused string, unscoped bool) {
	if policy == "" {
		return "it has no policy", false
	}
	switch denied, unread := posture.ServiceMayPublish(policy, "budgets", topic); {
	case denied != "":
		return "it " + denied, false
	case unread != "":
		return "its " + unread, false // AWS Budgets needs an Allow sagesafe can read
	}
	doc, err := iampolicy.Parse(policy)
	if err != nil {
		return "its policy cannot be read: " + err.Error(), false
	}
	scoped := false
	for _, st := range doc.Statement {
		if !grantsPublish(st, topic) {
			continue
		}
		switch {
		case st.Effect != iampolicy.EffectAllow:
		case len(st.Condition) == 0:
			unscoped = true
		case scopedTo(st.Condition, account):
			scoped = true
		}
	}
	if !scoped && !unscoped {
		return "no statement allows " + budgetsPrincipal + " sns:Publish on the topic (for account " + account + ")", false
	}
	return "", unscoped
}

// grantsPublish reports whether st names AWS Budgets, sns:Publish and the
// topic (wildcards as IAM reads them).
func grantsPublish(st iampolicy.Statement, topic string) bool {
	if len(st.NotPrincipal) > 0 || len(st.NotAction) > 0 || len(st.NotResource) > 0 {
		return false
	}
	anyone := len(st.Principal["*"]) > 0 || slices.Contains(st.Principal["AWS"], "*")
	principal := anyone || slices.ContainsFunc(st.Principal["Service"], func(s string) bool { return strings.EqualFold(s, budgetsPrincipal) })
	return principal && anyMatch(st.Action, "sns:publish") && anyMatch(st.Resource, topic)
}

// scopedTo reports whether every condition of an Allow limits it to
// account's budgets (posture.ScopedToAccount).
func scopedTo(c iampolicy.Condition, account string) bool {
	return posture.ScopedToAccount(c, "budgets", account)
}

// anyMatch reports whether one of patterns matches value, IAM's way
// (posture.MatchAny).
var anyMatch = posture.MatchAny
