package executionrole

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// paths: the only Subject field this resource fills from its own attributes
// is the tags; every other finding is about the object as a whole.
var paths = guardrail.Paths{Attr: map[guardrail.Field]path.Path{
	guardrail.FieldTags:         path.Root("tags"),
	guardrail.FieldRoleBoundary: path.Root("permissions_boundary_arn"),
}}

// subject is the role as the guardrails see it. ref names it (its ARN, or a
// placeholder before it exists); tags are unknown while the plan's are;
// boundary is its permissions boundary, planned or live (SS-IAM-5).
func (r *roleResource) subject(name, ref string, tags facts.Value[map[string]string], boundary types.String) *guardrail.Subject {
	s := r.data.Subject(guardrail.KindExecutionRole, name)
	s.RoleARN, s.Tags = facts.Known(ref), tags
	s.RoleBoundaries = iamrole.Boundaries(name, boundary)
	return s
}

// evaluateRole runs the guardrails on s through evaluate.Run, with the role's
// own fact (posture.AssessRole on the documents the resource rendered or
// just read) answering for s.RoleARN, so the role is not looked up again; f
// is asked for anything else.
func evaluateRole(ctx context.Context, f evaluate.Fetcher, p guardrail.Policy, s *guardrail.Subject, fact facts.RoleFact) ([]guardrail.Finding, error) {
	observed := facts.Facts{Roles: map[string]facts.RoleFact{s.RoleARN.V: fact}}
	return evaluate.Run(ctx, evaluate.Observed(f, observed), p, s)
}

// planGuard evaluates the role as apply will leave it (the generated
// documents, nothing attached) and plans the controls it satisfies.
func (r *roleResource) planGuard(ctx context.Context, plan *resourceModel, docs iampolicy.RoleDocuments, tags facts.Value[map[string]string]) diag.Diagnostics {
	ref := plan.ARN.ValueString()
	if plan.ARN.IsUnknown() || ref == "" {
		ref = "(role to be created)"
	}
	fact := posture.AssessRole(posture.RoleDocuments{
		Ref: ref, ARN: ref, Name: plan.Name.ValueString(),
		TrustPolicy:    docs.Trust.JSON(),
		InlinePolicies: map[string]string{iampolicy.ExecutionRolePolicyName: docs.Policy.JSON()},
	})
	s := r.subject(plan.Name.ValueString(), ref, tags, plan.PermissionsBoundaryARN)
	findings, err := evaluateRole(ctx, r.data.Posture, r.data.Policy, s, fact)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Checking the execution role against the guardrails failed", err.Error())
		return diags
	}
	states := guardrail.States(s, r.data.Policy, findings, nil).Forecast()
	plan.Controls = shared.PlanControls(tags, states.Held)
	plan.ControlStates = shared.PlanControlStates(tags, states.Strings)
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
// (want; nil when they cannot be rendered) and runs the guardrails on it,
// with s as the subject and f for anything but the role itself.
func assessLive(ctx context.Context, live *iamrole.Live, want *iampolicy.RoleDocuments, s *guardrail.Subject, f evaluate.Fetcher, p guardrail.Policy) (assessment, error) {
	var wantDocs *iamrole.Documents
	if want != nil {
		wantDocs = &iamrole.Documents{Keep: iampolicy.ExecutionRolePolicyName, Trust: want.Trust.JSON(), Policy: want.Policy.JSON()}
	}
	dd := iamrole.Compare(live, iampolicy.ExecutionRolePolicyName, wantDocs)
	a := assessment{trustJSON: dd.TrustJSON, policyJSON: dd.PolicyJSON}

	// The same evaluation the plan runs, on the live role.
	fact := posture.AssessRole(posture.RoleDocuments{
		Ref: s.RoleARN.V, ARN: live.ARN, Name: live.Name, TrustPolicy: live.Trust,
		AttachedPolicyARNs: live.Attached, InlinePolicies: live.Inline,
	})
	findings, err := evaluateRole(ctx, f, p, s, fact)
	if err != nil {
		return assessment{}, err
	}
	a.states = guardrail.States(s, p, findings, nil)
	a.reportDrift(live.Name, findings, dd)
	a.controls = a.states.Held()
	return a, nil
}

// reportDrift turns findings and document drift into warnings: one per
// control whose documents changed (with the findings about it as evidence,
// and the control no longer counted as satisfied), and one per other
// finding.
func (a *assessment) reportDrift(role string, findings []guardrail.Finding, dd iamrole.Comparison) {
	evidence := map[string][]string{}
	for _, f := range findings {
		if (f.Control == "SS-IAM-1" && len(dd.Trust) > 0) || (f.Control == "SS-IAM-2" && len(dd.Permissions) > 0) {
			evidence[f.Control] = append(evidence[f.Control], f.Summary+": "+f.Evidence)
			continue
		}
		summary, detail := guardrail.FormatFinding(f)
		a.drift.AddWarning(summary, guardrail.DriftNote(f)+"\n"+detail)
	}
	report := func(control, what string, items []string, fix string) {
		if len(items) == 0 {
			return
		}
		a.states.Mark(control, guardrail.ControlState{State: guardrail.StateWarned}) // changed outside Terraform
		detail := "Outside Terraform, " + strings.Join(items, "; ") + "."
		if ev := evidence[control]; len(ev) > 0 {
			detail += "\nThe guardrail check found: " + strings.Join(ev, " ")
		}
		if c, ok := guardrail.Lookup(control); ok {
			detail += "\n" + c.Rationale
		}
		a.drift.AddWarning(fmt.Sprintf("%s: execution role %s %s", control, role, what), detail+"\n"+fix)
	}
	report("SS-IAM-1", "has a trust policy sagesafe did not generate", dd.Trust,
		"The next apply restores the generated trust policy (sagemaker.amazonaws.com only, with aws:SourceAccount and aws:SourceArn).")
	report("SS-IAM-2", "has permissions sagesafe did not generate", dd.Permissions,
		"The next apply detaches managed policies, deletes added inline policies and restores "+iampolicy.ExecutionRolePolicyName+
			". To grant more, change the role's inputs (s3_read_uris, kms_key_arns, ...).")
}

// planRepair tells the resources planned after this role that this plan
// restores it (guardrail.Repairs), when the refreshed role has managed
// policies attached, other inline policies, or documents or a boundary that
// differ from the plan: the apply writes the planned ones before any
// workload that uses the role is applied.
func (r *roleResource) planRepair(ctx context.Context, state tfsdk.State, plan resourceModel, diags *diag.Diagnostics) {
	if state.Raw.IsNull() {
		return
	}
	var st resourceModel
	diags.Append(state.Get(ctx, &st)...)
	if diags.HasError() {
		return
	}
	same := st.AttachedPolicyARNs.Equal(plan.AttachedPolicyARNs) && st.InlinePolicyNames.Equal(plan.InlinePolicyNames) &&
		st.PermissionsBoundaryARN.Equal(plan.PermissionsBoundaryARN) && iamrole.Equivalent(st.TrustPolicyJSON.ValueString(), plan.TrustPolicyJSON.ValueString()) &&
		iamrole.Equivalent(st.PolicyJSON.ValueString(), plan.PolicyJSON.ValueString())
	if !same {
		r.data.Repairs.Add("sagesafe_execution_role", st.ARN.ValueString(), st.Name.ValueString())
	}
}
