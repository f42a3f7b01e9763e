package executionrole_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// TestAccExecutionRole_ignoredTagIsNotDrift: a tag added outside Terraform
// under the provider's ignore_tags is not drift (the plan is empty), and a
// tag update in place (iamrole's reconcile, shared by execution and persona
// roles) does not remove it.
func TestAccExecutionRole_ignoredTagIsNotDrift(t *testing.T) {
	name := acctest.RandomName("ignore")
	in := trainingInputs(t, name)
	in.providerExtra = `
  ignore_tags {
    key_prefixes = ["ops:"]
  }`
	updated := in
	updated.extraTags = "    stage = \"prod\"\n"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: in.hcl()},
			{
				PreConfig: func() {
					if _, err := acctest.AWS(t).IAM.TagRole(context.Background(), &iam.TagRoleInput{RoleName: aws.String(name),
						Tags: []iamtypes.Tag{{Key: aws.String("ops:owner"), Value: aws.String("alice")}}}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: updated.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					out, err := acctest.AWS(t).IAM.ListRoleTags(context.Background(), &iam.ListRoleTagsInput{RoleName: aws.String(name)})
					if err != nil {
						return err
					}
					got := map[string]string{}
					for _, tg := range out.Tags {
						if k := aws.ToString(tg.Key); k != idem.TokenTag {
							got[k] = aws.ToString(tg.Value)
						}
					}
					if want := map[string]string{"team": "ml", "stage": "prod", "ops:owner": "alice"}; fmt.Sprint(got) != fmt.Sprint(want) {
						return fmt.Errorf("role tags %v, want %v", got, want)
					}
					return nil
				},
			},
		},
	})
}
