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
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// lossyTransport loses the first answer of each of the calls named in lossy
// (X-Amz-Target) after the call was applied, and records which it lost.
type lossyTransport struct {
	mu    sync.Mutex
	lossy []string
	lost  map[string]bool
}

func (l *lossyTransport) wrap(next http.RoundTripper) http.RoundTripper {
	next = acctest.WithoutRetryReplay(next)
	return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		target := r.Header.Get("X-Amz-Target")
		if err != nil || !slices.Contains(l.lossy, target) {
			return resp, err
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.lost[target] {
			return resp, err
		}
		l.lost[target] = true
		_ = resp.Body.Close()
		return nil, errors.New("connection reset by peer (injected by the test after the request was applied)")
	})
}

func (l *lossyTransport) lostAll() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.lossy {
		if !l.lost[c] {
			return fmt.Errorf("the test did not lose the answer of %s (lost %v)", c, l.lost)
		}
	}
	return nil
}

// TestAccEndpoint_outOfBandScalingRestored: an endpoint without autoscaling
// (instance_count 2). Out of band its variant is registered with
// Application Auto Scaling at 1..1000 with a policy and a scheduled action
// sagesafe did not make, and its instance count set to 1. The refresh sees
// it (SS-AVL-1 and SS-AVL-2 failed, instance_count 1, autoscaling_registered
// true: a diff) and the apply removes the policy, action and target and
// sets the count back to 2, although it loses the first answers of
// DeleteScheduledAction and UpdateEndpointWeightsAndCapacities. (The red
// team's TestAccRedteam_outOfBandScalingUnseen: before the fix the plan was
// empty and both controls held.)
func TestAccEndpoint_outOfBandScalingRestored(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	config := cfg{name: name, env: env}.render()
	lossy := &lossyTransport{lost: map[string]bool{},
		lossy: []string{scalingTarget + "DeleteScheduledAction", "SageMaker.UpdateEndpointWeightsAndCapacities"}}
	tamper := func() {
		registerForeign(t, name, 1, 1000)
		putForeignSchedule(t, name, 1, 1000)
		setInstanceCount(t, name, 1)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: lossy.wrap}),
		CheckDestroy: resource.ComposeTestCheckFunc(testAccCheckEndpointDestroy(t, name, false),
			func(*terraform.State) error { return checkNothingRegistered(t, name) }),
		Steps: []resource.TestStep{
			{Config: config, Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "autoscaling_registered", "false"),
				resource.TestCheckResourceAttr(address, "control_states.SS-AVL-1", "held"),
				resource.TestCheckResourceAttr(address, "control_states.SS-AVL-2", "held"),
			)},
			{ResourceName: address, ImportState: true, ImportStateId: name, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"timeouts", "retain_logs_on_destroy"}},
			{PreConfig: tamper, RefreshState: true, ExpectNonEmptyPlan: true, Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "instance_count", "1"),
				resource.TestCheckResourceAttr(address, "autoscaling_registered", "true"),
				resource.TestCheckResourceAttr(address, "control_states.SS-AVL-1", "failed"),
				resource.TestCheckResourceAttr(address, "control_states.SS-AVL-2", "failed"),
			)},
			{Config: config, Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "instance_count", "2"),
				resource.TestCheckResourceAttr(address, "autoscaling_registered", "false"),
				resource.TestCheckResourceAttr(address, "control_states.SS-AVL-1", "held"),
				resource.TestCheckResourceAttr(address, "control_states.SS-AVL-2", "held"),
				func(*terraform.State) error { return checkNothingRegistered(t, name) },
				func(*terraform.State) error { return checkNoSchedule(t, name) },
				func(*terraform.State) error { return checkInstanceCount(t, name, 2) },
				func(*terraform.State) error { return lossy.lostAll() },
			)},
		},
	})
}

// TestAccEndpoint_scheduledActionRestored: an autoscaled endpoint (2..4).
// Out of band a scheduled action that sets 1..1000 is put on its target and
// its scale-out suspended. The refresh reports SS-AVL-2 failed and
// autoscaling_registered false (a diff); the apply deletes the action and
// resumes scaling. (The red team's TestAccRedteam_scheduledActionUnseen:
// before the fix the plan was empty and SS-AVL-2 held.)
func TestAccEndpoint_scheduledActionRestored(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	config := scalingConfig(name, env, "ml.m5.xlarge", scalingBlock(2, 4, 70))
	tamper := func() {
		putForeignSchedule(t, name, 1, 1000)
		if _, err := scalingClient(t).RegisterScalableTarget(context.Background(), &applicationautoscaling.RegisterScalableTargetInput{
			ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceId: aws.String(scalingResourceID(name)),
			ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
			SuspendedState:    &astypes.SuspendedState{DynamicScalingOutSuspended: aws.Bool(true)},
		}); err != nil {
			t.Fatal(err)
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: resource.ComposeTestCheckFunc(testAccCheckEndpointDestroy(t, name, false),
			func(*terraform.State) error { return checkNothingRegistered(t, name) }),
		Steps: []resource.TestStep{
			{Config: config, Check: resource.TestCheckResourceAttr(address, "control_states.SS-AVL-2", "held")},
			{PreConfig: tamper, RefreshState: true, ExpectNonEmptyPlan: true, Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "autoscaling_registered", "false"),
				resource.TestCheckResourceAttr(address, "control_states.SS-AVL-2", "failed"),
			)},
			{Config: config, Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "autoscaling_registered", "true"),
				resource.TestCheckResourceAttr(address, "control_states.SS-AVL-2", "held"),
				checkScaling(t, name, 2, 4, 70),
				func(*terraform.State) error { return checkNoSchedule(t, name) },
				func(*terraform.State) error { return checkNotSuspended(t, name) },
			)},
		},
	})
}

// TestAccEndpoint_autoscaledCountOutOfBoundsRestored: an autoscaled
// endpoint (2..4, instance_count 2) whose instance count is set to 1 (below
// min_capacity) outside Terraform: the refresh shows instance_count 1 and
// SS-AVL-1 failed (a diff), and the apply sets the count back to 2. A count
// set to 3, within the bounds, is autoscaling's: no diff. (The red team's
// TestRedteam3_autoscaledCountBelowMinUnrestored: before the fix the plan
// was empty.)
func TestAccEndpoint_autoscaledCountOutOfBoundsRestored(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	config := scalingConfig(name, env, "ml.m5.xlarge", scalingBlock(2, 4, 70))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: resource.ComposeTestCheckFunc(testAccCheckEndpointDestroy(t, name, false),
			func(*terraform.State) error { return checkNothingRegistered(t, name) }),
		Steps: []resource.TestStep{
			{Config: config, Check: resource.TestCheckResourceAttr(address, "control_states.SS-AVL-1", "held")},
			{PreConfig: func() { setInstanceCount(t, name, 3) }, Config: config, PlanOnly: true},
			{PreConfig: func() { setInstanceCount(t, name, 1) }, RefreshState: true, ExpectNonEmptyPlan: true, Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "instance_count", "1"),
				resource.TestCheckResourceAttr(address, "control_states.SS-AVL-1", "failed"),
			)},
			{Config: config, Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(address, "instance_count", "2"),
				resource.TestCheckResourceAttr(address, "control_states.SS-AVL-1", "held"),
				checkScaling(t, name, 2, 4, 70),
				func(*terraform.State) error { return checkInstanceCount(t, name, 2) },
			)},
		},
	})
}

// registerForeign registers the variant at lo..hi with a target-tracking
// policy named not-sagesafe, as someone outside Terraform would.
func registerForeign(t *testing.T, name string, lo, hi int32) {
	t.Helper()
	ctx := context.Background()
	as := scalingClient(t)
	id := aws.String(scalingResourceID(name))
	dim := astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount
	if _, err := as.RegisterScalableTarget(ctx, &applicationautoscaling.RegisterScalableTargetInput{
		ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceId: id, ScalableDimension: dim,
		MinCapacity: aws.Int32(lo), MaxCapacity: aws.Int32(hi),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := as.PutScalingPolicy(ctx, &applicationautoscaling.PutScalingPolicyInput{
		PolicyName: aws.String("not-sagesafe"), ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceId: id, ScalableDimension: dim,
		PolicyType: astypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &astypes.TargetTrackingScalingPolicyConfiguration{
			TargetValue: aws.Float64(1),
			PredefinedMetricSpecification: &astypes.PredefinedMetricSpecification{
				PredefinedMetricType: astypes.MetricTypeSageMakerVariantInvocationsPerInstance},
		},
	}); err != nil {
		t.Fatal(err)
	}
}

func putForeignSchedule(t *testing.T, name string, lo, hi int32) {
	t.Helper()
	if _, err := scalingClient(t).PutScheduledAction(context.Background(), &applicationautoscaling.PutScheduledActionInput{
		ScheduledActionName: aws.String("every-minute"), ServiceNamespace: astypes.ServiceNamespaceSagemaker,
		ResourceId: aws.String(scalingResourceID(name)), ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
		Schedule:             aws.String("cron(* * * * ? *)"),
		ScalableTargetAction: &astypes.ScalableTargetAction{MinCapacity: aws.Int32(lo), MaxCapacity: aws.Int32(hi)},
	}); err != nil {
		t.Fatal(err)
	}
}

func setInstanceCount(t *testing.T, name string, n int32) {
	t.Helper()
	if _, err := acctest.AWS(t).SageMaker.UpdateEndpointWeightsAndCapacities(context.Background(), &sagemaker.UpdateEndpointWeightsAndCapacitiesInput{
		EndpointName: aws.String(name),
		DesiredWeightsAndCapacities: []smtypes.DesiredWeightAndCapacity{
			{VariantName: aws.String("AllTraffic"), DesiredInstanceCount: aws.Int32(n)}},
	}); err != nil {
		t.Fatal(err)
	}
}

func checkNoSchedule(t *testing.T, name string) error {
	out, err := scalingClient(t).DescribeScheduledActions(context.Background(), &applicationautoscaling.DescribeScheduledActionsInput{
		ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceId: aws.String(scalingResourceID(name))})
	if err != nil {
		return err
	}
	if len(out.ScheduledActions) > 0 {
		return fmt.Errorf("%d scheduled action(s) left on %s", len(out.ScheduledActions), name)
	}
	return nil
}

func checkNotSuspended(t *testing.T, name string) error {
	out, err := scalingClient(t).DescribeScalableTargets(context.Background(), &applicationautoscaling.DescribeScalableTargetsInput{
		ServiceNamespace: astypes.ServiceNamespaceSagemaker, ResourceIds: []string{scalingResourceID(name)}})
	if err != nil {
		return err
	}
	for _, tg := range out.ScalableTargets {
		if st := tg.SuspendedState; st != nil && aws.ToBool(st.DynamicScalingOutSuspended) {
			return fmt.Errorf("scale-out of %s is still suspended", name)
		}
	}
	return nil
}

func checkInstanceCount(t *testing.T, name string, want int32) error {
	ep, err := acctest.AWS(t).SageMaker.DescribeEndpoint(context.Background(), &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)})
	if err != nil {
		return err
	}
	for _, v := range ep.ProductionVariants {
		if aws.ToString(v.VariantName) == "AllTraffic" && aws.ToInt32(v.DesiredInstanceCount) != want {
			return fmt.Errorf("endpoint %s runs %d instances, want %d", name, aws.ToInt32(v.DesiredInstanceCount), want)
		}
	}
	return nil
}

// TestAccEndpoint_refusesInstanceCountAboveCap: max_endpoint_instances caps
// a fixed instance_count too (the red team's
// TestRedteam_EndpointInstanceCountAboveMaxPasses): 500 instances without
// autoscaling are refused at plan with SS-AVL-2 and nothing is created; 10
// plans.
func TestAccEndpoint_refusesInstanceCountAboveCap(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config:      cfg{name: name, env: env, instanceCount: 500}.render(),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)SS-AVL-2.*` + wrapped(strings.Fields("max_endpoint_instances allows at most 10")...).String()),
			},
			{Config: cfg{name: name, env: env, instanceCount: 10}.render(), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
	if left := leftovers(t, name); len(left) > 0 {
		t.Errorf("a refused plan created %v", left)
	}
}
