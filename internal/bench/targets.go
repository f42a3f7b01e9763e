package main

import (
	"fmt"
	"math"
)

// target is one of issue 16's targets: a measured value and the limit it
// must stay under. Measure returns ok false when the run did not measure
// it (a size left out with BENCH_SIZES, the waits scenario not run).
type target struct {
	Name    string
	Limit   float64
	Unit    string
	Measure func(*report) (value float64, ok bool, note string)
}

// targetResult is a target as judged on one report.
type targetResult struct {
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Limit    float64 `json:"limit"`
	Unit     string  `json:"unit"`
	Measured bool    `json:"measured"`
	Met      bool    `json:"met"`
	Note     string  `json:"note,omitempty"`
}

const (
	planPhase  = "plan (no changes)"
	largeN     = 500
	referenceN = 100
)

// targets are issue 16's "Done when" and "What to build" figures.
var targets = []target{
	{"terraform validate (provider start-up + schema)", 0.2, "s", func(r *report) (float64, bool, string) {
		return r.ValidateMedian, len(r.ValidateSeconds) > 0, ""
	}},
	{fmt.Sprintf("provider peak memory at N=%d", largeN), 100, "MB", func(r *report) (float64, bool, string) {
		res := r.result(largeN)
		if res == nil {
			return 0, false, ""
		}
		var peak, anon, file float64
		for _, p := range res.Phases {
			peak, anon, file = max(peak, p.PeakRSSMB), max(anon, p.PeakAnonMB), max(file, p.PeakFileMB)
		}
		return peak, true, fmt.Sprintf("largest of apply, plan, destroy; anonymous (heap, runtime) up to %.0f MB, file pages (the executable) up to %.0f MB", anon, file)
	}},
	{fmt.Sprintf("no-change plan per endpoint, N=%d over N=%d", largeN, referenceN), 2, "×", func(r *report) (float64, bool, string) {
		big, ref := r.phase(largeN, planPhase), r.phase(referenceN, planPhase)
		if big == nil || ref == nil || ref.Median == 0 {
			return 0, false, ""
		}
		return (big.Median / largeN) / (ref.Median / referenceN), true, fmt.Sprintf("%.3f s against %.3f s per endpoint", big.Median/largeN, ref.Median/referenceN)
	}},
	// Issue 16's budget is "<= 3 calls per endpoint plus O(1) for the
	// alarm and log-group reads": the per-command listings (alarms, log
	// groups, tags, scaling targets), whose pages grow by one per 50-100
	// endpoints, are the O(1) part and are judged by the next target; this
	// one counts every other call (its note gives all calls).
	{"no-change plan: calls per extra endpoint besides the shared listings", 3, "calls", func(r *report) (float64, bool, string) {
		v, ok, note := r.planSlope(func(call string) bool { return !sharedListing(call) })
		if all, allOK, _ := r.planSlope(func(string) bool { return true }); allOK {
			note += fmt.Sprintf("; %.2f with the listings' pages", all)
		}
		return v, ok, note
	}},
	{"no-change plan: shared listings per extra endpoint (O(1): pages only)", 0.1, "calls", func(r *report) (float64, bool, string) {
		return r.planSlope(sharedListing)
	}},
	{"waits: worst lateness over its allowance max(15 s, 10% of the duration)", 1, "×", func(r *report) (float64, bool, string) {
		if r.Waits == nil || len(r.Waits.transitions()) == 0 {
			return 0, false, ""
		}
		worst := 0.0
		all := r.Waits.transitions()
		for _, t := range all {
			worst = max(worst, t.Late/math.Max(15, t.Seconds/10))
		}
		return worst, true, fmt.Sprintf("%d transitions of %g s (%s)", len(all), r.Waits.Seconds, r.Waits.states())
	}},
	{"waits: polls per wait over the log bound", 1, "×", func(r *report) (float64, bool, string) {
		if r.Waits == nil || len(r.Waits.Phases) == 0 {
			return 0, false, ""
		}
		worst, note := 0.0, ""
		for _, p := range r.Waits.Phases {
			if v := p.PollsPerWait / pollBound(r.Waits.Seconds); v >= worst {
				worst = v
				note = fmt.Sprintf("%s: %.1f DescribeEndpoint per wait, bound %.0f for %g s", p.State, p.PollsPerWait, pollBound(r.Waits.Seconds), r.Waits.Seconds)
			}
		}
		return worst, true, note
	}},
	// Issue 16's "per-endpoint apply cost below hashicorp/aws's in the same
	// run": that run needs registry.terraform.io, which this machine cannot
	// reach, so the limit is the figure the issue measured on another day
	// (hashicorp/aws v5.45.0, same emulator and Terraform), same definition.
	{"apply per extra endpoint, N=1 to N=10, against hashicorp/aws's 0.33 s", awsApplyPerEndpoint, "s", func(r *report) (float64, bool, string) {
		one, ten := r.phase(1, "apply"), r.phase(10, "apply")
		if one == nil || ten == nil {
			return 0, false, ""
		}
		return (ten.Median - one.Median) / 9, true, "hashicorp/aws's figure is from issue 16's run on another day, not this run (registry.terraform.io is unreachable here)"
	}},
}

// awsApplyPerEndpoint is hashicorp/aws v5.45.0's apply time per extra
// endpoint between N=1 and N=10, (22.30 s - 19.32 s) / 9, as issue 16
// measured it.
const awsApplyPerEndpoint = 0.33

// pollBound is the most polls a wait of d seconds may take: one per 15 s up
// to 150 s (the lateness allowed there), then one per 10% of growth, plus
// the quick first polls and the reads around the wait. It grows with
// log(d).
func pollBound(d float64) float64 {
	return 16 + math.Ceil(math.Log(math.Max(d, 150)/150)/math.Log(1.1))
}

// judge measures every target on r.
func judge(r *report) []targetResult {
	var out []targetResult
	for _, t := range targets {
		v, ok, note := t.Measure(r)
		out = append(out, targetResult{Name: t.Name, Value: v, Limit: t.Limit, Unit: t.Unit, Measured: ok, Met: ok && v <= t.Limit, Note: note})
	}
	return out
}

func (r *report) result(n int) *result {
	for i := range r.Results {
		if r.Results[i].N == n {
			return &r.Results[i]
		}
	}
	return nil
}

func (r *report) phase(n int, name string) *phase {
	res := r.result(n)
	if res == nil {
		return nil
	}
	for _, p := range res.Phases {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// planSlope is the growth of the no-change plan's calls (those keep
// selects) per extra endpoint, between the smallest and the largest N
// measured: the per-endpoint cost without the fixed part.
func (r *report) planSlope(keep func(string) bool) (float64, bool, string) {
	if len(r.Results) < 2 {
		return 0, false, ""
	}
	lo, hi := r.Results[0], r.Results[0]
	for _, res := range r.Results {
		if res.N < lo.N {
			lo = res
		}
		if res.N > hi.N {
			hi = res
		}
	}
	if hi.N == lo.N {
		return 0, false, ""
	}
	count := func(res result) int {
		n := 0
		for _, p := range res.Phases {
			if p.Name != planPhase {
				continue
			}
			for call, c := range p.Calls {
				if keep(call) {
					n += c
				}
			}
		}
		return n
	}
	a, b := count(lo), count(hi)
	return float64(b-a) / float64(hi.N-lo.N), true, fmt.Sprintf("%d calls at N=%d, %d at N=%d", a, lo.N, b, hi.N)
}

// sharedListing reports whether a call is one of the listings a command
// shares between all its resources (providerdata.Reads), or a tag read of
// alarms and log groups.
func sharedListing(call string) bool {
	switch call {
	case "cloudwatch:DescribeAlarms", "logs:DescribeLogGroups", "tagging:GetResources", "application-autoscaling:DescribeScalableTargets",
		"cloudwatch:ListTagsForResource", "logs:ListTagsForResource", "logs:ListTagsLogGroup":
		return true
	}
	return false
}
