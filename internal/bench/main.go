// Command bench measures N endpoint stacks (N = 1, 10, 50 by default) that
// share one network, key and role, against the local emulator: AWS API
// calls by service and action for apply, a no-change plan and destroy
// (counted by the emulator launcher, which sits in front of moto as a
// recording proxy — not by the provider about itself), the wall time of
// each phase (median of BENCH_RUNS runs, default 3), `terraform validate`
// time (provider start-up plus schema), and the provider process's peak
// resident memory (sampled from /proc).
//
// `make bench` builds the provider and Terraform, starts the emulator and
// runs this. BENCH_SIZES=1,10 narrows the sizes. Results are printed and
// written to bench-results/latest.md and bench-results/latest.json.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
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
}

type result struct {
	N      int      `json:"n"`
	Phases []*phase `json:"phases"`
}

type report struct {
	Date             string    `json:"date"`
	Runs             int       `json:"runs"`
	ValidateMedian   float64   `json:"validate_median_seconds"`
	ValidatePeakRSS  float64   `json:"validate_provider_peak_rss_mb"`
	Results          []result  `json:"results"`
	EmulatorLimits   []string  `json:"emulator_limits"`
	ValidateSeconds  []float64 `json:"validate_seconds"`
	TerraformVersion string    `json:"terraform_version"`
}

var limits = []string{
	"The emulator (moto behind the sagesafe launcher) answers at once: endpoints are InService and waits end immediately, so wall times measure the provider, Terraform and the emulator, not SageMaker. Real deployments take minutes per endpoint.",
	"Call counts are exact and comparable with AWS: they are the requests the provider sent, counted where the emulator receives them.",
	"Peak memory is sampled from /proc every 20 ms, so a very short peak can be missed.",
}

func run() error {
	ctx := context.Background()
	endpoint := os.Getenv("SAGESAFE_TEST_ENDPOINT")
	if endpoint == "" {
		return errors.New("SAGESAFE_TEST_ENDPOINT is not set: run `make bench`, which starts the emulator")
	}
	sizes, err := parseSizes(envOr("BENCH_SIZES", "1,10,50"))
	if err != nil {
		return err
	}
	runs, err := strconv.Atoi(envOr("BENCH_RUNS", "3"))
	if err != nil || runs < 1 {
		return fmt.Errorf("BENCH_RUNS must be a positive number")
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	bin := filepath.Join(root, ".tools", "bin")
	tf := filepath.Join(bin, "terraform")
	emu := emulator.New(endpoint)

	rep := report{Date: time.Now().UTC().Format(time.RFC3339), Runs: runs, EmulatorLimits: limits}
	if out, err := exec.Command(tf, "version").Output(); err == nil {
		rep.TerraformVersion = strings.SplitN(string(out), "\n", 2)[0]
	}

	fmt.Printf("sagesafe bench: sizes %v, %d run(s) each, emulator %s\n", sizes, runs, endpoint)
	for _, l := range limits {
		fmt.Println("  note: " + l)
	}

	// Provider start-up plus schema: terraform validate.
	{
		w, cleanup, err := workspace(bin, endpoint, 1, "validate")
		if err != nil {
			return err
		}
		var peak float64
		for range runs {
			secs, rss, out, err := timed(ctx, tf, w, "validate", "-no-color")
			if err != nil {
				cleanup()
				return fmt.Errorf("terraform validate: %w\n%s", err, out)
			}
			rep.ValidateSeconds = append(rep.ValidateSeconds, secs)
			peak = max(peak, rss)
		}
		cleanup()
		rep.ValidateMedian, rep.ValidatePeakRSS = median(rep.ValidateSeconds), peak
		fmt.Printf("\nterraform validate (provider start-up + schema): median %.2fs, provider peak RSS %.1f MB\n", rep.ValidateMedian, peak)
	}

	for _, n := range sizes {
		res := result{N: n, Phases: []*phase{{Name: "apply"}, {Name: "plan (no changes)"}, {Name: "destroy"}}}
		for r := range runs {
			w, cleanup, err := workspace(bin, endpoint, n, fmt.Sprintf("n%d-r%d", n, r))
			if err != nil {
				return err
			}
			fmt.Printf("\nN=%d run %d/%d\n", n, r+1, runs)
			cmds := [][]string{
				{"apply", "-auto-approve", "-input=false", "-no-color"},
				{"plan", "-detailed-exitcode", "-input=false", "-no-color"},
				{"destroy", "-auto-approve", "-input=false", "-no-color"},
			}
			for i, args := range cmds {
				if err := emu.ResetCalls(ctx); err != nil {
					cleanup()
					return fmt.Errorf("resetting the emulator's call counter: %w", err)
				}
				secs, rss, out, err := timed(ctx, tf, w, args...)
				if err != nil {
					cleanup()
					return fmt.Errorf("terraform %s with %d endpoints: %w\n%s", args[0], n, err, out)
				}
				calls, err := emu.Calls(ctx)
				if err != nil {
					cleanup()
					return err
				}
				p := res.Phases[i]
				p.Seconds = append(p.Seconds, secs)
				p.Calls, p.CallTotal = calls, total(calls)
				p.PeakRSSMB = max(p.PeakRSSMB, rss)
				fmt.Printf("  %-18s %6.2fs  %5d calls  provider peak %.0f MB\n", p.Name, secs, p.CallTotal, rss)
			}
			cleanup()
		}
		for _, p := range res.Phases {
			p.Median = median(p.Seconds)
		}
		rep.Results = append(rep.Results, res)
	}

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

// workspace writes a root module with n endpoints sharing one network, key
// and role, and a dev_overrides CLI config.
func workspace(bin, endpoint string, n int, tag string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "sagesafe-bench-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	cli := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sagesafe/sagesafe\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(filepath.Join(dir, ".terraformrc"), []byte(cli), 0o600); err != nil {
		cleanup()
		return "", nil, err
	}
	suffix := strconv.FormatInt(time.Now().UnixNano()%1e8, 36) + "-" + tag
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(stackConfig(endpoint, n, suffix)), 0o600); err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}

// timed runs one terraform command and samples the provider's peak RSS.
func timed(ctx context.Context, tf, dir string, args ...string) (float64, float64, string, error) {
	cmd := exec.CommandContext(ctx, tf, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, ".terraformrc"), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out

	var peak float64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v := providerRSSMB(); v > 0 {
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	err := cmd.Run()
	secs := time.Since(start).Seconds()
	close(stop)
	<-done
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		return secs, peak, out.String(), err
	}
	return secs, peak, out.String(), nil
}

// providerRSSMB returns the largest VmHWM of running provider processes.
func providerRSSMB() float64 {
	procs, _ := filepath.Glob("/proc/[0-9]*/status")
	var best float64
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte("terraform-provi")) {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "Name:") && !strings.Contains(line, "terraform-provi") {
				break
			}
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				best = max(best, kb/1024)
			}
		}
	}
	return best
}

func render(rep report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# sagesafe bench (%s, %s, median of %d runs)\n\n", rep.Date, rep.TerraformVersion, rep.Runs)
	fmt.Fprintf(&b, "terraform validate (provider start-up + schema): %.2fs; provider peak RSS %.1f MB\n\n", rep.ValidateMedian, rep.ValidatePeakRSS)
	w := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "N\tphase\tmedian s\tAWS calls\tcalls/endpoint\tprovider peak MB")
	for _, r := range rep.Results {
		for _, p := range r.Phases {
			fmt.Fprintf(w, "%d\t%s\t%.2f\t%d\t%.1f\t%.0f\n", r.N, p.Name, p.Median, p.CallTotal, float64(p.CallTotal)/float64(r.N), p.PeakRSSMB)
		}
	}
	w.Flush()
	b.WriteString("\nAWS calls by service:action (last run)\n")
	for _, r := range rep.Results {
		for _, p := range r.Phases {
			fmt.Fprintf(&b, "\nN=%d %s:\n", r.N, p.Name)
			keys := make([]string, 0, len(p.Calls))
			for k := range p.Calls {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(&b, "  %-50s %d\n", k, p.Calls[k])
			}
		}
	}
	b.WriteString("\nLimits:\n")
	for _, l := range rep.EmulatorLimits {
		b.WriteString("- " + l + "\n")
	}
	return b.String()
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

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
