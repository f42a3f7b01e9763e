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
		"scoped to the account": {doc(stmt("Allow", budgets, "SNS:Publish", topicARN, own)), true, false},
		"scoped by budget ARN":  {doc(stmt("Allow", budgets, "sns:*", "*", `{"ArnLike":{"aws:SourceArn":"arn:aws:budgets::`+acct+`:*"}}`)), true, false},
		"unconditional":         {doc(stmt("Allow", budgets, "sns:Publish", topicARN, "")), true, true},
		"default policy":        {doc(stmt("Allow", `{"AWS":"*"}`, "SNS:Publish", topicARN, `{"StringEquals":{"AWS:SourceOwner":"`+acct+`"}}`)), false, false},
		"another account":       {doc(stmt("Allow", budgets, "sns:Publish", topicARN, `{"StringEquals":{"aws:SourceAccount":"999999999999"}}`)), false, false},
		"another topic":         {doc(stmt("Allow", budgets, "sns:Publish", topicARN+"-other", own)), false, false},
		"another action":        {doc(stmt("Allow", budgets, "sns:Subscribe", topicARN, own)), false, false},
		"allowed, then denied":  {doc(stmt("Allow", budgets, "sns:Publish", topicARN, own), stmt("Deny", `"*"`, "sns:Publish", topicARN, "")), false, false},
		"allowed, then denied to all but an admin": {doc(stmt("Allow", budgets, "sns:Publish", topicARN, own),
			`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::`+acct+`:role/admin"},"Action":"sns:Publish","Resource":"`+topicARN+`"}`), false, false},
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

// TestBudgetsMayUseKey: a topic's customer managed key takes budget
// notifications only when its policy lets budgets.amazonaws.com call
// kms:GenerateDataKey* and kms:Decrypt (together or apart), unconditionally
// or for this account; a key policy for the account's root only, another
// account, half the actions or an unconditional Deny refuse.
func TestBudgetsMayUseKey(t *testing.T) {
	const acct = "123456789012"
	stmt := func(effect, principal, actions, cond string) string {
		c := ""
		if cond != "" {
			c = `,"Condition":` + cond
		}
		return `{"Effect":"` + effect + `","Principal":` + principal + `,"Action":` + actions + `,"Resource":"*"` + c + `}`
	}
	doc := func(stmts ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	}
	budgets := `{"Service":"budgets.amazonaws.com"}`
	root := stmt("Allow", `{"AWS":"arn:aws:iam::`+acct+`:root"}`, `"kms:*"`, "")
	both := `["kms:GenerateDataKey*","kms:Decrypt"]`
	for name, c := range map[string]struct {
		policy string
		ok     bool
	}{
		"budgets allowed":                 {doc(root, stmt("Allow", budgets, both, "")), true},
		"budgets allowed for the account": {doc(root, stmt("Allow", budgets, both, `{"StringEquals":{"aws:SourceAccount":"`+acct+`"}}`)), true},
		"in two statements":               {doc(stmt("Allow", budgets, `"kms:GenerateDataKey*"`, ""), stmt("Allow", budgets, `"kms:Decrypt"`, "")), true},
		"kms:* for budgets":               {doc(stmt("Allow", budgets, `"kms:*"`, "")), true},
		"the root only":                   {doc(root), false},
		"another account":                 {doc(stmt("Allow", budgets, both, `{"StringEquals":{"aws:SourceAccount":"999999999999"}}`)), false},
		"decrypt only":                    {doc(stmt("Allow", budgets, `"kms:Decrypt"`, "")), false},
		"denied to everyone":              {doc(stmt("Allow", budgets, both, ""), stmt("Deny", `"*"`, `"kms:Decrypt"`, "")), false},
		"a condition it cannot read":      {doc(stmt("Allow", budgets, both, `{"StringEquals":{"kms:ViaService":"sns.us-east-1.amazonaws.com"}}`)), false},
		"not JSON":                        {"{", false},
	} {
		if got := budgetsMayUseKey(c.policy, acct); (got == "") != c.ok {
			t.Errorf("%s: %q, want ok=%v", name, got, c.ok)
		}
	}
}
