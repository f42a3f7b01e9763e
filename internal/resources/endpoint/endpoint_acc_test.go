package endpoint_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/endpoint"
)

const (
	testTopic = "arn:aws:sns:us-east-1:123456789012:tfacc-ml-alerts"
	address   = "sagesafe_endpoint.test"
)

func init() {
	// The emulator answers at once; poll it quickly.
	endpoint.SetPollingForTests()
}

func image(tag string) string {
	return fmt.Sprintf("123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:%s", strings.Repeat(tag, 64/len(tag)))
}

// cfg is one endpoint configuration; the config functions below fill it.
type cfg struct {
	label         string // resource label, default "test"
	name          string
	env           acctest.EndpointFixture
	image         string
	instanceType  string
	instanceCount int
	subnets       []string
	groups        []string
	kms           string
	role          string
	extra         string // more attributes inside the resource block
}

func (c cfg) render() string {
	return acctest.ProviderConfig(fmt.Sprintf("alarm_actions = [%q]", testTopic)) + c.resource()
}

// resource renders the resource block alone.
func (c cfg) resource() string {
	if c.label == "" {
		c.label = "test"
	}
	if c.image == "" {
		c.image = image("a1")
	}
	if c.instanceType == "" {
		c.instanceType = "ml.m5.xlarge"
	}
	if c.subnets == nil {
		c.subnets = c.env.SubnetIDs
	}
	if c.groups == nil {
		c.groups = []string{c.env.SecurityGroup}
	}
	if c.kms == "" {
		c.kms = c.env.KeyARN
	}
	if c.role == "" {
		c.role = c.env.RoleARN
	}
	count := ""
	if c.instanceCount > 0 {
		count = fmt.Sprintf("instance_count = %d", c.instanceCount)
	}
	return fmt.Sprintf(`
resource "sagesafe_endpoint" %[10]q {
  name          = %[1]q
  role_arn      = %[2]q
  instance_type = %[3]q
  kms_key_arn   = %[4]q
  %[5]s

  model = {
    image = %[6]q
    environment = {
      MODEL_SERVER_WORKERS = "2"
    }
  }

  vpc = {
    subnet_ids         = %[7]s
    security_group_ids = %[8]s
  }

  retain_logs_on_destroy = false
%[9]s
}
`, c.name, c.role, c.instanceType, c.kms, count, c.image, hcl(c.subnets), hcl(c.groups), c.extra, c.label)
}

func hcl(list []string) string {
	b, _ := json.Marshal(list)
	return string(b)
}

func testAccEndpointConfig_basic(name string, env acctest.EndpointFixture) string {
	return cfg{name: name, env: env}.render()
}

func testAccEndpointConfig_image(name string, env acctest.EndpointFixture, img, extra string) string {
	return cfg{name: name, env: env, image: img, extra: extra}.render()
}

func testAccEndpointConfig_alarms(name string, env acctest.EndpointFixture, extra string) string {
	return cfg{name: name, env: env, extra: extra}.render()
}

// ---- checks that ask the emulator directly ----

func sm(t *testing.T) *sagemaker.Client { return acctest.AWS(t).SageMaker }

func notFound(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationException" && strings.HasPrefix(apiErr.ErrorMessage(), "Could not find")
}

// testAccCheckEndpointDestroy checks that nothing of the endpoint is left:
// endpoint, models and configs named after it, alarms and (unless kept)
// the log group.
func testAccCheckEndpointDestroy(t *testing.T, name string, logsKept bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		left := leftovers(t, name)
		lg, err := acctest.AWS(t).Logs.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(endpoint.LogGroupPrefix + name)})
		if err != nil {
			return err
		}
		if logsKept {
			if len(lg.LogGroups) != 1 {
				return fmt.Errorf("log group %s%s should be kept, found %d", endpoint.LogGroupPrefix, name, len(lg.LogGroups))
			}
			if _, err := acctest.AWS(t).Logs.DeleteLogGroup(context.Background(), &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: lg.LogGroups[0].LogGroupName}); err != nil {
				return err
			}
		} else if len(lg.LogGroups) > 0 {
			left = append(left, "log group "+aws.ToString(lg.LogGroups[0].LogGroupName))
		}
		if len(left) > 0 {
			return fmt.Errorf("left after destroy: %s", strings.Join(left, ", "))
		}
		return nil
	}
}

func leftovers(t *testing.T, name string) []string {
	ctx := context.Background()
	c := acctest.AWS(t)
	var left []string
	if _, err := c.SageMaker.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)}); !notFound(err) {
		left = append(left, fmt.Sprintf("endpoint %s (%v)", name, err))
	}
	models, err := c.SageMaker.ListModels(ctx, &sagemaker.ListModelsInput{NameContains: aws.String(name)})
	if err != nil {
		return append(left, err.Error())
	}
	for _, m := range models.Models { // the emulator ignores NameContains here
		if strings.Contains(aws.ToString(m.ModelName), name) {
			left = append(left, "model "+aws.ToString(m.ModelName))
		}
	}
	configs, err := c.SageMaker.ListEndpointConfigs(ctx, &sagemaker.ListEndpointConfigsInput{NameContains: aws.String(name)})
	if err != nil {
		return append(left, err.Error())
	}
	for _, m := range configs.EndpointConfigs {
		if strings.Contains(aws.ToString(m.EndpointConfigName), name) {
			left = append(left, "endpoint config "+aws.ToString(m.EndpointConfigName))
		}
	}
	al, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("sagesafe-endpoint-" + name + "-")})
	if err != nil {
		return append(left, err.Error())
	}
	for _, a := range al.MetricAlarms {
		left = append(left, "alarm "+aws.ToString(a.AlarmName))
	}
	return left
}

func describeEndpoint(t *testing.T, name string) *sagemaker.DescribeEndpointOutput {
	t.Helper()
	out, err := sm(t).DescribeEndpoint(context.Background(), &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeEndpoint %s: %v", name, err)
	}
	return out
}

// testAccCheckSecureObjects checks the live objects of a secure endpoint.
func testAccCheckSecureObjects(t *testing.T, name string, env acctest.EndpointFixture, wantVolumeKey bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		c := acctest.AWS(t)
		ep := describeEndpoint(t, name)
		if ep.EndpointStatus != "InService" {
			return fmt.Errorf("endpoint status %s", ep.EndpointStatus)
		}
		config, err := c.SageMaker.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: ep.EndpointConfigName})
		if err != nil {
			return err
		}
		if got := aws.ToString(config.KmsKeyId); wantVolumeKey && got != env.KeyARN || !wantVolumeKey && got != "" {
			return fmt.Errorf("endpoint config KmsKeyId = %q (want key: %v)", got, wantVolumeKey)
		}
		v := config.ProductionVariants[0]
		if aws.ToString(v.VariantName) != endpoint.VariantName || aws.ToInt32(v.InitialInstanceCount) < 2 {
			return fmt.Errorf("variant %s with %d instances", aws.ToString(v.VariantName), aws.ToInt32(v.InitialInstanceCount))
		}
		model, err := c.SageMaker.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: v.ModelName})
		if err != nil {
			return err
		}
		if !aws.ToBool(model.EnableNetworkIsolation) {
			return fmt.Errorf("model %s has no network isolation", aws.ToString(v.ModelName))
		}
		if model.VpcConfig == nil || len(model.VpcConfig.Subnets) != 2 || len(model.VpcConfig.SecurityGroupIds) != 1 {
			return fmt.Errorf("model VPC config %+v", model.VpcConfig)
		}
		lg, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(endpoint.LogGroupPrefix + name)})
		if err != nil {
			return err
		}
		if len(lg.LogGroups) != 1 || aws.ToString(lg.LogGroups[0].KmsKeyId) != env.KeyARN || aws.ToInt32(lg.LogGroups[0].RetentionInDays) == 0 {
			return fmt.Errorf("log group %+v", lg.LogGroups)
		}
		al, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: alarmNames(name)})
		if err != nil {
			return err
		}
		if len(al.MetricAlarms) != len(alarms.EndpointKinds()) {
			return fmt.Errorf("%d alarms, want %d", len(al.MetricAlarms), len(alarms.EndpointKinds()))
		}
		for _, a := range al.MetricAlarms {
			if !aws.ToBool(a.ActionsEnabled) || len(a.AlarmActions) != 1 || a.AlarmActions[0] != testTopic {
				return fmt.Errorf("alarm %s: actions enabled %v, actions %v", aws.ToString(a.AlarmName), aws.ToBool(a.ActionsEnabled), a.AlarmActions)
			}
		}
		return nil
	}
}

func alarmNames(name string) []string {
	var out []string
	for _, k := range alarms.EndpointKinds() {
		out = append(out, alarms.EndpointAlarmName(name, k))
	}
	return out
}

func versionRE(name string) *regexp.Regexp {
	return regexp.MustCompile("^" + regexp.QuoteMeta(name) + "-[0-9a-f]{8}$")
}

// mergeBehaviour changes emulator behaviour for this test and restores the
// keys afterwards.
func mergeBehaviour(t *testing.T, changes map[string]any) {
	t.Helper()
	ctx := context.Background()
	if err := acctest.Emulator(t).MergeBehaviour(ctx, changes); err != nil {
		t.Fatalf("emulator behaviour: %v", err)
	}
	t.Cleanup(func() {
		reset := map[string]any{}
		for k := range changes {
			reset[k] = nil
		}
		if err := acctest.Emulator(t).MergeBehaviour(ctx, reset); err != nil {
			t.Errorf("restoring emulator behaviour: %v", err)
		}
	})
}

// skipUnlessAcc skips an acceptance test outside TF_ACC=1 before its
// fixtures are made (resource.Test would skip only afterwards).
func skipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test runs it against the emulator)")
	}
}

// ---- tests ----

func TestAccEndpoint_basic(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config: testAccEndpointConfig_basic(name, env),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate),
					// A new endpoint's version name is keyed with a salt Create
					// makes: no plan shows it before the objects exist.
					plancheck.ExpectUnknownValue(address, tfjsonpath.New("endpoint_config_name")),
					plancheck.ExpectKnownValue(address, tfjsonpath.New("log_group_name"), knownvalue.StringExact(endpoint.LogGroupPrefix+name)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("status"), knownvalue.StringExact("InService")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("model_name"), knownvalue.StringRegexp(versionRE(name))),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("instance_count"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(len(alarms.EndpointKinds()))),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("alarm_names").AtMapKey("error_rate_5xx"),
						knownvalue.StringExact(alarms.EndpointAlarmName(name, alarms.EndpointErrorRate5XX))),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("controls"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.StringExact("SS-AVL-1"),
					})),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("invoke_policy_json"),
						knownvalue.StringRegexp(regexp.MustCompile(`sagemaker:InvokeEndpoint.*endpoint/`+regexp.QuoteMeta(name)))),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("deployment").AtMapKey("strategy"), knownvalue.StringExact("all_at_once")),
				},
				Check: testAccCheckSecureObjects(t, name, env, true),
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "retain_logs_on_destroy"},
			},
		},
	})
}

func TestAccEndpoint_nvmeInstanceType(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				// ml.g5.xlarge has local NVMe storage: no volume key (SS-ENC-2),
				// but the log group is still encrypted with the CMK.
				Config: cfg{name: name, env: env, instanceType: "ml.g5.xlarge"}.render(),
				Check:  testAccCheckSecureObjects(t, name, env, false),
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "retain_logs_on_destroy"},
			},
		},
	})
}

func TestAccEndpoint_import(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	capture := acctest.DataBucket(t, env.KeyARN)
	extra := `
  data_capture = {
    enabled             = true
    s3_uri              = "s3://` + capture + `/` + name + `/"
    sampling_percentage = 20
    capture             = "input"
  }
  alarms = {
    error_rate_5xx       = 0.02
    model_latency_p99_ms = 250
  }
  log_retention_days = 400
  tags = {
    team = "ml"
  }
`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config: testAccEndpointConfig_alarms(name, env, extra),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("data_capture").AtMapKey("capture"), knownvalue.StringExact("input")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("tags").AtMapKey("team"), knownvalue.StringExact("ml")),
				},
				Check: func(*terraform.State) error {
					ep := describeEndpoint(t, name)
					c, err := sm(t).DescribeEndpointConfig(context.Background(), &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: ep.EndpointConfigName})
					if err != nil {
						return err
					}
					if dc := c.DataCaptureConfig; dc == nil || aws.ToString(dc.KmsKeyId) != env.KeyARN || len(dc.CaptureOptions) != 1 {
						return fmt.Errorf("data capture is not encrypted with the CMK: %+v", dc)
					}
					return nil
				},
			},
			{
				ResourceName:            address,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "retain_logs_on_destroy"},
			},
			{
				ResourceName:  address,
				ImportState:   true,
				ImportStateId: "not a name!",
				ExpectError:   regexp.MustCompile(`Import a sagesafe_endpoint by its endpoint name`),
			},
		},
	})
}

func TestAccEndpoint_updateModelBlueGreen(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	mergeBehaviour(t, map[string]any{"endpoint_updating_seconds": 1})
	canary := `
  deployment = {
    strategy       = "canary"
    canary_percent = 50
    bake_seconds   = 120
  }
`
	first := statecheck.CompareValue(compare.ValuesDiffer())
	var before *sagemaker.DescribeEndpointOutput
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config: testAccEndpointConfig_image(name, env, image("a1"), canary),
				ConfigStateChecks: []statecheck.StateCheck{
					first.AddStateValue(address, tfjsonpath.New("endpoint_config_name")),
				},
				Check: func(*terraform.State) error {
					before = describeEndpoint(t, name)
					return nil
				},
			},
			{
				// A new image: a new hashed model and config, rolled out in place.
				Config: testAccEndpointConfig_image(name, env, image("b2"), canary),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(address, tfjsonpath.New("endpoint_config_name"), knownvalue.StringRegexp(versionRE(name))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					first.AddStateValue(address, tfjsonpath.New("endpoint_config_name")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("status"), knownvalue.StringExact("InService")),
				},
				Check: func(*terraform.State) error {
					after := describeEndpoint(t, name)
					oldConfig := aws.ToString(before.EndpointConfigName)
					if aws.ToString(after.EndpointConfigName) == oldConfig {
						return fmt.Errorf("endpoint still serves %s", oldConfig)
					}
					u, err := lastUpdate(t, name)
					if err != nil {
						return err
					}
					if u.EndpointConfigName != aws.ToString(after.EndpointConfigName) || u.PreviousEndpointConfigName != oldConfig {
						return fmt.Errorf("UpdateEndpoint from %s to %s", u.PreviousEndpointConfigName, u.EndpointConfigName)
					}
					if u.RetainAllVariantProperties == nil || !*u.RetainAllVariantProperties {
						return fmt.Errorf("RetainAllVariantProperties not true")
					}
					var dc struct {
						BlueGreenUpdatePolicy struct {
							TrafficRoutingConfiguration struct {
								Type                  string
								WaitIntervalInSeconds int
								CanarySize            struct {
									Type  string
									Value int
								}
							}
						}
						AutoRollbackConfiguration struct{ Alarms []struct{ AlarmName string } }
					}
					if err := json.Unmarshal(u.DeploymentConfig, &dc); err != nil {
						return fmt.Errorf("DeploymentConfig %s: %v", u.DeploymentConfig, err)
					}
					tr := dc.BlueGreenUpdatePolicy.TrafficRoutingConfiguration
					if tr.Type != "CANARY" || tr.WaitIntervalInSeconds != 120 || tr.CanarySize.Type != "CAPACITY_PERCENT" || tr.CanarySize.Value != 50 {
						return fmt.Errorf("traffic routing %+v", tr)
					}
					var rb []string
					for _, a := range dc.AutoRollbackConfiguration.Alarms {
						rb = append(rb, a.AlarmName)
					}
					want := []string{alarms.EndpointAlarmName(name, alarms.EndpointErrorRate5XX), alarms.EndpointAlarmName(name, alarms.EndpointModelLatencyP99)}
					if strings.Join(rb, ",") != strings.Join(want, ",") {
						return fmt.Errorf("rollback alarms %v, want %v", rb, want)
					}
					// The old version is gone once the switch is confirmed.
					ctx := context.Background()
					if _, err := sm(t).DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String(oldConfig)}); !notFound(err) {
						return fmt.Errorf("old endpoint config %s still exists (%v)", oldConfig, err)
					}
					if _, err := sm(t).DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(oldConfig)}); !notFound(err) {
						return fmt.Errorf("old model %s still exists (%v)", oldConfig, err)
					}
					before = after
					return testAccCheckSecureObjects(t, name, env, true)(nil)
				},
			},
			{
				// A new instance count rolls too, and is not retained.
				Config: cfg{name: name, env: env, image: image("b2"), instanceCount: 3, extra: canary}.render(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					u, err := lastUpdate(t, name)
					if err != nil {
						return err
					}
					if u.PreviousEndpointConfigName != aws.ToString(before.EndpointConfigName) {
						return fmt.Errorf("no rollout for the new instance count")
					}
					if !strings.Contains(string(u.ExcludeRetainedVariantProperties), "DesiredInstanceCount") {
						return fmt.Errorf("ExcludeRetainedVariantProperties %s lacks DesiredInstanceCount", u.ExcludeRetainedVariantProperties)
					}
					return nil
				},
			},
		},
	})
}

type endpointUpdate = emulator.EndpointUpdate

func lastUpdate(t *testing.T, name string) (*endpointUpdate, error) {
	ups, err := acctest.Emulator(t).EndpointUpdates(context.Background())
	if err != nil {
		return nil, err
	}
	for i := len(ups) - 1; i >= 0; i-- {
		if ups[i].EndpointName == name {
			return &ups[i], nil
		}
	}
	return nil, fmt.Errorf("no UpdateEndpoint recorded for %s", name)
}

func TestAccEndpoint_updateAlarmsInPlace(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	same := statecheck.CompareValue(compare.ValuesSame())
	changed := `
  alarms = {
    actions                 = ["arn:aws:sns:us-east-1:123456789012:tfacc-oncall"]
    error_rate_5xx          = 0.01
    model_latency_p99_ms    = 200
    cpu_utilization_percent = 75
  }
  log_retention_days = 731
  tags = {
    team = "ml"
  }
`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config:            testAccEndpointConfig_basic(name, env),
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(address, tfjsonpath.New("endpoint_config_name"))},
			},
			{
				Config: testAccEndpointConfig_alarms(name, env, changed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					same.AddStateValue(address, tfjsonpath.New("endpoint_config_name")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("alarms").AtMapKey("error_rate_5xx"), knownvalue.Float64Exact(0.01)),
				},
				Check: func(*terraform.State) error {
					if _, err := lastUpdate(t, name); err == nil {
						return fmt.Errorf("alarm, tag and retention changes must not redeploy the endpoint")
					}
					ctx := context.Background()
					c := acctest.AWS(t)
					al, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: alarmNames(name)})
					if err != nil {
						return err
					}
					for _, a := range al.MetricAlarms {
						if len(a.AlarmActions) != 1 || a.AlarmActions[0] != "arn:aws:sns:us-east-1:123456789012:tfacc-oncall" {
							return fmt.Errorf("alarm %s actions %v", aws.ToString(a.AlarmName), a.AlarmActions)
						}
						switch aws.ToString(a.AlarmName) {
						case alarms.EndpointAlarmName(name, alarms.EndpointErrorRate5XX):
							if aws.ToFloat64(a.Threshold) != 0.01 {
								return fmt.Errorf("5xx threshold %v", aws.ToFloat64(a.Threshold))
							}
						case alarms.EndpointAlarmName(name, alarms.EndpointModelLatencyP99):
							if aws.ToFloat64(a.Threshold) != 200_000 {
								return fmt.Errorf("latency threshold %v µs, want 200000", aws.ToFloat64(a.Threshold))
							}
						case alarms.EndpointAlarmName(name, alarms.EndpointCPU):
							if aws.ToFloat64(a.Threshold) != 300 { // 75% of 4 vCPUs
								return fmt.Errorf("cpu threshold %v, want 300", aws.ToFloat64(a.Threshold))
							}
						}
					}
					lg, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(endpoint.LogGroupPrefix + name)})
					if err != nil {
						return err
					}
					if len(lg.LogGroups) != 1 || aws.ToInt32(lg.LogGroups[0].RetentionInDays) != 731 {
						return fmt.Errorf("log group retention not updated: %+v", lg.LogGroups)
					}
					tags, err := c.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: describeEndpoint(t, name).EndpointArn})
					if err != nil {
						return err
					}
					for _, tg := range tags.Tags {
						if aws.ToString(tg.Key) == "team" && aws.ToString(tg.Value) == "ml" {
							return nil
						}
					}
					return fmt.Errorf("endpoint not tagged: %v", tags.Tags)
				},
			},
		},
	})
}

func TestAccEndpoint_silentRollback(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	same := statecheck.CompareValue(compare.ValuesSame())
	var newConfig string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config:            testAccEndpointConfig_image(name, env, image("a1"), ""),
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(address, tfjsonpath.New("endpoint_config_name"))},
			},
			{
				// SageMaker reports InService, but on the old configuration.
				PreConfig: func() {
					mergeBehaviour(t, map[string]any{
						"endpoint_updating_seconds": 1,
						"rollback_endpoints":        []string{name},
						"rollback_failure_reasons":  map[string]string{name: "Alarm " + alarms.EndpointAlarmName(name, alarms.EndpointErrorRate5XX) + " fired during baking."},
					})
				},
				Config:      testAccEndpointConfig_image(name, env, image("b2"), ""),
				ExpectError: regexp.MustCompile(`(?s)SageMaker rolled back the update of endpoint.*fired during baking`),
			},
			{
				// The state is truthful: the old image serves, so the old
				// configuration is a no-op.
				PreConfig: func() {
					u, err := lastUpdate(t, name)
					if err != nil {
						t.Fatal(err)
					}
					newConfig = u.EndpointConfigName
					if _, err := sm(t).DescribeEndpointConfig(context.Background(), &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String(newConfig)}); !notFound(err) {
						t.Errorf("the rolled-back configuration %s must be deleted (%v)", newConfig, err)
					}
				},
				Config: testAccEndpointConfig_image(name, env, image("a1"), ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					same.AddStateValue(address, tfjsonpath.New("endpoint_config_name")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("model").AtMapKey("image"), knownvalue.StringExact(image("a1"))),
				},
			},
		},
	})
}

func TestAccEndpoint_failedCreate(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	reason := "The primary container for production variant AllTraffic did not pass the ping health check."
	mergeBehaviour(t, map[string]any{
		"endpoint_creating_seconds": 1,
		"fail_endpoints":            map[string]string{name: reason},
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config:      testAccEndpointConfig_basic(name, env),
				ExpectError: regexp.MustCompile(`(?s)Endpoint creation failed: The primary container.*did not pass the ping health check`),
			},
		},
	})
	if left := leftovers(t, name); len(left) > 0 {
		t.Errorf("orphaned after the failed create: %v", left)
	}
}

// switchToConfigWithoutKey makes, outside Terraform, a configuration of the
// same variant without a KMS key, and switches the endpoint to it.
func switchToConfigWithoutKey(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	c := sm(t)
	ep := describeEndpoint(t, name)
	cur, err := c.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: ep.EndpointConfigName})
	if err != nil {
		t.Fatal(err)
	}
	rogue := acctest.RandomName("rogue")
	if _, err := c.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{
		EndpointConfigName: aws.String(rogue),
		ProductionVariants: cur.ProductionVariants[:1],
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteEndpointConfig(ctx, &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(rogue)})
	})
	if _, err := c.UpdateEndpoint(ctx, &sagemaker.UpdateEndpointInput{EndpointName: aws.String(name), EndpointConfigName: aws.String(rogue)}); err != nil {
		t.Fatal(err)
	}
	return rogue
}

func TestAccEndpoint_driftConfigWithoutKey(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	same := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config:            testAccEndpointConfig_basic(name, env),
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(address, tfjsonpath.New("endpoint_config_name"))},
			},
			{
				// Someone switches the endpoint to a configuration without a key:
				// the refresh shows drift (SS-ENC-2 drops out of controls).
				PreConfig:          func() { switchToConfigWithoutKey(t, name) },
				Config:             testAccEndpointConfig_basic(name, env),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
			},
			{
				// The next apply restores the secure configuration.
				Config: testAccEndpointConfig_basic(name, env),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					same.AddStateValue(address, tfjsonpath.New("endpoint_config_name")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("controls"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.StringExact("SS-AVL-1"),
					})),
				},
				Check: testAccCheckSecureObjects(t, name, env, true),
			},
		},
	})
}

func TestAccEndpoint_driftAlarmDeleted(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	deleted := alarms.EndpointAlarmName(name, alarms.EndpointErrorRate5XX)
	muted := alarms.EndpointAlarmName(name, alarms.EndpointDisk)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{Config: testAccEndpointConfig_basic(name, env)},
			{
				PreConfig: func() {
					ctx := context.Background()
					cw := acctest.AWS(t).CloudWatch
					if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{deleted}}); err != nil {
						t.Fatal(err)
					}
					// Mute another one, as someone silencing a noisy alarm would.
					if _, err := cw.DisableAlarmActions(ctx, &cloudwatch.DisableAlarmActionsInput{AlarmNames: []string{muted}}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             testAccEndpointConfig_basic(name, env),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
			},
			{
				Config: testAccEndpointConfig_basic(name, env),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(len(alarms.EndpointKinds()))),
				},
				Check: testAccCheckSecureObjects(t, name, env, true),
			},
		},
	})
}

// TestAccEndpoint_refusals: each insecure input is refused at plan time
// with an error naming its control, and nothing is created.
func TestAccEndpoint_refusals(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	public := acctest.Subnet(t, env.VPCID, acctest.SubnetOpts{CIDR: "10.20.9.0/24", AZ: acctest.Region + "c", InternetRoute: true})
	sameAZ := acctest.Subnet(t, env.VPCID, acctest.SubnetOpts{CIDR: "10.20.3.0/24", AZ: acctest.Region + "a", S3Gateway: true})
	openSG := acctest.SecurityGroup(t, env.VPCID, true)
	staticKey := acctest.Key(t, false)
	wildcardRole := acctest.Role(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)

	refuse := func(c cfg, control string) resource.TestStep {
		c.name, c.env = name, env
		return resource.TestStep{
			Config:      c.render(),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(control + ":"),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			refuse(cfg{subnets: []string{env.SubnetIDs[0], public}}, "SS-NET-2"),
			refuse(cfg{groups: []string{openSG}}, "SS-NET-3"),
			refuse(cfg{subnets: []string{env.SubnetIDs[0], sameAZ}}, "SS-NET-5"),
			refuse(cfg{instanceCount: 1}, "SS-AVL-1"),
			// moto cannot make an AWS managed key (its alias/aws/* keys report
			// KeyManager CUSTOMER, or do not exist); sagesafe treats any
			// alias/aws/... reference as AWS managed.
			refuse(cfg{kms: "alias/aws/sagemaker"}, "SS-ENC-2"),
			refuse(cfg{kms: staticKey}, "SS-KMS-2"),
			refuse(cfg{role: wildcardRole}, "SS-IAM-1"),
			refuse(cfg{image: "docker.io/library/nginx:latest"}, "SS-SUP-1"),
			// Data capture written with an AWS managed key, not the CMK.
			refuse(cfg{kms: "alias/aws/sagemaker", extra: `
  data_capture = {
    enabled = true
    s3_uri  = "s3://tfacc-capture/` + name + `/"
  }
`}, "SS-ENC-4"),
			{
				// Alarms that notify nobody, where the guardrails require actions.
				Config: acctest.ProviderConfig("  guardrails {\n    require_alarm_actions = true\n  }\n") +
					cfg{name: name, env: env}.resource(),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`SS-MON-2: alarm \S+ has no actions`),
			},
			{
				// Data capture to a bucket nobody owns: the plan only warns
				// (this apply could create it); the apply refuses it before
				// the model, config or endpoint exist.
				Config: cfg{name: name, env: env, extra: `
  data_capture = {
    enabled = true
    s3_uri  = "s3://` + strings.ToLower(acctest.RandomName("unclaimed")) + `/capture/"
  }
`}.render(),
				ExpectError: regexp.MustCompile(`SS-DATA-2: bucket tfacc-unclaimed-\S+ does not exist`),
			},
		},
	})
	if left := leftovers(t, name); len(left) > 0 {
		t.Errorf("a refused plan created %v", left)
	}
}

// TestAccEndpoint_validation: combinations the schema cannot express are
// refused before any AWS call.
func TestAccEndpoint_validation(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	invalid := func(extra, want string) resource.TestStep {
		return resource.TestStep{
			Config:      cfg{name: name, env: env, extra: extra}.render(),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			invalid(`deployment = { strategy = "canary" }`, `deployment.canary_percent is required`),
			invalid(`deployment = { strategy = "linear", linear_step_percent = 5 }`, `(?s)linear_step_percent.*between 10 and 50`),
			invalid(`deployment = { canary_percent = 10 }`, `applies only to strategy "canary"`),
			invalid(`deployment = { strategy = "linear", linear_step_percent = 10, bake_seconds = 300, max_execution_seconds = 3000 }`,
				`(?s)max_execution_seconds too small.*total 3000 seconds`),
			invalid(`data_capture = { enabled = true }`, `data_capture.s3_uri is required`),
			invalid(`tags = { "sagesafe:endpoint" = "x" }`, `Reserved tag key`),
			invalid(`log_retention_days = 2`, `log_retention_days`),
			invalid(`timeouts { create = "soon" }`, `Invalid Attribute Value Time Duration`),
		},
	})
}

// TestAccEndpoint_driftModelAndLogGroup: a model without network isolation
// and an unencrypted log group, both made outside Terraform, are drift; the
// next apply restores the secure state.
func TestAccEndpoint_driftModelAndLogGroup(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	same := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config:            testAccEndpointConfig_basic(name, env),
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(address, tfjsonpath.New("endpoint_config_name"))},
			},
			{
				PreConfig: func() {
					ctx := context.Background()
					c := acctest.AWS(t)
					ep := describeEndpoint(t, name)
					cur, err := c.SageMaker.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: ep.EndpointConfigName})
					if err != nil {
						t.Fatal(err)
					}
					model, err := c.SageMaker.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: cur.ProductionVariants[0].ModelName})
					if err != nil {
						t.Fatal(err)
					}
					rogue := acctest.RandomName("rogue")
					if _, err := c.SageMaker.CreateModel(ctx, &sagemaker.CreateModelInput{
						ModelName: aws.String(rogue), ExecutionRoleArn: model.ExecutionRoleArn, PrimaryContainer: model.PrimaryContainer,
						VpcConfig: model.VpcConfig, EnableNetworkIsolation: aws.Bool(false),
					}); err != nil {
						t.Fatal(err)
					}
					variants := cur.ProductionVariants[:1]
					variants[0].ModelName = aws.String(rogue)
					if _, err := c.SageMaker.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{
						EndpointConfigName: aws.String(rogue), ProductionVariants: variants, KmsKeyId: cur.KmsKeyId,
					}); err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() {
						_, _ = c.SageMaker.DeleteEndpointConfig(ctx, &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(rogue)})
						_, _ = c.SageMaker.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(rogue)})
					})
					if _, err := c.SageMaker.UpdateEndpoint(ctx, &sagemaker.UpdateEndpointInput{EndpointName: aws.String(name), EndpointConfigName: aws.String(rogue)}); err != nil {
						t.Fatal(err)
					}
					if _, err := c.Logs.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{LogGroupName: aws.String(endpoint.LogGroupPrefix + name)}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             testAccEndpointConfig_basic(name, env),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
			},
			{
				Config: testAccEndpointConfig_basic(name, env),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(address, tfjsonpath.New("endpoint_config_name"))},
				Check:             testAccCheckSecureObjects(t, name, env, true),
			},
		},
	})
}

// TestAccEndpoint_destroyWaitsForENIs: destroy waits until the SageMaker
// network interfaces in the endpoint's subnets are released, so that the
// network can be destroyed next.
func TestAccEndpoint_destroyWaitsForENIs(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	ec2c := acctest.AWS(t).EC2
	ctx := context.Background()
	var eniID string
	done := make(chan struct{})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(s *terraform.State) error {
			// Had destroy not waited, the interface would still be there: it is
			// released a second after the endpoint is gone.
			out, err := ec2c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{
				Filters: []ec2types.Filter{{Name: aws.String("network-interface-id"), Values: []string{eniID}}},
			})
			if err != nil {
				return err
			}
			if len(out.NetworkInterfaces) > 0 {
				return fmt.Errorf("destroy finished before the endpoint's network interface %s was released", eniID)
			}
			<-done
			return testAccCheckEndpointDestroy(t, name, false)(s)
		},
		Steps: []resource.TestStep{{
			Config: testAccEndpointConfig_basic(name, env),
			Check: func(*terraform.State) error {
				// What SageMaker leaves behind for a while after DeleteEndpoint.
				out, err := ec2c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{
					SubnetId: aws.String(env.SubnetIDs[0]), Groups: []string{env.SecurityGroup},
					Description: aws.String("ElasticNetworkInterface for SageMaker endpoint " + name),
				})
				if err != nil {
					return err
				}
				eniID = aws.ToString(out.NetworkInterface.NetworkInterfaceId)
				go func() {
					defer close(done)
					deadline := time.Now().Add(2 * time.Minute)
					for time.Now().Before(deadline) {
						time.Sleep(200 * time.Millisecond)
						if _, err := sm(t).DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)}); notFound(err) {
							break
						}
					}
					time.Sleep(time.Second)
					_, _ = ec2c.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(eniID)})
				}()
				return nil
			},
		}},
	})
}

// TestAccEndpoint_nameTaken: an endpoint of the same name made elsewhere is
// not taken over; what the apply made before finding out is removed.
func TestAccEndpoint_nameTaken(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	ctx := context.Background()
	c := sm(t)
	other := acctest.RandomName("other")
	if _, err := c.CreateModel(ctx, &sagemaker.CreateModelInput{
		ModelName: aws.String(other), ExecutionRoleArn: aws.String(env.RoleARN),
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String(image("c3"))},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{
		EndpointConfigName: aws.String(other),
		ProductionVariants: []smtypes.ProductionVariant{{
			VariantName: aws.String("AllTraffic"), ModelName: aws.String(other),
			InstanceType: smtypes.ProductionVariantInstanceTypeMlM5Xlarge, InitialInstanceCount: aws.Int32(1),
		}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateEndpoint(ctx, &sagemaker.CreateEndpointInput{EndpointName: aws.String(name), EndpointConfigName: aws.String(other)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteEndpoint(ctx, &sagemaker.DeleteEndpointInput{EndpointName: aws.String(name)})
		_, _ = c.DeleteEndpointConfig(ctx, &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(other)})
		_, _ = c.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(other)})
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      testAccEndpointConfig_basic(name, env),
			ExpectError: regexp.MustCompile(`an endpoint named ` + regexp.QuoteMeta(name) + ` already exists`),
		}},
	})
	// Only the foreign endpoint is left; the model, configuration, alarms and
	// log group the apply made are gone.
	left := leftovers(t, name)
	if len(left) != 1 || !strings.HasPrefix(left[0], "endpoint "+name) {
		t.Errorf("left after the refused create: %v", left)
	}
	if ep := describeEndpoint(t, name); aws.ToString(ep.EndpointConfigName) != other {
		t.Errorf("the foreign endpoint was changed: it serves %s", aws.ToString(ep.EndpointConfigName))
	}
}

// TestAccEndpoint_updateConfigFailureLeavesNoModel makes the creation of a
// new version's endpoint configuration fail during an update: the model
// that update had just created serves nothing and must be deleted again,
// so only the serving version's model is left.
func TestAccEndpoint_updateConfigFailureLeavesNoModel(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	inj := &acctest.FaultInjector{}
	createConfig := func(c acctest.Call) bool { return c.Service == "sagemaker" && c.Action == "CreateEndpointConfig" }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: inj.Wrap}),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{Config: testAccEndpointConfig_image(name, env, image("a1"), "")},
			{
				PreConfig:   func() { inj.Fail("InjectedFailure", 1, createConfig) },
				Config:      testAccEndpointConfig_image(name, env, image("b2"), ""),
				ExpectError: regexp.MustCompile(`(?s)Creating the endpoint configuration failed.*InjectedFailure`),
			},
			{
				Config: testAccEndpointConfig_image(name, env, image("a1"), ""),
				Check: func(s *terraform.State) error {
					if inj.Fired() != 1 {
						return fmt.Errorf("the injected failure fired %d times, want 1", inj.Fired())
					}
					serving := s.RootModule().Resources[address].Primary.Attributes["model_name"]
					var models []string
					for _, l := range leftovers(t, name) {
						if m, ok := strings.CutPrefix(l, "model "); ok {
							models = append(models, m)
						}
					}
					if len(models) != 1 || models[0] != serving {
						return fmt.Errorf("models of %s: %v, want only the serving model %s", name, models, serving)
					}
					return nil
				},
			},
		},
	})
}

// routeTableOf returns the route table explicitly associated with a subnet.
func routeTableOf(t *testing.T, subnet string) string {
	t.Helper()
	out, err := acctest.AWS(t).EC2.DescribeRouteTables(context.Background(), &ec2.DescribeRouteTablesInput{
		Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{subnet}}},
	})
	if err != nil || len(out.RouteTables) != 1 {
		t.Fatalf("route table of %s: %v (%d tables)", subnet, err, len(out.RouteTables))
	}
	return aws.ToString(out.RouteTables[0].RouteTableId)
}

// TestAccEndpoint_weakenedSubnetDoesNotDeadlock: a companion provider (for
// example hashicorp/aws, which owns the VPC) adds an internet route to the
// endpoint's subnet. The refresh shows the drift (SS-NET-2 leaves
// `controls`), a plan that leaves the endpoint unchanged still succeeds, so
// the plan that removes the route can be applied, and a new endpoint in that
// subnet is refused with SS-NET-2.
func TestAccEndpoint_weakenedSubnetDoesNotDeadlock(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name, second := acctest.RandomName("ep"), acctest.RandomName("ep2")
	ctx := context.Background()
	c := acctest.AWS(t)
	rt := routeTableOf(t, env.SubnetIDs[0])
	var igw string
	removeRoute := func() error {
		if igw == "" {
			return nil
		}
		if _, err := c.EC2.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: aws.String(rt), DestinationCidrBlock: aws.String("0.0.0.0/0")}); err != nil {
			return err
		}
		err := fixtures.RemoveInternetGateway(ctx, c, igw)
		igw = ""
		return err
	}
	t.Cleanup(func() {
		if err := removeRoute(); err != nil {
			t.Errorf("removing the internet route: %v", err)
		}
	})
	secure := acctest.ControlsWithout("SS-NET-2", "")
	drifted := acctest.ControlsWithout("SS-NET-3", "SS-NET-2")
	config := testAccEndpointConfig_basic(name, env)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			testAccCheckEndpointDestroy(t, name, false), testAccCheckEndpointDestroy(t, second, false)),
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(address, tfjsonpath.New("controls"), secure)},
			},
			{
				// The companion adds the route; the same configuration plans
				// (and applies) with the endpoint unchanged, and the refreshed
				// `controls` no longer lists SS-NET-2.
				PreConfig: func() {
					var err error
					if igw, err = fixtures.AddInternetRoute(ctx, c, env.VPCID, rt); err != nil {
						t.Fatalf("adding an internet route: %v", err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(address, tfjsonpath.New("controls"), drifted),
				}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(address, tfjsonpath.New("controls"), drifted)},
			},
			{
				// A new endpoint in the weakened subnet is refused.
				Config:      config + cfg{label: "second", name: second, env: env}.resource(),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Error: SS-NET-2: [^\n]*\n\s*with sagesafe_endpoint\.second,`),
			},
			{
				// The companion removes the route: the endpoint is as secure
				// as before and the plan is empty.
				PreConfig: func() {
					if err := removeRoute(); err != nil {
						t.Fatalf("removing the internet route: %v", err)
					}
				},
				Config:            config,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(address, tfjsonpath.New("controls"), secure)},
			},
		},
	})
}

// TestAccEndpoint_squattedNames: someone who can create SageMaker objects
// makes them under the endpoint's version names before sagesafe does.
//
//  1. A model (isolated, but in no VPC) and a configuration (no KMS key)
//     under the name anyone could compute from the configuration (the
//     unkeyed hash sagesafe used to show in the plan). The version name is
//     now keyed with the resource's own salt: the endpoint serves its own,
//     secure objects, and the squatter's are left alone.
//  2. After the create, the serving model is deleted out of band and made
//     again under the same name, without the creation token and in no VPC:
//     the next apply refuses it, naming the model, instead of serving it.
func TestAccEndpoint_squattedNames(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	ctx := context.Background()
	c := sm(t)
	guessed := endpoint.UnkeyedVersionName(name, env.RoleARN, image("a1"), map[string]string{"MODEL_SERVER_WORKERS": "2"},
		"ml.m5.xlarge", env.KeyARN, env.SubnetIDs, []string{env.SecurityGroup})
	if _, err := c.CreateModel(ctx, &sagemaker.CreateModelInput{
		ModelName: aws.String(guessed), ExecutionRoleArn: aws.String(env.RoleARN), EnableNetworkIsolation: aws.Bool(true),
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String(image("a1")), Environment: map[string]string{"MODEL_SERVER_WORKERS": "2"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{
		EndpointConfigName: aws.String(guessed),
		ProductionVariants: []smtypes.ProductionVariant{{
			VariantName: aws.String(endpoint.VariantName), ModelName: aws.String(guessed),
			InstanceType: smtypes.ProductionVariantInstanceTypeMlM5Xlarge, InitialInstanceCount: aws.Int32(2), InitialVariantWeight: aws.Float32(1),
		}},
	}); err != nil {
		t.Fatal(err)
	}
	removeSquatted := func() {
		_, _ = c.DeleteEndpointConfig(ctx, &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(guessed)})
		_, _ = c.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(guessed)})
	}
	t.Cleanup(removeSquatted)
	var remade string // the serving model's name, made again by someone else
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(s *terraform.State) error {
			removeSquatted() // the squatter's objects are not the endpoint's to delete
			// Nor is the model made again under the serving version's name:
			// it does not carry the creation token, and survives the destroy.
			if _, err := c.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(remade)}); err != nil {
				return fmt.Errorf("the destroy deleted the model %s it did not create: %w", remade, err)
			}
			if _, err := c.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(remade)}); err != nil {
				return err
			}
			return testAccCheckEndpointDestroy(t, name, false)(s)
		},
		Steps: []resource.TestStep{
			{
				Config: testAccEndpointConfig_basic(name, env),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckSecureObjects(t, name, env, true),
					func(*terraform.State) error {
						if serving := aws.ToString(describeEndpoint(t, name).EndpointConfigName); serving == guessed {
							return fmt.Errorf("the endpoint serves the squatted configuration %s", guessed)
						}
						if _, err := c.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(guessed)}); err != nil {
							return fmt.Errorf("the squatter's model was touched: %v", err)
						}
						return nil
					},
				),
			},
			{
				PreConfig: func() {
					cur, err := c.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: describeEndpoint(t, name).EndpointConfigName})
					if err != nil {
						t.Fatal(err)
					}
					model := cur.ProductionVariants[0].ModelName
					remade = aws.ToString(model)
					if _, err := c.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: model}); err != nil {
						t.Fatal(err)
					}
					if _, err := c.CreateModel(ctx, &sagemaker.CreateModelInput{
						ModelName: model, ExecutionRoleArn: aws.String(env.RoleARN), EnableNetworkIsolation: aws.Bool(true),
						PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String(image("a1")), Environment: map[string]string{"MODEL_SERVER_WORKERS": "2"}},
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      testAccEndpointConfig_basic(name, env),
				ExpectError: regexp.MustCompile(`model ` + regexp.QuoteMeta(name) + `-[0-9a-f]{8} exists and was not created by this resource`),
			},
		},
	})
}

// TestAccEndpoint_importKeepsVersion: an imported endpoint has no name key
// (its salt stayed with the state it was created from). While the settings
// are the ones the refresh read from the live objects, it keeps serving its
// version under the same name, and the first apply claims that version's
// objects with the new creation token; a changed setting rolls to a keyed
// name.
func TestAccEndpoint_importKeepsVersion(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	same := statecheck.CompareValue(compare.ValuesSame())
	tokenOf := func(object string) (string, error) {
		ctx := context.Background()
		m, err := sm(t).DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(object)})
		if err != nil {
			return "", err
		}
		out, err := sm(t).ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: m.ModelArn})
		if err != nil {
			return "", err
		}
		for _, tag := range out.Tags {
			if aws.ToString(tag.Key) == "sagesafe:creation-token" {
				return aws.ToString(tag.Value), nil
			}
		}
		return "", nil
	}
	var firstToken string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config:            testAccEndpointConfig_basic(name, env),
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(address, tfjsonpath.New("endpoint_config_name"))},
				Check: func(s *terraform.State) (err error) {
					firstToken, err = tokenOf(s.RootModule().Resources[address].Primary.Attributes["model_name"])
					if err == nil && firstToken == "" {
						err = fmt.Errorf("the model has no creation token")
					}
					return err
				},
			},
			{
				// Forget the endpoint (and its name key) ...
				Config: acctest.ProviderConfig(fmt.Sprintf("alarm_actions = [%q]", testTopic)) +
					"removed {\n  from = " + address + "\n  lifecycle {\n    destroy = false\n  }\n}\n",
			},
			{
				// ... and import it again.
				Config: testAccEndpointConfig_basic(name, env) + fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", address, name),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate), // retain_logs_on_destroy
				}},
				ConfigStateChecks: []statecheck.StateCheck{same.AddStateValue(address, tfjsonpath.New("endpoint_config_name"))},
				Check: func(s *terraform.State) error {
					token, err := tokenOf(s.RootModule().Resources[address].Primary.Attributes["model_name"])
					if err == nil && (token == "" || token == firstToken) {
						err = fmt.Errorf("the adopted model was not claimed with the new token (token %q, first %q)", token, firstToken)
					}
					return err
				},
			},
			{
				Config: testAccEndpointConfig_image(name, env, image("b2"), ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(address, tfjsonpath.New("endpoint_config_name"), knownvalue.StringRegexp(versionRE(name))),
				}},
				Check: testAccCheckSecureObjects(t, name, env, true),
			},
		},
	})
}
