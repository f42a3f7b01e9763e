package posture

import (
	"slices"
	"testing"
)

// TestAssessBoundary: a boundary that allows a role under it to make or
// change roles, users or groups, take a boundary off, rewrite a policy,
// become root, or pass, assume or run code as principals not limited to a
// name prefix caps nothing; what a workload role needs does not count
// (PassRole and AssumeRole limited to a prefix, role writes limited to
// principals carrying the same boundary), nor does an action an
// unconditional Deny on "*" takes away. Cases marked "red team" are the
// inputs that passed an earlier version.
func TestAssessBoundary(t *testing.T) {
	const boundary = "arn:aws:iam::123456789012:policy/org-boundary"
	const passAny, assumeAny = "iam:PassRole on any resource", "sts:AssumeRole on any resource"
	var scopedAny []string
	for _, a := range scopedEscapes {
		scopedAny = append(scopedAny, a+" on any resource")
	}
	everything := append(slices.Clone(boundaryEscapes), scopedAny...)
	allow := func(actions, resource string) string {
		return `{"Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":` + resource + `}]}`
	}
	for name, c := range map[string]struct {
		doc  string
		want []string
	}{
		"workload actions": {allow(`["sagemaker:CreateTrainingJob","sagemaker:Describe*","s3:GetObject","logs:*","kms:Decrypt"]`, `"*"`), nil},
		"PassRole of prefix roles": {`{"Statement":[{"Effect":"Allow","Action":"sagemaker:CreateProcessingJob","Resource":"*"},` +
			`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-prod-*"}]}`, nil},
		"PassRole of a path":                    {allow(`"iam:PassRole"`, `"arn:aws:iam::*:role/sagesafe/*"`), nil},
		"PassRole on *":                         {allow(`["sagemaker:CreateTrainingJob","iam:PassRole"]`, `"*"`), []string{passAny}},
		"PassRole on every role of the account": {allow(`"iam:Pass*"`, `"arn:aws:iam::123456789012:role/*"`), []string{passAny}},
		"PassRole on every role, conditioned": {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/*",` +
			`"Condition":{"StringEquals":{"iam:PassedToService":"sagemaker.amazonaws.com"}}}]}`, []string{passAny}},
		"PassRole by NotResource":          {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::123456789012:role/Admin"}]}`, []string{passAny}},
		"PassRole denied on *":             {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},{"Effect":"Deny","Action":"iam:PassRole","Resource":"*"}]}`, nil},
		"red team: PassRole by suffix":     {allow(`"iam:PassRole"`, `"arn:aws:iam::123456789012:role/*Role"`), []string{passAny}},
		"red team: PassRole by infix":      {allow(`"iam:PassRole"`, `"arn:aws:iam::123456789012:role/*m*"`), []string{passAny}},
		"red team: PassRole short prefix":  {allow(`"iam:PassRole"`, `"arn:aws:iam::123456789012:role/A*"`), []string{passAny}},
		"red team: PassRole of admins":     {allow(`"iam:PassRole"`, `"arn:aws:iam::123456789012:role/Adm*"`), []string{passAny}},
		"red team: console SageMaker role": {allow(`"iam:PassRole"`, `"arn:aws:iam::123456789012:role/service-role/*"`), []string{passAny}},
		"red team: PassRole split in two": {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-*"},` +
			`{"Effect":"Allow","Action":"iam:PassRole","NotResource":"arn:aws:iam::123456789012:role/ml-*"}]}`, []string{passAny}},
		"red team: GovCloud partition":           {allow(`"iam:PassRole"`, `"arn:aws-us-gov:iam::123456789012:role/*"`), []string{passAny}},
		"red team: policy variable":              {allow(`"iam:PassRole"`, `"arn:aws:iam::123456789012:role/${aws:PrincipalTag/team}*"`), []string{passAny}},
		"red team: policy variable with default": {allow(`"iam:PassRole"`, `"arn:aws:iam::123456789012:role/${aws:PrincipalTag/none, 'x'}*"`), []string{passAny}},
		"AssumeRole of prefix roles":             {allow(`"sts:AssumeRole"`, `"arn:aws:iam::123456789012:role/ml-prod-*"`), nil},
		"AssumeRole of another account's roles":  {allow(`"sts:AssumeRole"`, `"arn:aws:iam::*:role/ml-prod-*"`), []string{assumeAny}},
		"red team: existing compute": {allow(`["lambda:UpdateFunctionCode","ssm:SendCommand","ecs:ExecuteCommand","codebuild:StartBuild"]`, `"*"`),
			[]string{"lambda:UpdateFunctionCode on any resource", "ssm:SendCommand on any resource", "ecs:ExecuteCommand on any resource", "codebuild:StartBuild on any resource"}},
		"red team: sagemaker:* opens any notebook": {allow(`"sagemaker:*"`, `"*"`),
			[]string{"sagemaker:CreatePresignedNotebookInstanceUrl on any resource", "sagemaker:CreatePresignedDomainUrl on any resource"}},
		"sagemaker:* without presigned URLs": {`{"Statement":[{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"},` +
			`{"Effect":"Deny","Action":"sagemaker:CreatePresigned*","Resource":"*"}]}`, nil},
		"presigned URLs of the stack's notebooks": {allow(`"sagemaker:CreatePresignedNotebookInstanceUrl"`, `"arn:aws:sagemaker:*:123456789012:notebook-instance/ml-prod-*"`), nil},
		"red team: identity providers and root": {allow(`["iam:UpdateSAMLProvider","iam:CreateServiceSpecificCredential","sts:AssumeRoot"]`, `"*"`),
			[]string{"iam:CreateServiceSpecificCredential", "iam:UpdateSAMLProvider", "sts:AssumeRoot"}},
		"red team (false refusal): delegation under the same boundary": {`{"Statement":[{"Effect":"Allow","Action":["iam:CreateRole","iam:PutRolePolicy","iam:AttachRolePolicy","iam:PutRolePermissionsBoundary"],` +
			`"Resource":"arn:aws:iam::123456789012:role/ml-*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"` + boundary + `"}}}]}`, nil},
		"delegation under another boundary": {`{"Statement":[{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*",` +
			`"Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::123456789012:policy/other"}}}]}`, []string{"iam:CreateRole"}},
		"delegation with IfExists": {`{"Statement":[{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*",` +
			`"Condition":{"StringEqualsIfExists":{"iam:PermissionsBoundary":"` + boundary + `"}}}]}`, []string{"iam:CreateRole"}},
		"boundary removal under the same boundary": {`{"Statement":[{"Effect":"Allow","Action":"iam:DeleteRolePermissionsBoundary","Resource":"*",` +
			`"Condition":{"StringEquals":{"iam:PermissionsBoundary":"` + boundary + `"}}}]}`, []string{"iam:DeleteRolePermissionsBoundary"}},
		"group writes":      {allow(`["iam:AddUserToGroup","iam:*GroupPolicy"]`, `"*"`), []string{"iam:AddUserToGroup", "iam:PutGroupPolicy", "iam:AttachGroupPolicy"}},
		"a user's password": {allow(`"iam:UpdateLoginProfile"`, `"arn:aws:iam::123456789012:user/*"`), []string{"iam:UpdateLoginProfile"}},
		"everything":        {allow(`"*"`, `"*"`), everything},
		"iam:Create*": {allow(`"iam:Create*"`, `"*"`), []string{"iam:CreateRole", "iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile",
			"iam:CreateServiceSpecificCredential", "iam:CreatePolicyVersion", "iam:CreateSAMLProvider", "iam:CreateOpenIDConnectProvider"}},
		"NotAction":                      {`{"Statement":[{"Effect":"Allow","NotAction":["iam:*","sso:*","identitystore:*","sts:AssumeRoot"],"Resource":"*"}]}`, scopedAny[1:]},
		"conditioned allow still counts": {`{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"ml"}}}]}`, []string{assumeAny}},
		"denied on every resource": {`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
			`{"Effect":"Deny","Action":["iam:*","sts:*","sso:*","identitystore:*","sagemaker:CreatePresigned*","lambda:Update*","ssm:*","ec2-instance-connect:*","ecs:ExecuteCommand","glue:*","codebuild:*","cloudformation:*"],"Resource":"*"}]}`, nil},
		"a conditioned deny does not take it away": {`{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"*"},` +
			`{"Effect":"Deny","Action":"sts:AssumeRoot","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`, []string{"sts:AssumeRoot"}},
	} {
		stmts, err := ParsePolicyDocument(c.doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := AssessBoundary(stmts, boundary)
		if name == "red team: GovCloud partition" {
			got = AssessBoundary(stmts, "arn:aws-us-gov:iam::123456789012:policy/org-boundary")
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: escapes %v, want %v", name, got, c.want)
		}
	}
}

// TestRoleReaches: the role patterns a boundary lets through as limited to
// a name prefix are the ones whose roles must carry it; patterns that are
// escapes by themselves, other actions and denied actions are not; an
// unconditional Deny naming roles carves them out (red team).
func TestRoleReaches(t *testing.T) {
	const boundary = "arn:aws:iam::123456789012:policy/org-boundary"
	role := func(n string) string { return "arn:aws:iam::123456789012:role/" + n }
	for name, c := range map[string]struct {
		doc     string
		reached []string // of ml-train, ml-legacy, ml-bob, Admin123, web
	}{
		"PassRole of a prefix": {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-*"}]}`,
			[]string{"ml-train", "ml-legacy", "ml-bob"}},
		"AssumeRole and PassRole, a variable read as *": {`{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","sts:AssumeRole"],` +
			`"Resource":["arn:aws:iam::123456789012:role/ml-${aws:username}","arn:aws:iam::123456789012:role/Admin???"]}]}`,
			[]string{"ml-train", "ml-legacy", "ml-bob", "Admin123"}},
		"PassRole on *: an escape already, no reach": {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`, nil},
		"other actions": {`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::ml-data/*"}]}`, nil},
		"a Deny of PassRole on *": {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-*"},` +
			`{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`, nil},
		"a Deny carving out one role": {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-*"},` +
			`{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-legacy"}]}`, []string{"ml-train", "ml-bob"}},
		"a carve-out of PassRole only, AssumeRole still reaches": {`{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","sts:AssumeRole"],"Resource":"arn:aws:iam::123456789012:role/ml-*"},` +
			`{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-legacy"}]}`, []string{"ml-train", "ml-legacy", "ml-bob"}},
		"a carve-out in another case carves out nothing": {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-*"},` +
			`{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ML-LEGACY"}]}`, []string{"ml-train", "ml-legacy", "ml-bob"}},
		"a conditioned Deny carves out nothing": {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-*"},` +
			`{"Effect":"Deny","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-legacy","Condition":{"Bool":{"aws:ViaAWSService":"false"}}}]}`,
			[]string{"ml-train", "ml-legacy", "ml-bob"}},
	} {
		stmts, err := ParsePolicyDocument(c.doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		reaches := RoleReaches(stmts, boundary)
		var got []string
		for _, n := range []string{"ml-train", "ml-legacy", "ml-bob", "Admin123", "web"} {
			if Reached(reaches, role(n)) {
				got = append(got, n)
			}
		}
		if !slices.Equal(got, c.reached) {
			t.Errorf("%s: reaches %v, want %v", name, got, c.reached)
		}
	}
}

// TestUncappedRoles: a role the boundary reaches passes only with this
// boundary; "Admin???" reaches the account's AdminOps (the input that
// passed AssessBoundary before the live check).
func TestUncappedRoles(t *testing.T) {
	const boundary = "arn:aws:iam::123456789012:policy/org-boundary"
	role := func(n string) string { return "arn:aws:iam::123456789012:role/" + n }
	roles := map[string]string{
		role("ml-train"):   boundary,
		role("ml-legacy"):  "",
		role("ML-Other"):   "arn:aws:iam::123456789012:policy/other-boundary",
		role("AdminOps"):   "",
		role("web-server"): "",
	}
	reaches := []RoleReach{{Action: "iam:PassRole", Allow: []string{role("ml-*"), role("Admin???")}}}
	got := UncappedRoles(reaches, roles, boundary)
	if want := []string{role("AdminOps"), role("ML-Other"), role("ml-legacy")}; !slices.Equal(got, want) {
		t.Errorf("uncapped %v, want %v", got, want)
	}
	if got := UncappedRoles([]RoleReach{{Action: "iam:PassRole", Allow: []string{role("ml-train")}}}, roles, boundary); got != nil {
		t.Errorf("a pattern reaching only capped roles: uncapped %v, want none", got)
	}
}
