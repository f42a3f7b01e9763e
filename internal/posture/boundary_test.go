package posture

import (
	"slices"
	"testing"
)

// TestAssessBoundary: a boundary that allows a role under it to make or
// change roles, users or groups, take a boundary off, rewrite a policy,
// assume another role or pass a role of any name caps nothing; what a
// workload role needs does not count (PassRole limited to a name prefix
// included), nor does an action an unconditional Deny on "*" takes away.
func TestAssessBoundary(t *testing.T) {
	const account = "123456789012"
	everything := append(slices.Clone(boundaryEscapes), passRoleAnyRole)
	for name, c := range map[string]struct {
		doc  string
		want []string
	}{
		"workload actions":                         {`{"Statement":[{"Effect":"Allow","Action":["sagemaker:*","s3:GetObject","logs:*"],"Resource":"*"}]}`, nil},
		"PassRole of prefix roles":                 {`{"Statement":[{"Effect":"Allow","Action":["sagemaker:*"],"Resource":"*"},{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-prod-*"}]}`, nil},
		"PassRole of a path":                       {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/sagesafe/*"}]}`, nil},
		"PassRole on *":                            {`{"Statement":[{"Effect":"Allow","Action":["sagemaker:*","iam:PassRole"],"Resource":"*"}]}`, []string{passRoleAnyRole}},
		"PassRole on every role of the account":    {`{"Statement":[{"Effect":"Allow","Action":"iam:Pass*","Resource":"arn:aws:iam::123456789012:role/*"}]}`, []string{passRoleAnyRole}},
		"PassRole on every role of any account":    {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/*","Condition":{"StringEquals":{"iam:PassedToService":"sagemaker.amazonaws.com"}}}]}`, []string{passRoleAnyRole}},
		"PassRole by NotResource":                  {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::123456789012:role/Admin"}]}`, []string{passRoleAnyRole}},
		"PassRole denied on *":                     {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}]}`, nil},
		"group writes":                             {`{"Statement":[{"Effect":"Allow","Action":["iam:AddUserToGroup","iam:*GroupPolicy"],"Resource":"*"}]}`, []string{"iam:AddUserToGroup", "iam:PutGroupPolicy", "iam:AttachGroupPolicy"}},
		"a user's password":                        {`{"Statement":[{"Effect":"Allow","Action":"iam:UpdateLoginProfile","Resource":"arn:aws:iam::123456789012:user/*"}]}`, []string{"iam:UpdateLoginProfile"}},
		"everything":                               {`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, everything},
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
		if got := AssessBoundary(stmts, account); !slices.Equal(got, c.want) {
			t.Errorf("%s: escapes %v, want %v", name, got, c.want)
		}
	}
}
