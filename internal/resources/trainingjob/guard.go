// The guardrail wiring: the facts a subject's shape depends on, the subject
// of a plan or of the live job, evaluate.Run, and where findings land.

package trainingjob

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// Subject fields of this resource's S3 locations, so that findings land on
// the attribute that caused them.
const (
	fieldInputs     guardrail.Field = "input_channels"
	fieldOutput     guardrail.Field = "output_s3_uri"
	fieldCheckpoint guardrail.Field = "checkpoint_s3_uri"
)

func controlsValue(ctx context.Context, ids []string, diags *diag.Diagnostics) types.List {
	if ids == nil {
		ids = []string{}
	}
	l, d := types.ListValueFrom(ctx, types.StringType, ids)
	diags.Append(d...)
	return l
}

// controlStatesValue is the `control_states` of an evaluation.
func controlStatesValue(states guardrail.ControlStates) types.Map {
	return tfval.Map(states.Strings())
}

// inspection is what a check of the live job found.
type inspection struct {
	ev evaluation
	// checked: ev is the outcome of the checks. With an error from inspect,
	// the controls whose posture could not be read are not checked in it.
	checked bool
	ok      map[string]string // alarm_names: the alarms that exist as specified
	drift   []string
}

func (i inspection) alarmNames(ctx context.Context, diags *diag.Diagnostics) types.Map {
	m, d := types.MapValueFrom(ctx, types.StringType, i.ok)
	diags.Append(d...)
	return m
}

// inspect checks the live job: its alarms against the specs of m's alarm
// settings, and its guardrails (network, key, role, buckets, log group,
// alarms, tags) with the posture of what it depends on. When a posture
// lookup fails, the checks still run on what could be read and the
// inspection comes back checked, with the error; when the job's tags or
// alarms cannot be read, nothing is checked. shared are the command's shared
// reads (a refresh), nil right after this resource's own writes; liveTags
// are the job's tags when the caller has just listed them (a refresh), nil
// to list them here.
func (r *trainingJobResource) inspect(ctx context.Context, m model, job *sagemaker.DescribeTrainingJobOutput, shared *providerdata.Reads, liveTags map[string]string) (inspection, error) {
	in, diags := decode(ctx, m)
	if diags.HasError() {
		return inspection{}, fmt.Errorf("decoding the state: %v", diags)
	}
	name := aws.ToString(job.TrainingJobName)
	if liveTags == nil {
		var err error
		if liveTags, err = r.jobs().ListTags(ctx, aws.ToString(job.TrainingJobArn)); err != nil {
			return inspection{}, err
		}
	}
	it, key := facts.Null[string](), facts.Null[string]()
	count := 1
	if rc := job.ResourceConfig; rc != nil {
		it = facts.Known(string(rc.InstanceType))
		count = int(aws.ToInt32(rc.InstanceCount))
	}
	if o := job.OutputDataConfig; o != nil && aws.ToString(o.KmsKeyId) != "" {
		key = facts.Known(aws.ToString(o.KmsKeyId))
	}
	pre, lookupErr := prefetch(ctx, r.data.Posture, it, key)
	gpus, _ := pre.GPUs()
	in.Name, in.InstanceCount = facts.Known(name), facts.Known(int64(count))
	specs := alarms.TrainingSpecs(alarmInput(name, in, gpus, r.data, nil))
	live, err := shared.Alarms(ctx, r.data.AWS.CloudWatch, alarms.TrainingAlarmPrefix, specNames(specs))
	if err != nil {
		return inspection{}, err
	}
	ins := inspection{checked: true}
	ins.ok, ins.drift = alarmDrift(specs, live)
	s := liveSubject(job, liveTags, specs, live, r.data)
	ins.ev, err = runChecks(ctx, r.data.Posture, r.data.Policy, s, liveLogGroup(pre, s.KMSKeyARN))
	return ins, errors.Join(lookupErr, err)
}

// recordInspection writes what a check of the live job found into m: its
// alarm names, controls and control states. A control is never left held
// from an earlier check: one whose posture could not be read is
// not_checked with the reason, and when the job could not be checked at
// all, every control is (its alarm names are then left as they were). It
// returns false when the check was incomplete (a warning says why).
func recordInspection(ctx context.Context, m *model, ins inspection, err error, what string, diags *diag.Diagnostics) bool {
	if !ins.checked {
		diags.AddWarning(what+" failed", err.Error()+"\nNo control is checked (control_states says why); the next refresh checks them again.")
		reason := "the check of the live job failed: " + err.Error()
		states := guardrail.ControlStates{}
		for _, c := range guardrail.Catalog {
			if c.Applies(guardrail.KindTrainingJob) {
				states[c.ID] = guardrail.ControlState{State: guardrail.StateNotChecked, Reason: reason}
			}
		}
		m.Controls = controlsValue(ctx, nil, diags)
		m.ControlStates = controlStatesValue(states)
		return false
	}
	if err != nil {
		diags.AddWarning(what+" was incomplete",
			"The controls that need the posture it could not read are not checked (control_states says which): "+err.Error())
	}
	m.AlarmNames = ins.alarmNames(ctx, diags)
	m.Controls = controlsValue(ctx, ins.ev.Controls, diags)
	m.ControlStates = controlStatesValue(ins.ev.States)
	return err == nil
}

// checkPlanned runs the guardrails on a planned job (stage: at plan, or
// at apply just before the create): it decides what becomes
// of the shared log group and evaluates the plan's subject with it.
func (r *trainingJobResource) checkPlanned(ctx context.Context, in inputs, pre prefetched, stage guardrail.Stage) (logGroupPlan, evaluation, error) {
	lp := planLogGroup(pre, in.KMSKey, r.data.Policy.MinLogRetentionDays)
	s := planSubject(in, pre, r.data)
	s.Stage = stage
	ev, err := runChecks(ctx, r.data.Posture, r.data.Policy, s, lp)
	// A plan forecasts what the apply leaves; the job's own controls come
	// from checks of the live job (launch and every refresh).
	ev.States = ev.States.Forecast()
	ev.Controls = ev.States.Held()
	return lp, ev, err
}

// reportDrift warns about what a check of the live job found: drifted
// alarms, and failed controls (as warnings: the job exists, and the next
// apply restores or replaces it). Failed SS-MON-1 findings are the alarm
// drift already reported.
func reportDrift(ins inspection, name string, vpcSet bool, diags *diag.Diagnostics) {
	sagemakerjob.ReportDrift("training job "+name, ins.drift, ins.ev.Findings, pathFor(vpcSet), diags)
}

// reportPlanned adds the findings of a plan to diags. An error finding
// refuses a plan that creates or replaces the job or updates it in place
// (changes). A plan that leaves the job unchanged only warns: its error
// findings are about live objects sagesafe does not own (the subnets,
// groups, key, role or buckets it was given; what it owns is planned back to
// the secure state, which is a change), the failing controls are already
// missing from the refreshed `controls`, and the fix, such as a companion
// provider removing an internet route, may be in this very plan.
func reportPlanned(ev evaluation, repairs *guardrail.Repairs, changes bool, name string, vpcSet bool, diags *diag.Diagnostics) {
	findings, _ := repairs.Apply(ev.Findings) // the job's controls come from the live job, not the plan
	diags.Append(guardrail.Diagnostics(guardrail.ForPlan(findings, changes, "training job "+name), pathFor(vpcSet))...)
}

// baseSubject is the part of a subject that does not depend on values.
func baseSubject(name string, data *providerdata.Data) *guardrail.Subject {
	return data.Subject(guardrail.KindTrainingJob, name)
}

// planSubject builds the subject of a plan: the forced settings as sagesafe
// sends them, the alarms as they will be put.
func planSubject(in inputs, p prefetched, data *providerdata.Data) *guardrail.Subject {
	s := baseSubject(in.Name.V, data)
	s.SubnetIDs = in.SubnetIDs
	s.SecurityGroupIDs = in.SecurityGroupIDs
	s.KMSKeyARN = in.KMSKey
	s.RoleARN = in.RoleARN
	s.InstanceType = in.InstanceType
	s.InstanceCount = in.InstanceCount
	s.Image = in.Image
	s.S3 = planLocations(in)
	s.NetworkIsolation = facts.Known(true)
	s.InterContainerEncryption = facts.Known(true)
	s.OutputKMSKeyARN = in.KMSKey
	s.VolumeKMSKeyARN = in.KMSKey
	if p.NVMe() {
		s.VolumeKMSKeyARN = facts.Null[string]()
	}
	s.MaxRuntimeSeconds = in.MaxRuntimeSeconds
	s.Tags = mergedTags(data, in.Tags)

	actions := in.Alarms.effectiveActions(data)
	gpus, _ := p.GPUs()
	n := int(in.InstanceCount.V)
	if !in.InstanceCount.IsKnown() {
		n = 1
	}
	var list []guardrail.Alarm
	for i := 1; i <= max(n, 1); i++ {
		for _, kind := range alarms.TrainingKinds(gpus) {
			job := "(job name known after apply)"
			if in.Name.IsKnown() {
				job = in.Name.V
			}
			name := alarms.TrainingAlarmName(job, i, kind)
			list = append(list, guardrail.Alarm{Name: name, Kind: alarms.TrainingKey(i, kind), Exists: true, ActionsEnabled: true, Actions: actions})
		}
	}
	s.Alarms = facts.Known(list)
	return s
}

func planLocations(in inputs) []guardrail.S3Location {
	var out []guardrail.S3Location
	for i, c := range in.Channels {
		out = append(out, guardrail.S3Location{URI: c.S3URI, Index: i, Field: fieldInputs, Role: "input"})
	}
	out = append(out, guardrail.S3Location{URI: in.Output, Index: -1, Field: fieldOutput, Role: "output"})
	if in.Checkpoint.State != facts.StateNull {
		out = append(out, guardrail.S3Location{URI: in.Checkpoint, Index: -1, Field: fieldCheckpoint, Role: "checkpoint"})
	}
	return out
}

// liveSubject builds the subject of the live job and its alarms.
func liveSubject(job *sagemaker.DescribeTrainingJobOutput, liveTags map[string]string, specs []alarms.Spec, live map[string]cwtypes.MetricAlarm, data *providerdata.Data) *guardrail.Subject {
	s := baseSubject(aws.ToString(job.TrainingJobName), data)
	s.Stage = guardrail.StageLive
	if v := job.VpcConfig; v != nil {
		s.SubnetIDs, s.SecurityGroupIDs = facts.Known(v.Subnets), facts.Known(v.SecurityGroupIds)
	} else {
		s.SubnetIDs, s.SecurityGroupIDs = facts.Null[[]string](), facts.Null[[]string]()
	}
	s.KMSKeyARN, s.OutputKMSKeyARN = facts.Null[string](), facts.Null[string]()
	if o := job.OutputDataConfig; o != nil && aws.ToString(o.KmsKeyId) != "" {
		s.KMSKeyARN, s.OutputKMSKeyARN = facts.Known(aws.ToString(o.KmsKeyId)), facts.Known(aws.ToString(o.KmsKeyId))
	}
	s.VolumeKMSKeyARN = facts.Null[string]()
	if rc := job.ResourceConfig; rc != nil {
		s.InstanceType = facts.Known(string(rc.InstanceType))
		s.InstanceCount = facts.Known(int64(aws.ToInt32(rc.InstanceCount)))
		if k := aws.ToString(rc.VolumeKmsKeyId); k != "" {
			s.VolumeKMSKeyARN = facts.Known(k)
		}
	}
	s.RoleARN = facts.Known(aws.ToString(job.RoleArn))
	if as := job.AlgorithmSpecification; as != nil && as.TrainingImage != nil {
		s.Image = facts.Known(aws.ToString(as.TrainingImage))
	} else {
		s.Image = facts.Null[string]()
	}
	for i, c := range job.InputDataConfig {
		uri := facts.Null[string]()
		if c.DataSource != nil && c.DataSource.S3DataSource != nil {
			uri = facts.Known(aws.ToString(c.DataSource.S3DataSource.S3Uri))
		}
		s.S3 = append(s.S3, guardrail.S3Location{URI: uri, Index: i, Field: fieldInputs, Role: "input"})
	}
	if o := job.OutputDataConfig; o != nil {
		s.S3 = append(s.S3, guardrail.S3Location{URI: facts.Known(aws.ToString(o.S3OutputPath)), Index: -1, Field: fieldOutput, Role: "output"})
	}
	if c := job.CheckpointConfig; c != nil && c.S3Uri != nil {
		s.S3 = append(s.S3, guardrail.S3Location{URI: facts.Known(aws.ToString(c.S3Uri)), Index: -1, Field: fieldCheckpoint, Role: "checkpoint"})
	}
	s.NetworkIsolation = facts.Known(aws.ToBool(job.EnableNetworkIsolation))
	s.InterContainerEncryption = facts.Known(aws.ToBool(job.EnableInterContainerTrafficEncryption))
	s.MaxRuntimeSeconds = facts.Null[int64]()
	if sc := job.StoppingCondition; sc != nil && sc.MaxRuntimeInSeconds != nil {
		s.MaxRuntimeSeconds = facts.Known(int64(aws.ToInt32(sc.MaxRuntimeInSeconds)))
	}
	s.Tags = facts.Known(maps.Clone(liveTags))
	s.Alarms = sagemakerjob.LiveAlarms(specs, live)
	return s
}

// paths maps findings to the training job's attributes. vpcSet says
// whether the vpc block is present (a missing block is reported on it).
func paths(vpcSet bool) guardrail.Paths {
	p := guardrail.Paths{
		Attr: map[guardrail.Field]path.Path{
			guardrail.FieldKMSKey:           path.Root("kms_key_arn"),
			guardrail.FieldOutputKMSKey:     path.Root("kms_key_arn"),
			guardrail.FieldVolumeKMSKey:     path.Root("kms_key_arn"),
			guardrail.FieldRoleARN:          path.Root("role_arn"),
			guardrail.FieldInstanceType:     path.Root("instance_type"),
			guardrail.FieldInstanceCount:    path.Root("instance_count"),
			guardrail.FieldImage:            path.Root("image"),
			fieldInputs:                     path.Root("input_channels"),
			fieldOutput:                     path.Root("output_s3_uri"),
			fieldCheckpoint:                 path.Root("checkpoint_s3_uri"),
			guardrail.FieldMaxRuntime:       path.Root("max_runtime_seconds"),
			guardrail.FieldTags:             path.Root("tags"),
			guardrail.FieldLogGroups:        path.Root("log_group_name"),
			guardrail.FieldAlarms:           path.Root("alarm_names"),
			guardrail.FieldSubnetIDs:        path.Root("vpc"),
			guardrail.FieldSecurityGroupIDs: path.Root("vpc"),
		},
	}
	if vpcSet {
		p.List = map[guardrail.Field]path.Path{
			guardrail.FieldSubnetIDs:        path.Root("vpc").AtName(string(guardrail.FieldSubnetIDs)),
			guardrail.FieldSecurityGroupIDs: path.Root("vpc").AtName(string(guardrail.FieldSecurityGroupIDs)),
		}
	}
	return p
}

// pathFor is paths(vpcSet).For, with input channels addressed by their
// s3_uri (input_channels[i].s3_uri).
func pathFor(vpcSet bool) func(guardrail.Finding) path.Path {
	p := paths(vpcSet)
	return func(f guardrail.Finding) path.Path {
		if f.Field == fieldInputs && f.Index >= 0 {
			return path.Root("input_channels").AtListIndex(f.Index).AtName("s3_uri")
		}
		return p.For(f)
	}
}
