package alarms

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// The at-maximum alarm exists only with autoscaling, and its threshold
// follows the maximum.
func TestEndpointAtMaxSpec(t *testing.T) {
	in := endpointInput()
	if specs := EndpointSpecs(in); len(specs) != len(EndpointKinds()) {
		t.Fatalf("without autoscaling: %d specs, want %d (no at-maximum alarm)", len(specs), len(EndpointKinds()))
	}
	for _, maxInstances := range []int64{1, 4, 11} {
		in.MaxInstances = maxInstances
		specs := EndpointSpecs(in)
		if len(specs) != len(EndpointKinds())+1 {
			t.Fatalf("max %d: %d specs, want %d", maxInstances, len(specs), len(EndpointKinds())+1)
		}
		s := specs[len(specs)-1]
		if s.Kind != EndpointAtMaxInstances || s.Name != "sagesafe-endpoint-churn-at-max-instances" || !s.IsMath() || s.IsAnomaly() {
			t.Fatalf("max %d: spec %+v", maxInstances, s)
		}
		// Half an instance below the maximum: the count at the maximum
		// breaches, one instance fewer does not.
		if want := float64(maxInstances) - 0.5; s.Threshold != want || s.Comparison != cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold {
			t.Errorf("max %d: threshold %s %v, want >= %v", maxInstances, s.Comparison, s.Threshold, want)
		}
		if !strings.Contains(s.Description, "maximum of "+num(float64(maxInstances))+" instances") {
			t.Errorf("max %d: description %q", maxInstances, s.Description)
		}
		if s.TreatMissingData != "notBreaching" || s.EvaluationPeriods != 3 || s.DatapointsToAlarm != 3 || s.PeriodSeconds != 300 {
			t.Errorf("max %d: %+v", maxInstances, s)
		}
		if !slices.Equal(s.Actions, in.Actions) || s.Tags["team"] != "ml" {
			t.Errorf("max %d: actions %v tags %v", maxInstances, s.Actions, s.Tags)
		}
	}
}

// The request carries the expression Invocations / InvocationsPerInstance
// (both Sum per period, on the variant), returns only the expression, and
// has a threshold but no metric of its own.
func TestAtMaxPutInput(t *testing.T) {
	in := putInput(EndpointAtMaxSpec("churn", "AllTraffic", 4, nil, nil))
	if in.MetricName != nil || in.Namespace != nil || in.Statistic != "" || in.Period != nil || in.ThresholdMetricId != nil {
		t.Errorf("a metric-math alarm names no metric, statistic or period of its own: %+v", in)
	}
	if aws.ToFloat64(in.Threshold) != 3.5 {
		t.Errorf("threshold %v, want 3.5", aws.ToFloat64(in.Threshold))
	}
	metrics := map[string]string{}
	var returned []string
	for _, q := range in.Metrics {
		if aws.ToBool(q.ReturnData) {
			returned = append(returned, aws.ToString(q.Id))
		}
		if q.MetricStat == nil {
			if got := aws.ToString(q.Expression); got != "invocations / per_instance" {
				t.Errorf("expression %q", got)
			}
			continue
		}
		st := q.MetricStat
		metrics[aws.ToString(q.Id)] = aws.ToString(st.Metric.MetricName)
		if aws.ToString(st.Metric.Namespace) != "AWS/SageMaker" || aws.ToString(st.Stat) != "Sum" || aws.ToInt32(st.Period) != 300 ||
			len(st.Metric.Dimensions) != 2 {
			t.Errorf("query %s: %+v", aws.ToString(q.Id), st)
		}
	}
	if metrics["invocations"] != "Invocations" || metrics["per_instance"] != "InvocationsPerInstance" || len(metrics) != 2 {
		t.Errorf("metrics %v", metrics)
	}
	if !slices.Equal(returned, []string{"instances"}) {
		t.Errorf("returned queries %v, want only the expression", returned)
	}
}

// A live alarm as put matches; one with another threshold, expression or
// metric, or turned into a plain metric alarm, differs.
func TestAtMaxDiff(t *testing.T) {
	f := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{}}
	s := EndpointAtMaxSpec("churn", "AllTraffic", 4, []string{"arn:aws:sns:us-east-1:123456789012:ml"}, nil)
	if err := Put(context.Background(), f, []Spec{s}); err != nil {
		t.Fatal(err)
	}
	live := f.alarms[s.Name]
	if d := Diff(s, live); len(d) != 0 {
		t.Fatalf("differs right after Put: %v", d)
	}
	if d := Diff(EndpointAtMaxSpec("churn", "AllTraffic", 6, s.Actions, nil), live); !hasDiff(d, "threshold is 3.5, want 5.5") {
		t.Errorf("a changed maximum: %v", d)
	}
	edit := func(change func(qs []cwtypes.MetricDataQuery)) cwtypes.MetricAlarm {
		a := live
		a.Metrics = make([]cwtypes.MetricDataQuery, len(live.Metrics))
		for i, q := range live.Metrics {
			if q.MetricStat != nil {
				st, m := *q.MetricStat, *q.MetricStat.Metric
				st.Metric = &m
				q.MetricStat = &st
			}
			a.Metrics[i] = q
		}
		change(a.Metrics)
		return a
	}
	for name, a := range map[string]cwtypes.MetricAlarm{
		"expression": edit(func(qs []cwtypes.MetricDataQuery) { qs[len(qs)-1].Expression = aws.String("invocations") }),
		"metric":     edit(func(qs []cwtypes.MetricDataQuery) { qs[0].MetricStat.Metric.MetricName = aws.String("ModelLatency") }),
		"statistic":  edit(func(qs []cwtypes.MetricDataQuery) { qs[1].MetricStat.Stat = aws.String("Average") }),
		"plain":      {AlarmName: live.AlarmName, MetricName: aws.String("Invocations"), Threshold: live.Threshold, ActionsEnabled: aws.Bool(true)},
	} {
		if d := Diff(s, a); len(d) == 0 {
			t.Errorf("%s changed: no diff", name)
		}
	}
}

func hasDiff(d []string, want string) bool {
	return slices.ContainsFunc(d, func(s string) bool { return strings.Contains(s, want) })
}
