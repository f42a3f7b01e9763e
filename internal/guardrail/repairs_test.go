package guardrail

import (
	"strings"
	"testing"
)

func TestRepairs(t *testing.T) {
	findings := []Finding{
		{Control: "SS-KMS-1", Severity: SeverityError, Object: "arn:aws:kms:us-east-1:123456789012:key/k1"},
		{Control: "SS-NET-2", Severity: SeverityError, Object: "subnet-1"},
		{Control: "SS-NET-6", Severity: SeverityWarning, Object: "subnet-2"},
	}
	var none *Repairs
	if got, repaired := none.Apply(findings); got[0].Severity != SeverityError || repaired {
		t.Fatalf("no repairs: %v", got)
	}
	var r Repairs
	r.Add("sagesafe_kms_key", "arn:aws:kms:us-east-1:123456789012:key/k1", "")
	got, repaired := r.Apply(findings)
	if !repaired || got[0].Severity != SeverityWarning || !strings.Contains(got[0].Evidence, "sagesafe_kms_key that manages") {
		t.Fatalf("the key under repair is still an error: %+v", got[0])
	}
	if got[1].Severity != SeverityError {
		t.Fatalf("a subnet nobody repairs was downgraded: %+v", got[1])
	}
	if findings[0].Severity != SeverityError {
		t.Fatal("Apply changed its input")
	}
	if got, repaired := r.Apply([]Finding{{Control: "SS-GOV-1", Severity: SeverityError}}); got[0].Severity != SeverityError || repaired {
		t.Fatal("a finding without an object was downgraded")
	}
}
