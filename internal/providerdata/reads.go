package providerdata

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/readcache"
)

// ScalingAPI is the part of the Application Auto Scaling client Reads uses.
type ScalingAPI interface {
	DescribeScalableTargets(context.Context, *applicationautoscaling.DescribeScalableTargetsInput, ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalableTargetsOutput, error)
}

// Reads are the reads every resource refreshed in one Terraform command
// shares (internal/readcache): alarms, log groups and the scalable targets of
// SageMaker variants are listed by name prefix once, and the tags of
// SageMaker endpoints by ARN prefix (endpointtags.go), on the first refresh
// that needs them, instead of once per workload. Resources use them on
// refresh (Read), where nothing is written; a read right after a resource's
// own write asks AWS directly, and the write Forgets what it changed.
//
// A nil *Reads reads everything directly (unit tests, a provider that was
// not configured with AWS clients).
type Reads struct {
	alarms    *readcache.Prefixed[cwtypes.MetricAlarm]
	logGroups *readcache.Prefixed[logstypes.LogGroup]
	targets   *readcache.Prefixed[astypes.ScalableTarget]
	// endpointTags are endpoint tags by endpoint ARN (endpointtags.go).
	endpointTags *readcache.Prefixed[map[string]string]
}

// NewReads returns the shared reads of one provider configuration, listing
// with the given clients.
func NewReads(cw alarms.API, logs loggroup.API, scaling ScalingAPI, tagging TaggingAPI) *Reads {
	return &Reads{
		alarms: readcache.New(func(ctx context.Context, prefix string) (map[string]cwtypes.MetricAlarm, error) {
			return alarms.ListByPrefix(ctx, cw, prefix)
		}),
		logGroups: readcache.New(func(ctx context.Context, prefix string) (map[string]logstypes.LogGroup, error) {
			return loggroup.ListByPrefix(ctx, logs, prefix)
		}),
		targets: readcache.New(func(ctx context.Context, prefix string) (map[string]astypes.ScalableTarget, error) {
			return listVariantTargets(ctx, scaling, prefix)
		}),
		endpointTags: readcache.New(func(ctx context.Context, prefix string) (map[string]map[string]string, error) {
			return listEndpointTags(ctx, tagging, prefix)
		}),
	}
}

// Alarms returns the named alarms that exist, every name starting with
// prefix: from the command's listing of prefix, and from DescribeAlarms for
// the names written in this command.
func (r *Reads) Alarms(ctx context.Context, api alarms.API, prefix string, names []string) (map[string]cwtypes.MetricAlarm, error) {
	if r == nil {
		return alarms.Describe(ctx, api, names)
	}
	found, unlisted, err := r.alarms.Get(ctx, prefix, names)
	if err != nil {
		return nil, err
	}
	if len(unlisted) > 0 {
		more, err := alarms.Describe(ctx, api, unlisted)
		if err != nil {
			return nil, err
		}
		maps.Copy(found, more)
	}
	return found, nil
}

// LogGroup returns the log group name, which starts with prefix, or an error
// wrapping loggroup.ErrNotFound: from the command's listing of prefix, or
// from DescribeLogGroups when the group was written in this command.
func (r *Reads) LogGroup(ctx context.Context, api loggroup.API, prefix, name string) (*logstypes.LogGroup, error) {
	if r == nil {
		return loggroup.Find(ctx, api, name)
	}
	found, unlisted, err := r.logGroups.Get(ctx, prefix, []string{name})
	if err != nil {
		return nil, err
	}
	if len(unlisted) > 0 {
		return loggroup.Find(ctx, api, name)
	}
	lg, ok := found[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", loggroup.ErrNotFound, name)
	}
	return &lg, nil
}

// VariantTarget returns the scalable target of a SageMaker variant's
// desired instance count with this resource ID ("endpoint/<name>/variant/
// <variant>"), nil when none is registered: from the command's listing of
// every such target, or from DescribeScalableTargets when it was written in
// this command.
func (r *Reads) VariantTarget(ctx context.Context, api ScalingAPI, resourceID string) (*astypes.ScalableTarget, error) {
	if r == nil {
		return describeVariantTarget(ctx, api, resourceID)
	}
	found, unlisted, err := r.targets.Get(ctx, variantTargetPrefix, []string{resourceID})
	if err != nil {
		return nil, err
	}
	if len(unlisted) > 0 {
		return describeVariantTarget(ctx, api, resourceID)
	}
	if t, ok := found[resourceID]; ok {
		return &t, nil
	}
	return nil, nil
}

// ForgetAlarms, ForgetLogGroup and ForgetVariantTarget record a write
// (create, change, delete) of the named objects: later reads of them in this
// command ask AWS. Safe on a nil *Reads.
func (r *Reads) ForgetAlarms(names ...string) {
	if r != nil {
		r.alarms.Forget(names...)
	}
}

// ForgetLogGroup: see ForgetAlarms.
func (r *Reads) ForgetLogGroup(name string) {
	if r != nil {
		r.logGroups.Forget(name)
	}
}

// ForgetVariantTarget: see ForgetAlarms.
func (r *Reads) ForgetVariantTarget(resourceID string) {
	if r != nil {
		r.targets.Forget(resourceID)
	}
}

// variantTargetPrefix starts the resource ID of every endpoint variant's
// scalable target.
const variantTargetPrefix = "endpoint/"

// scalingPage is DescribeScalableTargets' largest page.
const scalingPage = 50

// listVariantTargets returns every scalable target of a SageMaker variant's
// desired instance count whose resource ID starts with prefix, by resource ID
// (DescribeScalableTargets of the namespace, every page: the API filters by
// exact IDs only).
func listVariantTargets(ctx context.Context, api ScalingAPI, prefix string) (map[string]astypes.ScalableTarget, error) {
	if api == nil {
		return nil, errors.New("no Application Auto Scaling client configured")
	}
	out := map[string]astypes.ScalableTarget{}
	p := applicationautoscaling.NewDescribeScalableTargetsPaginator(api, &applicationautoscaling.DescribeScalableTargetsInput{
		ServiceNamespace:  astypes.ServiceNamespaceSagemaker,
		ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
		MaxResults:        aws.Int32(scalingPage),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the scalable targets of SageMaker variants: %w", err)
		}
		for _, t := range page.ScalableTargets {
			if id := aws.ToString(t.ResourceId); strings.HasPrefix(id, prefix) {
				out[id] = t
			}
		}
	}
	return out, nil
}

// describeVariantTarget asks for the one target with this resource ID.
func describeVariantTarget(ctx context.Context, api ScalingAPI, resourceID string) (*astypes.ScalableTarget, error) {
	t, err := api.DescribeScalableTargets(ctx, &applicationautoscaling.DescribeScalableTargetsInput{
		ServiceNamespace:  astypes.ServiceNamespaceSagemaker,
		ResourceIds:       []string{resourceID},
		ScalableDimension: astypes.ScalableDimensionSageMakerVariantDesiredInstanceCount,
	})
	if err != nil {
		return nil, fmt.Errorf("describing the scalable target %s: %w", resourceID, err)
	}
	if len(t.ScalableTargets) == 0 {
		return nil, nil
	}
	return &t.ScalableTargets[0], nil
}
