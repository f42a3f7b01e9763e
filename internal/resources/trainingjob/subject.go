package trainingjob

import (
	"context"
	"errors"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// Subject fields of this resource's S3 locations, so that findings land on
// the attribute that caused them.
const (
	fieldInputs     guardrail.Field = "input_channels"
	fieldOutput     guardrail.Field = "output_s3_uri"
	fieldCheckpoint guardrail.Field = "checkpoint_s3_uri"
)

// inputs is a plan (or state) decoded into guardrail values: unknown stays
// unknown, absent stays null.
type inputs struct {
	Name              facts.Value[string]
	RoleARN           facts.Value[string]
	Image             facts.Value[string]
	Channels          []channelInput
	ChannelsKnown     bool // the list itself is known
	Output            facts.Value[string]
	Checkpoint        facts.Value[string]
	InstanceType      facts.Value[string]
	InstanceCount     facts.Value[int64]
	VolumeSizeGB      facts.Value[int64]
	KMSKey            facts.Value[string]
	SubnetIDs         facts.Value[[]string]
	SecurityGroupIDs  facts.Value[[]string]
	MaxRuntimeSeconds facts.Value[int64]
	UseSpot           facts.Value[bool]
	MaxWaitSeconds    facts.Value[int64]
	Hyperparameters   facts.Value[map[string]string]
	Environment       facts.Value[map[string]string]
	Tags              facts.Value[map[string]string] // the resource's own tags
	Alarms            alarmSettings
}

type channelInput struct {
	Name, S3URI, ContentType, InputMode, Distribution facts.Value[string]
}

// alarmSettings are the alarm block's values with defaults applied.
type alarmSettings struct {
	Actions    facts.Value[[]string] // null: the provider's alarm_actions
	Thresholds alarms.TrainingThresholds
	Known      bool // every threshold is known
}

func decode(ctx context.Context, m model) (inputs, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := inputs{
		Name:              tfval.String(m.Name),
		RoleARN:           tfval.String(m.RoleARN),
		Image:             tfval.String(m.Image),
		Output:            tfval.String(m.OutputS3URI),
		Checkpoint:        tfval.String(m.CheckpointS3URI),
		InstanceType:      tfval.String(m.InstanceType),
		InstanceCount:     tfval.Int64(m.InstanceCount),
		VolumeSizeGB:      tfval.Int64(m.VolumeSizeGB),
		KMSKey:            tfval.String(m.KMSKeyARN),
		MaxRuntimeSeconds: tfval.Int64(m.MaxRuntimeSeconds),
		UseSpot:           tfval.Bool(m.UseSpot),
		MaxWaitSeconds:    tfval.Int64(m.MaxWaitSeconds),
		Hyperparameters:   tfval.StringMap(ctx, m.Hyperparameters, &diags),
		Environment:       tfval.StringMap(ctx, m.Environment, &diags),
		Tags:              tfval.StringMap(ctx, m.Tags, &diags),
	}

	in.ChannelsKnown = !m.InputChannels.IsUnknown() && !m.InputChannels.IsNull()
	if in.ChannelsKnown {
		var chans []channelModel
		diags.Append(m.InputChannels.ElementsAs(ctx, &chans, false)...)
		for _, c := range chans {
			in.Channels = append(in.Channels, channelInput{
				Name: tfval.String(c.Name), S3URI: tfval.String(c.S3URI), ContentType: tfval.String(c.ContentType),
				InputMode: tfval.String(c.InputMode), Distribution: tfval.String(c.Distribution),
			})
		}
	}

	switch {
	case m.VPC.IsUnknown():
		in.SubnetIDs, in.SecurityGroupIDs = facts.Unknown[[]string](), facts.Unknown[[]string]()
	case m.VPC.IsNull():
		in.SubnetIDs, in.SecurityGroupIDs = facts.Null[[]string](), facts.Null[[]string]()
	default:
		var v vpcModel
		diags.Append(m.VPC.As(ctx, &v, objectAsOptions)...)
		in.SubnetIDs = tfval.Strings(ctx, v.SubnetIDs, &diags)
		in.SecurityGroupIDs = tfval.Strings(ctx, v.SecurityGroupIDs, &diags)
	}

	in.Alarms = alarmSettings{Actions: facts.Null[[]string](), Thresholds: alarms.DefaultTrainingThresholds(), Known: true}
	switch {
	case m.Alarms.IsUnknown():
		in.Alarms.Actions, in.Alarms.Known = facts.Unknown[[]string](), false
	case !m.Alarms.IsNull():
		var a alarmsModel
		diags.Append(m.Alarms.As(ctx, &a, objectAsOptions)...)
		in.Alarms.Actions = tfval.Strings(ctx, a.Actions, &diags)
		for _, t := range []struct {
			v   types.Float64
			dst *float64
		}{
			{a.DiskPercent, &in.Alarms.Thresholds.DiskPercent},
			{a.MemoryPercent, &in.Alarms.Thresholds.MemoryPercent},
			{a.GPUIdlePercent, &in.Alarms.Thresholds.GPUIdlePercent},
		} {
			switch {
			case t.v.IsUnknown():
				in.Alarms.Known = false
			case !t.v.IsNull():
				*t.dst = t.v.ValueFloat64()
			}
		}
	}
	return in, diags
}

// effectiveActions are the alarm actions: the block's, else the provider's.
func (a alarmSettings) effectiveActions(data *providerdata.Data) facts.Value[[]string] {
	if a.Actions.State != facts.StateNull {
		return a.Actions
	}
	if data == nil {
		return facts.Known([]string(nil))
	}
	return facts.Known(slices.Clone(data.AlarmActions))
}

// mergedTags is default_tags overlaid with the resource's tags.
func mergedTags(data *providerdata.Data, own facts.Value[map[string]string]) facts.Value[map[string]string] {
	if own.State == facts.StateUnknown {
		return own
	}
	if data == nil {
		return facts.Known(copyMap(own.V))
	}
	return facts.Known(data.MergeTags(own.V))
}

// prefetched are the facts the subject's own shape depends on: whether the
// instance type has NVMe storage (no volume key) and GPUs (an idle alarm),
// the workload key's ARN (for the log group), and the shared log group with
// the key it has now.
type prefetched struct {
	InstanceType        facts.InstanceTypeFact
	InstanceTypeFetched bool
	Key                 facts.KeyFact
	KeyFetched          bool
	LogGroup            facts.LogGroupFact
	LogGroupFetched     bool
	GroupKey            facts.KeyFact
	GroupKeyFetched     bool
}

// prefetch reads those facts through the provider's cached fetcher. The
// facts it could read are returned along with any error.
func prefetch(ctx context.Context, f evaluate.Fetcher, instanceType, key facts.Value[string]) (prefetched, error) {
	var p prefetched
	req := facts.Request{LogGroups: []string{LogGroupName}}
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
	p.LogGroup, p.LogGroupFetched = found.LogGroups[LogGroupName]
	gk := p.LogGroup.KMSKeyARN
	isWorkloadKey := gk == key.V || (p.KeyFetched && gk == p.Key.ARN)
	if p.LogGroupFetched && p.LogGroup.Found && gk != "" && !isWorkloadKey {
		more, err2 := f.Fetch(ctx, facts.Request{KeyRefs: []string{gk}})
		p.GroupKey, p.GroupKeyFetched = more.Keys[gk]
		err = errors.Join(err, err2)
	}
	return p, err
}

// nvme reports whether the instance type has local NVMe storage (so no
// volume key may be sent); false when unknown.
func (p prefetched) nvme() bool {
	return p.InstanceTypeFetched && p.InstanceType.InstanceStorageSupported
}

// gpus is the number of GPUs of the instance type, known=false when it
// could not be looked up.
func (p prefetched) gpus() (n int, known bool) {
	return p.InstanceType.GPUs, p.InstanceTypeFetched
}

// logGroupPlan is what the shared log group will be after Ensure, and what
// Ensure has to change to get there.
type logGroupPlan struct {
	Key       facts.Value[string] // the group's key, in the workload's terms when it is the workload key
	Retention facts.Value[int64]
	// OwnKey is true when the group is (or will be) encrypted with the
	// workload's key: it is then checked as part of the job. Otherwise it
	// keeps another customer-managed key and is checked on its own.
	OwnKey bool
	// AssociateKey: create the group with, or associate, the workload key
	// (the group is missing, unencrypted, or its key is unusable).
	AssociateKey bool
	// RaiseRetention: the group is missing or keeps logs for less than
	// min_log_retention_days; RetentionDays is what Ensure sets.
	RaiseRetention bool
	RetentionDays  int32
}

// planLogGroup decides what happens to the shared log group. It never
// takes the group from another usable customer-managed key (other jobs'
// logs are encrypted with it, and the group is theirs too) and never lowers
// its retention.
func planLogGroup(p prefetched, workloadKey facts.Value[string], minRetentionDays int64) logGroupPlan {
	if !p.LogGroupFetched {
		return logGroupPlan{Key: facts.Unknown[string](), Retention: facts.Unknown[int64](), OwnKey: true}
	}
	g := p.LogGroup
	lp := logGroupPlan{OwnKey: true}
	target := retentionFor(minRetentionDays)
	switch {
	case !g.Found:
		lp.Retention, lp.RaiseRetention, lp.RetentionDays = facts.Known(int64(target)), true, target
	case g.RetentionDays == 0: // never expire
		lp.Retention = facts.Known(int64(0))
	case minRetentionDays > 0 && g.RetentionDays < minRetentionDays:
		lp.Retention, lp.RaiseRetention, lp.RetentionDays = facts.Known(int64(target)), true, target
	default:
		lp.Retention = facts.Known(g.RetentionDays)
	}

	switch {
	case workloadKey.State == facts.StateUnknown:
		lp.Key = facts.Unknown[string]()
	case !g.Found || g.KMSKeyARN == "":
		lp.Key, lp.AssociateKey = workloadKey, true
	case g.KMSKeyARN == workloadKey.V || (p.KeyFetched && p.Key.Found && g.KMSKeyARN == p.Key.ARN):
		lp.Key = workloadKey
	case p.GroupKeyFetched && (!p.GroupKey.Found || p.GroupKey.State != "Enabled"):
		// Its key is gone, disabled or pending deletion: CloudWatch Logs can
		// no longer write to the group, so it takes the workload key.
		lp.Key, lp.AssociateKey = workloadKey, true
	default:
		lp.Key, lp.OwnKey = facts.Known(g.KMSKeyARN), false
	}
	return lp
}

// liveLogGroup describes the shared log group as it is now, for Read.
func liveLogGroup(p prefetched, workloadKey facts.Value[string]) logGroupPlan {
	if !p.LogGroupFetched {
		return logGroupPlan{Key: facts.Unknown[string](), Retention: facts.Unknown[int64](), OwnKey: true}
	}
	g := p.LogGroup
	if !g.Found {
		return logGroupPlan{Key: facts.Null[string](), Retention: facts.Null[int64](), OwnKey: true}
	}
	lp := logGroupPlan{Key: facts.Known(g.KMSKeyARN), Retention: facts.Known(g.RetentionDays), OwnKey: true}
	switch {
	case g.KMSKeyARN == "":
	case workloadKey.IsKnown() && (g.KMSKeyARN == workloadKey.V || (p.KeyFetched && p.Key.Found && g.KMSKeyARN == p.Key.ARN)):
		lp.Key = workloadKey // the same key, named as the job names it
	default:
		lp.OwnKey = false
	}
	return lp
}

// retentionFor is the shortest retention CloudWatch Logs accepts that is at
// least minDays (365 when no minimum is set).
func retentionFor(minDays int64) int32 {
	if minDays <= 0 {
		minDays = 365
	}
	for _, d := range loggroup.ValidRetentionDays {
		if d >= minDays {
			return int32(d)
		}
	}
	return int32(loggroup.ValidRetentionDays[len(loggroup.ValidRetentionDays)-1])
}

// sharedControls are the controls a log group with its own key is held to.
var sharedControls = []string{"SS-ENC-5", "SS-KMS-1", "SS-KMS-2", "SS-MON-3"}

// evaluation is the outcome of the guardrail checks of a job.
type evaluation struct {
	Findings []guardrail.Finding
	Controls []string
}

// runChecks evaluates s with the shared log group as lp says: inside the
// job's subject when it uses the job's key, else as a subject of its own
// whose key must be an enabled, rotating customer-managed key.
func runChecks(ctx context.Context, f evaluate.Fetcher, policy guardrail.Policy, s *guardrail.Subject, lp logGroupPlan) (evaluation, error) {
	lg := guardrail.LogGroup{Name: LogGroupName, KMSKeyARN: lp.Key, RetentionDays: lp.Retention}
	if lp.OwnKey {
		s.LogGroups = []guardrail.LogGroup{lg}
	} else {
		s.LogGroups = nil
	}
	findings, err := evaluate.Run(ctx, f, policy, s)
	if err != nil {
		return evaluation{}, err
	}
	ev := evaluation{Findings: findings, Controls: guardrail.Satisfied(s, policy, findings)}
	if lp.OwnKey {
		return ev, nil
	}
	shared := &guardrail.Subject{Kind: guardrail.KindTrainingJob, Name: s.Name, Region: s.Region, AccountID: s.AccountID,
		Partition: s.Partition, KMSKeyARN: lp.Key, LogGroups: []guardrail.LogGroup{lg}}
	more, err := evaluate.Run(ctx, f, policy, shared)
	if err != nil {
		return evaluation{}, err
	}
	failed := map[string]bool{}
	for _, fd := range more {
		if !slices.Contains(sharedControls, fd.Control) {
			continue
		}
		fd.Field, fd.Index = guardrail.FieldLogGroups, 0
		fd.Evidence = "The shared log group " + LogGroupName + " is encrypted with " + lp.Key.V +
			", not with this job's key; sagesafe leaves another team's key in place, but it must be an enabled, rotating customer-managed key. " + fd.Evidence
		ev.Findings = append(ev.Findings, fd)
		if fd.Severity != guardrail.SeverityWarning {
			failed[fd.Control] = true
		}
	}
	ev.Controls = slices.DeleteFunc(ev.Controls, func(id string) bool { return failed[id] })
	return ev, nil
}

// baseSubject is the part of a subject that does not depend on values.
func baseSubject(name string, data *providerdata.Data) *guardrail.Subject {
	s := &guardrail.Subject{Kind: guardrail.KindTrainingJob, Name: name}
	if data != nil && data.AWS != nil {
		s.Region, s.AccountID, s.Partition = data.AWS.Region, data.AWS.AccountID, data.AWS.Partition
	}
	return s
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
	if p.nvme() {
		s.VolumeKMSKeyARN = facts.Null[string]()
	}
	s.MaxRuntimeSeconds = in.MaxRuntimeSeconds
	s.Tags = mergedTags(data, in.Tags)

	actions := in.Alarms.effectiveActions(data)
	gpus, _ := p.gpus()
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

// replacingControls are forced settings of the job itself: when the live
// job lacks one, only a new job can restore it.
var replacingControls = []string{"SS-NET-4", "SS-ENC-1", "SS-ENC-2", "SS-ENC-3"}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
