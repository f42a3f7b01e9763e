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
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
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
// blocks a plan that creates, replaces or updates the job; it is a warning
// when the plan leaves the job unchanged, see reportPlanned), works out
// replacements SageMaker forces, and plans the alarms and controls that an
// update restores.
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
	plan.TagsAll, _ = shared.PlanTags(ctx, r.data, plan.Tags, &resp.Diagnostics)
	in, diags := decode(ctx, plan)
	resp.Diagnostics.Append(diags...)
	pre, err := prefetch(ctx, r.data.Posture, in.InstanceType, in.KMSKey)
	if err != nil {
		resp.Diagnostics.AddError("Checking the training job's dependencies failed",
			"sagesafe could not read the posture of the objects the job depends on, so it cannot check the plan against its guardrails: "+err.Error())
		return
	}
	_, ev, err := r.checkPlanned(ctx, in, pre, guardrail.StagePlan)
	if err != nil {
		resp.Diagnostics.AddError("Checking the training job against its guardrails failed", err.Error())
		return
	}
	vpcSet := !plan.VPC.IsNull()
	if state == nil {
		reportPlanned(ev, r.data.Repairs, true, "", vpcSet, &resp.Diagnostics)
		// create: the other computed values are known after apply.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("tags_all"), plan.TagsAll)...)
		return
	}

	changes := true
	if mustReplace(plan, *state, ev, &resp.RequiresReplace, &resp.Diagnostics) {
		planReplacement(&plan, config, *state, &resp.Diagnostics)
	} else {
		changes = planInPlace(ctx, &plan, *state, in, pre, ev, !req.Plan.Raw.Equal(req.State.Raw), &resp.Diagnostics)
	}
	reportPlanned(ev, r.data.Repairs, changes, state.Name.ValueString(), vpcSet, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// Create re-runs the guardrails with the values known at apply, prepares the
// shared log group, launches the job and records it in state at once, puts
// its alarms, and (with wait_for_completion) waits for it to end.
func (r *trainingJobResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	in, pre, ok := r.prepareCreate(ctx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	name, prefix := sagemakerjob.JobName(plan.Name, plan.NamePrefix, time.Now())
	tags := mergedTags(r.data, in.Tags).V
	resumed, arn, ok := r.resume(ctx, in, prefix, pre.NVMe(), tags, &resp.Diagnostics)
	if !ok {
		return
	}
	// The creation token is kept before the job is created: it is how a
	// retried CreateTrainingJob recognises the job as its own.
	token, err := idem.NewToken()
	if err != nil {
		resp.Diagnostics.AddError("Creating training job "+name+" failed", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, tokenPrivateKey, []byte(strconv.Quote(token)))...)
	if resumed != "" {
		name = resumed
	} else if arn, ok = r.launch(ctx, in, name, prefix, pre.NVMe(), tags, token, &resp.Diagnostics); !ok {
		return
	}

	// Persist the job at once: from here on it exists, whatever happens next.
	recordLaunched(&plan, name, arn)
	plan.TagsAll, _ = shared.PlanTags(ctx, r.data, plan.Tags, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, r.alarmSpecs(name, in, pre, tags)); err != nil {
		// Not an error: that would taint the job and re-run the training.
		// The alarms stay out of alarm_names, so the next plan restores them.
		resp.Diagnostics.AddWarning("SS-MON-1: the alarms of training job "+name+" could not be created",
			err.Error()+"\nThe job was created and is recorded in state. The next apply creates the missing alarms in place.")
	}

	job, ok := r.awaitCreated(ctx, &plan, in, name, &resp.State, &resp.Diagnostics)
	if !ok {
		return
	}
	r.recordCreated(ctx, &plan, name, job, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	reportEnd(name, job, &resp.Diagnostics)
}

// Read refreshes the job from SageMaker and re-checks it: out-of-band
// weakening shows up as warnings and in controls, missing or drifted alarms
// drop out of alarm_names.
func (r *trainingJobResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	name := state.Name.ValueString()
	job, err := r.jobs().Find(ctx, name)
	if errors.Is(err, sagemakerjob.ErrNotFound) {
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
	tags, err := r.jobs().ListTags(ctx, aws.ToString(job.TrainingJobArn))
	if err != nil {
		resp.Diagnostics.AddError("Reading the tags of training job "+name+" failed", err.Error())
		return
	}
	resp.Diagnostics.Append(flattenJob(ctx, &state, job, shared.SeenTags(r.data, tags), r.data.DefaultTags)...)

	ins, err := r.inspect(ctx, state, job, r.data.Reads, tags)
	recordInspection(ctx, &state, ins, err, "Checking training job "+name+" for drift", &resp.Diagnostics)
	if ins.checked {
		reportDrift(ins, name, !state.VPC.IsNull(), &resp.Diagnostics)
	}
	if state.Controls.IsNull() || state.Controls.IsUnknown() {
		state.Controls = types.ListValueMust(types.StringType, []attr.Value{})
	}
	if state.ControlStates.IsNull() || state.ControlStates.IsUnknown() {
		state.ControlStates = types.MapValueMust(types.StringType, map[string]attr.Value{})
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
	job, err := r.jobs().Find(ctx, name)
	if err != nil {
		resp.Diagnostics.AddError("Reading training job "+name+" failed", err.Error())
		return
	}

	tags := mergedTags(r.data, in.Tags).V
	plan.TagsAll, _ = shared.PlanTags(ctx, r.data, plan.Tags, &resp.Diagnostics)
	removed, ok := r.syncTags(ctx, name, aws.ToString(job.TrainingJobArn), tags, &resp.Diagnostics)
	if !ok {
		return
	}
	wanted, ok := r.syncAlarms(ctx, name, in, pre, tags, removed, state.AlarmNames, &resp.Diagnostics)
	if !ok {
		return
	}
	names, d := types.MapValueFrom(ctx, types.StringType, wanted)
	resp.Diagnostics.Append(d...)
	plan.AlarmNames = names
	if plan.Controls.IsUnknown() || plan.ControlStates.IsUnknown() {
		ins, err := r.inspect(ctx, plan, job, nil, nil)
		if err != nil {
			resp.Diagnostics.AddError("Checking training job "+name+" after the update failed", err.Error())
			return
		}
		plan.Controls = controlsValue(ctx, ins.ev.Controls, &resp.Diagnostics)
		plan.ControlStates = controlStatesValue(ins.ev.States)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete stops a running job and waits until it has stopped, removes its
// owner tag (Release), then deletes its alarms. SageMaker keeps the job record: training jobs cannot be
// deleted. The shared log group is never deleted.
func (r *trainingJobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	name := state.Name.ValueString()
	timeout, d := state.Timeouts.Delete(ctx, DefaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if !r.jobs().Retire(ctx, name, timeout, &resp.Diagnostics) {
		return
	}
	if err := alarms.Delete(ctx, r.data.AWS.CloudWatch, alarmsToDelete(state)); err != nil {
		resp.Diagnostics.AddError("Deleting the alarms of training job "+name+" failed", err.Error())
	}
}

// ImportState imports a job by its name.
func (r *trainingJobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("name"), req, resp)
}
