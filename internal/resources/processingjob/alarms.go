// The job's CloudWatch alarms (SS-MON-1/2): their specs, their drift, the
// settings of an imported job, and the names Delete removes.

package processingjob

import (
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// ProcessingNamespace holds the instance metrics of processing jobs; like
// training jobs', their only dimension is Host = "<job>/algo-<n>".
const ProcessingNamespace = "/aws/sagemaker/ProcessingJobs"

// alarmSpecs are the alarms of a processing job: per instance, disk and
// memory utilisation, shaped as a training job's (alarms.TrainingSpecs,
// without GPUs: processing jobs report no GPU metrics worth an idle alarm)
// but on the processing namespace and named sagesafe-processing-....
func alarmSpecs(job string, count int, set alarmSettings, actions []string, tags map[string]string) []alarms.Spec {
	specs := alarms.TrainingSpecs(alarms.TrainingInput{
		JobName: job, InstanceCount: max(count, 1), Thresholds: set.Thresholds, Actions: actions, Tags: tags,
	})
	for i := range specs {
		s := &specs[i]
		s.Namespace = ProcessingNamespace
		s.Name = processingAlarmName(s.Name)
		s.Description = strings.Replace(s.Description, "sagesafe_training_job", "sagesafe_processing_job", 1)
	}
	return specs
}

// processingAlarmName turns a training alarm name into the processing job's.
func processingAlarmName(trainingName string) string {
	return alarmPrefix + strings.TrimPrefix(trainingName, alarms.TrainingAlarmPrefix)
}

// alarmPrefix starts the name of every processing job's alarms: what the
// jobs refreshed in one command list their alarms by, once.
const alarmPrefix = "sagesafe-processing-"

// alarmNamesOf maps the alarm_names keys of specs to their names.
func alarmNamesOf(specs []alarms.Spec) map[string]string { return alarms.TrainingNames(specs) }

// alarmsToDelete are the alarms in state and every name the job could have,
// in case a failed create or update left one out of state.
func alarmsToDelete(state model) []string {
	names := map[string]bool{}
	for _, v := range state.AlarmNames.Elements() {
		if s, ok := v.(types.String); ok {
			names[s.ValueString()] = true
		}
	}
	count := max(int(state.InstanceCount.ValueInt64()), 1)
	for _, s := range alarmSpecs(state.Name.ValueString(), count, alarmSettings{}, nil, nil) {
		names[s.Name] = true
	}
	return slices.Sorted(maps.Keys(names))
}

// importedAlarms recovers the alarms attribute of an imported job from the
// live alarms of instance algo-1: their thresholds and actions (null
// actions when they are the provider's).
func importedAlarms(live map[string]cwtypes.MetricAlarm, specs []alarms.Spec, providerActions []string) types.Object {
	obj := defaultAlarms()
	attrs := obj.Attributes()
	var actions []string
	found := false
	for _, s := range specs {
		la, ok := live[s.Name]
		if !ok || !strings.HasPrefix(s.Kind, "algo-1/") {
			continue
		}
		key := map[string]string{"algo-1/" + alarms.TrainingDisk: "disk_percent", "algo-1/" + alarms.TrainingMemory: "memory_percent"}[s.Kind]
		if key != "" {
			attrs[key] = types.Float64Value(aws.ToFloat64(la.Threshold))
		}
		if !found {
			actions, found = la.AlarmActions, true
		}
	}
	if found && !sagemakerjob.SameSet(actions, providerActions) {
		elems := make([]attr.Value, 0, len(actions))
		for _, a := range actions {
			elems = append(elems, types.StringValue(a))
		}
		attrs["actions"] = types.ListValueMust(types.StringType, elems)
	}
	return types.ObjectValueMust(alarmsAttrTypes, attrs)
}
