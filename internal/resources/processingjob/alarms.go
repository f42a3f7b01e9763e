// The job's CloudWatch alarms (SS-MON-1/2): their specs, their drift, the
// settings of an imported job, and the names Delete removes.

package processingjob

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
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
	return "sagesafe-processing-" + strings.TrimPrefix(trainingName, "sagesafe-training-")
}

// alarmNamesOf maps the alarm_names keys of specs to their names.
func alarmNamesOf(specs []alarms.Spec) map[string]string { return alarms.TrainingNames(specs) }

func specNames(specs []alarms.Spec) []string {
	out := make([]string, 0, len(specs))
	for _, s := range specs {
		out = append(out, s.Name)
	}
	return out
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
	if found && !slices.Equal(sortedCopy(actions), sortedCopy(providerActions)) {
		elems := make([]attr.Value, 0, len(actions))
		for _, a := range actions {
			elems = append(elems, types.StringValue(a))
		}
		attrs["actions"] = types.ListValueMust(types.StringType, elems)
	}
	return types.ObjectValueMust(alarmsAttrTypes, attrs)
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// tagAlarms gives the alarms the job's tags (PutMetricAlarm ignores tags on
// existing alarms) and removes the keys the job lost.
func (r *processingJobResource) tagAlarms(ctx context.Context, specs []alarms.Spec, tags map[string]string, remove []string) error {
	live, err := alarms.Describe(ctx, r.data.AWS.CloudWatch, specNames(specs))
	if err != nil {
		return err
	}
	cwTags := shared.TagList(tags, func(k, v *string) cwtypes.Tag { return cwtypes.Tag{Key: k, Value: v} })
	for _, name := range specNames(specs) {
		a, ok := live[name]
		if !ok || a.AlarmArn == nil {
			continue
		}
		if len(remove) > 0 {
			if _, err := r.data.AWS.CloudWatch.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: a.AlarmArn, TagKeys: remove}); err != nil {
				return fmt.Errorf("untagging alarm %s: %w", name, err)
			}
		}
		if len(cwTags) > 0 {
			if _, err := r.data.AWS.CloudWatch.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: a.AlarmArn, Tags: cwTags}); err != nil {
				return fmt.Errorf("tagging alarm %s: %w", name, err)
			}
		}
	}
	return nil
}
