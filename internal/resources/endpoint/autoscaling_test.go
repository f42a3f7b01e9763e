package endpoint

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	astypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	// Not configured but registered: autoscaling stays null and
	// autoscaling_registered turns true, a diff the apply removes.
	none := endpointModel{Autoscaling: types.ObjectNull(autoscalingAttrTypes), ScalingRegistered: types.BoolValue(false)}
	out = none
	refreshScaling(&out, none, &liveObjects{scaling: liveScalingOf(sc)})
	if !out.ScalingRegistered.ValueBool() || !out.Autoscaling.IsNull() {
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

// TestRefreshScalingSeesForeignScaling: a target registered outside
// Terraform on an endpoint without autoscaling, and a policy, scheduled
// action or suspension sagesafe did not make on an autoscaled one, turn
// autoscaling_registered to the value that makes a diff (the red team's
// out-of-band scaling and scheduled action probes).
func TestRefreshScalingSeesForeignScaling(t *testing.T) {
	none := types.ObjectNull(autoscalingAttrTypes)
	sc := scalingSpec{Min: 2, Max: 4, TargetInvocations: 70, ScaleInCooldownSeconds: 300, ScaleOutCooldownSeconds: 60}
	registered := func(base endpointModel, l liveScaling) bool {
		out := base
		refreshScaling(&out, base, &liveObjects{scaling: l})
		return out.ScalingRegistered.ValueBool()
	}
	without := endpointModel{Autoscaling: none, ScalingRegistered: types.BoolValue(false)}
	foreignTarget := liveScaling{target: &astypes.ScalableTarget{MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(1000)}, foreign: []string{"not-sagesafe"}}
	if registered(without, liveScaling{}) {
		t.Error("no target: registered")
	}
	if !registered(without, foreignTarget) {
		t.Error("a foreign target on an endpoint without autoscaling makes no diff")
	}
	with := endpointModel{Autoscaling: flattenScaling(sc), ScalingRegistered: types.BoolValue(true)}
	if !registered(with, liveScalingOf(sc)) {
		t.Error("sagesafe's own target and policy are not registered")
	}
	scheduled := liveScalingOf(sc)
	scheduled.scheduled = []astypes.ScheduledAction{{ScheduledActionName: aws.String("every-minute"),
		ScalableTargetAction: &astypes.ScalableTargetAction{MinCapacity: aws.Int32(1), MaxCapacity: aws.Int32(1000)}}}
	suspended := liveScalingOf(sc)
	suspended.target.SuspendedState = &astypes.SuspendedState{DynamicScalingOutSuspended: aws.Bool(true)}
	extra := liveScalingOf(sc)
	extra.foreign = []string{"not-sagesafe"}
	for name, l := range map[string]liveScaling{"scheduled action": scheduled, "suspended": suspended, "foreign policy": extra} {
		if registered(with, l) {
			t.Errorf("%s: autoscaling_registered stays true", name)
		}
	}
	b := scheduled.bounds()
	if !b.IsKnown() || len(b.V.Scheduled) != 1 || b.V.Scheduled[0].Max.V != 1000 || b.V.Scheduled[0].Min.V != 1 {
		t.Errorf("bounds of the scheduled action: %+v", b)
	}
	if !suspended.bounds().V.ScaleOutSuspended {
		t.Error("suspended scale-out not in the bounds")
	}
	if (liveScaling{}).bounds().IsKnown() {
		t.Error("no target has bounds")
	}
}

// TestRefreshInstanceCount: without autoscaling, instance_count is the count
// the variant runs (a count set outside Terraform is a diff); with it, the
// configuration's count stays.
func TestRefreshInstanceCount(t *testing.T) {
	ep := &sagemaker.DescribeEndpointOutput{ProductionVariants: []smtypes.ProductionVariantSummary{
		{VariantName: aws.String(VariantName), DesiredInstanceCount: aws.Int32(1), CurrentInstanceCount: aws.Int32(2)}}}
	out := endpointModel{Autoscaling: types.ObjectNull(autoscalingAttrTypes), InstanceCount: types.Int64Value(2)}
	refreshInstanceCount(&out, &liveObjects{ep: ep})
	if out.InstanceCount.ValueInt64() != 1 {
		t.Errorf("instance_count = %v, want the desired count 1", out.InstanceCount)
	}
	// Autoscaled: a count within min..max is autoscaling's; one outside
	// (1 < min 2, set outside Terraform) shows, and the apply restores it.
	within := &sagemaker.DescribeEndpointOutput{ProductionVariants: []smtypes.ProductionVariantSummary{
		{VariantName: aws.String(VariantName), DesiredInstanceCount: aws.Int32(3)}}}
	out = endpointModel{Autoscaling: flattenScaling(scalingSpec{Min: 2, Max: 4}), InstanceCount: types.Int64Value(2)}
	refreshInstanceCount(&out, &liveObjects{ep: within})
	if out.InstanceCount.ValueInt64() != 2 {
		t.Errorf("autoscaled within bounds: instance_count = %v, want 2", out.InstanceCount)
	}
	refreshInstanceCount(&out, &liveObjects{ep: ep})
	if out.InstanceCount.ValueInt64() != 1 {
		t.Errorf("autoscaled below min: instance_count = %v, want the live 1", out.InstanceCount)
	}
	sc := &scalingSpec{Min: 2, Max: 4}
	for _, c := range []struct {
		scaling      *scalingSpec
		config, live int64
		want         int64
		restore      bool
	}{
		{nil, 2, 2, 2, false}, {nil, 2, 5, 2, true},
		{sc, 2, 3, 0, false}, {sc, 2, 1, 2, true}, {sc, 2, 9, 2, true}, {sc, 1, 9, 2, true}, {sc, 6, 1, 4, true},
	} {
		if got, restore := countToRestore(spec{InstanceCount: c.config, Scaling: c.scaling}, c.live); got != c.want || restore != c.restore {
			t.Errorf("countToRestore(%+v, %d, live %d) = %d, %v; want %d, %v", c.scaling, c.config, c.live, got, restore, c.want, c.restore)
		}
	}
	if n := liveInstanceCount(&sagemaker.DescribeEndpointOutput{}); n.IsKnown() {
		t.Errorf("no variant: %+v", n)
	}
}

// TestWarnForeignScaling: the refresh names what it found on the target.
func TestWarnForeignScaling(t *testing.T) {
	var diags diag.Diagnostics
	l := liveScaling{target: &astypes.ScalableTarget{}, foreign: []string{"not-sagesafe"},
		scheduled: []astypes.ScheduledAction{{ScheduledActionName: aws.String("every-minute")}}}
	warnForeignScaling("churn", true, &liveObjects{scaling: l}, &diags)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "a scalable target") ||
		!strings.Contains(diags[0].Detail(), "scaling policy not-sagesafe") || !strings.Contains(diags[0].Detail(), "scheduled action every-minute") {
		t.Errorf("warning: %v", diags)
	}
	diags = nil
	warnForeignScaling("churn", true, &liveObjects{}, &diags)
	if len(diags) != 0 {
		t.Errorf("nothing registered: %v", diags)
	}
}
