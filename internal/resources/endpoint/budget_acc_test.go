package endpoint_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

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
	counter := &acctest.CallCounter{}
	var one, three map[string]int
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: counter.Wrap}),
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
			{PreConfig: counter.Reset, Config: config(1), PlanOnly: true},
			{PreConfig: func() { one = counter.Snapshot() }, Config: config(3)},
			{PreConfig: counter.Reset, Config: config(3), PlanOnly: true},
			{PreConfig: func() { three = counter.Snapshot() }, Config: config(3), PlanOnly: true},
		},
	})
	if t.Failed() {
		return
	}
	t.Logf("no-change plan of 1 endpoint:\n%s", acctest.FormatCalls(one))
	t.Logf("no-change plan of 3 endpoints:\n%s", acctest.FormatCalls(three))

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
			if acctest.MutatingCall(k) {
				t.Errorf("%d endpoint(s): a no-change plan called %s", c.n, k)
			}
		}
	}
	// The posture lookups (subnets, route tables, security groups, key,
	// role, instance type) and the listings are shared: two more endpoints
	// cost only their own 3 calls each.
	if extra, budget := acctest.TotalCalls(three)-acctest.TotalCalls(one), 2*len(perEndpoint); extra > budget {
		t.Errorf("2 more endpoints cost %d calls, budget %d", extra, budget)
	}
}
