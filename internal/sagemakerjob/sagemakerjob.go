// Package sagemakerjob holds what sagesafe's SageMaker job resources
// (sagesafe_training_job, sagesafe_processing_job) share: the facts a job's
// subject depends on, the account's shared log group of the job type (what
// it will be after an apply, what it is now, and making it so), and the
// guardrail evaluation of a job together with that log group.
package sagemakerjob

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// Prefetched are the facts the subject's own shape depends on: whether the
// instance type has NVMe storage (no volume key) and GPUs (an idle alarm),
// the workload key's ARN (for the log group), and the shared log group with
// the key it has now.
type Prefetched struct {
	InstanceType        facts.InstanceTypeFact
	InstanceTypeFetched bool
	Key                 facts.KeyFact
	KeyFetched          bool
	LogGroup            facts.LogGroupFact
	LogGroupFetched     bool
	GroupKey            facts.KeyFact
	GroupKeyFetched     bool
}

// Prefetch reads those facts (logGroup: the job type's shared log group)
// through the provider's cached fetcher. The facts it could read are
// returned along with any error.
func Prefetch(ctx context.Context, f evaluate.Fetcher, logGroup string, instanceType, key facts.Value[string]) (Prefetched, error) {
	var p Prefetched
	req := facts.Request{LogGroups: []string{logGroup}}
	if instanceType.IsKnown() && instanceType.V != "" {
		req.InstanceTypes = []string{instanceType.V}
	}
	if key.IsKnown() && key.V != "" {
		req.KeyRefs = []string{key.V}
	}
	found, err := f.Fetch(ctx, req)
	if len(req.InstanceTypes) > 0 {
		p.InstanceType, p.InstanceTypeFetched = found.InstanceTypes[instanceType.V]
	}
	if len(req.KeyRefs) > 0 {
		p.Key, p.KeyFetched = found.Keys[key.V]
	}
	p.LogGroup, p.LogGroupFetched = found.LogGroups[logGroup]
	gk := p.LogGroup.KMSKeyARN
	isWorkloadKey := gk == key.V || (p.KeyFetched && gk == p.Key.ARN)
	if p.LogGroupFetched && p.LogGroup.Found && gk != "" && !isWorkloadKey {
		more, err2 := f.Fetch(ctx, facts.Request{KeyRefs: []string{gk}})
		p.GroupKey, p.GroupKeyFetched = more.Keys[gk]
		err = errors.Join(err, err2)
	}
	return p, err
}

// NVMe reports whether the instance type has local NVMe storage (so no
// volume key may be sent); false when unknown.
func (p Prefetched) NVMe() bool {
	return p.InstanceTypeFetched && p.InstanceType.InstanceStorageSupported
}

// GPUs is the number of GPUs of the instance type, known=false when it
// could not be looked up.
func (p Prefetched) GPUs() (n int, known bool) {
	return p.InstanceType.GPUs, p.InstanceTypeFetched
}

// sharedControls are the controls a log group with its own key is held to.
var sharedControls = []string{"SS-ENC-5", "SS-KMS-1", "SS-KMS-2", "SS-MON-3"}

// Evaluation is the outcome of the guardrail checks of a job.
type Evaluation struct {
	Findings []guardrail.Finding
	States   guardrail.ControlStates
	Controls []string // the held ones
}

// RunChecks evaluates s with the shared log group logGroup as lp says:
// inside the job's subject when it uses the job's key, else as a subject of
// its own (of the job's kind) whose key must be an enabled, rotating
// customer-managed key.
func RunChecks(ctx context.Context, f evaluate.Fetcher, policy guardrail.Policy, s *guardrail.Subject, logGroup string, lp LogGroupPlan) (Evaluation, error) {
	lg := guardrail.LogGroup{Name: logGroup, KMSKeyARN: lp.Key, RetentionDays: lp.Retention}
	if lp.OwnKey {
		s.LogGroups = []guardrail.LogGroup{lg}
	} else {
		s.LogGroups = nil
	}
	// A failed lookup still evaluates what could be read: the controls whose
	// facts are missing are not checked (guardrail.States with the error),
	// never held. Callers that must refuse return on the error.
	findings, err := evaluate.Run(ctx, f, policy, s)
	ev := Evaluation{Findings: findings, States: guardrail.States(s, policy, findings, err)}
	ev.Controls = ev.States.Held()
	if lp.OwnKey {
		return ev, err
	}
	shared := &guardrail.Subject{Kind: s.Kind, Name: s.Name, Region: s.Region, AccountID: s.AccountID,
		Partition: s.Partition, KMSKeyARN: lp.Key, LogGroups: []guardrail.LogGroup{lg}}
	more, sharedErr := evaluate.Run(ctx, f, policy, shared)
	if sharedErr != nil {
		for _, id := range sharedControls {
			ev.States.Mark(id, guardrail.ControlState{State: guardrail.StateNotChecked,
				Reason: "lookup failed: the shared log group " + logGroup + " or its key: " + sharedErr.Error()})
		}
	}
	for _, fd := range more {
		if !slices.Contains(sharedControls, fd.Control) {
			continue
		}
		fd.Field, fd.Index = guardrail.FieldLogGroups, 0
		fd.Evidence = "The shared log group " + logGroup + " is encrypted with " + lp.Key.V +
			", not with this job's key; sagesafe leaves another team's key in place, but it must be an enabled, rotating customer-managed key. " + fd.Evidence
		ev.Findings = append(ev.Findings, fd)
		st := guardrail.StateFailed
		if fd.Severity == guardrail.SeverityWarning {
			st = guardrail.StateWarned
		}
		ev.States.Mark(fd.Control, guardrail.ControlState{State: st})
	}
	ev.Controls = ev.States.Held()
	return ev, errors.Join(err, sharedErr)
}

// LiveAlarms are the alarms of specs as the guardrails see them: whether
// each exists as specified, and its actions, in the live alarms. An alarm
// of the name that was changed (another metric, threshold or missing-data
// treatment: one that may never fire) does not count as existing; the
// drift names it and the next apply restores it.
func LiveAlarms(specs []alarms.Spec, live map[string]cwtypes.MetricAlarm) facts.Value[[]guardrail.Alarm] {
	list := make([]guardrail.Alarm, 0, len(specs))
	for _, sp := range specs {
		a := guardrail.Alarm{Name: sp.Name, Kind: sp.Kind}
		if la, ok := live[sp.Name]; ok {
			if unlike := unlikeSpec(sp, la); unlike != nil {
				a.Unlike = strings.Join(unlike, "; ")
			} else {
				a.Exists, a.ActionsEnabled, a.Actions = true, aws.ToBool(la.ActionsEnabled), facts.Known(la.AlarmActions)
			}
		}
		list = append(list, a)
	}
	return facts.Known(list)
}

// unlikeSpec lists how the live alarm differs from what sp says (metric,
// threshold, periods, missing data...), nil when it watches as specified.
// Its actions are left to SS-MON-2, which judges them separately.
func unlikeSpec(sp alarms.Spec, live cwtypes.MetricAlarm) []string {
	live.ActionsEnabled, live.AlarmActions = aws.Bool(true), sp.Actions
	return alarms.Diff(sp, live)
}

// ReportDrift warns about what a check of the live job (what: "training job
// <name>") found: drifted alarms, and failed controls (as warnings: the job
// exists, and the next apply restores or replaces it). Failed SS-MON-1
// findings are the alarm drift already reported.
func ReportDrift(what string, drift []string, findings []guardrail.Finding, pathFor func(guardrail.Finding) path.Path, diags *diag.Diagnostics) {
	if len(drift) > 0 {
		diags.AddAttributeWarning(path.Root("alarm_names"), "SS-MON-1: the alarms of "+what+" changed outside Terraform",
			strings.Join(drift, "\n")+"\nThe next apply restores them in place.")
	}
	var drifted []guardrail.Finding
	for _, f := range findings {
		if f.Severity != guardrail.SeverityWarning && f.Control != "SS-MON-1" {
			drifted = append(drifted, f)
		}
	}
	diags.Append(guardrail.Diagnostics(guardrail.AsWarnings(drifted), pathFor)...)
}
