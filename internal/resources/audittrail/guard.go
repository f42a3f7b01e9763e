package audittrail

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// paths: the inputs the audit controls check at plan; findings about the
// live trail belong to the resource as a whole.
var paths = guardrail.Paths{Attr: map[guardrail.Field]path.Path{
	guardrail.FieldKMSKey:        path.Root("kms_key_arn"),
	guardrail.FieldRetentionDays: path.Root("retention_days"),
}}

// subject is the trail as the guardrails see it: its inputs from m, the
// alarm actions, and live (Unknown at plan: the apply creates or restores
// the trail).
func (r *trailResource) subject(ctx context.Context, m *model, live facts.Value[facts.TrailFact], diags *diag.Diagnostics) *guardrail.Subject {
	s := r.data.Subject(guardrail.KindAuditTrail, m.Name.ValueString())
	s.Audit = guardrail.AuditTrail{
		KMSKeyARN:     tfval.String(m.KMSKeyARN),
		RetentionDays: tfval.Int64(m.RetentionDays),
		AlarmActions:  r.alarmActions(ctx, m, diags),
		Live:          live,
	}
	return s
}

// alarmActions are what the trail's alarms notify: alarm_actions, else the
// provider's; Unknown while alarm_actions refers to topics the same apply
// creates (SS-AUD-5 then checks them at apply, before anything is created).
func (r *trailResource) alarmActions(ctx context.Context, m *model, diags *diag.Diagnostics) facts.Value[[]string] {
	return shared.EffectiveActions(tfval.Strings(ctx, m.AlarmActions, diags), r.data.ProviderAlarmActions())
}

// planGuard refuses insecure inputs (a key of another account, too short a
// retention, alarms that would notify nobody) before anything is created,
// and plans the controls the apply will hold.
func (r *trailResource) planGuard(ctx context.Context, plan *model, tags facts.Value[map[string]string]) diag.Diagnostics {
	s, findings, diags := r.checkInputs(ctx, plan)
	if diags.HasError() {
		return diags
	}
	states := guardrail.States(s, r.data.Policy, findings, nil).Forecast()
	plan.Controls = shared.PlanControls(tags, states.Held)
	plan.ControlStates = shared.PlanControlStates(tags, states.Strings)
	return guardrail.Diagnostics(findings, paths.For)
}

// applyGuard checks the inputs again at apply, when every value is known
// (a key made in the same plan was unknown at plan), and refuses before
// anything is created or changed.
func (r *trailResource) applyGuard(ctx context.Context, plan *model) diag.Diagnostics {
	_, findings, diags := r.checkInputs(ctx, plan)
	if diags.HasError() {
		return diags
	}
	return guardrail.Diagnostics(findings, paths.For)
}

// checkInputs evaluates the trail's inputs, the live trail not yet known.
func (r *trailResource) checkInputs(ctx context.Context, m *model) (*guardrail.Subject, []guardrail.Finding, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := r.subject(ctx, m, facts.Unknown[facts.TrailFact](), &diags)
	// The delivery role is created or restored by the apply (SS-IAM-5).
	s.RoleBoundaries = []guardrail.RoleBoundary{{Role: roleName(m.Name.ValueString()), Boundary: facts.Unknown[string]()}}
	findings, err := evaluate.Run(ctx, r.data.Posture, r.data.Policy, s)
	if err != nil {
		diags.AddError("Checking the audit trail against the guardrails failed", err.Error())
	}
	return s, findings, diags
}

// assessment is what a refresh concludes about a live trail.
type assessment struct {
	fact   facts.TrailFact
	states guardrail.ControlStates
	drift  diag.Diagnostics // one warning per control weakened outside Terraform
}

// assess runs the guardrails on the observed trail (fact, from
// posture.AssessTrail): the same checks the
// preflight runs on an existing trail, plus what only sagesafe's own trail
// can be held to (its bucket policy is the generated one, its alarms are
// as sagesafe set them).
func (r *trailResource) assess(ctx context.Context, m *model, o observed, fact facts.TrailFact) (assessment, error) {
	a := assessment{fact: fact}
	var diags diag.Diagnostics
	s := r.subject(ctx, m, facts.Known(a.fact), &diags)
	if diags.HasError() {
		return a, errors.New(diags.Errors()[0].Detail())
	}
	if o.role != nil {
		s.RoleBoundaries = []guardrail.RoleBoundary{{Role: roleName(m.Name.ValueString()), Boundary: facts.Known(roleBoundary(o.role))}}
	}
	findings, err := evaluate.Run(ctx, r.data.Posture, r.data.Policy, s)
	if err != nil {
		return a, err
	}
	a.states = guardrail.States(s, r.data.Policy, findings, nil)
	for _, f := range findings {
		summary, detail := guardrail.FormatFinding(f)
		a.drift.AddWarning(summary, guardrail.DriftNote(f)+"\n"+detail)
	}
	c := r.clients()
	if want, err := iampolicy.TrailBucketPolicy(c.partition, c.region, c.account, a.fact.Bucket, m.Name.ValueString()); err == nil &&
		o.BucketPolicy != "" && !equivalent(o.BucketPolicy, want.JSON()) {
		a.states.Mark("SS-AUD-3", guardrail.ControlState{State: guardrail.StateWarned})
		a.drift.AddWarning("SS-AUD-3: the policy of bucket "+a.fact.Bucket+" was changed outside Terraform",
			"It is not the policy sagesafe generated (CloudTrail only for this trail, TLS only); the next apply restores it.")
	}
	for _, n := range slices.Sorted(maps.Keys(o.alarms)) {
		if d := o.alarms[n].diff; len(d) > 0 {
			a.states.Mark("SS-AUD-5", guardrail.ControlState{State: guardrail.StateWarned})
			a.drift.AddWarning("SS-AUD-5: alarm "+n+" was changed outside Terraform",
				fmt.Sprintf("%v; the next apply restores it.", d))
		}
	}
	return a, nil
}

func equivalent(a, b string) bool {
	ok, err := iampolicy.Equivalent(a, b)
	return err == nil && ok
}
