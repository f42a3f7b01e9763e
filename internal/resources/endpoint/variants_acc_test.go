package endpoint_test

import (
	"context"
	"encoding/json"
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

// TestAccEndpoint_driftSecondVariantWithoutVPC: someone switches the
// endpoint (UpdateEndpoint) to a configuration that keeps sagesafe's
// AllTraffic variant and adds a second production variant whose model has
// no VPC and no network isolation. The refresh checks every variant: the
// plan shows drift, SS-NET-1 and SS-NET-4 drop out of controls, and the
// apply switches the endpoint back to sagesafe's one-variant configuration.
func TestAccEndpoint_driftSecondVariantWithoutVPC(t *testing.T) {
	testAccEndpointDriftVariantWithoutVPC(t, false)
}

// TestAccEndpoint_driftShadowVariantWithoutVPC is the same with a shadow
// variant (the emulator keeps ShadowProductionVariants): a shadow variant
// receives a copy of every request, so its model is held to the same
// controls as the production variants.
func TestAccEndpoint_driftShadowVariantWithoutVPC(t *testing.T) {
	testAccEndpointDriftVariantWithoutVPC(t, true)
}

func testAccEndpointDriftVariantWithoutVPC(t *testing.T, shadow bool) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{Config: testAccEndpointConfig_basic(name, env)},
			{
				PreConfig:          func() { switchToConfigWithVariantOutsideVPC(t, name, env, shadow) },
				Config:             testAccEndpointConfig_basic(name, env),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
					expectBefore(address, "controls", acctest.ControlsWithout("SS-AVL-1", "SS-NET-1")),
					expectBefore(address, "controls", acctest.ControlsWithout("SS-AVL-1", "SS-NET-4")),
				}},
			},
			{
				Config: testAccEndpointConfig_basic(name, env),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("controls"), acctest.ControlsWithout("SS-NET-1", "")),
				},
				Check: resource.ComposeTestCheckFunc(testAccCheckSecureObjects(t, name, env, true), oneVariant(t, name)),
			},
		},
	})
}

// switchToConfigWithVariantOutsideVPC creates a model without VPC or
// network isolation and a configuration with the endpoint's AllTraffic
// variant plus a variant B on that model (a shadow variant when shadow is
// set), and switches the endpoint to it.
func switchToConfigWithVariantOutsideVPC(t *testing.T, name string, env acctest.EndpointFixture, shadow bool) {
	t.Helper()
	ctx := context.Background()
	c := sm(t)
	ep := describeEndpoint(t, name)
	cur, err := c.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: ep.EndpointConfigName})
	if err != nil {
		t.Fatal(err)
	}
	rogue := acctest.RandomName("rogue")
	if _, err := c.CreateModel(ctx, &sagemaker.CreateModelInput{
		ModelName: aws.String(rogue), ExecutionRoleArn: aws.String(env.RoleARN),
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String(image("b2"))},
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = c.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(rogue)}) })
	second := smtypes.ProductionVariant{VariantName: aws.String("B"), ModelName: aws.String(rogue),
		InstanceType: smtypes.ProductionVariantInstanceTypeMlM5Xlarge, InitialInstanceCount: aws.Int32(2), InitialVariantWeight: aws.Float32(1)}
	in := &sagemaker.CreateEndpointConfigInput{
		EndpointConfigName: aws.String(rogue), KmsKeyId: cur.KmsKeyId,
		ProductionVariants: []smtypes.ProductionVariant{cur.ProductionVariants[0], second},
	}
	if shadow {
		in.ProductionVariants, in.ShadowProductionVariants = in.ProductionVariants[:1], []smtypes.ProductionVariant{second}
	}
	if _, err := c.CreateEndpointConfig(ctx, in); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteEndpointConfig(ctx, &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(rogue)})
	})
	if _, err := c.UpdateEndpoint(ctx, &sagemaker.UpdateEndpointInput{EndpointName: aws.String(name), EndpointConfigName: aws.String(rogue)}); err != nil {
		t.Fatal(err)
	}
}

// oneVariant checks that the endpoint serves a configuration with one
// production variant and no shadow variant.
func oneVariant(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ep := describeEndpoint(t, name)
		cfg, err := sm(t).DescribeEndpointConfig(context.Background(), &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: ep.EndpointConfigName})
		if err != nil {
			return err
		}
		if len(cfg.ProductionVariants) != 1 || len(cfg.ShadowProductionVariants) != 0 {
			return fmt.Errorf("configuration %s has %d production and %d shadow variants", aws.ToString(cfg.EndpointConfigName),
				len(cfg.ProductionVariants), len(cfg.ShadowProductionVariants))
		}
		return nil
	}
}

// expectBefore checks an attribute of the refreshed state the plan starts
// from (the plan's "before"), which is where drift shows.
func expectBefore(address, attribute string, check knownvalue.Check) plancheck.PlanCheck {
	return beforeCheck{address: address, attribute: attribute, check: check}
}

type beforeCheck struct {
	address, attribute string
	check              knownvalue.Check
}

func (c beforeCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		if err := c.check.CheckValue(before[c.attribute]); err != nil {
			b, _ := json.Marshal(before[c.attribute])
			resp.Error = fmt.Errorf("%s: before-plan %s is %s: %w", c.address, c.attribute, b, err)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.address)
}
