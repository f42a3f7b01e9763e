package endpoint_test

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
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// versionCounts counts the models and endpoint configurations named after
// the endpoint.
func versionCounts(t *testing.T, name string) (models, configs int, all []string) {
	all = leftovers(t, name)
	for _, o := range all {
		switch {
		case strings.HasPrefix(o, "model "):
			models++
		case strings.HasPrefix(o, "endpoint config "):
			configs++
		}
	}
	return models, configs, all
}

// TestAccEndpoint_killedApplyTakenUp: an apply is killed right after
// CreateEndpoint reached SageMaker, before Terraform saved the state (the
// name key, with its salt and creation token, is gone with it). The next
// apply finds the endpoint under the configured name with sagesafe's tags,
// serving a version with exactly the planned settings, and takes it up with
// that version instead of failing on the taken name: one endpoint, one
// model, one configuration, an empty plan, and destroy leaves nothing.
func TestAccEndpoint_killedApplyTakenUp(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	k := &acctest.Killer{Action: "sagemaker:CreateEndpoint"}
	config := testAccEndpointConfig_basic(name, env)
	var served string
	resource.Test(t, resource.TestCase{
		PreCheck:     func() { acctest.PreCheck(t) },
		CheckDestroy: testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: k.Wrap}),
				Config:                   config,
				ExpectError:              regexp.MustCompile(`AccessDenied`),
			},
			{
				PreConfig: func() {
					if !k.Done() {
						t.Fatal("the first apply was not killed after CreateEndpoint")
					}
					served = aws.ToString(describeEndpoint(t, name).EndpointConfigName)
				},
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Config:                   config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("status"), knownvalue.StringExact("InService")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(address, "endpoint_config_name", &served),
					resource.TestCheckResourceAttrPtr(address, "model_name", &served),
					func(*terraform.State) error {
						if models, configs, all := versionCounts(t, name); models != 1 || configs != 1 {
							return fmt.Errorf("want one model and one endpoint config, have %v", all)
						}
						return nil
					},
				),
			},
			{
				// The next apply keeps the version it took up.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccEndpoint_unreadableRightAfterCreate: the first reads after
// CreateEndpoint say the endpoint does not exist (SageMaker's reads lag its
// writes). The apply retries them and succeeds; the endpoint is not
// tainted, so the next plan is empty instead of recreating it.
func TestAccEndpoint_unreadableRightAfterCreate(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	d := &acctest.ReadErrors{Create: "sagemaker:CreateEndpoint", Read: "sagemaker:DescribeEndpoint",
		Code: "ValidationException", Message: "Could not find endpoint \"injected by the test\".", Left: 2}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: d.Wrap}),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{{
			Config: testAccEndpointConfig_basic(name, env),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, tfjsonpath.New("status"), knownvalue.StringExact("InService")),
			},
			Check: func(s *terraform.State) error {
				failed := d.Failed()
				if failed != 2 {
					return fmt.Errorf("the test failed %d reads after the create, want 2", failed)
				}
				if rs := s.RootModule().Resources[address]; rs == nil || rs.Primary.Tainted {
					return fmt.Errorf("%s is missing or tainted", address)
				}
				return nil
			},
		}},
	})
}

// TestAccEndpoint_squattedVersionSurvivesDestroy: after the apply, someone
// replaces the endpoint's model with one of their own under the same name
// (the name is in every plan). The destroy deletes only what carries this
// resource's creation token: the endpoint, its configuration and alarms go,
// the other party's model stays.
func TestAccEndpoint_squattedVersionSurvivesDestroy(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	ctx := context.Background()
	c := acctest.AWS(t)
	var version string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			m, err := c.SageMaker.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(version)})
			if err != nil {
				return fmt.Errorf("the other party's model %s was deleted by the destroy: %w", version, err)
			}
			if _, err := c.SageMaker.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: m.ModelName}); err != nil {
				return err
			}
			return testAccCheckEndpointDestroy(t, name, false)(nil)
		},
		Steps: []resource.TestStep{{
			Config: testAccEndpointConfig_basic(name, env),
			Check: func(s *terraform.State) error {
				version = s.RootModule().Resources[address].Primary.Attributes["model_name"]
				m, err := c.SageMaker.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(version)})
				if err != nil {
					return err
				}
				if _, err := c.SageMaker.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(version)}); err != nil {
					return err
				}
				_, err = c.SageMaker.CreateModel(ctx, &sagemaker.CreateModelInput{
					ModelName: aws.String(version), ExecutionRoleArn: m.ExecutionRoleArn, PrimaryContainer: m.PrimaryContainer,
					VpcConfig: m.VpcConfig, EnableNetworkIsolation: aws.Bool(true),
					Tags: []smtypes.Tag{{Key: aws.String("owner"), Value: aws.String("someone else")}},
				})
				return err
			},
		}},
	})
}
