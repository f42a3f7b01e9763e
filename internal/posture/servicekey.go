package posture

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// A service that publishes to an encrypted SNS topic (CloudWatch for an
// alarm, AWS Budgets for a notification) must be allowed to use the topic's
// KMS key: SNS encrypts the message with a data key made on the
// publisher's behalf, and neither service reports a failed delivery. An AWS
// managed key (alias/aws/sns) never lets a service principal use it.

// serviceKeyActions are what a publishing service must be allowed on a
// topic's key.
var serviceKeyActions = []string{"kms:GenerateDataKey", "kms:Decrypt"}

// AWSManagedSNSKey reports whether a topic's KmsMasterKeyId names SNS's AWS
// managed key.
func AWSManagedSNSKey(keyID string) bool {
	return keyID == "alias/aws/sns" || strings.HasSuffix(keyID, ":alias/aws/sns")
}

// ServiceMayUseKey judges a key policy: why service (the principal
// "<service>.amazonaws.com", e.g. "cloudwatch" or "budgets") may not use the
// key for account ("" when it may). Conservative: an Allow counts only with
// that service as principal and no condition but aws:SourceAccount /
// aws:SourceArn naming account (ScopedToAccount); each of
// kms:GenerateDataKey* and kms:Decrypt must be allowed (by one statement or
// two); an unconditional Deny of either, to the service or to anyone, wins.
func ServiceMayUseKey(policy, service, account string) string {
	principal := service + ".amazonaws.com"
	doc, err := iampolicy.Parse(policy)
	if err != nil {
		return "has a policy that cannot be read: " + err.Error()
	}
	allowed := map[string]bool{}
	for _, st := range doc.Statement {
		if len(st.NotPrincipal) > 0 || len(st.NotAction) > 0 || len(st.NotResource) > 0 || !namesService(st, principal, st.Effect == iampolicy.EffectDeny) {
			continue
		}
		for _, a := range serviceKeyActions {
			if !anyMatch(st.Action, a) {
				continue
			}
			switch {
			case st.Effect == iampolicy.EffectDeny && len(st.Condition) == 0:
				return "has a statement that denies " + principal + " " + a
			case st.Effect == iampolicy.EffectAllow && (len(st.Condition) == 0 || ScopedToAccount(st.Condition, service, account)):
				allowed[a] = true
			}
		}
	}
	var missing []string
	for _, a := range serviceKeyActions {
		if !allowed[a] {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return "does not let " + principal + " call " + strings.Join(missing, " and ") +
			" (for account " + account + "); add a key policy statement allowing it kms:GenerateDataKey* and kms:Decrypt"
	}
	return ""
}

// ServiceMayPublish judges a topic's access policy: why service (e.g.
// "cloudwatch") may not publish to topic ("" when nothing in it stops
// it). Only what certainly stops it counts: a Deny of sns:Publish on the
// topic to the service or to anyone, or to everyone but a NotPrincipal list
// that does not name the service, whose condition (if any) certainly holds
// for the service publishing for the topic's own account (certainFor). A
// Deny under another condition is not judged (the common one,
// aws:SecureTransport false, never matches the service's requests), nor is
// whether an Allow grants it. A policy sagesafe cannot parse is unread
// (not judged either way).
func ServiceMayPublish(policy, service, topic string) (denied, unread string) {
	if policy == "" {
		return "", ""
	}
	principal := service + ".amazonaws.com"
	doc, err := iampolicy.Parse(policy)
	if err != nil {
		return "", "access policy cannot be read: " + err.Error()
	}
	account := ""
	if a, err := arn.Parse(topic); err == nil {
		account = a.AccountID
	}
	for i, st := range doc.Statement {
		fs := statementFact(st)
		if st.Effect != iampolicy.EffectDeny || !certainFor(st.Condition, account) || !allowsAction(fs, "sns:Publish") || !statementCovers(fs, topic) {
			continue
		}
		// NotPrincipal: everyone but those listed; listing "*" leaves nobody.
		exceptAll := len(st.NotPrincipal["*"]) > 0 || slices.Contains(st.NotPrincipal["AWS"], "*")
		everyoneBut := len(st.NotPrincipal) > 0 && !exceptAll &&
			!slices.ContainsFunc(st.NotPrincipal["Service"], func(p string) bool { return strings.EqualFold(p, principal) })
		if everyoneBut || namesService(st, principal, true) {
			return "has an access policy whose " + label(fs, i) + " denies " + principal + " sns:Publish on it", ""
		}
	}
	return "", ""
}

// certainFor reports whether condition c certainly holds when an AWS
// service principal acts for account: every key under every operator is
// aws:SourceAccount equal to account (StringEquals, StringLike), or
// aws:PrincipalOrgID under a negated operator (StringNotEquals,
// StringNotLike, with or without IfExists), which a service principal's
// request does not carry, so the negation holds (the data-perimeter Deny
// "not from our organisation", red team). No condition, or operators with
// no keys, hold too.
func certainFor(c iampolicy.Condition, account string) bool {
	for op, keys := range c {
		negated := slices.Contains([]string{"StringNotEquals", "StringNotLike", "StringNotEqualsIfExists", "StringNotLikeIfExists"}, op)
		for key, values := range keys {
			switch k := strings.ToLower(key); {
			case k == "aws:sourceaccount" && (op == "StringEquals" || op == "StringLike") && account != "" && slices.Contains(values, account):
			case k == "aws:principalorgid" && negated:
			default:
				return false
			}
		}
	}
	return true
}

// statementCovers reports whether st's resource element covers resource
// (Resource patterns match it, or NotResource patterns do not; no element
// at all covers everything): the resource side of allowsAction.
func statementCovers(st facts.PolicyStatement, resource string) bool {
	if len(st.NotResources) > 0 {
		return !anyMatch(st.NotResources, resource)
	}
	return len(st.Resources) == 0 || anyMatch(st.Resources, resource)
}

// namesService reports whether st's principal is principal (or, for a Deny,
// anyone).
func namesService(st iampolicy.Statement, principal string, orAnyone bool) bool {
	for _, s := range st.Principal["Service"] {
		if strings.EqualFold(s, principal) {
			return true
		}
	}
	return orAnyone && (len(st.Principal["*"]) > 0 || slices.Contains(st.Principal["AWS"], "*"))
}

// ScopedToAccount reports whether every condition of an Allow to service
// limits it to account (aws:SourceAccount, or aws:SourceArn on service's
// objects of account) and there is at least one.
func ScopedToAccount(c iampolicy.Condition, service, account string) bool {
	for op, keys := range c {
		for key, values := range keys {
			switch k := strings.ToLower(key); {
			case k == "aws:sourceaccount" && (op == "StringEquals" || op == "StringLike") && len(values) == 1 && values[0] == account:
			case k == "aws:sourcearn" && (op == "ArnLike" || op == "ArnEquals" || op == "StringLike" || op == "StringEquals") && len(values) > 0 && allOf(values, service, account):
			default:
				return false
			}
		}
	}
	return len(c) > 0
}

// allOf reports whether every ARN is of service and account.
func allOf(arns []string, service, account string) bool {
	for _, v := range arns {
		a, err := arn.Parse(v)
		if err != nil || a.Service != service || a.AccountID != account {
			return false
		}
	}
	return true
}

// MatchAny reports whether one of patterns matches value, IAM's way:
// case-insensitive, * and ? as wildcards (anyMatch, the matcher every
// posture judgement of a policy uses).
func MatchAny(patterns []string, value string) bool { return anyMatch(patterns, value) }
