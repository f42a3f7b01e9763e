package main

import (
	"math"
	"strings"
	"testing"
)

func TestLimitedCalls(t *testing.T) {
	calls := map[string]int{
		"cloudwatch:DescribeAlarms":  18, // 9 TPS: 2 s
		"logs:DescribeLogGroups":     10, // 5 TPS: 2 s
		"sagemaker:DescribeEndpoint": 7,  // rate not published: counted, no time
		"sagemaker:CreateEndpoint":   3,  // not a Describe*/List*
		"ec2:DescribeVpcs":           4,
	}
	n, secs := limitedCalls(calls)
	if n != 35 || math.Abs(secs-4) > 1e-9 {
		t.Errorf("limitedCalls = %d calls, %g s; want 35 calls, 4 s", n, secs)
	}
}

// TestJudge checks that every target is judged from the report's data: a
// size left out is "not measured" (never met), and each limit is compared
// with what was measured.
func TestJudge(t *testing.T) {
	plan := func(n, other, alarms int, secs float64) result {
		return result{N: n, Phases: []*phase{{Name: planPhase, Median: secs, PeakRSSMB: 90,
			Calls: map[string]int{"sagemaker:DescribeEndpoint": other, "cloudwatch:DescribeAlarms": alarms}}}}
	}
	r := &report{
		ValidateSeconds: []float64{0.15}, ValidateMedian: 0.15,
		// 3 calls per extra endpoint in all, alarm reads O(1): 1 page at N=100, 2 at N=500.
		Results: []result{plan(referenceN, 3*referenceN, 1, 10), plan(largeN, 3*largeN-1, 2, 60)},
		Waits: &waitsResult{Seconds: 90, Waits: 4, Phases: []waitPhase{
			{State: "Creating", PollsPerWait: 12, Transitions: []transition{{Seconds: 90, Late: 3}, {Seconds: 90, Late: 2}}},
			{State: "Updating", PollsPerWait: 11, Transitions: []transition{{Seconds: 90, Late: 16}, {Seconds: 90, Late: 3}}},
		}},
	}
	got := map[string]targetResult{}
	for _, tr := range judge(r) {
		got[tr.Name] = tr
	}
	want := map[string]bool{
		targets[0].Name: true,  // validate 0.15 s
		targets[1].Name: true,  // 90 MB at N=500
		targets[2].Name: true,  // 0.12 s against 0.1 s per endpoint: 1.2×
		targets[3].Name: true,  // 3 calls per extra endpoint
		targets[4].Name: true,  // 1 alarm page over 400 endpoints
		targets[5].Name: false, // 16 s late in Updating, 15 s allowed
		targets[6].Name: true,  // 12 polls at most, bound 16
	}
	for name, met := range want {
		if tr := got[name]; !tr.Measured || tr.Met != met {
			t.Errorf("%s: measured %v, met %v (value %g); want met %v", name, tr.Measured, tr.Met, tr.Value, met)
		}
	}
	if v := got[targets[2].Name].Value; math.Abs(v-1.2) > 1e-9 {
		t.Errorf("plan per endpoint ratio %g, want 1.2", v)
	}

	// The worst phase decides: Updating polling more than the bound fails
	// the target although Creating meets it.
	r.Waits.Phases[1].PollsPerWait = 17
	for _, tr := range judge(r) {
		if tr.Name == targets[6].Name && (!tr.Measured || tr.Met || !strings.HasPrefix(tr.Note, "Updating:")) {
			t.Errorf("%s with 17 polls per Updating wait: measured %v, met %v, note %q", tr.Name, tr.Measured, tr.Met, tr.Note)
		}
	}

	// Without N=500 and the waits, those targets are not measured, so not met.
	r.Results, r.Waits = r.Results[:1], nil
	for _, tr := range judge(r) {
		if tr.Name != targets[0].Name && (tr.Measured || tr.Met) {
			t.Errorf("%s: judged without its data (measured %v, met %v)", tr.Name, tr.Measured, tr.Met)
		}
	}
}

// TestJudgeApplyPerEndpoint: the apply's cost per extra endpoint is the
// growth from N=1 to N=10 over 9, judged against hashicorp/aws's figure.
func TestJudgeApplyPerEndpoint(t *testing.T) {
	apply := func(n int, secs float64) result {
		return result{N: n, Phases: []*phase{{Name: "apply", Median: secs}}}
	}
	name := targets[len(targets)-1].Name
	judged := func(r *report) targetResult {
		for _, tr := range judge(r) {
			if tr.Name == name {
				return tr
			}
		}
		t.Fatalf("no target %q", name)
		return targetResult{}
	}
	if tr := judged(&report{Results: []result{apply(1, 2.38), apply(10, 6.05)}}); !tr.Measured || tr.Met || math.Abs(tr.Value-0.4078) > 1e-3 {
		t.Errorf("the issue's own sagesafe figures (0.41 s): measured %v, met %v, value %g; want not met", tr.Measured, tr.Met, tr.Value)
	}
	if tr := judged(&report{Results: []result{apply(1, 1.31), apply(10, 2.01)}}); !tr.Measured || !tr.Met {
		t.Errorf("0.078 s per endpoint: measured %v, met %v; want met", tr.Measured, tr.Met)
	}
	if tr := judged(&report{Results: []result{apply(1, 1.31)}}); tr.Measured || tr.Met {
		t.Errorf("without N=10: measured %v, met %v; want not measured", tr.Measured, tr.Met)
	}
}
