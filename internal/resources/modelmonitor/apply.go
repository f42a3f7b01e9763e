// Create's and Update's steps: refuse before anything is created, then put
// the schedule and the alarms.

package modelmonitor

import (
	"context"
	"errors"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// prepare re-runs every check with the values known at apply: a finding,
// an endpoint that does not exist or a scheduler role that is too broad
// stops the apply before anything is created or changed. Then it makes the
// runs' shared log group encrypted and retained (SS-ENC-5, SS-MON-3).
func (r *monitorResource) prepare(ctx context.Context, m model, diags *diag.Diagnostics) (inputs, checked, bool) {
	in, d := decode(ctx, m)
	diags.Append(d...)
	if diags.HasError() {
		return in, checked{}, false
	}
	c, ok := r.check(ctx, in, true, diags)
	if !ok {
		return in, c, false
	}
	r.report(c.findings, true, in.Name.V, diags)
	if diags.HasError() {
		return in, c, false
	}
	if in.ManagedRole {
		arn, err := r.ensureSchedulerRole(ctx, in, r.roleTags(in), c.nvme)
		if err != nil {
			diags.AddAttributeError(path.Root("scheduler_role_arn"), "Preparing the scheduler role of model monitor "+in.Name.V+" failed", err.Error())
			return in, c, false
		}
		in.SchedulerRole = facts.Known(arn)
	}
	// A role sagesafe just made is audited like a given one.
	r.auditSchedulerRole(ctx, in, c.nvme, true, diags)
	if diags.HasError() {
		return in, c, false
	}
	if err := r.ensureLogGroup(ctx, in, c); err != nil {
		diags.AddAttributeError(path.Root("kms_key_arn"), "Preparing the runs' log group "+monitorspec.LogGroup+" failed", err.Error())
		return in, c, false
	}
	return in, c, true
}

// putSchedule creates the schedule, or restores it when it exists (update)
// and creates it again when it was deleted, and returns its ARN.
func (r *monitorResource) putSchedule(ctx context.Context, in inputs, c checked, update bool) (string, error) {
	job := r.job(in, c.captureDest.V, c.nvme)
	if in.Engine.V == monitorspec.EngineModelMonitor {
		return r.putMonitoringSchedule(ctx, in, job, update)
	}
	input, err := job.TargetInput()
	if err != nil {
		return "", err
	}
	q := scheduleRequest{name: in.Name.V, expression: in.Schedule.V, schedulerRole: in.SchedulerRole.V, input: input}
	if update {
		live, err := r.getSchedule(ctx, q.name)
		switch {
		case err == nil:
			q.description = derefOr(live.Description)
			return r.updateSchedule(ctx, q)
		case !errors.Is(err, errNotFound):
			return "", err
		}
	}
	token, err := idem.NewToken()
	if err != nil {
		return "", err
	}
	return r.createSchedule(ctx, q, token)
}

func derefOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// putAlarms puts the monitor's alarms and deletes those of prior (alarm
// names in state) the plan no longer has.
func (r *monitorResource) putAlarms(ctx context.Context, in inputs, prior types.Map) error {
	specs := r.specs(in)
	r.data.Reads.ForgetAlarms(sagemakerjob.SpecNames(specs)...) // reads in this command ask AWS again
	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, specs); err != nil {
		return err
	}
	keep := sagemakerjob.SpecNames(specs)
	var stale []string
	for _, v := range prior.Elements() {
		if s, ok := v.(types.String); ok && !slices.Contains(keep, s.ValueString()) {
			stale = append(stale, s.ValueString())
		}
	}
	r.data.Reads.ForgetAlarms(stale...)
	return alarms.Delete(ctx, r.data.AWS.CloudWatch, stale)
}
