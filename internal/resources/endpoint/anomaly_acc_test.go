package endpoint_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
)

// TestAccEndpoint_anomalyAlarms: the endpoint has anomaly-detection alarms
// on Invocations and ModelLatency (SS-MON-6) whose band width follows
// alarms.anomaly_band_width: created, changed in place, imported; an
// anomaly alarm deleted, turned into a fixed-threshold alarm or given
// another band outside Terraform is drift that the next apply restores. The
// emulator stores Metrics and ThresholdMetricId (through the CBOR adapter)
// but never evaluates them.
func TestAccEndpoint_anomalyAlarms(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	config := func(width string) string {
		return testAccEndpointConfig_alarms(name, env, fmt.Sprintf("alarms = { anomaly_band_width = %s }", width))
	}
	inv := alarms.EndpointAlarmName(name, alarms.EndpointInvocationsAnomaly)
	lat := alarms.EndpointAlarmName(name, alarms.EndpointModelLatencyAnomaly)
	width := tfjsonpath.New("alarms").AtMapKey("anomaly_band_width")
	drift := func(edit func()) []resource.TestStep {
		return []resource.TestStep{
			{
				PreConfig:          edit,
				Config:             config("1.5"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config("1.5"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(len(alarms.EndpointKinds()))),
				},
				Check: checkAnomalyAlarms(t, name, "1.5"),
			},
		}
	}
	steps := []resource.TestStep{
		{
			Config: config("3"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, width, knownvalue.Float64Exact(3)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("alarm_names").AtMapKey(alarms.EndpointInvocationsAnomaly), knownvalue.StringExact(inv)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("alarm_names").AtMapKey(alarms.EndpointModelLatencyAnomaly), knownvalue.StringExact(lat)),
			},
			Check: checkAnomalyAlarms(t, name, "3"),
		},
		{
			Config: config("1.5"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(address, width, knownvalue.Float64Exact(1.5))},
			Check:             checkAnomalyAlarms(t, name, "1.5"),
		},
		{
			ResourceName:            address,
			ImportState:             true,
			ImportStateId:           name,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"timeouts", "retain_logs_on_destroy"},
		},
	}
	steps = append(steps, drift(func() { deleteAlarm(t, inv) })...)
	steps = append(steps, drift(func() {
		// Turned into a fixed-threshold alarm on the same metric, all else
		// (description, actions, missing data, periods) kept.
		a := describeAlarm(t, lat)
		putAlarm(t, &cloudwatch.PutMetricAlarmInput{
			AlarmName: a.AlarmName, AlarmDescription: a.AlarmDescription, ActionsEnabled: a.ActionsEnabled, AlarmActions: a.AlarmActions,
			EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm, TreatMissingData: a.TreatMissingData,
			ComparisonOperator: a.ComparisonOperator, Namespace: aws.String("AWS/SageMaker"), MetricName: aws.String("ModelLatency"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("EndpointName"), Value: aws.String(name)}, {Name: aws.String("VariantName"), Value: aws.String("AllTraffic")}},
			Statistic:  cwtypes.StatisticAverage, Period: aws.Int32(300), Threshold: aws.Float64(1e9),
		})
	})...)
	// The band kept, the metric it watches changed: a Minimum of
	// invocations hides a surge.
	steps = append(steps, drift(func() {
		editAnomaly(t, inv, func(q []cwtypes.MetricDataQuery) { q[0].MetricStat.Stat = aws.String("Minimum") })
	})...)
	steps = append(steps, drift(func() {
		editAnomaly(t, inv, func(q []cwtypes.MetricDataQuery) {
			q[len(q)-1].Expression = aws.String("ANOMALY_DETECTION_BAND(e1, 9)")
		})
	})...)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps:                    steps,
	})
}

// TestAccEndpoint_refusesAnomalyBandWidth: a band width of 0 (or below the
// minimum) or above the maximum is refused at plan, and nothing is created.
func TestAccEndpoint_refusesAnomalyBandWidth(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	refuse := func(w string) resource.TestStep {
		return resource.TestStep{
			Config:      testAccEndpointConfig_alarms(name, env, "alarms = { anomaly_band_width = "+w+" }"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)anomaly band width is ` + regexp.QuoteMeta(w) + `.*must\s+be\s+from\s+0.5\s+to\s+10`),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps:                    []resource.TestStep{refuse("0"), refuse("10.5")},
	})
	if left := leftovers(t, name); len(left) > 0 {
		t.Errorf("a refused plan created %v", left)
	}
}

// checkAnomalyAlarms asks the emulator that both anomaly alarms compare
// their metric with a band of the given width.
func checkAnomalyAlarms(t *testing.T, endpoint, width string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for kind, metric := range alarms.EndpointAnomalyKinds() {
			n := alarms.EndpointAlarmName(endpoint, kind)
			out, err := acctest.AWS(t).CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{n}})
			if err != nil {
				return err
			}
			if len(out.MetricAlarms) != 1 {
				return fmt.Errorf("alarm %s is missing", n)
			}
			a := out.MetricAlarms[0]
			// Invocations compares FILL(m1, 0) (e1): no traffic is 0.
			queries, compared := 2, "m1"
			if metric == "Invocations" {
				queries, compared = 3, "e1"
			}
			if aws.ToString(a.ThresholdMetricId) != "ad1" || len(a.Metrics) != queries || a.MetricName != nil {
				return fmt.Errorf("alarm %s is not an anomaly alarm: threshold metric %q, %d queries, metric %q",
					n, aws.ToString(a.ThresholdMetricId), len(a.Metrics), aws.ToString(a.MetricName))
			}
			if got := alarms.AnomalyMetric(a, alarms.EndpointInvocationNamespace, map[string]string{"EndpointName": endpoint, "VariantName": "AllTraffic"}); got != metric {
				return fmt.Errorf("alarm %s watches %q, want %s", n, got, metric)
			}
			if got, want := aws.ToString(a.Metrics[queries-1].Expression), "ANOMALY_DETECTION_BAND("+compared+", "+width+")"; got != want {
				return fmt.Errorf("alarm %s: band %q, want %q", n, got, want)
			}
		}
		return nil
	}
}

func deleteAlarm(t *testing.T, name string) {
	t.Helper()
	if _, err := acctest.AWS(t).CloudWatch.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{name}}); err != nil {
		t.Fatalf("deleting alarm %s: %v", name, err)
	}
}

func putAlarm(t *testing.T, in *cloudwatch.PutMetricAlarmInput) {
	t.Helper()
	if _, err := acctest.AWS(t).CloudWatch.PutMetricAlarm(context.Background(), in); err != nil {
		t.Fatalf("putting alarm %s: %v", aws.ToString(in.AlarmName), err)
	}
}

func describeAlarm(t *testing.T, name string) cwtypes.MetricAlarm {
	t.Helper()
	out, err := acctest.AWS(t).CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil || len(out.MetricAlarms) != 1 {
		t.Fatalf("describing alarm %s: %v", name, err)
	}
	return out.MetricAlarms[0]
}

// editAnomaly rewrites the metric queries of an anomaly alarm, keeping the
// rest (acctest.EditAlarm does not carry Metrics).
func editAnomaly(t *testing.T, name string, edit func([]cwtypes.MetricDataQuery)) {
	t.Helper()
	a := describeAlarm(t, name)
	edit(a.Metrics)
	putAlarm(t, &cloudwatch.PutMetricAlarmInput{
		AlarmName: a.AlarmName, AlarmDescription: a.AlarmDescription, ActionsEnabled: a.ActionsEnabled, AlarmActions: a.AlarmActions,
		EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm, ComparisonOperator: a.ComparisonOperator,
		TreatMissingData: a.TreatMissingData, Metrics: a.Metrics, ThresholdMetricId: a.ThresholdMetricId,
	})
	if got := describeAlarm(t, name); !reflect.DeepEqual(got.Metrics, a.Metrics) {
		t.Fatalf("the emulator did not keep the edit of alarm %s", name)
	}
}

// TestAccEndpoint_anomalyAlarmThatNeverFires: an invocations anomaly alarm
// kept in place but made unable to fire for this endpoint (a band of 1e6
// standard deviations; the metric of another endpoint) is not SS-MON-6's
// alarm: the refresh reports SS-MON-6 failed (it stayed held before
// AnomalyOf followed alarms.Diff and CheckBandWidth) and the next apply
// restores the alarm and the control.
func TestAccEndpoint_anomalyAlarmThatNeverFires(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	config := testAccEndpointConfig_alarms(name, env, "alarms = { anomaly_band_width = 2 }")
	inv := alarms.EndpointAlarmName(name, alarms.EndpointInvocationsAnomaly)
	mon6 := func(want string) resource.TestCheckFunc {
		return resource.TestCheckResourceAttr(address, "control_states.SS-MON-6", want)
	}
	drift := func(edit func([]cwtypes.MetricDataQuery)) []resource.TestStep {
		return []resource.TestStep{
			{PreConfig: func() { editAnomaly(t, inv, edit) }, RefreshState: true, ExpectNonEmptyPlan: true, Check: mon6("failed")},
			{Config: config, Check: resource.ComposeTestCheckFunc(mon6("held"), checkAnomalyAlarms(t, name, "2"))},
		}
	}
	steps := []resource.TestStep{{Config: config, Check: mon6("held")}}
	steps = append(steps, drift(func(q []cwtypes.MetricDataQuery) {
		q[len(q)-1].Expression = aws.String("ANOMALY_DETECTION_BAND(e1, 1000000)")
	})...)
	// The fill taken out: a collapse to zero traffic is missing data again
	// and never leaves the band.
	steps = append(steps, drift(func(q []cwtypes.MetricDataQuery) {
		q[1].Expression = aws.String("m1")
	})...)
	steps = append(steps, drift(func(q []cwtypes.MetricDataQuery) {
		q[0].MetricStat.Metric.Dimensions = []cwtypes.Dimension{
			{Name: aws.String("EndpointName"), Value: aws.String("some-other-endpoint")}, {Name: aws.String("VariantName"), Value: aws.String("AllTraffic")}}
	})...)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps:                    steps,
	})
}
