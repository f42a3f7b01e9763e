package guardrail

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

func TestCompliantSubjectsHaveNoFindings(t *testing.T) {
	for name, base := range map[string]func() *Subject{
		"training job":    training,
		"endpoint":        endpoint,
		"network":         network,
		"kms key":         kmsKey,
		"execution role":  executionRole,
		"provider":        providerSubject,
		"empty preflight": preflight,
	} {
		if got := Evaluate(base(), testPolicy()); len(got) != 0 {
			t.Errorf("%s: unexpected findings %+v", name, got)
		}
	}
}

func TestEvaluateRunsOnlyApplicableControls(t *testing.T) {
	s := providerSubject()
	s.Image = facts.Known("pytorch/pytorch:2.3") // SS-SUP-1 does not apply to the provider
	s.NetworkIsolation = facts.Known(false)      // nor does SS-NET-4
	s.SubnetIDs = facts.Known([]string{})        // nor SS-NET-1
	s.Endpoints[0].URL = "http://example.com"
	got := Evaluate(s, testPolicy())
	if len(got) != 1 || got[0].Control != "SS-TLS-1" {
		t.Fatalf("got %+v, want one SS-TLS-1 finding", got)
	}
}

// failingTraining breaks several controls of a training job at once.
func failingTraining() *Subject {
	s := training()
	s.Image = facts.Known("pytorch/pytorch:2.3")
	s.OutputKMSKeyARN = facts.Null[string]()
	for _, id := range []string{"subnet-a", "subnet-b"} {
		f := s.Facts.Subnets[id]
		f.Private = false
		f.Routes = append(f.Routes, facts.Route{Destination: "0.0.0.0/0", Target: "igw-1"})
		f.Reasons = []string{"route table rtb-1 sends 0.0.0.0/0 to internet gateway igw-1"}
		s.Facts.Subnets[id] = f
	}
	s.Facts.SecurityGroups["sg-1"] = facts.SecurityGroupFact{ID: "sg-1", Found: true, UnrestrictedEgress: true, PublicEgress: []facts.EgressRule{{Rule: "all traffic to 0.0.0.0/0"}}}
	s.Facts.Buckets["churn-data"] = facts.BucketFact{Name: "churn-data", Found: true, DefaultSSEKMS: true, OwnerChecked: true, OwnedByCaller: true}
	s.Alarms.V[0].Actions = facts.Known([]string{})
	// SS-TLS-2 reports the bad URI (index 1) before the bucket (index 0).
	s.S3 = []S3Location{{URI: facts.Known("s3://churn-data/train/"), Role: "input"}, {URI: facts.Known("http://churn-data/extra/"), Index: 1, Role: "input"}}
	return s
}

func TestEvaluateSortsByControlThenIndex(t *testing.T) {
	var got []string
	for _, f := range Evaluate(failingTraining(), testPolicy()) {
		got = append(got, fmt.Sprintf("%s[%d] %s", f.Control, f.Index, f.Severity))
	}
	want := []string{
		"SS-ENC-1[-1] error",
		"SS-MON-2[0] warning",
		"SS-NET-2[0] error",
		"SS-NET-2[1] error",
		"SS-NET-3[0] warning",
		"SS-SUP-1[-1] error",
		"SS-TLS-2[0] warning",
		"SS-TLS-2[1] error",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Evaluate order:\n got %q\nwant %q", got, want)
	}
}

func TestCompareIDs(t *testing.T) {
	ids := []string{"SS-NET-10", "SS-TLS-1", "SS-NET-2", "SS-AVL-1", "SS-NET-1", "SS-DATA-1"}
	slices.SortFunc(ids, compareIDs)
	want := []string{"SS-AVL-1", "SS-DATA-1", "SS-NET-1", "SS-NET-2", "SS-NET-10", "SS-TLS-1"}
	if !slices.Equal(ids, want) {
		t.Errorf("sorted %q, want %q", ids, want)
	}
}

func TestSatisfied(t *testing.T) {
	s, p := failingTraining(), testPolicy()
	got := Satisfied(s, p, Evaluate(s, p))
	// Every training-job control except the four with errors and the two
	// with warnings (SS-MON-2, SS-NET-3): a warned control is not held.
	want := []string{
		"SS-DATA-1", "SS-DATA-2", "SS-ENC-2", "SS-ENC-3", "SS-ENC-5", "SS-GOV-1", "SS-GOV-2", "SS-GOV-3",
		"SS-IAM-1", "SS-IAM-2", "SS-KMS-1", "SS-KMS-2", "SS-MON-1", "SS-MON-3",
		"SS-NET-1", "SS-NET-4", "SS-NET-6",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Satisfied:\n got %q\nwant %q", got, want)
	}
	if got := Satisfied(providerSubject(), p, nil); !slices.Equal(got, []string{"SS-TLS-1"}) {
		t.Errorf("Satisfied(provider) = %q, want [SS-TLS-1]", got)
	}
}

func TestStates(t *testing.T) {
	p := testPolicy()
	s := failingTraining()
	states := States(s, p, Evaluate(s, p), nil)
	for id, want := range map[string]string{
		"SS-NET-2":  "failed",
		"SS-MON-2":  "warned", // a warning alone: not held
		"SS-NET-3":  "warned",
		"SS-NET-1":  "held",
		"SS-ENC-4":  "", // does not apply to training jobs
		"SS-DATA-1": "held",
	} {
		got, ok := states[id]
		if want == "" {
			if ok {
				t.Errorf("%s applies to training jobs: %v", id, got)
			}
			continue
		}
		if got.String() != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}

	// A skipped check is not checked, with its reason; a plan forecasts it
	// held when only apply can tell.
	s = training()
	s.Image = facts.Unknown[string]()
	s.Facts.Buckets = nil // not looked up
	states = States(s, p, Evaluate(s, p), nil)
	if got := states["SS-SUP-1"].String(); got != "not_checked: image is known only after apply" {
		t.Errorf("SS-SUP-1 = %q", got)
	}
	if got := states["SS-DATA-1"].String(); !strings.HasPrefix(got, "not_checked: bucket churn-data was not looked up") {
		t.Errorf("SS-DATA-1 = %q", got)
	}
	if slices.Contains(states.Held(), "SS-SUP-1") || slices.Contains(states.Held(), "SS-DATA-1") {
		t.Errorf("held lists a control that was not checked: %v", states.Held())
	}
	forecast := states.Forecast()
	if forecast["SS-SUP-1"].State != StateHeld || forecast["SS-DATA-1"].State != StateNotChecked {
		t.Errorf("forecast: SS-SUP-1 %v, SS-DATA-1 %v", forecast["SS-SUP-1"], forecast["SS-DATA-1"])
	}

	// A failed lookup: every control whose facts are missing says so; the
	// controls decided by the subject alone are still checked.
	s = training()
	s.Facts = facts.Facts{}
	states = States(s, p, Evaluate(s, p), fmt.Errorf("DescribeSubnets: throttled"))
	for _, id := range []string{"SS-NET-2", "SS-NET-3", "SS-KMS-1", "SS-IAM-1", "SS-DATA-1", "SS-TLS-2"} {
		if got := states[id].String(); got != "not_checked: lookup failed: DescribeSubnets: throttled" {
			t.Errorf("%s = %q", id, got)
		}
	}
	if got := states["SS-NET-4"].String(); got != "held" {
		t.Errorf("SS-NET-4 (subject alone) = %q", got)
	}
	if got := states.Strings()["SS-NET-2"]; !strings.HasPrefix(got, "not_checked: lookup failed") {
		t.Errorf("Strings: %q", got)
	}

	// A resource's own knowledge makes a state worse, never better.
	states.Mark("SS-NET-4", ControlState{State: StateWarned})
	states.Mark("SS-NET-4", ControlState{State: StateHeld})
	if states["SS-NET-4"].State != StateWarned {
		t.Errorf("Mark: %v", states["SS-NET-4"])
	}
}

// TestStatesNothingToCheck: a control whose check had nothing to check
// (here: guardrails that require no tags and allow every instance type) is
// not checked, with the reason, and a plan does not forecast it held; with
// something to check it is held or failed.
func TestStatesNothingToCheck(t *testing.T) {
	s := training()
	for _, tc := range []struct {
		name       string
		policy     func(*Policy)
		gov1, gov2 string
	}{
		{"guardrails require nothing", func(p *Policy) { p.RequiredTags, p.AllowedInstanceTypes = nil, nil },
			"not_checked: nothing to check: the guardrails require no tags (required_tags is empty)",
			"not_checked: nothing to check: the guardrails allow every instance type (allowed_instance_types is empty)"},
		{"requirements met", func(*Policy) {}, "held", "held"},
		{"requirements not met", func(p *Policy) { p.RequiredTags, p.AllowedInstanceTypes = []string{"owner"}, []string{"ml.c5.*"} },
			"failed", "failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPolicy()
			tc.policy(&p)
			states := States(s, p, Evaluate(s, p), nil)
			for id, want := range map[string]string{"SS-GOV-1": tc.gov1, "SS-GOV-2": tc.gov2} {
				if got := states[id].String(); got != want {
					t.Errorf("%s = %q, want %q", id, got, want)
				}
				if got := states.Forecast()[id].String(); got != want {
					t.Errorf("forecast %s = %q, want %q", id, got, want)
				}
			}
		})
	}
}

func TestHasErrors(t *testing.T) {
	warn := Finding{Control: "SS-NET-6", Severity: SeverityWarning}
	for _, tc := range []struct {
		findings []Finding
		want     bool
	}{
		{nil, false},
		{[]Finding{warn}, false},
		{[]Finding{warn, {Control: "SS-NET-2", Severity: SeverityError}}, true},
		{[]Finding{{Control: "SS-NET-2"}}, true}, // no severity fails closed
	} {
		if got := HasErrors(tc.findings); got != tc.want {
			t.Errorf("HasErrors(%+v) = %v, want %v", tc.findings, got, tc.want)
		}
	}
}

func TestAsWarnings(t *testing.T) {
	findings := Evaluate(failingTraining(), testPolicy())
	warned := AsWarnings(findings)
	if HasErrors(warned) || len(warned) != len(findings) {
		t.Errorf("AsWarnings left errors or changed the count: %+v", warned)
	}
	if !HasErrors(findings) {
		t.Error("AsWarnings modified its input")
	}
	if warned[0].Control != findings[0].Control || warned[0].Evidence != findings[0].Evidence {
		t.Errorf("AsWarnings changed more than the severity: %+v", warned[0])
	}
}

func TestForPlan(t *testing.T) {
	findings := []Finding{
		{Control: "SS-NET-2", Severity: SeverityError, Evidence: "Its route table sends 0.0.0.0/0 to igw-1."},
		{Control: "SS-NET-6", Severity: SeverityWarning, Evidence: "No S3 gateway route."},
		{Control: "SS-KMS-2"}, // no severity fails closed
	}
	if got := ForPlan(findings, true, "endpoint churn"); !HasErrors(got) || len(got) != 3 || got[0].Evidence != findings[0].Evidence {
		t.Errorf("ForPlan(changes) changed the findings: %+v", got)
	}
	got := ForPlan(findings, false, "endpoint churn")
	if HasErrors(got) || len(got) != 3 {
		t.Fatalf("ForPlan(no change) left errors or changed the count: %+v", got)
	}
	if !HasErrors(findings) {
		t.Error("ForPlan modified its input")
	}
	for _, i := range []int{0, 2} {
		if !strings.Contains(got[i].Evidence, "leaves endpoint churn unchanged") || !strings.Contains(got[i].Evidence, "refused until the control passes") {
			t.Errorf("finding %d does not say why it is a warning: %q", i, got[i].Evidence)
		}
	}
	if !strings.HasPrefix(got[0].Evidence, findings[0].Evidence) || got[1] != findings[1] {
		t.Errorf("ForPlan changed more than the errors' severity and note: %+v", got)
	}
}
