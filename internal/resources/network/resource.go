// Package network is the sagesafe_network resource: an isolated VPC for
// SageMaker with private subnets, PrivateLink endpoints, tight security
// groups and encrypted flow logs, whose posture is re-derived at every
// refresh so that weakening it out of band shows as drift.
package network

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

var (
	_ resource.Resource                = (*networkResource)(nil)
	_ resource.ResourceWithConfigure   = (*networkResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*networkResource)(nil)
	_ resource.ResourceWithImportState = (*networkResource)(nil)
)

// NewResource returns the sagesafe_network resource.
func NewResource() resource.Resource { return &networkResource{} }

type networkResource struct {
	data *providerdata.Data
}

// Metadata sets the type name.
func (r *networkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_network"
}

// Schema returns the resource schema.
func (r *networkResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = networkSchema(ctx)
}

// Configure keeps the provider data.
func (r *networkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerdata.From(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	r.data = data
}

// ModifyPlan resolves the default Availability Zones, checks the planned
// key, log retention and tags against the guardrails (an error finding
// blocks the plan with its control ID), plans `controls` and an empty
// `drift`, and marks the IDs that apply may change as unknown.
func (r *networkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.AWS == nil {
		return // destroy, or the provider is not configured yet (validate)
	}
	var plan networkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *networkModel
	if !req.State.Raw.IsNull() {
		state = &networkModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	r.planRepair(ctx, state)
	if !r.checkPlanAWS(ctx, &plan, state, &resp.Diagnostics) || !r.planControls(ctx, &plan, &resp.Diagnostics) {
		return
	}
	r.planComputed(ctx, &plan, state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// Create creates the VPC, records its ID, and reconciles everything else
// into it. On failure everything created is deleted again; if that fails
// too, the network stays in state (tainted) so the next apply or destroy
// removes it.
func (r *networkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan networkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	limit, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	s := r.specFrom(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.guard(ctx, &plan, &resp.Diagnostics) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	c := r.clients()

	vpcID, err := r.adoptOrCreateVPC(ctx, c, s)
	var refused *errLeftover
	if errors.As(err, &refused) {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "A network with this name already exists",
			fmt.Sprintf("%v. It is another network with the same name, or what an interrupted apply left behind, changed since. "+
				"Import the VPC (terraform import <address> vpc-...) and the next apply completes and secures it, or delete it, or choose another name.", err))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Creating sagesafe_network failed", err.Error())
		return
	}
	// Persist early: if anything below fails and cannot be undone, the
	// VPC is in state and the next destroy finds the rest by its tag.
	partial := plan
	partial.VPCID, partial.ID = types.StringValue(vpcID), types.StringValue(vpcID)
	nullUnknowns(&partial)
	resp.Diagnostics.Append(resp.State.Set(ctx, &partial)...)

	var verified *live
	err = awaitVPC(ctx, c.ec2, vpcID)
	if err == nil {
		err = reconcile(ctx, c, s, vpcID, known{})
	}
	if err == nil {
		verified, err = r.verify(ctx, s, vpcID, known{})
	}
	r.data.Posture.Invalidate()
	if err != nil {
		r.rollback(ctx, &plan, s, vpcID, err, resp)
		return
	}
	r.finishCreate(ctx, &plan, s, verified, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read re-derives the network from AWS: IDs, settings, posture and drift.
func (r *networkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m networkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	if !r.refresh(ctx, &m, &resp.Diagnostics) {
		if !resp.Diagnostics.HasError() {
			resp.State.RemoveResource(ctx)
		}
		return
	}
	if drift := stringList(ctx, m.Drift, &resp.Diagnostics); len(drift) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("drift"),
			fmt.Sprintf("sagesafe_network %q has drifted from its secure state", m.Name.ValueString()),
			"Changed outside Terraform (the next apply restores each):\n  - "+strings.Join(drift, "\n  - "))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update reconciles the network to the plan: tags, interface endpoints,
// key and retention of the flow-log group, and anything weakened outside
// Terraform.
func (r *networkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state networkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	limit, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	s := r.specFrom(ctx, &plan, &resp.Diagnostics)
	k := knownFrom(ctx, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.guard(ctx, &plan, &resp.Diagnostics) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	vpcID := state.VPCID.ValueString()

	err := reconcile(ctx, r.clients(), s, vpcID, k)
	if err == nil {
		_, err = r.verify(ctx, s, vpcID, k)
	}
	r.data.Posture.Invalidate()
	if err != nil {
		resp.Diagnostics.AddError("Updating sagesafe_network failed", err.Error())
		// Record what exists now, so the next plan starts from the truth.
		if r.refresh(ctx, &state, &resp.Diagnostics) {
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		}
		return
	}
	r.finish(ctx, &plan, vpcID, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete tears the network down in reverse order, waiting out the network
// interfaces SageMaker releases late; if some remain at the timeout, the
// error names them and their owners and the network stays in state.
func (r *networkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state networkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	limit, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	s := r.specFrom(ctx, &state, &resp.Diagnostics)
	k := knownFrom(ctx, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if err := teardown(ctx, r.clients(), s, state.VPCID.ValueString(), k); err != nil {
		resp.Diagnostics.AddError("Deleting sagesafe_network failed", err.Error())
	}
	r.data.Posture.Invalidate()
}

// ImportState imports a network by its VPC ID; Read finds the rest by the
// sagesafe:network tag.
func (r *networkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !vpcIDRegexp.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("Import sagesafe_network by its VPC ID (vpc-...), not %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("vpc_id"), req.ID)...)
}
