package endpoint

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

// Autoscaling of the endpoint's variant (Application Auto Scaling, which
// is free: only the instances it adds cost). Both calls that set it up are
// upserts keyed by the variant (RegisterScalableTarget updates a registered
// target, PutScalingPolicy replaces a policy of the same name), so a retry
// after a lost answer converges without a token; deletes treat "not found"
// as done.

// Defaults of the autoscaling block.
const (
	DefaultTargetInvocations = 70.0 // per instance per minute, AWS's example value
	DefaultScaleInCooldown   = 300
	DefaultScaleOutCooldown  = 60
)

// scalingSpec is the variant's scalable target and target-tracking policy.
type scalingSpec struct {
	Min, Max                int64
	TargetInvocations       float64
	ScaleInCooldownSeconds  int64
	ScaleOutCooldownSeconds int64
}

func expandScaling(m autoscalingModel) *scalingSpec {
	return &scalingSpec{
		Min: m.MinCapacity.ValueInt64(), Max: m.MaxCapacity.ValueInt64(),
		TargetInvocations:       float64OrDefault(m.TargetInvocations, DefaultTargetInvocations),
		ScaleInCooldownSeconds:  int64OrDefault(m.ScaleInCooldownSeconds, DefaultScaleInCooldown),
		ScaleOutCooldownSeconds: int64OrDefault(m.ScaleOutCooldownSeconds, DefaultScaleOutCooldown),
	}
}

// planScaling is the planned scaling bounds for the guardrails: Null
// without autoscaling, Unknown while a bound is.
func planScaling(m endpointModel, n nestedModels) facts.Value[guardrail.ScalingBounds] {
	switch {
	case m.Autoscaling.IsNull():
		return facts.Null[guardrail.ScalingBounds]()
	case m.Autoscaling.IsUnknown() || n.Autoscaling.MinCapacity.IsUnknown() || n.Autoscaling.MaxCapacity.IsUnknown():
		return facts.Unknown[guardrail.ScalingBounds]()
	}
	return facts.Known(guardrail.ScalingBounds{Min: n.Autoscaling.MinCapacity.ValueInt64(), Max: n.Autoscaling.MaxCapacity.ValueInt64()})
}

// scalingResourceID is the variant as Application Auto Scaling names it.
func scalingResourceID(endpoint string) string {
	return "endpoint/" + endpoint + "/variant/" + VariantName
}

// scalingPolicyName is the name of the endpoint's target-tracking policy.
func scalingPolicyName(endpoint string) string {
	return "sagesafe-endpoint-" + endpoint + "-invocations"
}

// registerScaling registers the variant as a scalable target and puts its
// target-tracking policy on invocations per instance.
func (r *endpointResource) registerScaling(ctx context.Context, endpoint string, sc scalingSpec) error {
	as := r.data.AWS.AutoScaling
	r.data.Reads.ForgetVariantTarget(scalingResourceID(endpoint))
	if _, err := as.RegisterScalableTarget(ctx, &applicationautoscaling.RegisterScalableTargetInput{
		ServiceNamespace:  astypes.ServiceNamespaceSagemaker,
		ResourceId:        aws.String(scalingResourceID(endpoint)),
		ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
		MinCapacity:       aws.Int32(int32(sc.Min)),
		MaxCapacity:       aws.Int32(int32(sc.Max)),
		// Resumes scaling that was suspended outside Terraform (SS-AVL-2).
		SuspendedState: &astypes.SuspendedState{
			DynamicScalingInSuspended: aws.Bool(false), DynamicScalingOutSuspended: aws.Bool(false), ScheduledScalingSuspended: aws.Bool(false),
		},
	}); err != nil {
		return fmt.Errorf("registering the scalable target %s: %w", scalingResourceID(endpoint), err)
	}
	if err := r.removeForeignScaling(ctx, endpoint, scalingPolicyName(endpoint)); err != nil {
		return err
	}
	_, err := as.PutScalingPolicy(ctx, &applicationautoscaling.PutScalingPolicyInput{
		PolicyName:        aws.String(scalingPolicyName(endpoint)),
		ServiceNamespace:  astypes.ServiceNamespaceSagemaker,
		ResourceId:        aws.String(scalingResourceID(endpoint)),
		ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
		PolicyType:        astypes.PolicyTypeTargetTrackingScaling,
		TargetTrackingScalingPolicyConfiguration: &astypes.TargetTrackingScalingPolicyConfiguration{
			TargetValue: aws.Float64(sc.TargetInvocations),
			PredefinedMetricSpecification: &astypes.PredefinedMetricSpecification{
				PredefinedMetricType: astypes.MetricTypeSageMakerVariantInvocationsPerInstance,
			},
			ScaleInCooldown:  aws.Int32(int32(sc.ScaleInCooldownSeconds)),
			ScaleOutCooldown: aws.Int32(int32(sc.ScaleOutCooldownSeconds)),
		},
	})
	if err != nil {
		return fmt.Errorf("putting the scaling policy %s: %w", scalingPolicyName(endpoint), err)
	}
	return nil
}

// deregisterScaling deletes every policy and scheduled action of the
// variant (sagesafe's and any made outside Terraform), then deregisters the
// target, as SageMaker requires before an update that changes the instance
// type. Without `autoscaling` the variant runs instance_count instances: a
// target registered outside Terraform is drift, removed here.
func (r *endpointResource) deregisterScaling(ctx context.Context, endpoint string) error {
	as := r.data.AWS.AutoScaling
	if err := r.deleteScalingPolicy(ctx, endpoint, scalingPolicyName(endpoint)); err != nil {
		return err
	}
	if err := r.removeForeignScaling(ctx, endpoint, ""); err != nil {
		return err
	}
	r.data.Reads.ForgetVariantTarget(scalingResourceID(endpoint))
	_, err := as.DeregisterScalableTarget(ctx, &applicationautoscaling.DeregisterScalableTargetInput{
		ServiceNamespace:  astypes.ServiceNamespaceSagemaker,
		ResourceId:        aws.String(scalingResourceID(endpoint)),
		ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
	})
	if err != nil && !scalingNotFound(err) {
		return fmt.Errorf("deregistering the scalable target %s: %w", scalingResourceID(endpoint), err)
	}
	return nil
}

// reconcileScaling registers (an upsert) or deregisters the variant's
// autoscaling as the spec says.
func (r *endpointResource) reconcileScaling(ctx context.Context, s spec, diags *diag.Diagnostics) bool {
	if s.Scaling == nil {
		if err := r.deregisterScaling(ctx, s.Name); err != nil {
			diags.AddError("Removing the endpoint's autoscaling failed", err.Error())
			return false
		}
		return true
	}
	if err := r.registerScaling(ctx, s.Name, *s.Scaling); err != nil {
		diags.AddError("Registering the endpoint's autoscaling failed", err.Error())
		return false
	}
	return true
}

func scalingNotFound(err error) bool {
	var nf *astypes.ObjectNotFoundException
	return errors.As(err, &nf)
}

// liveScaling is the variant's scalable target and sagesafe's policy as
// read; nil fields when missing. foreign are the names of the target's
// other policies and scheduled the target's scheduled actions (sagesafe
// makes none).
type liveScaling struct {
	target    *astypes.ScalableTarget
	policy    *astypes.ScalingPolicy
	foreign   []string
	scheduled []astypes.ScheduledAction
}

// readScaling reads the variant's scalable target, its policies and its
// scheduled actions. It is called on every refresh, with or without
// `autoscaling`: a target registered outside Terraform on an endpoint
// without it scales the variant all the same (the target from the command's
// shared listing, or one DescribeScalableTargets when shared is nil; the
// policies and actions are read only when there is a target).
func (r *endpointResource) readScaling(ctx context.Context, endpoint string, shared *providerdata.Reads) (liveScaling, error) {
	var l liveScaling
	t, err := shared.VariantTarget(ctx, r.data.AWS.AutoScaling, scalingResourceID(endpoint))
	if err != nil || t == nil {
		return l, err
	}
	l.target = t
	policies, err := r.scalingPolicies(ctx, endpoint)
	if err != nil {
		return l, err
	}
	for i, p := range policies {
		if aws.ToString(p.PolicyName) == scalingPolicyName(endpoint) {
			l.policy = &policies[i]
		} else {
			l.foreign = append(l.foreign, aws.ToString(p.PolicyName))
		}
	}
	l.scheduled, err = r.scheduledActions(ctx, endpoint)
	return l, err
}

// specOf is what the live target and policy amount to; false when either
// is missing or the policy is not target tracking on invocations per
// instance (then the next apply puts sagesafe's back).
func (l liveScaling) specOf() (scalingSpec, bool) {
	if l.target == nil || l.policy == nil || l.policy.TargetTrackingScalingPolicyConfiguration == nil {
		return scalingSpec{}, false
	}
	c := l.policy.TargetTrackingScalingPolicyConfiguration
	if c.PredefinedMetricSpecification == nil || c.PredefinedMetricSpecification.PredefinedMetricType != astypes.MetricTypeSageMakerVariantInvocationsPerInstance ||
		aws.ToBool(c.DisableScaleIn) {
		return scalingSpec{}, false
	}
	return scalingSpec{
		Min: int64(aws.ToInt32(l.target.MinCapacity)), Max: int64(aws.ToInt32(l.target.MaxCapacity)),
		TargetInvocations:       aws.ToFloat64(c.TargetValue),
		ScaleInCooldownSeconds:  int64(aws.ToInt32(c.ScaleInCooldown)),
		ScaleOutCooldownSeconds: int64(aws.ToInt32(c.ScaleOutCooldown)),
	}, true
}

// refreshScaling reads the live target and policy back: changed bounds,
// target or cooldowns become the attribute's values (a diff); a missing or
// replaced target or policy, or anything on the target sagesafe did not
// make (another policy, a scheduled action, suspended scaling), turns
// autoscaling_registered false (a diff), and the apply puts it right. An
// endpoint without autoscaling in the state has autoscaling_registered
// true when any target is registered (a diff: the apply deregisters it),
// unless sagesafe's own policy exists on import, which adopts it.
func refreshScaling(out *endpointModel, base endpointModel, l *liveObjects) {
	live, ok := l.scaling.specOf()
	clean := len(l.scaling.notOurs()) == 0
	out.ScalingRegistered = types.BoolValue(ok && clean && !base.Autoscaling.IsNull())
	if base.Autoscaling.IsNull() {
		out.ScalingRegistered = types.BoolValue(l.scaling.target != nil)
		if ok && base.ScalingRegistered.IsNull() { // import: adopt what exists
			out.Autoscaling = flattenScaling(live)
			out.ScalingRegistered = types.BoolValue(clean)
		}
		return
	}
	if ok {
		out.Autoscaling = flattenScaling(live)
	}
}

func flattenScaling(sc scalingSpec) types.Object {
	return types.ObjectValueMust(autoscalingAttrTypes, map[string]attr.Value{
		"min_capacity":                    types.Int64Value(sc.Min),
		"max_capacity":                    types.Int64Value(sc.Max),
		"target_invocations_per_instance": types.Float64Value(sc.TargetInvocations),
		"scale_in_cooldown_seconds":       types.Int64Value(sc.ScaleInCooldownSeconds),
		"scale_out_cooldown_seconds":      types.Int64Value(sc.ScaleOutCooldownSeconds),
	})
}

var autoscalingAttrTypes = map[string]attr.Type{
	"min_capacity":                    types.Int64Type,
	"max_capacity":                    types.Int64Type,
	"target_invocations_per_instance": types.Float64Type,
	"scale_in_cooldown_seconds":       types.Int64Type,
	"scale_out_cooldown_seconds":      types.Int64Type,
}
