package alarms

import (
	"fmt"
	"strconv"
	"strings"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Threshold is what the alarm of one kind compares and which thresholds can
// make it fire: the metric, the range its statistic really takes (in the
// unit the resource schema uses for the threshold) and the comparison. A
// threshold the metric can never cross (an error rate "> 1", a utilization
// "> 100") would leave the alarm, and for an endpoint the blue/green
// rollback wired to it, silent for good; the schemas refuse it (SS-MON-1).
type Threshold struct {
	Metric    string // CloudWatch metric name
	Statistic string // statistic the alarm evaluates: "Average", "Maximum", "p99"
	// Unit of the threshold in the schema. The specs convert it to the
	// metric's own: microseconds for latency, and CPU and GPU utilization
	// summed over the vCPUs or GPUs (0 to 100 x N).
	Unit string
	// Low and High bound what the statistic can take, in Unit.
	Low, High  float64
	Comparison cwtypes.ComparisonOperator
	// Min is the smallest threshold sagesafe accepts (inclusive), at or
	// above Low: a smaller one would fire all the time.
	Min float64
}

// The maximum ModelLatency of a real-time endpoint, in milliseconds: the
// container must answer InvokeEndpoint within 60 seconds (SageMaker
// Runtime API reference, InvokeEndpoint).
const maxModelLatencyMillis = 60_000

// thresholds is the one table of alarm thresholds: the specs take their
// metric and comparison from it, the schema validators of sagesafe_endpoint
// and sagesafe_training_job check against it and their descriptions quote
// it. Ranges are from the SageMaker metric reference (controls catalog §6):
// invocation error metrics are 0 or 1 per invocation, so their Average is a
// fraction in [0, 1]; ModelLatency is in microseconds (the schema takes
// milliseconds); utilization metrics are percent, CPU and GPU summed over
// the cores or GPUs (0 to 100 x N), which the specs scale to a percentage of
// the whole instance or per GPU.
var thresholds = map[string]Threshold{
	EndpointErrorRate5XX: {Metric: "Invocation5XXErrors", Statistic: "Average", Unit: "fraction of invocations",
		Low: 0, High: 1, Comparison: cwtypes.ComparisonOperatorGreaterThanThreshold, Min: 0},
	EndpointErrorRate4XX: {Metric: "Invocation4XXErrors", Statistic: "Average", Unit: "fraction of invocations",
		Low: 0, High: 1, Comparison: cwtypes.ComparisonOperatorGreaterThanThreshold, Min: 0},
	EndpointModelLatencyP99: {Metric: "ModelLatency", Statistic: "p99", Unit: "milliseconds",
		Low: 0, High: maxModelLatencyMillis, Comparison: cwtypes.ComparisonOperatorGreaterThanThreshold, Min: 1},
	EndpointCPU: {Metric: "CPUUtilization", Statistic: "Average", Unit: "percent of the whole instance",
		Low: 0, High: 100, Comparison: cwtypes.ComparisonOperatorGreaterThanThreshold, Min: 1},
	EndpointMemory: {Metric: "MemoryUtilization", Statistic: "Average", Unit: "percent",
		Low: 0, High: 100, Comparison: cwtypes.ComparisonOperatorGreaterThanThreshold, Min: 1},
	EndpointDisk: {Metric: "DiskUtilization", Statistic: "Average", Unit: "percent",
		Low: 0, High: 100, Comparison: cwtypes.ComparisonOperatorGreaterThanThreshold, Min: 1},
	TrainingDisk: {Metric: "DiskUtilization", Statistic: "Maximum", Unit: "percent",
		Low: 0, High: 100, Comparison: cwtypes.ComparisonOperatorGreaterThanThreshold, Min: 1},
	TrainingMemory: {Metric: "MemoryUtilization", Statistic: "Maximum", Unit: "percent",
		Low: 0, High: 100, Comparison: cwtypes.ComparisonOperatorGreaterThanThreshold, Min: 1},
	TrainingGPUIdle: {Metric: "GPUUtilization", Statistic: "Average", Unit: "percent per GPU",
		Low: 0, High: 100, Comparison: cwtypes.ComparisonOperatorLessThanThreshold, Min: 0.1},
}

// ThresholdOf returns the threshold rule of an alarm kind (an endpoint kind
// such as EndpointErrorRate5XX, or a training kind such as TrainingDisk).
// It panics on an unknown kind: the table covers every kind.
func ThresholdOf(kind string) Threshold {
	t, ok := thresholds[kind]
	if !ok {
		panic("alarms: no threshold rule for kind " + kind)
	}
	return t
}

// lowerOpen and upperOpen say whether the edge of the accepted range is
// excluded: the metric never goes beyond its range, so a "greater than"
// alarm cannot fire at High, nor a "less than" one at Low.
func (t Threshold) lowerOpen() bool {
	return t.Min <= t.Low && (t.Comparison == cwtypes.ComparisonOperatorLessThanThreshold)
}

func (t Threshold) upperOpen() bool {
	return t.Comparison == cwtypes.ComparisonOperatorGreaterThanThreshold
}

// Accepted describes the thresholds accepted, for schema descriptions:
// "at least 0 and below 1".
func (t Threshold) Accepted() string {
	lo, hi := "at least "+num(t.Min), "at most "+num(t.High)
	if t.lowerOpen() {
		lo = "above " + num(t.Low)
	}
	if t.upperOpen() {
		hi = "below " + num(t.High)
	}
	return lo + " and " + hi
}

// Doc is the sentence schema descriptions quote, such as: At least 0 and
// below 1: the alarm fires when `Invocation5XXErrors` (Average) is greater
// than the threshold, and it ranges from 0 to 1 (fraction of invocations).
func (t Threshold) Doc() string {
	acc := t.Accepted()
	return fmt.Sprintf("%s%s: the alarm fires when `%s` (%s) is %s the threshold, and it ranges from %s to %s (%s).",
		strings.ToUpper(acc[:1]), acc[1:], t.Metric, t.Statistic, comparisonWord(t.Comparison), num(t.Low), num(t.High), t.Unit)
}

// Check reports why v cannot be this alarm's threshold: the metric can
// never cross it with the alarm's comparison, or it lies outside the range
// sagesafe accepts. The error names the metric, its range and the
// comparison, and says what to use instead.
func (t Threshold) Check(v float64) error {
	lowOK := v >= t.Min && (!t.lowerOpen() || v > t.Low)
	highOK := v <= t.High && (!t.upperOpen() || v < t.High)
	if lowOK && highOK {
		return nil
	}
	metric := fmt.Sprintf("%s (%s) ranges from %s to %s (%s)", t.Metric, t.Statistic, num(t.Low), num(t.High), t.Unit)
	var why string
	switch {
	case t.Comparison == cwtypes.ComparisonOperatorGreaterThanThreshold && v >= t.High:
		why = fmt.Sprintf("the alarm fires when the metric is %s the threshold (%s), and %s: it is never above %s, so the alarm can never fire", comparisonWord(t.Comparison), t.Comparison, metric, num(v))
	case t.Comparison == cwtypes.ComparisonOperatorLessThanThreshold && v <= t.Low:
		why = fmt.Sprintf("the alarm fires when the metric is %s the threshold (%s), and %s: it is never below %s, so the alarm can never fire", comparisonWord(t.Comparison), t.Comparison, metric, num(v))
	default:
		why = fmt.Sprintf("the alarm fires when the metric is %s the threshold (%s), and %s: %s is outside the thresholds sagesafe accepts", comparisonWord(t.Comparison), t.Comparison, metric, num(v))
	}
	return fmt.Errorf("SS-MON-1: threshold %s for %s: %s.\nFix: use a threshold %s", num(v), t.Metric, why, t.Accepted())
}

func comparisonWord(c cwtypes.ComparisonOperator) string {
	switch c {
	case cwtypes.ComparisonOperatorGreaterThanThreshold:
		return "greater than"
	case cwtypes.ComparisonOperatorLessThanThreshold:
		return "less than"
	}
	return string(c)
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
