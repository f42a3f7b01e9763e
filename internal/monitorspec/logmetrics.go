// The scheduled engine's metrics: a run of that engine is a plain
// processing job with network isolation forced, so its container cannot
// call CloudWatch and nothing publishes Model Monitor's
// /opt/ml/output/metrics/cloudwatch file for it (only the Model Monitor
// service does, for its own executions). Its only ways out are its S3
// output and its logs, which SageMaker delivers to
// /aws/sagemaker/ProcessingJobs. So the container prints one JSON line per
// feature (the contract below) and metric filters on that log group turn
// the lines into the metrics the alarms watch, with the same names,
// namespace and dimensions as Model Monitor's.

package monitorspec

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
)

// LogGroup is where SageMaker delivers every processing job's stdout and
// stderr (stream "<job name>/algo-1-<timestamp>"), the runs of both
// engines included.
const LogGroup = "/aws/sagemaker/ProcessingJobs"

// Environment variables of every run that name what its metric lines must
// carry (set by Job.Environment, the Model Monitor container contract's
// names).
const (
	EnvMonitor  = "sagemaker_monitoring_schedule_name"
	EnvEndpoint = "sagemaker_endpoint_name"
)

// LogLine is the container contract of the scheduled engine: per run and
// per feature, one line of this JSON object on stdout.
type LogLine struct {
	Monitor  string `json:"sagesafe_monitor"` // $sagemaker_monitoring_schedule_name
	Endpoint string `json:"endpoint"`         // $sagemaker_endpoint_name
	Feature  string `json:"feature"`
	// BaselineDrift is the feature's distance from the baseline (0 to 1),
	// what Model Monitor publishes as feature_baseline_drift_<feature>.
	BaselineDrift float64 `json:"baseline_drift"`
	// Data is how many values of the feature the run analysed, what Model
	// Monitor publishes as feature_data_<feature>.
	Data float64 `json:"data"`
}

// String is the line as the container prints it.
func (l LogLine) String() string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // a line as a person or a wrapper writes it
	_ = enc.Encode(l)        // strings and floats only: cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}

// Field selectors of the contract, for the patterns and the metrics.
const (
	selMonitor  = "$.sagesafe_monitor"
	selEndpoint = "$.endpoint"
	selFeature  = "$.feature"
	selDrift    = "$.baseline_drift"
	selData     = "$.data"
)

// FilterPattern matches the contract lines of one feature of one monitor
// of one endpoint. The values are quoted: names are letters, digits and
// "_.-" (the schema's validators), never a quote.
func FilterPattern(monitor, endpoint, feature string) string {
	return fmt.Sprintf(`{ (%s = %q) && (%s = %q) && (%s = %q) }`, selMonitor, monitor, selEndpoint, endpoint, selFeature, feature)
}

// FilterPrefix starts the name of every metric filter of monitor.
func FilterPrefix(monitor string) string { return "sagesafe-monitor-" + monitor + "-" }

// MetricFilter is one filter of LogGroup: pattern and one metric (a
// filter takes one transformation), the dimensions field selectors.
type MetricFilter struct {
	Name, Pattern, Namespace, Metric, Value string
	Dimensions                              map[string]string
}

// LogMetricFilters are the metric filters of a scheduled-engine monitor:
// per feature, feature_baseline_drift_<feature> from baseline_drift, and for
// the first feature (the silent alarm's) feature_data_<feature> from data.
// The dimensions come from the line itself (CloudWatch takes only field
// selectors as dimension values); the pattern admits only lines whose
// fields equal this monitor's, so they are the alarms' dimensions.
func LogMetricFilters(monitor, endpoint string, features []string) []MetricFilter {
	dims := map[string]string{alarms.MonitorEndpointDimension: selEndpoint, alarms.MonitorScheduleDimension: selMonitor}
	mk := func(kind, feature, metric, value string) MetricFilter {
		return MetricFilter{
			Name: FilterPrefix(monitor) + kind + "-" + feature, Pattern: FilterPattern(monitor, endpoint, feature),
			Namespace: alarms.MonitorNamespace, Metric: metric, Value: value, Dimensions: maps.Clone(dims),
		}
	}
	var out []MetricFilter
	for _, f := range features {
		out = append(out, mk("drift", f, alarms.MonitorDriftMetric(f), selDrift))
	}
	if len(features) > 0 {
		out = append(out, mk("data", features[0], alarms.MonitorDataMetric(features[0]), selData))
	}
	return out
}

// QualityLine is the container contract's model-quality line: per run,
// when model_quality is set, one line of this JSON object on stdout.
type QualityLine struct {
	Monitor  string  `json:"sagesafe_monitor"` // $sagemaker_monitoring_schedule_name
	Endpoint string  `json:"endpoint"`         // $sagemaker_endpoint_name
	Metric   string  `json:"quality_metric"`   // $sagesafe_quality_metric
	Value    float64 `json:"value"`            // the metric's value for the run
}

// String is the line as the container prints it.
func (l QualityLine) String() string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(l)
	return strings.TrimSuffix(b.String(), "\n")
}

// QualityFilter is the metric filter of a scheduled-engine monitor's
// model-quality line: the metric under its Model Monitor name in
// alarms.QualityNamespace, with the drift metrics' dimensions. The pattern
// selects on quality_metric, which no drift line has.
func QualityFilter(monitor, endpoint, metric string) MetricFilter {
	return MetricFilter{
		Name: FilterPrefix(monitor) + "quality-" + metric,
		Pattern: fmt.Sprintf(`{ (%s = %q) && (%s = %q) && (%s = %q) }`, selMonitor, monitor, selEndpoint, endpoint,
			"$.quality_metric", metric),
		Namespace: alarms.QualityNamespace, Metric: metric, Value: "$.value",
		Dimensions: map[string]string{alarms.MonitorEndpointDimension: selEndpoint, alarms.MonitorScheduleDimension: selMonitor},
	}
}

var monitorSelector = regexp.MustCompile(`\(\$\.sagesafe_monitor = "([^"]*)"\)`)

// OwnedBy reports whether a live filter's pattern is one of monitor's: a
// filter name prefix alone is ambiguous (monitor "a" and monitor "a-b").
func OwnedBy(monitor, pattern string) bool {
	m := monitorSelector.FindStringSubmatch(pattern)
	return m != nil && m[1] == monitor
}

// FilterDrift compares the live filters of monitor (listed by its prefix)
// with want: lines name what is missing or differs, stale the filters of
// the monitor that want does not have (a feature removed). Filters of
// other monitors that share the prefix are ignored.
func FilterDrift(monitor string, want []MetricFilter, live []logstypes.MetricFilter) (lines, stale []string) {
	byName := map[string]logstypes.MetricFilter{}
	for _, f := range live {
		if OwnedBy(monitor, aws.ToString(f.FilterPattern)) {
			byName[aws.ToString(f.FilterName)] = f
		}
	}
	for _, w := range want {
		l, ok := byName[w.Name]
		delete(byName, w.Name)
		switch {
		case !ok:
			lines = append(lines, "metric filter "+w.Name+" on "+LogGroup+" is missing")
		case !sameFilter(w, l):
			lines = append(lines, "metric filter "+w.Name+" on "+LogGroup+" has another pattern or metric than sagesafe puts")
		}
	}
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		stale = append(stale, n)
		lines = append(lines, "metric filter "+n+" on "+LogGroup+" is not for a configured feature")
	}
	return lines, stale
}

func sameFilter(w MetricFilter, l logstypes.MetricFilter) bool {
	if strings.TrimSpace(aws.ToString(l.FilterPattern)) != w.Pattern || len(l.MetricTransformations) != 1 {
		return false
	}
	t := l.MetricTransformations[0]
	return aws.ToString(t.MetricName) == w.Metric && aws.ToString(t.MetricNamespace) == w.Namespace &&
		aws.ToString(t.MetricValue) == w.Value && t.DefaultValue == nil && maps.Equal(t.Dimensions, w.Dimensions)
}
