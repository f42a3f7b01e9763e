package trainingjob_test

import (
	"context"
	"fmt"
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
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// trainingJobs lists the ARNs of the training jobs whose names contain name.
func trainingJobs(c *awsclient.Client) func(context.Context, string) ([]*string, error) {
	return func(ctx context.Context, name string) ([]*string, error) {
		out, err := c.SageMaker.ListTrainingJobs(ctx, &sagemaker.ListTrainingJobsInput{NameContains: aws.String(name)})
		if err != nil {
			return nil, err
		}
		var arns []*string
		for _, s := range out.TrainingJobSummaries {
			arns = append(arns, s.TrainingJobArn)
		}
		return arns, nil
	}
}

// TestAccTrainingJob_killedApplyAdopted: an apply is killed right after
// CreateTrainingJob reached SageMaker, before Terraform saved the state
// (acctest.RunKilledApplyAdopted): the next apply records the job it left.
func TestAccTrainingJob_killedApplyAdopted(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("killed")
	acctest.RunKilledApplyAdopted(t, acctest.KilledJob{
		Action: "sagemaker:CreateTrainingJob", Addr: addr, Name: name, Config: testAccTrainingJobConfig_named(e, name, ""),
		OwnerTag: "sagesafe:training-job", Status: "Completed", Jobs: trainingJobs(c),
		Forced: testAccCheckForcedSettings(c, e, true, 2), CheckDestroy: testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
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
				if arns, err := trainingJobs(c)(context.Background(), name); err != nil || len(arns) != 1 {
					return fmt.Errorf("want one job, have %d (%v)", len(arns), err)
				}
				return nil
			},
		}},
	})
}
