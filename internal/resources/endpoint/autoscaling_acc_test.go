package endpoint_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

const scalingTarget = "AnyScaleFrontendService."

func scalingConfig(name string, env acctest.EndpointFixture, instanceType, block string) string {
	return cfg{name: name, env: env, instanceType: instanceType, extra: block}.render()
}

func scalingBlock(minCap, maxCap int, target float64) string {
	return fmt.Sprintf("autoscaling = {\n    min_capacity = %d\n    max_capacity = %d\n    target_invocations_per_instance = %g\n  }", minCap, maxCap, target)
}

// TestAccEndpoint_autoscaling: the variant is registered with Application
// Auto Scaling with a target-tracking policy on invocations per instance;
// bounds change in place; import reads them back; a target or policy
// removed outside Terraform is drift restored by the next apply; a
// blue/green update that changes the instance type deregisters the policy
// and target before UpdateEndpoint and registers them after; removing the
// block deregisters; destroy leaves nothing registered.
func TestAccEndpoint_autoscaling(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	var mu sync.Mutex
	var calls []string
	wrap := func(next http.RoundTripper) http.RoundTripper {
		return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			if t := r.Header.Get("X-Amz-Target"); t != "" {
				mu.Lock()
				calls = append(calls, t)
				mu.Unlock()
			}
			return next.RoundTrip(r)
		})
	}
	registered := tfjsonpath.New("autoscaling_registered")
	drift := func(config string, edit func()) []resource.TestStep {
		return []resource.TestStep{
			{PreConfig: edit, Config: config, PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(address, registered, knownvalue.Bool(true))},
				Check:             checkScaling(t, name, 2, 6, 100),
			},
		}
	}
	m5 := scalingConfig(name, env, "ml.m5.xlarge", scalingBlock(2, 6, 100))
	steps := []resource.TestStep{
		{
			Config: scalingConfig(name, env, "ml.m5.xlarge", scalingBlock(2, 4, 70)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, registered, knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("autoscaling").AtMapKey("scale_in_cooldown_seconds"), knownvalue.Int64Exact(300)),
			},
			Check: checkScaling(t, name, 2, 4, 70),
		},
		{
			Config: m5,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
			}},
			Check: checkScaling(t, name, 2, 6, 100),
		},
		{
			ResourceName:            address,
			ImportState:             true,
			ImportStateId:           name,
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"timeouts", "retain_logs_on_destroy"},
		},
	}
	steps = append(steps, drift(m5, func() { deregister(t, name, true) })...)
	steps = append(steps, drift(m5, func() { deregister(t, name, false) })...)
	steps = append(steps,
		resource.TestStep{
			PreConfig: func() { mu.Lock(); calls = nil; mu.Unlock() },
			Config:    scalingConfig(name, env, "ml.m5.2xlarge", scalingBlock(2, 6, 100)),
			Check: resource.ComposeTestCheckFunc(checkScaling(t, name, 2, 6, 100), func(*terraform.State) error {
				mu.Lock()
				defer mu.Unlock()
				return checkOrder(calls, scalingTarget+"DeleteScalingPolicy", scalingTarget+"DeregisterScalableTarget",
					"SageMaker.UpdateEndpoint", scalingTarget+"RegisterScalableTarget", scalingTarget+"PutScalingPolicy")
			}),
		},
		resource.TestStep{
			Config:            scalingConfig(name, env, "ml.m5.2xlarge", ""),
			ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(address, registered, knownvalue.Bool(false))},
			Check:             func(*terraform.State) error { return checkNothingRegistered(t, name) },
		},
	)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: wrap}),
		CheckDestroy: resource.ComposeTestCheckFunc(testAccCheckEndpointDestroy(t, name, false),
			func(*terraform.State) error { return checkNothingRegistered(t, name) }),
		Steps: steps,
	})
}

// TestAccEndpoint_autoscalingDestroy: destroying an autoscaled endpoint
// deregisters it (CheckDestroy asks Application Auto Scaling).
func TestAccEndpoint_autoscalingDestroy(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: resource.ComposeTestCheckFunc(testAccCheckEndpointDestroy(t, name, false),
			func(*terraform.State) error { return checkNothingRegistered(t, name) }),
		Steps: []resource.TestStep{{
			Config: scalingConfig(name, env, "ml.m5.xlarge", scalingBlock(2, 3, 50)),
			Check:  checkScaling(t, name, 2, 3, 50),
		}},
	})
}

// TestAccEndpoint_refusesAutoscalingAboveCap: a maximum above the guardrail
// max_endpoint_instances (default 10), or a minimum below
// min_endpoint_instances, is refused at plan with SS-AVL-2, and nothing is
// created; the same maximum plans once the provider's guardrails raise the
// cap.
func TestAccEndpoint_refusesAutoscalingAboveCap(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	refuse := func(minCap, maxCap int, want string) resource.TestStep {
		return resource.TestStep{
			Config:      scalingConfig(name, env, "ml.m5.xlarge", scalingBlock(minCap, maxCap, 70)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)SS-AVL-2.*` + wrapped(strings.Fields(want)...).String()),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			refuse(2, 11, "max_endpoint_instances allows at most 10"),
			refuse(1, 4, "min_endpoint_instances (SS-AVL-1) requires at least 2"),
			{
				// A platform team raises the cap in the provider's guardrails.
				Config: acctest.ProviderConfig(fmt.Sprintf("alarm_actions = [%q]\n  guardrails {\n    max_endpoint_instances = 12\n  }", testTopic)) +
					cfg{name: name, env: env, extra: scalingBlock(2, 11, 70)}.resource(),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
	if left := leftovers(t, name); len(left) > 0 {
		t.Errorf("a refused plan created %v", left)
	}
	if err := checkNothingRegistered(t, name); err != nil {
		t.Error(err)
	}
}

// TestAccEndpoint_lostScalingAnswers loses the answers of the first
// RegisterScalableTarget and PutScalingPolicy after they were applied: the
// SDK sends them again, and both being upserts keyed by the variant and the
// policy name, the endpoint ends with one target and one policy. On destroy
// it loses the answers of DeleteScalingPolicy and DeregisterScalableTarget:
// the retry finds nothing (ObjectNotFoundException), which is success.
func TestAccEndpoint_lostScalingAnswers(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	var mu sync.Mutex
	lost := map[string]bool{}
	lossy := []string{scalingTarget + "RegisterScalableTarget", scalingTarget + "PutScalingPolicy",
		scalingTarget + "DeleteScalingPolicy", scalingTarget + "DeregisterScalableTarget"}
	wrap := func(next http.RoundTripper) http.RoundTripper {
		next = acctest.WithoutRetryReplay(next)
		return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			target := r.Header.Get("X-Amz-Target")
			if err != nil || !slices.Contains(lossy, target) {
				return resp, err
			}
			mu.Lock()
			defer mu.Unlock()
			if lost[target] {
				return resp, err
			}
			lost[target] = true
			_ = resp.Body.Close()
			return nil, errors.New("connection reset by peer (injected by the test after the request was applied)")
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: wrap}),
		CheckDestroy: resource.ComposeTestCheckFunc(testAccCheckEndpointDestroy(t, name, false),
			func(*terraform.State) error { return checkNothingRegistered(t, name) },
			func(*terraform.State) error {
				mu.Lock()
				defer mu.Unlock()
				if len(lost) != len(lossy) {
					return fmt.Errorf("the test lost %v, want all of %v", lost, lossy)
				}
				return nil
			}),
		Steps: []resource.TestStep{{
			Config: scalingConfig(name, env, "ml.m5.xlarge", scalingBlock(2, 4, 70)),
			Check: resource.ComposeTestCheckFunc(checkScaling(t, name, 2, 4, 70), func(*terraform.State) error {
				mu.Lock()
				defer mu.Unlock()
				if !lost[scalingTarget+"RegisterScalableTarget"] || !lost[scalingTarget+"PutScalingPolicy"] {
					return fmt.Errorf("the test lost no answer: %v", lost)
				}
				return nil
			}),
		}},
	})
}

func scalingClient(t *testing.T) *applicationautoscaling.Client {
	t.Helper()
	return acctest.AWS(t).AutoScaling
}

func scalingResourceID(name string) string { return "endpoint/" + name + "/variant/AllTraffic" }

// checkScaling asks Application Auto Scaling for the variant's one target
// and one target-tracking policy.
func checkScaling(t *testing.T, name string, minCap, maxCap int32, target float64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		as := scalingClient(t)
		ts, err := as.DescribeScalableTargets(ctx, &applicationautoscaling.DescribeScalableTargetsInput{
			ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceIds: []string{scalingResourceID(name)}})
		if err != nil {
			return err
		}
		if len(ts.ScalableTargets) != 1 {
			return fmt.Errorf("%d scalable targets for %s, want 1", len(ts.ScalableTargets), name)
		}
		tg := ts.ScalableTargets[0]
		if aws.ToInt32(tg.MinCapacity) != minCap || aws.ToInt32(tg.MaxCapacity) != maxCap ||
			tg.ScalableDimension != astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount {
			return fmt.Errorf("target %s: %d..%d %s, want %d..%d", name, aws.ToInt32(tg.MinCapacity), aws.ToInt32(tg.MaxCapacity), tg.ScalableDimension, minCap, maxCap)
		}
		ps, err := as.DescribeScalingPolicies(ctx, &applicationautoscaling.DescribeScalingPoliciesInput{
			ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceId: aws.String(scalingResourceID(name))})
		if err != nil {
			return err
		}
		if len(ps.ScalingPolicies) != 1 {
			return fmt.Errorf("%d scaling policies for %s, want 1", len(ps.ScalingPolicies), name)
		}
		c := ps.ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration
		if c == nil || aws.ToFloat64(c.TargetValue) != target || c.PredefinedMetricSpecification == nil ||
			c.PredefinedMetricSpecification.PredefinedMetricType != astypes.MetricTypeSageMakerVariantInvocationsPerInstance {
			return fmt.Errorf("policy of %s: %+v", name, c)
		}
		return nil
	}
}

func checkNothingRegistered(t *testing.T, name string) error {
	ctx := context.Background()
	as := scalingClient(t)
	ts, err := as.DescribeScalableTargets(ctx, &applicationautoscaling.DescribeScalableTargetsInput{
		ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceIds: []string{scalingResourceID(name)}})
	if err != nil {
		return err
	}
	ps, err := as.DescribeScalingPolicies(ctx, &applicationautoscaling.DescribeScalingPoliciesInput{
		ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceId: aws.String(scalingResourceID(name))})
	if err != nil {
		return err
	}
	if len(ts.ScalableTargets)+len(ps.ScalingPolicies) > 0 {
		return fmt.Errorf("left registered for %s: %d targets, %d policies", name, len(ts.ScalableTargets), len(ps.ScalingPolicies))
	}
	return nil
}

// deregister removes the policy, and the target too when all is set, out
// of band.
func deregister(t *testing.T, name string, all bool) {
	t.Helper()
	ctx := context.Background()
	as := scalingClient(t)
	ps, err := as.DescribeScalingPolicies(ctx, &applicationautoscaling.DescribeScalingPoliciesInput{
		ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceId: aws.String(scalingResourceID(name))})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps.ScalingPolicies {
		if _, err := as.DeleteScalingPolicy(ctx, &applicationautoscaling.DeleteScalingPolicyInput{PolicyName: p.PolicyName,
			ServiceNamespace: p.ServiceNamespace, ResourceId: p.ResourceId, ScalableDimension: p.ScalableDimension}); err != nil {
			t.Fatal(err)
		}
	}
	if !all {
		return
	}
	if _, err := as.DeregisterScalableTarget(ctx, &applicationautoscaling.DeregisterScalableTargetInput{
		ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceId: aws.String(scalingResourceID(name)),
		ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount}); err != nil {
		t.Fatal(err)
	}
}

// checkOrder reports whether want occur in calls in this order.
func checkOrder(calls []string, want ...string) error {
	i := 0
	for _, c := range calls {
		if i < len(want) && c == want[i] {
			i++
		}
	}
	if i < len(want) {
		return fmt.Errorf("expected the calls %v in order; %s is missing after the earlier ones; calls were %v", want, want[i], slices.Compact(calls))
	}
	return nil
}
