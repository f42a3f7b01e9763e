// Update's steps: put the log group, the job's tags and its alarms back as
// planned; and the alarm settings of an imported job.

package processingjob

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// restore makes the shared log group, the job's tags and its alarms what
// plan says, deleting alarms of state the plan no longer has, and returns
// the live job. ok is false when a call failed.
func (r *processingJobResource) restore(ctx context.Context, plan, state model, diags *diag.Diagnostics) (*sagemaker.DescribeProcessingJobOutput, bool) {
	in, d := decode(ctx, plan)
	diags.Append(d...)
	name := state.Name.ValueString()
	pre, err := r.prefetch(ctx, in.InstanceType, in.KMSKey)
	if err != nil {
		diags.AddError("Checking the processing job's dependencies failed", err.Error())
		return nil, false
	}
	lp := sagemakerjob.PlanLogGroup(pre, in.KMSKey, r.data.Policy.MinLogRetentionDays)
	if err := sagemakerjob.EnsureLogGroup(ctx, r.data, LogGroupName, lp, pre, in.KMSKey); err != nil {
		diags.AddAttributeError(path.Root("log_group_name"), "Restoring the shared log group "+LogGroupName+" failed", err.Error())
		return nil, false
	}
	job, err := r.jobs().Find(ctx, name)
	if err != nil {
		diags.AddError("Reading processing job "+name+" failed", err.Error())
		return nil, false
	}
	tags := mergedTags(r.data, in.Tags).V
	removed, err := r.jobs().SyncTags(ctx, r.data, aws.ToString(job.ProcessingJobArn), tags)
	if err != nil {
		diags.AddError("Tagging processing job "+name+" failed", err.Error())
		return nil, false
	}
	specs := alarmSpecs(name, int(in.InstanceCount.V), in.Alarms, in.Alarms.effectiveActions(r.data).V, tags)
	r.data.Reads.ForgetAlarms(specNames(specs)...) // reads in this command ask AWS again
	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, specs); err != nil {
		diags.AddError("Updating the alarms of processing job "+name+" failed", err.Error())
		return nil, false
	}
	keep := specNames(specs)
	var stale []string
	for _, v := range state.AlarmNames.Elements() {
		if s, ok := v.(types.String); ok && !slices.Contains(keep, s.ValueString()) {
			stale = append(stale, s.ValueString())
		}
	}
	r.data.Reads.ForgetAlarms(stale...)
	if err := alarms.Delete(ctx, r.data.AWS.CloudWatch, stale); err != nil {
		diags.AddError("Deleting stale alarms of processing job "+name+" failed", err.Error())
		return nil, false
	}
	if err := r.tagAlarms(ctx, specs, tags, removed); err != nil {
		diags.AddError("Tagging the alarms of processing job "+name+" failed", err.Error())
		return nil, false
	}
	return job, true
}

// importAlarmSettings recovers the alarms attribute of an imported job from
// its alarms.
func (r *processingJobResource) importAlarmSettings(ctx context.Context, job *sagemaker.DescribeProcessingJobOutput, diags *diag.Diagnostics) types.Object {
	specs := alarmSpecs(aws.ToString(job.ProcessingJobName), 1, alarmSettings{Actions: facts.Null[[]string]()}, nil, nil)
	live, err := alarms.Describe(ctx, r.data.AWS.CloudWatch, specNames(specs))
	if err != nil {
		diags.AddWarning("Reading the alarms of imported processing job "+aws.ToString(job.ProcessingJobName)+" failed", err.Error())
		return defaultAlarms()
	}
	return importedAlarms(live, specs, r.data.AlarmActions)
}
