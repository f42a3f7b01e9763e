package modelmonitor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
)

// heldControls are held by a compliant monitor on the emulator.
var heldControls = []knownvalue.Check{
	knownvalue.StringExact("SS-MON-7"), knownvalue.StringExact("SS-NET-4"), knownvalue.StringExact("SS-ENC-1"),
	knownvalue.StringExact("SS-ENC-3"), knownvalue.StringExact("SS-GOV-3"), knownvalue.StringExact("SS-MON-1"),
}

// liveInput is the schedule's target input, decoded.
func liveInput(c *awsclient.Client, name string) (*scheduler.GetScheduleOutput, map[string]any, error) {
	s, err := c.Scheduler.GetSchedule(context.Background(), &scheduler.GetScheduleInput{Name: aws.String(name)})
	if err != nil {
		return nil, nil, err
	}
	var in map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(s.Target.Input)), &in); err != nil {
		return nil, nil, err
	}
	return s, in, nil
}

// checkSchedule checks the live schedule: expression, target, and the forced
// settings of the run it starts.
func checkSchedule(c *awsclient.Client, e env, name, expression string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, in, err := liveInput(c, name)
		if err != nil {
			return err
		}
		if got := aws.ToString(s.ScheduleExpression); got != expression {
			return fmt.Errorf("schedule expression %s, want %s", got, expression)
		}
		if aws.ToString(s.Target.Arn) != "arn:aws:scheduler:::aws-sdk:sagemaker:createProcessingJob" || !strings.HasSuffix(aws.ToString(s.Target.RoleArn), ":role/"+name+"-scheduler") ||
			s.State != schtypes.ScheduleStateEnabled || s.FlexibleTimeWindow.Mode != schtypes.FlexibleTimeWindowModeOff {
			return fmt.Errorf("schedule target or state: %+v %+v", s.Target, s.State)
		}
		nc := in["NetworkConfig"].(map[string]any)
		if nc["EnableNetworkIsolation"] != true || nc["EnableInterContainerTrafficEncryption"] != true {
			return fmt.Errorf("network config %v", nc)
		}
		if in["ProcessingJobName"] != name+"-<aws.scheduler.execution-id>" || in["RoleArn"] != e.role {
			return fmt.Errorf("job name %v, role %v", in["ProcessingJobName"], in["RoleArn"])
		}
		if k := in["ProcessingOutputConfig"].(map[string]any)["KmsKeyId"]; k != e.key {
			return fmt.Errorf("output key %v", k)
		}
		capture := in["ProcessingInputs"].([]any)[0].(map[string]any)["S3Input"].(map[string]any)["S3Uri"]
		if capture != "s3://"+e.bucket+"/capture/"+e.endpoint+"/" {
			return fmt.Errorf("capture input %v", capture)
		}
		return nil
	}
}

func checkAlarm(c *awsclient.Client, alarm string, threshold float64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		al, err := c.CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarm}})
		if err != nil {
			return err
		}
		if len(al.MetricAlarms) != 1 || aws.ToFloat64(al.MetricAlarms[0].Threshold) != threshold {
			return fmt.Errorf("alarm %s: %+v, want threshold %g", alarm, al.MetricAlarms, threshold)
		}
		return nil
	}
}

// TestAccModelMonitor_basic: the Scheduler engine created with every forced
// setting and its alarms, updated (schedule, threshold), imported, restored
// after drift (target input weakened, schedule disabled, an alarm deleted,
// the schedule deleted) and destroyed.
func TestAccModelMonitor_basic(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon")}
	updated := cfg
	updated.schedule, updated.threshold = "rate(2 hours)", "0.3"
	names := alarmNames(cfg.name)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, cfg.name),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check:  resource.ComposeTestCheckFunc(checkSchedule(c, e, cfg.name, "rate(1 hour)"), checkAlarm(c, names[0], 0.2)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.MapExact(map[string]knownvalue.Check{
					"drift/age": knownvalue.StringExact(names[0]), "drift/income": knownvalue.StringExact(names[1]), "silent": knownvalue.StringExact(names[2]),
				})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial(heldControls)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("capture_s3_uri"), knownvalue.StringExact("s3://"+e.bucket+"/capture")),
			},
		}, {
			Config: updated.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: resource.ComposeTestCheckFunc(checkSchedule(c, e, cfg.name, "rate(2 hours)"), checkAlarm(c, names[1], 0.3)),
		}, {
			ResourceName:                         addr,
			ImportState:                          true,
			ImportStateId:                        cfg.name,
			ImportStateVerify:                    true,
			ImportStateVerifyIdentifierAttribute: "name",
		}, {
			// Drift: network isolation turned off in the target input and
			// the schedule disabled, out of band.
			PreConfig: func() { weakenSchedule(t, c, cfg.name, "") },
			Config:    updated.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: checkSchedule(c, e, cfg.name, "rate(2 hours)"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial(heldControls)),
			},
		}, {
			// Drift: an end date, a start date and a time zone set out of
			// band (each stops or shifts the runs) are cleared.
			PreConfig: func() { retimeSchedule(t, c, cfg.name) },
			Config:    updated.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: resource.ComposeTestCheckFunc(checkSchedule(c, e, cfg.name, "rate(2 hours)"), checkUntimed(c, cfg.name)),
		}, {
			// Drift: the silent alarm deleted out of band is put back.
			PreConfig: func() {
				if _, err := c.CloudWatch.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{names[2]}}); err != nil {
					t.Fatal(err)
				}
			},
			Config: updated.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: checkAlarm(c, names[2], 1),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(3)),
			},
		}, {
			// Drift: the schedule deleted out of band is created again.
			PreConfig: func() {
				if _, err := c.Scheduler.DeleteSchedule(context.Background(), &scheduler.DeleteScheduleInput{Name: aws.String(cfg.name)}); err != nil {
					t.Fatal(err)
				}
			},
			Config: updated.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
			}},
			Check: checkSchedule(c, e, cfg.name, "rate(2 hours)"),
		}},
	})
}

// weakenSchedule turns off network isolation in the schedule's input,
// disables it and deletes alarm (unless ""), with the SDK.
func weakenSchedule(t *testing.T, c *awsclient.Client, name, alarm string) {
	t.Helper()
	ctx := context.Background()
	s, in, err := liveInput(c, name)
	if err != nil {
		t.Fatal(err)
	}
	in["NetworkConfig"].(map[string]any)["EnableNetworkIsolation"] = false
	raw, _ := json.Marshal(in)
	s.Target.Input = aws.String(string(raw))
	if _, err := c.Scheduler.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{Name: s.Name, ScheduleExpression: s.ScheduleExpression,
		FlexibleTimeWindow: s.FlexibleTimeWindow, Target: s.Target, Description: s.Description, State: schtypes.ScheduleStateDisabled}); err != nil {
		t.Fatal(err)
	}
	if alarm == "" {
		return
	}
	if _, err := c.CloudWatch.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{alarm}}); err != nil {
		t.Fatal(err)
	}
}

// retimeSchedule gives the schedule a start date, an end date and a time
// zone, with the SDK.
func retimeSchedule(t *testing.T, c *awsclient.Client, name string) {
	t.Helper()
	s, _, err := liveInput(c, name)
	if err != nil {
		t.Fatal(err)
	}
	start, end := time.Now().Add(24*time.Hour).UTC(), time.Now().Add(48*time.Hour).UTC()
	if _, err := c.Scheduler.UpdateSchedule(context.Background(), &scheduler.UpdateScheduleInput{Name: s.Name, ScheduleExpression: s.ScheduleExpression,
		FlexibleTimeWindow: s.FlexibleTimeWindow, Target: s.Target, Description: s.Description, State: s.State,
		StartDate: &start, EndDate: &end, ScheduleExpressionTimezone: aws.String("Europe/Paris")}); err != nil {
		t.Fatal(err)
	}
}

// checkUntimed checks that the schedule has no start or end date and runs
// in UTC.
func checkUntimed(c *awsclient.Client, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, _, err := liveInput(c, name)
		if err != nil {
			return err
		}
		if s.StartDate != nil || s.EndDate != nil || aws.ToString(s.ScheduleExpressionTimezone) != "UTC" {
			return fmt.Errorf("schedule start %v, end %v, time zone %q: want none, none, UTC", s.StartDate, s.EndDate, aws.ToString(s.ScheduleExpressionTimezone))
		}
		return nil
	}
}

// TestAccModelMonitor_refusesEndpointWithoutCapture: a monitor of an
// endpoint that does not capture is refused with SS-MON-7 at plan, and
// nothing (schedule, alarms) is created.
func TestAccModelMonitor_refusesEndpointWithoutCapture(t *testing.T) {
	e := makeEnv(t, false)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon")}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, cfg.name),
		Steps: []resource.TestStep{{
			Config:      cfg.hcl(),
			ExpectError: regexp.MustCompile(`SS-MON-7`),
		}, {
			// The same with the Model Monitor engine.
			Config:      monitorConfig{env: e, name: cfg.name, engine: "model_monitor"}.hcl(),
			ExpectError: regexp.MustCompile(`SS-MON-7`),
		}},
	})
}

// TestAccModelMonitor_refusesCaptureItCannotUse: capture that is on but of
// no use to a monitor, or into a bucket the monitor may not read, is
// refused before anything is created: a 0% sampling (SS-MON-7), and
// captures written to another account's bucket (SS-DATA-2: the capture
// bucket is one of the monitor's inputs, judged like the baseline's).
func TestAccModelMonitor_refusesCaptureItCannotUse(t *testing.T) {
	e := makeEnv(t, false)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon")}
	theirs := acctest.BucketInAccount(t, "999999999999", e.key)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, cfg.name),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				dc := captureConfig(e)
				dc.InitialSamplingPercentage = aws.Int32(0)
				useCapture(t, c, e, dc)
			},
			Config:      cfg.hcl(),
			ExpectError: regexp.MustCompile(`SS-MON-7[\s\S]*captures\s+none`),
		}, {
			PreConfig: func() {
				dc := captureConfig(e)
				dc.DestinationS3Uri = aws.String("s3://" + theirs + "/capture")
				useCapture(t, c, e, dc)
			},
			Config:      cfg.hcl(),
			ExpectError: regexp.MustCompile(`SS-DATA-2[\s\S]*` + theirs),
		}, {
			// The same with the Model Monitor engine.
			Config:      monitorConfig{env: e, name: cfg.name, engine: "model_monitor"}.hcl(),
			ExpectError: regexp.MustCompile(`SS-DATA-2[\s\S]*` + theirs),
		}},
	})
}

// TestAccModelMonitor_captureTurnedOff: capture turned off after the
// monitor was created drops SS-MON-7 from controls on refresh; a plan that
// would change the monitor is then refused; turning capture on again
// restores it.
func TestAccModelMonitor_captureTurnedOff(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon")}
	updated := cfg
	updated.threshold = "0.5"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, cfg.name),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
		}, {
			PreConfig:    func() { switchCapture(t, c, e, false) },
			RefreshState: true,
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(addr, "control_states.SS-MON-7", "failed"),
				resource.TestCheckTypeSetElemAttr(addr, "controls.*", "SS-NET-4"),
				func(s *terraform.State) error {
					for k, v := range s.RootModule().Resources[addr].Primary.Attributes {
						if v == "SS-MON-7" && k != "control_states.SS-MON-7" {
							return fmt.Errorf("%s still holds SS-MON-7", k)
						}
					}
					return nil
				},
			),
		}, {
			// Unchanged, the plan goes on with the finding as a warning
			// (what repairs the endpoint may be in the same plan).
			Config: cfg.hcl(),
		}, {
			// A change to the monitor is refused until capture is on again.
			Config:      updated.hcl(),
			ExpectError: regexp.MustCompile(`SS-MON-7`),
		}, {
			PreConfig: func() { switchCapture(t, c, e, true) },
			Config:    cfg.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial(heldControls)),
			},
		}},
	})
}

// TestAccModelMonitor_lostAnswers: the answers of CreateSchedule,
// UpdateSchedule, DeleteSchedule, PutMetricFilter and DeleteMetricFilter,
// and of the managed scheduler role's CreateRole, PutRolePolicy and
// DeleteRole, are lost once each; the monitor and its role are created
// once (found by their tokens), updated and destroyed all the same.
func TestAccModelMonitor_lostAnswers(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon")}
	updated := cfg
	updated.threshold = "0.4"
	actions := []string{"scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "logs:PutMetricFilter", "logs:DeleteMetricFilter",
		"iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRole"}
	l := acctest.LoseFirstAnswers(t, actions...)
	lost := func(action string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if n := l.Lost(action); n != 1 {
				return fmt.Errorf("the answer of %s was lost %d times, want 1", action, n)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy: resource.ComposeTestCheckFunc(checkDestroy(c, cfg.name), lost("scheduler:DeleteSchedule"),
			lost("logs:DeleteMetricFilter"), lost("iam:DeleteRole")),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check: resource.ComposeTestCheckFunc(lost("scheduler:CreateSchedule"), checkSchedule(c, e, cfg.name, "rate(1 hour)"),
				lost("logs:PutMetricFilter"), checkFilters(c, cfg.name, ageIncomeFilters),
				lost("iam:CreateRole"), lost("iam:PutRolePolicy")),
		}, {
			Config: updated.hcl(),
			Check:  resource.ComposeTestCheckFunc(lost("scheduler:UpdateSchedule"), checkAlarm(c, alarmNames(cfg.name)[0], 0.4)),
		}, {
			// Drift restored by UpdateSchedule (a lost answer is retried).
			PreConfig: func() { weakenSchedule(t, c, cfg.name, alarmNames(cfg.name)[2]) },
			Config:    updated.hcl(),
			Check:     checkSchedule(c, e, cfg.name, "rate(1 hour)"),
		}},
	})
}

// TestAccModelMonitor_modelMonitorEngine: the Model Monitor engine: a
// DataQuality monitoring schedule with the forced settings, updated,
// imported as model_monitor/<name>, restored after drift (config weakened
// and the schedule stopped out of band) and destroyed.
func TestAccModelMonitor_modelMonitorEngine(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon"), engine: "model_monitor"}
	updated := cfg
	updated.schedule, updated.threshold = "cron(0 3 ? * * *)", "0.3"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, cfg.name),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check: resource.ComposeTestCheckFunc(checkMonitoringSchedule(c, e, cfg.name, "cron(0 * ? * * *)"), checkAlarm(c, alarmNames(cfg.name)[0], 0.2),
				checkNoFilters(c, cfg.name), checkRunsLogGroup(c)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial(heldControls)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(3)),
			},
		}, {
			Config: updated.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: resource.ComposeTestCheckFunc(checkMonitoringSchedule(c, e, cfg.name, "cron(0 3 ? * * *)"), checkAlarm(c, alarmNames(cfg.name)[1], 0.3)),
		}, {
			ResourceName:                         addr,
			ImportState:                          true,
			ImportStateId:                        "model_monitor/" + cfg.name,
			ImportStateVerify:                    true,
			ImportStateVerifyIdentifierAttribute: "name",
		}, {
			PreConfig: func() { weakenMonitoringSchedule(t, c, cfg.name) },
			Config:    updated.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: checkMonitoringSchedule(c, e, cfg.name, "cron(0 3 ? * * *)"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial(heldControls)),
			},
		}},
	})
}

// checkMonitoringSchedule checks the live monitoring schedule's forced
// settings.
func checkMonitoringSchedule(c *awsclient.Client, e env, name, expression string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := c.SageMaker.DescribeMonitoringSchedule(context.Background(), &sagemaker.DescribeMonitoringScheduleInput{MonitoringScheduleName: aws.String(name)})
		if err != nil {
			return err
		}
		cfg := out.MonitoringScheduleConfig
		d := cfg.MonitoringJobDefinition
		switch {
		case aws.ToString(cfg.ScheduleConfig.ScheduleExpression) != expression:
			return fmt.Errorf("schedule %s, want %s", aws.ToString(cfg.ScheduleConfig.ScheduleExpression), expression)
		case out.MonitoringScheduleStatus == smtypes.ScheduleStatusStopped:
			return fmt.Errorf("schedule is stopped")
		case !aws.ToBool(d.NetworkConfig.EnableNetworkIsolation) || !aws.ToBool(d.NetworkConfig.EnableInterContainerTrafficEncryption):
			return fmt.Errorf("network config %+v", d.NetworkConfig)
		case aws.ToString(d.MonitoringOutputConfig.KmsKeyId) != e.key || aws.ToString(d.MonitoringResources.ClusterConfig.VolumeKmsKeyId) != e.key:
			return fmt.Errorf("keys not set")
		case aws.ToString(d.MonitoringInputs[0].EndpointInput.EndpointName) != e.endpoint || aws.ToString(d.RoleArn) != e.role:
			return fmt.Errorf("endpoint or role")
		}
		return nil
	}
}

// weakenMonitoringSchedule turns off inter-container encryption and stops
// the schedule, with the SDK.
func weakenMonitoringSchedule(t *testing.T, c *awsclient.Client, name string) {
	t.Helper()
	ctx := context.Background()
	out, err := c.SageMaker.DescribeMonitoringSchedule(ctx, &sagemaker.DescribeMonitoringScheduleInput{MonitoringScheduleName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := out.MonitoringScheduleConfig
	cfg.MonitoringJobDefinition.NetworkConfig.EnableInterContainerTrafficEncryption = aws.Bool(false)
	if _, err := c.SageMaker.UpdateMonitoringSchedule(ctx, &sagemaker.UpdateMonitoringScheduleInput{MonitoringScheduleName: aws.String(name), MonitoringScheduleConfig: cfg}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SageMaker.StopMonitoringSchedule(ctx, &sagemaker.StopMonitoringScheduleInput{MonitoringScheduleName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

// TestAccModelMonitor_lostAnswersModelMonitor: the answers of
// CreateMonitoringSchedule, UpdateMonitoringSchedule,
// StartMonitoringSchedule and DeleteMonitoringSchedule are lost once each;
// the schedule is created once (found by its token tag), restored and
// destroyed all the same.
func TestAccModelMonitor_lostAnswersModelMonitor(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon"), engine: "model_monitor"}
	actions := []string{"sagemaker:CreateMonitoringSchedule", "sagemaker:UpdateMonitoringSchedule", "sagemaker:StartMonitoringSchedule", "sagemaker:DeleteMonitoringSchedule"}
	l := acctest.LoseFirstAnswers(t, actions...)
	lost := func(action string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if n := l.Lost(action); n != 1 {
				return fmt.Errorf("the answer of %s was lost %d times, want 1", action, n)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy:             resource.ComposeTestCheckFunc(checkDestroy(c, cfg.name), lost("sagemaker:DeleteMonitoringSchedule")),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check:  resource.ComposeTestCheckFunc(lost("sagemaker:CreateMonitoringSchedule"), checkMonitoringSchedule(c, e, cfg.name, "cron(0 * ? * * *)")),
		}, {
			PreConfig: func() { weakenMonitoringSchedule(t, c, cfg.name) },
			Config:    cfg.hcl(),
			Check: resource.ComposeTestCheckFunc(lost("sagemaker:UpdateMonitoringSchedule"), lost("sagemaker:StartMonitoringSchedule"),
				checkMonitoringSchedule(c, e, cfg.name, "cron(0 * ? * * *)")),
		}},
	})
}

// TestAccModelMonitor_refusesBroadSchedulerRole: a given scheduler role
// trusted by another service, allowed to pass any role, or allowed to start
// processing jobs without the monitor's settings as IAM conditions (what
// looked scoped before the red-team review: CreateProcessingJob and AddTags
// on "*", PassRole of the execution role) is refused at plan, and nothing
// is created. A given role holding exactly the policy sagesafe renders is
// used as it is (scheduler_role_managed false).
func TestAccModelMonitor_refusesBroadSchedulerRole(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	lambdaTrusted := e
	lambdaTrusted.schedulerRole = acctest.Role(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	passesAny := e
	passesAny.schedulerRole = acctest.Role(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	putRolePolicy(t, c, passesAny.schedulerRole[strings.LastIndex(passesAny.schedulerRole, "/")+1:],
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sagemaker:CreateProcessingJob","iam:PassRole"],"Resource":"*"}]}`)
	unconditioned := e
	unconditioned.schedulerRole = acctest.Role(t, schedulerTrust(c.AccountID))
	putRolePolicy(t, c, unconditioned.schedulerRole[strings.LastIndex(unconditioned.schedulerRole, "/")+1:],
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sagemaker:CreateProcessingJob","sagemaker:AddTags"],"Resource":"*"},`+
			`{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+e.role+`"}]}`)
	name := acctest.RandomName("mon")
	given := monitorConfig{env: e, name: name}
	given.schedulerRole = givenSchedulerRole(t, c, given)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, name),
		Steps: []resource.TestStep{{
			Config:      monitorConfig{env: unconditioned, name: name}.hcl(),
			ExpectError: regexp.MustCompile(`(?s)scheduler role is not scoped.*is not the policy sagesafe renders`),
		}, {
			Config:      monitorConfig{env: lambdaTrusted, name: name}.hcl(),
			ExpectError: regexp.MustCompile(`(?s)scheduler role is not scoped.*lambda\.amazonaws\.com`),
		}, {
			Config:      monitorConfig{env: passesAny, name: name}.hcl(),
			ExpectError: regexp.MustCompile(`(?s)scheduler role is not scoped.*iam:PassRole on \*`),
		}, {
			Config: given.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("scheduler_role_arn"), knownvalue.StringExact(given.schedulerRole)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("scheduler_role_managed"), knownvalue.Bool(false)),
			},
		}},
	})
}
