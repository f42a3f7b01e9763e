// The guardrail wiring: the subject of a plan or of the live schedule,
// evaluate.Run, and where findings land.

package modelmonitor

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// Subject fields of the monitor's S3 locations.
const (
	fieldConstraints guardrail.Field = "baseline_constraints_uri"
	fieldStatistics  guardrail.Field = "baseline_statistics_uri"
	fieldOutput      guardrail.Field = "output_s3_uri"
)

// evaluation is the outcome of the checks of a plan or of the live monitor.
type evaluation struct {
	findings []guardrail.Finding
	states   guardrail.ControlStates
}

// subject builds the monitor's subject from in (planned, or read from the
// live schedule) with the forced settings as sagesafe sends them; callers
// of the live schedule overwrite those with what they read.
func (r *monitorResource) subject(in inputs, nvme bool, capture guardrail.DataCapture, alarmList facts.Value[[]guardrail.Alarm]) *guardrail.Subject {
	s := r.data.Subject(guardrail.KindModelMonitor, in.Name.V)
	s.SubnetIDs, s.SecurityGroupIDs = in.SubnetIDs, in.SecurityGroupIDs
	s.KMSKeyARN, s.OutputKMSKeyARN, s.VolumeKMSKeyARN = in.KMSKey, in.KMSKey, in.KMSKey
	if nvme {
		s.VolumeKMSKeyARN = facts.Null[string]()
	}
	s.RoleARN, s.Image = in.RoleARN, in.Image
	s.InstanceType, s.InstanceCount = in.InstanceType, in.InstanceCount
	s.NetworkIsolation, s.InterContainerEncryption = facts.Known(true), facts.Known(true)
	s.MaxRuntimeSeconds = in.MaxRuntimeSeconds
	s.Tags = sagemakerjob.MergedTags(r.data, in.Tags)
	s.S3 = []guardrail.S3Location{
		{URI: in.Constraints, Index: 0, Field: fieldConstraints, Role: "input"},
		{URI: in.Statistics, Index: 0, Field: fieldStatistics, Role: "input"},
		{URI: in.Output, Index: 0, Field: fieldOutput, Role: "output"},
	}
	switch {
	case !in.QualityKnown:
		s.S3 = append(s.S3, guardrail.S3Location{URI: facts.Unknown[string](), Index: 0, Field: fieldGroundTruth, Role: "input"})
	case in.Quality != nil:
		s.S3 = append(s.S3, guardrail.S3Location{URI: facts.Known(in.Quality.GroundTruthURI), Index: 0, Field: fieldGroundTruth, Role: "input"})
	}
	s.DataCapture = capture
	// The runs read the endpoint's captures: the capture bucket is one of
	// the monitor's inputs, judged like the baseline's (TLS-only, this
	// account's, existing). Capture off or not to s3:// is SS-MON-7's.
	if dest := capture.DestinationURI; dest.State == facts.StateUnknown || dest.IsKnown() && strings.HasPrefix(dest.V, "s3://") {
		s.S3 = append(s.S3, guardrail.S3Location{URI: dest, Index: 0, Field: guardrail.FieldDataCapture, Role: "data_capture"})
	}
	s.Alarms = alarmList
	return s
}

// plannedAlarms are the alarms of in as Put will make them.
func (r *monitorResource) plannedAlarms(in inputs) facts.Value[[]guardrail.Alarm] {
	if !in.Name.IsKnown() || !in.Features.IsKnown() || !in.Endpoint.IsKnown() || !in.QualityKnown {
		return facts.Unknown[[]guardrail.Alarm]()
	}
	actions := sagemakerjob.EffectiveActions(in.Actions, r.data)
	var list []guardrail.Alarm
	for _, sp := range r.specs(in) {
		list = append(list, guardrail.Alarm{Name: sp.Name, Kind: sp.Kind, Exists: true, ActionsEnabled: true, Actions: actions})
	}
	return facts.Known(list)
}

// specs are the alarms of in, their period the schedule's (an hour while
// the schedule is unknown: only the names and actions matter then).
func (r *monitorResource) specs(in inputs) []alarms.Spec {
	interval, _ := monitorspec.Interval(in.Schedule.V)
	return alarms.MonitorSpecs(alarms.MonitorInput{
		Monitor: in.Name.V, Endpoint: in.Endpoint.V, Features: in.Features.V, DriftThreshold: in.DriftThreshold,
		IntervalSeconds: max(interval, monitorspec.MinIntervalSeconds), Actions: sagemakerjob.EffectiveActions(in.Actions, r.data).V,
		Tags: sagemakerjob.MergedTags(r.data, in.Tags).V, Quality: qualityAlarm(in.Quality),
	})
}

// evaluate runs the guardrails on s with the runs' shared log group as lp
// plans or finds it (SS-ENC-5, SS-MON-3). A failed lookup still evaluates
// what could be read; the controls it needed are not checked.
func (r *monitorResource) evaluate(ctx context.Context, s *guardrail.Subject, lp sagemakerjob.LogGroupPlan) (evaluation, error) {
	ev, err := sagemakerjob.RunChecks(ctx, r.data.Posture, r.data.Policy, s, monitorspec.LogGroup, lp)
	return evaluation{findings: ev.Findings, states: ev.States}, err
}

// runtimeFindings are the monitor's own rule on runtime: a run may not
// outlast its period (they would pile up), reported under SS-GOV-3.
func runtimeFindings(in inputs) []guardrail.Finding {
	interval, err := monitorspec.Interval(in.Schedule.V)
	if err != nil || !in.MaxRuntimeSeconds.IsKnown() || !in.Schedule.IsKnown() || in.MaxRuntimeSeconds.V <= int64(interval) {
		return nil
	}
	return []guardrail.Finding{{Control: "SS-GOV-3", Severity: guardrail.SeverityError, Field: guardrail.FieldMaxRuntime, Index: -1,
		Summary:  "monitoring runs may outlast their schedule period",
		Evidence: "max_runtime_seconds is longer than the period of schedule_expression, so runs could overlap and pile up.",
	}}
}

// report adds the findings of a plan or apply: errors refuse a plan that
// creates or changes the monitor, and only warn otherwise.
func (r *monitorResource) report(findings []guardrail.Finding, changes bool, name string, diags *diag.Diagnostics) {
	findings, _ = r.data.Repairs.Apply(findings)
	diags.Append(guardrail.Diagnostics(guardrail.ForPlan(findings, changes, "model monitor "+name), pathFor)...)
}

// reportDrift warns about what a refresh of the live monitor found.
func reportDrift(findings []guardrail.Finding, diags *diag.Diagnostics) {
	var out []guardrail.Finding
	for _, f := range findings {
		if f.Severity != guardrail.SeverityWarning && f.Control != "SS-MON-1" {
			out = append(out, f)
		}
	}
	diags.Append(guardrail.Diagnostics(guardrail.AsWarnings(out), pathFor)...)
}

// schedulerRoleFindings is the scheduler role's check, reported like a
// finding of SS-IAM-2 (broad permissions) on scheduler_role_arn.
func schedulerRoleDiag(problems []string, want string, changes bool, diags *diag.Diagnostics) {
	if len(problems) == 0 {
		return
	}
	summary := "The scheduler role is not scoped to starting the monitor's runs"
	detail := strings.Join(problems, "\n") + "\nsagesafe_model_monitor needs a role trusted only by scheduler.amazonaws.com (with aws:SourceAccount) " +
		"that may only sagemaker:CreateProcessingJob, sagemaker:AddTags and iam:PassRole of role_arn. Leave scheduler_role_arn out and sagesafe makes it."
	if want != "" {
		detail += "\nThe one inline policy it must hold:\n" + want
	}
	if changes {
		diags.AddAttributeError(path.Root("scheduler_role_arn"), summary, detail)
		return
	}
	diags.AddAttributeWarning(path.Root("scheduler_role_arn"), summary, detail)
}

var paths = guardrail.Paths{Attr: map[guardrail.Field]path.Path{
	guardrail.FieldKMSKey:           path.Root("kms_key_arn"),
	guardrail.FieldOutputKMSKey:     path.Root("kms_key_arn"),
	guardrail.FieldVolumeKMSKey:     path.Root("kms_key_arn"),
	guardrail.FieldRoleARN:          path.Root("role_arn"),
	guardrail.FieldRoleBoundary:     path.Root("scheduler_role_arn"),
	guardrail.FieldInstanceType:     path.Root("instance_type"),
	guardrail.FieldInstanceCount:    path.Root("instance_count"),
	guardrail.FieldImage:            path.Root("image"),
	guardrail.FieldMaxRuntime:       path.Root("max_runtime_seconds"),
	guardrail.FieldTags:             path.Root("tags"),
	guardrail.FieldAlarms:           path.Root("alarm_names"),
	guardrail.FieldDataCapture:      path.Root("endpoint_name"),
	guardrail.FieldLogGroups:        path.Root("kms_key_arn"),
	guardrail.FieldSubnetIDs:        path.Root("vpc").AtName("subnet_ids"),
	guardrail.FieldSecurityGroupIDs: path.Root("vpc").AtName("security_group_ids"),
	fieldConstraints:                path.Root(string(fieldConstraints)),
	fieldStatistics:                 path.Root(string(fieldStatistics)),
	fieldOutput:                     path.Root(string(fieldOutput)),
	fieldGroundTruth:                path.Root("model_quality").AtName("ground_truth_s3_uri"),
}}

func pathFor(f guardrail.Finding) path.Path { return paths.For(f) }
