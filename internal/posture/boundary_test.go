package posture

import (
	"slices"
	"testing"
)

// TestAssessBoundary: a boundary that allows a role under it to make roles
// or users, take a boundary off, rewrite a policy or assume another role
// caps nothing; what a workload role needs does not count, nor does an
// action an unconditional Deny on "*" takes away.
func TestAssessBoundary(t *testing.T) {
	for name, c := range map[string]struct {
		doc  string
		want []string
	}{
		"workload actions":                         {`{"Statement":[{"Effect":"Allow","Action":["sagemaker:*","s3:GetObject","logs:*","iam:PassRole"],"Resource":"*"}]}`, nil},
		"everything":                               {`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, boundaryEscapes},
		"iam:Create*":                              {`{"Statement":[{"Effect":"Allow","Action":"iam:Create*","Resource":"*"}]}`, []string{"iam:CreateRole", "iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:CreatePolicyVersion"}},
		"NotAction":                                {`{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`, []string{"sts:AssumeRole"}},
		"conditioned allow still counts":           {`{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"ml"}}}]}`, []string{"sts:AssumeRole"}},
		"denied on every resource":                 {`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":["iam:*","sts:*"],"Resource":"*"}]}`, nil},
		"a conditioned deny does not take it away": {`{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"},{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`, []string{"sts:AssumeRole"}},
	} {
		stmts, err := ParsePolicyDocument(c.doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := AssessBoundary(stmts); !slices.Equal(got, c.want) {
			t.Errorf("%s: escapes %v, want %v", name, got, c.want)
		}
	}
}
