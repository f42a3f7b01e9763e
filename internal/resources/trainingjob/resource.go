// Package trainingjob is the sagesafe_training_job resource: a SageMaker
// training job that always runs in private subnets, with network isolation,
// inter-container traffic encryption, a customer-managed key on its output
// and volume, an encrypted shared log group and CloudWatch alarms. The
// security decisions live in internal/guardrail; this package builds the
// guardrail subject from the plan or the live job and wires the AWS calls.
package trainingjob

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

var (
	_ resource.ResourceWithConfigure      = (*trainingJobResource)(nil)
	_ resource.ResourceWithImportState    = (*trainingJobResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*trainingJobResource)(nil)
	_ resource.ResourceWithValidateConfig = (*trainingJobResource)(nil)
)

// NewResource returns the sagesafe_training_job resource.
func NewResource() resource.Resource { return &trainingJobResource{} }

type trainingJobResource struct {
	data *providerdata.Data
}

func (r *trainingJobResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_training_job"
}

func (r *trainingJobResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerdata.From(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	r.data = data
}

// ValidateConfig rejects spot settings SageMaker would reject and duplicate
// channel names. Security checks run in ModifyPlan, where AWS can be asked.
func (r *trainingJobResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in, diags := decode(ctx, m)
	resp.Diagnostics.Append(diags...)
	if a, msg := validateSpot(in); a != "" {
		resp.Diagnostics.AddAttributeError(path.Root(a), "Invalid spot training settings", msg)
	}
	seen := map[string]bool{}
	for i, c := range in.Channels {
		if !c.Name.IsKnown() {
			continue
		}
		if seen[c.Name.V] {
			resp.Diagnostics.AddAttributeError(path.Root("input_channels").AtListIndex(i).AtName("name"), "Duplicate channel name",
				fmt.Sprintf("Channel %q is defined more than once; channel names must be unique.", c.Name.V))
		}
		seen[c.Name.V] = true
	}
}

// ModifyPlan runs the guardrails on the plan (an error names the control and
// blocks the plan), works out replacements SageMaker forces, and plans the
// alarms and controls that an update restores.
func (r *trainingJobResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.AWS == nil {
		return // destroy, or the provider is not configured yet (validate)
	}
	var plan, config model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	var state *model
	if !req.State.Raw.IsNull() {
		state = &model{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	in, diags := decode(ctx, plan)
	resp.Diagnostics.Append(diags...)
	pre, err := prefetch(ctx, r.data.Posture, in.InstanceType, in.KMSKey)
	if err != nil {
		resp.Diagnostics.AddError("Checking the training job's dependencies failed",
			"sagesafe could not read the posture of the objects the job depends on, so it cannot check the plan against its guardrails: "+err.Error())
		return
	}
	lp := planLogGroup(pre, in.KMSKey, r.data.Policy.MinLogRetentionDays)
	s := planSubject(in, pre, r.data)
	ev, err := runChecks(ctx, r.data.Posture, r.data.Policy, s, lp)
	if err != nil {
		resp.Diagnostics.AddError("Checking the training job against its guardrails failed", err.Error())
		return
	}
	resp.Diagnostics.Append(guardrail.Diagnostics(ev.Findings, pathFor(!plan.VPC.IsNull()))...)
	if state == nil {
		return // create: the computed values are known after apply
	}

	replace := len(immutableChanges(plan, *state)) > 0
	if state.Status.ValueString() == string(smtypes.TrainingJobStatusFailed) {
		replace = true
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
	}
	if lost := lostForcedControls(state.Controls, ev.Controls); len(lost) > 0 {
		replace = true
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("controls"))
		resp.Diagnostics.AddWarning(fmt.Sprintf("%s: training job %s lacks forced settings and will be replaced", strings.Join(lost, ", "), state.Name.ValueString()),
			"The live job does not hold "+strings.Join(lost, ", ")+" (it was created outside sagesafe or imported). A training job cannot be changed, so the next apply creates a new job with the forced settings.")
	}
	if replace {
		for _, p := range []*types.String{&plan.ARN, &plan.Status, &plan.SecondaryStatus, &plan.FailureReason, &plan.ModelArtifactsS3URI} {
			*p = types.StringUnknown()
		}
		plan.TrainingSeconds, plan.BillableSeconds = types.Int64Unknown(), types.Int64Unknown()
		plan.AlarmNames = types.MapUnknown(types.StringType)
		plan.Controls = types.ListUnknown(types.StringType)
		switch {
		case config.Name.IsNull():
			plan.Name = types.StringUnknown() // a new name: job names can never be reused
		case config.Name.Equal(state.Name):
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Training job name cannot be reused",
				fmt.Sprintf("This change replaces training job %s with a new job, and SageMaker never allows a training job name twice in an account and region, "+
					"even after the job ended. Give the new job another name, or use name_prefix so that every replacement gets a new one.", state.Name.ValueString()))
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	changed := !req.Plan.Raw.Equal(req.State.Raw)
	names := types.MapUnknown(types.StringType)
	if gpus, known := pre.gpus(); known && in.Name.IsKnown() && in.InstanceCount.IsKnown() {
		specs := alarms.TrainingSpecs(alarms.TrainingInput{JobName: in.Name.V, InstanceCount: int(in.InstanceCount.V), GPUs: gpus})
		var d diag.Diagnostics
		names, d = types.MapValueFrom(ctx, types.StringType, alarms.TrainingNames(specs))
		resp.Diagnostics.Append(d...)
	}
	if !names.Equal(state.AlarmNames) {
		changed = true // missing or drifted alarms: the update puts them back
	}
	plan.AlarmNames = names
	if !sameControls(ctx, state.Controls, ev.Controls) {
		changed = true // a control that an update restores (log group, alarms)
	}
	plan.Controls = state.Controls
	if changed {
		plan.Controls = types.ListUnknown(types.StringType)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *trainingJobResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	in, diags := decode(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if missing := missingForCreate(in); len(missing) > 0 {
		resp.Diagnostics.AddError("Cannot create the training job",
			"These values are unset or still unknown at apply: "+strings.Join(missing, ", ")+". The plan-time checks should have refused this; this may be a bug in the provider.")
	}
	if resp.Diagnostics.HasError() {
		return
	}

	// Values unknown at plan time are known now: run the guardrails again.
	pre, err := prefetch(ctx, r.data.Posture, in.InstanceType, in.KMSKey)
	if err != nil {
		resp.Diagnostics.AddError("Checking the training job's dependencies failed", err.Error())
		return
	}
	lp := planLogGroup(pre, in.KMSKey, r.data.Policy.MinLogRetentionDays)
	ev, err := runChecks(ctx, r.data.Posture, r.data.Policy, planSubject(in, pre, r.data), lp)
	if err != nil {
		resp.Diagnostics.AddError("Checking the training job against its guardrails failed", err.Error())
		return
	}
	if guardrail.HasErrors(ev.Findings) {
		resp.Diagnostics.Append(guardrail.Diagnostics(ev.Findings, pathFor(!plan.VPC.IsNull()))...)
		return
	}

	if err := r.ensureLogGroup(ctx, lp, pre, in.KMSKey); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("log_group_name"), "Preparing the shared log group "+LogGroupName+" failed", err.Error())
		return
	}

	name := plan.Name.ValueString()
	if plan.Name.IsNull() || plan.Name.IsUnknown() {
		prefix := plan.NamePrefix.ValueString()
		if prefix == "" {
			prefix = DefaultNamePrefix
		}
		name = generateName(prefix, time.Now())
	}
	tags := mergedTags(r.data, in.Tags).V
	tflog.Debug(ctx, "creating training job", map[string]any{"name": name, "instance_type": in.InstanceType.V, "nvme": pre.nvme()})
	input := expandCreate(in, name, pre.nvme(), tags)
	started := time.Now()
	out, err := r.sm().CreateTrainingJob(ctx, input)
	if err != nil {
		var inUse *smtypes.ResourceInUse
		if errors.As(err, &inUse) {
			// The SDK retries a request whose answer was lost; the job it
			// reports may be the one this call created. Adopt it then.
			if job, ferr := findJob(ctx, r.sm(), name); ferr == nil && sameJob(input, job, started) {
				tflog.Warn(ctx, "adopting the training job a retried CreateTrainingJob had already created", map[string]any{"name": name})
				out, err = &sagemaker.CreateTrainingJobOutput{TrainingJobArn: job.TrainingJobArn}, nil
			}
		}
	}
	if err != nil {
		var inUse *smtypes.ResourceInUse
		if errors.As(err, &inUse) {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Training job name already used",
				fmt.Sprintf("A training job named %s already exists in this account and region, and SageMaker never allows a name twice, even after the job ended. Choose another name, or use name_prefix so that every job gets a new one.\n\n%v", name, err))
			return
		}
		resp.Diagnostics.AddError("Creating training job "+name+" failed", err.Error())
		return
	}

	// Persist the job at once: from here on it exists, whatever happens next.
	plan.Name = types.StringValue(name)
	plan.ARN = types.StringValue(aws.ToString(out.TrainingJobArn))
	plan.Status = types.StringValue(string(smtypes.TrainingJobStatusInProgress))
	plan.SecondaryStatus = types.StringValue(string(smtypes.SecondaryStatusStarting))
	plan.FailureReason, plan.ModelArtifactsS3URI = types.StringNull(), types.StringNull()
	plan.TrainingSeconds, plan.BillableSeconds = types.Int64Null(), types.Int64Null()
	plan.AlarmNames = types.MapValueMust(types.StringType, map[string]attr.Value{})
	plan.Controls = types.ListValueMust(types.StringType, []attr.Value{})
	plan.LogGroupName = types.StringValue(LogGroupName)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	gpus, _ := pre.gpus()
	specs := alarms.TrainingSpecs(alarmInput(name, in, gpus, r.data, tags))
	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, specs); err != nil {
		// Not an error: that would taint the job and re-run the training.
		// The alarms stay out of alarm_names, so the next plan restores them.
		resp.Diagnostics.AddWarning("SS-MON-1: the alarms of training job "+name+" could not be created",
			err.Error()+"\nThe job was created and is recorded in state. The next apply creates the missing alarms in place.")
	}

	job, err := findJob(ctx, r.sm(), name)
	if err == nil && plan.WaitForCompletion.ValueBool() {
		timeout, d := plan.Timeouts.Create(ctx, createTimeout(in))
		resp.Diagnostics.Append(d...)
		job, err = waitForEnd(ctx, r.sm(), name, timeout)
		if err != nil && job != nil {
			flattenStatus(&plan, job)
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			resp.Diagnostics.AddError("Waiting for training job "+name+" failed",
				err.Error()+"\nThe job is recorded in state and keeps running; the next apply replaces it (stopping it first), or raise timeouts.create.")
			return
		}
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading training job "+name+" failed", err.Error()+"\nThe job is recorded in state.")
		return
	}
	flattenStatus(&plan, job)
	ins, err := r.inspect(ctx, plan, job)
	if err != nil {
		resp.Diagnostics.AddWarning("Checking training job "+name+" after creation failed", err.Error())
	} else {
		plan.AlarmNames = ins.alarmNames(ctx, &resp.Diagnostics)
		plan.Controls = controlsValue(ctx, ins.ev.Controls, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)

	switch job.TrainingJobStatus {
	case smtypes.TrainingJobStatusFailed:
		resp.Diagnostics.AddError("Training job "+name+" failed",
			"SageMaker's FailureReason: "+aws.ToString(job.FailureReason)+"\n\nThe job is kept in state (tainted) so that its record and its logs in "+
				LogGroupName+" remain inspectable; the next apply replaces it with a new job.")
	case smtypes.TrainingJobStatusStopped:
		resp.Diagnostics.AddWarning("Training job "+name+" was stopped",
			"The job was stopped before it completed (secondary status "+string(job.SecondaryStatus)+"); model_artifacts_s3_uri stays empty.")
	}
}

func (r *trainingJobResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	name := state.Name.ValueString()
	job, err := findJob(ctx, r.sm(), name)
	if errors.Is(err, errNotFound) {
		tflog.Warn(ctx, "training job not found, removing it from state", map[string]any{"name": name})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading training job "+name+" failed", err.Error())
		return
	}
	if state.Alarms.IsNull() || state.Alarms.IsUnknown() { // import
		state.Alarms = r.importAlarmSettings(ctx, job, &resp.Diagnostics)
	}
	tags, err := listTags(ctx, r.sm(), aws.ToString(job.TrainingJobArn))
	if err != nil {
		resp.Diagnostics.AddError("Reading the tags of training job "+name+" failed", err.Error())
		return
	}
	resp.Diagnostics.Append(flattenJob(ctx, &state, job, tags, r.data.DefaultTags)...)

	ins, err := r.inspect(ctx, state, job)
	if err != nil {
		resp.Diagnostics.AddWarning("Checking training job "+name+" for drift failed",
			err.Error()+"\nThe guardrail results in controls are those of the last successful check.")
	} else {
		state.AlarmNames = ins.alarmNames(ctx, &resp.Diagnostics)
		state.Controls = controlsValue(ctx, ins.ev.Controls, &resp.Diagnostics)
		if len(ins.drift) > 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("alarm_names"), "SS-MON-1: the alarms of training job "+name+" changed outside Terraform",
				strings.Join(ins.drift, "\n")+"\nThe next apply restores them in place.")
		}
		var drifted []guardrail.Finding
		for _, f := range ins.ev.Findings {
			if f.Severity != guardrail.SeverityWarning && f.Control != "SS-MON-1" {
				drifted = append(drifted, f)
			}
		}
		resp.Diagnostics.Append(guardrail.Diagnostics(guardrail.AsWarnings(drifted), pathFor(!state.VPC.IsNull()))...)
	}
	if state.Controls.IsNull() || state.Controls.IsUnknown() {
		state.Controls = types.ListValueMust(types.StringType, []attr.Value{})
	}
	if state.AlarmNames.IsNull() || state.AlarmNames.IsUnknown() {
		state.AlarmNames = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update changes what a job allows to change: its tags and its alarms; it
// also restores the shared log group and alarms when they drifted.
func (r *trainingJobResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	in, diags := decode(ctx, plan)
	resp.Diagnostics.Append(diags...)
	name := state.Name.ValueString()
	pre, err := prefetch(ctx, r.data.Posture, in.InstanceType, in.KMSKey)
	if err != nil {
		resp.Diagnostics.AddError("Checking the training job's dependencies failed", err.Error())
		return
	}
	if err := r.ensureLogGroup(ctx, planLogGroup(pre, in.KMSKey, r.data.Policy.MinLogRetentionDays), pre, in.KMSKey); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("log_group_name"), "Restoring the shared log group "+LogGroupName+" failed", err.Error())
		return
	}
	job, err := findJob(ctx, r.sm(), name)
	if err != nil {
		resp.Diagnostics.AddError("Reading training job "+name+" failed", err.Error())
		return
	}
	arn := aws.ToString(job.TrainingJobArn)

	live, err := listTags(ctx, r.sm(), arn)
	if err != nil {
		resp.Diagnostics.AddError("Reading the tags of training job "+name+" failed", err.Error())
		return
	}
	tags := mergedTags(r.data, in.Tags).V
	set, remove := tagChanges(withoutAWSTags(live), tags)
	if len(remove) > 0 {
		if _, err := r.sm().DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(arn), TagKeys: remove}); err != nil {
			resp.Diagnostics.AddError("Removing tags from training job "+name+" failed", err.Error())
			return
		}
	}
	if len(set) > 0 {
		if _, err := r.sm().AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arn), Tags: expandTags(set)}); err != nil {
			resp.Diagnostics.AddError("Tagging training job "+name+" failed", err.Error())
			return
		}
	}

	gpus, _ := pre.gpus()
	specs := alarms.TrainingSpecs(alarmInput(name, in, gpus, r.data, tags))
	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, specs); err != nil {
		resp.Diagnostics.AddError("Updating the alarms of training job "+name+" failed", err.Error())
		return
	}
	wanted := alarms.TrainingNames(specs)
	var stale []string
	for _, v := range state.AlarmNames.Elements() {
		if s, ok := v.(types.String); ok && !slices.Contains(mapValues(wanted), s.ValueString()) {
			stale = append(stale, s.ValueString())
		}
	}
	if len(stale) > 0 {
		if err := alarms.Delete(ctx, r.data.AWS.CloudWatch, stale); err != nil {
			resp.Diagnostics.AddError("Deleting stale alarms of training job "+name+" failed", err.Error())
			return
		}
	}
	if err := r.tagAlarms(ctx, specs, tags, remove); err != nil {
		resp.Diagnostics.AddError("Tagging the alarms of training job "+name+" failed", err.Error())
		return
	}

	names, d := types.MapValueFrom(ctx, types.StringType, wanted)
	resp.Diagnostics.Append(d...)
	plan.AlarmNames = names
	if plan.Controls.IsUnknown() {
		ins, err := r.inspect(ctx, plan, job)
		if err != nil {
			resp.Diagnostics.AddError("Checking training job "+name+" after the update failed", err.Error())
			return
		}
		plan.Controls = controlsValue(ctx, ins.ev.Controls, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete stops a running job and waits until it has stopped, then deletes
// its alarms. SageMaker keeps the job record: training jobs cannot be
// deleted. The shared log group is never deleted.
func (r *trainingJobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	name := state.Name.ValueString()
	job, err := findJob(ctx, r.sm(), name)
	switch {
	case errors.Is(err, errNotFound):
	case err != nil:
		resp.Diagnostics.AddError("Reading training job "+name+" failed", err.Error())
		return
	case !ended(job.TrainingJobStatus):
		if job.TrainingJobStatus == smtypes.TrainingJobStatusInProgress {
			tflog.Info(ctx, "stopping training job before removing it", map[string]any{"name": name})
			if err := stopJob(ctx, r.sm(), name); err != nil {
				resp.Diagnostics.AddError("Stopping training job "+name+" failed", err.Error())
				return
			}
		}
		deleteTimeout, d := state.Timeouts.Delete(ctx, DefaultDeleteTimeout)
		resp.Diagnostics.Append(d...)
		if _, err := waitForEnd(ctx, r.sm(), name, deleteTimeout); err != nil {
			resp.Diagnostics.AddError("Waiting for training job "+name+" to stop failed", err.Error())
			return
		}
	}

	names := map[string]bool{}
	for _, v := range state.AlarmNames.Elements() {
		if s, ok := v.(types.String); ok {
			names[s.ValueString()] = true
		}
	}
	// Also every name the job could have, in case a failed create or update
	// left an alarm out of state; deleting a missing alarm is a no-op.
	count := max(int(state.InstanceCount.ValueInt64()), 1)
	for n := 1; n <= count; n++ {
		for _, kind := range alarms.TrainingKinds(1) {
			names[alarms.TrainingAlarmName(name, n, kind)] = true
		}
	}
	list := make([]string, 0, len(names))
	for n := range names {
		list = append(list, n)
	}
	slices.Sort(list)
	if err := alarms.Delete(ctx, r.data.AWS.CloudWatch, list); err != nil {
		resp.Diagnostics.AddError("Deleting the alarms of training job "+name+" failed", err.Error())
	}
}

// ImportState imports a job by its name.
func (r *trainingJobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("name"), req, resp)
}
