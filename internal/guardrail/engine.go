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
