// Command bench measures N endpoint stacks (N = 1, 10, 100, 500 by
// default) that share one network, key and role, against the local
// emulator: AWS API calls by service and action for apply, a no-change plan
// and destroy (counted by the emulator launcher, which sits in front of moto
// as a recording proxy — not by the provider about itself), the share of
// them that goes to APIs AWS throttles at a few requests per second
// (ratelimits.go), the wall time of each phase (median of BENCH_RUNS runs,
// default 3; 1 run for N >= 100 unless BENCH_RUNS_LARGE says more) and the
// emulator's own share of it, `terraform validate` time (provider start-up
// plus schema), the provider process's peak resident memory (sampled from
// /proc), and the size of a release-style binary (-trimpath -s -w).
//
// The waits scenario (waits.go) holds endpoints in Creating for a set time
// and reports polls per wait and how late each wait noticed the end.
// Issue 16's targets are printed as a table, each measured and judged from
// the run's data (targets.go).
//
// `make bench` builds the provider and Terraform, starts the emulator and
// runs this. BENCH_SIZES=1,10 narrows the sizes; BENCH_SCENARIO=scale or
// waits runs one scenario only (default: both); BENCH_WAIT_N (default 10,
// Terraform's default parallelism)
// and BENCH_WAIT_SECONDS (default 90) shape the waits scenario. Results are
// printed and written to bench-results/latest.md and latest.json.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/procstat"
)

const region = "us-east-1"

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "bench FAILED: %v\n", err)
		os.Exit(1)
	}
}

// phase is one measured Terraform command.
type phase struct {
	Name      string         `json:"name"`
	Seconds   []float64      `json:"seconds"`
	Median    float64        `json:"median_seconds"`
	Calls     map[string]int `json:"calls"`
	CallTotal int            `json:"call_total"`
	PeakRSSMB float64        `json:"provider_peak_rss_mb"`
	// PeakAnonMB and PeakFileMB split it: anonymous memory (heap, stacks,
	// runtime) and file pages (the executable's touched code and data).
	PeakAnonMB float64 `json:"provider_peak_anon_mb"`
	PeakFileMB float64 `json:"provider_peak_file_mb"`
	// EmulatorSeconds is the wall time with at least one request in the
	// emulator (last run): the most of the phase the emulator can explain.
	// EmulatorByService sums each service's answer times (requests overlap,
	// so these add up to more); cloudwatch's includes the launcher's CBOR
	// translation.
	EmulatorSeconds   float64            `json:"emulator_busy_seconds"`
	EmulatorByService map[string]float64 `json:"emulator_seconds_by_service"`
	// RateLimited counts the calls to rate-limited APIs; AWSMinSeconds is
	// the least time their documented rates allow for them.
	RateLimited   int     `json:"rate_limited_calls"`
	AWSMinSeconds float64 `json:"aws_rate_min_seconds"`
}

type result struct {
	N      int      `json:"n"`
	Runs   int      `json:"runs"`
	Phases []*phase `json:"phases"`
}

type report struct {
	Date             string         `json:"date"`
	Runs             int            `json:"runs"`
	ValidateMedian   float64        `json:"validate_median_seconds"`
	ValidatePeakRSS  float64        `json:"validate_provider_peak_rss_mb"`
	Results          []result       `json:"results"`
	EmulatorLimits   []string       `json:"emulator_limits"`
	ValidateSeconds  []float64      `json:"validate_seconds"`
	TerraformVersion string         `json:"terraform_version"`
	BinaryBytes      int64          `json:"release_binary_bytes"`
	Waits            *waitsResult   `json:"waits,omitempty"`
	Targets          []targetResult `json:"targets"`
}

var limits = []string{
	"The emulator (moto behind the sagesafe launcher) answers at once unless a scenario holds a state: in the scale runs endpoints are InService at once and waits end immediately, so wall times measure the provider, Terraform and the emulator, not SageMaker. Real deployments take minutes per endpoint.",
	"Call counts are exact and comparable with AWS: they are the requests the provider sent, counted where the emulator receives them.",
	"Emulator busy is the wall time with at least one request inside the emulator: an upper bound of its share of the phase (the provider and Terraform work meanwhile too). Per service, answer times are summed over overlapping calls; CloudWatch's includes the launcher's CBOR translation.",
	"Rate-limited share: calls to APIs with low documented per-account rates (CloudWatch DescribeAlarms 9 TPS, PutMetricAlarm and DeleteAlarms 3 TPS, CloudWatch Logs DescribeLogGroups 5 TPS) and SageMaker Describe*/List* (throttled, rate not published). 'AWS min s' is calls / documented rate: the least time AWS would allow them, as if nothing else in the account called those APIs.",
	"Peak memory is sampled from /proc every 20 ms, so a very short peak can be missed.",
}

// settings are the bench's knobs, from the environment.
type settings struct {
	sizes         []int
	runs, runsBig int
	scenario      string
	waitN         int
	waitSeconds   float64
	root, bin, tf string
	bucket        string
	endpoint      string
}

func loadSettings() (settings, error) {
	var st settings
	st.endpoint = os.Getenv("SAGESAFE_TEST_ENDPOINT")
	if st.endpoint == "" {
		return st, errors.New("SAGESAFE_TEST_ENDPOINT is not set: run `make bench`, which starts the emulator")
	}
	var err error
	if st.sizes, err = parseSizes(envOr("BENCH_SIZES", "1,10,100,500")); err != nil {
		return st, err
	}
	if st.runs, err = positive("BENCH_RUNS", "3"); err != nil {
		return st, err
	}
	if st.runsBig, err = positive("BENCH_RUNS_LARGE", "1"); err != nil {
		return st, err
	}
	if st.waitN, err = positive("BENCH_WAIT_N", "10"); err != nil {
		return st, err
	}
	secs, err := positive("BENCH_WAIT_SECONDS", "90")
	if err != nil {
		return st, err
	}
	st.waitSeconds = float64(secs)
	st.scenario = envOr("BENCH_SCENARIO", "all")
	if st.scenario != "all" && st.scenario != "scale" && st.scenario != "waits" {
		return st, fmt.Errorf("BENCH_SCENARIO must be all, scale or waits, not %q", st.scenario)
	}
	if st.root, err = os.Getwd(); err != nil {
		return st, err
	}
	st.bin = filepath.Join(st.root, ".tools", "bin")
	st.tf = filepath.Join(st.bin, "terraform")
	return st, nil
}

// runsFor is how many runs size n gets: N >= 100 takes minutes per run on
// a small machine, so one run unless BENCH_RUNS_LARGE asks for more.
func (st settings) runsFor(n int) int {
	if n >= referenceN {
		return min(st.runs, st.runsBig)
	}
	return st.runs
}

func run() error {
	ctx := context.Background()
	st, err := loadSettings()
	if err != nil {
		return err
	}
	rep := report{Date: time.Now().UTC().Format(time.RFC3339), Runs: st.runs, EmulatorLimits: limits}
	if out, err := exec.Command(st.tf, "version").Output(); err == nil {
		rep.TerraformVersion = strings.SplitN(string(out), "\n", 2)[0]
	}
	fmt.Printf("sagesafe bench: sizes %v, scenario %s, emulator %s\n", st.sizes, st.scenario, st.endpoint)
	for _, n := range st.sizes {
		if r := st.runsFor(n); r != st.runs {
			fmt.Printf("  note: N=%d gets %d run(s), not %d (BENCH_RUNS_LARGE)\n", n, r, st.runs)
		}
	}
	for _, l := range limits {
		fmt.Println("  note: " + l)
	}
	if rep.BinaryBytes, err = releaseBinarySize(ctx, st.root); err != nil {
		return err
	}
	fmt.Printf("\nrelease-style binary (-trimpath -ldflags \"-s -w\"): %.1f MB\n", float64(rep.BinaryBytes)/(1<<20))
	if st.bucket, err = dataBucket(ctx, st.endpoint); err != nil {
		return err
	}
	if err := measureValidate(ctx, st, &rep); err != nil {
		return err
	}
	// The waits first: the largest N is the longest run, and ends the bench.
	if st.scenario != "scale" {
		if rep.Waits, err = runWaits(ctx, st); err != nil {
			return err
		}
	}
	if st.scenario != "waits" {
		for _, n := range st.sizes {
			res, err := measureSize(ctx, st, n)
			if err != nil {
				return err
			}
			rep.Results = append(rep.Results, res)
		}
	}
	rep.Targets = judge(&rep)
	return write(rep)
}

// write prints the report and saves it under bench-results/.
func write(rep report) error {
	table := render(rep)
	fmt.Println()
	fmt.Print(table)
	if err := os.MkdirAll("bench-results", 0o755); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(filepath.Join("bench-results", "latest.json"), js, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join("bench-results", "latest.md"), []byte(table), 0o644); err != nil {
		return err
	}
	fmt.Println("\nwritten: bench-results/latest.md, bench-results/latest.json")
	return nil
}

// releaseBinarySize builds the provider as a release would (-trimpath, the
// grpcnotrace tag, CGO off, symbols and DWARF stripped) and returns its size.
func releaseBinarySize(ctx context.Context, root string) (int64, error) {
	dir, err := os.MkdirTemp("", "sagesafe-bench-bin-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "terraform-provider-sagesafe")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "grpcnotrace", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("release-style build: %w\n%s", err, b)
	}
	fi, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// measureValidate times terraform validate: provider start-up plus schema.
func measureValidate(ctx context.Context, st settings, rep *report) error {
	w, cleanup, err := workspace(st, 1, "validate")
	if err != nil {
		return err
	}
	defer cleanup()
	var peak float64
	for range st.runs {
		secs, mem, out, err := timed(ctx, st.tf, w, "validate", "-no-color")
		if err != nil {
			return fmt.Errorf("terraform validate: %w\n%s", err, out)
		}
		rep.ValidateSeconds = append(rep.ValidateSeconds, secs)
		peak = max(peak, mem.RSS)
	}
	rep.ValidateMedian, rep.ValidatePeakRSS = median(rep.ValidateSeconds), peak
	fmt.Printf("terraform validate (provider start-up + schema): median %.2fs, provider peak RSS %.1f MB\n", rep.ValidateMedian, peak)
	return nil
}

// measureSize applies, re-plans and destroys n endpoints runsFor(n) times.
func measureSize(ctx context.Context, st settings, n int) (result, error) {
	runs := st.runsFor(n)
	res := result{N: n, Runs: runs, Phases: []*phase{{Name: "apply"}, {Name: planPhase}, {Name: "destroy"}}}
	emu := emulator.New(st.endpoint)
	cmds := [][]string{
		{"apply", "-auto-approve", "-input=false", "-no-color"},
		{"plan", "-detailed-exitcode", "-input=false", "-no-color"},
		{"destroy", "-auto-approve", "-input=false", "-no-color"},
	}
	for r := range runs {
		w, cleanup, err := workspace(st, n, fmt.Sprintf("n%d-r%d", n, r))
		if err != nil {
			return res, err
		}
		fmt.Printf("\nN=%d run %d/%d\n", n, r+1, runs)
		for i, args := range cmds {
			if err := measurePhase(ctx, st, emu, w, res.Phases[i], args); err != nil {
				cleanup()
				return res, fmt.Errorf("terraform %s with %d endpoints: %w", args[0], n, err)
			}
		}
		cleanup()
	}
	for _, p := range res.Phases {
		p.Median = median(p.Seconds)
	}
	return res, nil
}

// measurePhase runs one Terraform command and records its time, calls,
// memory and the emulator's time.
func measurePhase(ctx context.Context, st settings, emu *emulator.Client, w string, p *phase, args []string) error {
	if err := emu.ResetCalls(ctx); err != nil {
		return fmt.Errorf("resetting the emulator's call counter: %w", err)
	}
	secs, mem, out, err := timed(ctx, st.tf, w, args...)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, out)
	}
	calls, err := emu.Calls(ctx)
	if err != nil {
		return err
	}
	var emuSecs struct {
		Busy   float64            `json:"busy_seconds"`
		ByCall map[string]float64 `json:"by_call"`
	}
	if err := control(ctx, st.endpoint, "/_sagesafe/call-seconds", &emuSecs); err != nil {
		return err
	}
	p.Seconds = append(p.Seconds, secs)
	p.Calls, p.CallTotal = calls, total(calls)
	p.PeakRSSMB, p.PeakAnonMB, p.PeakFileMB = max(p.PeakRSSMB, mem.RSS), max(p.PeakAnonMB, mem.Anon), max(p.PeakFileMB, mem.File)
	p.EmulatorSeconds, p.EmulatorByService = emuSecs.Busy, map[string]float64{}
	for call, v := range emuSecs.ByCall {
		service, _, _ := strings.Cut(call, ":")
		p.EmulatorByService[service] += v
	}
	p.RateLimited, p.AWSMinSeconds = limitedCalls(calls)
	fmt.Printf("  %-18s %7.2fs  %6d calls (%d rate-limited)  emulator busy %.2fs  provider peak %.0f MB (anon %.0f, file %.0f)\n",
		p.Name, secs, p.CallTotal, p.RateLimited, p.EmulatorSeconds, mem.RSS, mem.Anon, mem.File)
	return nil
}

// workspace writes a root module with n endpoints sharing one network, key
// and role, and a dev_overrides CLI config.
func workspace(st settings, n int, tag string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "sagesafe-bench-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	cli := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sagesafe/sagesafe\" = %q\n  }\n  direct {}\n}\n", st.bin)
	if err := os.WriteFile(filepath.Join(dir, ".terraformrc"), []byte(cli), 0o600); err != nil {
		cleanup()
		return "", nil, err
	}
	suffix := strconv.FormatInt(time.Now().UnixNano()%1e8, 36) + "-" + tag
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(stackConfig(st.endpoint, st.bucket, n, suffix)), 0o600); err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}

// memPeak is the peak memory of the provider processes of one command, in
// MB: RSS is the largest VmHWM; Anon and File the largest anonymous and
// file-backed resident memory sampled (each at its own moment).
type memPeak struct{ RSS, Anon, File float64 }

func (m *memPeak) add(o memPeak) {
	m.RSS, m.Anon, m.File = max(m.RSS, o.RSS), max(m.Anon, o.Anon), max(m.File, o.File)
}

// timed runs one terraform command and samples the peak memory of the
// provider it starts (only its own child: other Terraform runs on the
// machine are not counted).
func timed(ctx context.Context, tf, dir string, args ...string) (float64, memPeak, string, error) {
	cmd := exec.CommandContext(ctx, tf, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, ".terraformrc"), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, memPeak{}, "", err
	}
	var peak memPeak
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			peak.add(providerMemory(cmd.Process.Pid))
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	secs := time.Since(start).Seconds()
	close(stop)
	<-done // the sampler has stopped writing peak
	return secs, peak, out.String(), err
}

// providerMemory samples the provider processes whose parent is the
// Terraform process parent (internal/procstat).
func providerMemory(parent int) memPeak {
	procs, _ := filepath.Glob("/proc/[0-9]*/status")
	var m memPeak
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := procstat.Parse(b)
		if !strings.HasPrefix(s.Name, "terraform-provi") || s.PPid != parent {
			continue
		}
		m.add(memPeak{RSS: float64(s.HWM) / 1024, Anon: float64(s.Anon) / 1024, File: float64(s.File) / 1024})
	}
	return m
}

func render(rep report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# sagesafe bench (%s, %s)\n\n", rep.Date, rep.TerraformVersion)
	fmt.Fprintf(&b, "terraform validate (provider start-up + schema): median of %d %.2fs; provider peak RSS %.1f MB\n", len(rep.ValidateSeconds), rep.ValidateMedian, rep.ValidatePeakRSS)
	fmt.Fprintf(&b, "release-style binary (-trimpath -ldflags \"-s -w\"): %.1f MB\n\n", float64(rep.BinaryBytes)/(1<<20))
	renderTargets(&b, rep.Targets)
	if len(rep.Results) > 0 {
		renderScale(&b, rep)
	}
	if rep.Waits != nil {
		renderWaits(&b, rep.Waits)
	}
	b.WriteString("\nLimits:\n")
	for _, l := range rep.EmulatorLimits {
		b.WriteString("- " + l + "\n")
	}
	return b.String()
}

func renderTargets(b *strings.Builder, ts []targetResult) {
	b.WriteString("Targets (issue 16)\n")
	w := tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "target\tmeasured\tlimit\tmet\tnote")
	for _, t := range ts {
		val, met := "not measured", "-"
		if t.Measured {
			val, met = fmt.Sprintf("%.3g %s", t.Value, t.Unit), "no"
			if t.Met {
				met = "yes"
			}
		}
		fmt.Fprintf(w, "%s\t%s\t<= %g %s\t%s\t%s\n", t.Name, val, t.Limit, t.Unit, met, t.Note)
	}
	w.Flush()
}

func renderScale(b *strings.Builder, rep report) {
	b.WriteString("\nScale (wall time: median of the runs; calls, emulator time: last run)\n")
	w := tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "N\truns\tphase\tmedian s\temulator busy\tAWS calls\tcalls/endpoint\trate-limited\tshare\tAWS min s\tprovider peak MB")
	for _, r := range rep.Results {
		for _, p := range r.Phases {
			share := 0.0
			if p.CallTotal > 0 {
				share = float64(p.RateLimited) / float64(p.CallTotal)
			}
			busy := p.EmulatorSeconds / p.Seconds[len(p.Seconds)-1]
			fmt.Fprintf(w, "%d\t%d\t%s\t%.2f\t%.2f s (%.0f%%)\t%d\t%.1f\t%d\t%.0f%%\t%.1f\t%.0f\n", r.N, r.Runs, p.Name, p.Median, p.EmulatorSeconds, 100*busy,
				p.CallTotal, float64(p.CallTotal)/float64(r.N), p.RateLimited, 100*share, p.AWSMinSeconds, p.PeakRSSMB)
		}
	}
	w.Flush()
	b.WriteString("\nEmulator time by service, summed over overlapping calls (last run)\n")
	for _, r := range rep.Results {
		for _, p := range r.Phases {
			fmt.Fprintf(b, "N=%d %-18s %s\n", r.N, p.Name, byService(p.EmulatorByService))
		}
	}
	b.WriteString("\nAWS calls by service:action (last run; * = rate-limited API)\n")
	for _, r := range rep.Results {
		for _, p := range r.Phases {
			fmt.Fprintf(b, "\nN=%d %s:\n", r.N, p.Name)
			keys := make([]string, 0, len(p.Calls))
			for k := range p.Calls {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				mark := " "
				if _, ok := limitOf(k); ok {
					mark = "*"
				}
				fmt.Fprintf(b, " %s %-50s %d\n", mark, k, p.Calls[k])
			}
		}
	}
}

// byService lists services by emulator time, largest first.
func byService(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %.2fs", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func renderWaits(b *strings.Builder, wr *waitsResult) {
	fmt.Fprintf(b, "\nWaits: %d endpoints in parallel, each held in every state below for %g s (scaled down from minutes); allowance max(15 s, 10%%) = %.0f s\n",
		wr.N, wr.Seconds, math.Max(15, wr.Seconds/10))
	for _, p := range wr.Phases {
		fmt.Fprintf(b, "%s: apply %.1f s; DescribeEndpoint %d (%.1f per wait, including the reads before and after the wait)\n",
			p.State, p.ApplySeconds, p.Polls, p.PollsPerWait)
		for _, t := range p.Transitions {
			fmt.Fprintf(b, "  %-40s noticed %.1f s after the transition\n", t.Name, t.Late)
		}
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("BENCH_SIZES: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// positive reads a positive whole number from the environment.
func positive(k, def string) (int, error) {
	n, err := strconv.Atoi(envOr(k, def))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a positive number", k)
	}
	return n, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
