package guardrail

import (
	"regexp"
	"slices"
	"testing"
)

func TestCatalogIsWellFormed(t *testing.T) {
	idRE := regexp.MustCompile(`^SS-[A-Z]+-[1-9][0-9]*$`)
	kinds := []Kind{KindTrainingJob, KindProcessingJob, KindEndpoint, KindNetwork, KindKMSKey, KindExecutionRole, KindPersonaRole, KindAuditTrail, KindBudget, KindModelMonitor, KindPreflight, KindProvider}
	settings := []string{"", "required_tags", "allowed_instance_types", "max_training_runtime_seconds",
		"min_log_retention_days", "min_endpoint_instances", "max_endpoint_instances", "allowed_image_accounts", "allowed_key_accounts", "require_alarm_actions", "strict_data_buckets",
		"role_permissions_boundary_arn"}
	seen := map[string]bool{}
	for _, c := range Catalog {
		if !idRE.MatchString(c.ID) || seen[c.ID] {
			t.Errorf("bad or duplicate ID %q", c.ID)
		}
		seen[c.ID] = true
		if c.Title == "" || c.Rule == "" || c.Rationale == "" || c.Fix == "" || len(c.References) == 0 {
			t.Errorf("%s: title, rule, rationale, fix and references are all required", c.ID)
		}
		if c.Severity != SeverityError && c.Severity != SeverityWarning {
			t.Errorf("%s: severity %q", c.ID, c.Severity)
		}
		if c.WarningWhen != "" && c.Severity != SeverityError {
			t.Errorf("%s: WarningWhen on a control that only warns", c.ID)
		}
		if !slices.Contains(settings, c.TunableBy) {
			t.Errorf("%s: TunableBy %q is not a guardrails setting", c.ID, c.TunableBy)
		}
		if c.Forced && c.TunableBy != "" {
			t.Errorf("%s: a forced control cannot be tunable", c.ID)
		}
		if len(c.AppliesTo) == 0 {
			t.Errorf("%s: applies to nothing", c.ID)
		}
		for i, k := range c.AppliesTo {
			if !slices.Contains(kinds, k) || slices.Contains(c.AppliesTo[:i], k) {
				t.Errorf("%s: bad or repeated kind %q", c.ID, k)
			}
		}
		if got, ok := Lookup(c.ID); !ok || got.ID != c.ID {
			t.Errorf("Lookup(%s) = %v, %v", c.ID, got.ID, ok)
		}
	}
	if len(Catalog) != 43 {
		t.Errorf("catalog has %d controls, want 43", len(Catalog))
	}
	if _, ok := Lookup("SS-NOPE-1"); ok {
		t.Error("Lookup found an unknown control")
	}
}
