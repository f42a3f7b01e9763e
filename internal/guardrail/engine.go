package guardrail

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Evaluate runs every control that applies to s.Kind and returns the
// findings sorted by control ID (SS-NET-2 before SS-NET-10), then index.
func Evaluate(s *Subject, p Policy) []Finding {
	var out []Finding
	for _, c := range Catalog {
		if check := checks[c.ID]; check != nil && c.Applies(s.Kind) {
			out = append(out, check(s, p)...)
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(compareIDs(a.Control, b.Control), cmp.Compare(a.Index, b.Index))
	})
	return out
}

// HasErrors reports whether any finding is an error.
func HasErrors(findings []Finding) bool {
	return slices.ContainsFunc(findings, isError)
}

// Satisfied returns the IDs of the controls that apply to s.Kind and have no
// error finding among findings, sorted like Evaluate's findings.
func Satisfied(s *Subject, _ Policy, findings []Finding) []string {
	failed := map[string]bool{}
	for _, f := range findings {
		if isError(f) {
			failed[f.Control] = true
		}
	}
	var ids []string
	for _, c := range Catalog {
		if c.Applies(s.Kind) && !failed[c.ID] {
			ids = append(ids, c.ID)
		}
	}
	slices.SortFunc(ids, compareIDs)
	return ids
}

// isError treats any severity but warning as an error, so a finding with no
// severity fails closed.
func isError(f Finding) bool { return f.Severity != SeverityWarning }

// compareIDs orders control IDs by prefix, then by their numeric suffix.
func compareIDs(a, b string) int {
	pa, na := splitID(a)
	pb, nb := splitID(b)
	return cmp.Or(strings.Compare(pa, pb), cmp.Compare(na, nb), strings.Compare(a, b))
}

func splitID(id string) (string, int) {
	i := strings.LastIndexByte(id, '-')
	if i < 0 {
		return id, 0
	}
	n, err := strconv.Atoi(id[i+1:])
	if err != nil {
		return id, 0
	}
	return id[:i], n
}

// ForPlan returns the findings a plan reports for workload (its kind and
// name, "endpoint churn"). A plan that creates, changes or replaces the
// workload gets them as they are: an error refuses it. A plan that leaves the
// workload unchanged gets every error as a warning that says so. Such an
// error comes from outside the workload: a live object sagesafe does not own
// (a subnet, security group, key or role it was given) weakened since, or a
// provider policy tightened since. Refusing that plan would also refuse the
// change that repairs the object, made by another resource (of another
// provider, often) in the same plan.
func ForPlan(findings []Finding, changes bool, workload string) []Finding {
	if changes {
		return findings
	}
	out := make([]Finding, len(findings))
	for i, f := range findings {
		if isError(f) {
			f.Severity = SeverityWarning
			f.Evidence = strings.TrimSpace(f.Evidence + " This plan leaves " + workload +
				" unchanged, so sagesafe warns instead of refusing it (the change that repairs this may be in the same plan); " +
				"creating, changing or replacing " + workload + " is refused until the control passes.")
		}
		out[i] = f
	}
	return out
}
