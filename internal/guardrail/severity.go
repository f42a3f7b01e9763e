package guardrail

// AsWarnings returns a copy of findings with every severity lowered to
// warning: for reports (such as sagesafe_preflight without `enforce`) that
// must show findings without failing the run.
func AsWarnings(findings []Finding) []Finding {
	out := make([]Finding, len(findings))
	for i, f := range findings {
		f.Severity = SeverityWarning
		out[i] = f
	}
	return out
}
