// Read's steps: read the live schedule and endpoint, flatten them into the
// model, and check them.

package modelmonitor

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// liveSchedule is what a refresh read of the schedule, either engine.
type liveSchedule struct {
	arn string
	// req is the run's request as the schedule holds it: the Scheduler
	// target's input, or the Model Monitor job definition read as one.
	req   *sagemaker.CreateProcessingJobInput
	drift []string // what differs beyond the attributes
	// match compares the live request with the one sagesafe would send.
	match func(want monitorspec.Job, expression string) []string
}

// readSchedule reads the schedule of m's engine into m's attributes.
func (r *monitorResource) readSchedule(ctx context.Context, m *model, diags *diag.Diagnostics) (*liveSchedule, error) {
	if m.Engine.ValueString() == monitorspec.EngineModelMonitor {
		return r.readMonitoringSchedule(ctx, m, diags)
	}
	s, err := r.getSchedule(ctx, m.Name.ValueString())
	if err != nil {
		return nil, err
	}
	ls := &liveSchedule{arn: aws.ToString(s.Arn)}
	m.ScheduleExpression = types.StringValue(aws.ToString(s.ScheduleExpression))
	input := ""
	if t := s.Target; t != nil {
		m.SchedulerRoleARN = types.StringValue(aws.ToString(t.RoleArn))
		input = aws.ToString(t.Input)
		if aws.ToString(t.Arn) != monitorspec.CreateProcessingJobTarget {
			ls.drift = append(ls.drift, "the schedule's target is "+aws.ToString(t.Arn)+", not "+monitorspec.CreateProcessingJobTarget)
		}
	}
	if s.State != schtypes.ScheduleStateEnabled {
		ls.drift = append(ls.drift, "the schedule is "+string(s.State))
	}
	if w := s.FlexibleTimeWindow; w == nil || w.Mode != schtypes.FlexibleTimeWindowModeOff {
		ls.drift = append(ls.drift, "the schedule has a flexible time window")
	}
	ls.drift = append(ls.drift, scheduleTimingDrift(s)...)
	if ls.req, err = monitorspec.ParseTargetInput(input); err != nil {
		ls.req = &sagemaker.CreateProcessingJobInput{}
		ls.drift = append(ls.drift, err.Error())
	}
	r.flattenRequest(ctx, m, ls.req, diags)
	ls.match = func(want monitorspec.Job, _ string) []string {
		in, err := want.TargetInput()
		if err != nil {
			return []string{err.Error()}
		}
		return inputDrift(in, input)
	}
	return ls, nil
}

// refresh reads the monitor into m and checks it (shared.Refresh).
func (r *monitorResource) refresh(ctx context.Context, m *model) (found bool, drift, diags diag.Diagnostics) {
	name := m.Name.ValueString()
	ls, err := r.readSchedule(ctx, m, &diags)
	if errors.Is(err, errNotFound) {
		return false, nil, diags
	}
	if err != nil {
		diags.AddError("Reading model monitor "+name+" failed", err.Error())
		return true, nil, diags
	}
	m.ARN = types.StringValue(ls.arn)
	m.ID = monitorID(m.Engine, m.Name)
	if m.SchedulerRoleManaged.IsNull() || m.SchedulerRoleManaged.IsUnknown() {
		managed, err := r.importedRoleManaged(ctx, *m) // import
		if err != nil {
			diags.AddError("Reading the scheduler role of model monitor "+name+" failed", err.Error())
			return true, nil, diags
		}
		m.SchedulerRoleManaged = types.BoolValue(managed)
	}
	if m.Features.IsNull() || m.Features.IsUnknown() {
		r.importAlarmSettings(ctx, m, &diags) // import
		r.importQualityThreshold(ctx, m)
	}
	dc, err := r.endpointCapture(ctx, m.EndpointName.ValueString())
	switch {
	case errors.Is(err, errNotFound):
		drift.AddAttributeWarning(path.Root("endpoint_name"), "Endpoint "+m.EndpointName.ValueString()+" of model monitor "+name+" does not exist",
			"The monitor's runs have nothing to read; SS-MON-7 fails until the endpoint exists and captures data.")
		dc = nil
	case err != nil:
		diags.AddError("Reading the endpoint of model monitor "+name+" failed", err.Error())
		return true, nil, diags
	}
	capture := monitorspec.Capture(dc)
	dest := capture.DestinationURI.V
	if dest == "" {
		// Capture off: SS-MON-7 says so; the runs' capture input stays
		// what it was, not drift sagesafe could restore.
		dest = liveCaptureDest(ls.req, m.EndpointName.ValueString())
	}
	m.CaptureS3URI = types.StringValue(dest)
	in, d := decode(ctx, *m)
	diags.Append(d...)
	pre, lookupErr := sagemakerjob.Prefetch(ctx, r.data.Posture, monitorspec.LogGroup, in.InstanceType, in.KMSKey)
	lines := append(ls.drift, ls.match(r.job(in, dest, pre.NVMe()), in.Schedule.V)...)
	specs := r.specs(in)
	// From the command's listing of every monitor's alarms; the monitor's
	// own writes Forget theirs, so the read after an apply asks AWS.
	live, err := r.data.Reads.Alarms(ctx, r.data.AWS.CloudWatch, alarms.MonitorAlarmPrefix, sagemakerjob.SpecNames(specs))
	if err != nil {
		diags.AddError("Reading the alarms of model monitor "+name+" failed", err.Error())
		return true, nil, diags
	}
	ok, alarmDrift := sagemakerjob.AlarmDrift(specs, live)
	filterLines, err := r.filterDrift(ctx, in)
	if err != nil {
		diags.AddError("Reading the metric filters of model monitor "+name+" failed", err.Error())
		return true, nil, diags
	}
	lines = append(lines, filterLines...)
	var roles []guardrail.RoleBoundary
	if in.ManagedRole {
		roleLines, boundary, err := r.schedulerRoleDrift(ctx, in, pre.NVMe())
		if err != nil {
			diags.AddError("Reading the scheduler role of model monitor "+name+" failed", err.Error())
			return true, nil, diags
		}
		lines = append(lines, roleLines...)
		if boundary.IsKnown() {
			roles = []guardrail.RoleBoundary{{Role: schedulerRoleName(in.Name.V), Boundary: boundary}}
		}
	}
	m.AlarmNames = tfval.Map(ok)
	s := r.subject(in, pre.NVMe(), capture, sagemakerjob.LiveAlarms(specs, live))
	s.RoleBoundaries = roles
	s.Stage = guardrail.StageLive
	liveForced(s, ls.req)
	ev, err := r.evaluate(ctx, s, sagemakerjob.LiveLogGroup(pre, in.KMSKey))
	recordStates(m, ev, errors.Join(lookupErr, err), &drift)
	if lines == nil {
		lines = []string{}
	}
	m.Drift = tfval.List(lines)
	sagemakerjob.ReportDrift("model monitor "+name, append(alarmDrift, lines...), nil, pathFor, &drift)
	reportDrift(ev.findings, &drift)
	r.checkSchedulerRole(ctx, in, pre.NVMe(), false, &drift)
	return true, drift, diags
}

// recordStates writes the outcome of the live checks into m.
func recordStates(m *model, ev evaluation, lookupErr error, diags *diag.Diagnostics) {
	if lookupErr != nil {
		diags.AddWarning("Checking model monitor "+m.Name.ValueString()+" was incomplete",
			"The controls that need the posture it could not read are not checked (control_states says which): "+lookupErr.Error())
	}
	held := ev.states.Held()
	if held == nil {
		held = []string{}
	}
	m.Controls, m.ControlStates = tfval.List(held), tfval.Map(ev.states.Strings())
}

// importAlarmSettings recovers features, drift_threshold and alarm_actions
// of an imported monitor from its drift alarms.
func (r *monitorResource) importAlarmSettings(ctx context.Context, m *model, diags *diag.Diagnostics) {
	found, err := r.driftAlarms(ctx, m.Name.ValueString())
	if err != nil {
		diags.AddWarning("Reading the alarms of imported model monitor "+m.Name.ValueString()+" failed", err.Error())
	}
	features := make([]string, 0, len(found))
	for _, a := range found {
		features = append(features, a.feature)
		m.DriftThreshold = types.Float64Value(a.threshold)
		if !sagemakerjob.SameSet(a.actions, r.data.AlarmActions) {
			m.AlarmActions = tfval.List(a.actions)
		}
	}
	m.Features = tfval.List(features)
	if m.DriftThreshold.IsUnknown() {
		m.DriftThreshold = types.Float64Null()
	}
}

// liveCaptureDest is the capture destination the live run reads from: its
// endpoint_capture input without the trailing "<endpoint>/".
func liveCaptureDest(req *sagemaker.CreateProcessingJobInput, endpoint string) string {
	for _, in := range req.ProcessingInputs {
		if aws.ToString(in.InputName) == "endpoint_capture" && in.S3Input != nil {
			return strings.TrimSuffix(aws.ToString(in.S3Input.S3Uri), "/"+endpoint+"/")
		}
	}
	return ""
}

// readCreated is refresh for shared.SaveCreated: a monitor just created is
// read back, its drift warnings dropped (the apply has just written every
// setting).
func (r *monitorResource) readCreated(ctx context.Context, m *model) (bool, error) {
	found, _, diags := r.refresh(ctx, m)
	if diags.HasError() {
		var msgs []string
		for _, d := range diags.Errors() {
			msgs = append(msgs, d.Summary()+": "+d.Detail())
		}
		return found, errors.New(strings.Join(msgs, "; "))
	}
	return found, nil
}

// scheduleTimingDrift lists what sagesafe never sets on a schedule and
// that changes when its runs start: a start date (no runs until then), an
// end date (none after it; with ActionAfterCompletion DELETE the schedule
// then deletes itself) and a time zone other than UTC (cron runs at other
// hours). UpdateSchedule replaces the whole schedule, so restoring it
// clears them.
func scheduleTimingDrift(s *scheduler.GetScheduleOutput) []string {
	var out []string
	if s.StartDate != nil {
		out = append(out, "the schedule starts only at "+s.StartDate.UTC().Format(time.RFC3339))
	}
	if s.EndDate != nil {
		out = append(out, "the schedule ends at "+s.EndDate.UTC().Format(time.RFC3339))
	}
	if tz := aws.ToString(s.ScheduleExpressionTimezone); tz != "" && tz != "UTC" {
		out = append(out, "the schedule's time zone is "+tz+", not UTC")
	}
	return out
}
