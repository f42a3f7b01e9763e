package posture

import (
	"slices"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
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
	var lifecycleAny []string
	for _, a := range []string{"UpdateNotebookInstance", "UpdateNotebookInstanceLifecycleConfig", "UpdateDomain", "UpdateUserProfile", "UpdateSpace"} {
		lifecycleAny = append(lifecycleAny, "sagemaker:"+a+" on any resource")
	}
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
		"red team: sagemaker:* opens any notebook": {allow(`"sagemaker:*"`, `"*"`), append([]string{
			"sagemaker:CreatePresignedNotebookInstanceUrl on any resource", "sagemaker:CreatePresignedDomainUrl on any resource"}, lifecycleAny...)},
		"red team: sagemaker:* without presigned URLs still attaches lifecycle scripts": {`{"Statement":[{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"},` +
			`{"Effect":"Deny","Action":"sagemaker:CreatePresigned*","Resource":"*"}]}`, lifecycleAny},
		"sagemaker:* without presigned URLs and lifecycle scripts": {`{"Statement":[{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"},` +
			`{"Effect":"Deny","Action":["sagemaker:CreatePresigned*","sagemaker:UpdateNotebookInstance*","sagemaker:UpdateDomain","sagemaker:UpdateUserProfile","sagemaker:UpdateSpace"],"Resource":"*"}]}`, nil},
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
			`{"Effect":"Deny","Action":["iam:*","sts:*","sso:*","identitystore:*","sagemaker:CreatePresigned*","sagemaker:Update*","lambda:Update*","ssm:*","ec2-instance-connect:*","ecs:ExecuteCommand","glue:*","codebuild:*","cloudformation:*"],"Resource":"*"}]}`, nil},
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
		checkReached(t, name, c.doc, RoleReaches, role, []string{"ml-train", "ml-legacy", "ml-bob", "Admin123", "web"}, c.reached)
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

// TestNotebookReaches: presigned notebook URLs of a name prefix reach the
// notebook instances of that prefix, less an unconditional Deny's
// carve-outs; on "*" they are an escape already (AssessBoundary).
func TestNotebookReaches(t *testing.T) {
	nb := func(n string) string { return "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/" + n }
	allow := `{"Effect":"Allow","Action":"sagemaker:CreatePresignedNotebookInstanceUrl","Resource":"arn:aws:sagemaker:*:123456789012:notebook-instance/ml-*"}`
	for name, c := range map[string]struct {
		doc     string
		reached []string // of ml-lab, ml-legacy, web
	}{
		"a prefix":        {`{"Statement":[` + allow + `]}`, []string{"ml-lab", "ml-legacy"}},
		"a carve-out":     {`{"Statement":[` + allow + `,{"Effect":"Deny","Action":"sagemaker:CreatePresigned*","Resource":"` + nb("ml-legacy") + `"}]}`, []string{"ml-lab"}},
		"denied on *":     {`{"Statement":[` + allow + `,{"Effect":"Deny","Action":"sagemaker:CreatePresigned*","Resource":"*"}]}`, nil},
		"on *: no reach":  {`{"Statement":[{"Effect":"Allow","Action":"sagemaker:CreatePresignedNotebookInstanceUrl","Resource":"*"}]}`, nil},
		"another action":  {`{"Statement":[{"Effect":"Allow","Action":"sagemaker:DescribeNotebookInstance","Resource":"*"}]}`, nil},
		"PassRole is not": {`{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/ml-*"}]}`, nil},
	} {
		checkReached(t, name, c.doc, NotebookReaches, nb, []string{"ml-lab", "ml-legacy", "web"}, c.reached)
	}
}

// TestUncappedNotebooks: a notebook instance the boundary reaches passes
// only when its role carries the boundary; a role not read counts as
// uncapped.
func TestUncappedNotebooks(t *testing.T) {
	const boundary = "arn:aws:iam::123456789012:policy/org-boundary"
	nb := func(n string) string { return "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/" + n }
	role := func(n string) string { return "arn:aws:iam::123456789012:role/" + n }
	notebooks := map[string]string{nb("ml-lab"): role("ml-lab"), nb("ml-legacy"): role("admin"), nb("ml-gone"): role("gone"), nb("web"): role("admin")}
	boundaries := map[string]string{role("ml-lab"): boundary, role("admin"): ""}
	reaches := []RoleReach{{Action: "sagemaker:CreatePresignedNotebookInstanceUrl", Allow: []string{nb("ml-*")}}}
	got := UncappedNotebooks(reaches, notebooks, boundaries, boundary)
	if want := []string{nb("ml-gone") + " (role " + role("gone") + ")", nb("ml-legacy") + " (role " + role("admin") + ")"}; !slices.Equal(got, want) {
		t.Errorf("uncapped %v, want %v", got, want)
	}
}

// TestUnverifiedReaches: run-code actions on a name prefix whose roles
// sagesafe does not read are listed with their patterns; on "*" they are
// escapes (AssessBoundary), denied on "*" or carved out exactly they are
// not listed, and PassRole and notebook URLs are checked live instead.
func TestUnverifiedReaches(t *testing.T) {
	const boundary = "arn:aws:iam::123456789012:policy/org-boundary"
	fn := "arn:aws:lambda:us-east-1:123456789012:function:ml-*"
	for name, c := range map[string]struct {
		doc  string
		want []string
	}{
		"lambda on a prefix": {`{"Statement":[{"Effect":"Allow","Action":["lambda:UpdateFunctionCode","lambda:GetFunction"],"Resource":"` + fn + `"}]}`,
			[]string{"lambda:UpdateFunctionCode on " + fn}},
		"lambda:Update* on a prefix, ssm on instances": {`{"Statement":[{"Effect":"Allow","Action":"lambda:Update*","Resource":"` + fn + `"},` +
			`{"Effect":"Allow","Action":"ssm:SendCommand","Resource":"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc*"}]}`,
			[]string{"lambda:UpdateFunctionCode on " + fn, "lambda:UpdateFunctionConfiguration on " + fn,
				"ssm:SendCommand on arn:aws:ec2:us-east-1:123456789012:instance/i-0abc*"}},
		"denied on *": {`{"Statement":[{"Effect":"Allow","Action":"lambda:Update*","Resource":"` + fn + `"},{"Effect":"Deny","Action":"lambda:*","Resource":"*"}]}`, nil},
		"carved out exactly": {`{"Statement":[{"Effect":"Allow","Action":"lambda:UpdateFunctionCode","Resource":"` + fn + `"},` +
			`{"Effect":"Deny","Action":"lambda:UpdateFunctionCode","Resource":"` + fn + `"}]}`, nil},
		"on *: an escape, not listed here": {`{"Statement":[{"Effect":"Allow","Action":"lambda:UpdateFunctionCode","Resource":"*"}]}`, nil},
		"checked live instead": {`{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","sagemaker:CreatePresignedNotebookInstanceUrl"],` +
			`"Resource":["arn:aws:iam::123456789012:role/ml-*","arn:aws:sagemaker:*:123456789012:notebook-instance/ml-*"]}]}`, nil},
	} {
		stmts, err := ParsePolicyDocument(c.doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := UnverifiedReaches(stmts, boundary); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}

// TestOtherRegions: only the provider's region's notebook instances are
// read, so a pattern naming any other region (a wildcard included) stays
// unverified.
func TestOtherRegions(t *testing.T) {
	const action = "sagemaker:CreatePresignedNotebookInstanceUrl"
	reaches := []RoleReach{{Action: action, Allow: []string{
		"arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/ml-*",
		"arn:aws:sagemaker:*:123456789012:notebook-instance/ml-*",
		"arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/ml-*",
	}}}
	got := OtherRegions(reaches, "us-east-1")
	want := []string{action + " on arn:aws:sagemaker:*:123456789012:notebook-instance/ml-* outside us-east-1",
		action + " on arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/ml-* outside us-east-1"}
	if !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestPatternCovers: a Deny pattern takes an Allow pattern away only when
// it matches everything the Allow may match (red team: "ml-?" does not
// cover "ml-*", nor does another case).
func TestPatternCovers(t *testing.T) {
	fn := "arn:aws:lambda:us-east-1:123456789012:function:"
	for _, c := range []struct {
		deny, allow string
		want        bool
	}{
		{fn + "ml-*", fn + "ml-*", true},
		{fn + "*", fn + "ml-*", true},
		{fn + "ml-*", fn + "ml-prod-*", true},
		{fn + "ml-?", fn + "ml-*", false},
		{fn + "ml-??", fn + "ml-*", false},
		{fn + "ml-?", fn + "ml-a", true},
		{fn + "ml-?", fn + "ml-?", false}, // errs toward not covering
		{fn + "ML-*", fn + "ml-*", false},
		{fn + "ml-prod-*", fn + "ml-*", false},
		{"arn:aws:lambda:?s-east-1:123456789012:function:*", "arn:aws:lambda:*:123456789012:function:ml-*", false},
		{"*", fn + "ml-*", true},
	} {
		if got := patternCovers(c.deny, c.allow); got != c.want {
			t.Errorf("patternCovers(%q, %q) = %v, want %v", c.deny, c.allow, got, c.want)
		}
	}
	// The red team's input: an Allow on ml-* with a Deny on ml-? is listed.
	stmts, err := ParsePolicyDocument(`{"Statement":[{"Effect":"Allow","Action":"lambda:UpdateFunctionCode","Resource":"` + fn + `ml-*"},` +
		`{"Effect":"Deny","Action":"lambda:UpdateFunctionCode","Resource":"` + fn + `ml-?"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := UnverifiedReaches(stmts, "arn:aws:iam::123456789012:policy/org-boundary"); len(got) != 1 {
		t.Errorf("a Deny of ml-? took away lambda:UpdateFunctionCode on ml-*: %q", got)
	}
}

// checkReached checks which of names (made ARNs by arnOf) the reaches of
// the boundary document doc reach.
func checkReached(t *testing.T, name, doc string, reachesOf func([]facts.PolicyStatement, string) []RoleReach, arnOf func(string) string, names, want []string) {
	t.Helper()
	stmts, err := ParsePolicyDocument(doc)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	reaches := reachesOf(stmts, "arn:aws:iam::123456789012:policy/org-boundary")
	var got []string
	for _, n := range names {
		if Reached(reaches, arnOf(n)) {
			got = append(got, n)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: reaches %v, want %v", name, got, want)
	}
}

// TestPatternCoversManyStars: a Deny of many "*" against a long Allow is
// judged in polynomial time (a backtracking match took exponential time).
func TestPatternCoversManyStars(t *testing.T) {
	deny := strings.Repeat("*a", 40) + "*b"
	allow := strings.Repeat("a", 400) + "*"
	if patternCovers(deny, allow) {
		t.Error("a Deny ending in b covers an Allow ending in *")
	}
}
