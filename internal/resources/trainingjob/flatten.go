package trainingjob

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

// flattenStatus writes the job's computed status attributes into m.
func flattenStatus(m *model, job *sagemaker.DescribeTrainingJobOutput) {
	m.Name = types.StringValue(aws.ToString(job.TrainingJobName))
	m.ARN = types.StringValue(aws.ToString(job.TrainingJobArn))
	m.Status = types.StringValue(string(job.TrainingJobStatus))
	m.SecondaryStatus = types.StringValue(string(job.SecondaryStatus))
	m.FailureReason = optString(job.FailureReason)
	m.ModelArtifactsS3URI = types.StringNull()
	// The emulator (and SageMaker for some stopped jobs) names an artifact
	// before one exists; it is only reported once the job has completed.
	if job.TrainingJobStatus == smtypes.TrainingJobStatusCompleted && job.ModelArtifacts != nil {
		m.ModelArtifactsS3URI = optString(job.ModelArtifacts.S3ModelArtifacts)
	}
	m.TrainingSeconds = optInt(job.TrainingTimeInSeconds)
	m.BillableSeconds = optInt(job.BillableTimeInSeconds)
	m.LogGroupName = types.StringValue(LogGroupName)
}

// flattenJob writes the live job into m: its inputs as SageMaker reports
// them, normalised so that a plan right after apply is empty (server-filled
// defaults and extras are not differences), plus its status. Attributes the
// API does not return (wait_for_completion, timeouts, alarm settings, an
// environment the API omits) keep their prior values.
func flattenJob(ctx context.Context, m *model, job *sagemaker.DescribeTrainingJobOutput, liveTags, defaultTags map[string]string) diag.Diagnostics {
	var diags diag.Diagnostics
	flattenStatus(m, job)
	m.RoleARN = optString(job.RoleArn)
	if as := job.AlgorithmSpecification; as != nil {
		m.Image = optString(as.TrainingImage)
	}
	defaultMode := DefaultInputMode
	if as := job.AlgorithmSpecification; as != nil && as.TrainingInputMode != "" {
		defaultMode = string(as.TrainingInputMode)
	}
	chans := make([]attr.Value, 0, len(job.InputDataConfig))
	for _, c := range job.InputDataConfig {
		uri, dist := "", DefaultDistribution
		if c.DataSource != nil && c.DataSource.S3DataSource != nil {
			uri = aws.ToString(c.DataSource.S3DataSource.S3Uri)
			if d := c.DataSource.S3DataSource.S3DataDistributionType; d != "" {
				dist = string(d)
			}
		}
		mode := defaultMode
		if c.InputMode != "" {
			mode = string(c.InputMode)
		}
		obj, d := types.ObjectValue(channelAttrTypes, map[string]attr.Value{
			"name":         types.StringValue(aws.ToString(c.ChannelName)),
			"s3_uri":       types.StringValue(uri),
			"content_type": optString(c.ContentType),
			"input_mode":   types.StringValue(mode),
			"distribution": types.StringValue(dist),
		})
		diags.Append(d...)
		chans = append(chans, obj)
	}
	list, d := types.ListValue(channelObjectType, chans)
	diags.Append(d...)
	m.InputChannels = list

	m.OutputS3URI, m.KMSKeyARN = types.StringNull(), types.StringNull()
	if o := job.OutputDataConfig; o != nil {
		m.OutputS3URI = optString(o.S3OutputPath)
		m.KMSKeyARN = optString(o.KmsKeyId)
	}
	m.CheckpointS3URI = types.StringNull()
	if c := job.CheckpointConfig; c != nil {
		m.CheckpointS3URI = optString(c.S3Uri)
	}
	if rc := job.ResourceConfig; rc != nil {
		m.InstanceType = types.StringValue(string(rc.InstanceType))
		m.InstanceCount = optInt(rc.InstanceCount)
		m.VolumeSizeGB = optInt(rc.VolumeSizeInGB)
	}
	m.VPC = flattenVPC(ctx, job.VpcConfig, m.VPC, &diags)

	spot := aws.ToBool(job.EnableManagedSpotTraining)
	m.UseSpot = types.BoolValue(spot)
	m.MaxRuntimeSeconds, m.MaxWaitSeconds = types.Int64Null(), types.Int64Null()
	if sc := job.StoppingCondition; sc != nil {
		m.MaxRuntimeSeconds = optInt(sc.MaxRuntimeInSeconds)
		if spot {
			m.MaxWaitSeconds = optInt(sc.MaxWaitTimeInSeconds)
		}
	}
	m.Hyperparameters = flattenStringMap(ctx, job.HyperParameters, m.Hyperparameters, true, &diags)
	m.Environment = flattenStringMap(ctx, job.Environment, m.Environment, false, &diags)
	m.Tags = flattenTags(ctx, liveTags, defaultTags, m.Tags, &diags)
	if m.WaitForCompletion.IsNull() || m.WaitForCompletion.IsUnknown() {
		m.WaitForCompletion = types.BoolValue(true)
	}
	return diags
}

// flattenVPC keeps the prior order of the IDs when the live sets are equal
// (SageMaker does not promise to keep the order).
func flattenVPC(ctx context.Context, v *smtypes.VpcConfig, prior types.Object, diags *diag.Diagnostics) types.Object {
	if v == nil {
		return types.ObjectNull(vpcAttrTypes)
	}
	var p vpcModel
	if !prior.IsNull() && !prior.IsUnknown() {
		diags.Append(prior.As(ctx, &p, objectAsOptions)...)
	}
	subnets := keepOrder(ctx, v.Subnets, p.SubnetIDs, diags)
	sgs := keepOrder(ctx, v.SecurityGroupIds, p.SecurityGroupIDs, diags)
	obj, d := types.ObjectValue(vpcAttrTypes, map[string]attr.Value{"subnet_ids": subnets, "security_group_ids": sgs})
	diags.Append(d...)
	return obj
}

func keepOrder(ctx context.Context, live []string, prior types.List, diags *diag.Diagnostics) types.List {
	if !prior.IsNull() && !prior.IsUnknown() {
		var p []string
		diags.Append(prior.ElementsAs(ctx, &p, false)...)
		a, b := slices.Clone(p), slices.Clone(live)
		slices.Sort(a)
		slices.Sort(b)
		if slices.Equal(a, b) {
			return prior
		}
	}
	l, d := types.ListValueFrom(ctx, types.StringType, live)
	diags.Append(d...)
	return l
}

// flattenStringMap reads a map the API returns. An empty live map keeps an
// empty prior value. With serverExtras (hyperparameters), keys SageMaker
// adds on its own, as built-in algorithms do, are not a difference when
// every configured key is there with its value; an empty live map with a
// non-empty prior is read as empty (drift). Without serverExtras
// (environment), an empty live map keeps the prior value: the API may omit
// the map (the emulator does not store environments).
func flattenStringMap(ctx context.Context, live map[string]string, prior types.Map, serverExtras bool, diags *diag.Diagnostics) types.Map {
	var p map[string]string
	priorKnown := !prior.IsNull() && !prior.IsUnknown()
	if priorKnown {
		diags.Append(prior.ElementsAs(ctx, &p, false)...)
	}
	if len(live) == 0 {
		if priorKnown && (len(p) == 0 || !serverExtras) {
			// Nothing to compare with (an API that does not return the map)
			// or an empty map in both: keep what was configured.
			return prior
		}
		return types.MapNull(types.StringType)
	}
	if priorKnown && serverExtras {
		subset := true
		for k, v := range p {
			if lv, ok := live[k]; !ok || lv != v {
				subset = false
				break
			}
		}
		if subset {
			return prior
		}
	}
	m, d := types.MapValueFrom(ctx, types.StringType, live)
	diags.Append(d...)
	return m
}

// flattenTags returns the resource's own tags from the live tags: AWS's own
// (aws:*) are dropped, and so are default_tags that the resource does not
// set itself.
func flattenTags(ctx context.Context, live, defaults map[string]string, prior types.Map, diags *diag.Diagnostics) types.Map {
	var own map[string]string
	if !prior.IsNull() && !prior.IsUnknown() {
		diags.Append(prior.ElementsAs(ctx, &own, false)...)
	}
	out := map[string]string{}
	for k, v := range live {
		if strings.HasPrefix(k, "aws:") {
			continue
		}
		if dv, isDefault := defaults[k]; isDefault && dv == v {
			if _, mine := own[k]; !mine {
				continue
			}
		}
		out[k] = v
	}
	if len(out) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.MapNull(types.StringType)
	}
	m, d := types.MapValueFrom(ctx, types.StringType, out)
	diags.Append(d...)
	return m
}

// liveSubject builds the subject of the live job and its alarms.
func liveSubject(job *sagemaker.DescribeTrainingJobOutput, liveTags map[string]string, specs []alarms.Spec, live map[string]cwtypes.MetricAlarm, data *providerdata.Data) *guardrail.Subject {
	s := baseSubject(aws.ToString(job.TrainingJobName), data)
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
	s.Tags = facts.Known(copyMap(liveTags))
	list := make([]guardrail.Alarm, 0, len(specs))
	for _, sp := range specs {
		a := guardrail.Alarm{Name: sp.Name, Kind: sp.Kind}
		if la, ok := live[sp.Name]; ok {
			a.Exists, a.ActionsEnabled, a.Actions = true, aws.ToBool(la.ActionsEnabled), facts.Known(la.AlarmActions)
		}
		list = append(list, a)
	}
	s.Alarms = facts.Known(list)
	return s
}

// alarmDrift compares the live alarms with the specs. ok maps the keys of
// the alarms that match to their names; drift says what is wrong with the
// others.
func alarmDrift(specs []alarms.Spec, live map[string]cwtypes.MetricAlarm) (ok map[string]string, drift []string) {
	ok = map[string]string{}
	for _, s := range specs {
		la, found := live[s.Name]
		switch {
		case !found:
			drift = append(drift, fmt.Sprintf("alarm %s is missing", s.Name))
		default:
			if d := alarms.Diff(s, la); len(d) > 0 {
				drift = append(drift, fmt.Sprintf("alarm %s: %s", s.Name, strings.Join(d, "; ")))
			} else {
				ok[s.Kind] = s.Name
			}
		}
	}
	return ok, drift
}

// settingsFromAlarms recovers the alarms attribute from live alarms, for
// import: the thresholds of instance algo-1's alarms (defaults where one is
// missing) and their actions, or null actions when they are the provider's.
func settingsFromAlarms(live map[string]cwtypes.MetricAlarm, job string, gpus int, providerActions []string) types.Object {
	t := alarms.DefaultTrainingThresholds()
	var actions []string
	found := false
	for _, kind := range alarms.TrainingKinds(gpus) {
		la, ok := live[alarms.TrainingAlarmName(job, 1, kind)]
		if !ok {
			continue
		}
		v := alarms.TrainingThresholdFromAlarm(kind, aws.ToFloat64(la.Threshold), gpus)
		switch kind {
		case alarms.TrainingDisk:
			t.DiskPercent = v
		case alarms.TrainingMemory:
			t.MemoryPercent = v
		case alarms.TrainingGPUIdle:
			t.GPUIdlePercent = v
		}
		if !found {
			actions, found = la.AlarmActions, true
		}
	}
	if !found || slices.Equal(sortedCopy(actions), sortedCopy(providerActions)) {
		actions = nil
	} else if actions == nil {
		actions = []string{}
	}
	return alarmsObject(actions, t)
}

func sortedCopy(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func optString(s *string) types.String {
	if s == nil || *s == "" {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

func optInt(v *int32) types.Int64 {
	if v == nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(*v))
}
