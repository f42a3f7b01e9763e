package acctest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

// EditAlarm changes a live alarm out of band the way a person would: it
// reads the alarm, copies every setting into a PutMetricAlarm (CloudWatch
// has no partial update), lets edit change the copy, and puts it back.
func EditAlarm(t *testing.T, name string, edit func(*cloudwatch.PutMetricAlarmInput)) {
	t.Helper()
	EditAlarmWith(t, AWS(t).CloudWatch, name, edit)
}

// EditAlarmWith is EditAlarm with the CloudWatch client of a given emulator.
func EditAlarmWith(t *testing.T, cw *cloudwatch.Client, name string, edit func(*cloudwatch.PutMetricAlarmInput)) {
	t.Helper()
	ctx := context.Background()
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		t.Fatalf("describing alarm %s: %v", name, err)
	}
	if len(out.MetricAlarms) != 1 {
		t.Fatalf("alarm %s: %d found", name, len(out.MetricAlarms))
	}
	a := out.MetricAlarms[0]
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName: a.AlarmName, AlarmDescription: a.AlarmDescription, ActionsEnabled: a.ActionsEnabled,
		AlarmActions: a.AlarmActions, OKActions: a.OKActions, InsufficientDataActions: a.InsufficientDataActions,
		Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions, Unit: a.Unit,
		Statistic: a.Statistic, ExtendedStatistic: a.ExtendedStatistic, Period: a.Period,
		EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm, Threshold: a.Threshold,
		ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData,
		EvaluateLowSampleCountPercentile: a.EvaluateLowSampleCountPercentile,
	}
	edit(in)
	if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
		t.Fatalf("editing alarm %s: %v", name, err)
	}
	check, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		t.Fatalf("re-reading alarm %s: %v", name, err)
	}
	if len(check.MetricAlarms) != 1 {
		t.Fatalf("alarm %s is gone after the edit", name)
	}
	got := check.MetricAlarms[0]
	if aws.ToString(got.TreatMissingData) != aws.ToString(in.TreatMissingData) || aws.ToInt32(got.DatapointsToAlarm) != aws.ToInt32(in.DatapointsToAlarm) {
		t.Fatalf("the emulator did not keep the edit of alarm %s: treat missing data %q, datapoints to alarm %d",
			name, aws.ToString(got.TreatMissingData), aws.ToInt32(got.DatapointsToAlarm))
	}
}
