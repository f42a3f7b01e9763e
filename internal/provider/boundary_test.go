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
		{"arn:aws:iam::aws:policy/PowerUserAccess", true},
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
