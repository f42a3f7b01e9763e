package network

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
)

// Backoff for DependencyViolation retries during teardown (variables so
// unit tests can shorten them).
var (
	dependencyRetryBase = 2 * time.Second
	dependencyRetryMax  = 30 * time.Second
)

// teardown deletes the network in reverse order of creation: flow log,
// endpoints, security groups, route tables, subnets, VPC, then the role and
// the log group. Objects are found by the VPC and the network's tag (plus
// the IDs in k), so it also removes what a failed create left behind. Every
// step treats "not found" as done, so teardown can be run again after a
// failure. vpcID may be empty when the VPC was never created.
func teardown(ctx context.Context, c clients, s spec, vpcID string, k known) error {
	if vpcID != "" {
		if err := teardownVPC(ctx, c, s, vpcID, k); err != nil {
			return err
		}
	}
	if err := deleteRole(ctx, c.iam, s.roleName()); err != nil {
		return err
	}
	return loggroup.Delete(ctx, c.logs, s.logGroupName())
}

// teardownVPC deletes the VPC and everything in it, in reverse order of
// creation.
func teardownVPC(ctx context.Context, c clients, s spec, vpcID string, k known) error {
	l, err := observe(ctx, c, vpcID, s, k)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, step := range []func(context.Context, ec2API, string, *live) error{
		deleteFlowLogs, deleteNetworkEndpoints, deleteGroups, deleteRouteTables, deleteSubnets, detachGateways,
	} {
		if err := step(ctx, c.ec2, vpcID, l); err != nil {
			return err
		}
	}
	return retryDependency(ctx, c.ec2, "VPC "+vpcID, eniFilter("vpc-id", vpcID), func() error {
		_, err := c.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpcID)})
		return ignoreNotFound(err)
	})
}

func deleteFlowLogs(ctx context.Context, c ec2API, _ string, l *live) error {
	var flowLogs []string
	for _, f := range l.FlowLogs {
		flowLogs = append(flowLogs, aws.ToString(f.FlowLogId))
	}
	if len(flowLogs) == 0 {
		return nil
	}
	if _, err := c.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: flowLogs}); ignoreNotFound(err) != nil {
		return fmt.Errorf("deleting flow logs %s: %w", strings.Join(flowLogs, ", "), err)
	}
	return nil
}

// deleteNetworkEndpoints deletes the interface endpoints, the strays and
// the S3 gateway endpoint.
func deleteNetworkEndpoints(ctx context.Context, c ec2API, vpcID string, l *live) error {
	var endpoints []string
	for _, e := range l.Interfaces {
		endpoints = append(endpoints, aws.ToString(e.VpcEndpointId))
	}
	for _, e := range l.Strays {
		endpoints = append(endpoints, aws.ToString(e.VpcEndpointId))
	}
	if l.S3Gateway != nil {
		endpoints = append(endpoints, gatewayID(l))
	}
	if len(endpoints) == 0 {
		return nil
	}
	slices.Sort(endpoints)
	return deleteEndpoints(ctx, c, vpcID, endpoints)
}

// deleteGroups deletes the workload and endpoint security groups.
func deleteGroups(ctx context.Context, c ec2API, _ string, l *live) error {
	// Security groups refer to each other, and AWS refuses to delete a group
	// that another group's rule names: empty both first.
	groups := []*ec2types.SecurityGroup{l.WorkloadSG, l.EndpointSG}
	for _, g := range groups {
		if g == nil {
			continue
		}
		if err := revokeRules(ctx, c, aws.ToString(g.GroupId), rulesOf(g.IpPermissions), rulesOf(g.IpPermissionsEgress)); err != nil {
			return err
		}
	}
	for _, g := range groups {
		if g == nil {
			continue
		}
		id := aws.ToString(g.GroupId)
		err := retryDependency(ctx, c, "security group "+id, eniFilter("group-id", id), func() error {
			_, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
			return ignoreNotFound(err)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// deleteRouteTables disassociates and deletes the zones' route tables, and
// any other table tagged as the network's (a second table of a zone would
// keep the VPC from being deleted until the timeout).
func deleteRouteTables(ctx context.Context, c ec2API, _ string, l *live) error {
	var tables []ec2types.RouteTable
	for _, az := range slices.Sorted(maps.Keys(l.Zones)) {
		if rt := l.Zones[az].RouteTable; rt != nil {
			tables = append(tables, *rt)
		}
	}
	for _, rt := range l.OtherTables {
		if l.Name != "" && ours(rt.Tags, l.Name, roleRouteTable) && !isMainTable(rt) {
			tables = append(tables, rt)
		}
	}
	for _, rt := range tables {
		rtID := aws.ToString(rt.RouteTableId)
		for _, a := range rt.Associations {
			if aws.ToBool(a.Main) || !posture.AssociationActive(a) {
				continue
			}
			if _, err := c.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: a.RouteTableAssociationId}); ignoreNotFound(err) != nil {
				return fmt.Errorf("disassociating route table %s: %w", rtID, err)
			}
		}
		err := retryDependency(ctx, c, "route table "+rtID, nil, func() error {
			_, err := c.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: aws.String(rtID)})
			return ignoreNotFound(err)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// isMainTable reports whether rt is its VPC's main route table.
func isMainTable(rt ec2types.RouteTable) bool {
	for _, a := range rt.Associations {
		if aws.ToBool(a.Main) {
			return true
		}
	}
	return false
}

// deleteSubnets deletes the zones' subnets.
func deleteSubnets(ctx context.Context, c ec2API, _ string, l *live) error {
	for _, az := range slices.Sorted(maps.Keys(l.Zones)) {
		z := l.Zones[az]
		if z.Subnet == nil {
			continue
		}
		id := aws.ToString(z.Subnet.SubnetId)
		err := retryDependency(ctx, c, "subnet "+id, eniFilter("subnet-id", id), func() error {
			_, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(id)})
			return ignoreNotFound(err)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// detachGateways detaches internet gateways attached outside sagesafe,
// which would block the VPC's deletion (they are not ours to delete).
func detachGateways(ctx context.Context, c ec2API, vpcID string, l *live) error {
	for _, g := range l.Gateways {
		if _, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(g), VpcId: aws.String(vpcID)}); ignoreNotFound(err) != nil {
			return fmt.Errorf("detaching internet gateway %s from VPC %s: %w", g, vpcID, err)
		}
	}
	return nil
}

func eniFilter(name, value string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String(name), Values: []string{value}}}
}

// retryDependency calls del until it succeeds, fails with something other
// than DependencyViolation, or ctx ends. Network interfaces that SageMaker
// (or an endpoint being deleted) still holds make EC2 refuse to delete
// subnets, security groups and VPCs for a while; when ctx ends, the error
// names the interfaces that remain (from enis), with their owners.
func retryDependency(ctx context.Context, c ec2API, what string, enis []ec2types.Filter, del func() error) error {
	wait := dependencyRetryBase
	start := time.Now()
	for attempt := 1; ; attempt++ {
		err := del()
		if err == nil {
			return nil
		}
		if !isDependencyViolation(err) {
			return fmt.Errorf("deleting %s: %w", what, err)
		}
		tflog.Info(ctx, "sagesafe_network: dependency violation, retrying", map[string]any{"object": what, "attempt": attempt, "error": err.Error()})
		select {
		case <-ctx.Done():
			return dependencyError(context.WithoutCancel(ctx), c, what, enis, time.Since(start), err)
		case <-time.After(wait):
		}
		wait = min(wait*2, dependencyRetryMax)
	}
}

// dependencyError explains why an object could not be deleted, listing the
// network interfaces still in it.
func dependencyError(ctx context.Context, c ec2API, what string, filters []ec2types.Filter, waited time.Duration, last error) error {
	msg := fmt.Sprintf("deleting %s: still has dependent objects after %s: %v", what, waited.Round(time.Second), last)
	if filters == nil {
		return errors.New(msg)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: filters})
	if err != nil {
		return fmt.Errorf("%s (listing its network interfaces failed too: %v)", msg, err)
	}
	if len(out.NetworkInterfaces) == 0 {
		return errors.New(msg + ". No network interfaces remain in it; run destroy again.")
	}
	var lines []string
	requester := 0
	for _, eni := range out.NetworkInterfaces {
		lines = append(lines, "  - "+describeENI(eni))
		if aws.ToBool(eni.RequesterManaged) {
			requester++
		}
	}
	advice := "SageMaker leaves the network interfaces of deleted endpoints and training jobs behind for a while " +
		"(see hashicorp/terraform-provider-aws#34397). Requester-managed interfaces are released by the service that owns them: " +
		"wait and run destroy again, or delete that service's resources first. An interface in status \"available\" that is not " +
		"requester-managed can be deleted with aws ec2 delete-network-interface --network-interface-id <id>."
	return fmt.Errorf("%s. %d network interface(s) remain (%d requester-managed):\n%s\n%s",
		msg, len(lines), requester, strings.Join(lines, "\n"), advice)
}

// describeENI phrases a network interface with its owner.
func describeENI(eni ec2types.NetworkInterface) string {
	parts := []string{aws.ToString(eni.NetworkInterfaceId), "status " + string(eni.Status)}
	if aws.ToBool(eni.RequesterManaged) {
		parts = append(parts, "requester-managed by "+orUnknown(aws.ToString(eni.RequesterId)))
	} else {
		parts = append(parts, "owner "+orUnknown(aws.ToString(eni.OwnerId)))
	}
	if a := eni.Attachment; a != nil && aws.ToString(a.InstanceOwnerId) != "" {
		parts = append(parts, "attached for "+aws.ToString(a.InstanceOwnerId))
	}
	if eni.InterfaceType != "" {
		parts = append(parts, "type "+string(eni.InterfaceType))
	}
	if d := aws.ToString(eni.Description); d != "" {
		parts = append(parts, fmt.Sprintf("description %q", d))
	}
	if sn := aws.ToString(eni.SubnetId); sn != "" {
		parts = append(parts, "in "+sn)
	}
	return strings.Join(parts, ", ")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// deleteRole removes the flow-log role and its policies; a missing role is
// success.
func deleteRole(ctx context.Context, c iamAPI, name string) error {
	inline, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if isIAMNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing policies of role %s: %w", name, err)
	}
	for _, p := range inline.PolicyNames {
		if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)}); err != nil && !isIAMNotFound(err) {
			return fmt.Errorf("deleting policy %s of role %s: %w", p, name, err)
		}
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil && !isIAMNotFound(err) {
		return fmt.Errorf("listing managed policies of role %s: %w", name, err)
	}
	if attached != nil {
		for _, p := range attached.AttachedPolicies {
			if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn}); err != nil && !isIAMNotFound(err) {
				return fmt.Errorf("detaching %s from role %s: %w", aws.ToString(p.PolicyArn), name, err)
			}
		}
	}
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil && !isIAMNotFound(err) {
		return fmt.Errorf("deleting role %s: %w", name, err)
	}
	return nil
}
