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
// pathFor(f) (usually a Paths table's For), or to the resource as a whole
// when pathFor is nil or returns an empty path.
func Diagnostics(findings []Finding, pathFor func(Finding) path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, f := range findings {
		summary, detail := FormatFinding(f)
		var p path.Path
		if pathFor != nil {
			p = pathFor(f)
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

// Paths maps the Subject fields a resource fills to the attributes they came
// from, so each resource states its mapping as data and every resource finds
// a finding's attribute the same way. For looks in this order: ByControl
// (a control whose findings belong to one attribute whatever the field),
// Each (element i of the field has its own path: set elements by value,
// groups that are separate attributes), List (element i is that list
// attribute's index i), Attr (the whole attribute). A field in none of them
// is reported on the resource as a whole.
type Paths struct {
	ByControl map[string]path.Path
	Each      map[Field][]path.Path
	List      map[Field]path.Path
	Attr      map[Field]path.Path
}

// For returns the attribute path of a finding (see Paths).
func (p Paths) For(f Finding) path.Path {
	if at, ok := p.ByControl[f.Control]; ok {
		return at
	}
	if each, ok := p.Each[f.Field]; ok {
		if f.Index >= 0 && f.Index < len(each) {
			return each[f.Index]
		}
	}
	if list, ok := p.List[f.Field]; ok {
		if f.Index >= 0 {
			return list.AtListIndex(f.Index)
		}
		return list
	}
	if at, ok := p.Attr[f.Field]; ok {
		return at
	}
	return path.Empty()
}

// DriftNote is what a refresh says before a finding on a live object: most
// are changes the next apply undoes, but the organisation's permissions
// boundary policy (SS-IAM-5's judgement of role_permissions_boundary_arn)
// is not sagesafe's to restore.
func DriftNote(f Finding) string {
	if f.Control == "SS-IAM-5" && f.Field == FieldRoleBoundary && f.Index < 0 {
		return "The permissions boundary policy is not managed by sagesafe, so no apply restores it: fix its default version in IAM " +
			"(or name another policy in role_permissions_boundary_arn); until then every plan refuses the roles it should cap."
	}
	return "Changed outside Terraform: the next apply restores it."
}
