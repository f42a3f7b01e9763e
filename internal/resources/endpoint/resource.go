// Package endpoint is the sagesafe_endpoint resource: a secure real-time
// SageMaker inference endpoint (log group, model, endpoint configuration,
// alarms and endpoint) managed as one object, with guarded blue/green
// updates.
package endpoint

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

var (
	_ resource.Resource                   = (*endpointResource)(nil)
	_ resource.ResourceWithConfigure      = (*endpointResource)(nil)
	_ resource.ResourceWithImportState    = (*endpointResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*endpointResource)(nil)
	_ resource.ResourceWithValidateConfig = (*endpointResource)(nil)
)

// NewResource returns the sagesafe_endpoint resource.
func NewResource() resource.Resource { return &endpointResource{} }

type endpointResource struct {
	data *providerdata.Data
}

// operation names this resource in the "provider not configured" error.
const operation = "sagesafe_endpoint was used"

func (r *endpointResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_endpoint"
}

func (r *endpointResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = endpointSchema(ctx)
}

func (r *endpointResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerdata.From(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	r.data = data
}

// ValidateConfig checks combinations the schema cannot express.
func (r *endpointResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m endpointModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	n, diags := m.nested(ctx)
	resp.Diagnostics.Append(diags...)

	if !m.Deployment.IsNull() && !m.Deployment.IsUnknown() {
		d := n.Deployment
		dp := path.Root("deployment")
		strategy := stringOrDefault(d.Strategy, DefaultStrategy)
		if !d.Strategy.IsUnknown() {
			need := func(v types.Int64, attr, want string) {
				switch {
				case want == strategy && v.IsNull():
					resp.Diagnostics.AddAttributeError(dp.AtName(attr), "Missing "+attr,
						fmt.Sprintf("deployment.%s is required when deployment.strategy is %q.", attr, strategy))
				case want != strategy && !v.IsNull():
					resp.Diagnostics.AddAttributeError(dp.AtName(attr), "Unexpected "+attr,
						fmt.Sprintf("deployment.%s applies only to strategy %q; the strategy is %q.", attr, want, strategy))
				}
			}
			need(d.CanaryPercent, "canary_percent", strategyCanary)
			need(d.LinearStepPercent, "linear_step_percent", strategyLinear)
		}
		known := !d.Strategy.IsUnknown() && !d.BakeSeconds.IsUnknown() && !d.TerminationWaitSeconds.IsUnknown() &&
			!d.LinearStepPercent.IsUnknown() && !d.MaxExecutionSeconds.IsUnknown()
		if known && !d.MaxExecutionSeconds.IsNull() {
			ds := deploymentSpec{
				Strategy: strategy, LinearStepPercent: d.LinearStepPercent.ValueInt64(),
				BakeSeconds:            int64OrDefault(d.BakeSeconds, DefaultBakeSeconds),
				TerminationWaitSeconds: d.TerminationWaitSeconds.ValueInt64(),
			}
			if minSec := ds.minExecutionSeconds(); d.MaxExecutionSeconds.ValueInt64() <= minSec {
				resp.Diagnostics.AddAttributeError(dp.AtName("max_execution_seconds"), "max_execution_seconds too small",
					fmt.Sprintf("SageMaker requires the deployment's maximum execution time to exceed its waits: with strategy %q, "+
						"bake_seconds %d and termination_wait_seconds %d they total %d seconds, but max_execution_seconds is %d.",
						strategy, ds.BakeSeconds, ds.TerminationWaitSeconds, minSec, d.MaxExecutionSeconds.ValueInt64()))
			}
		}
	}
	if !m.DataCapture.IsNull() && !m.DataCapture.IsUnknown() {
		c := n.DataCapture
		if c.Enabled.ValueBool() && c.S3URI.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("data_capture").AtName("s3_uri"), "Missing data_capture.s3_uri",
				"data_capture.s3_uri is required when data capture is enabled.")
		}
	}
}

// ModifyPlan fills the computed values that are known at plan time and runs
// the guardrails on the plan: an error finding refuses a plan that creates,
// changes or replaces the endpoint with the control's ID, and is a warning
// when the plan leaves the endpoint unchanged (see planChecked.report).
func (r *endpointResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.AWS == nil {
		return // destroy, or the provider is not configured yet (validation)
	}
	var plan endpointModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var key *nameKey
	var prior *endpointModel
	priorStates := types.MapNull(types.StringType)
	if !req.State.Raw.IsNull() {
		var st endpointModel
		resp.Diagnostics.Append(req.State.Get(ctx, &st)...)
		k, ok := planNameKey(ctx, req, resp, st)
		if resp.Diagnostics.HasError() || !ok {
			return
		}
		key, prior = &k, &st
		priorStates = st.ControlStates
	}
	known := r.planComputed(ctx, &plan, key, prior, &resp.Diagnostics)
	if deploysVersion(plan, prior) {
		priorStates = types.MapNull(types.StringType) // the update will use the deployment configuration
	}
	checked, ok := r.planGuardrails(ctx, &plan, priorStates, known, &resp.Diagnostics)
	if !ok || !planInvokePolicy(ctx, &plan, &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	checked.report(planStatus(ctx, req, resp), &resp.Diagnostics)
}

func (r *endpointResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan endpointModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !providerdata.Ready(r.data, operation, &resp.Diagnostics) {
		return
	}
	limit, d := plan.Timeouts.Create(ctx, DefaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	// The name key is made, and kept in the private state, before anything
	// is created: every model and configuration carries its token.
	k, err := newNameKey("")
	if err != nil {
		resp.Diagnostics.AddError("Creating the endpoint failed", err.Error())
		return
	}
	storeNameKey(ctx, resp.Private, k, &resp.Diagnostics)
	a, ok := r.prepareApply(ctx, plan, k, nil, &resp.Diagnostics)
	if !ok {
		return
	}
	if a.adopted, err = r.adoptInterrupted(ctx, &a); err != nil {
		resp.Diagnostics.AddError("Creating the endpoint failed", err.Error())
		return
	}
	storeNameKey(ctx, resp.Private, a.key, &resp.Diagnostics)
	c := &cleanup{r: r, name: a.spec.Name, key: &a.key}
	lg, ep, ok := r.provision(ctx, a, c, resp.Private, &resp.Diagnostics)
	if !ok {
		return
	}
	// Persist what exists before the long wait: if the wait is interrupted,
	// the next run knows about the endpoint.
	state := r.appliedState(plan, a, ep, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)

	if ep, ok = r.awaitInService(ctx, a, c, lg.Created, resp); !ok {
		return
	}
	state.Status = types.StringValue(string(ep.EndpointStatus))
	// Autoscaling needs the variant, so it comes last; a failure leaves the
	// endpoint in the state with autoscaling_registered false, which the
	// next apply completes.
	if a.spec.Scaling != nil {
		if err := r.registerScaling(ctx, a.spec.Name, *a.spec.Scaling); err != nil {
			state.ScalingRegistered = types.BoolValue(false)
			resp.Diagnostics.AddError("Registering the endpoint's autoscaling failed", err.Error())
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *endpointResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state endpointModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !providerdata.Ready(r.data, operation, &resp.Diagnostics) {
		return
	}
	name := state.Name.ValueString()
	live, err := r.readLive(ctx, name, r.data.Reads)
	if err == nil {
		live.scaling, err = r.readScaling(ctx, name, r.data.Reads)
	}
	if IsNotFound(err) {
		tflog.Warn(ctx, "endpoint no longer exists, removing it from the state", map[string]any{"endpoint": name})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading endpoint "+name+" failed", err.Error())
		return
	}
	next, diags := r.refresh(ctx, state, live, req.Private, resp.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
}

// Update changes in place what can change in place, then rolls a new model
// and configuration out blue/green when the spec's version changed.
func (r *endpointResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior endpointModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() || !providerdata.Ready(r.data, operation, &resp.Diagnostics) {
		return
	}
	limit, d := plan.Timeouts.Update(ctx, DefaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	k, ok := loadNameKey(ctx, req.Private)
	if !ok { // ModifyPlan stores one; a plan made by an older sagesafe has none
		var err error
		if k, err = newNameKey(prior.EndpointConfigName.ValueString()); err != nil {
			resp.Diagnostics.AddError("Updating the endpoint failed", err.Error())
			return
		}
		storeNameKey(ctx, resp.Private, k, &resp.Diagnostics)
	}
	a, ok := r.prepareApply(ctx, plan, k, &prior, &resp.Diagnostics)
	if !ok {
		return
	}
	old, diags := expandSpec(ctx, prior, r.data)
	resp.Diagnostics.Append(diags...)
	oldTags := old.allTags(r.data)
	if all, known := tfval.Tags(ctx, prior.TagsAll, &resp.Diagnostics); known && !prior.TagsAll.IsNull() {
		// What the objects were tagged with, so that a key dropped from
		// the provider's default_tags is removed too.
		oldTags = all
		oldTags[ownerTagKey] = old.Name
	}

	if !r.updateInPlace(ctx, a, oldTags, resp.Private, &resp.Diagnostics) {
		return
	}
	ep, ok := r.readyForUpdate(ctx, a.spec.Name, &resp.Diagnostics)
	if !ok {
		return
	}
	v, ok := r.ensureVersion(ctx, a, aws.ToString(ep.EndpointConfigName), &resp.Diagnostics)
	if !ok {
		return
	}
	if !r.claimAdopted(ctx, a, ep, &resp.Diagnostics) {
		return
	}
	if previous := aws.ToString(ep.EndpointConfigName); previous != a.version {
		// SageMaker refuses an update that changes the instance type of an
		// autoscaled variant: the policy and target go first.
		if old.Scaling != nil && old.InstanceType != a.spec.InstanceType {
			if err := r.deregisterScaling(ctx, a.spec.Name); err != nil {
				resp.Diagnostics.AddError("Deregistering the endpoint's autoscaling before the update failed", err.Error())
				return
			}
		}
		if ep, ok = r.rollForward(ctx, a, v, previous, prior, plan, resp); !ok {
			return
		}
	}
	if !r.reconcileScaling(ctx, a.spec, &resp.Diagnostics) {
		return
	}
	// After the scaling: a target left registered would move the count again.
	ep, err := r.restoreInstanceCount(ctx, a.spec, ep)
	if err != nil {
		resp.Diagnostics.AddError("Restoring the endpoint's instance count failed", err.Error())
		return
	}
	if err := r.retagSageMaker(ctx, []string{aws.ToString(ep.EndpointArn), v.modelARN, v.configARN}, a.tags, oldTags); err != nil {
		resp.Diagnostics.AddError("Tagging the endpoint failed", err.Error())
		return
	}
	state := r.appliedState(plan, a, ep, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *endpointResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state endpointModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !providerdata.Ready(r.data, operation, &resp.Diagnostics) {
		return
	}
	limit, d := state.Timeouts.Delete(ctx, DefaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	var key *nameKey
	if k, ok := loadNameKey(ctx, req.Private); ok {
		key = &k
	}
	r.teardown(ctx, state, key, &resp.Diagnostics).run(ctx, &resp.Diagnostics)
}

func (r *endpointResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !nameRE.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import a sagesafe_endpoint by its endpoint name (1 to %d letters, digits and hyphens); got %q.", MaxNameLength, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
