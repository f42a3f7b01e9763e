package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
)

// The waits scenario: N endpoints created in parallel while the emulator
// holds each in Creating for a set time, then all updated in parallel (a new
// instance type: a new endpoint configuration that UpdateEndpoint deploys)
// while it holds each in Updating as long, so the provider's waits poll as
// they would on SageMaker. Real endpoint creation and updates take "a few
// minutes" (SageMaker Developer Guide, "Create an endpoint" for serverless
// endpoints; the AWS CLI's endpoint-in-service waiter polls every 30 s for
// up to an hour): minutes per run are too long for a bench, so the default
// is scaled down to 90 s (BENCH_WAIT_SECONDS). The emulator records, for
// every timed state that ended, how long after its due time the first
// DescribeEndpoint saw it (GET /_sagesafe/transitions); DescribeEndpoint
// calls during the apply are counted as polls (with the one refresh read
// per endpoint of the update's plan, which pollBound allows for).

// waitsResult is the waits scenario's outcome: one phase per timed state.
type waitsResult struct {
	N       int         `json:"n"`
	Seconds float64     `json:"transition_seconds"`
	Waits   int         `json:"waits"`
	Phases  []waitPhase `json:"phases"`
}

// waitPhase is one apply whose endpoints were held in a timed state.
type waitPhase struct {
	State        string       `json:"state"`
	ApplySeconds float64      `json:"apply_seconds"`
	Polls        int          `json:"describe_endpoint_calls"`
	PollsPerWait float64      `json:"polls_per_wait"`
	Transitions  []transition `json:"transitions"`
	MaxLate      float64      `json:"max_late_seconds"`
}

// transition is one timed state the emulator saw end.
type transition struct {
	Kind    string  `json:"kind"`
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Late    float64 `json:"late_seconds"`
}

// transitions are every phase's transitions.
func (w *waitsResult) transitions() []transition {
	var out []transition
	for _, p := range w.Phases {
		out = append(out, p.Transitions...)
	}
	return out
}

// states names the phases' states ("Creating, Updating").
func (w *waitsResult) states() string {
	names := make([]string, len(w.Phases))
	for i, p := range w.Phases {
		names[i] = p.State
	}
	return strings.Join(names, ", ")
}

// waitStates are the timed states the scenario holds, in order: the
// emulator behaviour that times each, and the edit to the stack's
// configuration that makes the next apply enter it (none: the first apply
// creates).
var waitStates = []struct {
	state, behaviour, from, to string
}{
	{"Creating", "endpoint_creating_seconds", "", ""},
	{"Updating", "endpoint_updating_seconds", `instance_type = "ml.m5.xlarge"`, `instance_type = "ml.m5.2xlarge"`},
}

// runWaits applies n endpoints with Creating held for seconds, then updates
// them with Updating held as long, reading the emulator's transitions and
// poll counts after each apply; then destroys them.
func runWaits(ctx context.Context, st settings) (*waitsResult, error) {
	tf, endpoint, n, seconds := st.tf, st.endpoint, st.waitN, st.waitSeconds
	emu := emulator.New(endpoint)
	timing, reset := map[string]any{}, map[string]any{}
	for _, ws := range waitStates {
		timing[ws.behaviour], reset[ws.behaviour] = seconds, nil
	}
	if err := emu.MergeBehaviour(ctx, timing); err != nil {
		return nil, fmt.Errorf("setting the timed states: %w", err)
	}
	defer emu.MergeBehaviour(context.Background(), reset) //nolint:errcheck // best effort: the emulator stops with the bench
	w, cleanup, err := workspace(st, n, "waits")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	res := &waitsResult{N: n, Seconds: seconds}
	for _, ws := range waitStates {
		if ws.from != "" {
			if err := editConfig(w, ws.from, ws.to); err != nil {
				return res, err
			}
		}
		p, err := waitPhaseRun(ctx, tf, w, emu, endpoint, n, seconds, ws.state)
		if err != nil {
			return res, err
		}
		res.Phases = append(res.Phases, p)
		res.Waits += n
	}
	if _, _, out, err := timed(ctx, tf, w, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return res, fmt.Errorf("terraform destroy (waits): %w\n%s", err, out)
	}
	return res, nil
}

// waitPhaseRun applies the workspace with its endpoints entering state, and
// measures that apply's polls and how late each transition was noticed.
func waitPhaseRun(ctx context.Context, tf, w string, emu *emulator.Client, endpoint string, n int, seconds float64, state string) (waitPhase, error) {
	p := waitPhase{State: state}
	if err := emu.ResetCalls(ctx); err != nil {
		return p, err
	}
	fmt.Printf("\nwaits: %d endpoint(s) held in %s for %g s, in parallel\n", n, state, seconds)
	secs, _, out, err := timed(ctx, tf, w, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return p, fmt.Errorf("terraform apply (waits, %s): %w\n%s", state, err, out)
	}
	calls, err := emu.Calls(ctx)
	if err != nil {
		return p, err
	}
	var all []transition
	if err := control(ctx, endpoint, "/_sagesafe/transitions", &all); err != nil {
		return p, err
	}
	p.ApplySeconds, p.Polls = secs, calls["sagemaker:DescribeEndpoint"]
	kind := "endpoint-" + strings.ToLower(state)
	for _, t := range all {
		if t.Kind == kind {
			p.Transitions = append(p.Transitions, t)
			p.MaxLate = max(p.MaxLate, t.Late)
		}
	}
	if len(p.Transitions) != n {
		return p, fmt.Errorf("waits, %s: the emulator saw %d of %d endpoints leave %s", state, len(p.Transitions), n, state)
	}
	p.PollsPerWait = float64(p.Polls) / float64(n)
	fmt.Printf("  apply %.1fs, %d DescribeEndpoint (%.1f per wait), %d transitions seen, latest %.1fs after due\n",
		secs, p.Polls, p.PollsPerWait, len(p.Transitions), p.MaxLate)
	return p, nil
}

// editConfig replaces from with to in the workspace's main.tf; from must be
// there.
func editConfig(w, from, to string) error {
	path := filepath.Join(w, "main.tf")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(from)) {
		return fmt.Errorf("waits: %q is not in the bench stack", from)
	}
	return os.WriteFile(path, bytes.ReplaceAll(b, []byte(from), []byte(to)), 0o600)
}

// control GETs one of the emulator's control paths that the shared client
// does not wrap (the bench's timing counters).
func control(ctx context.Context, endpoint, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+path, nil)
	if err != nil {
		return err
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("emulator %s: %w", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("emulator %s: %s: %s", path, resp.Status, buf.String())
	}
	return json.Unmarshal(buf.Bytes(), out)
}
