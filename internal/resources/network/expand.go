package network

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// specFrom builds the desired network from a plan or state. Values that are
// null (a freshly imported state) stay empty.
func (r *networkResource) specFrom(ctx context.Context, m *networkModel, diags *diag.Diagnostics) spec {
	s := spec{
		Name:          m.Name.ValueString(),
		CIDR:          m.CIDRBlock.ValueString(),
		AZs:           stringList(ctx, m.AvailabilityZones, diags),
		KMSKeyARN:     m.KMSKeyARN.ValueString(),
		RetentionDays: m.FlowLogRetentionDays.ValueInt64(),
		Services:      stringSet(ctx, m.InterfaceEndpoints, diags),
		Tags:          mergedTags(r.data, stringMap(ctx, m.Tags, diags)),
		Region:        r.data.AWS.Region,
		Partition:     r.data.AWS.Partition,
		AccountID:     r.data.AWS.AccountID,
		Boundary:      r.data.Policy.RoleBoundaryARN,
	}
	sort.Strings(s.Services)
	if s.CIDR != "" && len(s.AZs) > 0 {
		cidrs, err := carveSubnets(s.CIDR, len(s.AZs))
		if err != nil {
			diags.AddAttributeError(path.Root("cidr_block"), "Invalid CIDR block", err.Error())
		}
		s.SubnetCIDRs = cidrs
	}
	return s
}

// knownFrom collects the IDs recorded in a state.
func knownFrom(ctx context.Context, m *networkModel, diags *diag.Diagnostics) known {
	k := known{
		Subnets:      stringList(ctx, m.SubnetIDs, diags),
		RouteTables:  stringList(ctx, m.RouteTableIDs, diags),
		WorkloadSG:   m.WorkloadSecurityGroupID.ValueString(),
		EndpointSG:   m.EndpointSecurityGroupID.ValueString(),
		FlowLog:      m.FlowLogID.ValueString(),
		EndpointByID: map[string]string{},
	}
	for svc, id := range stringMap(ctx, m.VPCEndpointIDs, diags) {
		k.Endpoints = append(k.Endpoints, id)
		k.EndpointByID[id] = svc
	}
	return k
}
