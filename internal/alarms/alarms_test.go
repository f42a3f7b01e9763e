package alarms

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

type fakeCW struct {
	alarms   map[string]cwtypes.MetricAlarm
	describe int
}

func (f *fakeCW) PutMetricAlarm(_ context.Context, in *cloudwatch.PutMetricAlarmInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error) {
	f.alarms[aws.ToString(in.AlarmName)] = heldAs(in)
	return &cloudwatch.PutMetricAlarmOutput{}, nil
}

func (f *fakeCW) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	f.describe++
	if len(in.AlarmNames) > 100 {
		return nil, fmt.Errorf("too many names: %d", len(in.AlarmNames))
	}
	if in.AlarmNamePrefix != nil {
		return f.describePrefix(in)
	}
	out := &cloudwatch.DescribeAlarmsOutput{}
	for _, n := range in.AlarmNames {
		if a, ok := f.alarms[n]; ok {
			out.MetricAlarms = append(out.MetricAlarms, a)
		}
	}
	return out, nil
}

// describePrefix answers by name prefix, in name order, MaxRecords a page
// (CloudWatch's paging: NextToken until the last page).
func (f *fakeCW) describePrefix(in *cloudwatch.DescribeAlarmsInput) (*cloudwatch.DescribeAlarmsOutput, error) {
	var names []string
	for n := range f.alarms {
		if strings.HasPrefix(n, aws.ToString(in.AlarmNamePrefix)) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	start := 0
	if in.NextToken != nil {
		fmt.Sscan(aws.ToString(in.NextToken), &start)
	}
	end := min(start+int(aws.ToInt32(in.MaxRecords)), len(names))
	out := &cloudwatch.DescribeAlarmsOutput{}
	for _, n := range names[start:end] {
		out.MetricAlarms = append(out.MetricAlarms, f.alarms[n])
	}
	if end < len(names) {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func (f *fakeCW) DeleteAlarms(_ context.Context, in *cloudwatch.DeleteAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error) {
	for _, n := range in.AlarmNames {
		delete(f.alarms, n)
	}
	return &cloudwatch.DeleteAlarmsOutput{}, nil
}

func spec(name string) Spec {
	return Spec{
		Kind: "error_rate_5xx", Name: name, Description: "5XX rate.", Namespace: "AWS/SageMaker", Metric: "Invocation5XXErrors",
		Dimensions: map[string]string{"EndpointName": "e", "VariantName": "AllTraffic"},
		Statistic:  cwtypes.StatisticAverage, PeriodSeconds: 60, EvaluationPeriods: 5, DatapointsToAlarm: 5,
		Threshold: 0.05, Comparison: cwtypes.ComparisonOperatorGreaterThanThreshold, TreatMissingData: "notBreaching",
		Actions: []string{"arn:aws:sns:us-east-1:123456789012:t"},
	}
}

func TestPutDescribeDiffDelete(t *testing.T) {
	f := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{}}
	ctx := context.Background()
	var specs []Spec
	var names []string
	for i := range 150 {
		specs = append(specs, spec(fmt.Sprintf("a%d", i)))
		names = append(names, specs[i].Name)
	}
	if err := Put(ctx, f, specs); err != nil {
		t.Fatal(err)
	}
	live, err := Describe(ctx, f, names)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 150 || f.describe != 2 {
		t.Fatalf("want 150 alarms in 2 DescribeAlarms calls, got %d in %d", len(live), f.describe)
	}
	if d := Diff(specs[0], live["a0"]); len(d) != 0 {
		t.Fatalf("a freshly put alarm must not differ: %v", d)
	}

	weakened := live["a0"]
	weakened.ActionsEnabled = aws.Bool(false)
	weakened.AlarmActions = nil
	weakened.Threshold = aws.Float64(1)
	d := strings.Join(Diff(specs[0], weakened), "; ")
	for _, want := range []string{"actions are disabled", "threshold", "actions is"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff %q lacks %q", d, want)
		}
	}

	if err := Delete(ctx, f, names); err != nil || len(f.alarms) != 0 {
		t.Fatalf("delete: %v, %d left", err, len(f.alarms))
	}
}

func TestExtendedStatistic(t *testing.T) {
	f := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{}}
	s := spec("lat")
	s.Statistic, s.ExtendedStatistic = "", "p99"
	if err := Put(context.Background(), f, []Spec{s}); err != nil {
		t.Fatal(err)
	}
	got := f.alarms["lat"]
	if aws.ToString(got.ExtendedStatistic) != "p99" || got.Statistic != "" {
		t.Fatalf("extended statistic not sent alone: %+v", got)
	}
	if d := Diff(s, got); len(d) != 0 {
		t.Fatalf("diff: %v", d)
	}
}

// TestDiffMutedAlarm: an alarm muted without disabling its actions is
// drift. Each case changes one field of a freshly put alarm the way a person
// silencing it would; the diff must name it.
func TestDiffMutedAlarm(t *testing.T) {
	f := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{}}
	s := spec("a")
	if err := Put(context.Background(), f, []Spec{s}); err != nil {
		t.Fatal(err)
	}
	put := f.alarms["a"]
	cases := []struct {
		want   string
		weaken func(*cwtypes.MetricAlarm)
	}{
		{"treat missing data is ignore, want notBreaching", func(a *cwtypes.MetricAlarm) { a.TreatMissingData = aws.String("ignore") }},
		{"treat missing data is missing, want notBreaching", func(a *cwtypes.MetricAlarm) { a.TreatMissingData = nil }},
		{"datapoints to alarm is 50, want 5", func(a *cwtypes.MetricAlarm) { a.DatapointsToAlarm = aws.Int32(50) }},
		{"datapoints to alarm is 10, want 5", func(a *cwtypes.MetricAlarm) { a.DatapointsToAlarm, a.EvaluationPeriods = nil, aws.Int32(10) }},
		{"evaluation periods is 60, want 5", func(a *cwtypes.MetricAlarm) { a.EvaluationPeriods = aws.Int32(60) }},
		{"period is 86400, want 60", func(a *cwtypes.MetricAlarm) { a.Period = aws.Int32(86400) }},
		{"statistic is Minimum, want Average", func(a *cwtypes.MetricAlarm) { a.Statistic = cwtypes.StatisticMinimum }},
		{"unit is Seconds, want none", func(a *cwtypes.MetricAlarm) { a.Unit = cwtypes.StandardUnitSeconds }},
		{"metric is AWS/SageMaker/Invocations", func(a *cwtypes.MetricAlarm) { a.MetricName = aws.String("Invocations") }},
		{"dimensions is map[EndpointName:other", func(a *cwtypes.MetricAlarm) {
			a.Dimensions = []cwtypes.Dimension{{Name: aws.String("EndpointName"), Value: aws.String("other")}}
		}},
		{"comparison is LessThanThreshold", func(a *cwtypes.MetricAlarm) { a.ComparisonOperator = cwtypes.ComparisonOperatorLessThanThreshold }},
		{`description is "muted", want "5XX rate."`, func(a *cwtypes.MetricAlarm) { a.AlarmDescription = aws.String("muted") }},
	}
	for _, c := range cases {
		live := put
		live.Dimensions = slices.Clone(put.Dimensions)
		c.weaken(&live)
		if d := strings.Join(Diff(s, live), "; "); !strings.Contains(d, c.want) {
			t.Errorf("diff %q lacks %q", d, c.want)
		}
	}
	// CloudWatch leaves DatapointsToAlarm out when it equals
	// EvaluationPeriods: not drift.
	live := put
	live.DatapointsToAlarm = nil
	if d := Diff(s, live); len(d) != 0 {
		t.Errorf("DatapointsToAlarm left out (= EvaluationPeriods) is not drift: %v", d)
	}
	// Percentiles over few samples ignored mute a p99 alarm.
	p99 := s
	p99.Statistic, p99.ExtendedStatistic = "", "p99"
	live = put
	live.Statistic, live.ExtendedStatistic = "", aws.String("p99")
	if d := Diff(p99, live); len(d) != 0 {
		t.Fatalf("diff: %v", d)
	}
	live.EvaluateLowSampleCountPercentile = aws.String("ignore")
	if d := strings.Join(Diff(p99, live), "; "); !strings.Contains(d, "low sample count percentiles is ignore") {
		t.Errorf("diff %q lacks the ignored low-sample percentiles", d)
	}
}

// TestListByPrefix: every page is read (250 alarms, 100 a page: 3 calls),
// only alarms under the prefix are returned, and without their state.
func TestListByPrefix(t *testing.T) {
	f := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{}}
	for i := range 250 {
		n := fmt.Sprintf("sagesafe-endpoint-e%03d-cpu", i)
		f.alarms[n] = cwtypes.MetricAlarm{AlarmName: aws.String(n)}
	}
	f.alarms["sagesafe-training-j-algo-1-cpu"] = cwtypes.MetricAlarm{AlarmName: aws.String("sagesafe-training-j-algo-1-cpu")}
	f.alarms["sagesafe-endpoint-e000-cpu"] = cwtypes.MetricAlarm{AlarmName: aws.String("sagesafe-endpoint-e000-cpu"), MetricName: aws.String("CPUUtilization"),
		StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("Threshold Crossed"), StateReasonData: aws.String(`{"version":"1.0"}`)}
	got, err := ListByPrefix(context.Background(), f, EndpointAlarmPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 250 || f.describe != 3 {
		t.Fatalf("got %d alarms in %d calls, want 250 in 3", len(got), f.describe)
	}
	if _, ok := got["sagesafe-endpoint-e249-cpu"]; !ok {
		t.Fatal("the last page was not read")
	}
	// The listing keeps the configuration, not the state (withoutState).
	if a := got["sagesafe-endpoint-e000-cpu"]; aws.ToString(a.MetricName) != "CPUUtilization" || a.StateValue != "" || a.StateReason != nil || a.StateReasonData != nil {
		t.Errorf("listed alarm %+v: want its metric and no state", a)
	}
}
