package network

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// refresh reads the network whose vpc_id is in m into m. It reports false
// when the VPC does not exist. The settings the user chose are replaced
// with what AWS has (so out-of-band changes show as diffs), the posture is
// evaluated (findings become warnings naming the control, satisfied
// controls go to `controls`), and everything that differs from the secure
// state goes to `drift`.
func (r *networkResource) refresh(ctx context.Context, m *networkModel, diags *diag.Diagnostics) bool {
	s, l, found := r.observeModel(ctx, m, diags)
	if !found {
		return false
	}
	flattenLive(ctx, m, s, l, r.data, diags)
	r.checkLive(ctx, m, s, l, diags)
	return true
}

// observeModel observes the network of m and returns it with the spec it
// should match. found is false when the VPC does not exist or on an error
// (in diags).
func (r *networkResource) observeModel(ctx context.Context, m *networkModel, diags *diag.Diagnostics) (s spec, l *live, found bool) {
	vpcID := m.VPCID.ValueString()
	s = r.specFrom(ctx, m, diags)
	k := knownFrom(ctx, m, diags)
	if diags.HasError() {
		return s, nil, false
	}
	c := r.clients()
	l, err := observe(ctx, c, vpcID, s, k)
	if errors.Is(err, ErrNotFound) {
		return s, nil, false
	}
	if err != nil {
		diags.AddError("Reading sagesafe_network failed", err.Error())
		return s, nil, false
	}

	// A freshly imported state knows only the VPC ID.
	if s.Name == "" {
		if l.Name == "" {
			diags.AddError("Not a sagesafe_network",
				fmt.Sprintf("VPC %s has no %s tag, so it was not created by sagesafe_network and its subnets, endpoints and flow log cannot be told apart from others. Only networks made by sagesafe_network can be imported.", vpcID, TagNetwork))
			return s, nil, false
		}
		s.Name = l.Name
		// Observe again now that the name is known: objects are found by it.
		if l, err = observe(ctx, c, vpcID, s, k); err != nil {
			diags.AddError("Reading sagesafe_network failed", err.Error())
			return s, nil, false
		}
	}
	completeSpec(&s, l, m.Name.IsNull())
	return s, l, true
}

// completeSpec fills in what a state without them (an import) leaves out of
// the spec from what the network has: its CIDR and zones and, for an
// import, its interface endpoints, key and retention.
func completeSpec(s *spec, l *live, imported bool) {
	if s.CIDR == "" {
		s.CIDR = aws.ToString(l.VPC.CidrBlock)
	}
	if len(s.AZs) == 0 {
		s.AZs = l.zoneOrder()
		if cidrs, err := carveSubnets(s.CIDR, max(len(s.AZs), 1)); err == nil {
			s.SubnetCIDRs = cidrs
		}
	}
	if imported {
		// What the network should be is what it has.
		s.Services = slices.Sorted(maps.Keys(l.Interfaces))
		if l.LogGroup != nil {
			s.KMSKeyARN = aws.ToString(l.LogGroup.KmsKeyId)
			s.RetentionDays = int64(aws.ToInt32(l.LogGroup.RetentionInDays))
		}
	}
}
