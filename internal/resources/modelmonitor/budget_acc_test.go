package modelmonitor_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// budget is what one API may cost a no-change plan (a PlanOnly step: two
// Terraform commands, `plan -refresh=false` and `plan`, one refresh of every
// monitor): each per monitor, plus shared whatever the number of monitors.
type budget struct{ each, shared int }

// Budgets read off a first run and kept because each call is needed; an API
// not in an engine's budget fails the test.
var (
	// sharedCalls are the same whatever the number of monitors: the
	// command's listing of every monitor's alarms (refresh only;
	// providerdata.Reads) and the posture of the runs' log group (once per
	// command), APIs AWS throttles at a few requests per second; the posture
	// lookups every monitor shares, once per command: network (subnets,
	// route tables, security groups), key, instance type, bucket (policy
	// and encryption), account, execution role (GetRole and its policy
	// listings), and the alarm topic (SS-MON-2 reads it once per command,
	// whatever the number of monitors notifying it).
	sharedCalls = map[string]budget{
		"sns:GetTopicAttributes":    {0, 2},
		"monitoring:DescribeAlarms": {0, 1}, "logs:DescribeLogGroups": {0, 2},
		"ec2:DescribeSubnets": {0, 2}, "ec2:DescribeRouteTables": {0, 2}, "ec2:DescribeSecurityGroups": {0, 2},
		"ec2:DescribeInstanceTypes": {0, 2}, "kms:DescribeKey": {0, 2}, "kms:GetKeyRotationStatus": {0, 2},
		"s3:GET /{bucket}": {0, 4}, "sts:GetCallerIdentity": {0, 2},
		"iam:GetRole": {0, 2}, "iam:ListRolePolicies": {0, 2}, "iam:ListAttachedRolePolicies": {0, 2},
	}
	// monitorCalls are each monitor's own, either engine.
	monitorCalls = map[string]budget{
		// The endpoint's data capture (SS-MON-7, capture_s3_uri):
		// DescribeEndpoint names the config, DescribeEndpointConfig holds
		// the capture. Read at refresh and again by each command's plan
		// check (check in plan.go), which must see capture turned off even
		// under `plan -refresh=false`: 1 + 2 per monitor.
		"sagemaker:DescribeEndpoint": {3, 0}, "sagemaker:DescribeEndpointConfig": {3, 0},
		// The monitor's metric filters on the runs' shared log group,
		// listed by its filter-name prefix at refresh: their drift, and
		// with Model Monitor (which needs none) filters left behind.
		"logs:DescribeMetricFilters": {1, 0},
	}
	// schedulerCalls are a scheduled-engine monitor's own (the default).
	schedulerCalls = map[string]budget{
		// The schedule: its target input (network isolation, encryption,
		// role, capture input), state, time window and dates are the drift
		// refresh restores.
		"scheduler:GET /schedules/{name}": {1, 0},
		// The scheduler role sagesafe made (iamrole.Find): trust, inline
		// and managed policies are its drift, its boundary SS-IAM-5.
		// ListRoleTags is Find's read of the tags, which only an import
		// uses.
		"iam:GetRole": {1, 0}, "iam:ListRolePolicies": {1, 0}, "iam:ListAttachedRolePolicies": {1, 0},
		"iam:GetRolePolicy": {1, 0}, "iam:ListRoleTags": {1, 0},
	}
	// modelMonitorCalls are a Model Monitor monitor's own: the monitoring
	// schedule (the job definition compared with the one sagesafe sends,
	// Stopped) and its tags, which are the runs' tags (drift, ignore_tags).
	modelMonitorCalls = map[string]budget{
		"sagemaker:DescribeMonitoringSchedule": {1, 0}, "sagemaker:ListTags": {1, 0},
	}
)

// sum adds budgets up by API.
func sum(parts ...map[string]budget) map[string]budget {
	out := map[string]budget{}
	for _, p := range parts {
		for k, b := range p {
			out[k] = budget{out[k].each + b.each, out[k].shared + b.shared}
		}
	}
	return out
}

// sharedListings are the listings issue 16 requires once per command
// (providerdata.Reads, the posture cache), whatever the number of monitors:
// a PlanOnly step runs two commands.
var sharedListings = []string{"monitoring:DescribeAlarms", "logs:DescribeLogGroups"}

// byOperation folds the monitor names out of REST keys (Scheduler names the
// schedule in the path) and the bucket out of S3's, so that a key counts one
// operation.
func byOperation(counts map[string]int, names []string, bucket string) map[string]int {
	out := map[string]int{}
	for k, v := range counts {
		for _, n := range names {
			k = strings.ReplaceAll(k, n, "{name}")
		}
		k = strings.ReplaceAll(k, bucket, "{bucket}")
		out[k] += v
	}
	return out
}

// TestAccModelMonitor_callBudget: a no-change plan of monitors (the fixtures'
// configuration, of either engine) reads each monitor's own objects a fixed
// number of times, lists alarms and log groups once per command whatever the
// number of monitors, writes nothing, and two more monitors cost at most
// twice one monitor's own calls (issue 16).
func TestAccModelMonitor_callBudget(t *testing.T) {
	for _, c := range []struct {
		name, engine string // engine "" is the default, scheduled_processing_job
		calls        map[string]budget
	}{
		{"scheduled_processing_job", "", sum(sharedCalls, monitorCalls, schedulerCalls)},
		{"model_monitor", "model_monitor", sum(sharedCalls, monitorCalls, modelMonitorCalls)},
	} {
		t.Run(c.name, func(t *testing.T) {
			one, three := planCalls(t, c.engine)
			if t.Failed() {
				return
			}
			t.Logf("no-change plan of 1 monitor:\n%s", acctest.FormatCalls(one))
			t.Logf("no-change plan of 3 monitors:\n%s", acctest.FormatCalls(three))
			checkBudget(t, c.calls, 1, one)
			checkBudget(t, c.calls, 3, three)
			perMonitor := 0
			for _, b := range c.calls {
				perMonitor += b.each
			}
			if extra := acctest.TotalCalls(three) - acctest.TotalCalls(one); extra > 2*perMonitor {
				t.Errorf("2 more monitors cost %d calls, budget %d", extra, 2*perMonitor)
			}
			for _, k := range sharedListings {
				if one[k] != three[k] || one[k] > 2 {
					t.Errorf("%s: %d calls for 1 monitor, %d for 3, want the same, at most once per command (2)", k, one[k], three[k])
				}
			}
		})
	}
}

// planCalls applies 1 monitor of the engine, counts the calls of a
// no-change plan, applies 3 and counts again (by byOperation).
func planCalls(t *testing.T, engine string) (one, three map[string]int) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	monitors := make([]monitorConfig, 3)
	names := make([]string, 3)
	for i := range monitors {
		monitors[i] = monitorConfig{env: e, name: acctest.RandomName("mon"), engine: engine}
		names[i] = monitors[i].name
	}
	config := func(n int) string {
		out := ""
		for i, m := range monitors[:n] {
			if i > 0 {
				m.provider = func(string) string { return "" } // one provider block
			}
			out += strings.Replace(m.hcl(), `"sagesafe_model_monitor" "test"`, fmt.Sprintf(`"sagesafe_model_monitor" "test%d"`, i), 1)
		}
		return out
	}
	counter := &acctest.CallCounter{}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: counter.Wrap}),
		CheckDestroy: func(s *terraform.State) error {
			for _, n := range names {
				if err := checkDestroy(c, n)(s); err != nil {
					return err
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{Config: config(1)},
			{PreConfig: counter.Reset, Config: config(1), PlanOnly: true},
			{PreConfig: func() { one = byOperation(counter.Snapshot(), names, e.bucket) }, Config: config(3)},
			{PreConfig: counter.Reset, Config: config(3), PlanOnly: true},
			{PreConfig: func() { three = byOperation(counter.Snapshot(), names, e.bucket) }, Config: config(3), PlanOnly: true},
		},
	})
	return one, three
}

// checkBudget checks the counts of a no-change plan of n monitors against
// calls.
func checkBudget(t *testing.T, calls map[string]budget, n int, counts map[string]int) {
	t.Helper()
	for k, got := range counts {
		_, ok := calls[k]
		switch {
		case acctest.MutatingCall(k):
			t.Errorf("%d monitor(s): a no-change plan called %s %d times", n, k, got)
		case !ok:
			t.Errorf("%d monitor(s): %s called %d times, not in the budget", n, k, got)
		}
	}
	for k, b := range calls {
		if want := b.each*n + b.shared; counts[k] != want {
			t.Errorf("%d monitor(s): %s called %d times, want %d (%d per monitor + %d shared)", n, k, counts[k], want, b.each, b.shared)
		}
	}
}
