package personarole

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// paths: SS-IAM-3 findings are about the permissions, SS-IAM-4 about the
// trust; neither is one input, so they point at the computed documents.
var paths = guardrail.Paths{Attr: map[guardrail.Field]path.Path{
	guardrail.FieldPersonaPolicy: path.Root("policy_json"),
	guardrail.FieldPersonaTrust:  path.Root("trust_policy_json"),
}}

// subject is the role as the guardrails see it: its documents.
func (r *roleResource) subject(name string, docs guardrail.PersonaRoleDocuments) *guardrail.Subject {
	s := r.data.Subject(guardrail.KindPersonaRole, name)
	s.PersonaRole = facts.Known(docs)
	return s
}

// planGuard evaluates the role as apply will leave it (the generated
// documents, nothing attached) and plans the controls it satisfies.
func (r *roleResource) planGuard(plan *resourceModel, docs documents) diag.Diagnostics {
	s := r.subject(plan.Name.ValueString(), guardrail.PersonaRoleDocuments{
		Trust: docs.trust.JSON(), Inline: map[string]string{policyName: docs.policy.JSON()},
	})
	findings := guardrail.Evaluate(s, r.data.Policy)
	states := guardrail.States(s, r.data.Policy, findings, nil).Forecast()
	plan.Controls = tfval.List(states.Held())
	plan.ControlStates = tfval.Map(states.Strings())
	return guardrail.Diagnostics(findings, paths.For)
}

// assessment is what a refresh concludes about a live role.
type assessment struct {
	trustJSON, policyJSON string // for state: the generated text when equivalent, else the live text
	controls              []string
	states                guardrail.ControlStates
	drift                 diag.Diagnostics // one warning per control weakened outside Terraform
}

// assessLive compares a live role with the documents sagesafe generates
// (want; nil when they cannot be rendered) and runs the guardrails on the
// live documents.
func assessLive(live *iamrole.Live, want *documents, s *guardrail.Subject, p guardrail.Policy) assessment {
	a, byControl := compareDocuments(live, want)
	s.PersonaRole = facts.Known(guardrail.PersonaRoleDocuments{Trust: live.Trust, Inline: live.Inline, Attached: live.Attached})
	findings := guardrail.Evaluate(s, p)
	a.states = guardrail.States(s, p, findings, nil)
	evidence := map[string][]string{}
	for _, f := range findings {
		if len(byControl[f.Control]) > 0 {
			evidence[f.Control] = append(evidence[f.Control], f.Evidence)
			continue
		}
		summary, detail := guardrail.FormatFinding(f)
		a.drift.AddWarning(summary, "Changed outside Terraform: the next apply restores it.\n"+detail)
	}
	for _, control := range slices.Sorted(maps.Keys(byControl)) {
		a.states.Mark(control, guardrail.ControlState{State: guardrail.StateWarned}) // changed outside Terraform
		detail := "Outside Terraform, " + strings.Join(byControl[control], "; ") + "."
		if ev := evidence[control]; len(ev) > 0 {
			detail += "\nThe guardrail check found: " + strings.Join(ev, " ")
		}
		a.drift.AddWarning(fmt.Sprintf("%s: persona role %s was changed outside Terraform", control, live.Name),
			detail+"\nThe next apply restores the generated trust and "+policyName+" policy, detaches managed policies and "+
				"deletes added inline policies. To grant more, change the role's inputs (extra_activities, s3_read_uris, ...).")
	}
	a.controls = a.states.Held()
	return a
}

// compareDocuments sets the documents for state (the generated text when
// the live one is equivalent, else the live text) and lists what differs,
// by the control it weakens.
func compareDocuments(live *iamrole.Live, want *documents) (assessment, map[string][]string) {
	a := assessment{trustJSON: iamrole.Decode(live.Trust)}
	byControl := map[string][]string{}
	doc, hasPolicy := live.Inline[policyName]
	if hasPolicy {
		a.policyJSON = iamrole.Decode(doc)
	} else {
		byControl["SS-IAM-3"] = append(byControl["SS-IAM-3"], "its inline policy "+policyName+" was deleted")
	}
	if want != nil {
		if iamrole.Equivalent(live.Trust, want.trust.JSON()) {
			a.trustJSON = want.trust.JSON()
		} else {
			byControl["SS-IAM-4"] = append(byControl["SS-IAM-4"], "its trust policy was changed (trust_policy_json shows the difference)")
		}
		switch {
		case !hasPolicy:
		case iamrole.Equivalent(doc, want.policy.JSON()):
			a.policyJSON = want.policy.JSON()
		default:
			byControl["SS-IAM-3"] = append(byControl["SS-IAM-3"], "its inline policy "+policyName+" was edited (policy_json shows the difference)")
		}
	}
	for _, arn := range live.Attached {
		byControl["SS-IAM-3"] = append(byControl["SS-IAM-3"], "managed policy "+arn+" was attached")
	}
	for _, n := range slices.Sorted(maps.Keys(live.Inline)) {
		if n != policyName {
			byControl["SS-IAM-3"] = append(byControl["SS-IAM-3"], "inline policy "+n+" was added")
		}
	}
	return a, byControl
}
