package endpoint_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// callCounter counts the provider's AWS calls by "service:Operation", from
// the request itself: the SigV4 signing name, then X-Amz-Target (JSON
// protocols), the rpc-v2-cbor path (CloudWatch) or the query Action (EC2,
// IAM, STS).
type callCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *callCounter) wrap(next http.RoundTripper) http.RoundTripper {
	return acctest.RoundTripFunc(func(req *http.Request) (*http.Response, error) {
		key := classifyRequest(req)
		c.mu.Lock()
		if c.counts == nil {
			c.counts = map[string]int{}
		}
		c.counts[key]++
		c.mu.Unlock()
		return next.RoundTrip(req)
	})
}

func (c *callCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts = map[string]int{}
}

func (c *callCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

func classifyRequest(req *http.Request) string {
	service := "unknown"
	if m := credentialScope.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
		service = m[1]
	}
	if target := req.Header.Get("X-Amz-Target"); target != "" {
		return service + ":" + target[strings.LastIndexByte(target, '.')+1:]
	}
	if i := strings.Index(req.URL.Path, "/operation/"); i >= 0 {
		return service + ":" + req.URL.Path[i+len("/operation/"):]
	}
	if req.Body != nil && strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, err := io.ReadAll(req.Body)
		if err == nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
				return service + ":" + v.Get("Action")
			}
		}
	}
	return service + ":" + req.Method + " " + req.URL.Path
}

// perEndpoint are the calls a refresh makes for each endpoint: issue 16's
// budget of 3. Its tags come from the shared listing (tagging:GetResources),
// not from ListTags.
var perEndpoint = []string{
	"sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel",
}

// notOnRefresh are calls a refresh of endpoints sagesafe created must not
// make: their tags are in the shared listing.
var notOnRefresh = []string{"sagemaker:ListTags"}

// oncePerCommand are the reads every endpoint refreshed in one command
// shares (providerdata.Reads): one listing by name prefix, whatever the
// number of endpoints. DescribeAlarms and DescribeLogGroups are the APIs AWS
// throttles at a few requests per second; the scalable target is read on
// every refresh (a target registered outside Terraform scales an endpoint
// without autoscaling all the same); the tags of every endpoint that carries
// sagesafe's creation token are one GetResources page per 100.
var oncePerCommand = []string{
	"monitoring:DescribeAlarms", "logs:DescribeLogGroups", "application-autoscaling:DescribeScalableTargets",
	"tagging:GetResources",
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func format(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s %d\n", k, m[k])
	}
	return b.String()
}

var mutating = regexp.MustCompile(`:(Create|Put|Update|Delete|Add|Tag|Untag|Associate|Enable|Disable)`)

// TestAccEndpoint_callBudget: a no-change plan (refresh + plan) of one
// endpoint makes 3 AWS calls of its own beyond the lookups all endpoints
// share (posture; alarms, log groups, scalable targets and tags listed
// once), and N endpoints sharing network, key and role cost 3N + a constant.
func TestAccEndpoint_callBudget(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	names := []string{acctest.RandomName("ep"), acctest.RandomName("ep"), acctest.RandomName("ep")}
	config := func(n int) string {
		out := acctest.ProviderConfig(fmt.Sprintf("alarm_actions = [%q]", testTopic))
		for i := range n {
			out += cfg{label: fmt.Sprintf("test%d", i), name: names[i], env: env}.resource()
		}
		return out
	}
	counter := &callCounter{}
	var one, three map[string]int
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: counter.wrap}),
		CheckDestroy: func(s *terraform.State) error {
			for _, n := range names {
				if err := testAccCheckEndpointDestroy(t, n, false)(s); err != nil {
					return err
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: config(1)},
			{PreConfig: counter.reset, Config: config(1), PlanOnly: true},
			{PreConfig: func() { one = counter.snapshot() }, Config: config(3)},
			{PreConfig: counter.reset, Config: config(3), PlanOnly: true},
			{PreConfig: func() { three = counter.snapshot() }, Config: config(3), PlanOnly: true},
		},
	})
	if t.Failed() {
		return
	}
	t.Logf("no-change plan of 1 endpoint:\n%s", format(one))
	t.Logf("no-change plan of 3 endpoints:\n%s", format(three))

	// A PlanOnly step runs `terraform plan -refresh=false` and `terraform
	// plan`: one refresh of every endpoint.
	for _, c := range []struct {
		n      int
		counts map[string]int
	}{{1, one}, {3, three}} {
		own := 0
		for _, k := range perEndpoint {
			if c.counts[k] != c.n {
				t.Errorf("%d endpoint(s): %s called %d times, want %d (once per endpoint)", c.n, k, c.counts[k], c.n)
			}
			own += c.counts[k]
		}
		for _, k := range oncePerCommand {
			if c.counts[k] != 1 {
				t.Errorf("%d endpoint(s): %s called %d times, want 1 (once per command)", c.n, k, c.counts[k])
			}
		}
		for _, k := range notOnRefresh {
			if c.counts[k] != 0 {
				t.Errorf("%d endpoint(s): %s called %d times, want 0 (answered by the shared listing)", c.n, k, c.counts[k])
			}
		}
		if own > len(perEndpoint)*c.n {
			t.Errorf("%d endpoint(s): %d endpoint calls, budget %d", c.n, own, len(perEndpoint)*c.n)
		}
		for k := range c.counts {
			if mutating.MatchString(k) {
				t.Errorf("%d endpoint(s): a no-change plan called %s", c.n, k)
			}
		}
	}
	// The posture lookups (subnets, route tables, security groups, key,
	// role, instance type) and the listings are shared: two more endpoints
	// cost only their own 3 calls each.
	if extra, budget := total(three)-total(one), 2*len(perEndpoint); extra > budget {
		t.Errorf("2 more endpoints cost %d calls, budget %d", extra, budget)
	}
}
