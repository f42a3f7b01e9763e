package posture

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// ParsePolicyDocument parses an IAM policy document (identity, trust or
// resource policy) into normalised statements. It accepts the document as
// plain JSON or URL-encoded, as IAM returns AssumeRolePolicyDocument and
// GetRolePolicy documents. Statement may be one object or a list; Principal,
// Action, NotAction, Resource, NotResource and condition values may each be a
// string or a list; Principal may be "*", which becomes {"*": ["*"]}.
// Condition values that are JSON booleans or numbers are kept as their text
// ("false", "3600"). An empty document has no statements.
func ParsePolicyDocument(doc string) ([]facts.PolicyStatement, error) {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return nil, nil
	}
	if !strings.HasPrefix(doc, "{") {
		decoded, err := url.QueryUnescape(doc)
		if err != nil {
			return nil, fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %w", err)
		}
		doc = strings.TrimSpace(decoded)
	}

	var raw struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("policy document is not valid JSON: %w", err)
	}
	var rawStatements []rawStatement
	switch body := bytes.TrimSpace(raw.Statement); {
	case len(body) == 0 || bytes.Equal(body, []byte("null")):
		return nil, nil
	case body[0] == '[':
		if err := json.Unmarshal(body, &rawStatements); err != nil {
			return nil, fmt.Errorf("policy Statement: %w", err)
		}
	default:
		var one rawStatement
		if err := json.Unmarshal(body, &one); err != nil {
			return nil, fmt.Errorf("policy Statement: %w", err)
		}
		rawStatements = []rawStatement{one}
	}

	statements := make([]facts.PolicyStatement, 0, len(rawStatements))
	for i, rs := range rawStatements {
		st, err := rs.normalise()
		if err != nil {
			return nil, fmt.Errorf("policy statement %d: %w", i, err)
		}
		statements = append(statements, st)
	}
	return statements, nil
}

// rawStatement is one statement as written, before normalisation.
type rawStatement struct {
	Sid          string
	Effect       string
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Action       stringList
	NotAction    stringList
	Resource     stringList
	NotResource  stringList
	Condition    map[string]map[string]stringList
}

func (rs rawStatement) normalise() (facts.PolicyStatement, error) {
	principals, err := parsePrincipal(rs.Principal)
	if err != nil {
		return facts.PolicyStatement{}, fmt.Errorf("principal: %w", err)
	}
	notPrincipals, err := parsePrincipal(rs.NotPrincipal)
	if err != nil {
		return facts.PolicyStatement{}, fmt.Errorf("NotPrincipal: %w", err)
	}
	var conditions map[string]map[string][]string
	if len(rs.Condition) > 0 {
		conditions = make(map[string]map[string][]string, len(rs.Condition))
		for op, keys := range rs.Condition {
			conditions[op] = make(map[string][]string, len(keys))
			for key, values := range keys {
				conditions[op][key] = values
			}
		}
	}
	return facts.PolicyStatement{
		Sid:           rs.Sid,
		Effect:        rs.Effect,
		Principals:    principals,
		NotPrincipals: notPrincipals,
		Actions:       rs.Action,
		NotActions:    rs.NotAction,
		Resources:     rs.Resource,
		NotResources:  rs.NotResource,
		Conditions:    conditions,
	}, nil
}

// parsePrincipal normalises a Principal or NotPrincipal element: "*" or an
// object whose values are a string or a list. Absent or null gives nil.
func parsePrincipal(msg json.RawMessage) (map[string][]string, error) {
	msg = bytes.TrimSpace(msg)
	if len(msg) == 0 || bytes.Equal(msg, []byte("null")) {
		return nil, nil
	}
	if msg[0] == '"' {
		var s string
		if err := json.Unmarshal(msg, &s); err != nil {
			return nil, err
		}
		if s != "*" {
			return nil, fmt.Errorf("a string principal must be \"*\", got %q", s)
		}
		return map[string][]string{"*": {"*"}}, nil
	}
	var byType map[string]stringList
	if err := json.Unmarshal(msg, &byType); err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(byType))
	for kind, values := range byType {
		out[kind] = values
	}
	return out, nil
}

// stringList is a policy element that may be written as one value or a list.
// Scalars that are not strings (booleans, numbers) keep their JSON text.
type stringList []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *stringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*l = nil
		return nil
	}
	if len(b) > 0 && b[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		out := make([]string, 0, len(items))
		for _, item := range items {
			s, err := scalarText(item)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		*l = out
		return nil
	}
	s, err := scalarText(b)
	if err != nil {
		return err
	}
	*l = []string{s}
	return nil
}

// scalarText returns a JSON string's value, or the literal text of a JSON
// boolean or number.
func scalarText(b json.RawMessage) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	}
	text := string(b)
	if text == "true" || text == "false" {
		return text, nil
	}
	if _, err := strconv.ParseFloat(text, 64); err == nil {
		return text, nil
	}
	return "", fmt.Errorf("expected a string, boolean or number, got %s", text)
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

// coversAllResources reports whether the statement applies to every
// resource: Resource "*", or a NotResource element.
func coversAllResources(s facts.PolicyStatement) bool {
	if len(s.NotResources) > 0 {
		return true
	}
	for _, r := range s.Resources {
		if r == "*" {
			return true
		}
	}
	return false
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
	for _, p := range patterns {
		if wildcardMatch(p, value) {
			return true
		}
	}
	return false
}

// wildcardMatch matches value against an IAM pattern where "*" matches any
// run of characters and "?" any single character, case-insensitively (IAM
// action names are case-insensitive).
func wildcardMatch(pattern, value string) bool {
	p, v := []rune(strings.ToLower(pattern)), []rune(strings.ToLower(value))
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
	for _, item := range list {
		if strings.EqualFold(item, s) {
			return true
		}
	}
	return false
}
