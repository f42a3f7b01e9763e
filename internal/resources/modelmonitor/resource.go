// Package modelmonitor is the sagesafe_model_monitor resource: drift
// monitoring of an endpoint's captured data, run on a schedule (EventBridge
// Scheduler starting a processing job, or a SageMaker Model Monitor
// schedule) with the forced settings of every sagesafe job, and alarms on
// the drift metrics. The decisions live in internal/guardrail and
// internal/monitorspec; this package reads the live objects and wires the
// AWS calls.
package modelmonitor

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

var (
	_ resource.ResourceWithConfigure      = (*monitorResource)(nil)
	_ resource.ResourceWithImportState    = (*monitorResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*monitorResource)(nil)
	_ resource.ResourceWithValidateConfig = (*monitorResource)(nil)
)

// NewResource returns the sagesafe_model_monitor resource.
func NewResource() resource.Resource { return &monitorResource{} }

type monitorResource struct {
	data *providerdata.Data
}

func (r *monitorResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_model_monitor"
}

func (r *monitorResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerdata.From(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	r.data = data
}

// ValidateConfig checks what needs no AWS: the schedule expression, which
// the engine accepts, and that only the Scheduler engine names a role.
func (r *monitorResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	expr := m.ScheduleExpression
	if !expr.IsNull() && !expr.IsUnknown() {
		if _, err := monitorspec.Interval(expr.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("schedule_expression"), "Unsupported schedule expression", err.Error())
		}
	}
	modelMonitor := m.Engine.ValueString() == monitorspec.EngineModelMonitor
	if modelMonitor && !expr.IsNull() && !expr.IsUnknown() && !monitorspec.IsCron(expr.ValueString()) {
		resp.Diagnostics.AddAttributeError(path.Root("schedule_expression"), "Model Monitor takes only cron schedules",
			"With engine = \""+monitorspec.EngineModelMonitor+"\" use cron(0 * ? * * *) (hourly) or cron(0 H ? * * *) (daily).")
	}
	validateQuality(ctx, m, &resp.Diagnostics)
	if modelMonitor && !m.SchedulerRoleARN.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("scheduler_role_arn"), "No scheduler role with Model Monitor",
			"engine = \""+monitorspec.EngineModelMonitor+"\" runs on SageMaker's own schedule: leave scheduler_role_arn out.")
	}
}

// ModifyPlan checks the plan against the guardrails with the live
// endpoint's capture (an error names the control and refuses a plan that
// creates or changes the monitor) and plans what the apply restores.
func (r *monitorResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.AWS == nil {
		return // destroy, or the provider is not configured yet (validate)
	}
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *model
	if !req.State.Raw.IsNull() {
		state = &model{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("scheduler_role_arn"), &configured)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.planSchedulerRole(&plan, configured)
	plan.ID = monitorID(plan.Engine, plan.Name)
	plan.TagsAll, _ = shared.PlanTags(ctx, r.data, plan.Tags, &resp.Diagnostics)
	in, diags := decode(ctx, plan)
	resp.Diagnostics.Append(diags...)
	c, ok := r.check(ctx, in, false, &resp.Diagnostics)
	if !ok {
		return
	}
	changes := r.planComputed(&plan, state, in, c, !req.Plan.Raw.Equal(req.State.Raw))
	if _, repaired := r.data.Repairs.Apply(c.findings); repaired && state != nil {
		// An object the monitor uses is restored by this plan: its controls
		// are decided again after the repair, by the update's refresh.
		changes = true
		plan.Controls, plan.ControlStates = types.ListUnknown(types.StringType), types.MapUnknown(types.StringType)
	}
	r.report(c.findings, changes, in.Name.V, &resp.Diagnostics)
	r.checkSchedulerRole(ctx, in, c.nvme, changes, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// Create checks again with the values known at apply (nothing is created
// when a check fails), creates the schedule and records it at once, puts
// the alarms and reads everything back.
func (r *monitorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	in, c, ok := r.prepare(ctx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	arn, err := r.putSchedule(ctx, in, c, false)
	if err != nil {
		resp.Diagnostics.AddError("Creating the schedule of model monitor "+in.Name.V+" failed", err.Error())
		return
	}
	// Persist at once: from here on the schedule exists.
	plan.ARN = types.StringValue(arn)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if err := r.putAlarms(ctx, in, types.MapNull(types.StringType)); err != nil {
		// Not an error: the alarms stay out of alarm_names, so the next
		// plan restores them.
		resp.Diagnostics.AddWarning("SS-MON-1: the alarms of model monitor "+in.Name.V+" could not be created",
			err.Error()+"\nThe schedule was created and is recorded in state. The next apply creates the missing alarms.")
	}
	if err := r.putFilters(ctx, in); err != nil {
		// As the alarms: the next refresh lists the missing filters in
		// drift, and the next apply puts them.
		resp.Diagnostics.AddWarning("The metric filters of model monitor "+in.Name.V+" could not be created",
			err.Error()+"\nThe schedule was created and is recorded in state. The next apply creates the missing filters; until then its alarms get no data.")
	}
	shared.SaveCreated(ctx, &plan, r.readCreated, shared.ReadBackWaits, "model monitor "+in.Name.V, &resp.State, &resp.Diagnostics)
}

// Read refreshes the monitor: the live schedule and endpoint, the alarms
// and the controls. A schedule deleted outside Terraform is removed from
// state, so the next plan creates it again.
func (r *monitorResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.configured(&resp.Diagnostics) {
		return
	}
	shared.Read(ctx, req, resp, r.refresh, "model monitor schedule")
}

// Update checks again, then restores the schedule (creating it when it was
// deleted meanwhile) and the alarms.
func (r *monitorResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	in, c, ok := r.prepare(ctx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	arn, err := r.putSchedule(ctx, in, c, true)
	if err != nil {
		resp.Diagnostics.AddError("Updating the schedule of model monitor "+in.Name.V+" failed", err.Error())
		return
	}
	plan.ARN = types.StringValue(arn)
	if err := r.putAlarms(ctx, in, state.AlarmNames); err != nil {
		resp.Diagnostics.AddError("Updating the alarms of model monitor "+in.Name.V+" failed", err.Error())
		return
	}
	if err := r.putFilters(ctx, in); err != nil {
		resp.Diagnostics.AddError("Updating the metric filters of model monitor "+in.Name.V+" failed", err.Error())
		return
	}
	if state.SchedulerRoleManaged.ValueBool() && !plan.SchedulerRoleManaged.ValueBool() {
		// The schedule now runs as a given role: the one sagesafe made is
		// nobody's any more.
		if err := r.deleteSchedulerRole(ctx, in.Name.V); err != nil {
			resp.Diagnostics.AddError("Deleting the scheduler role model monitor "+in.Name.V+" no longer uses failed", err.Error())
			return
		}
	}
	// Objects the monitor uses may have been restored earlier in this apply
	// (a repair the plan named): judge them as they are now.
	r.data.Posture.Invalidate()
	shared.SaveRefreshed(ctx, &plan, r.refresh, &resp.State, &resp.Diagnostics)
}

// Delete deletes the schedule, the alarms and the metric filters (the
// shared log group stays: other jobs log to it). Runs already started finish
// on their own; SageMaker keeps their job records.
func (r *monitorResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	name := state.Name.ValueString()
	var err error
	if state.Engine.ValueString() == monitorspec.EngineModelMonitor {
		err = r.deleteMonitoringSchedule(ctx, name)
	} else {
		err = r.deleteSchedule(ctx, name)
	}
	if err != nil {
		resp.Diagnostics.AddError("Deleting model monitor "+name+" failed", err.Error())
		return
	}
	stale := alarmsToDelete(ctx, r, state)
	r.data.Reads.ForgetAlarms(stale...)
	if err := alarms.Delete(ctx, r.data.AWS.CloudWatch, stale); err != nil {
		resp.Diagnostics.AddError("Deleting the alarms of model monitor "+name+" failed", err.Error())
		return
	}
	if err := r.deleteFilters(ctx, name); err != nil {
		resp.Diagnostics.AddError("Deleting the metric filters of model monitor "+name+" failed", err.Error())
		return
	}
	if state.SchedulerRoleManaged.ValueBool() {
		if err := r.deleteSchedulerRole(ctx, name); err != nil {
			resp.Diagnostics.AddError("Deleting the scheduler role of model monitor "+name+" failed", err.Error())
		}
	}
}

// ImportState imports a monitor by name (Scheduler engine) or
// model_monitor/<name>.
func (r *monitorResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	engine, name := monitorspec.EngineScheduledProcessingJob, req.ID
	if rest, ok := strings.CutPrefix(req.ID, monitorspec.EngineModelMonitor+"/"); ok {
		engine, name = monitorspec.EngineModelMonitor, rest
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("engine"), engine)...)
}

func (r *monitorResource) configured(diags *diag.Diagnostics) bool {
	return providerdata.Ready(r.data, "sagesafe_model_monitor was used", diags)
}

// alarmsToDelete are the alarms in state and every alarm the state's
// features give, in case a failed apply left one out of state.
func alarmsToDelete(ctx context.Context, r *monitorResource, state model) []string {
	names := map[string]bool{}
	for _, v := range state.AlarmNames.Elements() {
		if s, ok := v.(types.String); ok {
			names[s.ValueString()] = true
		}
	}
	in, _ := decode(ctx, state)
	for _, n := range sagemakerjob.SpecNames(r.specs(in)) {
		names[n] = true
	}
	return slices.Sorted(maps.Keys(names))
}
