package guardrail

import (
	"fmt"
	"strings"
)

// kindDocs names, in order, what each Kind stands for on the docs page.
var kindDocs = []struct {
	kind Kind
	what string
}{
	{KindTrainingJob, "sagesafe_training_job"},
	{KindProcessingJob, "sagesafe_processing_job"},
	{KindEndpoint, "sagesafe_endpoint"},
	{KindNetwork, "sagesafe_network"},
	{KindKMSKey, "sagesafe_kms_key"},
	{KindExecutionRole, "sagesafe_execution_role"},
	{KindPersonaRole, "sagesafe_persona_role"},
	{KindAuditTrail, "sagesafe_audit_trail"},
	{KindBudget, "sagesafe_budget"},
	{KindModelMonitor, "sagesafe_model_monitor"},
	{KindPreflight, "the preflight data source (checks only the inputs it is given)"},
	{KindProvider, "the provider configuration"},
}

// RenderMarkdown renders the Guardrails documentation page body: a summary
// table of every control, then one section per control with its rule,
// rationale, fix and references. The output depends only on Catalog.
func RenderMarkdown() string {
	var b strings.Builder
	b.WriteString("# Guardrails\n\n")
	b.WriteString("sagesafe checks every plan, and every refresh, against the controls below. " +
		"An **error** stops the plan; a **warning** is shown and the plan goes on. " +
		"One exception keeps a fix from deadlocking: when a subnet, security group, key or role a workload was given is " +
		"weakened after the workload was created, the refresh drops the control from the workload's `controls` with a warning, " +
		"and a plan that leaves the workload unchanged goes on with that warning (so the change that repairs the object, " +
		"often made by another provider, can be applied), while creating, changing or replacing the workload stays refused " +
		"until the control passes. " +
		"When the weakened object is itself managed by sagesafe in the same configuration (a `sagesafe_kms_key` whose " +
		"rotation was turned off by hand, a `sagesafe_network` whose subnet got a route to the internet), its own plan " +
		"restores it, and the resources that use it only warn, naming the repair: Terraform applies the owner first and " +
		"checks each of them again, against the restored object, before applying it. " +
		"A value that is known only after apply is checked at apply. " +
		"**Forced** controls are always on: sagesafe sets the value and no attribute turns it off. " +
		"Controls with a **Tunable by** setting are adjusted in the provider's `guardrails` block; the others cannot be relaxed.\n\n")
	b.WriteString("**Applies to** lists the objects a control checks:\n\n")
	for _, k := range kindDocs {
		fmt.Fprintf(&b, "- `%s`: %s\n", k.kind, k.what)
	}

	b.WriteString("\n## Summary\n\n")
	b.WriteString("| ID | Title | Severity | Tunable by | Forced | Applies to |\n")
	b.WriteString("|----|-------|----------|------------|--------|------------|\n")
	for _, c := range Catalog {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n",
			c.ID, cell(c.Title), cell(severityText(c)), cell(code(c.TunableBy)), yesNo(c.Forced), cell(kinds(c.AppliesTo)))
	}

	b.WriteString("\n## Controls\n")
	for _, c := range Catalog {
		fmt.Fprintf(&b, "\n### %s: %s\n\n", c.ID, c.Title)
		fmt.Fprintf(&b, "%s\n\n", c.Rule)
		fmt.Fprintf(&b, "- **Severity:** %s\n", severityText(c))
		fmt.Fprintf(&b, "- **Tunable by:** %s\n", code(c.TunableBy))
		fmt.Fprintf(&b, "- **Forced:** %s\n", yesNo(c.Forced))
		fmt.Fprintf(&b, "- **Applies to:** %s\n\n", kinds(c.AppliesTo))
		fmt.Fprintf(&b, "**Why.** %s\n\n", c.Rationale)
		fmt.Fprintf(&b, "**Fix.** %s\n\n", c.Fix)
		b.WriteString("**References:**\n\n")
		for _, r := range c.References {
			fmt.Fprintf(&b, "- %s\n", r)
		}
	}
	return b.String()
}

func severityText(c Control) string {
	if c.WarningWhen == "" {
		return string(c.Severity)
	}
	return fmt.Sprintf("%s (warning when %s)", c.Severity, c.WarningWhen)
}

func kinds(ks []Kind) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = code(string(k))
	}
	return strings.Join(parts, ", ")
}

func code(s string) string {
	if s == "" {
		return "—"
	}
	return "`" + s + "`"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// cell escapes a table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
