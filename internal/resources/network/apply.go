package network

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// verifyFor bounds how long apply waits for EC2's eventually consistent
// reads to show the restored network before reporting what is still off.
var verifyFor = time.Minute

// adoptOrCreateVPC returns the VPC a killed apply of this network left,
// when it passes the recovery rule (findLeftoverVPC), or creates one. The
// flow-log role is held to the rule first (checkLeftoverRole), so that
// reconcile never rewrites a role that is not this network's. A leftover
// the rule refuses is an *errLeftover.
func (r *networkResource) adoptOrCreateVPC(ctx context.Context, c clients, s spec) (string, error) {
	if err := checkLeftoverRole(ctx, c, s); err != nil {
		return "", err
	}
	vpcID, err := findLeftoverVPC(ctx, c.ec2, s)
	if err != nil || vpcID != "" {
		return vpcID, err
	}
	return createVPC(ctx, c.ec2, s)
}

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
	for _, mp := range []*types.Map{&m.ControlStates, &m.TagsAll} {
		if mp.IsUnknown() {
			*mp = types.MapNull(types.StringType)
		}
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
// It returns the network as it matched.
func (r *networkResource) verify(ctx context.Context, s spec, vpcID string, k known) (*live, error) {
	deadline := time.Now().Add(verifyFor)
	for {
		l, err := observe(ctx, r.clients(), vpcID, s, k)
		if err != nil {
			return nil, err
		}
		drift := driftOf(s, l, judgeLive(ctx, r.data, s, l))
		if len(drift) == 0 {
			return l, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("the network does not match its secure state after apply:\n  - %s", strings.Join(drift, "\n  - "))
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollInterval):
		}
	}
}

// finish reads the network back into m after Create or Update. It
// reports false when the read itself failed (the errors are in diags).
func (r *networkResource) finish(ctx context.Context, m *networkModel, vpcID string, diags *diag.Diagnostics) bool {
	m.VPCID, m.ID = types.StringValue(vpcID), types.StringValue(vpcID)
	var read diag.Diagnostics
	found := r.refresh(ctx, m, &read)
	diags.Append(read...)
	if read.HasError() {
		return false
	}
	if !found {
		diags.AddError("sagesafe_network disappeared", "VPC "+vpcID+" was not found right after apply.")
	}
	if drift := stringList(ctx, m.Drift, diags); len(drift) > 0 {
		diags.AddError("sagesafe_network is not in its secure state", strings.Join(drift, "\n"))
	}
	return true
}

// finishCreate is finish after Create. The network exists and was verified
// by then, so when reading it back fails (a transient error), that must
// not taint it (the next apply would delete and rebuild it): m gets its
// IDs from the network as verify saw it, with a warning, and the next
// refresh reads the posture again.
func (r *networkResource) finishCreate(ctx context.Context, m *networkModel, s spec, verified *live, diags *diag.Diagnostics) {
	planned := *m
	var d diag.Diagnostics
	if r.finish(ctx, m, aws.ToString(verified.VPC.VpcId), &d) {
		diags.Append(d...)
		return
	}
	*m = planned
	flattenLive(ctx, m, s, verified, r.data, diags)
	nullUnknowns(m)
	vpcID := m.VPCID.ValueString()
	var detail []string
	for _, e := range d.Errors() {
		detail = append(detail, e.Summary()+": "+e.Detail())
	}
	diags.AddWarning("sagesafe_network was created, but reading it back failed",
		fmt.Sprintf("VPC %s and its objects were created and verified; reading them back afterwards failed:\n  %s\n\n"+
			"The network is kept in state as created (not tainted); the next refresh reads its IDs and posture.", vpcID, strings.Join(detail, "\n  ")))
}
