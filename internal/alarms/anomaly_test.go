package alarms

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func anomalySpecs(t *testing.T, width float64) map[string]Spec {
	t.Helper()
	in := endpointInput()
	in.Thresholds.AnomalyBandWidth = width
	out := map[string]Spec{}
	for _, s := range EndpointSpecs(in) {
		if s.IsAnomaly() {
			out[s.Kind] = s
		}
	}
	if len(out) != len(EndpointAnomalyKinds()) {
		t.Fatalf("anomaly specs: %v", out)
	}
	return out
}

func TestEndpointAnomalySpecs(t *testing.T) {
	specs := anomalySpecs(t, 3)
	inv, lat := specs[EndpointInvocationsAnomaly], specs[EndpointModelLatencyAnomaly]
	if inv.Metric != "Invocations" || inv.Statistic != cwtypes.StatisticSum ||
		inv.Comparison != cwtypes.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold {
		t.Errorf("invocations: %+v", inv)
	}
	if lat.Metric != "ModelLatency" || lat.Comparison != cwtypes.ComparisonOperatorGreaterThanUpperThreshold {
		t.Errorf("latency: %+v", lat)
	}
	in := putInput(inv)
	// CloudWatch refuses a request with both the metric fields and Metrics.
	if in.Namespace != nil || in.MetricName != nil || in.Threshold != nil || in.Statistic != "" || in.Period != nil || in.Dimensions != nil {
		t.Errorf("anomaly alarm request carries single-metric fields: %+v", in)
	}
	// Invocations: a period without traffic counts as 0 (FILL), so a
	// collapse to zero leaves the band; only the filled series and the
	// band are returned.
	if aws.ToString(in.ThresholdMetricId) != "ad1" || len(in.Metrics) != 3 ||
		aws.ToString(in.Metrics[1].Expression) != "FILL(m1, 0)" || !aws.ToBool(in.Metrics[1].ReturnData) || aws.ToBool(in.Metrics[0].ReturnData) ||
		aws.ToString(in.Metrics[2].Expression) != "ANOMALY_DETECTION_BAND(e1, 3)" ||
		aws.ToString(in.Metrics[0].MetricStat.Metric.MetricName) != "Invocations" {
		t.Errorf("invocations anomaly alarm queries: %+v", in.Metrics)
	}
	// Latency: no datapoint without traffic is right (nothing is slow).
	if q := putInput(lat).Metrics; len(q) != 2 || aws.ToString(q[1].Expression) != "ANOMALY_DETECTION_BAND(m1, 3)" || !aws.ToBool(q[0].ReturnData) {
		t.Errorf("latency anomaly alarm queries: %+v", q)
	}
	// A live invocations alarm without the fill (as sagesafe made it
	// before) differs, so the next apply rewrites it.
	unfilled := inv
	unfilled.FillMissing = false
	if d := Diff(inv, heldAs(putInput(unfilled))); !strings.Contains(strings.Join(d, "; "), "FILL(m1, 0)") {
		t.Errorf("an unfilled invocations alarm: diff %v", d)
	}
	// Default width.
	if w := anomalySpecs(t, 0)[EndpointInvocationsAnomaly].AnomalyBandWidth; w != DefaultBandWidth {
		t.Errorf("default width %v", w)
	}
}

func TestAnomalyDiff(t *testing.T) {
	f := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{}}
	ctx := context.Background()
	s := anomalySpecs(t, 2.5)[EndpointModelLatencyAnomaly]
	if err := Put(ctx, f, []Spec{s}); err != nil {
		t.Fatal(err)
	}
	live := f.alarms[s.Name]
	if d := Diff(s, live); len(d) != 0 {
		t.Fatalf("differs right after Put: %v", d)
	}
	if w, ok := BandWidth(live); !ok || w != 2.5 {
		t.Errorf("BandWidth = %v, %v", w, ok)
	}
	wider := s
	wider.AnomalyBandWidth = 4
	cases := map[string]struct {
		spec Spec
		edit func(a *cwtypes.MetricAlarm)
		want string
	}{
		"band width":  {wider, func(*cwtypes.MetricAlarm) {}, "band width is 2.5, want 4"},
		"fixed":       {s, func(a *cwtypes.MetricAlarm) { a.Metrics, a.ThresholdMetricId = nil, nil }, "not an anomaly-detection alarm"},
		"other stat":  {s, func(a *cwtypes.MetricAlarm) { a.Metrics[0].MetricStat.Stat = aws.String("Minimum") }, "statistic is Minimum"},
		"other dims":  {s, func(a *cwtypes.MetricAlarm) { a.Metrics[0].MetricStat.Metric.Dimensions = nil }, "dimensions"},
		"comparison":  {s, func(a *cwtypes.MetricAlarm) { a.ComparisonOperator = cwtypes.ComparisonOperatorLessThanLowerThreshold }, "comparison"},
		"other query": {s, func(a *cwtypes.MetricAlarm) { a.Metrics[1].Expression = aws.String("ANOMALY_DETECTION_BAND(m2, 2.5)") }, "not an anomaly"},
	}
	for name, c := range cases {
		a := live
		a.Metrics = []cwtypes.MetricDataQuery{live.Metrics[0], live.Metrics[1]}
		st := *a.Metrics[0].MetricStat
		m := *st.Metric
		st.Metric = &m
		a.Metrics[0].MetricStat = &st
		c.edit(&a)
		d := Diff(c.spec, a)
		if !strings.Contains(strings.Join(d, "; "), c.want) {
			t.Errorf("%s: diff %v, want one containing %q", name, d, c.want)
		}
	}
}

func TestCheckBandWidth(t *testing.T) {
	for _, ok := range []float64{MinBandWidth, DefaultBandWidth, MaxBandWidth} {
		if err := CheckBandWidth(ok); err != nil {
			t.Errorf("%v refused: %v", ok, err)
		}
	}
	for _, bad := range []float64{0, -1, 0.1, 10.5} {
		if CheckBandWidth(bad) == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestAnomalyMetric(t *testing.T) {
	f := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{}}
	specs := anomalySpecs(t, 2)
	s := specs[EndpointInvocationsAnomaly]
	if err := Put(context.Background(), f, []Spec{s, EndpointSpecs(endpointInput())[0]}); err != nil {
		t.Fatal(err)
	}
	if got := AnomalyMetric(f.alarms[s.Name], s.Namespace, s.Dimensions); got != "Invocations" {
		t.Errorf("anomaly alarm watches %q", got)
	}
	if got := AnomalyMetric(f.alarms[EndpointAlarmName("churn", EndpointErrorRate5XX)], s.Namespace, s.Dimensions); got != "" {
		t.Errorf("fixed alarm reported as anomaly of %q", got)
	}
}

// TestAnomalyMetricRefusesAlarmThatNeverFires: an alarm on the right metric
// name is not the endpoint's anomaly alarm when its band is too wide ever to
// breach, or it watches another namespace or another endpoint (the red
// team's RT-5).
func TestAnomalyMetricRefusesAlarmThatNeverFires(t *testing.T) {
	f := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{}}
	s := anomalySpecs(t, 2)[EndpointInvocationsAnomaly]
	if err := Put(context.Background(), f, []Spec{s}); err != nil {
		t.Fatal(err)
	}
	good := f.alarms[s.Name]
	band := func(w float64) string {
		x := s
		x.AnomalyBandWidth = w
		return bandExpression(x)
	}
	mutate := func(change func(*cwtypes.MetricAlarm)) cwtypes.MetricAlarm {
		a := good
		a.Metrics = slices.Clone(good.Metrics)
		stat := *a.Metrics[0].MetricStat
		metric := *stat.Metric
		stat.Metric = &metric
		a.Metrics[0].MetricStat = &stat
		change(&a)
		return a
	}
	for name, a := range map[string]cwtypes.MetricAlarm{
		"band of 1e6":     mutate(func(a *cwtypes.MetricAlarm) { a.Metrics[len(a.Metrics)-1].Expression = aws.String(band(1e6)) }),
		"band of 0.1":     mutate(func(a *cwtypes.MetricAlarm) { a.Metrics[len(a.Metrics)-1].Expression = aws.String(band(0.1)) }),
		"e1 not the fill": mutate(func(a *cwtypes.MetricAlarm) { a.Metrics[1].Expression = aws.String("m1 * 0") }),
		"other namespace": mutate(func(a *cwtypes.MetricAlarm) { a.Metrics[0].MetricStat.Metric.Namespace = aws.String("Nobody/Emits") }),
		"other endpoint": mutate(func(a *cwtypes.MetricAlarm) {
			a.Metrics[0].MetricStat.Metric.Dimensions = dimensions(map[string]string{"EndpointName": "other", "VariantName": "AllTraffic"})
		}),
		"no variant named": mutate(func(a *cwtypes.MetricAlarm) {
			a.Metrics[0].MetricStat.Metric.Dimensions = dimensions(map[string]string{"EndpointName": "churn"})
		}),
	} {
		if got := AnomalyMetric(a, s.Namespace, s.Dimensions); got != "" {
			t.Errorf("%s: AnomalyMetric = %q, want none", name, got)
		}
	}
	if got := AnomalyMetric(good, s.Namespace, s.Dimensions); got != "Invocations" {
		t.Errorf("the alarm as built: AnomalyMetric = %q", got)
	}
}
