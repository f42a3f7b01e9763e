package posture

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// ParsePolicyDocument reads an IAM policy document (identity, trust or
// resource policy) with iampolicy.Parse, the provider's one policy parser,
// and returns its statements as facts. Parse accepts the document as plain
// JSON or URL-encoded (as IAM returns AssumeRolePolicyDocument and
// GetRolePolicy documents), Statement as one object or a list, every value
// list as a string or a list, Principal "*" (which becomes {"*": ["*"]}), and
// condition values that are JSON booleans or numbers (kept as their text,
// "false", "3600"); anything else, unknown elements included, is an error.
//
// Blank text has no statements: it is what the fetcher passes for a bucket
// without a policy. iampolicy.Parse itself refuses it, because for drift
// detection an empty document is not a policy.
func ParsePolicyDocument(doc string) ([]facts.PolicyStatement, error) {
	if strings.TrimSpace(doc) == "" {
		return nil, nil
	}
	d, err := iampolicy.Parse(doc)
	if err != nil {
		return nil, err
	}
	if len(d.Statement) == 0 {
		return nil, nil
	}
	statements := make([]facts.PolicyStatement, len(d.Statement))
	for i, s := range d.Statement {
		statements[i] = statementFact(s)
	}
	return statements, nil
}

// statementFact converts a parsed statement to the facts vocabulary (facts
// imports nothing of ours, so it cannot hold iampolicy.Statement itself).
func statementFact(s iampolicy.Statement) facts.PolicyStatement {
	var conditions map[string]map[string][]string
	if len(s.Condition) > 0 {
		conditions = s.Condition
	}
	return facts.PolicyStatement{
		Sid:           s.Sid,
		Effect:        s.Effect,
		Principals:    s.Principal,
		NotPrincipals: s.NotPrincipal,
		Actions:       s.Action,
		NotActions:    s.NotAction,
		Resources:     s.Resource,
		NotResources:  s.NotResource,
		Conditions:    conditions,
	}
}

// isAllow reports whether the statement's effect is Allow.
func isAllow(s facts.PolicyStatement) bool { return strings.EqualFold(s.Effect, "Allow") }

// isDeny reports whether the statement's effect is Deny.
func isDeny(s facts.PolicyStatement) bool { return strings.EqualFold(s.Effect, "Deny") }

// label names a statement for messages: its Sid when it has one, else its
// position.
func label(s facts.PolicyStatement, index int) string {
	if s.Sid != "" {
		return fmt.Sprintf("statement %q", s.Sid)
	}
	return fmt.Sprintf("statement %d", index)
}

// allowsAction reports whether the statement's action element grants action
// (Action patterns match it, or NotAction patterns do not).
func allowsAction(s facts.PolicyStatement, action string) bool {
	if len(s.NotActions) > 0 {
		return !anyMatch(s.NotActions, action)
	}
	return anyMatch(s.Actions, action)
}

// conditionValues returns the values of condition key under any of the
// given operators (operators and keys compared case-insensitively), and
// whether the key appeared at all.
func conditionValues(s facts.PolicyStatement, key string, operators ...string) ([]string, bool) {
	var values []string
	found := false
	for op, keys := range s.Conditions {
		if !containsFold(operators, op) {
			continue
		}
		for k, v := range keys {
			if strings.EqualFold(k, key) {
				found = true
				values = append(values, v...)
			}
		}
	}
	return values, found
}

// anyMatch reports whether any IAM wildcard pattern matches value.
func anyMatch(patterns []string, value string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return wildcardMatch(p, value) })
}

// anyMatchCase is anyMatch with case counting: where a looser match would
// excuse something (a Deny carving a resource out of an Allow). Whether
// IAM compares resource ARNs with case was not confirmed, so the side that
// excuses takes the stricter reading.
func anyMatchCase(patterns []string, value string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return runesMatch([]rune(p), []rune(value)) })
}

// wildcardMatch matches value against an IAM pattern where "*" matches any
// run of characters and "?" any single character, case-insensitively (IAM
// action names are case-insensitive; for resources it errs toward matching).
func wildcardMatch(pattern, value string) bool {
	return runesMatch([]rune(strings.ToLower(pattern)), []rune(strings.ToLower(value)))
}

// runesMatch is the wildcard match of wildcardMatch, as given.
func runesMatch(p, v []rune) bool {
	pi, vi := 0, 0
	star, mark := -1, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == v[vi]):
			pi++
			vi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, vi
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			vi = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(item string) bool { return strings.EqualFold(item, s) })
}
