// Package processingjob is the sagesafe_processing_job resource: a
// SageMaker processing job that always runs in private subnets, with network
// isolation, inter-container traffic encryption, a customer-managed key on
// its outputs and volume, an encrypted shared log group and CloudWatch
// alarms. The security decisions live in internal/guardrail; this package
// builds the guardrail subject from the plan or the live job and wires the
// AWS calls.
package processingjob

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

var (
	_ resource.ResourceWithConfigure      = (*processingJobResource)(nil)
	_ resource.ResourceWithImportState    = (*processingJobResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*processingJobResource)(nil)
	_ resource.ResourceWithValidateConfig = (*processingJobResource)(nil)
)

// NewResource returns the sagesafe_processing_job resource.
func NewResource() resource.Resource { return &processingJobResource{} }

type processingJobResource struct {
	data *providerdata.Data
}

func (r *processingJobResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_processing_job"
}

func (r *processingJobResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerdata.From(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	r.data = data
}

// ValidateConfig rejects input and output names SageMaker would reject as
// duplicates. Security checks run in ModifyPlan, where AWS can be asked.
func (r *processingJobResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in, diags := decode(ctx, m)
	resp.Diagnostics.Append(diags...)
	if dup := duplicateNames(in); len(dup) > 0 {
		resp.Diagnostics.AddAttributeError(path.Root("outputs"), "Duplicate input or output name",
			fmt.Sprintf("The names %s are used more than once; SageMaker needs every input and output name of a job to be unique.", strings.Join(dup, ", ")))
	}
}

// ModifyPlan runs the guardrails on the plan (an error names the control and
// blocks a plan that creates, replaces or updates the job), replaces a job
// that failed or lost a forced setting, and plans the alarms an update
// restores.
func (r *processingJobResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
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
	pre, err := r.prefetch(ctx, in.InstanceType, in.KMSKey)
	if err != nil {
		resp.Diagnostics.AddError("Checking the processing job's dependencies failed",
			"sagesafe could not read the posture of the objects the job depends on, so it cannot check the plan against its guardrails: "+err.Error())
		return
	}
	_, ev, err := r.checkPlanned(ctx, in, pre, guardrail.StagePlan)
	if err != nil {
		resp.Diagnostics.AddError("Checking the processing job against its guardrails failed", err.Error())
		return
	}
	vpcSet := !plan.VPC.IsNull()
	if state == nil {
		reportPlanned(ev, r.data.Repairs, true, "", vpcSet, &resp.Diagnostics)
		// create: the other computed values are known after apply.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("tags_all"), plan.TagsAll)...)
		return
	}
	changes := planChange(&plan, config, *state, in, ev, !req.Plan.Raw.Equal(req.State.Raw), &resp.RequiresReplace, &resp.Diagnostics)
	if _, repaired := r.data.Repairs.Apply(ev.Findings); repaired {
		// An object the job uses is restored by this plan: its controls are
		// decided again after the repair, by the update's refresh.
		changes = true
		plan.Controls, plan.ControlStates = types.ListUnknown(types.StringType), types.MapUnknown(types.StringType)
	}
	reportPlanned(ev, r.data.Repairs, changes, state.Name.ValueString(), vpcSet, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// Create re-runs the guardrails with the values known at apply, prepares the
// shared log group, launches the job and records it in state at once, puts
// its alarms, and (with wait_for_completion) waits for it to end.
func (r *processingJobResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	in, pre, ok := r.prepareCreate(ctx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	name, arn, ok := r.launch(ctx, plan, in, pre.NVMe(), &resp.Diagnostics)
	if !ok {
		return
	}
	// Persist the job at once: from here on it exists, whatever happens next.
	recordLaunched(&plan, name, arn)
	plan.TagsAll, _ = shared.PlanTags(ctx, r.data, plan.Tags, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tags := mergedTags(r.data, in.Tags).V
	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, alarmSpecs(name, int(in.InstanceCount.V), in.Alarms, in.Alarms.effectiveActions(r.data).V, tags)); err != nil {
		// Not an error: that would taint the job and run it again. The
		// alarms stay out of alarm_names, so the next plan restores them.
		resp.Diagnostics.AddWarning("SS-MON-1: the alarms of processing job "+name+" could not be created",
			err.Error()+"\nThe job was created and is recorded in state. The next apply creates the missing alarms in place.")
	}
	job, ok := r.awaitCreated(ctx, &plan, in, name, &resp.State, &resp.Diagnostics)
	if !ok {
		return
	}
	ins, err := r.inspect(ctx, plan, job, nil, nil)
	recordInspection(&plan, ins, err, "Checking processing job "+name+" after creation", &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	reportEnd(name, job, &resp.Diagnostics)
}

// Read refreshes the job from SageMaker and re-checks it: out-of-band
// weakening shows up as warnings and in controls, a stopped or failed job in
// status, missing or drifted alarms drop out of alarm_names.
func (r *processingJobResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	name := state.Name.ValueString()
	job, err := r.jobs().Find(ctx, name)
	if errors.Is(err, sagemakerjob.ErrNotFound) {
		tflog.Warn(ctx, "processing job not found, removing it from state", map[string]any{"name": name})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading processing job "+name+" failed", err.Error())
		return
	}
	tags, err := r.jobs().ListTags(ctx, aws.ToString(job.ProcessingJobArn))
	if err != nil {
		resp.Diagnostics.AddError("Reading the tags of processing job "+name+" failed", err.Error())
		return
	}
	if state.Alarms.IsNull() || state.Alarms.IsUnknown() { // import
		state.Alarms = r.importAlarmSettings(ctx, job, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(flattenJob(ctx, &state, job, shared.SeenTags(r.data, tags), r.data.DefaultTags)...)
	ins, err := r.inspect(ctx, state, job, r.data.Reads, tags)
	recordInspection(&state, ins, err, "Checking processing job "+name+" for drift", &resp.Diagnostics)
	if ins.checked {
		reportDrift(ins, name, !state.VPC.IsNull(), &resp.Diagnostics)
	}
	if state.AlarmNames.IsNull() || state.AlarmNames.IsUnknown() {
		state.AlarmNames = tfval.Map(map[string]string{})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update changes what a job allows to change: its tags and its alarms; it
// also restores the shared log group and alarms when they drifted.
func (r *processingJobResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	name := state.Name.ValueString()
	job, ok := r.restore(ctx, plan, state, &resp.Diagnostics)
	if !ok {
		return
	}
	// Objects the job uses may have been restored earlier in this apply (a
	// repair the plan named): judge them as they are now.
	r.data.Posture.Invalidate()
	plan.TagsAll, _ = shared.PlanTags(ctx, r.data, plan.Tags, &resp.Diagnostics)
	ins, err := r.inspect(ctx, plan, job, nil, nil)
	recordInspection(&plan, ins, err, "Checking processing job "+name+" after the update", &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete stops a running job and waits until it has stopped, removes its
// owner tag (Release), then deletes its alarms. SageMaker keeps the job record: processing jobs cannot be
// deleted. The shared log group is never deleted.
func (r *processingJobResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
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
		resp.Diagnostics.AddError("Deleting the alarms of processing job "+name+" failed", err.Error())
	}
}

// ImportState imports a job by its name.
func (r *processingJobResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("name"), req, resp)
}
