package endpoint

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// Scaling changed outside Terraform: a scalable target, policy or scheduled
// action sagesafe did not make, suspended scaling, or an instance count set
// with UpdateEndpointWeightsAndCapacities. Each changes how many instances
// the variant runs without changing the endpoint configuration, so only the
// variant's live count and Application Auto Scaling show them. The refresh
// reads them (readScaling, liveInstanceCount), the guardrails check them
// (SS-AVL-1, SS-AVL-2) and the apply puts them back.

// scalingPolicies lists every scaling policy of the variant's target.
func (r *endpointResource) scalingPolicies(ctx context.Context, endpoint string) ([]astypes.ScalingPolicy, error) {
	pages := applicationautoscaling.NewDescribeScalingPoliciesPaginator(r.data.AWS.AutoScaling, &applicationautoscaling.DescribeScalingPoliciesInput{
		ServiceNamespace:  astypes.ServiceNamespaceSagemaker,
		ResourceId:        aws.String(scalingResourceID(endpoint)),
		ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
	})
	out, err := allPages(ctx, pages, func(p *applicationautoscaling.DescribeScalingPoliciesOutput) []astypes.ScalingPolicy {
		return p.ScalingPolicies
	})
	if err != nil {
		return nil, fmt.Errorf("describing the scaling policies of %s: %w", scalingResourceID(endpoint), err)
	}
	return out, nil
}

// scheduledActions lists every scheduled action of the variant's target.
func (r *endpointResource) scheduledActions(ctx context.Context, endpoint string) ([]astypes.ScheduledAction, error) {
	pages := applicationautoscaling.NewDescribeScheduledActionsPaginator(r.data.AWS.AutoScaling, &applicationautoscaling.DescribeScheduledActionsInput{
		ServiceNamespace:  astypes.ServiceNamespaceSagemaker,
		ResourceId:        aws.String(scalingResourceID(endpoint)),
		ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
	})
	out, err := allPages(ctx, pages, func(p *applicationautoscaling.DescribeScheduledActionsOutput) []astypes.ScheduledAction {
		return p.ScheduledActions
	})
	if err != nil {
		return nil, fmt.Errorf("describing the scheduled actions of %s: %w", scalingResourceID(endpoint), err)
	}
	return out, nil
}

// paginator is an SDK paginator of Application Auto Scaling.
type paginator[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*applicationautoscaling.Options)) (O, error)
}

// allPages collects the items of every page.
func allPages[O, T any](ctx context.Context, pages paginator[O], items func(O) []T) ([]T, error) {
	var out []T
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items(p)...)
	}
	return out, nil
}

// notOurs describes what is on the variant's target that sagesafe did not
// put there: other policies, scheduled actions and suspended scaling.
func (l liveScaling) notOurs() []string {
	if l.target == nil {
		return nil
	}
	var out []string
	for _, p := range l.foreign {
		out = append(out, "scaling policy "+p)
	}
	for _, a := range l.scheduled {
		out = append(out, "scheduled action "+aws.ToString(a.ScheduledActionName))
	}
	if st := l.target.SuspendedState; st != nil &&
		(aws.ToBool(st.DynamicScalingInSuspended) || aws.ToBool(st.DynamicScalingOutSuspended) || aws.ToBool(st.ScheduledScalingSuspended)) {
		out = append(out, "suspended scaling")
	}
	return out
}

// bounds is the target as the guardrails see it (SS-AVL-2): its bounds,
// the bounds each scheduled action sets, and whether scale-out is
// suspended; Null without a target.
func (l liveScaling) bounds() facts.Value[guardrail.ScalingBounds] {
	if l.target == nil {
		return facts.Null[guardrail.ScalingBounds]()
	}
	b := guardrail.ScalingBounds{Min: int64(aws.ToInt32(l.target.MinCapacity)), Max: int64(aws.ToInt32(l.target.MaxCapacity))}
	for _, a := range l.scheduled {
		sb := guardrail.ScheduledBounds{Name: aws.ToString(a.ScheduledActionName), Min: facts.Null[int64](), Max: facts.Null[int64]()}
		if t := a.ScalableTargetAction; t != nil {
			sb.Min, sb.Max = optionalCount(t.MinCapacity), optionalCount(t.MaxCapacity)
		}
		b.Scheduled = append(b.Scheduled, sb)
	}
	b.ScaleOutSuspended = l.target.SuspendedState != nil && aws.ToBool(l.target.SuspendedState.DynamicScalingOutSuspended)
	return facts.Known(b)
}

func optionalCount(n *int32) facts.Value[int64] {
	if n == nil {
		return facts.Null[int64]()
	}
	return facts.Known(int64(*n))
}

// deleteScalingPolicy deletes one policy of the variant; not found is done.
func (r *endpointResource) deleteScalingPolicy(ctx context.Context, endpoint, policy string) error {
	_, err := r.data.AWS.AutoScaling.DeleteScalingPolicy(ctx, &applicationautoscaling.DeleteScalingPolicyInput{
		PolicyName:        aws.String(policy),
		ServiceNamespace:  astypes.ServiceNamespaceSagemaker,
		ResourceId:        aws.String(scalingResourceID(endpoint)),
		ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
	})
	if err != nil && !scalingNotFound(err) {
		return fmt.Errorf("deleting the scaling policy %s: %w", policy, err)
	}
	return nil
}

// removeForeignScaling deletes every policy of the variant but keep ("" for
// none) and every scheduled action: sagesafe makes one target-tracking
// policy and no scheduled action, and anything else scales the variant
// outside the bounds the guardrails checked. Deletes are keyed by name and
// not found is done, so a retry after a lost answer converges.
func (r *endpointResource) removeForeignScaling(ctx context.Context, endpoint, keep string) error {
	policies, err := r.scalingPolicies(ctx, endpoint)
	if err != nil {
		return err
	}
	for _, p := range policies {
		if name := aws.ToString(p.PolicyName); name != keep {
			if err := r.deleteScalingPolicy(ctx, endpoint, name); err != nil {
				return err
			}
		}
	}
	actions, err := r.scheduledActions(ctx, endpoint)
	if err != nil {
		return err
	}
	for _, a := range actions {
		_, err := r.data.AWS.AutoScaling.DeleteScheduledAction(ctx, &applicationautoscaling.DeleteScheduledActionInput{
			ScheduledActionName: a.ScheduledActionName,
			ServiceNamespace:    astypes.ServiceNamespaceSagemaker,
			ResourceId:          aws.String(scalingResourceID(endpoint)),
			ScalableDimension:   astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
		})
		if err != nil && !scalingNotFound(err) {
			return fmt.Errorf("deleting the scheduled action %s: %w", aws.ToString(a.ScheduledActionName), err)
		}
	}
	return nil
}

// liveInstanceCount is the instance count the endpoint's variant runs: its
// desired count (what SageMaker converges to, which autoscaling and
// UpdateEndpointWeightsAndCapacities set), else its current count; Null when
// DescribeEndpoint reports neither.
func liveInstanceCount(ep *sagemaker.DescribeEndpointOutput) facts.Value[int64] {
	if ep == nil {
		return facts.Null[int64]()
	}
	for _, v := range ep.ProductionVariants {
		if aws.ToString(v.VariantName) != VariantName {
			continue
		}
		if v.DesiredInstanceCount != nil {
			return facts.Known(int64(*v.DesiredInstanceCount))
		}
		return optionalCount(v.CurrentInstanceCount)
	}
	return facts.Null[int64]()
}

// restoreInstanceCount sets the variant's instance count back to
// instance_count when it runs another (set outside Terraform, or left by
// autoscaling that was removed), and waits until the endpoint is in service
// again. Without autoscaling only; ep is the endpoint as last described. It
// sets a value: after a lost answer, the retry is refused while the endpoint
// updates, so a refusal is success when the endpoint is updating to, or
// runs, the count.
func (r *endpointResource) restoreInstanceCount(ctx context.Context, s spec, ep *sagemaker.DescribeEndpointOutput) (*sagemaker.DescribeEndpointOutput, error) {
	live := liveInstanceCount(ep)
	if !live.IsKnown() {
		return ep, nil
	}
	want, restore := countToRestore(s, live.V)
	if !restore {
		return ep, nil
	}
	sm := r.data.AWS.SageMaker
	_, err := sm.UpdateEndpointWeightsAndCapacities(ctx, &sagemaker.UpdateEndpointWeightsAndCapacitiesInput{
		EndpointName: aws.String(s.Name),
		DesiredWeightsAndCapacities: []smtypes.DesiredWeightAndCapacity{
			{VariantName: aws.String(VariantName), DesiredInstanceCount: aws.Int32(int32(want))}},
	})
	if err != nil {
		now, ferr := findEndpoint(ctx, sm, s.Name)
		if ferr != nil || !countPending(now, want) {
			return nil, fmt.Errorf("setting the instance count of endpoint %s to %d: %w", s.Name, want, err)
		}
	}
	return waitSettled(ctx, sm, s.Name)
}

// countToRestore is the count a variant running live instances is set back
// to, if any: instance_count without autoscaling; with it, only a count
// outside min..max is restored, to instance_count when that is within them
// (else the nearest bound): inside them the count is autoscaling's to move.
func countToRestore(s spec, live int64) (int64, bool) {
	if s.Scaling == nil {
		return s.InstanceCount, live != s.InstanceCount
	}
	lo, hi := s.Scaling.Min, s.Scaling.Max
	if live >= lo && live <= hi {
		return 0, false
	}
	return min(max(s.InstanceCount, lo), hi), true
}

// countPending reports whether ep runs, or is updating to, count instances:
// SageMaker reports the new desired count as soon as it accepts the change.
func countPending(ep *sagemaker.DescribeEndpointOutput, count int64) bool {
	n := liveInstanceCount(ep)
	return n.IsKnown() && n.V == count
}
