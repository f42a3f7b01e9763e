package alarms

import (
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Anomaly-detection alarms (control SS-MON-6): a fixed threshold catches
// what is always wrong (a 5XX rate, a latency no user accepts); a band
// learned from the metric's own history catches what is wrong for this
// endpoint (traffic that collapses or surges, latency that creeps up) long
// before any fixed threshold. CloudWatch bills each one as three metrics
// (the metric and the band's upper and lower bound).

// Band widths sagesafe accepts, in standard deviations. CloudWatch accepts
// any positive width; a band wider than 10 deviations never breaches, one
// narrower than 0.5 fires on noise.
const (
	MinBandWidth     = 0.5
	MaxBandWidth     = 10.0
	DefaultBandWidth = 2.0
)

// Ids of the two metric queries of an anomaly alarm: the metric and the
// band around it, which ThresholdMetricId names.
const (
	anomalyMetricID = "m1"
	anomalyFilledID = "e1" // FILL(m1, 0), when the spec fills missing data
	anomalyBandID   = "ad1"
)

// CheckBandWidth reports a band width outside [MinBandWidth, MaxBandWidth].
func CheckBandWidth(w float64) error {
	if w >= MinBandWidth && w <= MaxBandWidth {
		return nil
	}
	return fmt.Errorf("the anomaly band width is %s standard deviations; it must be from %s to %s (a wider band never breaches, a narrower one fires on noise)",
		num(w), num(MinBandWidth), num(MaxBandWidth))
}

// bandExpression is the band query of width w around the series the
// alarm compares (the metric, or the metric with missing data filled).
func bandExpression(s Spec) string {
	return "ANOMALY_DETECTION_BAND(" + comparedID(s) + ", " + strconv.FormatFloat(s.AnomalyBandWidth, 'f', -1, 64) + ")"
}

// comparedID is the query the alarm compares with the band.
func comparedID(s Spec) string {
	if s.FillMissing {
		return anomalyFilledID
	}
	return anomalyMetricID
}

// fillExpression fills the metric's missing periods with 0.
const fillExpression = "FILL(" + anomalyMetricID + ", 0)"

var bandExpr = regexp.MustCompile(`^ANOMALY_DETECTION_BAND\(\s*(` + anomalyMetricID + `|` + anomalyFilledID + `)\s*,\s*([0-9.]+)\s*\)$`)

// BandWidth is the width of a live anomaly alarm as sagesafe builds it;
// false when the alarm is not one (a fixed threshold, another query shape).
func BandWidth(live cwtypes.MetricAlarm) (float64, bool) {
	if aws.ToString(live.ThresholdMetricId) != anomalyBandID {
		return 0, false
	}
	for _, q := range live.Metrics {
		if aws.ToString(q.Id) != anomalyBandID {
			continue
		}
		m := bandExpr.FindStringSubmatch(aws.ToString(q.Expression))
		if m == nil || (m[1] == anomalyFilledID && !fillsMetric(live)) {
			return 0, false
		}
		w, err := strconv.ParseFloat(m[2], 64)
		return w, err == nil
	}
	return 0, false
}

// fillsMetric reports whether the live alarm's e1 query is FILL(m1, 0).
func fillsMetric(live cwtypes.MetricAlarm) bool {
	for _, q := range live.Metrics {
		if aws.ToString(q.Id) == anomalyFilledID {
			return strings.ReplaceAll(aws.ToString(q.Expression), " ", "") == strings.ReplaceAll(fillExpression, " ", "")
		}
	}
	return false
}

// anomalyQueries are the Metrics of an anomaly alarm: the metric (m1), with
// FillMissing the metric with missing periods as 0 (e1), and the band
// (ad1) around what is compared; the compared series and the band are
// returned, as PutMetricAlarm requires.
func anomalyQueries(s Spec) []cwtypes.MetricDataQuery {
	qs := []cwtypes.MetricDataQuery{
		{
			Id:         aws.String(anomalyMetricID),
			ReturnData: aws.Bool(!s.FillMissing),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{
					Namespace:  aws.String(s.Namespace),
					MetricName: aws.String(s.Metric),
					Dimensions: dimensions(s.Dimensions),
				},
				Period: aws.Int32(s.PeriodSeconds),
				Stat:   aws.String(string(s.Statistic)),
			},
		},
	}
	if s.FillMissing {
		qs = append(qs, cwtypes.MetricDataQuery{Id: aws.String(anomalyFilledID), ReturnData: aws.Bool(true), Expression: aws.String(fillExpression)})
	}
	return append(qs, cwtypes.MetricDataQuery{Id: aws.String(anomalyBandID), ReturnData: aws.Bool(true), Expression: aws.String(bandExpression(s))})
}

// anomalyQueryCount is how many queries an anomaly alarm of s has.
func anomalyQueryCount(s Spec) int {
	if s.FillMissing {
		return 3
	}
	return 2
}

// anomalyDiff lists how a live anomaly alarm's queries differ from the spec
// (the metric, its dimensions, period and statistic, and the band).
func anomalyDiff(s Spec, live cwtypes.MetricAlarm) []string {
	w, ok := BandWidth(live)
	if !ok {
		return []string{"it is not an anomaly-detection alarm with band " + bandExpression(s)}
	}
	var d []string
	if w != s.AnomalyBandWidth {
		d = append(d, fmt.Sprintf("band width is %s, want %s", num(w), num(s.AnomalyBandWidth)))
	}
	if n := anomalyQueryCount(s); len(live.Metrics) != n {
		d = append(d, fmt.Sprintf("it has %d metric queries, want %d", len(live.Metrics), n))
	}
	if s.FillMissing != fillsMetric(live) {
		d = append(d, "its band is not around "+comparedID(s)+" (a period without traffic must count as 0: "+fillExpression+")")
	}
	var stat *cwtypes.MetricStat
	for _, q := range live.Metrics {
		if aws.ToString(q.Id) == anomalyMetricID {
			stat = q.MetricStat
		}
	}
	if stat == nil || stat.Metric == nil {
		return append(d, "query "+anomalyMetricID+" is not the metric "+s.Namespace+"/"+s.Metric)
	}
	if got := aws.ToString(stat.Metric.Namespace) + "/" + aws.ToString(stat.Metric.MetricName); got != s.Namespace+"/"+s.Metric {
		d = append(d, fmt.Sprintf("metric is %s, want %s/%s", got, s.Namespace, s.Metric))
	}
	if got := liveDimensions(stat.Metric.Dimensions); !maps.Equal(got, s.Dimensions) {
		d = append(d, fmt.Sprintf("dimensions are %v, want %v", got, s.Dimensions))
	}
	if aws.ToInt32(stat.Period) != s.PeriodSeconds {
		d = append(d, fmt.Sprintf("period is %d, want %d", aws.ToInt32(stat.Period), s.PeriodSeconds))
	}
	if aws.ToString(stat.Stat) != string(s.Statistic) {
		d = append(d, fmt.Sprintf("statistic is %s, want %s", aws.ToString(stat.Stat), s.Statistic))
	}
	return d
}

// AnomalyMetric is the metric a live anomaly alarm compares with its band
// ("Invocations"), when the alarm watches it in namespace with exactly the
// dimensions dims and its band width passes CheckBandWidth; empty otherwise
// (a fixed threshold, another query shape, a band too wide ever to breach,
// or another namespace's or another endpoint's metric: an alarm that never
// fires for this endpoint is not its anomaly alarm). The guardrail check
// SS-MON-6 reads it.
func AnomalyMetric(live cwtypes.MetricAlarm, namespace string, dims map[string]string) string {
	if w, ok := BandWidth(live); !ok || CheckBandWidth(w) != nil {
		return ""
	}
	for _, q := range live.Metrics {
		if aws.ToString(q.Id) != anomalyMetricID || q.MetricStat == nil || q.MetricStat.Metric == nil {
			continue
		}
		m := q.MetricStat.Metric
		if aws.ToString(m.Namespace) != namespace || !maps.Equal(liveDimensions(m.Dimensions), dims) {
			return ""
		}
		return aws.ToString(m.MetricName)
	}
	return ""
}
