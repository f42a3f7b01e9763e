package network

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// verifyFor bounds how long apply waits for EC2's eventually consistent
// reads to show the restored network before reporting what is still off.
var verifyFor = time.Minute

// rollback deletes what a failed Create made.
func (r *networkResource) rollback(ctx context.Context, plan *networkModel, s spec, vpcID string, cause error, resp *resource.CreateResponse) {
	limit, _ := plan.Timeouts.Delete(ctx, defaultDeleteTimeout)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	defer cancel()
	if err := teardown(rctx, r.clients(), s, vpcID, known{}); err != nil {
		resp.Diagnostics.AddError("Creating sagesafe_network failed",
			fmt.Sprintf("%v\n\nDeleting what was created failed too: %v\n\nThe network (VPC %s) is kept in state, marked tainted: "+
				"the next apply or destroy deletes it, finding its objects by the %s=%s tag.", cause, err, vpcID, TagNetwork, s.Name))
		return
	}
	resp.State.RemoveResource(ctx)
	resp.Diagnostics.AddError("Creating sagesafe_network failed",
		fmt.Sprintf("%v\n\nEverything that had been created (VPC %s and its objects, the flow-log role and log group) was deleted again.", cause, vpcID))
}

// nullUnknowns replaces the unknown values of a planned model with nulls,
// for a partial state.
func nullUnknowns(m *networkModel) {
	if m.AvailabilityZones.IsUnknown() {
		m.AvailabilityZones = types.ListNull(types.StringType)
	}
	for _, l := range []*types.List{&m.SubnetIDs, &m.RouteTableIDs, &m.Controls, &m.Drift} {
		if l.IsUnknown() {
			*l = types.ListNull(types.StringType)
		}
	}
	if m.ControlStates.IsUnknown() {
		m.ControlStates = types.MapNull(types.StringType)
	}
	for _, s := range []*types.String{&m.WorkloadSecurityGroupID, &m.EndpointSecurityGroupID, &m.FlowLogID, &m.FlowLogGroupName, &m.FlowLogRoleARN} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	if m.VPCEndpointIDs.IsUnknown() {
		m.VPCEndpointIDs = types.MapNull(types.StringType)
	}
}

// verify re-reads the network until it matches its spec, or verifyFor
// passes (EC2 reads are eventually consistent), and reports what is off.
func (r *networkResource) verify(ctx context.Context, s spec, vpcID string, k known) error {
	deadline := time.Now().Add(verifyFor)
	for {
		l, err := observe(ctx, r.clients(), vpcID, s, k)
		if err != nil {
			return err
		}
		drift := driftOf(s, l, judgeLive(ctx, r.data, s, l))
		if len(drift) == 0 {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the network does not match its secure state after apply:\n  - %s", strings.Join(drift, "\n  - "))
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollInterval):
		}
	}
}

// finish reads the network back into m after Create or Update.
func (r *networkResource) finish(ctx context.Context, m *networkModel, vpcID string, diags *diag.Diagnostics) {
	m.VPCID = types.StringValue(vpcID)
	found := r.refresh(ctx, m, diags)
	if !found && !diags.HasError() {
		diags.AddError("sagesafe_network disappeared", "VPC "+vpcID+" was not found right after apply.")
	}
	if drift := stringList(ctx, m.Drift, diags); len(drift) > 0 {
		diags.AddError("sagesafe_network is not in its secure state", strings.Join(drift, "\n"))
	}
}
