// Package alarms holds the CloudWatch alarm specs sagesafe creates for its
// workloads (controls SS-MON-1/2) and the reconcile steps shared by the
// endpoint and training-job resources: put, read back with one batched
// DescribeAlarms, compare (drift), delete.
package alarms

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// API is the subset of the CloudWatch client used here.
type API interface {
	PutMetricAlarm(context.Context, *cloudwatch.PutMetricAlarmInput, ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error)
	DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	DeleteAlarms(context.Context, *cloudwatch.DeleteAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error)
}

// Spec is one alarm as sagesafe wants it.
type Spec struct {
	Kind              string // stable key for the resource's alarm_names map, e.g. "error_rate_5xx"
	Name              string
	Description       string
	Namespace         string
	Metric            string
	Dimensions        map[string]string
	Statistic         cwtypes.Statistic // empty when ExtendedStatistic is set
	ExtendedStatistic string            // e.g. "p99"
	PeriodSeconds     int32
	EvaluationPeriods int32
	DatapointsToAlarm int32
	Threshold         float64
	Comparison        cwtypes.ComparisonOperator
	TreatMissingData  string // "notBreaching", "breaching", "missing", "ignore"
	Actions           []string
	Tags              map[string]string
	// AnomalyBandWidth, when above 0, makes this an anomaly-detection
	// alarm: it compares the metric (Namespace, Metric, Dimensions,
	// Statistic, PeriodSeconds) with ANOMALY_DETECTION_BAND(m1, width)
	// instead of Threshold, and Comparison is one of the band operators.
	AnomalyBandWidth float64
	// FillMissing, for an anomaly alarm, compares FILL(m1, 0) with the band
	// instead of the metric: SageMaker publishes no Invocations datapoint
	// for a period without traffic, so without it a collapse to zero is
	// missing data and never leaves the band.
	FillMissing bool
	// MathExpression, when set, makes this a metric-math alarm: it compares
	// the expression over MathMetrics (query id to metric name, each in
	// Namespace with Dimensions, Statistic and PeriodSeconds) with
	// Threshold. Metric is empty.
	MathExpression string
	MathMetrics    map[string]string
}

// IsAnomaly reports whether s is an anomaly-detection alarm.
func (s Spec) IsAnomaly() bool { return s.AnomalyBandWidth > 0 }

// IsMath reports whether s is a metric-math alarm.
func (s Spec) IsMath() bool { return s.MathExpression != "" }

// describeBatch is DescribeAlarms' limit on AlarmNames.
const describeBatch = 100

// Put creates or overwrites every alarm, actions enabled. PutMetricAlarm is
// an upsert, so a retried apply converges.
func Put(ctx context.Context, api API, specs []Spec) error {
	for _, s := range specs {
		in := putInput(s)
		if _, err := api.PutMetricAlarm(ctx, in); err != nil {
			return fmt.Errorf("creating alarm %s: %w", s.Name, err)
		}
	}
	return nil
}

// putInput is the PutMetricAlarm request of s. An anomaly alarm carries
// its metric in Metrics and no Namespace, MetricName, Statistic or
// Threshold: CloudWatch refuses both forms at once.
func putInput(s Spec) *cloudwatch.PutMetricAlarmInput {
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(s.Name),
		AlarmDescription:   aws.String(s.Description),
		EvaluationPeriods:  aws.Int32(s.EvaluationPeriods),
		DatapointsToAlarm:  aws.Int32(s.DatapointsToAlarm),
		ComparisonOperator: s.Comparison,
		TreatMissingData:   aws.String(s.TreatMissingData),
		ActionsEnabled:     aws.Bool(true),
		AlarmActions:       s.Actions,
		Tags:               tags(s.Tags),
	}
	switch {
	case s.IsAnomaly():
		in.Metrics = anomalyQueries(s)
		in.ThresholdMetricId = aws.String(anomalyBandID)
		return in
	case s.IsMath():
		in.Metrics = mathQueries(s)
		in.Threshold = aws.Float64(s.Threshold)
		return in
	case s.ExtendedStatistic != "":
		in.ExtendedStatistic = aws.String(s.ExtendedStatistic)
	default:
		in.Statistic = s.Statistic
	}
	in.Namespace = aws.String(s.Namespace)
	in.MetricName = aws.String(s.Metric)
	in.Dimensions = dimensions(s.Dimensions)
	in.Period = aws.Int32(s.PeriodSeconds)
	in.Threshold = aws.Float64(s.Threshold)
	return in
}

// AsPut is the alarm as CloudWatch holds it right after Put sent s (for
// checks of what a live alarm must look like).
func AsPut(s Spec) cwtypes.MetricAlarm { return heldAs(putInput(s)) }

// heldAs is the alarm CloudWatch holds after the PutMetricAlarm in.
func heldAs(in *cloudwatch.PutMetricAlarmInput) cwtypes.MetricAlarm {
	return cwtypes.MetricAlarm{
		AlarmName: in.AlarmName, Namespace: in.Namespace, MetricName: in.MetricName, Dimensions: in.Dimensions,
		Statistic: in.Statistic, ExtendedStatistic: in.ExtendedStatistic, Period: in.Period, EvaluationPeriods: in.EvaluationPeriods,
		Threshold: in.Threshold, ComparisonOperator: in.ComparisonOperator, ActionsEnabled: in.ActionsEnabled, AlarmActions: in.AlarmActions,
		AlarmDescription: in.AlarmDescription, DatapointsToAlarm: in.DatapointsToAlarm, TreatMissingData: in.TreatMissingData,
		Unit: in.Unit, EvaluateLowSampleCountPercentile: in.EvaluateLowSampleCountPercentile,
		Metrics: in.Metrics, ThresholdMetricId: in.ThresholdMetricId,
	}
}

// Describe reads the named alarms with one DescribeAlarms call per 100 names.
// Alarms that do not exist are absent from the map.
func Describe(ctx context.Context, api API, names []string) (map[string]cwtypes.MetricAlarm, error) {
	out := make(map[string]cwtypes.MetricAlarm, len(names))
	for start := 0; start < len(names); start += describeBatch {
		batch := names[start:min(start+describeBatch, len(names))]
		if err := describeInto(ctx, api, &cloudwatch.DescribeAlarmsInput{AlarmNames: batch, MaxRecords: aws.Int32(describeBatch)}, out); err != nil {
			return nil, fmt.Errorf("describing alarms: %w", err)
		}
	}
	return out, nil
}

// ListByPrefix returns every metric alarm whose name starts with prefix, by
// name: DescribeAlarms with AlarmNamePrefix, 100 a page, every page. It is
// the listing the provider's shared reads take once per command
// (providerdata.Reads), instead of one DescribeAlarms per workload.
func ListByPrefix(ctx context.Context, api API, prefix string) (map[string]cwtypes.MetricAlarm, error) {
	out := map[string]cwtypes.MetricAlarm{}
	if err := describeInto(ctx, api, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(prefix), MaxRecords: aws.Int32(describeBatch)}, out); err != nil {
		return nil, fmt.Errorf("listing alarms %s*: %w", prefix, err)
	}
	return out, nil
}

// withoutState drops what an alarm says of its state (value, reason, the
// reason's JSON data, timestamps): sagesafe judges and compares an alarm's
// configuration only, and a command keeps every alarm of the shared listing
// (3,000 at 500 endpoints), of which the state reason and its data are the
// largest strings.
func withoutState(a cwtypes.MetricAlarm) cwtypes.MetricAlarm {
	a.StateValue, a.StateReason, a.StateReasonData = "", nil, nil
	a.StateUpdatedTimestamp, a.StateTransitionedTimestamp, a.AlarmConfigurationUpdatedTimestamp = nil, nil, nil
	a.EvaluationState = ""
	return a
}

// describeInto adds the metric alarms of every page of in to out, without
// their state (withoutState).
func describeInto(ctx context.Context, api API, in *cloudwatch.DescribeAlarmsInput, out map[string]cwtypes.MetricAlarm) error {
	for {
		page, err := api.DescribeAlarms(ctx, in)
		if err != nil {
			return err
		}
		for _, a := range page.MetricAlarms {
			out[aws.ToString(a.AlarmName)] = withoutState(a)
		}
		if page.NextToken == nil {
			return nil
		}
		in.NextToken = page.NextToken
	}
}

// Delete removes the named alarms (missing ones are ignored by CloudWatch).
func Delete(ctx context.Context, api API, names []string) error {
	var errs []error
	for start := 0; start < len(names); start += describeBatch {
		batch := names[start:min(start+describeBatch, len(names))]
		if _, err := api.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: batch}); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("deleting alarms: %w", err)
	}
	return nil
}

// Diff lists how the live alarm differs from the spec in any field Put sets
// (tags aside: DescribeAlarms does not return them), and in the fields Put
// leaves at CloudWatch's default that could mute it (unit, percentiles over
// few samples); empty when it matches. Resources report it as drift and Put
// restores the spec.
func Diff(s Spec, live cwtypes.MetricAlarm) []string {
	var d []string
	add := func(what string, want, got any) { d = append(d, fmt.Sprintf("%s is %v, want %v", what, got, want)) }
	if !aws.ToBool(live.ActionsEnabled) {
		d = append(d, "actions are disabled")
	}
	switch {
	case s.IsAnomaly():
		d = append(d, anomalyDiff(s, live)...)
	case s.IsMath():
		d = append(d, mathDiff(s, live)...)
	default:
		d = append(d, metricDiff(s, live)...)
	}
	if aws.ToInt32(live.EvaluationPeriods) != s.EvaluationPeriods {
		add("evaluation periods", s.EvaluationPeriods, aws.ToInt32(live.EvaluationPeriods))
	}
	if live.ComparisonOperator != s.Comparison {
		add("comparison", s.Comparison, live.ComparisonOperator)
	}
	// Muting an alarm without disabling it: requiring more breaching
	// datapoints than periods it evaluates, counting missing data as good,
	// filtering on a unit the metric is not published in, or ignoring
	// percentiles over few samples.
	if got := datapointsToAlarm(live); got != s.DatapointsToAlarm {
		add("datapoints to alarm", s.DatapointsToAlarm, got)
	}
	if got := treatMissingData(live); got != s.TreatMissingData {
		add("treat missing data", s.TreatMissingData, got)
	}
	if live.Unit != "" {
		add("unit", "none", live.Unit)
	}
	if s.ExtendedStatistic != "" {
		if got := aws.ToString(live.EvaluateLowSampleCountPercentile); got != "" && got != "evaluate" {
			add("low sample count percentiles", "evaluate", got)
		}
	}
	if aws.ToString(live.AlarmDescription) != s.Description {
		add("description", strconv.Quote(s.Description), strconv.Quote(aws.ToString(live.AlarmDescription)))
	}
	if got := sorted(live.AlarmActions); !slices.Equal(got, sorted(s.Actions)) {
		add("actions", sorted(s.Actions), got)
	}
	return d
}

// metricDiff lists how a live fixed-threshold alarm differs from the spec
// in its metric, statistic, period and threshold.
func metricDiff(s Spec, live cwtypes.MetricAlarm) []string {
	var d []string
	add := func(what string, want, got any) { d = append(d, fmt.Sprintf("%s is %v, want %v", what, got, want)) }
	if aws.ToString(live.Namespace) != s.Namespace || aws.ToString(live.MetricName) != s.Metric {
		add("metric", s.Namespace+"/"+s.Metric, aws.ToString(live.Namespace)+"/"+aws.ToString(live.MetricName))
	}
	if got := liveDimensions(live.Dimensions); !maps.Equal(got, s.Dimensions) {
		add("dimensions", s.Dimensions, got)
	}
	if s.ExtendedStatistic != "" {
		if aws.ToString(live.ExtendedStatistic) != s.ExtendedStatistic {
			add("statistic", s.ExtendedStatistic, aws.ToString(live.ExtendedStatistic))
		}
	} else if live.Statistic != s.Statistic {
		add("statistic", s.Statistic, live.Statistic)
	}
	if aws.ToInt32(live.Period) != s.PeriodSeconds {
		add("period", s.PeriodSeconds, aws.ToInt32(live.Period))
	}
	if math.Abs(aws.ToFloat64(live.Threshold)-s.Threshold) > 1e-9 {
		add("threshold", s.Threshold, aws.ToFloat64(live.Threshold))
	}
	return d
}

// datapointsToAlarm is the live alarm's M of "M out of N": CloudWatch
// leaves it out when it equals EvaluationPeriods.
func datapointsToAlarm(live cwtypes.MetricAlarm) int32 {
	if live.DatapointsToAlarm == nil {
		return aws.ToInt32(live.EvaluationPeriods)
	}
	return *live.DatapointsToAlarm
}

// treatMissingData is the live alarm's setting; CloudWatch's default is
// "missing".
func treatMissingData(live cwtypes.MetricAlarm) string {
	if v := aws.ToString(live.TreatMissingData); v != "" {
		return v
	}
	return "missing"
}

// dimensions are name/value pairs, converted like tags (sorted by name).
func dimensions(m map[string]string) []cwtypes.Dimension {
	return shared.TagList(m, func(k, v *string) cwtypes.Dimension { return cwtypes.Dimension{Name: k, Value: v} })
}

func liveDimensions(ds []cwtypes.Dimension) map[string]string {
	return shared.TagMap(ds, func(d cwtypes.Dimension) (*string, *string) { return d.Name, d.Value })
}

func tags(m map[string]string) []cwtypes.Tag {
	return shared.TagList(m, func(k, v *string) cwtypes.Tag { return cwtypes.Tag{Key: k, Value: v} })
}

func sorted(in []string) []string {
	out := slices.Clone(in)
	if out == nil {
		out = []string{}
	}
	sort.Strings(out)
	return out
}

// round rounds v to the given number of decimal digits, so thresholds read
// back from CloudWatch compare equal to the ones computed here.
func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
