package budget

import (
	"strings"
	"testing"
)

// TestBudgetsMayPublish: only a statement that lets budgets.amazonaws.com
// sns:Publish the topic, unconditionally (unscoped) or for this account's
// budgets, counts; the default topic policy, another account, a condition
// sagesafe cannot read and an unconditional Deny do not.
func TestBudgetsMayPublish(t *testing.T) {
	const acct = "123456789012"
	const topicARN = "arn:aws:sns:us-east-1:123456789012:alerts"
	stmt := func(effect, principal, action, resource, cond string) string {
		c := ""
		if cond != "" {
			c = `,"Condition":` + cond
		}
		return `{"Effect":"` + effect + `","Principal":` + principal + `,"Action":"` + action + `","Resource":"` + resource + `"` + c + `}`
	}
	doc := func(stmts ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	}
	budgets := `{"Service":"budgets.amazonaws.com"}`
	own := `{"StringEquals":{"aws:SourceAccount":"` + acct + `"}}`
	for name, c := range map[string]struct {
		policy   string
		ok       bool
		unscoped bool
	}{
		"scoped to the account":       {doc(stmt("Allow", budgets, "SNS:Publish", topicARN, own)), true, false},
		"scoped by budget ARN":        {doc(stmt("Allow", budgets, "sns:*", "*", `{"ArnLike":{"aws:SourceArn":"arn:aws:budgets::`+acct+`:*"}}`)), true, false},
		"unconditional":               {doc(stmt("Allow", budgets, "sns:Publish", topicARN, "")), true, true},
		"default policy":              {doc(stmt("Allow", `{"AWS":"*"}`, "SNS:Publish", topicARN, `{"StringEquals":{"AWS:SourceOwner":"`+acct+`"}}`)), false, false},
		"another account":             {doc(stmt("Allow", budgets, "sns:Publish", topicARN, `{"StringEquals":{"aws:SourceAccount":"999999999999"}}`)), false, false},
		"another topic":               {doc(stmt("Allow", budgets, "sns:Publish", topicARN+"-other", own)), false, false},
		"another action":              {doc(stmt("Allow", budgets, "sns:Subscribe", topicARN, own)), false, false},
		"allowed, then denied":        {doc(stmt("Allow", budgets, "sns:Publish", topicARN, own), stmt("Deny", `"*"`, "sns:Publish", topicARN, "")), false, false},
		"no policy":                   {"", false, false},
		"another service's principal": {doc(stmt("Allow", `{"Service":"cloudwatch.amazonaws.com"}`, "sns:Publish", topicARN, own)), false, false},
	} {
		refused, unscoped := budgetsMayPublish(c.policy, topicARN, acct)
		if (refused == "") != c.ok || unscoped != c.unscoped {
			t.Errorf("%s: refused %q, unscoped %v; want ok=%v unscoped=%v", name, refused, unscoped, c.ok, c.unscoped)
		}
	}
}

// A topic under SNS's AWS managed key drops budget notifications (red team,
// suspected): refused; unencrypted or a customer managed key is not judged
// here.
func TestAWSManagedKey(t *testing.T) {
	for key, refused := range map[string]bool{
		"alias/aws/sns": true, "arn:aws:kms:us-east-1:123456789012:alias/aws/sns": true,
		"": false, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab": false, "alias/ml-topics": false,
	} {
		if got := awsManagedKey(key) != ""; got != refused {
			t.Errorf("%q: refused %v, want %v", key, got, refused)
		}
	}
}
