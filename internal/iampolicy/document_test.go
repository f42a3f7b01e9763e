package iampolicy

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestDocumentJSONCanonicalForm(t *testing.T) {
	d := Document{Version: PolicyVersion, Statement: []Statement{{
		Condition: Condition{
			"StringLike":   {"s3:prefix": {"b/", "a/"}},
			"StringEquals": {"aws:SourceAccount": {"111122223333", "111122223333"}},
			"Bool":         {},
		},
		Resource:  []string{"arn:aws:s3:::b", "arn:aws:s3:::a"},
		Action:    []string{"s3:PutObject", "s3:GetObject", "s3:GetObject"},
		Principal: Principal{"Service": {"sagemaker.amazonaws.com"}, "AWS": {"arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a"}},
		Effect:    EffectAllow,
		Sid:       "Example",
	}}}
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"Example","Effect":"Allow",` +
		`"Principal":{"AWS":["arn:aws:iam::1:role/a","arn:aws:iam::1:role/b"],"Service":"sagemaker.amazonaws.com"},` +
		`"Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::a","arn:aws:s3:::b"],` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"},"StringLike":{"s3:prefix":["a/","b/"]}}}]}`
	if got := d.JSON(); got != want {
		t.Errorf("JSON()\n got %s\nwant %s", got, want)
	}
	b, err := json.Marshal(d)
	if err != nil || string(b) != want {
		t.Errorf("json.Marshal = %s, %v; want the canonical form", b, err)
	}
	b, err = json.Marshal(d.Statement[0])
	if err != nil || !strings.HasPrefix(want, `{"Version":"2012-10-17","Statement":[`+string(b)) {
		t.Errorf("json.Marshal(Statement) = %s, %v", b, err)
	}
	if d.String() != want {
		t.Errorf("String() is not the canonical form")
	}
	if Size(d) != len(want) {
		t.Errorf("Size = %d, want %d", Size(d), len(want))
	}
}

func TestDocumentJSONOmitsEmptyAndDoesNotEscapeHTML(t *testing.T) {
	d := Document{Statement: []Statement{{Sid: "A", Effect: EffectDeny, Action: []string{"x:<&>"}, Resource: []string{}}}}
	want := `{"Statement":[{"Sid":"A","Effect":"Deny","Action":"x:<&>"}]}`
	if got := d.JSON(); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := (Document{Version: PolicyVersion}).JSON(); got != `{"Version":"2012-10-17","Statement":[]}` {
		t.Errorf("empty document = %s", got)
	}
}

func TestDocumentJSONAnonymousPrincipal(t *testing.T) {
	d := Document{Statement: []Statement{{Effect: EffectAllow, Principal: Principal{"*": {"*"}}, Action: []string{"s3:GetObject"}}}}
	if got := d.JSON(); !strings.Contains(got, `"Principal":"*"`) {
		t.Errorf("got %s", got)
	}
}

func TestSizeCountsCharacters(t *testing.T) {
	d := Document{Statement: []Statement{{Sid: "A", Effect: EffectAllow, Action: []string{"é"}}}}
	if Size(d) != len([]rune(d.JSON())) || Size(d) == len(d.JSON()) {
		t.Errorf("Size = %d for %s", Size(d), d.JSON())
	}
}

func TestParse(t *testing.T) {
	policy := `{
	  "Version": "2012-10-17",
	  "Id": "x",
	  "Statement": {
	    "Effect": "Allow",
	    "Principal": {"Service": ["sagemaker.amazonaws.com"]},
	    "NotPrincipal": "*",
	    "Action": "sts:AssumeRole",
	    "NotAction": ["a:B"],
	    "Resource": "*",
	    "NotResource": ["arn:aws:s3:::x"],
	    "Condition": {"Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"s3:max-keys": [10, "20"]}}
	  }
	}`
	d, err := Parse(policy)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Statement[0]
	if d.Version != PolicyVersion || d.ID != "x" || len(d.Statement) != 1 {
		t.Fatalf("document = %+v", d)
	}
	assertSame(t, "Principal", s.Principal["Service"], []string{"sagemaker.amazonaws.com"})
	assertSame(t, "NotPrincipal", s.NotPrincipal["*"], []string{"*"})
	assertSame(t, "Action", s.Action, []string{"sts:AssumeRole"})
	assertSame(t, "NotAction", s.NotAction, []string{"a:B"})
	assertSame(t, "Resource", s.Resource, []string{"*"})
	assertSame(t, "NotResource", s.NotResource, []string{"arn:aws:s3:::x"})
	assertSame(t, "Bool", s.Condition["Bool"]["aws:SecureTransport"], []string{"false"})
	assertSame(t, "NumericLessThan", s.Condition["NumericLessThan"]["s3:max-keys"], []string{"10", "20"})
}

func TestParseRejects(t *testing.T) {
	for name, policy := range map[string]string{
		"not JSON":            `Version: 2012-10-17`,
		"trailing data":       `{"Statement":[]} {}`,
		"unknown top element": `{"Statement":[],"Extra":1}`,
		"unknown statement":   `{"Statement":[{"Effect":"Allow","Actions":"s3:*"}]}`,
		"non-string action":   `{"Statement":[{"Effect":"Allow","Action":1}]}`,
		"principal string":    `{"Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::1:root"}]}`,
		"nested condition":    `{"Statement":[{"Effect":"Allow","Condition":{"Bool":{"k":{"x":1}}}}]}`,
		"statement scalar":    `{"Statement":"x"}`,
		"bad url encoding":    `%7B%ZZ`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(policy); !errors.Is(err, ErrMalformedPolicy) {
				t.Errorf("Parse = %v, want ErrMalformedPolicy", err)
			}
		})
	}
}

func TestCanonicalRoundTrip(t *testing.T) {
	d := Document{Version: PolicyVersion, Statement: []Statement{
		{Sid: "B", Effect: EffectAllow, Action: []string{"s3:GetObject"}, Resource: []string{"*"}},
		{Sid: "A", Effect: EffectDeny, NotAction: []string{"s3:*"}, NotResource: []string{"arn:aws:s3:::x"},
			Condition: Condition{"Null": {"k": {"true"}}}},
	}}
	got, err := Canonical(d.JSON())
	if err != nil || got != d.JSON() {
		t.Errorf("Canonical(JSON()) = %s, %v; want %s", got, err, d.JSON())
	}
	if !strings.Contains(got, `"Sid":"B"`) || strings.Index(got, `"Sid":"B"`) > strings.Index(got, `"Sid":"A"`) {
		t.Errorf("Canonical must keep statement order: %s", got)
	}
	if _, err := Canonical("{"); err == nil {
		t.Error("Canonical accepted malformed JSON")
	}
}

func TestEquivalent(t *testing.T) {
	base := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"A","Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"},"Bool":{"aws:SecureTransport":"true"}}},` +
		`{"Sid":"B","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]}]}`
	pretty := `
	{
	  "Statement": [
	    {
	      "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::a/*", "arn:aws:s3:::a/*"],
	      "Action": ["s3:PutObject", "s3:GetObject"],
	      "Effect": "Allow",
	      "Sid": "B"
	    },
	    {
	      "Condition": {
	        "Bool": {"aws:SecureTransport": true},
	        "StringEquals": {"aws:SourceAccount": ["111122223333"]}
	      },
	      "Action": ["sts:AssumeRole"],
	      "Principal": {"Service": ["sagemaker.amazonaws.com"]},
	      "Effect": "Allow",
	      "Sid": "A"
	    }
	  ],
	  "Version": "2012-10-17"
	}
	`
	assertEquivalence(t, base, map[string]equivalenceCase{
		"identical":                         {base, true},
		"whitespace, order, list vs string": {pretty, true},
		"URL-encoded (IAM GetRolePolicy)":   {url.PathEscape(pretty), true},
		"URL-encoded with + for spaces":     {url.QueryEscape(pretty), true},
		"different resource":                {strings.Replace(base, "arn:aws:s3:::b/*", "arn:aws:s3:::c/*", 1), false},
		"extra action":                      {strings.Replace(base, `"s3:PutObject"]`, `"s3:PutObject","s3:DeleteObject"]`, 1), false},
		"different condition value":         {strings.Replace(base, `"111122223333"`, `"444455556666"`, 1), false},
		"bool condition changed":            {strings.Replace(base, `"true"}`, `"false"}`, 1), false},
		"different Sid":                     {strings.Replace(base, `"Sid":"A"`, `"Sid":"C"`, 1), false},
		"different version":                 {strings.Replace(base, "2012-10-17", "2008-10-17", 1), false},
		"statement removed":                 {base[:strings.Index(base, `,{"Sid":"B"`)] + "]}", false},
		"effect changed":                    {strings.Replace(base, `"Effect":"Allow","Action":[`, `"Effect":"Deny","Action":[`, 1), false},
		"Resource moved to NotResource":     {strings.Replace(base, `"Resource"`, `"NotResource"`, 1), false},
		"condition operator changed":        {strings.Replace(base, "StringEquals", "StringLike", 1), false},
		"principal type changed":            {strings.Replace(base, `"Service"`, `"AWS"`, 1), false},
		"extra statement":                   {base[:len(base)-2] + `,{"Sid":"C","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, false},
		"statement repeated":                {base[:len(base)-2] + base[strings.Index(base, `,{"Sid":"B"`):len(base)-2] + "]}", false},
	})
	if _, err := Equivalent(base, "{"); !errors.Is(err, ErrMalformedPolicy) {
		t.Errorf("Equivalent with malformed input = %v", err)
	}
	if _, err := Equivalent("nope", base); !errors.Is(err, ErrMalformedPolicy) {
		t.Errorf("Equivalent with malformed input = %v", err)
	}
}

// Equivalent compares with hashicorp/awspolicyequivalence, which also
// accepts two differences that are not drift.
func TestEquivalentAcceptsAWSRewrites(t *testing.T) {
	const root = `{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	assertEquivalence(t, root, map[string]equivalenceCase{
		// AWS stores a bare account ID principal as the account's root ARN.
		"bare account ID for its root ARN": {strings.Replace(root, "arn:aws:iam::111122223333:root", "111122223333", 1), true},
		"another account's ID":             {strings.Replace(root, "arn:aws:iam::111122223333:root", "444455556666", 1), false},
		"account ID for a role ARN":        {strings.Replace(root, "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/x", 1), false},
		// Effect is compared case-insensitively (posture's isAllow and
		// isDeny read it the same way).
		"effect in lower case": {strings.Replace(root, `"Allow"`, `"allow"`, 1), true},
		// Action names stay significant in case, as before.
		"action in upper case": {strings.Replace(root, "kms:*", "KMS:*", 1), false},
	})
}

type equivalenceCase struct {
	other string
	want  bool
}

// assertEquivalence checks Equivalent(base, other) for every case, and that
// the answer does not depend on the order of the arguments.
func assertEquivalence(t *testing.T, base string, cases map[string]equivalenceCase) {
	t.Helper()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Equivalent(base, tc.other)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Equivalent = %v, want %v", got, tc.want)
			}
			if back, _ := Equivalent(tc.other, base); back != got {
				t.Error("Equivalent is not symmetric")
			}
		})
	}
}
