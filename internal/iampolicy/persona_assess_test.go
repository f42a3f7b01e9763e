package iampolicy

import (
	"slices"
	"strings"
	"testing"
)

const personaPolicyName = "persona"

func generatedPersona(t *testing.T, p Persona, extra ...string) (Document, Document) {
	t.Helper()
	spec := personaSpec(p)
	spec.ExtraActivities = extra
	if len(extra) > 0 {
		spec.StudioDomainID = "" // the widest combinations fit only without Studio
	}
	policy, _, err := PersonaPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := PersonaTrust(spec)
	if err != nil {
		t.Fatal(err)
	}
	return policy, trust
}

func TestPersonaLaunchProblemsGeneratedHold(t *testing.T) {
	for _, p := range []Persona{PersonaDataScientist, PersonaMLEngineer, PersonaModelReviewer} {
		policy, _ := generatedPersona(t, p)
		if got := PersonaLaunchProblems(map[string]string{personaPolicyName: policy.JSON()}, nil); len(got) > 0 {
			t.Errorf("%s: %q", p, got)
		}
	}
	policy, _ := generatedPersona(t, PersonaDataScientist, ActivityManageEndpoints)
	if got := PersonaLaunchProblems(map[string]string{personaPolicyName: policy.JSON()}, nil); len(got) > 0 {
		t.Errorf("every guarded create: %q", got)
	}
}

func TestPersonaLaunchProblems(t *testing.T) {
	policy, _ := generatedPersona(t, PersonaDataScientist)
	without := func(sid string) string {
		d := policy
		d.Statement = slices.DeleteFunc(slices.Clone(d.Statement), func(s Statement) bool { return s.Sid == sid })
		return d.JSON()
	}
	extra := func(s Statement) map[string]string {
		return map[string]string{personaPolicyName: policy.JSON(),
			"added": Document{Version: PolicyVersion, Statement: []Statement{s}}.JSON()}
	}
	allow := func(actions []string, resources ...string) Statement {
		return Statement{Effect: EffectAllow, Action: actions, Resource: resources}
	}
	for name, tc := range map[string]struct {
		inline   map[string]string
		attached []string
		want     string
	}{
		"deny removed":       {map[string]string{personaPolicyName: without("DenyMissingVpcSubnets")}, nil, "sagemaker:CreateTrainingJob is allowed without a Deny that forces its subnets"},
		"key deny removed":   {map[string]string{personaPolicyName: without("DenyOtherOutputKmsKey")}, nil, "output KMS key"},
		"isolation removed":  {map[string]string{personaPolicyName: without("DenyWithoutNetworkIsolation")}, nil, "sagemaker:CreateModel is allowed without a Deny that forces its network isolation"},
		"value deny removed": {map[string]string{personaPolicyName: without("DenyUnapprovedSecurityGroups")}, nil, "security groups"},
		"managed attached":   {map[string]string{personaPolicyName: policy.JSON()}, []string{"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"}, "managed policy arn:aws:iam::aws:policy/AmazonSageMakerFullAccess is attached"},
		"notebook allowed":   {extra(allow(sm("CreateNotebookInstance"), "*")), nil, "sagemaker:CreateNotebookInstance is allowed without a Deny that forces its subnets, security groups, volume KMS key, direct internet access, root access"},
		"wildcard create":    {extra(allow(sm("Create*"), "*")), nil, "sagemaker:CreateDomain is allowed"},
		"schedule allowed":   {extra(allow(sm("CreateMonitoringSchedule"), "*")), nil, "sagemaker:CreateMonitoringSchedule is allowed without a Deny of an unapproved subnets"},
		"star action":        {extra(allow([]string{"*"}, "*")), nil, `allows every action ("*")`},
		"not action":         {extra(Statement{Effect: EffectAllow, NotAction: []string{"iam:*"}, Resource: []string{"*"}}), nil, "NotAction"},
		"pass any role":      {extra(allow([]string{"iam:PassRole"}, "*")), nil, `allows iam:PassRole on "*"`},
		"pass to anyone":     {extra(allow([]string{"iam:PassRole"}, testExecRole)), nil, "without iam:PassedToService"},
		"unreadable":         {map[string]string{personaPolicyName: "{"}, nil, "cannot be read"},
	} {
		t.Run(name, func(t *testing.T) {
			got := PersonaLaunchProblems(tc.inline, tc.attached)
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("problems %q do not mention %q", got, tc.want)
			}
		})
	}
	// An allow added next to the generated denies is still guarded by them.
	if got := PersonaLaunchProblems(extra(allow(sm("CreateTrainingJob"), "*")), nil); len(got) > 0 {
		t.Errorf("a guarded create allowed twice: %q", got)
	}
}

func TestPersonaTrustProblems(t *testing.T) {
	_, trust := generatedPersona(t, PersonaMLEngineer)
	if got := PersonaTrustProblems(trust.JSON(), testPartition, testAccount); len(got) > 0 {
		t.Fatalf("generated trust: %q", got)
	}
	edit := func(f func(d *Document)) string {
		d, err := Parse(trust.JSON())
		if err != nil {
			t.Fatal(err)
		}
		f(&d)
		return d.JSON()
	}
	for name, tc := range map[string]struct {
		trust, want string
	}{
		"no MFA":   {edit(func(d *Document) { d.Statement[0].Condition = nil }), "without Bool aws:MultiFactorAuthPresent = true"},
		"wildcard": {edit(func(d *Document) { d.Statement[0].Principal = Principal{"AWS": {"*"}} }), `wildcard principal "*"`},
		"service": {edit(func(d *Document) {
			d.Statement = append(d.Statement, Statement{Effect: EffectAllow, Principal: Principal{"Service": {"ec2.amazonaws.com"}}, Action: []string{"sts:AssumeRole"}})
		}), "lets Service principals"},
		"no audience": {edit(func(d *Document) { d.Statement[1].Condition = nil }), "without StringEquals SAML:aud"},
		"foreign SAML": {edit(func(d *Document) {
			d.Statement[1].Principal = Principal{"Federated": {"arn:aws:iam::444455556666:saml-provider/x"}}
		}), "of another account"},
		"OIDC": {edit(func(d *Document) {
			d.Statement[1].Principal = Principal{"Federated": {"cognito-identity.amazonaws.com"}}
		}), "not a SAML provider"},
		"not principal": {edit(func(d *Document) {
			d.Statement[0].NotPrincipal, d.Statement[0].Principal = Principal{"AWS": {testExecRole}}, nil
		}), "NotPrincipal"},
		"unreadable": {"nope", "cannot be read"},
	} {
		t.Run(name, func(t *testing.T) {
			got := PersonaTrustProblems(tc.trust, testPartition, testAccount)
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("problems %q do not mention %q", got, tc.want)
			}
		})
	}
}

func TestActionMatches(t *testing.T) {
	for _, tc := range []struct {
		pattern, action string
		want            bool
	}{
		{"sagemaker:Create*", "sagemaker:CreateTrainingJob", true},
		{"SageMaker:createtrainingjob", "sagemaker:CreateTrainingJob", true},
		{"sagemaker:Create?rainingJob", "sagemaker:CreateTrainingJob", true},
		{"*", "iam:PassRole", true},
		{"sagemaker:Describe*", "sagemaker:CreateTrainingJob", false},
		{"sagemaker:CreateTrainingJob", "sagemaker:CreateTrainingJobs", false},
	} {
		if got := actionMatches(tc.pattern, tc.action); got != tc.want {
			t.Errorf("actionMatches(%q, %q) = %v", tc.pattern, tc.action, got)
		}
	}
}
