// The plan of a change to an existing job: what forces a new job, and what
// an update in place restores.

package trainingjob

import (
	"context"
	"fmt"
	"strings"

	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// mustReplace reports whether the change needs a new job: an input changed
// (the schema marks those RequiresReplace), the job failed, or the live job
// lacks forced settings the plan holds. The last two add their attribute to
// requiresReplace; lost forced settings are also warned about.
func mustReplace(plan, state model, ev evaluation, requiresReplace *path.Paths, diags *diag.Diagnostics) bool {
	replace := len(immutableChanges(plan, state)) > 0
	if state.Status.ValueString() == string(smtypes.TrainingJobStatusFailed) {
		replace = true
		*requiresReplace = append(*requiresReplace, path.Root("status"))
	}
	if lost := lostForcedControls(state.Controls, ev.Controls); len(lost) > 0 {
		replace = true
		*requiresReplace = append(*requiresReplace, path.Root("controls"))
		diags.AddWarning(fmt.Sprintf("%s: training job %s lacks forced settings and will be replaced", strings.Join(lost, ", "), state.Name.ValueString()),
			"The live job does not hold "+strings.Join(lost, ", ")+" (it was created outside sagesafe or imported). A training job cannot be changed, so the next apply creates a new job with the forced settings.")
	}
	return replace
}

// planReplacement plans a new job: everything SageMaker computes is unknown,
// and a configured name that the old job holds is refused.
func planReplacement(plan *model, config, state model, diags *diag.Diagnostics) {
	for _, p := range []*types.String{&plan.ARN, &plan.Status, &plan.SecondaryStatus, &plan.FailureReason, &plan.ModelArtifactsS3URI} {
		*p = types.StringUnknown()
	}
	plan.TrainingSeconds, plan.BillableSeconds = types.Int64Unknown(), types.Int64Unknown()
	plan.AlarmNames = types.MapUnknown(types.StringType)
	plan.Controls, plan.ControlStates = types.ListUnknown(types.StringType), types.MapUnknown(types.StringType)
	switch {
	case config.Name.IsNull():
		plan.Name = types.StringUnknown() // a new name: job names can never be reused
	case config.Name.Equal(state.Name):
		diags.AddAttributeError(path.Root("name"), "Training job name cannot be reused",
			fmt.Sprintf("This change replaces training job %s with a new job, and SageMaker never allows a training job name twice in an account and region, "+
				"even after the job ended. Give the new job another name, or use name_prefix so that every replacement gets a new one.", state.Name.ValueString()))
	}
}

// planInPlace plans an update of the job: the alarm names it will have, and
// unknown controls when anything changes (changed: the configuration did),
// including alarms or controls an update restores. It reports whether the
// plan changes the job.
func planInPlace(ctx context.Context, plan *model, state model, in inputs, pre prefetched, ev evaluation, changed bool, diags *diag.Diagnostics) bool {
	names := types.MapUnknown(types.StringType)
	if gpus, known := pre.GPUs(); known && in.Name.IsKnown() && in.InstanceCount.IsKnown() {
		specs := alarms.TrainingSpecs(alarms.TrainingInput{JobName: in.Name.V, InstanceCount: int(in.InstanceCount.V), GPUs: gpus})
		var d diag.Diagnostics
		names, d = types.MapValueFrom(ctx, types.StringType, alarms.TrainingNames(specs))
		diags.Append(d...)
	}
	if !names.Equal(state.AlarmNames) {
		changed = true // missing or drifted alarms: the update puts them back
	}
	plan.AlarmNames = names
	// Held controls other than the state's: an update restores them (log
	// group, alarms).
	plan.Controls, plan.ControlStates, changed = sagemakerjob.PlannedControls(ctx, state.Controls, state.ControlStates, ev.Controls, changed)
	return changed
}

// immutableChanges lists the job inputs that differ between plan and state.
func immutableChanges(plan, state model) []string {
	values := func(m model) map[string]attr.Value {
		return map[string]attr.Value{
			"name": m.Name, "name_prefix": m.NamePrefix, "role_arn": m.RoleARN, "image": m.Image,
			"input_channels": m.InputChannels, "output_s3_uri": m.OutputS3URI, "checkpoint_s3_uri": m.CheckpointS3URI,
			"instance_type": m.InstanceType, "instance_count": m.InstanceCount, "volume_size_gb": m.VolumeSizeGB,
			"kms_key_arn": m.KMSKeyARN, "vpc": m.VPC, "max_runtime_seconds": m.MaxRuntimeSeconds, "use_spot": m.UseSpot,
			"max_wait_seconds": m.MaxWaitSeconds, "hyperparameters": m.Hyperparameters, "environment": m.Environment,
		}
	}
	p, s := values(plan), values(state)
	var changed []string
	for _, a := range immutableAttributes {
		if !p[a].Equal(s[a]) {
			changed = append(changed, a)
		}
	}
	return changed
}
