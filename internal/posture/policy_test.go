package posture

import (
	"errors"
	"net/url"
	"reflect"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

func TestParsePolicyDocument(t *testing.T) {
	const listForm = `{"Version":"2012-10-17","Statement":[{"Sid":"Trust","Effect":"Allow",
		"Principal":{"Service":["sagemaker.amazonaws.com"]},"Action":["sts:AssumeRole"],
		"Condition":{"StringEquals":{"aws:SourceAccount":["123456789012"]}}}]}`
	const stringForm = `{"Version":"2012-10-17","Statement":{"Sid":"Trust","Effect":"Allow",
		"Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}}`
	trust := []facts.PolicyStatement{{
		Sid: "Trust", Effect: "Allow",
		Principals: map[string][]string{"Service": {"sagemaker.amazonaws.com"}},
		Actions:    []string{"sts:AssumeRole"},
		Conditions: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {"123456789012"}}},
	}}

	tests := []struct {
		name string
		doc  string
		want []facts.PolicyStatement
	}{
		{name: "lists", doc: listForm, want: trust},
		{name: "strings and a single statement object", doc: stringForm, want: trust},
		// IAM returns documents URL-encoded (spaces as %20, sometimes +).
		{name: "URL-encoded", doc: url.QueryEscape(listForm), want: trust},
		{name: "URL-encoded with %20", doc: url.PathEscape(stringForm), want: trust},
		{
			name: "wildcard principal, NotAction, NotResource, NotPrincipal, boolean and number conditions",
			doc: `{"Statement":[
				{"Effect":"Allow","Principal":"*","NotAction":"iam:*","NotResource":["arn:aws:s3:::x"]},
				{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:root"]},"Action":"*","Resource":"*",
				 "Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:TlsVersion":[1.2]}}}]}`,
			want: []facts.PolicyStatement{
				{
					Effect: "Allow", Principals: map[string][]string{"*": {"*"}},
					NotActions: []string{"iam:*"}, NotResources: []string{"arn:aws:s3:::x"},
				},
				{
					Effect: "Deny", NotPrincipals: map[string][]string{"AWS": {"arn:aws:iam::123456789012:root"}},
					Actions: []string{"*"}, Resources: []string{"*"},
					Conditions: map[string]map[string][]string{
						"Bool":            {"aws:SecureTransport": {"false"}},
						"NumericLessThan": {"s3:TlsVersion": {"1.2"}},
					},
				},
			},
		},
		{name: "empty document", doc: "  ", want: nil},
		{name: "no statements", doc: `{"Version":"2012-10-17"}`, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicyDocument(tt.doc)
			if err != nil {
				t.Fatalf("ParsePolicyDocument: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParsePolicyDocumentErrors(t *testing.T) {
	for _, doc := range []string{
		`{"Statement": [`,
		`%7B%ZZ`,
		`not json`,
		`{"Statement":[{"Effect":"Allow","Principal":"sagemaker.amazonaws.com"}]}`,
		`{"Statement":[{"Effect":"Allow","Action":{"nested":"object"}}]}`,
		`{"Statement":"oops"}`,
	} {
		if got, err := ParsePolicyDocument(doc); err == nil {
			t.Errorf("ParsePolicyDocument(%q) = %+v, want an error", doc, got)
		}
	}
}

// ParsePolicyDocument now reads documents with iampolicy.Parse, which is
// strict where the parser posture used to have was lax. AWS never returns
// these (IAM, KMS and S3 validate policy grammar on write), but a document
// that cannot be read is now an error rather than a partial reading: an
// unreadable trust policy is a trust problem, an unreadable inline policy a
// broad permission, and an unreadable bucket policy denies nothing.
func TestParsePolicyDocumentRejectsWhatTheLaxParserAccepted(t *testing.T) {
	for name, doc := range map[string]string{
		// encoding/json matched element names case-insensitively.
		"lower-case element names": `{"statement":[{"effect":"Allow","action":"*","resource":"*"}]}`,
		// Unknown elements were dropped silently.
		"unknown statement element": `{"Statement":[{"Effect":"Allow","Actions":"s3:*","Resource":"*"}]}`,
		"unknown top element":       `{"Version":"2012-10-17","Extra":1,"Statement":[]}`,
		// null meant "absent"; booleans and numbers were accepted anywhere.
		"null principal":      `{"Statement":[{"Effect":"Allow","Principal":null,"Action":"s3:GetObject"}]}`,
		"null action":         `{"Statement":[{"Effect":"Allow","Action":null}]}`,
		"boolean action":      `{"Statement":[{"Effect":"Allow","Action":true}]}`,
		"numeric principal":   `{"Statement":[{"Effect":"Allow","Principal":{"AWS":111122223333},"Action":"sts:AssumeRole"}]}`,
		"non-string Version":  `{"Version":2012,"Statement":[]}`,
		"null condition keys": `{"Statement":[{"Effect":"Deny","Action":"*","Condition":{"Bool":{"aws:SecureTransport":null}}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if got, err := ParsePolicyDocument(doc); !errors.Is(err, iampolicy.ErrMalformedPolicy) {
				t.Errorf("ParsePolicyDocument = %+v, %v; want ErrMalformedPolicy", got, err)
			}
		})
	}
}

// IAM percent-encodes documents per RFC 3986, where "+" is a literal plus.
// The old parser form-decoded them and turned it into a space; Parse tries
// RFC 3986 first and form decoding ("+" for spaces) only when that is what
// makes the text JSON.
func TestParsePolicyDocumentKeepsLiteralPlus(t *testing.T) {
	doc := url.PathEscape(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/a+b"},"Action":"sts:AssumeRole"}]}`)
	got, err := ParsePolicyDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	if p := got[0].Principals["AWS"]; !reflect.DeepEqual(p, []string{"arn:aws:iam::111122223333:role/a+b"}) {
		t.Errorf("principal = %q, want the role a+b", p)
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"*", "kms:Decrypt", true},
		{"kms:*", "kms:Decrypt", true},
		{"KMS:decrypt", "kms:Decrypt", true},
		{"kms:Decrypt*", "kms:Decrypt", true},
		{"kms:De?rypt", "kms:Decrypt", true},
		{"kms:*crypt", "kms:Decrypt", true},
		{"kms:Encrypt", "kms:Decrypt", false},
		{"s3:*", "kms:Decrypt", false},
		{"kms:Decrypt?", "kms:Decrypt", false},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.value); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
}
