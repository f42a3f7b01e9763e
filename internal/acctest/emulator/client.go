// Package emulator is a small client for the control API of the sagesafe
// emulator (launcher.py in this directory): moto 5.2.1 plus documented
// patches that add the SageMaker and CloudWatch Logs operations moto lacks
// and let tests hold endpoints and training jobs in transitional states or
// force failures and rollbacks.
//
// The emulator extends moto; it does not enforce IAM, KMS key policies or
// networking, so acceptance tests must never treat its permissiveness as
// proof that the provider's own checks work. See README.md.
package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Behaviour is the emulator's configurable behaviour, as accepted by
// POST /_sagesafe/behaviour. SetBehaviour replaces the whole behaviour, so
// zero values mean "plain moto": no delays and no failures.
//
// Names in RollbackEndpoints and the keys of the maps match a resource name
// exactly, or by prefix when the pattern ends with "*" (for example
// "canary-*"). The behaviour in force when CreateEndpoint, UpdateEndpoint,
// CreateTrainingJob or StopTrainingJob is called applies to that call;
// changing it later does not affect operations already in progress.
type Behaviour struct {
	// EndpointCreatingSeconds keeps a new endpoint in Creating this long.
	EndpointCreatingSeconds float64 `json:"endpoint_creating_seconds"`
	// EndpointUpdatingSeconds keeps an updated endpoint in Updating this long.
	EndpointUpdatingSeconds float64 `json:"endpoint_updating_seconds"`
	// TrainingInProgressSeconds keeps a new training job InProgress this long.
	TrainingInProgressSeconds float64 `json:"training_in_progress_seconds"`
	// TrainingStoppingSeconds keeps a stopped training job in Stopping this long.
	TrainingStoppingSeconds float64 `json:"training_stopping_seconds"`
	// TrainingInProgressByName overrides TrainingInProgressSeconds for job
	// names matching a pattern (exact, or a prefix ending in "*").
	TrainingInProgressByName map[string]float64 `json:"training_in_progress_by_name"`
	// RollbackEndpoints lists endpoints whose UpdateEndpoint silently rolls
	// back: after the Updating period they are InService on the OLD config.
	RollbackEndpoints []string `json:"rollback_endpoints"`
	// RollbackFailureReasons optionally sets the FailureReason left on a
	// rolled-back endpoint (by default none, as SageMaker often leaves none).
	RollbackFailureReasons map[string]string `json:"rollback_failure_reasons"`
	// FailEndpoints makes CreateEndpoint end in Failed with this FailureReason.
	FailEndpoints map[string]string `json:"fail_endpoints"`
	// FailTrainingJobs makes training jobs end in Failed with this FailureReason.
	FailTrainingJobs map[string]string `json:"fail_training_jobs"`
}

// EndpointUpdate is one UpdateEndpoint request as the emulator received it.
// DeploymentConfig is kept as raw JSON in the SageMaker API's shape.
type EndpointUpdate struct {
	EndpointName                     string          `json:"EndpointName"`
	EndpointConfigName               string          `json:"EndpointConfigName"`
	PreviousEndpointConfigName       string          `json:"PreviousEndpointConfigName"`
	RetainAllVariantProperties       *bool           `json:"RetainAllVariantProperties"`
	ExcludeRetainedVariantProperties json.RawMessage `json:"ExcludeRetainedVariantProperties"`
	DeploymentConfig                 json.RawMessage `json:"DeploymentConfig"`
	RetainDeploymentConfig           *bool           `json:"RetainDeploymentConfig"`
}

// Fault kinds for FaultRule.Fault.
const (
	// FaultLose lets the emulator apply the request, then drops the
	// connection without sending any of the answer.
	FaultLose = "lose"
	// FaultError answers with the service's internal error (HTTP 500) in its
	// protocol, without applying the request.
	FaultError = "error"
	// FaultThrottle answers with the service's throttling error (the codes
	// aws-sdk-go-v2 retries as throttles), without applying the request.
	FaultThrottle = "throttle"
	// FaultLatency waits Seconds, then serves the request as usual.
	FaultLatency = "latency"
)

// FaultRule is one fault injection rule, as accepted by
// POST /_sagesafe/faults. Action is a "service:Action" key as Calls reports
// it ("kms:CreateKey"); a trailing "*" makes it a prefix ("ec2:Create*",
// "*"). The fault applies to the First N matching calls (the default is 1
// when Every is 0 too), or to every Every-th one (calls Every, 2*Every, ...).
type FaultRule struct {
	Action string `json:"action"`
	Fault  string `json:"fault"`
	First  int    `json:"first,omitempty"`
	Every  int    `json:"every,omitempty"`
	// Share faults this share of the matching calls (0 < Share <= 1),
	// chosen at random with a seed fixed per rule: a run is reproducible,
	// and a retry loop of K calls is not faulted on every attempt, as it
	// can be by Every: K.
	Share   float64 `json:"share,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
}

// FaultState is a registered rule with its counters: Matched is how many
// calls matched its action (and were offered to it), Hits how many times
// its fault was applied.
type FaultState struct {
	FaultRule
	Hits    int `json:"hits"`
	Matched int `json:"matched"`
}

// Client talks to the emulator's control API under /_sagesafe/.
type Client struct {
	// BaseURL is the emulator URL, for example "http://127.0.0.1:41234".
	BaseURL string
	// HTTP is the client to use; nil means a client with a 10s timeout.
	HTTP *http.Client
}

// New returns a Client for the emulator at baseURL.
func New(baseURL string) *Client {
	return &Client{BaseURL: baseURL}
}

var defaultHTTP = &http.Client{Timeout: 10 * time.Second}

// Health returns nil when the emulator answers GET /_sagesafe/health with
// status "ok".
func (c *Client) Health(ctx context.Context) error {
	var out struct {
		Status string `json:"status"`
	}
	if err := c.do(ctx, http.MethodGet, "/_sagesafe/health", nil, &out); err != nil {
		return err
	}
	if out.Status != "ok" {
		return fmt.Errorf("emulator health: status %q", out.Status)
	}
	return nil
}

// SetBehaviour replaces the emulator's behaviour with b.
func (c *Client) SetBehaviour(ctx context.Context, b Behaviour) error {
	return c.do(ctx, http.MethodPost, "/_sagesafe/behaviour", b, nil)
}

// MergeBehaviour changes only the given keys (JSON names, e.g.
// "endpoint_updating_seconds"; a nil value restores that key's default) and
// leaves the rest, so test packages that share one emulator and use
// different keys do not clobber each other.
func (c *Client) MergeBehaviour(ctx context.Context, changes map[string]any) error {
	return c.do(ctx, http.MethodPost, "/_sagesafe/behaviour/merge", changes, nil)
}

// Behaviour returns the emulator's current behaviour.
func (c *Client) Behaviour(ctx context.Context) (Behaviour, error) {
	var b Behaviour
	err := c.do(ctx, http.MethodGet, "/_sagesafe/behaviour", nil, &b)
	return b, err
}

// ResetBehaviour restores the defaults: no delays, no failures.
func (c *Client) ResetBehaviour(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/_sagesafe/reset-behaviour", nil, nil)
}

// Calls returns how many AWS API calls the emulator received since the last
// ResetCalls, keyed "service:Action" (for example "sagemaker:UpdateEndpoint",
// "cloudwatch:PutMetricAlarm", "s3:CreateBucket"). The service is the SigV4
// signing name (with "monitoring" reported as "cloudwatch"); classification is
// best effort, see README.md.
func (c *Client) Calls(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := c.do(ctx, http.MethodGet, "/_sagesafe/calls", nil, &out)
	return out, err
}

// ResetCalls clears the call counts (ScopeCalls' too) and the recorded
// UpdateEndpoint requests.
func (c *Client) ResetCalls(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/_sagesafe/calls/reset", nil, nil)
}

// EndpointUpdates returns every UpdateEndpoint request received since the
// last ResetCalls, oldest first.
func (c *Client) EndpointUpdates(ctx context.Context) ([]EndpointUpdate, error) {
	var out []EndpointUpdate
	err := c.do(ctx, http.MethodGet, "/_sagesafe/endpoint-updates", nil, &out)
	return out, err
}

// SetFaults replaces the fault rules of scope ("" is the global scope,
// which applies to every request; any other applies only to requests with
// the header X-Sagesafe-Fault-Scope: scope). No rules clears the scope.
func (c *Client) SetFaults(ctx context.Context, scope string, rules []FaultRule) error {
	if rules == nil {
		rules = []FaultRule{}
	}
	body := map[string]any{"scope": scope, "rules": rules}
	return c.do(ctx, http.MethodPost, "/_sagesafe/faults", body, nil)
}

// Faults returns every registered rule with its counters, by scope.
func (c *Client) Faults(ctx context.Context) (map[string][]FaultState, error) {
	out := map[string][]FaultState{}
	err := c.do(ctx, http.MethodGet, "/_sagesafe/faults", nil, &out)
	return out, err
}

// ClearFaults removes the rules of scope ("" is the global scope).
func (c *Client) ClearFaults(ctx context.Context, scope string) error {
	return c.do(ctx, http.MethodPost, "/_sagesafe/faults/clear", map[string]string{"scope": scope}, nil)
}

// ClearAllFaults removes the rules of every scope.
func (c *Client) ClearAllFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/_sagesafe/faults/clear", map[string]string{}, nil)
}

// ScopeCalls is Calls for the requests that carried the fault scope header
// with this scope.
func (c *Client) ScopeCalls(ctx context.Context, scope string) (map[string]int, error) {
	out := map[string]int{}
	err := c.do(ctx, http.MethodGet, "/_sagesafe/calls?scope="+url.QueryEscape(scope), nil, &out)
	return out, err
}

// do sends a JSON request and decodes a JSON response into out (if non-nil).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("emulator %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return fmt.Errorf("emulator %s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("emulator %s %s: %w", method, path, err)
	}
	data, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close() // read fully; nothing useful in a close error
	if err != nil {
		return fmt.Errorf("emulator %s %s: reading response: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("emulator %s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("emulator %s %s: decoding response: %w", method, path, err)
	}
	return nil
}
