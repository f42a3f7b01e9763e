package modelmonitor_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
)

const runsLogGroup = "/aws/sagemaker/ProcessingJobs"

// liveFilters are the metric filters of monitor name on the runs' log
// group, by name, with their metric.
func liveFilters(c *awsclient.Client, name string) (map[string]string, error) {
	out, err := c.Logs.DescribeMetricFilters(context.Background(), &cloudwatchlogs.DescribeMetricFiltersInput{
		LogGroupName: aws.String(runsLogGroup), FilterNamePrefix: aws.String("sagesafe-monitor-" + name + "-"),
	})
	if err != nil {
		return nil, err
	}
	got := map[string]string{}
	for _, f := range out.MetricFilters {
		pattern := aws.ToString(f.FilterPattern)
		if !strings.Contains(pattern, fmt.Sprintf(`($.sagesafe_monitor = %q)`, name)) {
			continue // another monitor whose name starts with name-
		}
		if len(f.MetricTransformations) != 1 {
			return nil, fmt.Errorf("filter %s has %d metrics", aws.ToString(f.FilterName), len(f.MetricTransformations))
		}
		m := f.MetricTransformations[0]
		wantNS := "aws/sagemaker/Endpoints/data-metrics"
		if strings.Contains(pattern, "$.quality_metric") {
			wantNS = "aws/sagemaker/Endpoints/model-metrics"
		}
		if ns := aws.ToString(m.MetricNamespace); ns != wantNS {
			return nil, fmt.Errorf("filter %s: namespace %s", aws.ToString(f.FilterName), ns)
		}
		if d := m.Dimensions; d["Endpoint"] != "$.endpoint" || d["MonitoringSchedule"] != "$.sagesafe_monitor" {
			return nil, fmt.Errorf("filter %s: dimensions %v", aws.ToString(f.FilterName), d)
		}
		got[aws.ToString(f.FilterName)] = aws.ToString(m.MetricName) + " = " + aws.ToString(m.MetricValue)
	}
	return got, nil
}

// checkFilters checks that the monitor's filters are exactly want (filter
// name suffix after "sagesafe-monitor-<name>-" -> "metric = value").
func checkFilters(c *awsclient.Client, name string, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := liveFilters(c, name)
		if err != nil {
			return err
		}
		full := map[string]string{}
		for k, v := range want {
			full["sagesafe-monitor-"+name+"-"+k] = v
		}
		if !maps.Equal(got, full) {
			return fmt.Errorf("metric filters of %s: got %v, want %v", name, got, full)
		}
		return nil
	}
}

// checkRunsLogGroup checks that the runs' log group exists under a KMS key
// and keeps logs for at least a year.
func checkRunsLogGroup(c *awsclient.Client) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := c.Logs.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(runsLogGroup)})
		if err != nil {
			return err
		}
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupName) != runsLogGroup {
				continue
			}
			if aws.ToString(g.KmsKeyId) == "" || aws.ToInt32(g.RetentionInDays) < 365 {
				return fmt.Errorf("log group %s: key %q, retention %d days", runsLogGroup, aws.ToString(g.KmsKeyId), aws.ToInt32(g.RetentionInDays))
			}
			return nil
		}
		return fmt.Errorf("log group %s does not exist", runsLogGroup)
	}
}

var ageIncomeFilters = map[string]string{
	"drift-age":    "feature_baseline_drift_age = $.baseline_drift",
	"drift-income": "feature_baseline_drift_income = $.baseline_drift",
	"data-age":     "feature_data_age = $.data",
}

// TestAccModelMonitor_metricFilters: the scheduled engine's runs cannot
// reach CloudWatch, so the monitor turns their log lines into the drift
// metrics with metric filters on the runs' log group, which it makes
// encrypted and retained: created with the monitor, a filter deleted out of
// band restored by the next apply, a removed feature's filter removed, the
// silent alarm's data filter following the first feature, and none left
// after destroy (checkDestroy).
func TestAccModelMonitor_metricFilters(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon")}
	fewer, other := cfg, cfg
	fewer.features, other.features = `["age"]`, `["income"]`
	update := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)}}
	noDrift := statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact(nil))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, cfg.name),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check: resource.ComposeTestCheckFunc(checkFilters(c, cfg.name, ageIncomeFilters), checkRunsLogGroup(c),
				resource.TestCheckResourceAttrSet(addr, "control_states.SS-ENC-5"), resource.TestCheckResourceAttrSet(addr, "control_states.SS-MON-3")),
			ConfigStateChecks: []statecheck.StateCheck{noDrift},
		}, {
			// A filter deleted out of band shows as drift and is put back.
			PreConfig: func() {
				if _, err := c.Logs.DeleteMetricFilter(context.Background(), &cloudwatchlogs.DeleteMetricFilterInput{
					LogGroupName: aws.String(runsLogGroup), FilterName: aws.String("sagesafe-monitor-" + cfg.name + "-drift-income"),
				}); err != nil {
					t.Fatal(err)
				}
			},
			Config:            cfg.hcl(),
			ConfigPlanChecks:  update,
			Check:             checkFilters(c, cfg.name, ageIncomeFilters),
			ConfigStateChecks: []statecheck.StateCheck{noDrift},
		}, {
			// A feature removed: its filter goes.
			Config:           fewer.hcl(),
			ConfigPlanChecks: update,
			Check: checkFilters(c, cfg.name, map[string]string{
				"drift-age": "feature_baseline_drift_age = $.baseline_drift", "data-age": "feature_data_age = $.data",
			}),
			ConfigStateChecks: []statecheck.StateCheck{noDrift},
		}, {
			// Another first feature: the silent alarm's data filter follows.
			Config:           other.hcl(),
			ConfigPlanChecks: update,
			Check: checkFilters(c, cfg.name, map[string]string{
				"drift-income": "feature_baseline_drift_income = $.baseline_drift", "data-income": "feature_data_income = $.data",
			}),
			ConfigStateChecks: []statecheck.StateCheck{noDrift},
		}},
	})
}

// checkNoFilters: a monitor whose metrics Model Monitor publishes has no
// metric filter.
func checkNoFilters(c *awsclient.Client, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := liveFilters(c, name)
		if err != nil {
			return err
		}
		if len(got) > 0 {
			return fmt.Errorf("metric filters of %s: %v, want none", name, slices.Sorted(maps.Keys(got)))
		}
		return nil
	}
}
