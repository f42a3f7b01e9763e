// The shared log group /aws/sagemaker/TrainingJobs and the job's guardrail
// evaluation: internal/sagemakerjob, which sagesafe_processing_job shares,
// bound to this job type's log group.

package trainingjob

import (
	"context"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

type (
	prefetched   = sagemakerjob.Prefetched
	logGroupPlan = sagemakerjob.LogGroupPlan
	evaluation   = sagemakerjob.Evaluation
)

var (
	planLogGroup = sagemakerjob.PlanLogGroup
	liveLogGroup = sagemakerjob.LiveLogGroup
	retentionFor = sagemakerjob.RetentionFor
)

// prefetch reads the facts a job's subject depends on, with this job type's
// shared log group.
func prefetch(ctx context.Context, f evaluate.Fetcher, instanceType, key facts.Value[string]) (prefetched, error) {
	return sagemakerjob.Prefetch(ctx, f, LogGroupName, instanceType, key)
}

// runChecks evaluates s with the shared log group as lp says.
func runChecks(ctx context.Context, f evaluate.Fetcher, policy guardrail.Policy, s *guardrail.Subject, lp logGroupPlan) (evaluation, error) {
	return sagemakerjob.RunChecks(ctx, f, policy, s, LogGroupName, lp)
}

// ensureLogGroup makes the shared log group encrypted and retained as lp
// planned.
func (r *trainingJobResource) ensureLogGroup(ctx context.Context, lp logGroupPlan, pre prefetched, key facts.Value[string]) error {
	return sagemakerjob.EnsureLogGroup(ctx, r.data, LogGroupName, lp, pre, key)
}

// What every job resource shares (internal/sagemakerjob).
var (
	lostForcedControls = sagemakerjob.LostForcedControls
	specNames          = sagemakerjob.SpecNames
	alarmDrift         = sagemakerjob.AlarmDrift
	mergedTags         = sagemakerjob.MergedTags
	decodeVPC          = sagemakerjob.DecodeVPC
	flattenVPC         = sagemakerjob.FlattenVPC
	optString          = sagemakerjob.OptString
	optInt             = sagemakerjob.OptInt
	sameSet            = sagemakerjob.SameSet
	vpcAttribute       = sagemakerjob.VPCAttribute
	thresholdAttribute = sagemakerjob.ThresholdAttribute
)

// tagAlarms gives the alarms the job's tags.
func (r *trainingJobResource) tagAlarms(ctx context.Context, specs []alarms.Spec, tags map[string]string, remove []string) error {
	return sagemakerjob.TagAlarms(ctx, r.data.AWS.CloudWatch, specs, tags, remove)
}
