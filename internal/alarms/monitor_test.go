package alarms

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func TestMonitorSpecs(t *testing.T) {
	specs := MonitorSpecs(MonitorInput{Monitor: "churn-drift", Endpoint: "churn", Features: []string{"age", "income"},
		DriftThreshold: 0.2, IntervalSeconds: 3600, Actions: []string{"arn:aws:sns:us-east-1:1:t"}})
	if len(specs) != 3 {
		t.Fatalf("got %d specs, want 2 drift + 1 silent", len(specs))
	}
	d := specs[1]
	if d.Kind != "drift/income" || d.Name != "sagesafe-monitor-churn-drift-drift-income" || d.Metric != "feature_baseline_drift_income" ||
		d.Namespace != MonitorNamespace || d.Dimensions["Endpoint"] != "churn" || d.Dimensions["MonitoringSchedule"] != "churn-drift" ||
		d.Comparison != cwtypes.ComparisonOperatorGreaterThanThreshold || d.Threshold != 0.2 || d.TreatMissingData != "notBreaching" ||
		d.PeriodSeconds != 3600 || d.Statistic != cwtypes.StatisticMaximum {
		t.Errorf("drift spec: %+v", d)
	}
	s := specs[2]
	if s.Kind != MonitorSilent || s.Metric != "feature_data_age" || s.TreatMissingData != "breaching" ||
		s.Comparison != cwtypes.ComparisonOperatorLessThanThreshold || s.Threshold != 1 || s.EvaluationPeriods != 2 ||
		s.Statistic != cwtypes.StatisticSampleCount || s.PeriodSeconds*s.EvaluationPeriods > 7*86400 {
		t.Errorf("silent spec: %+v", s)
	}
	// Put and Diff agree on the specs: a put alarm read back has no drift,
	// a changed threshold or missing-data treatment has.
	for _, sp := range specs {
		in := putInput(sp)
		live := cwtypes.MetricAlarm{AlarmName: in.AlarmName, AlarmDescription: in.AlarmDescription, ActionsEnabled: aws.Bool(true),
			AlarmActions: in.AlarmActions, Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: in.Dimensions,
			Statistic: in.Statistic, Period: in.Period, EvaluationPeriods: in.EvaluationPeriods, DatapointsToAlarm: in.DatapointsToAlarm,
			Threshold: in.Threshold, ComparisonOperator: in.ComparisonOperator, TreatMissingData: in.TreatMissingData}
		if d := Diff(sp, live); len(d) != 0 {
			t.Errorf("%s: put alarm differs from its spec: %v", sp.Name, d)
		}
		live.TreatMissingData = aws.String("ignore")
		if d := Diff(sp, live); len(d) == 0 {
			t.Errorf("%s: muted alarm not reported", sp.Name)
		}
	}
}

func TestMonitorSpecsWithoutFeatures(t *testing.T) {
	if got := MonitorSpecs(MonitorInput{Monitor: "m", Endpoint: "e", IntervalSeconds: 3600}); len(got) != 0 {
		t.Errorf("got %d specs without features, want none (the resource requires one)", len(got))
	}
}

// TestMonitorQualitySpec: a score alarms below its threshold on the
// period's Minimum, an error above on the Maximum, in the model-metrics
// namespace with the drift alarms' dimensions, missing data not breaching.
func TestMonitorQualitySpec(t *testing.T) {
	base := MonitorInput{Monitor: "m", Endpoint: "e", Features: []string{"age"}, IntervalSeconds: 3600}
	if specs := MonitorSpecs(base); len(specs) != 2 {
		t.Fatalf("without model quality: %d specs", len(specs))
	}
	score := base
	score.Quality = &QualityAlarm{Metric: "auc", Threshold: 0.8}
	specs := MonitorSpecs(score)
	q := specs[len(specs)-1]
	if q.Kind != MonitorQuality || q.Name != "sagesafe-monitor-m-quality" || q.Namespace != QualityNamespace || q.Metric != "auc" ||
		q.Comparison != cwtypes.ComparisonOperatorLessThanThreshold || q.Statistic != cwtypes.StatisticMinimum || q.Threshold != 0.8 ||
		q.TreatMissingData != "notBreaching" || q.Dimensions["Endpoint"] != "e" || q.Dimensions["MonitoringSchedule"] != "m" {
		t.Errorf("score alarm %+v", q)
	}
	errm := base
	errm.Quality = &QualityAlarm{Metric: "rmse", Threshold: 3, HigherIsWorse: true}
	specs = MonitorSpecs(errm)
	q = specs[len(specs)-1]
	if q.Comparison != cwtypes.ComparisonOperatorGreaterThanThreshold || q.Statistic != cwtypes.StatisticMaximum || q.Threshold != 3 {
		t.Errorf("error alarm %+v", q)
	}
}
