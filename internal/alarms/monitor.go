package alarms

import (
	"fmt"
	"maps"
	"strings"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// MonitorNamespace is where data-quality monitoring jobs publish their
// per-feature metrics for a real-time endpoint, with the dimensions
// Endpoint and MonitoringSchedule. The sources disagree (the SageMaker
// Python SDK's dashboards use this name; a Model Monitor guide page names
// "/aws/sagemaker/Endpoints/data-metric" with EndpointName/ScheduleName);
// the SDK's, which its own analyzer is paired with, is the one used here.
const MonitorNamespace = "aws/sagemaker/Endpoints/data-metrics"

// QualityNamespace is where model-quality monitoring jobs publish their
// metrics for a real-time endpoint (accuracy, auc, rmse, ...), with the
// data-quality metrics' dimensions Endpoint and MonitoringSchedule. As for
// data quality the sources disagree on the names (MonitorNamespace); this
// is the SageMaker Python SDK's model-quality dashboard's, the counterpart
// of the data-quality namespace used here, not confirmed by a live run.
const QualityNamespace = "aws/sagemaker/Endpoints/model-metrics"

// MonitorQuality is the kind of the model-quality alarm in alarm_names.
const MonitorQuality = "quality"

// QualityAlarm is the model-quality alarm of a monitor: metric past
// threshold, above when HigherIsWorse (errors), else below.
type QualityAlarm struct {
	Metric        string
	Threshold     float64
	HigherIsWorse bool
}

// Alarm kinds of a model monitor: one drift alarm per feature, keyed
// "drift/<feature>" in alarm_names, and the silent alarm.
const (
	MonitorDriftPrefix = "drift/"
	MonitorSilent      = "silent"
)

// MonitorDriftMetric and MonitorDataMetric are the per-feature metrics of
// a data-quality run: its distance from the baseline, and the count of
// values it analysed (every successful run publishes it). Both engines
// produce the same names: Model Monitor publishes them itself; for the
// scheduled engine sagesafe's log metric filters make them from the run's
// log lines (monitorspec.LogMetricFilters).
func MonitorDriftMetric(feature string) string { return "feature_baseline_drift_" + feature }

// MonitorDataMetric: see MonitorDriftMetric.
func MonitorDataMetric(feature string) string { return "feature_data_" + feature }

// MonitorDimensions are the dimensions of the per-feature metrics.
const (
	MonitorEndpointDimension = "Endpoint"
	MonitorScheduleDimension = "MonitoringSchedule"
)

// MonitorInput is what MonitorSpecs needs.
type MonitorInput struct {
	Monitor  string // the monitor's name: the MonitoringSchedule dimension
	Endpoint string
	// Features are the features with a drift alarm; the first also carries
	// the silent alarm. At least one is required.
	Features       []string
	DriftThreshold float64
	// IntervalSeconds is the schedule's period: the alarms' period.
	IntervalSeconds int32
	Actions         []string
	Tags            map[string]string
	// Quality, when set, adds the model-quality alarm.
	Quality *QualityAlarm
}

// MonitorAlarmName is "sagesafe-monitor-<monitor>-<suffix>".
func MonitorAlarmName(monitor, kind string) string {
	if f, ok := strings.CutPrefix(kind, MonitorDriftPrefix); ok {
		return fmt.Sprintf("%s%s-drift-%s", MonitorAlarmPrefix, monitor, f)
	}
	return fmt.Sprintf("%s%s-%s", MonitorAlarmPrefix, monitor, kind)
}

// MonitorAlarmPrefix starts the name of every model monitor's alarms: what
// the monitors refreshed in one command list their alarms by, once.
const MonitorAlarmPrefix = "sagesafe-monitor-"

// monitorSilentEvals is how many periods without a metric make the silent
// alarm fire: two, so a run that publishes late in its period (the job
// takes minutes to start and analyse) does not trip it, while a whole
// missed period does. CloudWatch allows Period x EvaluationPeriods up to 7
// days for periods of an hour or more.
const monitorSilentEvals = 2

// MonitorSpecs returns the alarms of a model monitor:
//   - drift/<feature>: the Maximum of feature_baseline_drift_<feature> above
//     the drift threshold in a schedule period (one run publishes one value;
//     Maximum, unlike Sum, is not doubled by a retried run). Missing data
//     (no run yet) is not breaching: the silent alarm covers it.
//   - silent: the SampleCount of feature_data_<first feature>, which every
//     successful run publishes, below 1 for two schedule periods, missing
//     data breaching. CloudWatch has no metric for a failed monitoring
//     execution; a run that failed, was never started (schedule disabled or
//     deleted, scheduler role broken) or published nothing looks exactly
//     like this.
func MonitorSpecs(in MonitorInput) []Spec {
	dims := map[string]string{MonitorEndpointDimension: in.Endpoint, MonitorScheduleDimension: in.Monitor}
	mk := func(kind, metric, desc string) Spec {
		return Spec{
			Kind:              kind,
			Name:              MonitorAlarmName(in.Monitor, kind),
			Description:       desc + " Managed by sagesafe_model_monitor " + in.Monitor + ".",
			Namespace:         MonitorNamespace,
			Metric:            metric,
			Dimensions:        maps.Clone(dims),
			PeriodSeconds:     in.IntervalSeconds,
			EvaluationPeriods: 1,
			DatapointsToAlarm: 1,
			TreatMissingData:  "notBreaching",
			Actions:           append([]string(nil), in.Actions...),
			Tags:              maps.Clone(in.Tags),
		}
	}
	var out []Spec
	for _, f := range in.Features {
		s := mk(MonitorDriftPrefix+f, MonitorDriftMetric(f),
			fmt.Sprintf("Feature %s of endpoint %s drifted from its baseline by more than %g.", f, in.Endpoint, in.DriftThreshold))
		s.Statistic, s.Threshold = cwtypes.StatisticMaximum, in.DriftThreshold
		s.Comparison = cwtypes.ComparisonOperatorGreaterThanThreshold
		out = append(out, s)
	}
	if len(in.Features) > 0 {
		s := mk(MonitorSilent, MonitorDataMetric(in.Features[0]),
			"No monitoring run of endpoint "+in.Endpoint+" published metrics for two schedule periods: runs fail, are not started, or the endpoint captures nothing.")
		s.Statistic, s.Threshold = cwtypes.StatisticSampleCount, 1
		s.Comparison = cwtypes.ComparisonOperatorLessThanThreshold
		s.EvaluationPeriods, s.DatapointsToAlarm = monitorSilentEvals, monitorSilentEvals
		s.TreatMissingData = "breaching"
		out = append(out, s)
	}
	if q := in.Quality; q != nil {
		out = append(out, qualitySpec(mk, in.Endpoint, *q))
	}
	return out
}

// qualitySpec is the model-quality alarm: the worst value of the metric in
// a schedule period past the threshold (Minimum below it for a score,
// Maximum above it for an error; a retried run does not change either),
// missing data not breaching (the silent alarm covers runs that publish
// nothing).
func qualitySpec(mk func(kind, metric, desc string) Spec, endpoint string, q QualityAlarm) Spec {
	way, stat, cmp := "below", cwtypes.StatisticMinimum, cwtypes.ComparisonOperatorLessThanThreshold
	if q.HigherIsWorse {
		way, stat, cmp = "above", cwtypes.StatisticMaximum, cwtypes.ComparisonOperatorGreaterThanThreshold
	}
	s := mk(MonitorQuality, q.Metric, fmt.Sprintf("Model quality of endpoint %s: %s %s %g against the ground truth.", endpoint, q.Metric, way, q.Threshold))
	s.Namespace = QualityNamespace
	s.Statistic, s.Threshold, s.Comparison = stat, q.Threshold, cmp
	return s
}
