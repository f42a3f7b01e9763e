package provider

import "testing"

func TestCheckPolicyARN(t *testing.T) {
	for _, tc := range []struct {
		arn string
		ok  bool
	}{
		{"arn:aws:iam::123456789012:policy/org-boundary", true},
		{"arn:aws:iam::123456789012:policy/path/org-boundary", true},
		{"arn:aws-us-gov:iam::123456789012:policy/org-boundary", true},
		// AWS managed policies cap nothing sagesafe controls (red team).
		{"arn:aws:iam::aws:policy/PowerUserAccess", false},
		{"arn:aws:iam::aws:policy/AdministratorAccess", false},
		{"arn:aws:iam::123456789012:policy/org-boundary ", false},
		{"\narn:aws:iam::123456789012:policy/org-boundary", false},
		{"arn:aws:iam::123456789012:role/org-boundary", false},
		{"arn:aws:iam::123456789012:policy/", false},
		{"arn:aws:iam::123456789012:policy/org-*", false},
		{"arn:aws:iam:us-east-1:123456789012:policy/org-boundary", false},
		{"arn:aws:iam::12345:policy/org-boundary", false},
		{"arn:aws:s3:::bucket", false},
		{"org-boundary", false},
	} {
		if err := checkPolicyARN(tc.arn); (err == nil) != tc.ok {
			t.Errorf("checkPolicyARN(%q) = %v, want ok=%v", tc.arn, err, tc.ok)
		}
	}
}

// The boundary must be a policy of the provider's own partition and
// account (IAM attaches no other as a boundary); an unknown account is not
// compared.
func TestBoundaryOfThisAccount(t *testing.T) {
	const b = "arn:aws:iam::123456789012:policy/org-boundary"
	for _, tc := range []struct {
		boundary, partition, account string
		ok                           bool
	}{
		{b, "aws", "123456789012", true},
		{b, "aws", "", true},
		{"", "aws", "123456789012", true},
		{b, "aws", "210987654321", false},
		{b, "aws-cn", "123456789012", false},
	} {
		if err := boundaryOfThisAccount(tc.boundary, tc.partition, tc.account); (err == nil) != tc.ok {
			t.Errorf("boundaryOfThisAccount(%q, %q, %q) = %v, want ok=%v", tc.boundary, tc.partition, tc.account, err, tc.ok)
		}
	}
}
