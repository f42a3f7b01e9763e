// The Model Monitor engine: a DataQuality monitoring schedule with an
// inline job definition, read back as the request of one run so that the
// rest of the resource treats both engines alike.

package modelmonitor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

func (r *monitorResource) describeMonitoringSchedule(ctx context.Context, name string) (*sagemaker.DescribeMonitoringScheduleOutput, error) {
	out, err := r.data.AWS.SageMaker.DescribeMonitoringSchedule(ctx, &sagemaker.DescribeMonitoringScheduleInput{MonitoringScheduleName: aws.String(name)})
	var rnf *smtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return nil, fmt.Errorf("monitoring schedule %s: %w", name, errNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("describing monitoring schedule %s: %w", name, err)
	}
	return out, nil
}

func (r *monitorResource) scheduleTags(ctx context.Context, arn string) (map[string]string, error) {
	p := sagemaker.NewListTagsPaginator(r.data.AWS.SageMaker, &sagemaker.ListTagsInput{ResourceArn: aws.String(arn)})
	tags, err := shared.Collect(ctx, p.HasMorePages, p.NextPage, func(o *sagemaker.ListTagsOutput) []smtypes.Tag { return o.Tags })
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", arn, err)
	}
	return shared.TagMap(tags, func(t smtypes.Tag) (*string, *string) { return t.Key, t.Value }), nil
}

// readMonitoringSchedule reads the monitoring schedule into m.
func (r *monitorResource) readMonitoringSchedule(ctx context.Context, m *model, diags *diag.Diagnostics) (*liveSchedule, error) {
	out, err := r.describeMonitoringSchedule(ctx, m.Name.ValueString())
	if err != nil {
		return nil, err
	}
	arn := aws.ToString(out.MonitoringScheduleArn)
	tags, err := r.scheduleTags(ctx, arn)
	if err != nil {
		return nil, err
	}
	// A key under ignore_tags is neither drift nor restored.
	tags = shared.SeenTags(r.data, tags)
	cfg := out.MonitoringScheduleConfig
	ls := &liveSchedule{arn: arn, req: requestOf(cfg, tags)}
	if cfg != nil && cfg.ScheduleConfig != nil {
		m.ScheduleExpression = types.StringValue(aws.ToString(cfg.ScheduleConfig.ScheduleExpression))
	}
	if out.MonitoringScheduleStatus == smtypes.ScheduleStatusStopped {
		ls.drift = append(ls.drift, "the monitoring schedule is Stopped")
	}
	r.flattenRequest(ctx, m, ls.req, diags)
	ls.match = func(want monitorspec.Job, expression string) []string {
		a, errA := monitorspec.Compact(want.MonitoringSchedule(expression))
		b, errB := monitorspec.Compact(cfg)
		if errA != nil || errB != nil || a != b {
			return []string{"the monitoring schedule's configuration is not the one sagesafe sends (forced settings, inputs or environment)"}
		}
		return nil
	}
	return ls, nil
}

// requestOf reads a monitoring job definition as the request of one run.
func requestOf(cfg *smtypes.MonitoringScheduleConfig, tags map[string]string) *sagemaker.CreateProcessingJobInput {
	req := &sagemaker.CreateProcessingJobInput{Environment: map[string]string{}}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if k != idem.TokenTag {
			req.Tags = append(req.Tags, smtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
		}
	}
	if cfg == nil || cfg.MonitoringJobDefinition == nil {
		return req
	}
	d := cfg.MonitoringJobDefinition
	maps.Copy(req.Environment, d.Environment)
	req.RoleArn, req.NetworkConfig = d.RoleArn, d.NetworkConfig
	if d.MonitoringAppSpecification != nil {
		req.AppSpecification = &smtypes.AppSpecification{ImageUri: d.MonitoringAppSpecification.ImageUri}
	}
	for _, in := range d.MonitoringInputs {
		if in.EndpointInput != nil {
			req.Environment["sagemaker_endpoint_name"] = aws.ToString(in.EndpointInput.EndpointName)
		}
	}
	if b := d.BaselineConfig; b != nil {
		if b.ConstraintsResource != nil {
			req.ProcessingInputs = append(req.ProcessingInputs, smtypes.ProcessingInput{InputName: aws.String("baseline_constraints"),
				S3Input: &smtypes.ProcessingS3Input{S3Uri: b.ConstraintsResource.S3Uri}})
		}
		if b.StatisticsResource != nil {
			req.ProcessingInputs = append(req.ProcessingInputs, smtypes.ProcessingInput{InputName: aws.String("baseline_statistics"),
				S3Input: &smtypes.ProcessingS3Input{S3Uri: b.StatisticsResource.S3Uri}})
		}
	}
	if o := d.MonitoringOutputConfig; o != nil {
		req.ProcessingOutputConfig = &smtypes.ProcessingOutputConfig{KmsKeyId: o.KmsKeyId}
		if len(o.MonitoringOutputs) > 0 && o.MonitoringOutputs[0].S3Output != nil {
			req.ProcessingOutputConfig.Outputs = []smtypes.ProcessingOutput{{S3Output: &smtypes.ProcessingS3Output{S3Uri: o.MonitoringOutputs[0].S3Output.S3Uri}}}
		}
	}
	if res := d.MonitoringResources; res != nil && res.ClusterConfig != nil {
		c := res.ClusterConfig
		req.ProcessingResources = &smtypes.ProcessingResources{ClusterConfig: &smtypes.ProcessingClusterConfig{
			InstanceType: c.InstanceType, InstanceCount: c.InstanceCount, VolumeSizeInGB: c.VolumeSizeInGB, VolumeKmsKeyId: c.VolumeKmsKeyId}}
	}
	if sc := d.StoppingCondition; sc != nil {
		req.StoppingCondition = &smtypes.ProcessingStoppingCondition{MaxRuntimeInSeconds: sc.MaxRuntimeInSeconds}
	}
	return req
}

// putMonitoringSchedule creates the monitoring schedule, or restores it
// (its config, and started again when stopped) when update finds it.
func (r *monitorResource) putMonitoringSchedule(ctx context.Context, in inputs, job monitorspec.Job, update bool) (string, error) {
	sm := r.data.AWS.SageMaker
	name := in.Name.V
	cfg := job.MonitoringSchedule(in.Schedule.V)
	if update {
		live, err := r.describeMonitoringSchedule(ctx, name)
		switch {
		case err == nil:
			out, err := sm.UpdateMonitoringSchedule(ctx, &sagemaker.UpdateMonitoringScheduleInput{MonitoringScheduleName: aws.String(name), MonitoringScheduleConfig: cfg})
			if err != nil {
				return "", fmt.Errorf("updating monitoring schedule %s: %w", name, err)
			}
			if live.MonitoringScheduleStatus == smtypes.ScheduleStatusStopped {
				if _, err := sm.StartMonitoringSchedule(ctx, &sagemaker.StartMonitoringScheduleInput{MonitoringScheduleName: aws.String(name)}); err != nil {
					return "", fmt.Errorf("starting monitoring schedule %s: %w", name, err)
				}
			}
			return aws.ToString(out.MonitoringScheduleArn), nil
		case !errors.Is(err, errNotFound):
			return "", err
		}
	}
	token, err := idem.NewToken()
	if err != nil {
		return "", err
	}
	tags := maps.Clone(job.Tags)
	tags[idem.TokenTag] = token
	input := &sagemaker.CreateMonitoringScheduleInput{MonitoringScheduleName: aws.String(name), MonitoringScheduleConfig: cfg,
		Tags: shared.TagList(tags, func(k, v *string) smtypes.Tag { return smtypes.Tag{Key: k, Value: v} })}
	return idem.Create[string]{
		What: "monitoring schedule " + name,
		Do: func(ctx context.Context) (string, error) {
			out, err := sm.CreateMonitoringSchedule(ctx, input, noRetrySM)
			if err != nil {
				return "", err
			}
			return aws.ToString(out.MonitoringScheduleArn), nil
		},
		Find: func(ctx context.Context) (string, bool, error) {
			live, err := r.describeMonitoringSchedule(ctx, name)
			if errors.Is(err, errNotFound) {
				return "", false, nil
			}
			if err != nil {
				return "", false, err
			}
			arn := aws.ToString(live.MonitoringScheduleArn)
			t, err := r.scheduleTags(ctx, arn)
			return arn, err == nil && t[idem.TokenTag] == token, err
		},
		Taken: func(err error) bool {
			var inUse *smtypes.ResourceInUse
			return errors.As(err, &inUse)
		},
	}.Run(ctx)
}

func (r *monitorResource) deleteMonitoringSchedule(ctx context.Context, name string) error {
	_, err := r.data.AWS.SageMaker.DeleteMonitoringSchedule(ctx, &sagemaker.DeleteMonitoringScheduleInput{MonitoringScheduleName: aws.String(name)})
	var rnf *smtypes.ResourceNotFound
	if err != nil && !errors.As(err, &rnf) {
		return fmt.Errorf("deleting monitoring schedule %s: %w", name, err)
	}
	return nil
}

// driftAlarm is one drift alarm found by name, for import.
type driftAlarm struct {
	feature   string
	threshold float64
	actions   []string
}

// driftAlarms finds a monitor's drift alarms by their name prefix; the
// feature of the silent alarm comes first (it is the first feature).
func (r *monitorResource) driftAlarms(ctx context.Context, name string) ([]driftAlarm, error) {
	prefix := alarms.MonitorAlarmName(name, alarms.MonitorDriftPrefix)
	p := cloudwatch.NewDescribeAlarmsPaginator(r.data.AWS.CloudWatch, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(prefix)})
	found, err := shared.Collect(ctx, p.HasMorePages, p.NextPage, func(o *cloudwatch.DescribeAlarmsOutput) []cwtypes.MetricAlarm { return o.MetricAlarms })
	if err != nil {
		return nil, err
	}
	silent, _ := alarms.Describe(ctx, r.data.AWS.CloudWatch, []string{alarms.MonitorAlarmName(name, alarms.MonitorSilent)})
	first := ""
	for _, a := range silent {
		first = strings.TrimPrefix(aws.ToString(a.MetricName), "feature_data_")
	}
	var out []driftAlarm
	for _, a := range found {
		f := strings.TrimPrefix(aws.ToString(a.AlarmName), prefix)
		d := driftAlarm{feature: f, threshold: aws.ToFloat64(a.Threshold), actions: a.AlarmActions}
		if f == first {
			out = append([]driftAlarm{d}, out...)
		} else {
			out = append(out, d)
		}
	}
	return out, nil
}
