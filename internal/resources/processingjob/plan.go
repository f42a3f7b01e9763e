// The plan of a change to an existing job: what forces a new job, and what
// an update in place restores.

package processingjob

import (
	"context"
	"fmt"
	"strings"

	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// planChange plans a change to an existing job and reports whether the plan
// changes it: a new job when an input changed (the schema's RequiresReplace),
// the job failed, or the live job lacks a forced setting the plan holds;
// otherwise an update when the configuration changed (changed) or alarms
// drifted, with the alarm names it restores.
func planChange(plan *model, config, state model, in inputs, ev sagemakerjob.Evaluation, changed bool, requiresReplace *path.Paths, diags *diag.Diagnostics) bool {
	replace := len(*requiresReplace) > 0
	if state.Status.ValueString() == string(smtypes.ProcessingJobStatusFailed) {
		replace = true
		*requiresReplace = append(*requiresReplace, path.Root("status"))
	}
	if lost := lostForcedControls(state.Controls, ev.Controls); len(lost) > 0 {
		replace = true
		*requiresReplace = append(*requiresReplace, path.Root("controls"))
		diags.AddWarning(fmt.Sprintf("%s: processing job %s lacks forced settings and will be replaced", strings.Join(lost, ", "), state.Name.ValueString()),
			"The live job does not hold "+strings.Join(lost, ", ")+" (it was created outside sagesafe or imported). A processing job cannot be changed, so the next apply creates a new job with the forced settings.")
	}
	if replace {
		planReplacement(plan, config, state, diags)
		return true
	}
	names := types.MapUnknown(types.StringType)
	if in.Name.IsKnown() && in.InstanceCount.IsKnown() {
		names = tfval.Map(alarmNamesOf(alarmSpecs(in.Name.V, int(in.InstanceCount.V), in.Alarms, nil, nil)))
	}
	if !names.Equal(state.AlarmNames) {
		changed = true // missing or drifted alarms: the update puts them back
	}
	plan.AlarmNames = names
	// Held controls other than the state's: a control that an update
	// restores, or that a repair in this plan does.
	plan.Controls, plan.ControlStates, changed = sagemakerjob.PlannedControls(context.Background(), state.Controls, state.ControlStates, ev.Controls, changed)
	return changed
}

// planReplacement plans a new job: everything SageMaker computes is unknown,
// and a configured name that the old job holds is refused.
func planReplacement(plan *model, config, state model, diags *diag.Diagnostics) {
	for _, p := range []*types.String{&plan.ARN, &plan.Status, &plan.FailureReason, &plan.ExitMessage} {
		*p = types.StringUnknown()
	}
	plan.AlarmNames = types.MapUnknown(types.StringType)
	plan.Controls, plan.ControlStates = types.ListUnknown(types.StringType), types.MapUnknown(types.StringType)
	switch {
	case config.Name.IsNull():
		plan.Name = types.StringUnknown() // a new name: job names can never be reused
	case config.Name.Equal(state.Name):
		diags.AddAttributeError(path.Root("name"), "Processing job name cannot be reused",
			fmt.Sprintf("This change replaces processing job %s with a new job, and SageMaker never allows a processing job name twice in an account and region, "+
				"even after the job ended. Give the new job another name, or use name_prefix so that every replacement gets a new one.", state.Name.ValueString()))
	}
}
