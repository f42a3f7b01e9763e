// Package iampolicy builds the IAM documents sagesafe manages: execution-role
// trust and permission policies, KMS key policies, the VPC flow-logs delivery
// role, endpoint invoke policies and the guardrail (SCP / permissions
// boundary) policy. It is pure: nothing here calls AWS.
//
// Every document is rendered in one canonical form (see Document.JSON), so the
// same inputs always give byte-identical JSON and Terraform never shows a
// spurious diff. Documents read back from AWS are compared with Equivalent,
// which ignores formatting, ordering and URL encoding.
package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"

	awspolicy "github.com/hashicorp/awspolicyequivalence"
)

// PolicyVersion is the policy language version every builder uses.
const PolicyVersion = "2012-10-17"

// Statement effects.
const (
	EffectAllow = "Allow"
	EffectDeny  = "Deny"
)

// Document is an IAM policy document.
type Document struct {
	Version   string
	ID        string // the optional "Id" element; builders leave it empty
	Statement []Statement
}

// Principal maps a principal type ("AWS", "Service", "Federated",
// "CanonicalUser") to its values. The anonymous principal "*" (as in
// "Principal": "*") is represented as {"*": ["*"]}; only the S3 gateway
// endpoint policy uses it (an endpoint policy bounds every principal).
type Principal map[string][]string

// Condition maps an operator ("StringEquals", "ArnLike", ...) to condition
// keys and their values.
type Condition map[string]map[string][]string

// Statement is one policy statement.
type Statement struct {
	Sid          string
	Effect       string
	Principal    Principal
	NotPrincipal Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    Condition
}

// JSON renders the document in sagesafe's canonical form:
//
//   - compact (no insignificant whitespace), like Terraform's jsonencode;
//   - keys in a fixed order: Version, Id, Statement; and within a statement
//     Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource,
//     NotResource, Condition;
//   - every value list (actions, resources, principal and condition values)
//     sorted and de-duplicated, and rendered as a plain string when it has a
//     single element (as AWS itself renders them); empty lists are omitted;
//   - principal types, condition operators and condition keys sorted;
//   - "Statement" is always a list, in the order the statements were built;
//   - no HTML escaping ("<", ">", "&" appear as themselves).
//
// An empty Version is omitted rather than defaulted: every builder sets
// PolicyVersion, and a parsed document keeps what it had.
func (d Document) JSON() string {
	stmts := make([]string, len(d.Statement))
	for i, s := range d.Statement {
		stmts[i] = s.json()
	}
	return object(
		member{"Version", optString(d.Version)},
		member{"Id", optString(d.ID)},
		member{"Statement", "[" + strings.Join(stmts, ",") + "]"},
	)
}

// MarshalJSON renders the canonical form (see JSON). encoding/json.Marshal
// then escapes "<", ">" and "&" (as \u003c, ...); use JSON for the exact text.
func (d Document) MarshalJSON() ([]byte, error) { return []byte(d.JSON()), nil }

// String returns the canonical JSON.
func (d Document) String() string { return d.JSON() }

// Size is the length in characters of the document's canonical (minified)
// JSON, which is what AWS counts against policy size limits (SCPs, inline
// role policies): whitespace outside strings does not count.
func Size(d Document) int { return len([]rune(d.JSON())) }

// MarshalJSON renders the statement in canonical form (see Document.JSON).
func (s Statement) MarshalJSON() ([]byte, error) { return []byte(s.json()), nil }

func (s Statement) json() string {
	return object(
		member{"Sid", optString(s.Sid)},
		member{"Effect", optString(s.Effect)},
		member{"Principal", s.Principal.json()},
		member{"NotPrincipal", s.NotPrincipal.json()},
		member{"Action", stringOrList(s.Action)},
		member{"NotAction", stringOrList(s.NotAction)},
		member{"Resource", stringOrList(s.Resource)},
		member{"NotResource", stringOrList(s.NotResource)},
		member{"Condition", s.Condition.json()},
	)
}

func (p Principal) json() string {
	if len(p) == 0 {
		return ""
	}
	if len(p) == 1 {
		if v, ok := p["*"]; ok && len(normalize(v)) == 1 && v[0] == "*" {
			return quote("*")
		}
	}
	members := make([]member, 0, len(p))
	for _, typ := range slices.Sorted(maps.Keys(p)) {
		members = append(members, member{typ, stringOrList(p[typ])})
	}
	return object(members...)
}

func (c Condition) json() string {
	ops := make([]member, 0, len(c))
	for _, op := range slices.Sorted(maps.Keys(c)) {
		keys := make([]member, 0, len(c[op]))
		for _, k := range slices.Sorted(maps.Keys(c[op])) {
			keys = append(keys, member{k, stringOrList(c[op][k])})
		}
		ops = append(ops, member{op, objectOrEmpty(keys)})
	}
	return objectOrEmpty(ops)
}

// member is one key of a JSON object with its already-rendered value; an
// empty value means "omit this key".
type member struct {
	key, value string
}

func object(members ...member) string {
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for _, m := range members {
		if m.value == "" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(quote(m.key))
		b.WriteByte(':')
		b.WriteString(m.value)
	}
	b.WriteByte('}')
	return b.String()
}

// objectOrEmpty is object, but renders "" (omitted) when no member has a value.
func objectOrEmpty(members []member) string {
	if s := object(members...); s != "{}" {
		return s
	}
	return ""
}

func optString(s string) string {
	if s == "" {
		return ""
	}
	return quote(s)
}

func stringOrList(values []string) string {
	v := normalize(values)
	switch len(v) {
	case 0:
		return ""
	case 1:
		return quote(v[0])
	}
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// quote renders s as a JSON string without HTML escaping.
func quote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // encoding a string cannot fail
	return strings.TrimSuffix(buf.String(), "\n")
}

// normalize returns a sorted copy of values without duplicates.
func normalize(values []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(values)))
}

// ErrMalformedPolicy is returned (wrapped) by Parse, Canonical and Equivalent
// for text that is not a policy document.
var ErrMalformedPolicy = errors.New("malformed policy document")

// Parse reads a policy document as AWS returns it or as a user wrote it:
// surrounding whitespace is ignored, URL-encoded text (IAM's GetRolePolicy
// and GetRole return documents percent-encoded) is decoded, "Statement" may
// be one object or a list, every value list may be a plain string, and
// condition values may be JSON booleans or numbers (they become strings).
// Unknown elements are an error, so nothing that could change the meaning of
// a policy is silently dropped.
func Parse(policy string) (Document, error) {
	text := strings.TrimSpace(policy)
	if !strings.HasPrefix(text, "{") {
		decoded, err := urlDecode(text)
		if err != nil {
			return Document{}, err
		}
		text = decoded
	}
	var top map[string]json.RawMessage
	if err := decodeStrict(text, &top); err != nil {
		return Document{}, err
	}
	var d Document
	for key, raw := range top {
		var err error
		switch key {
		case "Version":
			err = decodeStrict(string(raw), &d.Version)
		case "Id":
			err = decodeStrict(string(raw), &d.ID)
		case "Statement":
			d.Statement, err = parseStatements(raw)
		default:
			err = fmt.Errorf("unknown element %q", key)
		}
		if err != nil {
			return Document{}, malformed("%s: %v", key, err)
		}
	}
	return d, nil
}

// Canonical parses a policy document (see Parse) and renders it in canonical
// form (see Document.JSON). Statement order is kept.
func Canonical(policy string) (string, error) {
	d, err := Parse(policy)
	if err != nil {
		return "", err
	}
	return d.JSON(), nil
}

// Equivalent reports whether two policy documents mean the same thing.
// Resources use it to compare what AWS returns with what they generated, so
// formatting never shows up as drift.
//
// Both documents are first read with Parse and rendered canonically (see
// Document.JSON), which undoes IAM's URL encoding, ignores whitespace and key
// order, drops duplicated list values and turns booleans and numbers in
// conditions into the strings AWS compares; a document that is not a policy
// is an error wrapping ErrMalformedPolicy. The canonical forms are then
// compared with github.com/hashicorp/awspolicyequivalence, the comparison
// the AWS provider uses for the same purpose: it ignores statement order and
// the order of values in lists, treats a single value written as a string or
// as a one-element list alike, compares Effect case-insensitively, and treats
// a bare account ID principal ("123456789012") as the account's root ARN
// ("arn:aws:iam::123456789012:root"), which is what AWS rewrites it to.
//
// Everything else is significant, including Sids, Version, Id and the case
// of action names.
func Equivalent(a, b string) (bool, error) {
	ca, err := Canonical(a)
	if err != nil {
		return false, fmt.Errorf("first document: %w", err)
	}
	cb, err := Canonical(b)
	if err != nil {
		return false, fmt.Errorf("second document: %w", err)
	}
	same, err := awspolicy.PoliciesAreEquivalent(ca, cb)
	if err != nil {
		// Canonical output is always a well-formed policy, so this is a
		// disagreement between the two parsers, not bad input.
		return false, fmt.Errorf("comparing policy documents: %w", err)
	}
	return same, nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedPolicy, fmt.Sprintf(format, args...))
}

// urlDecode undoes IAM's percent-encoding (RFC 3986, so "+" is a literal
// plus); it falls back to form decoding ("+" as space) when that is what
// makes the text JSON.
func urlDecode(text string) (string, error) {
	decoded, err := url.PathUnescape(text)
	if err == nil && json.Valid([]byte(strings.TrimSpace(decoded))) {
		return strings.TrimSpace(decoded), nil
	}
	if form, ferr := url.QueryUnescape(text); ferr == nil && json.Valid([]byte(strings.TrimSpace(form))) {
		return strings.TrimSpace(form), nil
	}
	if err != nil {
		return "", malformed("not JSON and not URL-encoded JSON: %v", err)
	}
	return "", malformed("not JSON")
}

// decodeStrict decodes exactly one JSON value (numbers kept as json.Number)
// and rejects trailing data.
func decodeStrict(text string, v any) error {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return malformed("%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed("trailing data after the document")
	}
	return nil
}

func parseStatements(raw json.RawMessage) ([]Statement, error) {
	trimmed := bytes.TrimSpace(raw)
	var items []json.RawMessage
	if len(trimmed) > 0 && trimmed[0] == '{' {
		items = []json.RawMessage{trimmed}
	} else if err := decodeStrict(string(trimmed), &items); err != nil {
		return nil, err
	}
	out := make([]Statement, 0, len(items))
	for i, item := range items {
		s, err := parseStatement(item)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStatement(raw json.RawMessage) (Statement, error) {
	var fields map[string]json.RawMessage
	if err := decodeStrict(string(raw), &fields); err != nil {
		return Statement{}, err
	}
	var s Statement
	for key, v := range fields {
		var err error
		switch key {
		case "Sid":
			err = decodeStrict(string(v), &s.Sid)
		case "Effect":
			err = decodeStrict(string(v), &s.Effect)
		case "Principal":
			s.Principal, err = parsePrincipal(v)
		case "NotPrincipal":
			s.NotPrincipal, err = parsePrincipal(v)
		case "Action":
			s.Action, err = parseStrings(v)
		case "NotAction":
			s.NotAction, err = parseStrings(v)
		case "Resource":
			s.Resource, err = parseStrings(v)
		case "NotResource":
			s.NotResource, err = parseStrings(v)
		case "Condition":
			s.Condition, err = parseCondition(v)
		default:
			err = fmt.Errorf("unknown element")
		}
		if err != nil {
			return Statement{}, fmt.Errorf("%s: %w", key, err)
		}
	}
	return s, nil
}

// parseStrings reads a string or a list of strings.
func parseStrings(raw json.RawMessage) ([]string, error) {
	values, err := parseScalars(raw)
	if err != nil {
		return nil, err
	}
	for _, v := range values {
		if !v.isString {
			return nil, malformed("expected a string, got %s", v.text)
		}
	}
	return scalarTexts(values), nil
}

func parsePrincipal(raw json.RawMessage) (Principal, error) {
	var star string
	if err := json.Unmarshal(raw, &star); err == nil {
		if star != "*" {
			return nil, malformed("a string principal must be \"*\", got %q", star)
		}
		return Principal{"*": {"*"}}, nil
	}
	var types map[string]json.RawMessage
	if err := decodeStrict(string(raw), &types); err != nil {
		return nil, err
	}
	p := make(Principal, len(types))
	for typ, v := range types {
		values, err := parseStrings(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", typ, err)
		}
		p[typ] = values
	}
	return p, nil
}

func parseCondition(raw json.RawMessage) (Condition, error) {
	var ops map[string]map[string]json.RawMessage
	if err := decodeStrict(string(raw), &ops); err != nil {
		return nil, err
	}
	c := make(Condition, len(ops))
	for op, keys := range ops {
		c[op] = make(map[string][]string, len(keys))
		for k, v := range keys {
			values, err := parseScalars(v)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", op, k, err)
			}
			c[op][k] = scalarTexts(values)
		}
	}
	return c, nil
}

type scalar struct {
	text     string
	isString bool
}

// parseScalars reads a string, boolean or number, or a list of them.
func parseScalars(raw json.RawMessage) ([]scalar, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var items []json.RawMessage
		if err := decodeStrict(string(trimmed), &items); err != nil {
			return nil, err
		}
		out := make([]scalar, 0, len(items))
		for _, item := range items {
			s, err := parseScalar(item)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := parseScalar(trimmed)
	if err != nil {
		return nil, err
	}
	return []scalar{s}, nil
}

func parseScalar(raw json.RawMessage) (scalar, error) {
	var v any
	if err := decodeStrict(string(raw), &v); err != nil {
		return scalar{}, err
	}
	switch t := v.(type) {
	case string:
		return scalar{text: t, isString: true}, nil
	case bool:
		return scalar{text: fmt.Sprint(t)}, nil
	case json.Number:
		return scalar{text: t.String()}, nil
	}
	return scalar{}, malformed("expected a string, boolean or number, got %s", string(raw))
}

func scalarTexts(values []scalar) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = v.text
	}
	return out
}
