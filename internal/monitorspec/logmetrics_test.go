package monitorspec

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
)

// clause is one "($.field = "value")" of a JSON filter pattern. No Go
// library evaluates CloudWatch Logs filter patterns and moto has no
// TestMetricFilter, so the tests check the pattern's structure against the
// contract line instead of matching it.
var clause = regexp.MustCompile(`\(\$\.([a-z_]+) = "([^"]*)"\)`)

func clauses(t *testing.T, pattern string) map[string]string {
	t.Helper()
	if !strings.HasPrefix(pattern, "{ ") || !strings.HasSuffix(pattern, " }") {
		t.Fatalf("pattern %q is not a JSON filter pattern", pattern)
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(pattern, "{ "), " }")
	out := map[string]string{}
	for i, part := range strings.Split(inner, " && ") {
		m := clause.FindStringSubmatch(part)
		if m == nil || m[0] != part {
			t.Fatalf("clause %d of %q is not ($.field = \"value\")", i, pattern)
		}
		out[m[1]] = m[2]
	}
	return out
}

// TestLogMetricFilters: per feature a drift filter, a data filter for the
// first feature only, the alarms' metric names, namespace and dimensions,
// and a contract line of that feature has every field the pattern, the
// value and the dimensions select.
func TestLogMetricFilters(t *testing.T) {
	got := LogMetricFilters("mon", "ep-1", []string{"age", "income.v2"})
	wantNames := []string{"sagesafe-monitor-mon-drift-age", "sagesafe-monitor-mon-drift-income.v2", "sagesafe-monitor-mon-data-age"}
	if len(got) != len(wantNames) {
		t.Fatalf("got %d filters, want %d", len(got), len(wantNames))
	}
	specs := alarms.MonitorSpecs(alarms.MonitorInput{Monitor: "mon", Endpoint: "ep-1", Features: []string{"age", "income.v2"}, IntervalSeconds: 3600})
	watched := map[string]alarms.Spec{}
	for _, s := range specs {
		watched[s.Metric] = s
	}
	for i, f := range got {
		if f.Name != wantNames[i] {
			t.Errorf("filter %d is %s, want %s", i, f.Name, wantNames[i])
		}
		feature := strings.TrimPrefix(strings.TrimPrefix(f.Metric, "feature_baseline_drift_"), "feature_data_")
		line := LogLine{Monitor: "mon", Endpoint: "ep-1", Feature: feature, BaselineDrift: 0.25, Data: 120}.String()
		var fields map[string]any
		if err := json.Unmarshal([]byte(line), &fields); err != nil {
			t.Fatal(err)
		}
		for field, value := range clauses(t, f.Pattern) {
			if fields[field] != value {
				t.Errorf("%s: the pattern wants %s = %q, the contract line %s has %v", f.Name, field, value, line, fields[field])
			}
		}
		if _, ok := fields[strings.TrimPrefix(f.Value, "$.")].(float64); !ok {
			t.Errorf("%s: the metric value %s is not a number of the line %s", f.Name, f.Value, line)
		}
		if len(f.Dimensions) > 3 {
			t.Errorf("%s: %d dimensions, CloudWatch takes 3", f.Name, len(f.Dimensions))
		}
		spec, ok := watched[f.Metric]
		if !ok {
			t.Errorf("%s makes %s, which no alarm watches", f.Name, f.Metric)
			continue
		}
		if spec.Namespace != f.Namespace {
			t.Errorf("%s: namespace %s, the alarm watches %s", f.Name, f.Namespace, spec.Namespace)
		}
		for dim, want := range spec.Dimensions {
			sel, ok := f.Dimensions[dim]
			if !ok || fields[strings.TrimPrefix(sel, "$.")] != want {
				t.Errorf("%s: dimension %s = %s gives %v on the line, the alarm wants %s", f.Name, dim, sel, fields[strings.TrimPrefix(sel, "$.")], want)
			}
		}
	}
	// A line of another monitor, endpoint or feature fails a clause.
	c := clauses(t, got[0].Pattern)
	for _, other := range []LogLine{{Monitor: "mon-2", Endpoint: "ep-1", Feature: "age"}, {Monitor: "mon", Endpoint: "ep-2", Feature: "age"}, {Monitor: "mon", Endpoint: "ep-1", Feature: "income.v2"}} {
		if c["sagesafe_monitor"] == other.Monitor && c["endpoint"] == other.Endpoint && c["feature"] == other.Feature {
			t.Errorf("the pattern of %s admits %s", got[0].Name, other)
		}
	}
}

func TestOwnedBy(t *testing.T) {
	if !OwnedBy("a", FilterPattern("a", "ep", "x")) {
		t.Error("a's own pattern is not a's")
	}
	// Monitor "a-b"'s filters start with "sagesafe-monitor-a-" too.
	if OwnedBy("a", FilterPattern("a-b", "ep", "x")) || OwnedBy("a", `{ $.eventName = "x" }`) {
		t.Error("another monitor's (or no monitor's) pattern is a's")
	}
}

func live(f MetricFilter) logstypes.MetricFilter {
	return logstypes.MetricFilter{FilterName: aws.String(f.Name), FilterPattern: aws.String(f.Pattern), LogGroupName: aws.String(LogGroup),
		MetricTransformations: []logstypes.MetricTransformation{{MetricName: aws.String(f.Metric), MetricNamespace: aws.String(f.Namespace),
			MetricValue: aws.String(f.Value), Dimensions: f.Dimensions}}}
}

func TestFilterDrift(t *testing.T) {
	want := LogMetricFilters("a", "ep", []string{"x", "y"})
	var all []logstypes.MetricFilter
	for _, f := range want {
		all = append(all, live(f))
	}
	other := live(LogMetricFilters("a-b", "ep", []string{"z"})[0])
	if lines, stale := FilterDrift("a", want, append(all, other)); len(lines) != 0 || len(stale) != 0 {
		t.Errorf("same filters: drift %v, stale %v", lines, stale)
	}
	changed := live(want[0])
	changed.MetricTransformations[0].MetricValue = aws.String("1")
	removed := LogMetricFilters("a", "ep", []string{"y"}) // x removed: its drift filter and the data filter go
	lines, stale := FilterDrift("a", removed, []logstypes.MetricFilter{changed, all[1]})
	if len(stale) != 1 || stale[0] != want[0].Name {
		t.Errorf("stale %v, want [%s]", stale, want[0].Name)
	}
	if len(lines) != 2 || !strings.Contains(strings.Join(lines, "\n"), removed[1].Name+" on "+LogGroup+" is missing") {
		t.Errorf("drift %v: want the missing data filter of y and the stale filter of x", lines)
	}
	lines, _ = FilterDrift("a", want[:1], []logstypes.MetricFilter{changed})
	if len(lines) != 1 || !strings.Contains(lines[0], "another pattern or metric") {
		t.Errorf("changed filter: drift %v", lines)
	}
}
