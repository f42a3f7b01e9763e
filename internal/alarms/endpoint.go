package alarms

import (
	"maps"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Alarm kinds of a real-time endpoint: the keys of sagesafe_endpoint's
// alarm_names map.
const (
	EndpointErrorRate5XX    = "error_rate_5xx"
	EndpointErrorRate4XX    = "error_rate_4xx"
	EndpointModelLatencyP99 = "model_latency_p99"
	EndpointCPU             = "cpu_utilization"
	EndpointMemory          = "memory_utilization"
	EndpointDisk            = "disk_utilization"
	// Anomaly-detection alarms (SS-MON-6).
	EndpointInvocationsAnomaly  = "invocations_anomaly"
	EndpointModelLatencyAnomaly = "model_latency_anomaly"
)

// Metric namespaces of real-time endpoints.
const (
	// EndpointInvocationNamespace holds invocation metrics (errors, latency).
	EndpointInvocationNamespace = "AWS/SageMaker"
	// EndpointInstanceNamespace holds instance metrics (CPU, memory, disk).
	EndpointInstanceNamespace = "/aws/sagemaker/Endpoints"
)

// EndpointKinds lists every endpoint alarm kind, in a stable order.
func EndpointKinds() []string {
	return []string{EndpointErrorRate5XX, EndpointErrorRate4XX, EndpointModelLatencyP99, EndpointCPU, EndpointMemory, EndpointDisk,
		EndpointInvocationsAnomaly, EndpointModelLatencyAnomaly}
}

// EndpointAnomalyKinds are the kinds that are anomaly-detection alarms
// (SS-MON-6), with the metric each watches.
func EndpointAnomalyKinds() map[string]string {
	return map[string]string{EndpointInvocationsAnomaly: "Invocations", EndpointModelLatencyAnomaly: "ModelLatency"}
}

// EndpointRollbackKinds are the kinds whose alarms roll a blue/green update
// back (AutoRollbackConfiguration, control SS-MON-4): server errors and
// latency are what a bad model shows first.
func EndpointRollbackKinds() []string {
	return []string{EndpointErrorRate5XX, EndpointModelLatencyP99}
}

var endpointSuffix = map[string]string{
	EndpointErrorRate5XX:    "5xx-error-rate",
	EndpointErrorRate4XX:    "4xx-error-rate",
	EndpointModelLatencyP99: "model-latency-p99",
	EndpointCPU:             "cpu-utilization",
	EndpointMemory:          "memory-utilization",
	EndpointDisk:            "disk-utilization",

	EndpointInvocationsAnomaly:  "invocations-anomaly",
	EndpointModelLatencyAnomaly: "model-latency-anomaly",

	EndpointAtMaxInstances: "at-max-instances",
}

// EndpointAlarmName is the name of an endpoint's alarm of the given kind:
// "sagesafe-endpoint-<endpoint>-<kind>", so it never collides with a
// training job's alarms and can be found again from the endpoint name alone
// (import).
func EndpointAlarmName(endpoint, kind string) string {
	return EndpointAlarmPrefix + endpoint + "-" + endpointSuffix[kind]
}

// EndpointAlarmPrefix starts the name of every endpoint's alarms: what the
// endpoints refreshed in one command list their alarms by, once.
const EndpointAlarmPrefix = "sagesafe-endpoint-"

// EndpointAlarmNames maps every kind to its alarm name.
func EndpointAlarmNames(endpoint string) map[string]string {
	out := make(map[string]string, len(endpointSuffix))
	for _, k := range EndpointKinds() {
		out[k] = EndpointAlarmName(endpoint, k)
	}
	return out
}

// EndpointThresholds are the user-facing thresholds, in the units the
// resource schema uses.
type EndpointThresholds struct {
	ErrorRate5XX          float64 // fraction of invocations, 0..1
	ErrorRate4XX          float64 // fraction of invocations, 0..1
	ModelLatencyP99Millis float64 // milliseconds
	CPUPercent            float64 // percent of the whole instance, 0..100
	MemoryPercent         float64 // percent, 0..100
	DiskPercent           float64 // percent, 0..100
	// AnomalyBandWidth is the width, in standard deviations, of the bands
	// of the anomaly alarms; 0 means DefaultBandWidth.
	AnomalyBandWidth float64
}

// EndpointInput is what EndpointSpecs needs.
type EndpointInput struct {
	EndpointName string
	VariantName  string
	// VCPUs of the instance type. The endpoint CPUUtilization metric is the
	// sum over all vCPUs (0..100 x vCPUs), so the CPU threshold is scaled by
	// it; 0 is treated as 1.
	VCPUs      int
	Thresholds EndpointThresholds
	Actions    []string
	Tags       map[string]string
	// MaxInstances is autoscaling's maximum; 0 when the endpoint does not
	// autoscale, and then it has no at-maximum alarm.
	MaxInstances int64
}

// EndpointSpecs returns the alarms of a real-time endpoint (controls
// SS-MON-1/2), in EndpointKinds order:
//   - 5XX and 4XX error rates: the Average of Invocation5XXErrors /
//     Invocation4XXErrors, which SageMaker reports as 0 or 1 per invocation,
//     so the average is the error rate. (A "> 1" threshold, seen in many
//     examples, can never be breached.)
//   - p99 ModelLatency, which SageMaker reports in microseconds.
//   - CPU, memory and disk utilization of the instances.
//   - with autoscaling, the instance count at the maximum (atmax.go).
//
// Missing data (no traffic) is not breaching. Actions are enabled by Put.
func EndpointSpecs(in EndpointInput) []Spec {
	dims := map[string]string{"EndpointName": in.EndpointName, "VariantName": in.VariantName}
	vcpus := max(in.VCPUs, 1)
	t := in.Thresholds
	mk := func(kind, ns, desc string, stat cwtypes.Statistic, ext string, period, evals int32, threshold float64) Spec {
		rule := ThresholdOf(kind)
		return Spec{
			Kind:              kind,
			Name:              EndpointAlarmName(in.EndpointName, kind),
			Description:       desc + " Managed by sagesafe_endpoint " + in.EndpointName + ".",
			Namespace:         ns,
			Metric:            rule.Metric,
			Dimensions:        maps.Clone(dims),
			Statistic:         stat,
			ExtendedStatistic: ext,
			PeriodSeconds:     period,
			EvaluationPeriods: evals,
			DatapointsToAlarm: evals,
			Threshold:         threshold,
			Comparison:        rule.Comparison,
			TreatMissingData:  "notBreaching",
			Actions:           append([]string(nil), in.Actions...),
			Tags:              maps.Clone(in.Tags),
		}
	}
	band := t.AnomalyBandWidth
	if band <= 0 {
		band = DefaultBandWidth
	}
	anomaly := func(kind, desc string, stat cwtypes.Statistic, cmp cwtypes.ComparisonOperator) Spec {
		return Spec{
			Kind:              kind,
			Name:              EndpointAlarmName(in.EndpointName, kind),
			Description:       desc + " Managed by sagesafe_endpoint " + in.EndpointName + ".",
			Namespace:         EndpointInvocationNamespace,
			Metric:            EndpointAnomalyKinds()[kind],
			Dimensions:        maps.Clone(dims),
			Statistic:         stat,
			PeriodSeconds:     300,
			EvaluationPeriods: 3,
			DatapointsToAlarm: 3,
			Comparison:        cmp,
			TreatMissingData:  "notBreaching",
			Actions:           append([]string(nil), in.Actions...),
			Tags:              maps.Clone(in.Tags),
			AnomalyBandWidth:  band,
		}
	}
	specs := []Spec{
		mk(EndpointErrorRate5XX, EndpointInvocationNamespace,
			"Share of invocations that failed with a 5XX error (Average of the 0/1 metric) is above the threshold for 5 minutes. Rolls blue/green updates back.",
			cwtypes.StatisticAverage, "", 60, 5, t.ErrorRate5XX),
		mk(EndpointErrorRate4XX, EndpointInvocationNamespace,
			"Share of invocations rejected with a 4XX error (Average of the 0/1 metric) is above the threshold for 15 minutes.",
			cwtypes.StatisticAverage, "", 300, 3, t.ErrorRate4XX),
		mk(EndpointModelLatencyP99, EndpointInvocationNamespace,
			"p99 model latency (metric in microseconds) is above the threshold for 5 minutes. Rolls blue/green updates back.",
			"", "p99", 60, 5, t.ModelLatencyP99Millis*1000),
		mk(EndpointCPU, EndpointInstanceNamespace,
			"CPU utilization (summed over all vCPUs) is above the threshold for 15 minutes.",
			cwtypes.StatisticAverage, "", 300, 3, t.CPUPercent*float64(vcpus)),
		mk(EndpointMemory, EndpointInstanceNamespace,
			"Memory utilization is above the threshold for 15 minutes.",
			cwtypes.StatisticAverage, "", 300, 3, t.MemoryPercent),
		mk(EndpointDisk, EndpointInstanceNamespace,
			"Disk utilization is above the threshold for 15 minutes.",
			cwtypes.StatisticAverage, "", 300, 3, t.DiskPercent),
		// Traffic that collapses (a broken client, a DNS change) or surges
		// (abuse, a retry storm) is as telling as one that errors.
		// A 5-minute period without traffic counts as 0 invocations
		// (SageMaker publishes nothing then), so a collapse leaves the band.
		withFill(anomaly(EndpointInvocationsAnomaly,
			"Invocations (Sum per 5 minutes, 0 when none) left the anomaly-detection band learned from their history, up or down, for 15 minutes.",
			cwtypes.StatisticSum, cwtypes.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold)),
		// Only a latency above its band is a problem.
		anomaly(EndpointModelLatencyAnomaly,
			"Average model latency rose above the anomaly-detection band learned from its history for 15 minutes.",
			cwtypes.StatisticAverage, cwtypes.ComparisonOperatorGreaterThanUpperThreshold),
	}
	if in.MaxInstances > 0 {
		specs = append(specs, EndpointAtMaxSpec(in.EndpointName, in.VariantName, in.MaxInstances, in.Actions, in.Tags))
	}
	return specs
}

// EndpointThresholdFromAlarm converts a live alarm threshold of the given
// kind back to the schema's unit (the inverse of EndpointSpecs), so that an
// alarm edited outside Terraform shows as a diff of the attribute.
func EndpointThresholdFromAlarm(kind string, threshold float64, vcpus int) float64 {
	switch kind {
	case EndpointModelLatencyP99:
		return round(threshold/1000, 6)
	case EndpointCPU:
		return round(threshold/float64(max(vcpus, 1)), 6)
	default:
		return threshold
	}
}

// EndpointThreshold returns the threshold of kind in t (schema units).
func EndpointThreshold(t EndpointThresholds, kind string) float64 {
	switch kind {
	case EndpointErrorRate5XX:
		return t.ErrorRate5XX
	case EndpointErrorRate4XX:
		return t.ErrorRate4XX
	case EndpointModelLatencyP99:
		return t.ModelLatencyP99Millis
	case EndpointCPU:
		return t.CPUPercent
	case EndpointMemory:
		return t.MemoryPercent
	case EndpointDisk:
		return t.DiskPercent
	}
	return 0
}

// withFill makes an anomaly alarm compare its metric with missing periods
// as 0.
func withFill(s Spec) Spec {
	s.FillMissing = true
	return s
}
