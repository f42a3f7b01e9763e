package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestClientRequests checks the requests the client sends against a fake
// control API; it needs no emulator.
func TestClientRequests(t *testing.T) {
	var got []string
	var posted Behaviour
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.Path)
		switch r.URL.Path {
		case "/_sagesafe/health":
			io.WriteString(w, `{"status":"ok"}`)
		case "/_sagesafe/behaviour":
			if r.Method == http.MethodPost {
				if err := json.NewDecoder(r.Body).Decode(&posted); err != nil {
					t.Errorf("decoding posted behaviour: %v", err)
				}
			}
			json.NewEncoder(w).Encode(posted)
		case "/_sagesafe/calls":
			io.WriteString(w, `{"sagemaker:UpdateEndpoint":2}`)
		case "/_sagesafe/endpoint-updates":
			io.WriteString(w, `[{"EndpointName":"e","EndpointConfigName":"new","DeploymentConfig":{"A":1}}]`)
		case "/_sagesafe/nope":
			http.Error(w, `{"error":"no"}`, http.StatusNotFound)
		default:
			io.WriteString(w, `{}`)
		}
	}))
	defer srv.Close()

	ctx := context.Background()
	c := New(srv.URL + "/")
	if err := c.Health(ctx); err != nil {
		t.Fatalf("Health: %v", err)
	}
	want := Behaviour{EndpointUpdatingSeconds: 2.5, RollbackEndpoints: []string{"rb-*"}, FailEndpoints: map[string]string{"x": "y"}}
	if err := c.SetBehaviour(ctx, want); err != nil {
		t.Fatalf("SetBehaviour: %v", err)
	}
	if !reflect.DeepEqual(posted, want) {
		t.Errorf("posted %+v, want %+v", posted, want)
	}
	if b, err := c.Behaviour(ctx); err != nil || !reflect.DeepEqual(b, want) {
		t.Errorf("Behaviour() = %+v, %v", b, err)
	}
	if err := c.ResetBehaviour(ctx); err != nil {
		t.Errorf("ResetBehaviour: %v", err)
	}
	if calls, err := c.Calls(ctx); err != nil || calls["sagemaker:UpdateEndpoint"] != 2 {
		t.Errorf("Calls() = %v, %v", calls, err)
	}
	if err := c.ResetCalls(ctx); err != nil {
		t.Errorf("ResetCalls: %v", err)
	}
	ups, err := c.EndpointUpdates(ctx)
	if err != nil || len(ups) != 1 || ups[0].EndpointConfigName != "new" || string(ups[0].DeploymentConfig) != `{"A":1}` {
		t.Errorf("EndpointUpdates() = %+v, %v", ups, err)
	}
	if err := c.do(ctx, http.MethodGet, "/_sagesafe/nope", nil, nil); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Errorf("want HTTP 404 error, got %v", err)
	}
	wantPaths := []string{
		"GET /_sagesafe/health",
		"POST /_sagesafe/behaviour",
		"GET /_sagesafe/behaviour",
		"POST /_sagesafe/reset-behaviour",
		"GET /_sagesafe/calls",
		"POST /_sagesafe/calls/reset",
		"GET /_sagesafe/endpoint-updates",
		"GET /_sagesafe/nope",
	}
	if !reflect.DeepEqual(got, wantPaths) {
		t.Errorf("requests %q, want %q", got, wantPaths)
	}
}

// TestClientFaultRequests checks the fault injection requests against a
// fake control API.
func TestClientFaultRequests(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.RequestURI()+" "+strings.TrimSpace(string(body)))
		switch r.URL.Path {
		case "/_sagesafe/faults":
			if r.Method == http.MethodGet {
				io.WriteString(w, `{"s1":[{"action":"kms:*","fault":"throttle","every":2,"hits":3,"matched":6}]}`)
				return
			}
			io.WriteString(w, `[]`)
		case "/_sagesafe/calls":
			io.WriteString(w, `{"kms:CreateKey":2}`)
		default:
			io.WriteString(w, `{}`)
		}
	}))
	defer srv.Close()

	ctx := context.Background()
	c := New(srv.URL)
	rules := []FaultRule{
		{Action: "kms:*", Fault: FaultThrottle, Every: 2},
		{Action: "ec2:CreateVpc", Fault: FaultLose, First: 1},
		{Action: "*", Fault: FaultLatency, Seconds: 0.5},
	}
	if err := c.SetFaults(ctx, "s1", rules); err != nil {
		t.Fatalf("SetFaults: %v", err)
	}
	if err := c.SetFaults(ctx, "", nil); err != nil {
		t.Fatalf("SetFaults(nil): %v", err)
	}
	state, err := c.Faults(ctx)
	want := map[string][]FaultState{"s1": {{FaultRule: FaultRule{Action: "kms:*", Fault: "throttle", Every: 2}, Hits: 3, Matched: 6}}}
	if err != nil || !reflect.DeepEqual(state, want) {
		t.Errorf("Faults() = %+v, %v; want %+v", state, err, want)
	}
	if err := c.ClearFaults(ctx, "s1"); err != nil {
		t.Errorf("ClearFaults: %v", err)
	}
	if err := c.ClearAllFaults(ctx); err != nil {
		t.Errorf("ClearAllFaults: %v", err)
	}
	calls, err := c.ScopeCalls(ctx, "a b&c")
	if err != nil || calls["kms:CreateKey"] != 2 {
		t.Errorf("ScopeCalls() = %v, %v", calls, err)
	}
	wantReqs := []string{
		`POST /_sagesafe/faults {"rules":[{"action":"kms:*","fault":"throttle","every":2},{"action":"ec2:CreateVpc","fault":"lose","first":1},{"action":"*","fault":"latency","seconds":0.5}],"scope":"s1"}`,
		`POST /_sagesafe/faults {"rules":[],"scope":""}`,
		`GET /_sagesafe/faults `,
		`POST /_sagesafe/faults/clear {"scope":"s1"}`,
		`POST /_sagesafe/faults/clear {}`,
		`GET /_sagesafe/calls?scope=a+b%26c `,
	}
	if !reflect.DeepEqual(got, wantReqs) {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantReqs, "\n"))
	}
}

// TestClientAgainstEmulator exercises the client against a running launcher
// (SAGESAFE_TEST_ENDPOINT=http://127.0.0.1:PORT, e.g. from
// `emulator.sh start DIR`). It resets the call counts, so do not point it at
// an emulator that other packages are using at the same time.
func TestClientAgainstEmulator(t *testing.T) {
	endpoint := os.Getenv("SAGESAFE_TEST_ENDPOINT")
	if endpoint == "" {
		t.Skip("SAGESAFE_TEST_ENDPOINT is not set; start the emulator with " +
			"`internal/acctest/emulator/emulator.sh start DIR` and export its URL to run this test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := New(endpoint)

	if err := c.Health(ctx); err != nil {
		t.Fatalf("Health: %v", err)
	}

	before, err := c.Behaviour(ctx)
	if err != nil {
		t.Fatalf("Behaviour: %v", err)
	}
	t.Cleanup(func() {
		if err := c.SetBehaviour(context.Background(), before); err != nil {
			t.Errorf("restoring behaviour: %v", err)
		}
	})

	want := Behaviour{
		EndpointCreatingSeconds:   1,
		EndpointUpdatingSeconds:   2.5,
		TrainingInProgressSeconds: 3,
		TrainingStoppingSeconds:   0.5,
		TrainingInProgressByName:  map[string]float64{"sagesafe-emulator-client-test-d*": 4},
		RollbackEndpoints:         []string{"sagesafe-emulator-client-test-*"},
		RollbackFailureReasons:    map[string]string{"sagesafe-emulator-client-test-a": "rolled back"},
		FailEndpoints:             map[string]string{"sagesafe-emulator-client-test-b": "boom"},
		FailTrainingJobs:          map[string]string{"sagesafe-emulator-client-test-c": "AlgorithmError"},
	}
	if err := c.SetBehaviour(ctx, want); err != nil {
		t.Fatalf("SetBehaviour: %v", err)
	}
	got, err := c.Behaviour(ctx)
	if err != nil {
		t.Fatalf("Behaviour: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Behaviour() = %+v, want %+v", got, want)
	}
	if err := c.ResetBehaviour(ctx); err != nil {
		t.Fatalf("ResetBehaviour: %v", err)
	}
	got, err = c.Behaviour(ctx)
	if err != nil {
		t.Fatalf("Behaviour: %v", err)
	}
	if got.EndpointUpdatingSeconds != 0 || len(got.RollbackEndpoints) != 0 || len(got.FailEndpoints) != 0 {
		t.Errorf("after ResetBehaviour: %+v", got)
	}

	if err := c.ResetCalls(ctx); err != nil {
		t.Fatalf("ResetCalls: %v", err)
	}
	// Counted in a scope too: the global count is exact only while no other
	// package uses the emulator (acctest's own acceptance tests run beside
	// this one under `go test ./internal/acctest/...`).
	countScope := fmt.Sprintf("client-test-calls-%d", time.Now().UnixNano())
	if status, body := callerIdentity(ctx, t, endpoint, countScope); status != http.StatusOK {
		t.Fatalf("GetCallerIdentity: HTTP %d: %s", status, body)
	}
	calls, err := c.Calls(ctx)
	if err != nil {
		t.Fatalf("Calls: %v", err)
	}
	if calls["sts:GetCallerIdentity"] < 1 {
		t.Errorf("Calls() = %v, want sts:GetCallerIdentity counted", calls)
	}
	if calls, err := c.ScopeCalls(ctx, countScope); err != nil || !reflect.DeepEqual(calls, map[string]int{"sts:GetCallerIdentity": 1}) {
		t.Errorf("ScopeCalls() = %v, %v; want sts:GetCallerIdentity=1", calls, err)
	}
	ups, err := c.EndpointUpdates(ctx)
	if err != nil || len(ups) != 0 {
		t.Errorf("EndpointUpdates() after ResetCalls = %v, %v", ups, err)
	}

	// Faults: a throttle for the first call of one scope only.
	scope := fmt.Sprintf("client-test-%d", time.Now().UnixNano())
	t.Cleanup(func() { _ = c.ClearFaults(context.Background(), scope) })
	if err := c.SetFaults(ctx, scope, []FaultRule{{Action: "sts:GetCallerIdentity", Fault: FaultThrottle}}); err != nil {
		t.Fatalf("SetFaults: %v", err)
	}
	for i, wantStatus := range []int{http.StatusBadRequest, http.StatusOK} {
		status, body := callerIdentity(ctx, t, endpoint, scope)
		if status != wantStatus {
			t.Errorf("GetCallerIdentity %d: HTTP %d, want %d: %s", i, status, wantStatus, body)
		}
		if wantStatus == http.StatusBadRequest && !strings.Contains(body, "<Code>Throttling</Code>") {
			t.Errorf("throttled answer: %s", body)
		}
	}
	state, err := c.Faults(ctx)
	if err != nil || len(state[scope]) != 1 || state[scope][0].Hits != 1 || state[scope][0].Matched != 2 {
		t.Errorf("Faults()[%q] = %+v, %v; want one rule with 1 hit and 2 matched", scope, state[scope], err)
	}
	if calls, err := c.ScopeCalls(ctx, scope); err != nil || !reflect.DeepEqual(calls, map[string]int{"sts:GetCallerIdentity": 2}) {
		t.Errorf("ScopeCalls() = %v, %v", calls, err)
	}
	if err := c.ClearFaults(ctx, scope); err != nil {
		t.Errorf("ClearFaults: %v", err)
	}
	if state, err := c.Faults(ctx); err != nil || len(state[scope]) != 0 {
		t.Errorf("Faults() after ClearFaults = %+v, %v", state, err)
	}
}

// callerIdentity sends STS GetCallerIdentity (a query-protocol call; moto
// does not check signatures) in a fault scope and returns the answer.
func callerIdentity(ctx context.Context, t *testing.T, endpoint, scope string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/",
		strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, "+
		"SignedHeaders=host, Signature=0")
	req.Header.Set("X-Sagesafe-Fault-Scope", scope)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GetCallerIdentity: reading answer: %v", err)
	}
	return resp.StatusCode, string(body)
}
