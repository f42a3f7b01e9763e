package posture

import (
	"context"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

const (
	readAllPolicy = "arn:aws:iam::123456789012:policy/read-all"
	scopedPolicy  = "arn:aws:iam::123456789012:policy/scoped"
)

// managedWorld has three roles with goodTrust: one with nothing attached,
// two sharing a customer-managed policy that reads every bucket's objects,
// one of them also with a scoped policy and an AWS-managed policy that is
// broad by name.
func managedWorld() *world {
	w := newWorld()
	w.iam.roles = map[string]fakeRole{
		"bare":   {arn: "arn:aws:iam::123456789012:role/bare", trust: goodTrust},
		"reader": {arn: "arn:aws:iam::123456789012:role/reader", trust: goodTrust, attached: []string{readAllPolicy}},
		"mixed": {arn: "arn:aws:iam::123456789012:role/mixed", trust: goodTrust,
			attached: []string{scopedPolicy, readAllPolicy, "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"}},
	}
	w.iam.policies = map[string]fakePolicy{
		readAllPolicy: {defaultVersion: "v2", versions: map[string]string{
			"v1": `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}}`,
			"v2": `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*/*"}}`,
		}},
		scopedPolicy: {defaultVersion: "v1", versions: map[string]string{
			"v1": `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}}`,
		}},
	}
	return w
}

func TestFetchRolesReadsManagedPolicyDocuments(t *testing.T) {
	w := managedWorld()
	f := w.fetcher()
	arns := []string{"arn:aws:iam::123456789012:role/bare", "arn:aws:iam::123456789012:role/reader", "arn:aws:iam::123456789012:role/mixed"}
	found, err := f.Fetch(context.Background(), facts.Request{RoleARNs: arns})
	if err != nil {
		t.Fatal(err)
	}
	if got := found.Roles[arns[0]].BroadPermissions; len(got) != 0 {
		t.Errorf("bare role: BroadPermissions = %q", got)
	}
	assertContainsEach(t, "reader BroadPermissions", found.Roles[arns[1]].BroadPermissions, []string{
		"managed policy " + readAllPolicy + " statement 0 allows s3:GetObject on arn:aws:s3:::*/*",
	})
	assertContainsEach(t, "mixed BroadPermissions", found.Roles[arns[2]].BroadPermissions, []string{
		"managed policy " + readAllPolicy + " statement 0 allows s3:GetObject on arn:aws:s3:::*/*",
		"attached managed policy AmazonSageMakerFullAccess",
	})
	// GetPolicy per attachment not broad by name (reader 1, mixed 2); the
	// shared version's document is read once. The bare role costs nothing
	// more than before.
	if n := w.calls.count("GetPolicy"); n != 3 {
		t.Errorf("GetPolicy calls = %d, want 3", n)
	}
	if n := w.calls.count("GetPolicyVersion"); n != 2 {
		t.Errorf("GetPolicyVersion calls = %d, want 2 (read-all v2 once, scoped v1)", n)
	}

	// After Invalidate the default version is asked again, and a version
	// already read is not read twice; a new default version is.
	f.Invalidate()
	w.calls.reset()
	p := w.iam.policies[readAllPolicy]
	p.defaultVersion = "v1"
	w.iam.policies[readAllPolicy] = p
	found, err = f.Fetch(context.Background(), facts.Request{RoleARNs: arns[1:2]})
	if err != nil {
		t.Fatal(err)
	}
	if got := found.Roles[arns[1]].BroadPermissions; len(got) != 0 {
		t.Errorf("reader with v1: BroadPermissions = %q", got)
	}
	if g, v := w.calls.count("GetPolicy"), w.calls.count("GetPolicyVersion"); g != 1 || v != 1 {
		t.Errorf("after a new default version: GetPolicy %d, GetPolicyVersion %d; want 1, 1", g, v)
	}
}

func TestFetchRolesWithoutAttachedPoliciesMakeNoPolicyCalls(t *testing.T) {
	w := managedWorld()
	if _, err := w.fetcher().Fetch(context.Background(), facts.Request{RoleARNs: []string{"arn:aws:iam::123456789012:role/bare"}}); err != nil {
		t.Fatal(err)
	}
	for op, want := range map[string]int{"GetRole": 1, "ListAttachedRolePolicies": 1, "ListRolePolicies": 1, "GetPolicy": 0, "GetPolicyVersion": 0} {
		if n := w.calls.count(op); n != want {
			t.Errorf("%s calls = %d, want %d", op, n, want)
		}
	}
}

// A policy that cannot be read fails the lookup (the role is left out, so
// its checks are skipped and the error reported); it never makes the role
// look missing or compliant.
func TestFetchRolesFailsOnUnreadableManagedPolicy(t *testing.T) {
	w := managedWorld()
	r := w.iam.roles["reader"]
	r.attached = append(r.attached, "arn:aws:iam::123456789012:policy/gone")
	w.iam.roles["reader"] = r
	found, err := w.fetcher().Fetch(context.Background(), facts.Request{RoleARNs: []string{"arn:aws:iam::123456789012:role/reader"}})
	if err == nil || !strings.Contains(err.Error(), "reading managed policy arn:aws:iam::123456789012:policy/gone") {
		t.Errorf("err = %v", err)
	}
	if _, ok := found.Roles["arn:aws:iam::123456789012:role/reader"]; ok {
		t.Error("the role is in the facts although a policy could not be read")
	}
}

func TestBroadByName(t *testing.T) {
	for arn, want := range map[string]bool{
		"arn:aws:iam::aws:policy/AdministratorAccess":              true,
		"arn:aws-cn:iam::aws:policy/PowerUserAccess":               true,
		"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess":        true,
		"arn:aws:iam::aws:policy/service-role/AWSGlueFullAccess":   true,
		"arn:aws:iam::aws:policy/ReadOnlyAccess":                   false,
		"arn:aws:iam::123456789012:policy/AdministratorAccess":     false, // judged by its document
		"arn:aws:iam::aws:policy/AmazonSageMakerFullAccessPartial": false,
		"not-an-arn": false,
	} {
		if got := BroadByName(arn); got != want {
			t.Errorf("BroadByName(%s) = %v, want %v", arn, got, want)
		}
	}
}
