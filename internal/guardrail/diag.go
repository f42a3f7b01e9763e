package guardrail

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// FormatFinding renders a finding as a diagnostic: the summary is the control
// ID and what is wrong ("SS-NET-2: subnet subnet-0abc is not private"); the
// detail is the evidence, then the control's rationale, then "Fix: ..." and
// "(References: ...)", one per line.
func FormatFinding(f Finding) (summary, detail string) {
	summary = f.Control + ": " + f.Summary
	var lines []string
	if f.Evidence != "" {
		lines = append(lines, f.Evidence)
	}
	if c, ok := Lookup(f.Control); ok {
		lines = append(lines, c.Rationale, "Fix: "+c.Fix)
		if len(c.References) > 0 {
			lines = append(lines, "(References: "+strings.Join(c.References, ", ")+")")
		}
	}
	return summary, strings.Join(lines, "\n")
}

// Diagnostics turns findings into diagnostics: errors (and findings without a
// severity) become errors, warnings become warnings. Each is attached to
// pathFor(f.Field, f.Index), or to the resource as a whole when pathFor is
// nil or returns an empty path.
func Diagnostics(findings []Finding, pathFor func(Field, int) path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, f := range findings {
		summary, detail := FormatFinding(f)
		var p path.Path
		if pathFor != nil {
			p = pathFor(f.Field, f.Index)
		}
		attr := len(p.Steps()) > 0
		switch {
		case !isError(f) && attr:
			diags.AddAttributeWarning(p, summary, detail)
		case !isError(f):
			diags.AddWarning(summary, detail)
		case attr:
			diags.AddAttributeError(p, summary, detail)
		default:
			diags.AddError(summary, detail)
		}
	}
	return diags
}
