package trainingjob_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// jobsOwnedAs counts the training jobs whose names contain name and that
// carry sagesafe's owner tag for name.
func jobsOwnedAs(ctx context.Context, c *awsclient.Client, name string) (int, error) {
	out, err := c.SageMaker.ListTrainingJobs(ctx, &sagemaker.ListTrainingJobsInput{NameContains: aws.String(name)})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range out.TrainingJobSummaries {
		tags, err := c.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: s.TrainingJobArn})
		if err != nil {
			return 0, err
		}
		for _, t := range tags.Tags {
			if aws.ToString(t.Key) == "sagesafe:training-job" && aws.ToString(t.Value) == name {
				n++
			}
		}
	}
	return n, nil
}

// TestAccTrainingJob_killedApplyAdopted: an apply is killed right after
// CreateTrainingJob reached SageMaker, before Terraform saved the state; its
// creation token is gone with it. The next apply finds the job under the
// configured name, with sagesafe's token and owner tags and exactly the
// planned settings, and records it instead of failing on the taken name
// (or starting a second job). Destroy releases it (the owner tag goes).
func TestAccTrainingJob_killedApplyAdopted(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	ctx := context.Background()
	name := acctest.RandomName("killed")
	k := &acctest.Killer{Action: "sagemaker:CreateTrainingJob"}
	config := testAccTrainingJobConfig_named(e, name, "")
	var arn string
	resource.Test(t, resource.TestCase{
		PreCheck: func() { acctest.PreCheck(t) },
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
			func(*terraform.State) error {
				if n, err := jobsOwnedAs(ctx, c, name); err != nil || n != 0 {
					return fmt.Errorf("after destroy %d jobs still carry the owner tag (%v)", n, err)
				}
				return nil
			},
		),
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: k.Wrap}),
				Config:                   config,
				ExpectError:              regexp.MustCompile(`AccessDenied`),
			},
			{
				PreConfig: func() {
					if !k.Done() {
						t.Fatal("the first apply was not killed after CreateTrainingJob")
					}
					job, err := describe(ctx, c, name)
					if err != nil {
						t.Fatalf("the killed apply left no job: %v", err)
					}
					arn = aws.ToString(job.TrainingJobArn)
					tags, err := c.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: job.TrainingJobArn})
					if err != nil || !hasTag(tags.Tags, idem.TokenTag) {
						t.Fatalf("the killed apply's job does not carry the creation token (%v)", err)
					}
				},
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Config:                   config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Completed")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(addr, "arn", &arn),
					testAccCheckForcedSettings(c, e, true, 2),
					func(*terraform.State) error {
						if n, err := jobsOwnedAs(ctx, c, name); err != nil || n != 1 {
							return fmt.Errorf("want exactly one job of resource %s, have %d (%v)", name, n, err)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccTrainingJob_unreadableRightAfterCreate: the first reads after
// CreateTrainingJob fail (SageMaker does not show the job yet). The apply
// retries them and succeeds; the job is not tainted, so the next plan is
// empty instead of replacing (re-running) the training.
func TestAccTrainingJob_unreadableRightAfterCreate(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("lag")
	d := &acctest.ReadErrors{Create: "sagemaker:CreateTrainingJob", Read: "sagemaker:DescribeTrainingJob",
		Code: "ValidationException", Message: "Requested resource not found.", Left: 2}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: d.Wrap}),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{{
			Config: testAccTrainingJobConfig_named(e, name, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Completed")),
			},
			Check: func(s *terraform.State) error {
				failed := d.Failed()
				if failed != 2 {
					return fmt.Errorf("the test failed %d reads after the create, want 2", failed)
				}
				if rs := s.RootModule().Resources[addr]; rs == nil || rs.Primary.Tainted {
					return fmt.Errorf("%s is missing or tainted", addr)
				}
				if n, err := jobsOwnedAs(context.Background(), c, name); err != nil || n != 1 {
					return fmt.Errorf("want one job, have %d (%v)", n, err)
				}
				return nil
			},
		}},
	})
}

func hasTag(tags []smtypes.Tag, key string) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return true
		}
	}
	return false
}

// TestAccTrainingJob_killedApplyWithPrefixResumed: as
// TestAccTrainingJob_killedApplyAdopted, but the name comes from
// name_prefix, so the next apply generates another name. It must find the
// running job of the killed apply by the tags Create wrote (prefix, owner,
// token) and its planned settings, and record it instead of starting a
// second, billed job.
func TestAccTrainingJob_killedApplyWithPrefixResumed(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	ctx := context.Background()
	prefix := acctest.RandomName("kp") + "-"
	mergeBehaviour(t, map[string]any{"training_in_progress_by_name": map[string]any{prefix + "*": 600}, "training_stopping_seconds": 1})
	k := &acctest.Killer{Action: "sagemaker:CreateTrainingJob"}
	config := testAccTrainingJobConfig_prefixed(e, prefix, "wait_for_completion = false")
	running := func() ([]string, error) {
		out, err := c.SageMaker.ListTrainingJobs(ctx, &sagemaker.ListTrainingJobsInput{NameContains: aws.String(prefix)})
		if err != nil {
			return nil, err
		}
		var names []string
		for _, s := range out.TrainingJobSummaries {
			if strings.HasPrefix(aws.ToString(s.TrainingJobName), prefix) && s.TrainingJobStatus == smtypes.TrainingJobStatusInProgress {
				names = append(names, aws.ToString(s.TrainingJobName))
			}
		}
		return names, nil
	}
	var first []string
	resource.Test(t, resource.TestCase{
		PreCheck:     func() { acctest.PreCheck(t) },
		CheckDestroy: testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusStopped),
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: k.Wrap}),
				Config:                   config,
				ExpectError:              regexp.MustCompile(`AccessDenied`),
			},
			{
				PreConfig: func() {
					var err error
					if first, err = running(); err != nil || len(first) != 1 || !k.Done() {
						t.Fatalf("the killed apply should have left one running job, have %v (%v, killed %v)", first, err, k.Done())
					}
				},
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Config:                   config,
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						names, err := running()
						if err != nil || len(names) != 1 || names[0] != first[0] {
							return fmt.Errorf("running jobs %v after the second apply, want only %v (%v)", names, first, err)
						}
						return nil
					},
					func(s *terraform.State) error { return resource.TestCheckResourceAttr(addr, "name", first[0])(s) },
				),
			},
		},
	})
}
