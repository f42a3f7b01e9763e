package acctest

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// CallCounter counts the provider's AWS calls by "service:Operation"
// (ClassifyRequest), for the call budgets of issue 16: install it with
// ProviderFactoriesWith(provider.Options{WrapTransport: c.Wrap}), Reset it
// in a step's PreConfig and Snapshot it in the next one. Counting at the
// transport sees every attempt, retries included, as AWS's rate limits do.
type CallCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

// Wrap counts each request, then sends it.
func (c *CallCounter) Wrap(next http.RoundTripper) http.RoundTripper {
	return RoundTripFunc(func(req *http.Request) (*http.Response, error) {
		key := ClassifyRequest(req)
		c.mu.Lock()
		if c.counts == nil {
			c.counts = map[string]int{}
		}
		c.counts[key]++
		c.mu.Unlock()
		return next.RoundTrip(req)
	})
}

// Reset forgets the calls counted so far.
func (c *CallCounter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts = map[string]int{}
}

// Snapshot returns a copy of the counts.
func (c *CallCounter) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// ClassifyRequest names a signed AWS request "service:Operation" as the
// FaultInjector sees it (classify): the SigV4 signing name, then
// X-Amz-Target (JSON protocols), the rpc-v2-cbor path (CloudWatch) or the
// query Action (EC2, IAM, STS). REST requests, which name their operation
// by method and path, are "service:METHOD /path"; an unsigned one is
// "unknown:...".
func ClassifyRequest(req *http.Request) string {
	c, err := classify(req)
	if c.Service == "" {
		c.Service = "unknown"
	}
	if err != nil || c.Action == "" {
		// An unreadable body still counts, by what the request line says.
		c.Action = req.Method + " " + req.URL.Path
	}
	return c.Service + ":" + c.Action
}

// MutatingCall reports whether a "service:Operation" key changes something:
// Call.Mutating's verbs; Add (sagemaker:AddTags), Enable and Disable (alarm
// actions); and a REST request that is not a GET or HEAD (Scheduler's
// CreateSchedule is a POST, UpdateSchedule a PUT, DeleteSchedule a DELETE).
func MutatingCall(key string) bool {
	_, op, _ := strings.Cut(key, ":")
	if (Call{Action: op}).Mutating() {
		return true
	}
	for _, p := range []string{"Add", "Enable", "Disable", "POST /", "PUT /", "PATCH /", "DELETE /"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// TotalCalls is the number of calls in counts.
func TotalCalls(counts map[string]int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}

// FormatCalls lists counts one "  key n" line each, sorted by key (for
// t.Logf).
func FormatCalls(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s %d\n", k, counts[k])
	}
	return b.String()
}
