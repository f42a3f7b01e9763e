// ModifyPlan's steps: check the plan against the guardrails with the live
// endpoint's capture, and plan what an apply computes or restores.

package modelmonitor

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// checked is a plan's or an apply's check of the monitor.
type checked struct {
	findings    []guardrail.Finding
	captureDest facts.Value[string]
	nvme        bool
	pre         sagemakerjob.Prefetched
	// logGroup is what becomes of the runs' shared log group.
	logGroup sagemakerjob.LogGroupPlan
	// held are the controls the plan's checks forecast held.
	held []string
}

// check runs the guardrails on in with the live endpoint's capture. An
// endpoint not found is an error at apply (atApply) and, at plan, leaves
// SS-MON-7 to the apply: the endpoint may be created by the same plan.
func (r *monitorResource) check(ctx context.Context, in inputs, atApply bool, diags *diag.Diagnostics) (checked, bool) {
	var c checked
	capture := guardrail.DataCapture{Enabled: facts.Unknown[bool](), InputCaptured: facts.Unknown[bool](),
		DestinationURI: facts.Unknown[string](), KMSKeyARN: facts.Unknown[string](), SamplingPercent: facts.Unknown[int64]()}
	c.captureDest = facts.Unknown[string]()
	if in.Endpoint.IsKnown() {
		dc, err := r.endpointCapture(ctx, in.Endpoint.V)
		switch {
		case errors.Is(err, errNotFound) && !atApply:
			diags.AddAttributeWarning(path.Root("endpoint_name"), "Endpoint "+in.Endpoint.V+" does not exist yet",
				"Its data capture (SS-MON-7) is checked when the monitor is created, before anything is created.")
		case err != nil:
			diags.AddAttributeError(path.Root("endpoint_name"), "Reading the endpoint to monitor failed", err.Error())
			return c, false
		default:
			capture = monitorspec.Capture(dc)
			c.captureDest = capture.DestinationURI
		}
	}
	pre, err := sagemakerjob.Prefetch(ctx, r.data.Posture, monitorspec.LogGroup, in.InstanceType, in.KMSKey)
	if err != nil {
		diags.AddError("Checking the model monitor's dependencies failed",
			"sagesafe could not read the posture of the objects the monitor depends on, so it cannot check it against its guardrails: "+err.Error())
		return c, false
	}
	c.nvme, c.pre = pre.NVMe(), pre
	c.logGroup = sagemakerjob.PlanLogGroup(pre, in.KMSKey, r.data.Policy.MinLogRetentionDays)
	s := r.subject(in, c.nvme, capture, r.plannedAlarms(in))
	if in.ManagedRole {
		// The scheduler role is created or restored by the apply (SS-IAM-5).
		s.RoleBoundaries = []guardrail.RoleBoundary{{Role: schedulerRoleName(in.Name.V), Boundary: facts.Unknown[string]()}}
	} else {
		s.RoleBoundaries = r.givenSchedulerBoundary(ctx, in)
	}
	if atApply {
		s.Stage = guardrail.StageApply
	}
	ev, err := r.evaluate(ctx, s, c.logGroup)
	if err != nil {
		diags.AddError("Checking the model monitor against its guardrails failed", err.Error())
		return c, false
	}
	c.findings = append(ev.findings, runtimeFindings(in)...)
	c.held = ev.states.Forecast().Held()
	return c, true
}

// checkSchedulerRole reads the scheduler role and reports its problems
// (errors when changes, else warnings).
// A role sagesafe makes is not judged here: the apply renders it and audits
// it (auditSchedulerRole), and a refresh lists what changed on it in drift.
func (r *monitorResource) checkSchedulerRole(ctx context.Context, in inputs, localStorage, changes bool, diags *diag.Diagnostics) {
	if in.ManagedRole {
		return
	}
	r.auditSchedulerRole(ctx, in, localStorage, changes, diags)
}

// auditSchedulerRole reads the scheduler role from IAM and reports its
// problems (errors when changes, else warnings).
func (r *monitorResource) auditSchedulerRole(ctx context.Context, in inputs, localStorage, changes bool, diags *diag.Diagnostics) {
	if in.Engine.V == monitorspec.EngineModelMonitor || !in.SchedulerRole.IsKnown() || !in.RoleARN.IsKnown() {
		return
	}
	role, err := r.schedulerRole(ctx, in.SchedulerRole.V)
	if err != nil {
		schedulerRoleDiag([]string{err.Error()}, "", changes, diags)
		return
	}
	want := ""
	if in.Name.IsKnown() && in.KMSKey.IsKnown() && in.InstanceType.IsKnown() && in.SubnetIDs.IsKnown() && in.SecurityGroupIDs.IsKnown() {
		if docs, err := r.schedulerDocs(in, localStorage); err == nil {
			want = docs.Policy
		}
	}
	schedulerRoleDiag(monitorspec.SchedulerRoleProblems(role, in.RoleARN.V, r.data.AWS.AccountID, want), want, changes, diags)
}

// givenSchedulerBoundary is the boundary of a given scheduler_role_arn for
// SS-IAM-5 (the role runs the monitor's jobs, so the guardrails' boundary
// must cap it as it caps the role sagesafe would make; red team, issue 15).
// Read only when the guardrails require a boundary; a role that cannot be
// read is auditSchedulerRole's error, and its boundary stays unknown.
func (r *monitorResource) givenSchedulerBoundary(ctx context.Context, in inputs) []guardrail.RoleBoundary {
	if r.data.Policy.RoleBoundaryARN == "" || in.Engine.V == monitorspec.EngineModelMonitor || in.SchedulerRole.State == facts.StateNull {
		return nil
	}
	b := guardrail.RoleBoundary{Role: "scheduler_role_arn", Boundary: facts.Unknown[string](), Given: true}
	if in.SchedulerRole.IsKnown() {
		b.Role = in.SchedulerRole.V
		if role, err := r.schedulerRole(ctx, in.SchedulerRole.V); err == nil {
			b.Boundary = facts.Known(role.Boundary)
		}
	}
	return []guardrail.RoleBoundary{b}
}

// planComputed plans the computed attributes and reports whether the plan
// changes the monitor: what the apply restores (drift, alarms, a capture
// destination that moved) counts as a change.
func (r *monitorResource) planComputed(plan *model, state *model, in inputs, c checked, configChanged bool) bool {
	plan.Drift = tfval.List([]string{})
	// A capture turned off is not a change the monitor can make: the plan
	// keeps the last destination (and SS-MON-7 fails, as a warning unless
	// something else changes).
	plan.CaptureS3URI = types.StringUnknown()
	switch {
	case c.captureDest.IsKnown() && c.captureDest.V != "":
		plan.CaptureS3URI = types.StringValue(c.captureDest.V)
	case state != nil:
		plan.CaptureS3URI = state.CaptureS3URI
	case c.captureDest.IsKnown():
		plan.CaptureS3URI = types.StringValue("")
	}
	plan.AlarmNames = types.MapUnknown(types.StringType)
	if in.Name.IsKnown() && in.Features.IsKnown() && in.Endpoint.IsKnown() && in.QualityKnown {
		names := map[string]string{}
		for _, sp := range r.specs(in) {
			names[sp.Kind] = sp.Name
		}
		plan.AlarmNames = tfval.Map(names)
	}
	if state == nil {
		plan.Controls, plan.ControlStates = types.ListUnknown(types.StringType), types.MapUnknown(types.StringType)
		return true
	}
	// Controls held now that the state does not say (an object the monitor
	// uses was restored since the last refresh) are a change too: the
	// update's refresh records them.
	changes := configChanged || !plan.Drift.Equal(state.Drift) || !plan.AlarmNames.Equal(state.AlarmNames) ||
		!plan.CaptureS3URI.Equal(state.CaptureS3URI)
	plan.Controls, plan.ControlStates, changes = sagemakerjob.PlannedControls(context.Background(), state.Controls, state.ControlStates, c.held, changes)
	return changes
}
