package endpoint_test

import (
	"context"
	"fmt"
	"slices"
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

// TestAccEndpoint_atMaxAlarm: an autoscaled endpoint gets an alarm on its
// instance count (metric math Invocations / InvocationsPerInstance) at
// max_capacity - 0.5, with the provider's alarm_actions; its threshold
// follows a change of max_capacity; deleted or edited outside Terraform it
// is drift that the next apply restores; removing autoscaling removes it;
// destroy leaves nothing (CheckDestroy lists every alarm of the endpoint's
// prefix).
func TestAccEndpoint_atMaxAlarm(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	alarm := alarms.EndpointAlarmName(name, alarms.EndpointAtMaxInstances)
	inNames := func(want bool) statecheck.StateCheck {
		if !want {
			return statecheck.ExpectKnownValue(address, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(len(alarms.EndpointKinds())))
		}
		return statecheck.ExpectKnownValue(address, tfjsonpath.New("alarm_names").AtMapKey(alarms.EndpointAtMaxInstances), knownvalue.StringExact(alarm))
	}
	max6 := scalingConfig(name, env, "ml.m5.xlarge", scalingBlock(2, 6, 70))
	restored := func(edit func()) []resource.TestStep {
		return []resource.TestStep{
			{PreConfig: edit, Config: max6, PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				Config: max6,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{inNames(true)},
				Check:             checkAtMaxAlarm(t, alarm, name, 5.5),
			},
		}
	}
	steps := []resource.TestStep{
		{
			Config:            scalingConfig(name, env, "ml.m5.xlarge", scalingBlock(2, 4, 70)),
			ConfigStateChecks: []statecheck.StateCheck{inNames(true)},
			Check:             checkAtMaxAlarm(t, alarm, name, 3.5),
		},
		{
			Config: max6,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{inNames(true)},
			Check:             checkAtMaxAlarm(t, alarm, name, 5.5),
		},
		{
			ResourceName:            address,
			ImportState:             true,
			ImportStateId:           name,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"timeouts", "retain_logs_on_destroy"},
		},
	}
	steps = append(steps, restored(func() { deleteAlarm(t, alarm) })...)
	steps = append(steps, restored(func() {
		a := describeAlarm(t, alarm)
		putAlarm(t, &cloudwatch.PutMetricAlarmInput{
			AlarmName: a.AlarmName, AlarmDescription: a.AlarmDescription, ActionsEnabled: a.ActionsEnabled, AlarmActions: a.AlarmActions,
			EvaluationPeriods: a.EvaluationPeriods, DatapointsToAlarm: a.DatapointsToAlarm, ComparisonOperator: a.ComparisonOperator,
			TreatMissingData: a.TreatMissingData, Metrics: a.Metrics, Threshold: aws.Float64(99.5), // never fires
		})
	})...)
	steps = append(steps, resource.TestStep{
		Config:            scalingConfig(name, env, "ml.m5.xlarge", ""),
		ConfigStateChecks: []statecheck.StateCheck{inNames(false)},
		Check: func(*terraform.State) error {
			out, err := acctest.AWS(t).CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarm}})
			if err != nil {
				return err
			}
			if len(out.MetricAlarms) != 0 {
				return fmt.Errorf("alarm %s is left after autoscaling was removed", alarm)
			}
			return nil
		},
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps:                    steps,
	})
}

// checkAtMaxAlarm asks the emulator that the at-maximum alarm divides the
// variant's Invocations by its InvocationsPerInstance (both Sum per 5
// minutes), fires at threshold or more, and notifies the provider's topic.
func checkAtMaxAlarm(t *testing.T, alarm, endpoint string, threshold float64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := acctest.AWS(t).CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarm}})
		if err != nil {
			return err
		}
		if len(out.MetricAlarms) != 1 {
			return fmt.Errorf("alarm %s is missing", alarm)
		}
		a := out.MetricAlarms[0]
		if got := aws.ToFloat64(a.Threshold); got != threshold || a.ComparisonOperator != cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold {
			return fmt.Errorf("alarm %s: %s %v, want >= %v", alarm, a.ComparisonOperator, got, threshold)
		}
		if !slices.Equal(a.AlarmActions, []string{testTopic}) || !aws.ToBool(a.ActionsEnabled) {
			return fmt.Errorf("alarm %s: actions %v (enabled %v), want [%s]", alarm, a.AlarmActions, aws.ToBool(a.ActionsEnabled), testTopic)
		}
		metrics, expr := map[string]string{}, ""
		for _, q := range a.Metrics {
			if q.MetricStat == nil {
				expr = aws.ToString(q.Expression)
				continue
			}
			m := q.MetricStat.Metric
			dims := map[string]string{}
			for _, d := range m.Dimensions {
				dims[aws.ToString(d.Name)] = aws.ToString(d.Value)
			}
			if aws.ToString(q.MetricStat.Stat) != "Sum" || aws.ToInt32(q.MetricStat.Period) != 300 || dims["EndpointName"] != endpoint {
				return fmt.Errorf("alarm %s: query %s is %s per %d s on %v", alarm, aws.ToString(q.Id), aws.ToString(q.MetricStat.Stat),
					aws.ToInt32(q.MetricStat.Period), dims)
			}
			metrics[aws.ToString(q.Id)] = aws.ToString(m.MetricName)
		}
		if want := "invocations / per_instance"; expr != want || metrics["invocations"] != "Invocations" || metrics["per_instance"] != "InvocationsPerInstance" {
			return fmt.Errorf("alarm %s: expression %q over %v", alarm, expr, metrics)
		}
		return nil
	}
}
