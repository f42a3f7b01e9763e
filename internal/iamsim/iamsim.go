// Package iamsim judges IAM requests against identity policies with a maintained IAM policy
// evaluation library, @cloud-copilot/iam-simulate (pinned in js/package-lock.json, installed by
// `make iamsim`), run by node on js/simulate.mjs.
//
// Why: the emulator's IAM enforcement ignores conditions and treats every non-IAM/S3 resource
// as "*", so it cannot tell a persona role's secure CreateTrainingJob from an insecure one. The
// library implements every condition operator. It is a simulator: real AWS stays the final
// judge. Tests and the demo use it; the provider binary never does.
package iamsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Result is the library's decision for one request.
type Result string

const (
	Allowed          Result = "Allowed"
	ImplicitlyDenied Result = "ImplicitlyDenied"
	ExplicitlyDenied Result = "ExplicitlyDenied"
)

// Denied reports whether the request is refused, implicitly or explicitly.
func (r Result) Denied() bool { return r == ImplicitlyDenied || r == ExplicitlyDenied }

// Policy is one identity policy of the principal making the requests.
type Policy struct {
	Name     string
	Document string // the policy JSON
}

// Request is one API call to judge. Context holds the request's condition keys, each as its
// values (one value for a single-valued key); a key that is absent from the request is left
// out. Unlisted holds keys the service defines but the Service Authorization Reference no
// longer lists for the action (the deprecated sagemaker:VolumeKmsKey and OutputKmsKey): AWS may
// still send them and policies still test them (see js/simulate.mjs).
type Request struct {
	Name      string
	Principal string // ARN of the caller
	Action    string // service:Action
	Resource  string // ARN the action acts on
	Context   map[string][]string
	Unlisted  map[string][]string
	// ResourcePolicy is the policy of the resource (a KMS key policy), or
	// "": KMS lets an identity policy act on a key only when the key policy
	// trusts the account, and the library decides so.
	ResourcePolicy string
}

// Input is a batch of requests judged against the same policies in one node process.
type Input struct {
	Policies []Policy
	Requests []Request
}

// Decision is the verdict on one request, with the statements that decided it
// ("policy#Sid" or "policy##index"): the allows of an allowed request, the explicit denies of
// a denied one, none for an implicit deny or a request with Unlisted keys.
type Decision struct {
	Name       string
	Result     Result
	Statements []string
}

// ErrNotInstalled means node or the library is missing; `make iamsim` installs the library.
var ErrNotInstalled = errors.New("the IAM policy simulator is not installed (needs node on PATH and `make iamsim`)")

// scriptDir is the folder of simulate.mjs. The package is only used by tests and the demo, run
// from the source tree, so the folder is found next to this file.
func scriptDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "js")
}

// Installed returns nil when node and the pinned library are there, else an error wrapping
// ErrNotInstalled that says what is missing.
func Installed() error {
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("%w: node: %v", ErrNotInstalled, err)
	}
	lib := filepath.Join(scriptDir(), "node_modules", "@cloud-copilot", "iam-simulate", "package.json")
	if _, err := os.Stat(lib); err != nil {
		return fmt.Errorf("%w: %s is missing", ErrNotInstalled, lib)
	}
	return nil
}

// RequiredEnv, when set, makes a missing simulator an error for tests instead of a skip:
// `make test` and `make unit` set it, after installing the simulator.
const RequiredEnv = "SAGESAFE_IAMSIM_REQUIRED"

// Unavailable is for tests: ("", nil) when the simulator is installed; a reason to skip when it
// is not and RequiredEnv is unset (a plain `go test`); an error when it is not and RequiredEnv
// is set, so `make test` fails rather than skipping the policy judgements.
func Unavailable() (skip string, err error) {
	err = Installed()
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, ErrNotInstalled) && os.Getenv(RequiredEnv) == "":
		return err.Error() + "; run `make iamsim` (make test requires it)", nil
	default:
		return "", err
	}
}

type wireRequest struct {
	Name            string              `json:"name"`
	Principal       string              `json:"principal"`
	Action          string              `json:"action"`
	Resource        string              `json:"resource"`
	Context         map[string][]string `json:"context"`
	UnlistedContext map[string][]string `json:"unlistedContext,omitempty"`
	ResourcePolicy  json.RawMessage     `json:"resourcePolicy,omitempty"`
}

type wirePolicy struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy"`
}

type wireInput struct {
	IdentityPolicies []wirePolicy  `json:"identityPolicies"`
	Requests         []wireRequest `json:"requests"`
}

type wireOutput struct {
	Error   string `json:"error"`
	Results []struct {
		Name       string   `json:"name"`
		Decision   Result   `json:"decision"`
		Statements []string `json:"statements"`
		Error      string   `json:"error"`
	} `json:"results"`
}

// Evaluate judges every request of in, in order. A policy the library cannot judge (invalid,
// an unknown action or condition key) or a request it cannot (an unknown action, a context key
// the action does not take) is an error: a simulator that ignored it could pass a test vacuously.
func Evaluate(ctx context.Context, in Input) ([]Decision, error) {
	if err := Installed(); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(toWire(in))
	if err != nil {
		return nil, fmt.Errorf("iamsim: encoding the input: %w", err)
	}
	var out wireOutput
	if err := run(ctx, payload, &out); err != nil {
		return nil, err
	}
	if out.Error != "" {
		return nil, fmt.Errorf("iamsim: the policies cannot be judged: %s", out.Error)
	}
	if len(out.Results) != len(in.Requests) {
		return nil, fmt.Errorf("iamsim: %d results for %d requests", len(out.Results), len(in.Requests))
	}
	decisions := make([]Decision, len(out.Results))
	var problems []string
	for i, r := range out.Results {
		if r.Error != "" {
			problems = append(problems, fmt.Sprintf("request %q: %s", in.Requests[i].Name, r.Error))
			continue
		}
		decisions[i] = Decision{Name: in.Requests[i].Name, Result: r.Decision, Statements: r.Statements}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("iamsim: %s", strings.Join(problems, "; "))
	}
	return decisions, nil
}

func toWire(in Input) wireInput {
	w := wireInput{IdentityPolicies: []wirePolicy{}, Requests: []wireRequest{}}
	for _, p := range in.Policies {
		w.IdentityPolicies = append(w.IdentityPolicies, wirePolicy{Name: p.Name, Policy: json.RawMessage(p.Document)})
	}
	for _, r := range in.Requests {
		ctx := r.Context
		if ctx == nil {
			ctx = map[string][]string{}
		}
		wr := wireRequest{
			Name: r.Name, Principal: r.Principal, Action: r.Action, Resource: r.Resource,
			Context: ctx, UnlistedContext: r.Unlisted,
		}
		if r.ResourcePolicy != "" {
			wr.ResourcePolicy = json.RawMessage(r.ResourcePolicy)
		}
		w.Requests = append(w.Requests, wr)
	}
	return w
}

// ConditionKeys returns the condition keys the Service Authorization Reference (as the pinned
// library carries it) lists for each action, its own and its resource types'. Tests use it to
// find every action that takes a guard key; an unknown action is an error.
func ConditionKeys(ctx context.Context, actions []string) (map[string][]string, error) {
	if err := Installed(); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(map[string][]string{"describeActions": actions})
	if err != nil {
		return nil, fmt.Errorf("iamsim: encoding the input: %w", err)
	}
	var out struct {
		Actions map[string][]string `json:"actions"`
	}
	if err := run(ctx, payload, &out); err != nil {
		return nil, err
	}
	return out.Actions, nil
}

// run feeds payload to simulate.mjs and decodes its answer into out.
func run(ctx context.Context, payload []byte, out any) error {
	cmd := exec.CommandContext(ctx, "node", filepath.Join(scriptDir(), "simulate.mjs"))
	cmd.Dir = scriptDir()
	cmd.Stdin = bytes.NewReader(payload)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("iamsim: node simulate.mjs: %w: %s", err, firstLine(stderr.String()))
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("iamsim: reading the simulator's answer: %w: %s", err, stdout.String())
	}
	return nil
}

// firstLine keeps node's error message and drops its stack trace.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
