// Create's steps: prepare (re-check, log group), launch, record, wait, report.

package processingjob

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// prepareCreate decodes the plan, runs the guardrails again (values unknown
// at plan time are known now) and makes the shared log group encrypted and
// retained. ok is false when the job must not be created.
func (r *processingJobResource) prepareCreate(ctx context.Context, plan model, diags *diag.Diagnostics) (in inputs, pre sagemakerjob.Prefetched, ok bool) {
	in, d := decode(ctx, plan)
	diags.Append(d...)
	if missing := missingForCreate(in); len(missing) > 0 {
		diags.AddError("Cannot create the processing job",
			"These values are unset or still unknown at apply: "+strings.Join(missing, ", ")+". The plan-time checks should have refused this; this may be a bug in the provider.")
	}
	if diags.HasError() {
		return in, pre, false
	}
	pre, err := r.prefetch(ctx, in.InstanceType, in.KMSKey)
	if err != nil {
		diags.AddError("Checking the processing job's dependencies failed", err.Error())
		return in, pre, false
	}
	lp, ev, err := r.checkPlanned(ctx, in, pre, guardrail.StageApply)
	if err != nil {
		diags.AddError("Checking the processing job against its guardrails failed", err.Error())
		return in, pre, false
	}
	if guardrail.HasErrors(ev.Findings) {
		diags.Append(guardrail.Diagnostics(ev.Findings, pathFor(!plan.VPC.IsNull()))...)
		return in, pre, false
	}
	if err := sagemakerjob.EnsureLogGroup(ctx, r.data, LogGroupName, lp, pre, in.KMSKey); err != nil {
		diags.AddAttributeError(path.Root("log_group_name"), "Preparing the shared log group "+LogGroupName+" failed", err.Error())
		return in, pre, false
	}
	return in, pre, true
}

// launch names the job and creates it, or takes up the running job an
// interrupted apply of this resource started (sagemakerjob's Resume for a
// generated name, its Create for a configured one); it returns the job's
// name and ARN. ok is false when there is no job.
func (r *processingJobResource) launch(ctx context.Context, plan model, in inputs, nvme bool, diags *diag.Diagnostics) (name, arn string, ok bool) {
	name, prefix := sagemakerjob.JobName(plan.Name, plan.NamePrefix, time.Now())
	tags := mergedTags(r.data, in.Tags).V
	request := func(n string) *sagemaker.CreateProcessingJobInput { return expandCreate(in, n, nvme, tags) }
	resumed, arn, ok := r.jobs().Resume(ctx, prefix, func(n string, job *sagemaker.DescribeProcessingJobOutput) []string {
		return jobDiffs(request(n), job)
	}, diags)
	if !ok || resumed != "" {
		return resumed, arn, ok
	}
	token, err := idem.NewToken()
	if err != nil {
		diags.AddError("Creating processing job "+name+" failed", err.Error())
		return "", "", false
	}
	tflog.Debug(ctx, "creating processing job", map[string]any{"name": name, "instance_type": in.InstanceType.V, "nvme": nvme})
	arn, err = createJob(ctx, r.sm(), request(name), prefix, token)
	if err != nil {
		var inUse *smtypes.ResourceInUse
		if errors.As(err, &inUse) {
			diags.AddAttributeError(path.Root("name"), "Processing job name already used",
				fmt.Sprintf("A processing job named %s already exists in this account and region and was not created by this resource, and SageMaker never allows a name twice, even after the job ended. "+
					"Choose another name, or use name_prefix so that every job gets a new one.\n\n%v", name, err))
			return "", "", false
		}
		diags.AddError("Creating processing job "+name+" failed", err.Error())
		return "", "", false
	}
	return name, arn, true
}

// recordLaunched fills in what is known of a job just launched, so that it
// is recorded in state before anything else can fail.
func recordLaunched(plan *model, name, arn string) {
	plan.Name, plan.ID, plan.ARN = types.StringValue(name), types.StringValue(name), types.StringValue(arn)
	plan.Status = types.StringValue(string(smtypes.ProcessingJobStatusInProgress))
	plan.FailureReason, plan.ExitMessage = types.StringNull(), types.StringNull()
	plan.AlarmNames = tfval.Map(map[string]string{})
	plan.Controls, plan.ControlStates = tfval.List([]string{}), tfval.Map(map[string]string{})
	plan.LogGroupName = types.StringValue(LogGroupName)
}

// awaitCreated reads the new job and, with wait_for_completion, waits until
// it ends. When the wait fails, the job's last status is written to state.
// ok is false when Create must stop (the job stays recorded in state). A job
// that cannot be read right after creation is a warning, not an error: an
// error would taint it, and the next apply would run it again.
func (r *processingJobResource) awaitCreated(ctx context.Context, plan *model, in inputs, name string, state *tfsdk.State, diags *diag.Diagnostics) (*sagemaker.DescribeProcessingJobOutput, bool) {
	wait := plan.WaitForCompletion.ValueBool()
	var job *sagemaker.DescribeProcessingJobOutput
	var err error
	if wait {
		timeout, d := plan.Timeouts.Create(ctx, createTimeout(in))
		diags.Append(d...)
		job, err = r.jobs().WaitForEnd(ctx, name, timeout)
	} else {
		job, err = r.jobs().ReadCreated(ctx, name)
	}
	if job != nil {
		flattenStatus(plan, job)
	}
	switch {
	case err == nil:
		return job, true
	case job == nil:
		diags.AddWarning("Reading processing job "+name+" after creation failed",
			err.Error()+"\nThe job was created and is recorded in state; the next refresh reads it.")
	default:
		diags.AddError("Waiting for processing job "+name+" failed",
			err.Error()+"\nThe job is recorded in state and keeps running; the next apply replaces it (stopping it first), or raise timeouts.create.")
	}
	diags.Append(state.Set(ctx, plan)...)
	return nil, false
}

// reportEnd reports a job that failed (an error: it taints the job, so the
// next apply replaces it) or was stopped.
func reportEnd(name string, job *sagemaker.DescribeProcessingJobOutput, diags *diag.Diagnostics) {
	switch job.ProcessingJobStatus {
	case smtypes.ProcessingJobStatusFailed:
		diags.AddError("Processing job "+name+" failed",
			"SageMaker's FailureReason: "+aws.ToString(job.FailureReason)+"\n\nThe job is kept in state (tainted) so that its record and its logs in "+
				LogGroupName+" remain inspectable; the next apply replaces it with a new job.")
	case smtypes.ProcessingJobStatusStopped:
		diags.AddWarning("Processing job "+name+" was stopped", "The job was stopped before it completed; its outputs may be incomplete.")
	}
}
