package personarole

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// paths: SS-IAM-3 findings are about the permissions, SS-IAM-4 about the
// trust; neither is one input, so they point at the computed documents.
var paths = guardrail.Paths{Attr: map[guardrail.Field]path.Path{
	guardrail.FieldPersonaPolicy: path.Root("policy_json"),
	guardrail.FieldPersonaTrust:  path.Root("trust_policy_json"),
	guardrail.FieldTags:          path.Root("tags"),
	guardrail.FieldRoleBoundary:  path.Root("permissions_boundary_arn"),
}}

// evaluate runs the guardrails on a persona role's documents, tags
// (SS-GOV-1; unknown while the plan's are) and permissions boundary
// (SS-IAM-5; planned or live).
// The fetch reads only the guardrails' boundary policy (SS-IAM-5 judges it);
// a failed read leaves that control not checked (lookupErr).
func (r *roleResource) evaluate(ctx context.Context, name string, docs guardrail.PersonaRoleDocuments, tags facts.Value[map[string]string],
	boundary types.String) (s *guardrail.Subject, findings []guardrail.Finding, lookupErr error) {
	s = r.data.Subject(guardrail.KindPersonaRole, name)
	s.PersonaRole, s.Tags = facts.Known(docs), tags
	s.RoleBoundaries = iamrole.Boundaries(name, boundary)
	findings, lookupErr = evaluate.Run(ctx, r.data.Posture, r.data.Policy, s)
	return s, findings, lookupErr
}

// planGuard evaluates the role as apply will leave it (the generated
// documents, nothing attached) and plans the controls it satisfies.
func (r *roleResource) planGuard(ctx context.Context, plan *resourceModel, docs iamrole.Documents, tags facts.Value[map[string]string]) diag.Diagnostics {
	s, findings, err := r.evaluate(ctx, plan.Name.ValueString(), guardrail.PersonaRoleDocuments{
		Trust: docs.Trust, Inline: map[string]string{docs.Keep: docs.Policy},
	}, tags, plan.PermissionsBoundaryARN)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Checking the persona role against its guardrails failed",
			"sagesafe could not read the permissions boundary the guardrails name (SS-IAM-5): "+err.Error())
		return diags
	}
	states := guardrail.States(s, r.data.Policy, findings, nil).Forecast()
	plan.Controls = shared.PlanControls(tags, states.Held)
	plan.ControlStates = shared.PlanControlStates(tags, states.Strings)
	return guardrail.Diagnostics(findings, paths.For)
}

// assessLive compares a live role with the documents sagesafe generates
// (want; nil when they cannot be rendered), runs the guardrails on the live
// documents and sets the documents, controls and states in m. The drift
// is one warning per control weakened outside Terraform (the trust:
// SS-IAM-4; the permissions: SS-IAM-3), and one per other finding.
func (r *roleResource) assessLive(ctx context.Context, live *iamrole.Live, want *iamrole.Documents, m *resourceModel) (drift diag.Diagnostics) {
	c := iamrole.Compare(live, policyName, want)
	byControl := map[string][]string{"SS-IAM-4": c.Trust, "SS-IAM-3": c.Permissions}
	tags := maps.Clone(live.Tags)
	delete(tags, idem.TokenTag)
	s, findings, lookupErr := r.evaluate(ctx, live.Name, guardrail.PersonaRoleDocuments{Trust: live.Trust, Inline: live.Inline, Attached: live.Attached}, facts.Known(tags), types.StringValue(live.Boundary))
	states := guardrail.States(s, r.data.Policy, findings, lookupErr)
	evidence := map[string][]string{}
	for _, f := range findings {
		if len(byControl[f.Control]) > 0 {
			evidence[f.Control] = append(evidence[f.Control], f.Evidence)
			continue
		}
		summary, detail := guardrail.FormatFinding(f)
		drift.AddWarning(summary, guardrail.DriftNote(f)+"\n"+detail)
	}
	for _, control := range []string{"SS-IAM-3", "SS-IAM-4"} {
		if len(byControl[control]) == 0 {
			continue
		}
		states.Mark(control, guardrail.ControlState{State: guardrail.StateWarned}) // changed outside Terraform
		detail := "Outside Terraform, " + strings.Join(byControl[control], "; ") + "."
		if ev := evidence[control]; len(ev) > 0 {
			detail += "\nThe guardrail check found: " + strings.Join(ev, " ")
		}
		drift.AddWarning(fmt.Sprintf("%s: persona role %s was changed outside Terraform", control, live.Name),
			detail+"\nThe next apply restores the generated trust and "+policyName+" policy, detaches managed policies and "+
				"deletes added inline policies. To grant more, change the role's inputs (extra_activities, s3_read_uris, ...).")
	}
	m.TrustPolicyJSON, m.PolicyJSON = types.StringValue(c.TrustJSON), types.StringValue(c.PolicyJSON)
	m.Controls = tfval.List(states.Held())
	m.ControlStates = tfval.Map(states.Strings())
	return drift
}
