// Create's steps: prepare (re-check, log group), launch, record, wait, report.

package trainingjob

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// prepareCreate decodes the plan, runs the guardrails again (values unknown
// at plan time are known now) and makes the shared log group encrypted and
// retained. ok is false when the job must not be created.
func (r *trainingJobResource) prepareCreate(ctx context.Context, plan model, diags *diag.Diagnostics) (in inputs, pre prefetched, ok bool) {
	in, d := decode(ctx, plan)
	diags.Append(d...)
	if missing := missingForCreate(in); len(missing) > 0 {
		diags.AddError("Cannot create the training job",
			"These values are unset or still unknown at apply: "+strings.Join(missing, ", ")+". The plan-time checks should have refused this; this may be a bug in the provider.")
	}
	if diags.HasError() {
		return in, pre, false
	}

	pre, err := prefetch(ctx, r.data.Posture, in.InstanceType, in.KMSKey)
	if err != nil {
		diags.AddError("Checking the training job's dependencies failed", err.Error())
		return in, pre, false
	}
	lp, ev, err := r.checkPlanned(ctx, in, pre, guardrail.StageApply)
	if err != nil {
		diags.AddError("Checking the training job against its guardrails failed", err.Error())
		return in, pre, false
	}
	if guardrail.HasErrors(ev.Findings) {
		diags.Append(guardrail.Diagnostics(ev.Findings, pathFor(!plan.VPC.IsNull()))...)
		return in, pre, false
	}

	if err := r.ensureLogGroup(ctx, lp, pre, in.KMSKey); err != nil {
		diags.AddAttributeError(path.Root("log_group_name"), "Preparing the shared log group "+LogGroupName+" failed", err.Error())
		return in, pre, false
	}
	return in, pre, true
}

// launch creates the job and returns its ARN; ok is false when it was not
// created.
// token is the job's creation token (see createJob).
func (r *trainingJobResource) launch(ctx context.Context, in inputs, name, prefix string, nvme bool, tags map[string]string, token string, diags *diag.Diagnostics) (arn string, ok bool) {
	tflog.Debug(ctx, "creating training job", map[string]any{"name": name, "instance_type": in.InstanceType.V, "nvme": nvme})
	arn, err := createJob(ctx, r.sm(), expandCreate(in, name, nvme, tags), prefix, token)
	if err != nil {
		var inUse *smtypes.ResourceInUse
		if errors.As(err, &inUse) {
			diags.AddAttributeError(path.Root("name"), "Training job name already used",
				fmt.Sprintf("A training job named %s already exists in this account and region, and SageMaker never allows a name twice, even after the job ended. Choose another name, or use name_prefix so that every job gets a new one.\n\n%v", name, err))
			return "", false
		}
		diags.AddError("Creating training job "+name+" failed", err.Error())
		return "", false
	}
	return arn, true
}

// resume returns the running job an interrupted apply of this resource
// started, when the name comes from name_prefix (see sagemakerjob's
// Resume); ok is false when the lookup failed.
func (r *trainingJobResource) resume(ctx context.Context, in inputs, prefix string, nvme bool, tags map[string]string, diags *diag.Diagnostics) (name, arn string, ok bool) {
	return r.jobs().Resume(ctx, prefix, func(n string, job *sagemaker.DescribeTrainingJobOutput) []string {
		return jobDiffs(expandCreate(in, n, nvme, tags), job)
	}, diags)
}

// recordLaunched fills in what is known of a job just launched, so that it
// is recorded in state before anything else can fail.
func recordLaunched(plan *model, name, arn string) {
	plan.Name, plan.ID = types.StringValue(name), types.StringValue(name)
	plan.ARN = types.StringValue(arn)
	plan.Status = types.StringValue(string(smtypes.TrainingJobStatusInProgress))
	plan.SecondaryStatus = types.StringValue(string(smtypes.SecondaryStatusStarting))
	plan.FailureReason, plan.ModelArtifactsS3URI = types.StringNull(), types.StringNull()
	plan.TrainingSeconds, plan.BillableSeconds = types.Int64Null(), types.Int64Null()
	plan.AlarmNames = types.MapValueMust(types.StringType, map[string]attr.Value{})
	plan.Controls = types.ListValueMust(types.StringType, []attr.Value{})
	plan.ControlStates = types.MapValueMust(types.StringType, map[string]attr.Value{})
	plan.LogGroupName = types.StringValue(LogGroupName)
}

// awaitCreated reads the new job and, with wait_for_completion, waits until
// it ends. When the wait fails, the job's last status is written to state.
// ok is false when Create must stop (the job stays recorded in state).
//
// A job that cannot be read right after it was created is a warning, not
// an error: an error would taint it, and the next apply would start the
// training again. The state keeps what recordLaunched wrote, and the next
// refresh reads the job.
func (r *trainingJobResource) awaitCreated(ctx context.Context, plan *model, in inputs, name string, state *tfsdk.State, diags *diag.Diagnostics) (*sagemaker.DescribeTrainingJobOutput, bool) {
	job, err := r.jobs().ReadCreated(ctx, name)
	if err != nil {
		diags.AddWarning("Reading training job "+name+" after creation failed",
			err.Error()+"\nThe job was created and is recorded in state; the next refresh reads it.")
		return nil, false
	}
	if plan.WaitForCompletion.ValueBool() {
		timeout, d := plan.Timeouts.Create(ctx, createTimeout(in))
		diags.Append(d...)
		job, err = r.jobs().WaitForEnd(ctx, name, timeout)
		if err != nil && job != nil {
			flattenStatus(plan, job)
			diags.Append(state.Set(ctx, plan)...)
			diags.AddError("Waiting for training job "+name+" failed",
				err.Error()+"\nThe job is recorded in state and keeps running; the next apply replaces it (stopping it first), or raise timeouts.create.")
			return nil, false
		}
	}
	if err != nil {
		diags.AddError("Reading training job "+name+" failed", err.Error()+"\nThe job is recorded in state.")
		return nil, false
	}
	return job, true
}

// recordCreated writes the job's status and the outcome of its first check
// (alarm names, controls) into plan. A failed check is a warning: the job
// exists, and the next refresh checks it again.
func (r *trainingJobResource) recordCreated(ctx context.Context, plan *model, name string, job *sagemaker.DescribeTrainingJobOutput, diags *diag.Diagnostics) {
	flattenStatus(plan, job)
	ins, err := r.inspect(ctx, *plan, job, nil, nil)
	recordInspection(ctx, plan, ins, err, "Checking training job "+name+" after creation", diags)
}

// reportEnd reports a job that failed (an error: it taints the job, so the
// next apply replaces it) or was stopped.
func reportEnd(name string, job *sagemaker.DescribeTrainingJobOutput, diags *diag.Diagnostics) {
	switch job.TrainingJobStatus {
	case smtypes.TrainingJobStatusFailed:
		diags.AddError("Training job "+name+" failed",
			"SageMaker's FailureReason: "+aws.ToString(job.FailureReason)+"\n\nThe job is kept in state (tainted) so that its record and its logs in "+
				LogGroupName+" remain inspectable; the next apply replaces it with a new job.")
	case smtypes.TrainingJobStatusStopped:
		diags.AddWarning("Training job "+name+" was stopped",
			"The job was stopped before it completed (secondary status "+string(job.SecondaryStatus)+"); model_artifacts_s3_uri stays empty.")
	}
}
