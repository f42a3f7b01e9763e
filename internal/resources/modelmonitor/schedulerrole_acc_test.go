package modelmonitor_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
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

// TestAccModelMonitor_managedSchedulerRole: without scheduler_role_arn,
// sagesafe makes "<name>-scheduler" (trusted by EventBridge Scheduler for
// this account and schedule only; CreateProcessingJob of the monitor's runs
// only with its settings as IAM conditions) and the schedule runs as it;
// its policy edited and a policy added out of band are drift the next apply
// puts back; import finds it sagesafe's; destroy deletes it (CheckDestroy).
// A role of that name sagesafe did not make is refused, not taken over.
func TestAccModelMonitor_managedSchedulerRole(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon"), managedRole: true}
	role := cfg.name + "-scheduler"
	arn := "arn:aws:iam::" + c.AccountID + ":role/" + role
	squatted := monitorConfig{env: e, name: acctest.RandomName("mon"), managedRole: true}
	otherRegion := monitorConfig{env: e, name: acctest.RandomName("mon"), managedRole: true}
	givenCfg := cfg
	givenCfg.managedRole = false
	givenCfg.schedulerRole = givenSchedulerRole(t, c, givenCfg)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := checkDestroy(c, cfg.name)(s); err != nil {
				return err
			}
			// Refused before anything was created (the squatters' roles are
			// the test's fixtures, removed after it).
			for _, n := range []string{squatted.name, otherRegion.name} {
				if _, err := c.Scheduler.GetSchedule(context.Background(), &scheduler.GetScheduleInput{Name: aws.String(n)}); err == nil {
					return fmt.Errorf("schedule %s was created for a refused monitor", n)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("scheduler_role_arn"), knownvalue.StringExact(arn)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("scheduler_role_managed"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
			},
			Check: resource.ComposeTestCheckFunc(checkSchedulerRole(c, role, cfg.name, e.role), checkScheduleRole(c, cfg.name, arn)),
		}, {
			ResourceName:                         addr,
			ImportState:                          true,
			ImportStateId:                        cfg.name,
			ImportStateVerify:                    true,
			ImportStateVerifyIdentifierAttribute: "name",
		}, {
			// Out of band: the policy widened and an admin policy added.
			PreConfig: func() {
				ctx := context.Background()
				if _, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("sagesafe-monitor-scheduler"),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"}]}`)}); err != nil {
					t.Fatal(err)
				}
				putRolePolicy(t, c, role, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
			},
			Config: cfg.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("drift"), knownvalue.ListExact(nil)),
			},
			Check: checkSchedulerRole(c, role, cfg.name, e.role),
		}, {
			// Switched to a given role: the one sagesafe made is deleted,
			// not left behind.
			Config: givenCfg.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("scheduler_role_managed"), knownvalue.Bool(false)),
			},
			Check: func(*terraform.State) error {
				if _, err := c.IAM.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(role)}); err == nil {
					return fmt.Errorf("role %s is left behind after the monitor switched to a given role", role)
				}
				return nil
			},
		}, {
			// Someone else's role of the name the monitor would make.
			PreConfig: func() {
				acctest.NamedRole(t, squatted.name+"-scheduler",
					`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
			},
			Config:      squatted.hcl(),
			ExpectError: regexp.MustCompile(`(?s)role ` + squatted.name + `-scheduler exists and sagesafe did not create it`),
		}, {
			// A role sagesafe made for the monitor of the same name in
			// another region (IAM is global): not this monitor's.
			PreConfig: func() {
				name := otherRegion.name + "-scheduler"
				acctest.NamedRole(t, name, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
				if _, err := c.IAM.TagRole(context.Background(), &iam.TagRoleInput{RoleName: aws.String(name), Tags: []iamtypes.Tag{
					{Key: aws.String("sagesafe:creation-token"), Value: aws.String("0123456789abcdef")},
					{Key: aws.String("sagesafe:model-monitor"), Value: aws.String("eu-west-1:" + otherRegion.name)},
				}}); err != nil {
					t.Fatal(err)
				}
			},
			Config:      otherRegion.hcl(),
			ExpectError: regexp.MustCompile(`(?s)role ` + otherRegion.name + `-scheduler was made by sagesafe for something else`),
		}},
	})
}

// checkSchedulerRole reads the role sagesafe made from IAM: its trust names
// EventBridge Scheduler for this account and this schedule, and its one
// inline policy lets it start only the monitor's runs, with conditions, and
// pass only the execution role.
func checkSchedulerRole(c *awsclient.Client, role, monitor, execRole string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		got, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
		if err != nil {
			return err
		}
		trust, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
		for _, want := range []string{"scheduler.amazonaws.com", `"aws:SourceAccount":"` + c.AccountID + `"`, "schedule/default/" + monitor} {
			if !strings.Contains(trust, want) {
				return fmt.Errorf("trust of %s lacks %s: %s", role, want, trust)
			}
		}
		policies, err := c.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
		if err != nil {
			return err
		}
		if len(policies.PolicyNames) != 1 || policies.PolicyNames[0] != "sagesafe-monitor-scheduler" {
			return fmt.Errorf("role %s has inline policies %v, want only sagesafe-monitor-scheduler", role, policies.PolicyNames)
		}
		doc, err := c.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("sagesafe-monitor-scheduler")})
		if err != nil {
			return err
		}
		policy, _ := url.QueryUnescape(aws.ToString(doc.PolicyDocument))
		for _, want := range []string{"processing-job/" + monitor + "-*", `"sagemaker:NetworkIsolation":"true"`, execRole} {
			if !strings.Contains(policy, want) {
				return fmt.Errorf("policy of %s lacks %s: %s", role, want, policy)
			}
		}
		return nil
	}
}

// checkScheduleRole: the schedule's target runs as role.
func checkScheduleRole(c *awsclient.Client, name, role string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, err := c.Scheduler.GetSchedule(context.Background(), &scheduler.GetScheduleInput{Name: aws.String(name)})
		if err != nil {
			return err
		}
		if got := aws.ToString(s.Target.RoleArn); got != role {
			return fmt.Errorf("schedule %s runs as %s, want %s", name, got, role)
		}
		return nil
	}
}

// TestAccModelMonitor_squattedScheduleRefused: a schedule of the monitor's
// name that sagesafe did not create (no creation token in its description)
// is refused, named, and left as it was; a killed apply's own schedule is
// taken up instead (internal/acctest/killed, kill point
// scheduler:CreateSchedule).
func TestAccModelMonitor_squattedScheduleRefused(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon")}
	ctx := context.Background()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			s, err := c.Scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(cfg.name)})
			if err != nil {
				return fmt.Errorf("the squatter's schedule is gone: %w", err)
			}
			if got := aws.ToString(s.Target.Arn); got != "arn:aws:sqs:us-east-1:"+c.AccountID+":elsewhere" {
				return fmt.Errorf("the squatter's schedule was changed: its target is %s", got)
			}
			_, err = c.Scheduler.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(cfg.name)})
			return err
		},
		Steps: []resource.TestStep{{
			PreConfig: func() {
				if _, err := c.Scheduler.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
					Name: aws.String(cfg.name), ScheduleExpression: aws.String("rate(1 hour)"),
					FlexibleTimeWindow: &schtypes.FlexibleTimeWindow{Mode: schtypes.FlexibleTimeWindowModeOff},
					Target:             &schtypes.Target{Arn: aws.String("arn:aws:sqs:us-east-1:" + c.AccountID + ":elsewhere"), RoleArn: aws.String(acctest.Role(t, schedulerTrust(c.AccountID)))},
				}); err != nil {
					t.Fatal(err)
				}
			},
			Config:      cfg.hcl(),
			ExpectError: regexp.MustCompile(`(?s)schedule ` + cfg.name + ` already exists and was not created by this apply\s+\(it carries no sagesafe creation token\)`),
		}},
	})
}

// TestAccModelMonitor_namesThatCollide: a feature name with "-", or named
// "silent" or "quality", would give this monitor an alarm or filter name
// another monitor has (monitor "churn" with feature "drift-x" and monitor
// "churn-drift" with feature "x"); a drift threshold of 1 is an alarm that
// can never fire. Each is refused at validation.
func TestAccModelMonitor_namesThatCollide(t *testing.T) {
	e := makeEnv(t, true)
	name := acctest.RandomName("mon")
	refuse := func(m monitorConfig, want string) resource.TestStep {
		m.env, m.name = e, name
		return resource.TestStep{Config: m.hcl(), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			refuse(monitorConfig{features: `["drift-x"]`}, `(?s)features.*no '-'`),
			refuse(monitorConfig{features: `["age", "silent"]`}, `(?s)features.*silent`),
			refuse(monitorConfig{threshold: "1"}, `(?s)drift_threshold.*between`),
		},
	})
}
