package endpoint_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// TestAccEndpoint_tagsDriftFromListing: on refresh the endpoint's tags come
// from the command's tag:GetResources listing, not ListTags, and that answer
// carries drift: a tag changed outside Terraform is planned back, a tag
// under the provider's ignore_tags is neither drift nor removed, and after
// the apply the plan is empty.
func TestAccEndpoint_tagsDriftFromListing(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	config := acctest.ProviderConfig(fmt.Sprintf("alarm_actions = [%q]\n  ignore_tags {\n    keys = [\"ops-owner\"]\n  }", testTopic)) +
		cfg{name: name, env: env, extra: "  tags = {\n    team = \"ml\"\n  }\n"}.resource()
	counter := &acctest.CallCounter{}
	var refresh map[string]int
	liveTags := func() map[string]string {
		out, err := sm(t).ListTags(context.Background(), &sagemaker.ListTagsInput{ResourceArn: describeEndpoint(t, name).EndpointArn})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range out.Tags {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	editOutOfBand := func() {
		_, err := sm(t).AddTags(context.Background(), &sagemaker.AddTagsInput{ResourceArn: describeEndpoint(t, name).EndpointArn,
			Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("changed")}, {Key: aws.String("ops-owner"), Value: aws.String("oncall")}}})
		if err != nil {
			t.Fatal(err)
		}
		counter.Reset()
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: counter.Wrap}),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{Config: config},
			{PreConfig: editOutOfBand, Config: config, PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				PreConfig: func() { refresh = counter.Snapshot() },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					got := liveTags()
					if got["team"] != "ml" || got["ops-owner"] != "oncall" {
						return fmt.Errorf("live tags %v: want team=ml restored and the ignored ops-owner kept", got)
					}
					return nil
				},
			},
			{Config: config, PlanOnly: true},
		},
	})
	if t.Failed() {
		return
	}
	t.Logf("refresh after the out-of-band edit:\n%s", acctest.FormatCalls(refresh))
	if refresh["tagging:GetResources"] != 1 || refresh["sagemaker:ListTags"] != 0 {
		t.Errorf("the refresh read tags with %d GetResources and %d ListTags, want 1 and 0", refresh["tagging:GetResources"], refresh["sagemaker:ListTags"])
	}
}
