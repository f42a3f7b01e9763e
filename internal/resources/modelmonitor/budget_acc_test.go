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

// calls is the whole budget, read off a first run and kept because each call
// is needed; an API not listed here fails the test.
var calls = map[string]budget{
	// The schedule: its target input (network isolation, encryption, role,
	// capture input), state, time window and dates are the drift refresh
	// restores. Read once, at refresh.
	"scheduler:GET /schedules/{name}": {1, 0},
	// The endpoint's data capture (SS-MON-7, capture_s3_uri): DescribeEndpoint
	// names the config, DescribeEndpointConfig holds the capture. Read at
	// refresh and again by each command's plan check (modelmonitor's check),
	// which must see capture turned off even under `plan -refresh=false`:
	// 1 + 2 per monitor.
	"sagemaker:DescribeEndpoint":       {3, 0},
	"sagemaker:DescribeEndpointConfig": {3, 0},
	// The scheduler role sagesafe made (iamrole.Find, at refresh): trust,
	// inline and managed policies are its drift, its boundary SS-IAM-5.
	// ListRoleTags is Find's read of the tags, which only an import uses.
	// The shared 2 of GetRole and the two listings are the execution role's
	// posture lookup, once per command.
	"iam:GetRole": {1, 2}, "iam:ListRolePolicies": {1, 2}, "iam:ListAttachedRolePolicies": {1, 2},
	"iam:GetRolePolicy": {1, 0}, "iam:ListRoleTags": {1, 0},
	// The monitor's metric filters on the runs' shared log group (their
	// drift): listed by the monitor's filter-name prefix at refresh.
	"logs:DescribeMetricFilters": {1, 0},
	// The command's shared listing of every monitor's alarms (refresh only;
	// providerdata.Reads) and the posture of the runs' log group (once per
	// command): APIs AWS throttles at a few requests per second.
	"monitoring:DescribeAlarms": {0, 1}, "logs:DescribeLogGroups": {0, 2},
	// Posture lookups shared by every monitor, once per command: network
	// (subnets, route tables, security groups), key, instance type, bucket
	// (policy and encryption), account.
	"ec2:DescribeSubnets": {0, 2}, "ec2:DescribeRouteTables": {0, 2}, "ec2:DescribeSecurityGroups": {0, 2},
	"ec2:DescribeInstanceTypes": {0, 2}, "kms:DescribeKey": {0, 2}, "kms:GetKeyRotationStatus": {0, 2},
	"s3:GET /{bucket}": {0, 4}, "sts:GetCallerIdentity": {0, 2},
}

// sharedListings are the listings issue 16 requires once per command
// (providerdata.Reads, the posture cache), whatever the number of monitors:
// a PlanOnly step runs two commands.
var sharedListings = []string{"monitoring:DescribeAlarms", "logs:DescribeLogGroups"}

// byOperation folds the monitor names out of REST keys (Scheduler names the
// schedule in the path), so that a key counts one operation.
// and the bucket out of S3's.
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
// scheduled engine, scheduler role made by sagesafe) reads each monitor's
// own objects a fixed number of times, lists alarms and log groups once per
// command whatever the number of monitors, writes nothing, and two more
// monitors cost at most twice one monitor's own calls (issue 16).
func TestAccModelMonitor_callBudget(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	monitors := []monitorConfig{
		{env: e, name: acctest.RandomName("mon")}, {env: e, name: acctest.RandomName("mon")}, {env: e, name: acctest.RandomName("mon")},
	}
	names := []string{monitors[0].name, monitors[1].name, monitors[2].name}
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
	var one, three map[string]int
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
	if t.Failed() {
		return
	}
	t.Logf("no-change plan of 1 monitor:\n%s", acctest.FormatCalls(one))
	t.Logf("no-change plan of 3 monitors:\n%s", acctest.FormatCalls(three))
	checkBudget(t, 1, one)
	checkBudget(t, 3, three)
	perMonitor := 0
	for _, b := range calls {
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
}

// checkBudget checks the counts of a no-change plan of n monitors against
// calls.
func checkBudget(t *testing.T, n int, counts map[string]int) {
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
