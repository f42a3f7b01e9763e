package trainingjob_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccTrainingJob_sharedAlarmReads: the jobs refreshed in one plan read
// their alarms from one listing (DescribeAlarms by the sagesafe-training-
// prefix), so DescribeAlarms, which AWS throttles at a few requests per
// second, does not grow with the number of jobs, and each job's tags are
// listed once (issue 16). Counted by the emulator for the refreshing plan
// alone, for 1 and for 3 jobs: each job costs DescribeTrainingJob and
// ListTags; the rest is shared.
func TestAccTrainingJob_sharedAlarmReads(t *testing.T) {
	e := makeEnv(t)
	one := refreshPlanCalls(t, e, 1)
	three := refreshPlanCalls(t, e, 3)
	t.Logf("refreshing plan, 1 job: %v", one)
	t.Logf("refreshing plan, 3 jobs: %v", three)
	const api = "cloudwatch:DescribeAlarms"
	if one[api] != 1 || three[api] != 1 {
		t.Errorf("%s: %d calls for 1 job, %d for 3, want 1 and 1", api, one[api], three[api])
	}
	for _, api := range []string{"sagemaker:DescribeTrainingJob", "sagemaker:ListTags"} {
		if one[api] != 1 || three[api] != 3 {
			t.Errorf("%s: %d calls for 1 job, %d for 3, want once per job", api, one[api], three[api])
		}
	}
	if extra := acctest.TotalCalls(three) - acctest.TotalCalls(one); extra > 2*2 {
		t.Errorf("2 more jobs cost %d calls, want at most 4", extra)
	}
}

// refreshPlanCalls applies n jobs and returns the calls, by API, of the
// refreshing plan that follows (between the step's non-refresh plan and its
// refreshing plan, read from the emulator's counters of this test's scope).
func refreshPlanCalls(t *testing.T, e env, n int) map[string]int {
	t.Helper()
	scope := acctest.InjectFaults(t) // no faults: the scope only counts this test's calls
	config := jobConfig{env: e, nameLine: fmt.Sprintf("name_prefix = %q\n  count = %d", acctest.RandomName("calls"), n)}.render(acctest.ProviderConfig)
	var before, after map[string]int
	record := func(into *map[string]int) plancheck.PlanCheck {
		return countCheck(func(ctx context.Context) error {
			calls, err := scope.Calls(ctx)
			*into = calls
			return err
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(scope.Options()),
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:   config,
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

// countCheck runs a function as a plan check (to read the emulator's
// counters between two Terraform commands).
type countCheck func(context.Context) error

func (f countCheck) CheckPlan(ctx context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(ctx)
}
