package modelmonitor_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
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

func qualityBlock(bucket, metric, threshold string) string {
	return fmt.Sprintf(`    ground_truth_s3_uri = "s3://%s/groundtruth/"
    problem_type        = "BinaryClassification"
    metric              = %q
    threshold           = %s
    inference_attribute = "label"`, bucket, metric, threshold)
}

// checkQuality checks the live model quality: the run's ground-truth input
// and environment, the quality alarm (metric, namespace, threshold,
// comparison) and its metric filter; with want false, that none is left.
func checkQuality(c *awsclient.Client, e env, name string, want bool, metric string, threshold float64, cmp cwtypes.ComparisonOperator) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, in, err := liveInput(c, name)
		if err != nil {
			return err
		}
		gt := ""
		for _, i := range in["ProcessingInputs"].([]any) {
			if m := i.(map[string]any); m["InputName"] == "ground_truth" {
				gt = m["S3Input"].(map[string]any)["S3Uri"].(string)
			}
		}
		env := in["Environment"].(map[string]any)
		alarm := "sagesafe-monitor-" + name + "-quality"
		al, err := c.CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarm}})
		if err != nil {
			return err
		}
		filters, err := liveFilters(c, name)
		if err != nil {
			return err
		}
		_, filter := filters["sagesafe-monitor-"+name+"-quality-"+metric]
		if !want {
			if gt != "" || env["problem_type"] != nil || len(al.MetricAlarms) != 0 || filter {
				return fmt.Errorf("model quality left: ground truth %q, env %v, %d alarms, filter %v", gt, env, len(al.MetricAlarms), filter)
			}
			return nil
		}
		if gt != "s3://"+e.bucket+"/groundtruth/" || env["problem_type"] != "BinaryClassification" || env["sagesafe_quality_metric"] != metric ||
			env["inference_attribute"] != "label" {
			return fmt.Errorf("run: ground truth %q, env %v", gt, env)
		}
		if len(al.MetricAlarms) != 1 {
			return fmt.Errorf("quality alarm %s missing", alarm)
		}
		a := al.MetricAlarms[0]
		if aws.ToString(a.MetricName) != metric || aws.ToString(a.Namespace) != "aws/sagemaker/Endpoints/model-metrics" ||
			aws.ToFloat64(a.Threshold) != threshold || a.ComparisonOperator != cmp || aws.ToString(a.TreatMissingData) != "notBreaching" {
			return fmt.Errorf("quality alarm %+v", a)
		}
		if !filter {
			return fmt.Errorf("quality metric filter missing: %v", filters)
		}
		return nil
	}
}

// TestAccModelMonitor_modelQuality: a monitor with model_quality (the
// Scheduler engine) runs with the ground truth, alarms on the metric and
// has its filter; it is imported, its threshold updated, the quality
// alarm and filter deleted out of band are restored, removing the block
// deletes them, and destroy leaves nothing.
func TestAccModelMonitor_modelQuality(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mq")}
	cfg.quality = qualityBlock(e.bucket, "auc", "0.8")
	updated := cfg
	updated.quality = qualityBlock(e.bucket, "auc", "0.7")
	removed := cfg
	removed.quality = ""
	lt := cwtypes.ComparisonOperatorLessThanThreshold
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, cfg.name),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check:  resource.ComposeTestCheckFunc(checkSchedule(c, e, cfg.name, "rate(1 hour)"), checkQuality(c, e, cfg.name, true, "auc", 0.8, lt)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names").AtMapKey("quality"),
					knownvalue.StringExact("sagesafe-monitor-"+cfg.name+"-quality")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
			},
		}, {
			ResourceName:                         addr,
			ImportState:                          true,
			ImportStateId:                        cfg.name,
			ImportStateVerify:                    true,
			ImportStateVerifyIdentifierAttribute: "name",
		}, {
			Config: updated.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: checkQuality(c, e, cfg.name, true, "auc", 0.7, lt),
		}, {
			// Drift: the quality alarm and its filter deleted out of band.
			PreConfig: func() {
				ctx := context.Background()
				if _, err := c.CloudWatch.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"sagesafe-monitor-" + cfg.name + "-quality"}}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.Logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(runsLogGroup),
					FilterName: aws.String("sagesafe-monitor-" + cfg.name + "-quality-auc")}); err != nil {
					t.Fatal(err)
				}
			},
			Config: updated.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: checkQuality(c, e, cfg.name, true, "auc", 0.7, lt),
		}, {
			Config: removed.hcl(),
			Check:  resource.ComposeTestCheckFunc(checkSchedule(c, e, cfg.name, "rate(1 hour)"), checkQuality(c, e, cfg.name, false, "auc", 0, lt)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("model_quality"), knownvalue.Null()),
			},
		}},
	})
}

// TestAccModelMonitor_modelQualityRefused: a metric of another problem
// type, a ground truth that is not an s3:// URI, and model_quality with
// the Model Monitor engine are refused before anything is created.
func TestAccModelMonitor_modelQualityRefused(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mqr")}
	step := func(quality, engine, want string) resource.TestStep {
		m := cfg
		m.quality, m.engine = quality, engine
		return resource.TestStep{Config: m.hcl(), ExpectError: regexp.MustCompile(want)}
	}
	https := `    ground_truth_s3_uri = "https://` + e.bucket + `.s3.amazonaws.com/groundtruth/"
    problem_type        = "Regression"
    metric              = "rmse"
    threshold           = 3`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, cfg.name),
		Steps: []resource.TestStep{
			step(qualityBlock(e.bucket, "rmse", "0.8"), "", `metric "rmse" is not a BinaryClassification metric`),
			step(https, "", `SS-TLS-2`),
			step(qualityBlock(e.bucket, "auc", "0.8"), "model_monitor", `model_quality needs engine`),
		},
	})
}
