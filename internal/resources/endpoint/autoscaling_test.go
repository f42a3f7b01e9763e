package endpoint

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	astypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

func liveScalingOf(sc scalingSpec) liveScaling {
	return liveScaling{
		target: &astypes.ScalableTarget{MinCapacity: aws.Int32(int32(sc.Min)), MaxCapacity: aws.Int32(int32(sc.Max))},
		policy: &astypes.ScalingPolicy{TargetTrackingScalingPolicyConfiguration: &astypes.TargetTrackingScalingPolicyConfiguration{
			TargetValue: aws.Float64(sc.TargetInvocations),
			PredefinedMetricSpecification: &astypes.PredefinedMetricSpecification{
				PredefinedMetricType: astypes.MetricTypeSageMakerVariantInvocationsPerInstance},
			ScaleInCooldown: aws.Int32(int32(sc.ScaleInCooldownSeconds)), ScaleOutCooldown: aws.Int32(int32(sc.ScaleOutCooldownSeconds)),
		}},
	}
}

func TestLiveScalingSpecOf(t *testing.T) {
	want := scalingSpec{Min: 2, Max: 6, TargetInvocations: 100, ScaleInCooldownSeconds: 300, ScaleOutCooldownSeconds: 60}
	if got, ok := liveScalingOf(want).specOf(); !ok || got != want {
		t.Errorf("specOf = %+v, %v", got, ok)
	}
	noPolicy := liveScalingOf(want)
	noPolicy.policy = nil
	noTarget := liveScalingOf(want)
	noTarget.target = nil
	otherMetric := liveScalingOf(want)
	otherMetric.policy.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType = astypes.MetricTypeSageMakerVariantProvisionedConcurrencyUtilization
	noScaleIn := liveScalingOf(want)
	noScaleIn.policy.TargetTrackingScalingPolicyConfiguration.DisableScaleIn = aws.Bool(true)
	for name, l := range map[string]liveScaling{"no policy": noPolicy, "no target": noTarget, "other metric": otherMetric, "scale-in disabled": noScaleIn} {
		if _, ok := l.specOf(); ok {
			t.Errorf("%s: accepted as sagesafe's autoscaling", name)
		}
	}
}

func TestRefreshScaling(t *testing.T) {
	sc := scalingSpec{Min: 2, Max: 4, TargetInvocations: 70, ScaleInCooldownSeconds: 300, ScaleOutCooldownSeconds: 60}
	configured := endpointModel{Autoscaling: flattenScaling(sc), ScalingRegistered: types.BoolValue(true)}

	// Bounds changed out of band read back as the attribute (a diff).
	edited := sc
	edited.Max = 9
	out := configured
	refreshScaling(&out, configured, &liveObjects{scaling: liveScalingOf(edited)})
	if !out.ScalingRegistered.ValueBool() || !out.Autoscaling.Equal(flattenScaling(edited)) {
		t.Errorf("edited: %+v", out)
	}
	// Deregistered out of band: autoscaling_registered false (a diff).
	out = configured
	refreshScaling(&out, configured, &liveObjects{})
	if out.ScalingRegistered.ValueBool() || !out.Autoscaling.Equal(configured.Autoscaling) {
		t.Errorf("deregistered: %+v", out)
	}
	// Import: adopted from what exists.
	imported := endpointModel{Autoscaling: types.ObjectNull(autoscalingAttrTypes), ScalingRegistered: types.BoolNull()}
	out = imported
	refreshScaling(&out, imported, &liveObjects{scaling: liveScalingOf(sc)})
	if !out.ScalingRegistered.ValueBool() || !out.Autoscaling.Equal(flattenScaling(sc)) {
		t.Errorf("imported: %+v", out)
	}
	// Not configured: left alone, not registered.
	none := endpointModel{Autoscaling: types.ObjectNull(autoscalingAttrTypes), ScalingRegistered: types.BoolValue(false)}
	out = none
	refreshScaling(&out, none, &liveObjects{scaling: liveScalingOf(sc)})
	if out.ScalingRegistered.ValueBool() || !out.Autoscaling.IsNull() {
		t.Errorf("not configured: %+v", out)
	}
}

func TestPlanScaling(t *testing.T) {
	sc := scalingSpec{Min: 2, Max: 11, TargetInvocations: 70, ScaleInCooldownSeconds: 300, ScaleOutCooldownSeconds: 60}
	m := endpointModel{Autoscaling: flattenScaling(sc)}
	n := nestedModels{Autoscaling: autoscalingModel{MinCapacity: types.Int64Value(2), MaxCapacity: types.Int64Value(11)}}
	if got := planScaling(m, n); got.State != facts.StateKnown || got.V.Max != 11 || got.V.Min != 2 {
		t.Errorf("known: %+v", got)
	}
	n.Autoscaling.MaxCapacity = types.Int64Unknown()
	if got := planScaling(m, n); got.State != facts.StateUnknown {
		t.Errorf("unknown max: %+v", got)
	}
	if got := planScaling(endpointModel{Autoscaling: types.ObjectNull(autoscalingAttrTypes)}, nestedModels{}); got.State != facts.StateNull {
		t.Errorf("none: %+v", got)
	}
}

func TestReadsScaling(t *testing.T) {
	none := types.ObjectNull(autoscalingAttrTypes)
	some := flattenScaling(scalingSpec{Min: 2, Max: 3})
	for _, c := range []struct {
		m    endpointModel
		want bool
	}{
		{endpointModel{Autoscaling: none, ScalingRegistered: types.BoolValue(false)}, false}, // no extra calls
		{endpointModel{Autoscaling: some, ScalingRegistered: types.BoolValue(true)}, true},
		{endpointModel{Autoscaling: none, ScalingRegistered: types.BoolNull()}, true}, // import, older state
	} {
		if got := readsScaling(c.m); got != c.want {
			t.Errorf("readsScaling(%+v) = %v", c.m, got)
		}
	}
}
