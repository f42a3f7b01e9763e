package network

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// A killed apply leaves the network half made: the VPC, perhaps some of
// its objects and the flow-log role, and no state. Create then finds the
// VPC by the network's identity tag (sagesafe:network=<name>) and adopts it
// under the recovery rule of internal/idem: it carries a creation token,
// its identity tags, and passes auditLeftoverVPC. reconcile then completes
// it from what it finds inside (each object is recognised by its tags, as
// in a drift repair) and verify checks the whole network, as for a new one.
// The flow-log role, found by its deterministic name, is held to the same
// rule (auditLeftoverRole) before reconcile may use it.

// errLeftover is a leftover refused by the recovery rule: err says why.
type errLeftover struct {
	what string // "VPC vpc-1 is tagged sagesafe:network=ml"
	err  error
}

func (e *errLeftover) Error() string { return e.what + ", but " + e.err.Error() }
func (e *errLeftover) Unwrap() error { return e.err }

// findLeftoverVPC returns the VPC a killed apply of this network left ("" when
// there is none). A VPC carrying the network's tag that fails the recovery
// rule is an *errLeftover.
func findLeftoverVPC(ctx context.Context, c ec2API, s spec) (string, error) {
	out, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{tagFilter(s.Name)}})
	if err != nil {
		return "", fmt.Errorf("looking for VPCs tagged %s=%s: %w", TagNetwork, s.Name, err)
	}
	var ids []string
	for _, v := range out.Vpcs {
		ids = append(ids, aws.ToString(v.VpcId))
	}
	what := fmt.Sprintf("VPC %s is tagged %s=%s", strings.Join(ids, ", "), TagNetwork, s.Name)
	switch len(ids) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", &errLeftover{what: what, err: errors.New("one network has one VPC")}
	}
	v := out.Vpcs[0]
	tags := shared.TagMap(v.Tags, ec2TagKeyValue)
	if err := idem.Leftover(tags, map[string]string{TagNetwork: s.Name, TagRole: roleVPC}); err != nil {
		return "", &errLeftover{what: what, err: err}
	}
	if err := auditLeftoverVPC(v, s); err != nil {
		return "", &errLeftover{what: what, err: err}
	}
	tflog.Warn(ctx, "sagesafe_network: adopting the VPC an interrupted apply created", map[string]any{"network": s.Name, "vpc_id": ids[0]})
	return ids[0], nil
}

// auditLeftoverVPC is part (c) of the recovery rule for the network's VPC:
// it must be what CreateVpc makes from s: a non-default VPC with s's CIDR
// block and no other, no IPv6 block, default tenancy. What reconcile sets
// after CreateVpc (DNS attributes, tags, every object inside) it sets on
// the adopted VPC too, and verify checks, as after a fresh create.
func auditLeftoverVPC(v ec2types.Vpc, s spec) error {
	if aws.ToBool(v.IsDefault) {
		return errors.New("it is the region's default VPC")
	}
	if got := aws.ToString(v.CidrBlock); got != s.CIDR {
		return fmt.Errorf("its CIDR block is %s, not %s", got, s.CIDR)
	}
	for _, a := range v.CidrBlockAssociationSet {
		if a.CidrBlockState != nil && associated(a.CidrBlockState.State) && aws.ToString(a.CidrBlock) != s.CIDR {
			return fmt.Errorf("it has the CIDR block %s too", aws.ToString(a.CidrBlock))
		}
	}
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState == nil || associated(ec2types.VpcCidrBlockStateCode(a.Ipv6CidrBlockState.State)) {
			return fmt.Errorf("it has the IPv6 block %s", aws.ToString(a.Ipv6CidrBlock))
		}
	}
	if v.InstanceTenancy != "" && v.InstanceTenancy != ec2types.TenancyDefault {
		return fmt.Errorf("its instance tenancy is %s, not default", v.InstanceTenancy)
	}
	return nil
}

// associated reports a CIDR block that is (or is being) part of the VPC.
func associated(state ec2types.VpcCidrBlockStateCode) bool {
	return state == ec2types.VpcCidrBlockStateCodeAssociated || state == ec2types.VpcCidrBlockStateCodeAssociating
}

// checkLeftoverRole holds an existing flow-log role to the recovery rule
// before a create may use it: the role's name is the network's, so an
// existing one is a killed apply's, or someone else's, which reconcile
// must not rewrite. nil when there is none, or it passes.
func checkLeftoverRole(ctx context.Context, c clients, s spec) error {
	var l live
	if err := l.observeRole(ctx, c, s.roleName()); err != nil || l.Role == nil {
		return err
	}
	trust, _, err := s.flowLogDocuments()
	if err != nil {
		return err
	}
	what := "role " + s.roleName() + " already exists"
	tags := shared.TagMap(l.Role.Role.Tags, iamTagKeyValue)
	if err := idem.Leftover(tags, map[string]string{TagNetwork: s.Name, TagRole: roleFlowLogRole}); err != nil {
		return &errLeftover{what: what, err: err}
	}
	if err := auditLeftoverRole(&l, tags, s, trust); err != nil {
		return &errLeftover{what: what, err: err}
	}
	return nil
}

// auditLeftoverRole is part (c) of the recovery rule for the flow-log
// role: the trust policy, description and tags createRole sends (the
// creation token aside), no managed policy, no inline policy but the
// delivery policy (which reconcile puts next, as for a new role).
func auditLeftoverRole(l *live, tags map[string]string, s spec, trust string) error {
	role := l.Role.Role
	if !equivalent(aws.ToString(role.AssumeRolePolicyDocument), trust) {
		return errors.New("its trust policy is not the one sagesafe writes")
	}
	if got, want := aws.ToString(role.Description), roleDescription(s); got != want {
		return fmt.Errorf("its description is %q, not %q", got, want)
	}
	want := s.tags(roleFlowLogRole, "flow-logs", nil)
	have := maps.Clone(tags)
	delete(have, idem.TokenTag)
	if !maps.Equal(have, want) {
		return fmt.Errorf("its tags are %v, not %v", have, want)
	}
	if len(l.RoleAttachedARNs) > 0 {
		return fmt.Errorf("managed policies are attached to it: %v", l.RoleAttachedARNs)
	}
	if len(l.RoleOtherInline) > 0 {
		return fmt.Errorf("it has the inline policies %v", l.RoleOtherInline)
	}
	return nil
}
