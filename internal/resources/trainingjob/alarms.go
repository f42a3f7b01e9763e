// The job's CloudWatch alarms (SS-MON-1): their specs, their drift, the
// settings of an imported job, and the names Delete removes.

package trainingjob

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

// alarmSpecs are the alarms of job name as in and the instance type's GPUs
// say, tagged with tags.
func (r *trainingJobResource) alarmSpecs(name string, in inputs, pre prefetched, tags map[string]string) []alarms.Spec {
	gpus, _ := pre.GPUs()
	return alarms.TrainingSpecs(alarmInput(name, in, gpus, r.data, tags))
}

// alarmsToDelete are the alarms in state and every name the job could have,
// in case a failed create or update left an alarm out of state; deleting a
// missing alarm is a no-op.
func alarmsToDelete(state model) []string {
	names := map[string]bool{}
	for _, v := range state.AlarmNames.Elements() {
		if s, ok := v.(types.String); ok {
			names[s.ValueString()] = true
		}
	}
	job := state.Name.ValueString()
	count := max(int(state.InstanceCount.ValueInt64()), 1)
	for n := 1; n <= count; n++ {
		for _, kind := range alarms.TrainingKinds(1) {
			names[alarms.TrainingAlarmName(job, n, kind)] = true
		}
	}
	return slices.Sorted(maps.Keys(names))
}

// alarmInput is what alarms.TrainingSpecs needs to know of the job.
func alarmInput(name string, in inputs, gpus int, data *providerdata.Data, tags map[string]string) alarms.TrainingInput {
	count := 1
	if in.InstanceCount.IsKnown() {
		count = int(in.InstanceCount.V)
	}
	return alarms.TrainingInput{
		JobName:       name,
		InstanceCount: count,
		GPUs:          gpus,
		Thresholds:    in.Alarms.Thresholds,
		Actions:       in.Alarms.effectiveActions(data).V,
		Tags:          tags,
	}
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
	if !found || sameSet(actions, providerActions) {
		actions = nil
	} else if actions == nil {
		actions = []string{}
	}
	return alarmsObject(actions, t)
}

// importAlarmSettings recovers the alarms attribute of an imported job from its
// alarms.
func (r *trainingJobResource) importAlarmSettings(ctx context.Context, job *sagemaker.DescribeTrainingJobOutput, diags *diag.Diagnostics) types.Object {
	name := aws.ToString(job.TrainingJobName)
	gpus := 0
	if rc := job.ResourceConfig; rc != nil {
		pre, err := prefetch(ctx, r.data.Posture, facts.Known(string(rc.InstanceType)), facts.Null[string]())
		if err == nil {
			gpus, _ = pre.GPUs()
		}
	}
	var names []string
	for _, kind := range alarms.TrainingKinds(gpus) {
		names = append(names, alarms.TrainingAlarmName(name, 1, kind))
	}
	live, err := alarms.Describe(ctx, r.data.AWS.CloudWatch, names)
	if err != nil {
		diags.AddWarning("Reading the alarms of imported training job "+name+" failed", err.Error())
		return defaultAlarms()
	}
	return settingsFromAlarms(live, name, gpus, r.data.AlarmActions)
}
