package main

import (
	"context"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamsim"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
)

const testAccount = "123456789012"

// The demo's boundary caps: SS-IAM-5's own judge (posture.AssessBoundary,
// the function the provider's fetcher uses) finds no way out of it.
func TestBoundaryPolicy_caps(t *testing.T) {
	doc := boundaryPolicy("aws", testAccount, stackName)
	stmts, err := posture.ParsePolicyDocument(doc.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if escapes := posture.AssessBoundary(stmts, "arn:aws:iam::"+testAccount+":policy/"+boundaryName); len(escapes) > 0 {
		t.Fatalf("the golden path's boundary caps nothing: it allows %v\n%s", escapes, doc.JSON())
	}
}

// The boundary lets every role sagesafe makes in the golden path do its
// job: each action an Allow of a role's policy grants (as the resources
// render them) is allowed by the boundary on that statement's resources.
func TestBoundaryPolicy_letsEveryRoleWork(t *testing.T) {
	boundary := boundaryPolicy("aws", testAccount, stackName)
	roles, err := goldenRolePolicies(testAccount)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(roles)) {
		for _, st := range roles[name].Statement {
			if st.Effect != iampolicy.EffectAllow {
				continue // a Deny only takes away
			}
			if len(st.NotAction) > 0 || len(st.NotResource) > 0 {
				t.Errorf("%s: statement %q uses NotAction or NotResource, which this test cannot judge", name, st.Sid)
			}
			for _, action := range st.Action {
				for _, res := range st.Resource {
					if !boundaryAllows(boundary, action, res) {
						t.Errorf("%s needs %s on %s (statement %q); the boundary does not allow it", name, action, res, st.Sid)
					}
				}
			}
		}
	}
}

// iam:PassRole is allowed only of the stack's roles: not of another role
// of the account, nor of the stack's roles in another account.
func TestBoundaryPolicy_passRoleOnlyStackRoles(t *testing.T) {
	boundary := boundaryPolicy("aws", testAccount, stackName)
	for res, want := range map[string]bool{
		"arn:aws:iam::" + testAccount + ":role/golden-path-training": true,
		"arn:aws:iam::" + testAccount + ":role/AdminAccessRole":      false,
		"arn:aws:iam::" + testAccount + ":role/golden-pathology":     false,
		"arn:aws:iam::210987654321:role/golden-path-training":        false,
	} {
		if got := boundaryAllows(boundary, "iam:PassRole", res); got != want {
			t.Errorf("PassRole of %s: allowed %v, want %v", res, got, want)
		}
	}
}

// boundaryAllows: an Allow of d has a pattern matching action and one
// matching resource. A pattern also matches a pattern it covers
// (sagemaker:Describe* covers itself), since "*" in the pattern matches
// "*" in the value. Conditions are ignored: the roles' requests carry
// what they need (PassRole to SageMaker). Matching is path.Match, whose
// "*" stops at "/": a resource pattern covers a resource with more path
// segments only by ending in "*" at that level, which the boundary's
// resources ("*", role/<stack>-*) do.
func boundaryAllows(d iampolicy.Document, action, resource string) bool {
	match := func(patterns []string, v string, fold bool) bool {
		return slices.ContainsFunc(patterns, func(p string) bool {
			if p == "*" {
				return true
			}
			if fold {
				p, v = strings.ToLower(p), strings.ToLower(v)
			}
			ok, _ := path.Match(p, v)
			return ok
		})
	}
	return slices.ContainsFunc(d.Statement, func(st iampolicy.Statement) bool {
		return st.Effect == iampolicy.EffectAllow && match(st.Action, action, true) && match(st.Resource, resource, false)
	})
}

// The simulator (@cloud-copilot/iam-simulate) takes the boundary's
// document (its wildcards and condition) and decides PassRole by it.
func TestJudgeBoundary(t *testing.T) {
	if skip, err := iamsim.Unavailable(); err != nil {
		t.Fatal(err)
	} else if skip != "" {
		t.Skip(skip)
	}
	boundary := boundaryPolicy("aws", testAccount, stackName).JSON()
	training := "arn:aws:iam::" + testAccount + ":role/golden-path-training"
	cases := []iamsim.Case{
		{Name: "PassRole of the training role", Action: "iam:PassRole", Resource: training,
			Context: map[string][]string{"iam:PassedToService": {"sagemaker.amazonaws.com"}}, WantAllowed: true},
		{Name: "a denial of the role's policy is not the boundary's to judge", Action: "sagemaker:CreateTrainingJob",
			Resource: "arn:aws:sagemaker:us-east-1:" + testAccount + ":training-job/x"},
		{Name: "DescribeTrainingJob", Action: "sagemaker:DescribeTrainingJob",
			Resource: "arn:aws:sagemaker:us-east-1:" + testAccount + ":training-job/x", WantAllowed: true},
	}
	outcomes, err := judgeBoundary(context.Background(), "arn:aws:sts::"+testAccount+":assumed-role/ds/p", boundary, cases, "aws", testAccount)
	if err != nil {
		t.Fatal(err)
	}
	if len(outcomes) != 3 {
		t.Fatalf("want the 2 allowed cases and the PassRole probe, got %v", outcomes)
	}
	for _, o := range outcomes {
		if !o.OK {
			t.Error(o)
		}
	}
}
