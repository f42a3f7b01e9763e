package acctest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// Call is one AWS request seen by a FaultInjector.
type Call struct {
	Service string // SigV4 signing name: "ec2", "iam", "logs", ...
	Action  string // "CreateVpc", "CreateLogGroup", ...
}

// Mutating reports whether the call changes something (by its verb).
func (c Call) Mutating() bool {
	for _, p := range []string{"Create", "Delete", "Put", "Modify", "Associate", "Disassociate", "Authorize", "Revoke", "Attach", "Detach", "Replace", "Update", "Tag", "Untag"} {
		if strings.HasPrefix(c.Action, p) {
			return true
		}
	}
	return false
}

// FaultInjector wraps the provider's AWS transport (install it with
// ProviderFactoriesWith(provider.Options{WrapTransport: f.Wrap})): it records
// every call and answers chosen ones with an AWS error instead of sending
// them. Only tests use it.
type FaultInjector struct {
	mu    sync.Mutex
	calls []Call
	rules []*faultRule
}

type faultRule struct {
	match func(Call) bool
	skip  int // matching calls to let through first
	times int // failures left; < 0 means forever
	code  string
	fired int
}

// FailNth makes the nth call (1-based, counted from now) that match accepts
// fail once with the AWS error code.
func (f *FaultInjector) FailNth(n int, code string, match func(Call) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, &faultRule{match: match, skip: n - 1, times: 1, code: code})
}

// Fail makes the next `times` calls that match accepts fail with the AWS
// error code (times < 0: every one until Reset).
func (f *FaultInjector) Fail(code string, times int, match func(Call) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, &faultRule{match: match, times: times, code: code})
}

// Fired returns how many calls were failed so far.
func (f *FaultInjector) Fired() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.rules {
		n += r.fired
	}
	return n
}

// Reset removes every rule and forgets the recorded calls.
func (f *FaultInjector) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules, f.calls = nil, nil
}

// Calls returns the calls recorded so far.
func (f *FaultInjector) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Wrap is a provider.Options.WrapTransport.
func (f *FaultInjector) Wrap(next http.RoundTripper) http.RoundTripper {
	return RoundTripFunc(func(req *http.Request) (*http.Response, error) {
		call, err := classify(req)
		if err != nil {
			return nil, err
		}
		if code := f.decide(call); code != "" {
			return injectedError(req, call, code), nil
		}
		return next.RoundTrip(req)
	})
}

func (f *FaultInjector) decide(c Call) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	for _, r := range f.rules {
		if r.times == 0 || !r.match(c) {
			continue
		}
		if r.skip > 0 {
			r.skip--
			continue
		}
		if r.times > 0 {
			r.times--
		}
		r.fired++
		return r.code
	}
	return ""
}

// RoundTripFunc adapts a function to http.RoundTripper (for
// provider.Options.WrapTransport in tests).
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

// classify works out the service and action of a signed AWS request: the
// service from the SigV4 scope, the action from X-Amz-Target (JSON
// protocols), the path (Smithy RPC v2 CBOR) or the Action form field
// (query protocols: IAM, EC2, STS).
func classify(req *http.Request) (Call, error) {
	var c Call
	if m := credentialScope.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
		c.Service = m[1]
	}
	if t := req.Header.Get("X-Amz-Target"); t != "" {
		c.Action = t[strings.LastIndex(t, ".")+1:]
		return c, nil
	}
	if i := strings.Index(req.URL.Path, "/operation/"); i >= 0 { // Smithy RPC v2 CBOR (CloudWatch)
		c.Action = req.URL.Path[i+len("/operation/"):]
		return c, nil
	}
	if req.Body != nil && req.Method == http.MethodPost {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return c, err
		}
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
		if q, err := url.ParseQuery(string(body)); err == nil {
			c.Action = q.Get("Action")
		}
	}
	if c.Action == "" {
		c.Action = req.Method + " " + req.URL.Path
	}
	return c, nil
}

// injectedError answers a request with an AWS error in its protocol's shape.
func injectedError(req *http.Request, c Call, code string) *http.Response {
	msg := fmt.Sprintf("injected by the acceptance test: %s %s fails with %s", c.Service, c.Action, code)
	var body, ctype string
	switch {
	case req.Header.Get("X-Amz-Target") != "":
		ctype = "application/x-amz-json-1.1"
		body = fmt.Sprintf(`{"__type":%q,"message":%q}`, code, msg)
	case c.Service == "ec2":
		ctype = "text/xml"
		body = fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>injected</RequestID></Response>`, code, msg)
	default:
		ctype = "text/xml"
		body = fmt.Sprintf(`<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>injected</RequestId></ErrorResponse>`, code, msg)
	}
	return &http.Response{
		Status:        "400 Bad Request",
		StatusCode:    http.StatusBadRequest,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": []string{ctype}, "X-Amzn-Requestid": []string{"injected"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// NetworkLeftovers lists every object tagged sagesafe:network=name, and the
// network's flow-log role and log group, that still exist in the emulator.
func NetworkLeftovers(t *testing.T, name string) []string {
	t.Helper()
	left, err := fixtures.NetworkLeftovers(context.Background(), AWS(t), name)
	if err != nil {
		t.Fatalf("looking for leftovers of network %s: %v", name, err)
	}
	return left
}

// CheckNetworkDestroyed is a CheckDestroy: nothing of the named network may
// remain.
func CheckNetworkDestroyed(t *testing.T, name string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if left := NetworkLeftovers(t, name); len(left) > 0 {
			return fmt.Errorf("network %s left behind:\n  %s", name, strings.Join(left, "\n  "))
		}
		return nil
	}
}
