package endpoint_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// rateLimitedReads are the read APIs AWS throttles at a few requests per
// second per account and Region: a refresh must not call them once per
// endpoint (issue 16).
var rateLimitedReads = []string{"cloudwatch:DescribeAlarms", "logs:DescribeLogGroups"}

// maxCallsPerExtraEndpoint is the call budget of one more endpoint in a
// no-change plan: DescribeEndpoint, DescribeEndpointConfig, DescribeModel and
// ListTags. Issue 16 aims at 3; the endpoint's tags would need the Resource
// Groups Tagging API (tag:GetResources, up to 100 ARNs a call), which the
// provider does not call yet.
const maxCallsPerExtraEndpoint = 4

// TestAccEndpoint_refreshCallCounts counts, by API, the calls the emulator
// receives during a no-change plan (refresh included) of 1 and of 3
// endpoints that share a network, key and role, and asserts that the
// rate-limited reads do not grow with the number of endpoints and that each
// extra endpoint costs at most maxCallsPerExtraEndpoint calls.
func TestAccEndpoint_refreshCallCounts(t *testing.T) {
	env := acctest.EndpointFixtures(t)
	one := noChangePlanCalls(t, env, 1)
	three := noChangePlanCalls(t, env, 3)
	t.Logf("no-change plan calls, 1 endpoint: %s", formatCalls(one))
	t.Logf("no-change plan calls, 3 endpoints: %s", formatCalls(three))

	perExtra := map[string]float64{}
	total := 0
	for _, api := range slices.Sorted(maps.Keys(union(one, three))) {
		d := three[api] - one[api]
		total += d
		if d != 0 {
			perExtra[api] = float64(d) / 2
		}
	}
	t.Logf("calls per extra endpoint: %v (total %.1f)", perExtra, float64(total)/2)
	for _, api := range rateLimitedReads {
		if three[api] != one[api] {
			t.Errorf("%s: %d calls for 1 endpoint, %d for 3: the rate-limited read grows with the number of endpoints", api, one[api], three[api])
		}
	}
	if float64(total)/2 > maxCallsPerExtraEndpoint {
		t.Errorf("an extra endpoint costs %.1f calls in a no-change plan, want at most %d: %v", float64(total)/2, maxCallsPerExtraEndpoint, perExtra)
	}
}

// noChangePlanCalls applies n endpoints and returns the calls, by API, of
// the refreshing plan that follows (the step's non-refresh plan and the
// apply are not counted).
func noChangePlanCalls(t *testing.T, env acctest.EndpointFixture, n int) map[string]int {
	t.Helper()
	scope := acctest.InjectFaults(t) // no faults: the scope only counts this test's calls
	var config strings.Builder
	config.WriteString(acctest.ProviderConfig(fmt.Sprintf("alarm_actions = [%q]", testTopic)))
	for i := range n {
		config.WriteString(cfg{label: fmt.Sprintf("e%d", i), name: acctest.RandomName("calls"), env: env}.resource())
	}
	var before, after map[string]int
	record := func(into *map[string]int) plancheck.PlanCheck {
		return planCheckFunc(func(ctx context.Context) error {
			calls, err := scope.Calls(ctx)
			*into = calls
			return err
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(scope.Options()),
		Steps: []resource.TestStep{
			{Config: config.String()},
			{
				Config:   config.String(),
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh:  []plancheck.PlanCheck{record(&before)},
					PostApplyPostRefresh: []plancheck.PlanCheck{record(&after)},
				},
			},
		},
	})
	out := map[string]int{}
	for api, c := range after {
		if d := c - before[api]; d != 0 {
			out[api] = d
		}
	}
	return out
}

// planCheckFunc runs a function as a plan check (to read the emulator's
// counters between Terraform commands).
type planCheckFunc func(context.Context) error

func (f planCheckFunc) CheckPlan(ctx context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(ctx)
}

func union(a, b map[string]int) map[string]int {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func formatCalls(calls map[string]int) string {
	var parts []string
	total := 0
	for _, api := range slices.Sorted(maps.Keys(calls)) {
		parts = append(parts, fmt.Sprintf("%s=%d", api, calls[api]))
		total += calls[api]
	}
	return fmt.Sprintf("%d calls: %s", total, strings.Join(parts, " "))
}
