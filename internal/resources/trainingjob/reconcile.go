// Update's steps: put the job's tags and alarms back as planned.

package trainingjob

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
)

// syncTags makes the job's tags (AWS's own and the creation tags aside)
// tags, and returns the keys it removed. ok is false when a call failed.
func (r *trainingJobResource) syncTags(ctx context.Context, name, arn string, tags map[string]string, diags *diag.Diagnostics) (removed []string, ok bool) {
	removed, err := r.jobs().SyncTags(ctx, r.data, arn, tags)
	if err != nil {
		diags.AddError("Tagging training job "+name+" failed", err.Error())
		return nil, false
	}
	return removed, true
}

// syncAlarms puts the job's alarms as planned, deletes those of state it no
// longer has, and gives them the job's tags (removed: the keys the job lost).
// It returns the alarm names by kind; ok is false when a call failed.
func (r *trainingJobResource) syncAlarms(ctx context.Context, name string, in inputs, pre prefetched, tags map[string]string, removed []string, stateNames types.Map, diags *diag.Diagnostics) (wanted map[string]string, ok bool) {
	specs := r.alarmSpecs(name, in, pre, tags)
	r.data.Reads.ForgetAlarms(specNames(specs)...) // reads in this command ask AWS again
	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, specs); err != nil {
		diags.AddError("Updating the alarms of training job "+name+" failed", err.Error())
		return nil, false
	}
	wanted = alarms.TrainingNames(specs)
	keep := slices.Collect(maps.Values(wanted))
	var stale []string
	for _, v := range stateNames.Elements() {
		if s, ok := v.(types.String); ok && !slices.Contains(keep, s.ValueString()) {
			stale = append(stale, s.ValueString())
		}
	}
	if len(stale) > 0 {
		r.data.Reads.ForgetAlarms(stale...)
		if err := alarms.Delete(ctx, r.data.AWS.CloudWatch, stale); err != nil {
			diags.AddError("Deleting stale alarms of training job "+name+" failed", err.Error())
			return nil, false
		}
	}
	if err := r.tagAlarms(ctx, specs, tags, removed); err != nil {
		diags.AddError("Tagging the alarms of training job "+name+" failed", err.Error())
		return nil, false
	}
	return wanted, true
}
