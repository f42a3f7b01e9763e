package trainingjob_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
)

// TestAccTrainingJob_unreachableAlarmThreshold: a threshold its metric can
// never cross (a utilization "> 100", a GPU utilization "< 0") is refused at
// plan time with SS-MON-1, the metric, its range and the comparison, and no
// job is created.
func TestAccTrainingJob_unreachableAlarmThreshold(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("unreach")
	refuse := func(attr, value, metric, comparison string) resource.TestStep {
		return resource.TestStep{
			Config: jobConfig{env: e, nameLine: fmt.Sprintf("name = %q", name),
				alarmsBlock: fmt.Sprintf("alarms = {\n    actions = [%q]\n    %s = %s\n  }", topicARN, attr, value)}.render(acctest.ProviderConfig),
			PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)` + wrapped("SS-MON-1: threshold "+value+" for "+metric+":") + `.*` +
				wrapped("("+comparison+")") + `.*` + wrapped("ranges from 0 to 100") + `.*` + wrapped("can never fire")),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{
			refuse("disk_percent", "100", "DiskUtilization", "GreaterThanThreshold"),
			refuse("memory_percent", "100", "MemoryUtilization", "GreaterThanThreshold"),
			refuse("gpu_idle_percent", "0", "GPUUtilization", "LessThanThreshold"),
		},
	})
	if _, err := describe(context.Background(), c, name); err == nil {
		t.Errorf("a refused plan created training job %s", name)
	}
}

// TestAccTrainingJob_driftAlarmMissingData: an alarm whose missing data is
// no longer treated as not breaching, changed outside Terraform, is drift:
// the plan updates the job in place and the apply restores the alarm.
func TestAccTrainingJob_driftAlarmMissingData(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("muted")
	alarm := alarms.TrainingAlarmName(name, 1, alarms.TrainingDisk)
	config := testAccTrainingJobConfig_named(e, name, "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					acctest.EditAlarm(t, alarm, func(in *cloudwatch.PutMetricAlarmInput) { in.TreatMissingData = aws.String("ignore") })
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(2)),
				},
				Check: func(*terraform.State) error {
					out, err := c.CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarm}})
					if err != nil {
						return err
					}
					if len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].TreatMissingData) != "notBreaching" {
						return fmt.Errorf("alarm %s not restored: %+v", alarm, out.MetricAlarms)
					}
					return nil
				},
			},
		},
	})
}
