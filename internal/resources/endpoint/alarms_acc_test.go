package endpoint_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
)

// wrapped matches words that Terraform may wrap onto several lines.
func wrapped(words ...string) *regexp.Regexp {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(quoted, `\s+`))
}

// TestAccEndpoint_unreachableAlarmThreshold: a threshold its metric can
// never cross (an error rate "> 1", a utilization "> 100", a latency beyond
// the 60 s invocation limit) would leave the alarm, and the blue/green
// rollback wired to the 5XX and latency alarms, silent for good. Each is
// refused at plan time with SS-MON-1, the metric, its range and the
// comparison, and nothing is created.
func TestAccEndpoint_unreachableAlarmThreshold(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	refuse := func(attr, value, metric, upTo string) resource.TestStep {
		return resource.TestStep{
			Config:   cfg{name: name, env: env, extra: fmt.Sprintf("alarms = { %s = %s }", attr, value)}.render(),
			PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)` + wrapped("SS-MON-1: threshold", value, "for", metric+":").String() + `.*` +
				wrapped("(GreaterThanThreshold)").String() + `.*` + wrapped("ranges from 0 to", upTo).String() + `.*` +
				wrapped("can never fire").String()),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			refuse("error_rate_5xx", "1", "Invocation5XXErrors", "1"),
			refuse("error_rate_4xx", "1", "Invocation4XXErrors", "1"),
			refuse("model_latency_p99_ms", "60000", "ModelLatency", "60000"),
			refuse("cpu_utilization_percent", "100", "CPUUtilization", "100"),
			refuse("memory_utilization_percent", "100", "MemoryUtilization", "100"),
			refuse("disk_utilization_percent", "100", "DiskUtilization", "100"),
		},
	})
	if left := leftovers(t, name); len(left) > 0 {
		t.Errorf("a refused plan created %v", left)
	}
}

// TestAccEndpoint_driftAlarmMissingData: alarms muted without disabling
// their actions (missing data no longer counted as not breaching, a
// different number of datapoints to alarm) are drift: the plan is not empty,
// and the next apply restores them. Each edit is planned and restored on its
// own.
func TestAccEndpoint_driftAlarmMissingData(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	config := testAccEndpointConfig_basic(name, env)
	editThenRestore := func(alarm string, edit func(*cloudwatch.PutMetricAlarmInput)) []resource.TestStep {
		return []resource.TestStep{
			{
				PreConfig:          func() { acctest.EditAlarm(t, alarm, edit) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(len(alarms.EndpointKinds()))),
				},
				Check: func(*terraform.State) error { return checkAlarmRestored(t, alarm) },
			},
		}
	}
	steps := []resource.TestStep{{Config: config}}
	steps = append(steps, editThenRestore(alarms.EndpointAlarmName(name, alarms.EndpointErrorRate5XX),
		func(in *cloudwatch.PutMetricAlarmInput) { in.TreatMissingData = aws.String("ignore") })...)
	steps = append(steps, editThenRestore(alarms.EndpointAlarmName(name, alarms.EndpointModelLatencyP99),
		func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(1) })...)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps:                    steps,
	})
}

// checkAlarmRestored: the edited alarm is back to sagesafe's settings.
func checkAlarmRestored(t *testing.T, name string) error {
	out, err := acctest.AWS(t).CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		return err
	}
	if len(out.MetricAlarms) != 1 {
		return fmt.Errorf("alarm %s is missing", name)
	}
	a := out.MetricAlarms[0]
	if got := aws.ToString(a.TreatMissingData); got != "notBreaching" {
		return fmt.Errorf("alarm %s: treat missing data %q, want notBreaching", name, got)
	}
	if got, want := aws.ToInt32(a.DatapointsToAlarm), aws.ToInt32(a.EvaluationPeriods); got != want {
		return fmt.Errorf("alarm %s: %d datapoints to alarm, want %d", name, got, want)
	}
	return nil
}
