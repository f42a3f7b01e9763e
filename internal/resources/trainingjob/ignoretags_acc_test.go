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
)

// TestAccTrainingJob_ignoredTagIsNotDrift: a tag added to the job outside
// Terraform under the provider's ignore_tags is not drift (the plan is
// empty, tags_all leaves it out), and a tag update in place (SyncTags) does
// not remove it.
func TestAccTrainingJob_ignoredTagIsNotDrift(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("ignore")
	config := func(team string) string {
		return jobConfig{env: e, nameLine: fmt.Sprintf("name = %q", name), extra: fmt.Sprintf("tags = { team = %q }", team),
			provider: "  ignore_tags {\n    keys = [\"ops-owner\"]\n  }"}.render(acctest.ProviderConfig)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{
			{Config: config("ml")},
			{
				PreConfig: func() {
					ctx := context.Background()
					job, err := describe(ctx, c, name)
					if err == nil {
						_, err = c.SageMaker.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: job.TrainingJobArn,
							Tags: []smtypes.Tag{{Key: aws.String("ops-owner"), Value: aws.String("alice")}}})
					}
					if err != nil {
						t.Fatal(err)
					}
				},
				Config:           config("ml"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: config("ai"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("ai")})),
				},
				Check: func(*terraform.State) error {
					ctx := context.Background()
					job, err := describe(ctx, c, name)
					if err != nil {
						return err
					}
					tags, err := c.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: job.TrainingJobArn})
					if err != nil {
						return err
					}
					got := map[string]string{}
					for _, tg := range tags.Tags {
						got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
					}
					if got["ops-owner"] != "alice" || got["team"] != "ai" {
						return fmt.Errorf("job tags %v: want team=ai and the ignored ops-owner=alice kept", got)
					}
					return nil
				},
			},
		},
	})
}
