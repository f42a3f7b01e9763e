// The guardrail wiring: the subject of a plan or of the live job,
// evaluate.Run (through sagemakerjob, with the shared log group), and where
// findings land.

package processingjob

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
	fieldInputs  guardrail.Field = "inputs"
	fieldOutputs guardrail.Field = "outputs"
)

func (r *processingJobResource) prefetch(ctx context.Context, instanceType, key facts.Value[string]) (sagemakerjob.Prefetched, error) {
	return sagemakerjob.Prefetch(ctx, r.data.Posture, LogGroupName, instanceType, key)
}

// checkPlanned runs the guardrails on a planned job (stage: at plan, or
// at apply just before the create), with what becomes of
// the shared log group.
func (r *processingJobResource) checkPlanned(ctx context.Context, in inputs, pre sagemakerjob.Prefetched, stage guardrail.Stage) (sagemakerjob.LogGroupPlan, sagemakerjob.Evaluation, error) {
	lp := sagemakerjob.PlanLogGroup(pre, in.KMSKey, r.data.Policy.MinLogRetentionDays)
	s := planSubject(in, pre, r.data)
	s.Stage = stage
	ev, err := sagemakerjob.RunChecks(ctx, r.data.Posture, r.data.Policy, s, LogGroupName, lp)
	// A plan forecasts what the apply leaves; the job's own controls come
	// from checks of the live job.
	ev.States = ev.States.Forecast()
	ev.Controls = ev.States.Held()
	return lp, ev, err
}

// planSubject builds the subject of a plan: the forced settings as sagesafe
// sends them, the alarms as they will be put.
func planSubject(in inputs, p sagemakerjob.Prefetched, data *providerdata.Data) *guardrail.Subject {
	s := data.Subject(guardrail.KindProcessingJob, in.Name.V)
	s.SubnetIDs, s.SecurityGroupIDs = in.SubnetIDs, in.SecurityGroupIDs
	s.KMSKeyARN, s.OutputKMSKeyARN, s.VolumeKMSKeyARN = in.KMSKey, in.KMSKey, in.KMSKey
	if p.NVMe() {
		s.VolumeKMSKeyARN = facts.Null[string]()
	}
	s.RoleARN = in.RoleARN
	s.InstanceType, s.InstanceCount = in.InstanceType, in.InstanceCount
	s.Image = in.Image
	s.NetworkIsolation, s.InterContainerEncryption = facts.Known(true), facts.Known(true)
	s.MaxRuntimeSeconds = in.MaxRuntimeSeconds
	s.Tags = mergedTags(data, in.Tags)
	for i, l := range in.Inputs {
		s.S3 = append(s.S3, guardrail.S3Location{URI: l.S3URI, Index: i, Field: fieldInputs, Role: "input"})
	}
	for i, l := range in.Outputs {
		s.S3 = append(s.S3, guardrail.S3Location{URI: l.S3URI, Index: i, Field: fieldOutputs, Role: "output"})
	}
	job := "(job name known after apply)"
	if in.Name.IsKnown() {
		job = in.Name.V
	}
	n := 1
	if in.InstanceCount.IsKnown() {
		n = int(in.InstanceCount.V)
	}
	actions := in.Alarms.effectiveActions(data)
	var list []guardrail.Alarm
	for _, sp := range alarmSpecs(job, n, in.Alarms, nil, nil) {
		list = append(list, guardrail.Alarm{Name: sp.Name, Kind: sp.Kind, Exists: true, ActionsEnabled: true, Actions: actions})
	}
	s.Alarms = facts.Known(list)
	return s
}

// liveSubject builds the subject of the live job and its alarms.
func liveSubject(job *sagemaker.DescribeProcessingJobOutput, liveTags map[string]string, specs []alarms.Spec, live map[string]cwtypes.MetricAlarm, data *providerdata.Data) *guardrail.Subject {
	s := data.Subject(guardrail.KindProcessingJob, aws.ToString(job.ProcessingJobName))
	s.Stage = guardrail.StageLive
	s.SubnetIDs, s.SecurityGroupIDs = facts.Null[[]string](), facts.Null[[]string]()
	s.NetworkIsolation, s.InterContainerEncryption = facts.Known(false), facts.Known(false)
	if nc := job.NetworkConfig; nc != nil {
		if v := nc.VpcConfig; v != nil {
			s.SubnetIDs, s.SecurityGroupIDs = facts.Known(v.Subnets), facts.Known(v.SecurityGroupIds)
		}
		s.NetworkIsolation = facts.Known(aws.ToBool(nc.EnableNetworkIsolation))
		s.InterContainerEncryption = facts.Known(aws.ToBool(nc.EnableInterContainerTrafficEncryption))
	}
	s.KMSKeyARN, s.OutputKMSKeyARN, s.VolumeKMSKeyARN = facts.Null[string](), facts.Null[string](), facts.Null[string]()
	if o := job.ProcessingOutputConfig; o != nil && aws.ToString(o.KmsKeyId) != "" {
		s.KMSKeyARN, s.OutputKMSKeyARN = facts.Known(aws.ToString(o.KmsKeyId)), facts.Known(aws.ToString(o.KmsKeyId))
	}
	if c := clusterOf(job); c != nil {
		s.InstanceType = facts.Known(string(c.InstanceType))
		s.InstanceCount = facts.Known(int64(aws.ToInt32(c.InstanceCount)))
		if k := aws.ToString(c.VolumeKmsKeyId); k != "" {
			s.VolumeKMSKeyARN = facts.Known(k)
		}
	}
	s.RoleARN = facts.Known(aws.ToString(job.RoleArn))
	s.Image = facts.Null[string]()
	if a := job.AppSpecification; a != nil && a.ImageUri != nil {
		s.Image = facts.Known(aws.ToString(a.ImageUri))
	}
	for i, in := range job.ProcessingInputs {
		uri := facts.Null[string]()
		if in.S3Input != nil {
			uri = facts.Known(aws.ToString(in.S3Input.S3Uri))
		}
		s.S3 = append(s.S3, guardrail.S3Location{URI: uri, Index: i, Field: fieldInputs, Role: "input"})
	}
	if o := job.ProcessingOutputConfig; o != nil {
		for i, out := range o.Outputs {
			uri := facts.Null[string]()
			if out.S3Output != nil {
				uri = facts.Known(aws.ToString(out.S3Output.S3Uri))
			}
			s.S3 = append(s.S3, guardrail.S3Location{URI: uri, Index: i, Field: fieldOutputs, Role: "output"})
		}
	}
	s.MaxRuntimeSeconds = facts.Null[int64]()
	if sc := job.StoppingCondition; sc != nil && sc.MaxRuntimeInSeconds != nil {
		s.MaxRuntimeSeconds = facts.Known(int64(aws.ToInt32(sc.MaxRuntimeInSeconds)))
	}
	s.Tags = facts.Known(maps.Clone(liveTags))
	s.Alarms = sagemakerjob.LiveAlarms(specs, live)
	return s
}

// inspection is what a check of the live job found.
type inspection struct {
	ev      sagemakerjob.Evaluation
	checked bool              // ev is the outcome of the checks
	ok      map[string]string // alarm_names: the alarms that exist as specified
	drift   []string
}

// inspect checks the live job: its alarms against the specs of m's alarm
// settings, and its guardrails with the posture of what it depends on. A
// failed posture lookup still checks what could be read (checked, with the
// error); when the job's tags or alarms cannot be read, nothing is checked.
// shared are the command's shared reads (a refresh), nil right after this
// resource's own writes; liveTags are the job's tags when the caller has
// just listed them (a refresh), nil to list them here.
func (r *processingJobResource) inspect(ctx context.Context, m model, job *sagemaker.DescribeProcessingJobOutput, shared *providerdata.Reads, liveTags map[string]string) (inspection, error) {
	in, diags := decode(ctx, m)
	if diags.HasError() {
		return inspection{}, fmt.Errorf("decoding the state: %v", diags)
	}
	name := aws.ToString(job.ProcessingJobName)
	if liveTags == nil {
		var err error
		if liveTags, err = r.jobs().ListTags(ctx, aws.ToString(job.ProcessingJobArn)); err != nil {
			return inspection{}, err
		}
	}
	it, key, count := facts.Null[string](), facts.Null[string](), 1
	if c := clusterOf(job); c != nil {
		it, count = facts.Known(string(c.InstanceType)), int(aws.ToInt32(c.InstanceCount))
	}
	if o := job.ProcessingOutputConfig; o != nil && aws.ToString(o.KmsKeyId) != "" {
		key = facts.Known(aws.ToString(o.KmsKeyId))
	}
	pre, lookupErr := r.prefetch(ctx, it, key)
	specs := alarmSpecs(name, count, in.Alarms, in.Alarms.effectiveActions(r.data).V, nil)
	live, err := shared.Alarms(ctx, r.data.AWS.CloudWatch, alarmPrefix, specNames(specs))
	if err != nil {
		return inspection{}, err
	}
	ins := inspection{checked: true}
	ins.ok, ins.drift = alarmDrift(specs, live)
	s := liveSubject(job, liveTags, specs, live, r.data)
	ins.ev, err = sagemakerjob.RunChecks(ctx, r.data.Posture, r.data.Policy, s, LogGroupName, sagemakerjob.LiveLogGroup(pre, s.KMSKeyARN))
	return ins, errors.Join(lookupErr, err)
}

// recordInspection writes what a check of the live job found into m: its
// alarm names, controls and control states. When the job could not be
// checked at all, every control is not_checked with the reason.
func recordInspection(m *model, ins inspection, err error, what string, diags *diag.Diagnostics) {
	if !ins.checked {
		diags.AddWarning(what+" failed", err.Error()+"\nNo control is checked (control_states says why); the next refresh checks them again.")
		states := guardrail.ControlStates{}
		for _, c := range guardrail.Catalog {
			if c.Applies(guardrail.KindProcessingJob) {
				states[c.ID] = guardrail.ControlState{State: guardrail.StateNotChecked, Reason: "the check of the live job failed: " + err.Error()}
			}
		}
		m.Controls, m.ControlStates = tfval.List([]string{}), tfval.Map(states.Strings())
		return
	}
	if err != nil {
		diags.AddWarning(what+" was incomplete",
			"The controls that need the posture it could not read are not checked (control_states says which): "+err.Error())
	}
	m.AlarmNames = tfval.Map(ins.ok)
	held := ins.ev.Controls
	if held == nil {
		held = []string{}
	}
	m.Controls, m.ControlStates = tfval.List(held), tfval.Map(ins.ev.States.Strings())
}

// reportDrift warns about what a check of the live job found: drifted
// alarms, and failed controls (as warnings: the job exists, and the next
// apply restores or replaces it).
func reportDrift(ins inspection, name string, vpcSet bool, diags *diag.Diagnostics) {
	sagemakerjob.ReportDrift("processing job "+name, ins.drift, ins.ev.Findings, pathFor(vpcSet), diags)
}

// reportPlanned adds the findings of a plan to diags: errors refuse a plan
// that creates, replaces or changes the job, and only warn otherwise (see
// guardrail.ForPlan).
func reportPlanned(ev sagemakerjob.Evaluation, repairs *guardrail.Repairs, changes bool, name string, vpcSet bool, diags *diag.Diagnostics) {
	findings, _ := repairs.Apply(ev.Findings)
	diags.Append(guardrail.Diagnostics(guardrail.ForPlan(findings, changes, "processing job "+name), pathFor(vpcSet))...)
}

// pathFor maps findings to the processing job's attributes; inputs and
// outputs are addressed by their s3_uri. vpcSet says whether the vpc
// block is present (a missing block is reported on it).
func pathFor(vpcSet bool) func(guardrail.Finding) path.Path {
	p := guardrail.Paths{Attr: map[guardrail.Field]path.Path{
		guardrail.FieldKMSKey:           path.Root("kms_key_arn"),
		guardrail.FieldOutputKMSKey:     path.Root("kms_key_arn"),
		guardrail.FieldVolumeKMSKey:     path.Root("kms_key_arn"),
		guardrail.FieldRoleARN:          path.Root("role_arn"),
		guardrail.FieldInstanceType:     path.Root("instance_type"),
		guardrail.FieldInstanceCount:    path.Root("instance_count"),
		guardrail.FieldImage:            path.Root("image"),
		fieldInputs:                     path.Root("inputs"),
		fieldOutputs:                    path.Root("outputs"),
		guardrail.FieldMaxRuntime:       path.Root("max_runtime_seconds"),
		guardrail.FieldTags:             path.Root("tags"),
		guardrail.FieldLogGroups:        path.Root("log_group_name"),
		guardrail.FieldAlarms:           path.Root("alarm_names"),
		guardrail.FieldSubnetIDs:        path.Root("vpc"),
		guardrail.FieldSecurityGroupIDs: path.Root("vpc"),
	}}
	if vpcSet {
		p.List = map[guardrail.Field]path.Path{
			guardrail.FieldSubnetIDs:        path.Root("vpc").AtName(string(guardrail.FieldSubnetIDs)),
			guardrail.FieldSecurityGroupIDs: path.Root("vpc").AtName(string(guardrail.FieldSecurityGroupIDs)),
		}
	}
	return func(f guardrail.Finding) path.Path {
		if (f.Field == fieldInputs || f.Field == fieldOutputs) && f.Index >= 0 {
			return path.Root(string(f.Field)).AtListIndex(f.Index).AtName("s3_uri")
		}
		return p.For(f)
	}
}
