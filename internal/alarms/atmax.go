package alarms

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// The at-maximum alarm of an autoscaled endpoint (issue 14, cost guard):
// an endpoint that sits at autoscaling.max_instances costs the most it can
// and serves no more traffic than that; either the cap is too low (users
// wait, errors follow) or the traffic is not what was planned (abuse, a
// retry storm, a runaway client), and someone should look.
//
// SageMaker publishes no metric of a variant's instance count. It does
// publish InvocationsPerInstance, "the number of invocations sent to a
// model, normalized by InstanceCount in each ProductionVariant.
// 1/numberOfInstances is sent as the value on each request" (SageMaker API
// Reference, ScalingPolicyMetric), next to Invocations (one per request).
// So over one period Sum(Invocations) / Sum(InvocationsPerInstance) is the
// number of instances that served (their harmonic mean when the count
// changed within the period). The limitation: without traffic both metrics
// are missing and the alarm has no signal, which it treats as not breaching
// (an idle endpoint is not scaling out).

// EndpointAtMaxInstances is the kind of the at-maximum alarm; it exists
// only while the endpoint has autoscaling.
const EndpointAtMaxInstances = "at_max_instances"

// Ids of the at-maximum alarm's metric queries.
const (
	atMaxInvocationsID = "invocations"
	atMaxPerInstanceID = "per_instance"
	atMaxCountID       = "instances"
)

// atMaxExpression is the instance count as metric math.
const atMaxExpression = atMaxInvocationsID + " / " + atMaxPerInstanceID

// Period and periods of the at-maximum alarm: 15 minutes at the maximum is
// a lasting state, not a scale-out on its way down again.
const (
	atMaxPeriodSeconds = 300
	atMaxPeriods       = 3
)

// EndpointScalingKinds are the alarm kinds that exist only while the
// endpoint has autoscaling.
func EndpointScalingKinds() []string { return []string{EndpointAtMaxInstances} }

// AtMaxThreshold is the at-maximum alarm's threshold for a maximum of
// maxInstances: half an instance below it, so a count computed as
// 3.9999 (float sums) still counts as 4, and 3.5 (the harmonic mean of a
// period half at 3, half at 4, roughly) does too.
func AtMaxThreshold(maxInstances int64) float64 { return float64(maxInstances) - 0.5 }

// EndpointAtMaxSpec is the at-maximum alarm of an endpoint whose variant
// autoscales up to maxInstances.
func EndpointAtMaxSpec(endpoint, variant string, maxInstances int64, actions []string, tags map[string]string) Spec {
	return Spec{
		Kind: EndpointAtMaxInstances,
		Name: EndpointAlarmName(endpoint, EndpointAtMaxInstances),
		Description: fmt.Sprintf("The variant ran at its autoscaling maximum of %d instances (instance count = Sum of Invocations / "+
			"Sum of InvocationsPerInstance) for 15 minutes: raise max_capacity or find the traffic. No traffic, no signal. "+
			"Managed by sagesafe_endpoint %s.", maxInstances, endpoint),
		Namespace:         EndpointInvocationNamespace,
		Dimensions:        map[string]string{"EndpointName": endpoint, "VariantName": variant},
		Statistic:         cwtypes.StatisticSum,
		PeriodSeconds:     atMaxPeriodSeconds,
		EvaluationPeriods: atMaxPeriods,
		DatapointsToAlarm: atMaxPeriods,
		Threshold:         AtMaxThreshold(maxInstances),
		Comparison:        cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData:  "notBreaching",
		Actions:           append([]string(nil), actions...),
		Tags:              maps.Clone(tags),
		MathMetrics:       map[string]string{atMaxInvocationsID: "Invocations", atMaxPerInstanceID: "InvocationsPerInstance"},
		MathExpression:    atMaxExpression,
	}
}

// mathID is the id of the expression query of a metric-math alarm.
const mathID = atMaxCountID

// mathQueries are the Metrics of a metric-math alarm: one query per metric
// (not returned) and the expression, the one query returned, which
// CloudWatch compares with Threshold.
func mathQueries(s Spec) []cwtypes.MetricDataQuery {
	ids := slices.Sorted(maps.Keys(s.MathMetrics))
	out := make([]cwtypes.MetricDataQuery, 0, len(ids)+1)
	for _, id := range ids {
		out = append(out, cwtypes.MetricDataQuery{
			Id:         aws.String(id),
			ReturnData: aws.Bool(false),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{
					Namespace:  aws.String(s.Namespace),
					MetricName: aws.String(s.MathMetrics[id]),
					Dimensions: dimensions(s.Dimensions),
				},
				Period: aws.Int32(s.PeriodSeconds),
				Stat:   aws.String(string(s.Statistic)),
			},
		})
	}
	return append(out, cwtypes.MetricDataQuery{Id: aws.String(mathID), ReturnData: aws.Bool(true), Expression: aws.String(s.MathExpression)})
}

// mathDiff lists how a live metric-math alarm differs from the spec: its
// queries (metrics, dimensions, period, statistic, expression) and its
// threshold.
func mathDiff(s Spec, live cwtypes.MetricAlarm) []string {
	var d []string
	if live.MetricName != nil || len(live.Metrics) != len(s.MathMetrics)+1 {
		return []string{fmt.Sprintf("it is not the metric-math alarm %s over %d metrics", s.MathExpression, len(s.MathMetrics))}
	}
	for _, q := range live.Metrics {
		id := aws.ToString(q.Id)
		if id == mathID {
			if got := aws.ToString(q.Expression); got != s.MathExpression || !aws.ToBool(q.ReturnData) {
				d = append(d, fmt.Sprintf("expression is %q (returned: %v), want %q returned", got, aws.ToBool(q.ReturnData), s.MathExpression))
			}
			continue
		}
		metric, ok := s.MathMetrics[id]
		if !ok || q.MetricStat == nil || q.MetricStat.Metric == nil {
			d = append(d, "query "+id+" is not one of the alarm's metrics")
			continue
		}
		st := q.MetricStat
		if got := aws.ToString(st.Metric.Namespace) + "/" + aws.ToString(st.Metric.MetricName); got != s.Namespace+"/"+metric {
			d = append(d, fmt.Sprintf("query %s: metric is %s, want %s/%s", id, got, s.Namespace, metric))
		}
		if got := liveDimensions(st.Metric.Dimensions); !maps.Equal(got, s.Dimensions) {
			d = append(d, fmt.Sprintf("query %s: dimensions are %v, want %v", id, got, s.Dimensions))
		}
		if aws.ToInt32(st.Period) != s.PeriodSeconds || aws.ToString(st.Stat) != string(s.Statistic) {
			d = append(d, fmt.Sprintf("query %s: %s per %d s, want %s per %d s", id, aws.ToString(st.Stat), aws.ToInt32(st.Period), s.Statistic, s.PeriodSeconds))
		}
	}
	if math.Abs(aws.ToFloat64(live.Threshold)-s.Threshold) > 1e-9 {
		d = append(d, fmt.Sprintf("threshold is %v, want %v", aws.ToFloat64(live.Threshold), s.Threshold))
	}
	return d
}
