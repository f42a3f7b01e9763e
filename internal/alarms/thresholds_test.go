package alarms

import (
	"math"
	"regexp"
	"strings"
	"testing"
)

// TestThresholdReachable: for every alarm kind, a threshold the metric can
// cross is accepted and one it can never cross (with the alarm's
// comparison) is refused with an error naming the metric, its range and
// the comparison.
func TestThresholdReachable(t *testing.T) {
	cases := []struct {
		kind        string
		reachable   []float64
		unreachable []float64 // the metric never crosses these
		outside     []float64 // crossable, but outside what sagesafe accepts
		wantRange   string
	}{
		{EndpointErrorRate5XX, []float64{0, 0.05, 0.999}, []float64{1, 1.5, 100}, []float64{-0.1}, "0 to 1"},
		{EndpointErrorRate4XX, []float64{0, 0.1, 0.99}, []float64{1, 5}, []float64{-1}, "0 to 1"},
		{EndpointModelLatencyP99, []float64{1, 1000, 59_999}, []float64{60_000, 3_600_000}, []float64{0, 0.5}, "0 to 60000"},
		{EndpointCPU, []float64{1, 90, 99.9}, []float64{100, 400}, []float64{0, 0.5}, "0 to 100"},
		{EndpointMemory, []float64{1, 90, 99.5}, []float64{100, 101}, []float64{0}, "0 to 100"},
		{EndpointDisk, []float64{1, 90, 99.5}, []float64{100, 150}, []float64{0}, "0 to 100"},
		{TrainingDisk, []float64{1, 90, 99.9}, []float64{100, 200}, []float64{0.5}, "0 to 100"},
		{TrainingMemory, []float64{1, 90, 99.9}, []float64{100}, []float64{0.5}, "0 to 100"},
		{TrainingGPUIdle, []float64{0.1, 5, 100}, []float64{0, -1}, []float64{0.05, 100.5}, "0 to 100"},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.kind] = true
		rule := ThresholdOf(c.kind)
		for _, v := range c.reachable {
			if err := rule.Check(v); err != nil {
				t.Errorf("%s = %v must be accepted: %v", c.kind, v, err)
			}
		}
		for _, v := range c.unreachable {
			err := rule.Check(v)
			if err == nil {
				t.Errorf("%s = %v can never fire and must be refused", c.kind, v)
				continue
			}
			msg := err.Error()
			for _, want := range []string{"SS-MON-1", rule.Metric, "ranges from " + c.wantRange, string(rule.Comparison), "can never fire", "Fix: use a threshold " + rule.Accepted()} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s = %v: error %q lacks %q", c.kind, v, msg, want)
				}
			}
		}
		for _, v := range c.outside {
			if err := rule.Check(v); err == nil || !strings.Contains(err.Error(), rule.Metric) {
				t.Errorf("%s = %v is outside the accepted range and must be refused naming the metric, got %v", c.kind, v, err)
			}
		}
	}
	for kind := range thresholds {
		if !seen[kind] {
			t.Errorf("threshold rule %s has no test case", kind)
		}
	}
}

func TestThresholdAccepted(t *testing.T) {
	for kind, want := range map[string]string{
		EndpointErrorRate5XX:    "at least 0 and below 1",
		EndpointModelLatencyP99: "at least 1 and below 60000",
		EndpointCPU:             "at least 1 and below 100",
		TrainingGPUIdle:         "at least 0.1 and at most 100",
	} {
		if got := ThresholdOf(kind).Accepted(); got != want {
			t.Errorf("%s accepts %q, want %q", kind, got, want)
		}
		if doc := ThresholdOf(kind).Doc(); !strings.Contains(doc, want[1:]) || !strings.Contains(doc, ThresholdOf(kind).Metric) {
			t.Errorf("%s: doc %q does not quote the metric and %q", kind, doc, want)
		}
	}
}

// TestSpecsFollowThresholdTable: the alarms compare the metric the table
// names with its comparison and statistic, and the highest accepted
// threshold stays below what the metric can reach once scaled (vCPUs, GPUs,
// microseconds).
func TestSpecsFollowThresholdTable(t *testing.T) {
	const vcpus, gpus = 8, 4
	justBelow := func(kind string) float64 { return math.Nextafter(ThresholdOf(kind).High, 0) }
	ep := EndpointInput{EndpointName: "e", VariantName: "AllTraffic", VCPUs: vcpus, Thresholds: EndpointThresholds{
		ErrorRate5XX: justBelow(EndpointErrorRate5XX), ErrorRate4XX: justBelow(EndpointErrorRate4XX),
		ModelLatencyP99Millis: justBelow(EndpointModelLatencyP99), CPUPercent: justBelow(EndpointCPU),
		MemoryPercent: justBelow(EndpointMemory), DiskPercent: justBelow(EndpointDisk),
	}}
	tr := TrainingInput{JobName: "j", InstanceCount: 1, GPUs: gpus, Thresholds: TrainingThresholds{
		DiskPercent: justBelow(TrainingDisk), MemoryPercent: justBelow(TrainingMemory), GPUIdlePercent: 100,
	}}
	// What each metric reaches at most, in the alarm's own unit.
	metricMax := map[string]float64{
		EndpointErrorRate5XX: 1, EndpointErrorRate4XX: 1, EndpointModelLatencyP99: 60_000_000, // microseconds
		EndpointCPU: 100 * vcpus, EndpointMemory: 100, EndpointDisk: 100,
		TrainingDisk: 100, TrainingMemory: 100, TrainingGPUIdle: 100 * gpus,
	}
	training := regexp.MustCompile(`^algo-\d+/`)
	for _, s := range append(EndpointSpecs(ep), TrainingSpecs(tr)...) {
		kind := training.ReplaceAllString(s.Kind, "")
		if s.IsAnomaly() {
			continue // no threshold: the band is the threshold (anomaly_test.go)
		}
		rule := ThresholdOf(kind)
		stat := string(s.Statistic)
		if s.ExtendedStatistic != "" {
			stat = s.ExtendedStatistic
		}
		if s.Metric != rule.Metric || s.Comparison != rule.Comparison || stat != rule.Statistic {
			t.Errorf("%s: alarm on %s %s %s, table says %s %s %s", kind, s.Metric, stat, s.Comparison, rule.Metric, rule.Statistic, rule.Comparison)
		}
		switch {
		case kind == TrainingGPUIdle && !(s.Threshold > 0 && s.Threshold <= metricMax[kind]):
			t.Errorf("%s: threshold %v outside (0, %v]", kind, s.Threshold, metricMax[kind])
		case kind != TrainingGPUIdle && !(s.Threshold < metricMax[kind]):
			t.Errorf("%s: threshold %v is not below the metric's maximum %v", kind, s.Threshold, metricMax[kind])
		}
	}
}
