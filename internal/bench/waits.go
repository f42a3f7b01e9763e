package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
)

// The waits scenario: N endpoints created in parallel while the emulator
// holds each in Creating for a set time, so the provider's waits poll as
// they would on SageMaker. Real endpoint creation takes "a few minutes"
// (SageMaker Developer Guide, "Create an endpoint" for serverless
// endpoints; the AWS CLI's endpoint-in-service waiter polls every 30 s for
// up to an hour): minutes per run are too long for a bench, so the default
// is scaled down to 90 s (BENCH_WAIT_SECONDS). The emulator records, for
// every Creating that ended, how long after its due time the first
// DescribeEndpoint saw it (GET /_sagesafe/transitions); DescribeEndpoint
// calls are counted as polls.

// waitsResult is the waits scenario's outcome.
type waitsResult struct {
	N            int          `json:"n"`
	Seconds      float64      `json:"transition_seconds"`
	ApplySeconds float64      `json:"apply_seconds"`
	Waits        int          `json:"waits"`
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

// runWaits applies n endpoints with Creating held for seconds, reads the
// emulator's transitions and poll counts, then destroys them.
func runWaits(ctx context.Context, st settings) (*waitsResult, error) {
	tf, endpoint, n, seconds := st.tf, st.endpoint, st.waitN, st.waitSeconds
	emu := emulator.New(endpoint)
	if err := emu.MergeBehaviour(ctx, map[string]any{"endpoint_creating_seconds": seconds}); err != nil {
		return nil, fmt.Errorf("setting the Creating period: %w", err)
	}
	defer emu.MergeBehaviour(context.Background(), map[string]any{"endpoint_creating_seconds": nil}) //nolint:errcheck // best effort: the emulator stops with the bench
	w, cleanup, err := workspace(st, n, "waits")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if err := emu.ResetCalls(ctx); err != nil {
		return nil, err
	}
	fmt.Printf("\nwaits: %d endpoint(s) held in Creating for %g s, created in parallel\n", n, seconds)
	secs, _, out, err := timed(ctx, tf, w, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return nil, fmt.Errorf("terraform apply (waits): %w\n%s", err, out)
	}
	calls, err := emu.Calls(ctx)
	if err != nil {
		return nil, err
	}
	var all []transition
	if err := control(ctx, endpoint, "/_sagesafe/transitions", &all); err != nil {
		return nil, err
	}
	res := &waitsResult{N: n, Seconds: seconds, ApplySeconds: secs, Waits: n, Polls: calls["sagemaker:DescribeEndpoint"]}
	for _, t := range all {
		if t.Kind == "endpoint-creating" {
			res.Transitions = append(res.Transitions, t)
			res.MaxLate = max(res.MaxLate, t.Late)
		}
	}
	res.PollsPerWait = float64(res.Polls) / float64(n)
	fmt.Printf("  apply %.1fs, %d DescribeEndpoint (%.1f per wait), %d transitions seen, latest %.1fs after due\n",
		secs, res.Polls, res.PollsPerWait, len(res.Transitions), res.MaxLate)
	if _, _, out, err := timed(ctx, tf, w, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return res, fmt.Errorf("terraform destroy (waits): %w\n%s", err, out)
	}
	return res, nil
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
