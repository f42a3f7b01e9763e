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
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// Polling of asynchronous EC2 operations (variables so unit tests can
// shorten them).
var (
	pollInterval    = 2 * time.Second
	pollMaxInterval = 15 * time.Second
	// flowLogRetryFor bounds how long CreateFlowLogs is retried while a new
	// delivery role propagates through IAM.
	flowLogRetryFor = 2 * time.Minute
	// notFoundRetryFor bounds how long a call that names a just-created
	// object is retried while EC2 does not see that object yet.
	notFoundRetryFor = 2 * time.Minute
)

// awaitVPC waits until a VPC just created is visible: EC2 reads are
// eventually consistent, and everything after creation starts by reading it.
func awaitVPC(ctx context.Context, c ec2API, vpcID string) error {
	return retryNotFound(ctx, func() error {
		_, err := findVPC(ctx, c, vpcID)
		if errors.Is(err, ErrNotFound) {
			return &smithy.GenericAPIError{Code: "InvalidVpcID.NotFound", Message: err.Error()}
		}
		return err
	})
}

// retryNotFound retries call while it fails because an object created a
// moment ago is not yet visible (EC2's eventual consistency), for up to
// notFoundRetryFor.
func retryNotFound(ctx context.Context, call func() error) error {
	deadline := time.Now().Add(notFoundRetryFor)
	wait := pollInterval / 4
	for {
		err := call()
		if err == nil || !isEC2NotFound(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(wait*2, pollMaxInterval)
	}
}

// reconciler brings a network to its spec, one object at a time in
// dependency order. It starts from an observed snapshot and keeps the
// snapshot current as it creates objects.
type reconciler struct {
	c     clients
	s     spec
	vpcID string
	l     *live
}

// reconcile observes the network and creates, fixes or removes whatever
// differs from s. Create (after creating the VPC), Update and the
// restoration of drift all go through here, so the same code makes a new
// network and repairs a weakened one.
func reconcile(ctx context.Context, c clients, s spec, vpcID string, k known) error {
	l, err := observe(ctx, c, vpcID, s, k)
	if err != nil {
		return err
	}
	r := &reconciler{c: c, s: s, vpcID: vpcID, l: l}
	for _, step := range []struct {
		name string
		f    func(context.Context) error
	}{
		{"VPC", r.vpc},
		{"default security group", r.defaultGroup},
		{"subnets and route tables", r.zones},
		{"security groups", r.groups},
		{"S3 gateway endpoint", r.gateway},
		{"interface endpoints", r.interfaces},
		{"flow-log group", r.logGroup},
		{"flow-log role", r.role},
		{"flow log", r.flowLog},
	} {
		tflog.Debug(ctx, "sagesafe_network: reconciling", map[string]any{"network": s.Name, "vpc_id": vpcID, "step": step.name})
		if err := step.f(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r *reconciler) vpc(ctx context.Context) error {
	if !r.l.DNSSupport {
		if _, err := r.c.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(r.vpcID), EnableDnsSupport: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
			return fmt.Errorf("turning on DNS support of VPC %s: %w", r.vpcID, err)
		}
	}
	if !r.l.DNSHostnames {
		if _, err := r.c.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: aws.String(r.vpcID), EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
			return fmt.Errorf("turning on DNS hostnames of VPC %s: %w", r.vpcID, err)
		}
	}
	for _, g := range r.l.Gateways {
		// Detached, not deleted: the gateway was made outside sagesafe.
		tflog.Warn(ctx, "sagesafe_network: detaching an internet gateway attached outside sagesafe", map[string]any{"vpc_id": r.vpcID, "internet_gateway": g})
		if _, err := r.c.ec2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(g), VpcId: aws.String(r.vpcID)}); ignoreNotFound(err) != nil {
			return fmt.Errorf("detaching internet gateway %s from VPC %s: %w", g, r.vpcID, err)
		}
	}
	return syncTags(ctx, r.c.ec2, r.c.tags, r.vpcID, r.l.VPC.Tags, r.s.tags(roleVPC, "", nil))
}

func (r *reconciler) defaultGroup(ctx context.Context) error {
	g := r.l.DefaultSG
	if g == nil {
		return nil
	}
	return revokeRules(ctx, r.c.ec2, aws.ToString(g.GroupId), rulesOf(g.IpPermissions), rulesOf(g.IpPermissionsEgress))
}

// zones makes each zone's private subnet and route table, associates them,
// and removes the routes that do not belong.
func (r *reconciler) zones(ctx context.Context) error {
	for i, az := range r.s.AZs {
		z := r.l.zone(az)
		if err := r.subnet(ctx, z, i, az); err != nil {
			return err
		}
		if err := r.routeTable(ctx, z, az); err != nil {
			return err
		}
	}
	return nil
}

// subnet creates the zone's subnet, or restores its tags and turns off
// public IPs on launch.
func (r *reconciler) subnet(ctx context.Context, z *zone, i int, az string) error {
	extra := map[string]string{TagZone: az}
	suffix := "private-" + az
	if z.Subnet == nil {
		sn, err := r.createSubnet(ctx, r.s.SubnetCIDRs[i], az, r.s.tagSpec(ec2types.ResourceTypeSubnet, roleSubnet, suffix, extra))
		if err != nil {
			return err
		}
		z.Subnet = sn
	} else if err := syncTags(ctx, r.c.ec2, r.c.tags, aws.ToString(z.Subnet.SubnetId), z.Subnet.Tags, r.s.tags(roleSubnet, suffix, extra)); err != nil {
		return err
	}
	subnetID := aws.ToString(z.Subnet.SubnetId)
	if aws.ToBool(z.Subnet.MapPublicIpOnLaunch) {
		if _, err := r.c.ec2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(subnetID), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(false)}}); err != nil {
			return fmt.Errorf("turning off MapPublicIpOnLaunch of subnet %s: %w", subnetID, err)
		}
	}
	return nil
}

// routeTable creates the zone's route table (or restores its tags),
// associates it with the zone's subnet, and deletes the routes that do not
// belong in it.
func (r *reconciler) routeTable(ctx context.Context, z *zone, az string) error {
	subnetID := aws.ToString(z.Subnet.SubnetId)
	extra := map[string]string{TagZone: az}
	suffix := "private-" + az
	if z.RouteTable == nil {
		rt, err := r.createRouteTable(ctx, subnetID, r.s.tagSpec(ec2types.ResourceTypeRouteTable, roleRouteTable, suffix, extra))
		if err != nil {
			return err
		}
		z.RouteTable = rt
	} else if err := syncTags(ctx, r.c.ec2, r.c.tags, aws.ToString(z.RouteTable.RouteTableId), z.RouteTable.Tags, r.s.tags(roleRouteTable, suffix, extra)); err != nil {
		return err
	}
	rtID := aws.ToString(z.RouteTable.RouteTableId)
	if err := r.associate(ctx, subnetID, rtID); err != nil {
		return err
	}
	for _, rt := range z.RouteTable.Routes {
		if routeAllowed(rt, aws.ToString(r.l.VPC.CidrBlock), r.l.PrefixList, gatewayID(r.l)) {
			continue
		}
		if err := r.deleteRoute(ctx, rtID, rt); err != nil {
			return err
		}
	}
	return nil
}

// associate makes rtID the subnet's explicit route table, replacing the
// association with another table.
func (r *reconciler) associate(ctx context.Context, subnetID, rtID string) error {
	switch a := r.l.association(subnetID); {
	case a == nil:
		err := retryNotFound(ctx, func() error {
			_, err := r.c.ec2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(rtID), SubnetId: aws.String(subnetID)})
			return err
		})
		if tfawserr.ErrCodeEquals(err, "Resource.AlreadyAssociated") && associatedWith(ctx, r.c.ec2, subnetID, rtID) {
			err = nil // the SDK's retry of an association whose answer was lost
		}
		if err != nil {
			return fmt.Errorf("associating route table %s with subnet %s: %w", rtID, subnetID, err)
		}
	case aws.ToString(a.RouteTableId) != rtID:
		_, err := r.c.ec2.ReplaceRouteTableAssociation(ctx, &ec2.ReplaceRouteTableAssociationInput{AssociationId: a.RouteTableAssociationId, RouteTableId: aws.String(rtID)})
		if isEC2NotFound(err) && associatedWith(ctx, r.c.ec2, subnetID, rtID) {
			err = nil // the SDK's retry of a replace whose answer was lost: the old association is gone
		}
		if err != nil {
			return fmt.Errorf("associating subnet %s with route table %s instead of %s: %w", subnetID, rtID, aws.ToString(a.RouteTableId), err)
		}
	}
	return nil
}

// associatedWith reports whether the subnet's association in force is with
// route table rtID.
func associatedWith(ctx context.Context, c ec2API, subnetID, rtID string) bool {
	out, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{
		{Name: aws.String("association.subnet-id"), Values: []string{subnetID}},
	}})
	if err != nil {
		return false
	}
	a := associationIn(out.RouteTables, subnetID)
	return a != nil && aws.ToString(a.RouteTableId) == rtID
}

// deleteRoute removes a route that does not belong in the network's route
// tables. Routes of gateway endpoints belong to the endpoint, so the table
// is removed from that endpoint instead.
func (r *reconciler) deleteRoute(ctx context.Context, rtID string, rt ec2types.Route) error {
	target := describeTargets(rt)
	tflog.Warn(ctx, "sagesafe_network: removing a route added outside sagesafe", map[string]any{"route_table": rtID, "destination": describeDestination(rt), "target": target})
	if endpoint := aws.ToString(rt.GatewayId); strings.HasPrefix(endpoint, "vpce-") {
		if endpoint == gatewayID(r.l) {
			return nil // the S3 route to a stale prefix list: the gateway step re-adds the table
		}
		_, err := r.c.ec2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(endpoint), RemoveRouteTableIds: []string{rtID}})
		if ignoreNotFound(err) != nil {
			return fmt.Errorf("removing route table %s from gateway endpoint %s: %w", rtID, endpoint, err)
		}
		return nil
	}
	in := &ec2.DeleteRouteInput{RouteTableId: aws.String(rtID)}
	switch {
	case aws.ToString(rt.DestinationCidrBlock) != "":
		in.DestinationCidrBlock = rt.DestinationCidrBlock
	case aws.ToString(rt.DestinationIpv6CidrBlock) != "":
		in.DestinationIpv6CidrBlock = rt.DestinationIpv6CidrBlock
	default:
		in.DestinationPrefixListId = rt.DestinationPrefixListId
	}
	if _, err := r.c.ec2.DeleteRoute(ctx, in); ignoreNotFound(err) != nil {
		return fmt.Errorf("deleting route %s -> %s from route table %s: %w", describeDestination(rt), target, rtID, err)
	}
	return nil
}

// groups makes the workload and endpoint security groups and gives them
// exactly their rules.
func (r *reconciler) groups(ctx context.Context) error {
	if err := r.ensureGroups(ctx); err != nil {
		return err
	}
	return r.syncRules(ctx)
}

// ensureGroups creates the missing security groups (or restores the tags of
// the others).
func (r *reconciler) ensureGroups(ctx context.Context) error {
	if r.l.PrefixList == "" {
		return fmt.Errorf("the S3 prefix list %s was not found in %s, so the workload security group cannot allow HTTPS to S3", r.s.s3PrefixListName(), r.s.Region)
	}
	for _, g := range []struct {
		role, what string
		ptr        **ec2types.SecurityGroup
		desc       string
	}{
		{roleWorkloadSG, "workload", &r.l.WorkloadSG, "sagesafe network " + r.s.Name + ": SageMaker training jobs and endpoints"},
		{roleEndpointSG, "endpoint", &r.l.EndpointSG, "sagesafe network " + r.s.Name + ": interface VPC endpoints"},
	} {
		if *g.ptr != nil {
			if err := syncTags(ctx, r.c.ec2, r.c.tags, aws.ToString((*g.ptr).GroupId), (*g.ptr).Tags, r.s.tags(g.role, g.what, nil)); err != nil {
				return err
			}
			continue
		}
		id, err := r.createGroup(ctx, r.s.Name+"-"+g.what, g.desc, r.s.tagSpec(ec2types.ResourceTypeSecurityGroup, g.role, g.what, nil))
		if err != nil {
			return fmt.Errorf("the %s security group: %w", g.what, err)
		}
		// Read the new group back: it comes with AWS's default egress rule.
		var got *ec2.DescribeSecurityGroupsOutput
		err = retryNotFound(ctx, func() error {
			got, err = r.c.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
			return err
		})
		if err != nil {
			return fmt.Errorf("reading the new %s security group %s: %w", g.what, id, err)
		}
		if len(got.SecurityGroups) == 0 {
			// Eventual consistency: assume AWS's defaults.
			*g.ptr = &ec2types.SecurityGroup{GroupId: aws.String(id), IpPermissionsEgress: []ec2types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}
		} else {
			*g.ptr = &got.SecurityGroups[0]
		}
	}
	return nil
}

// syncRules revokes the rules the groups should not have, then adds the
// missing ones.
func (r *reconciler) syncRules(ctx context.Context) error {
	for _, g := range []struct {
		grp  *ec2types.SecurityGroup
		role string
	}{{r.l.WorkloadSG, roleWorkloadSG}, {r.l.EndpointSG, roleEndpointSG}} {
		want, _ := wantedRules(r.l, g.role)
		id := aws.ToString(g.grp.GroupId)
		extraIn, missingIn := diffRules(want.Ingress, rulesOf(g.grp.IpPermissions))
		extraOut, missingOut := diffRules(want.Egress, rulesOf(g.grp.IpPermissionsEgress))
		// Close holes before opening what is missing.
		if err := revokeRules(ctx, r.c.ec2, id, extraIn, extraOut); err != nil {
			return err
		}
		if err := authorize(ctx, r.c.ec2, id, false, missingIn); err != nil {
			return err
		}
		if err := authorize(ctx, r.c.ec2, id, true, missingOut); err != nil {
			return err
		}
	}
	return nil
}

// authorize adds inbound (or outbound) rules to a group. When the answer
// was lost, the SDK's retry is told they exist (InvalidPermission.Duplicate,
// and EC2 adds none of a request when one exists): the group is read
// again and only what is still missing is added.
func authorize(ctx context.Context, c ec2API, id string, egress bool, rules []rule) error {
	what := "inbound"
	if egress {
		what = "outbound"
	}
	for attempt := 1; len(rules) > 0; attempt++ {
		err := retryNotFound(ctx, func() (err error) {
			if egress {
				_, err = c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(id), IpPermissions: permissions(rules)})
			} else {
				_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: permissions(rules)})
			}
			return err
		})
		if err == nil {
			return nil
		}
		if !tfawserr.ErrCodeEquals(err, "InvalidPermission.Duplicate") || attempt == 3 {
			return fmt.Errorf("adding %s rules to security group %s: %w", what, id, err)
		}
		out, derr := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
		if derr != nil || len(out.SecurityGroups) == 0 {
			return fmt.Errorf("adding %s rules to security group %s: %w (reading the group again: %v)", what, id, err, derr)
		}
		have := out.SecurityGroups[0].IpPermissions
		if egress {
			have = out.SecurityGroups[0].IpPermissionsEgress
		}
		_, rules = diffRules(rules, rulesOf(have))
	}
	return nil
}

func permissions(rules []rule) []ec2types.IpPermission {
	out := make([]ec2types.IpPermission, len(rules))
	for i, r := range rules {
		out[i] = r.permission()
	}
	return out
}

// revokeRules revokes the given inbound and outbound rules of a group.
func revokeRules(ctx context.Context, c ec2API, groupID string, in, out []rule) error {
	if len(in) > 0 {
		if _, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(groupID), IpPermissions: permissions(in)}); ignoreNotFound(err) != nil {
			return fmt.Errorf("revoking inbound rules of security group %s: %w", groupID, err)
		}
	}
	if len(out) > 0 {
		if _, err := c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(groupID), IpPermissions: permissions(out)}); ignoreNotFound(err) != nil {
			return fmt.Errorf("revoking outbound rules of security group %s: %w", groupID, err)
		}
	}
	return nil
}

func (r *reconciler) gateway(ctx context.Context) error {
	tables := r.l.routeTableIDs(r.s.AZs)
	policy, err := r.s.s3EndpointPolicy()
	if err != nil {
		return err
	}
	if r.l.S3Gateway == nil {
		e, err := r.createVPCEndpoint(ctx, "S3 gateway endpoint", ec2.CreateVpcEndpointInput{
			VpcId:             aws.String(r.vpcID),
			ServiceName:       aws.String(r.s.serviceName(s3Key)),
			VpcEndpointType:   ec2types.VpcEndpointTypeGateway,
			RouteTableIds:     tables,
			PolicyDocument:    aws.String(policy),
			TagSpecifications: r.s.tagSpec(ec2types.ResourceTypeVpcEndpoint, roleS3Gateway, s3Key, nil),
		})
		if err != nil {
			return err
		}
		r.l.S3Gateway = e
		return nil
	}
	id := gatewayID(r.l)
	if err := syncTags(ctx, r.c.ec2, r.c.tags, id, r.l.S3Gateway.Tags, r.s.tags(roleS3Gateway, s3Key, nil)); err != nil {
		return err
	}
	if !equivalent(aws.ToString(r.l.S3Gateway.PolicyDocument), policy) {
		if _, err := r.c.ec2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), PolicyDocument: aws.String(policy)}); err != nil {
			return fmt.Errorf("restoring the policy of S3 gateway endpoint %s: %w", id, err)
		}
	}
	var add, readd []string
	for _, az := range r.s.AZs {
		z := r.l.Zones[az]
		rtID := aws.ToString(z.RouteTable.RouteTableId)
		switch {
		case !slices.Contains(r.l.S3Gateway.RouteTableIds, rtID):
			add = append(add, rtID)
		case !hasS3Route(z.RouteTable, r.l.PrefixList, id):
			readd = append(readd, rtID)
		}
	}
	if len(readd) > 0 {
		// The association exists but its route was deleted: re-associate.
		if _, err := r.c.ec2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), RemoveRouteTableIds: readd}); err != nil {
			return fmt.Errorf("re-associating route tables %v with S3 gateway endpoint %s: %w", readd, id, err)
		}
		add = append(add, readd...)
	}
	if len(add) > 0 {
		if _, err := r.c.ec2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id), AddRouteTableIds: add}); err != nil {
			return fmt.Errorf("associating route tables %v with S3 gateway endpoint %s: %w", add, id, err)
		}
	}
	return nil
}

// interfaces removes the interface endpoints that are not wanted, creates
// the missing ones, restores the others, and waits for all it touched.
func (r *reconciler) interfaces(ctx context.Context) error {
	if err := r.removeEndpoints(ctx); err != nil {
		return err
	}
	var pending []string
	for _, svc := range r.s.Services {
		var id string
		var err error
		if e := r.l.Interfaces[svc]; e == nil {
			id, err = r.createEndpoint(ctx, svc)
		} else {
			id, err = r.restoreEndpoint(ctx, svc, e)
		}
		if err != nil {
			return err
		}
		if id != "" {
			pending = append(pending, id)
		}
	}
	return waitEndpointsAvailable(ctx, r.c.ec2, pending)
}

// removeEndpoints deletes the interface endpoints not in interface_endpoints
// and the strays.
func (r *reconciler) removeEndpoints(ctx context.Context) error {
	var remove []string
	for svc, e := range r.l.Interfaces {
		if !slices.Contains(r.s.Services, svc) {
			remove = append(remove, aws.ToString(e.VpcEndpointId))
			delete(r.l.Interfaces, svc)
		}
	}
	for _, e := range r.l.Strays {
		remove = append(remove, aws.ToString(e.VpcEndpointId))
	}
	r.l.Strays = nil
	if len(remove) == 0 {
		return nil
	}
	slices.Sort(remove)
	return deleteEndpoints(ctx, r.c.ec2, r.vpcID, remove)
}

// createEndpoint creates the interface endpoint of svc and returns its ID.
func (r *reconciler) createEndpoint(ctx context.Context, svc string) (string, error) {
	e, err := r.createVPCEndpoint(ctx, "interface endpoint for "+r.s.serviceName(svc), ec2.CreateVpcEndpointInput{
		VpcId:             aws.String(r.vpcID),
		ServiceName:       aws.String(r.s.serviceName(svc)),
		VpcEndpointType:   ec2types.VpcEndpointTypeInterface,
		SubnetIds:         r.l.subnetIDs(r.s.AZs),
		SecurityGroupIds:  []string{aws.ToString(r.l.EndpointSG.GroupId)},
		PrivateDnsEnabled: aws.Bool(true),
		TagSpecifications: r.s.tagSpec(ec2types.ResourceTypeVpcEndpoint, roleInterfaceEndpoint, svc, nil),
	})
	if err != nil {
		return "", err
	}
	r.l.Interfaces[svc] = e
	return aws.ToString(e.VpcEndpointId), nil
}

// restoreEndpoint gives the interface endpoint e of svc its tags, subnets,
// security group and private DNS back. It returns e's ID when it changed
// anything (apply then waits for it), else "".
func (r *reconciler) restoreEndpoint(ctx context.Context, svc string, e *ec2types.VpcEndpoint) (string, error) {
	id := aws.ToString(e.VpcEndpointId)
	if err := syncTags(ctx, r.c.ec2, r.c.tags, id, e.Tags, r.s.tags(roleInterfaceEndpoint, svc, nil)); err != nil {
		return "", err
	}
	subnets := r.l.subnetIDs(r.s.AZs)
	sg := aws.ToString(r.l.EndpointSG.GroupId)
	in := &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String(id)}
	changed := false
	for _, sn := range subnets {
		if !slices.Contains(e.SubnetIds, sn) {
			in.AddSubnetIds, changed = append(in.AddSubnetIds, sn), true
		}
	}
	for _, sn := range e.SubnetIds {
		if !slices.Contains(subnets, sn) {
			in.RemoveSubnetIds, changed = append(in.RemoveSubnetIds, sn), true
		}
	}
	hasSG := false
	for _, g := range e.Groups {
		gid := aws.ToString(g.GroupId)
		if gid == sg {
			hasSG = true
			continue
		}
		in.RemoveSecurityGroupIds, changed = append(in.RemoveSecurityGroupIds, gid), true
	}
	if !hasSG {
		in.AddSecurityGroupIds, changed = []string{sg}, true
	}
	if !aws.ToBool(e.PrivateDnsEnabled) {
		in.PrivateDnsEnabled, changed = aws.Bool(true), true
	}
	if !changed {
		return "", nil
	}
	if _, err := r.c.ec2.ModifyVpcEndpoint(ctx, in); err != nil {
		return "", fmt.Errorf("restoring interface endpoint %s (%s): %w", id, svc, err)
	}
	return id, nil
}

// waitEndpointsAvailable polls until every endpoint is available.
func waitEndpointsAvailable(ctx context.Context, c ec2API, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return poll(ctx, "VPC endpoints "+strings.Join(ids, ", ")+" to become available", func() (bool, error) {
		out, err := c.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: ids})
		if err != nil {
			if isEC2NotFound(err) {
				return false, nil // eventual consistency right after creation
			}
			return false, err
		}
		done := 0
		for _, e := range out.VpcEndpoints {
			switch {
			case endpointState(e) == stateAvailable:
				done++
			case endpointGone(e):
				reason := ""
				if e.LastError != nil {
					reason = ": " + aws.ToString(e.LastError.Code) + " " + aws.ToString(e.LastError.Message)
				}
				return false, fmt.Errorf("VPC endpoint %s (%s) is %s%s", aws.ToString(e.VpcEndpointId), aws.ToString(e.ServiceName), e.State, reason)
			}
		}
		return done == len(ids), nil
	})
}

// deleteEndpoints deletes VPC endpoints and waits until they are gone, so
// their network interfaces no longer hold subnets and security groups.
//
// One endpoint per call: a not-found answer (the retry of a request whose
// answer was lost, or an endpoint deleted meanwhile) then says that this
// endpoint is gone, where for a batch it would hide whether the others
// were deleted, and the wait below would last until the timeout.
func deleteEndpoints(ctx context.Context, c ec2API, vpcID string, ids []string) error {
	for _, id := range ids {
		out, err := c.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id}})
		if ignoreNotFound(err) != nil {
			return fmt.Errorf("deleting VPC endpoint %s: %w", id, err)
		}
		if out != nil {
			for _, u := range out.Unsuccessful {
				if u.Error != nil && !strings.Contains(aws.ToString(u.Error.Code), "NotFound") {
					return fmt.Errorf("deleting VPC endpoint %s: %s: %s", aws.ToString(u.ResourceId), aws.ToString(u.Error.Code), aws.ToString(u.Error.Message))
				}
			}
		}
	}
	return poll(ctx, "VPC endpoints "+strings.Join(ids, ", ")+" to be deleted", func() (bool, error) {
		// By VPC, not by ID: EC2 fails a lookup by ID once one is gone.
		out, err := c.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: []ec2types.Filter{vpcFilter(vpcID)}})
		if err != nil {
			return false, err
		}
		for _, e := range out.VpcEndpoints {
			if endpointState(e) != stateDeleted && slices.Contains(ids, aws.ToString(e.VpcEndpointId)) {
				return false, nil
			}
		}
		return true, nil
	})
}

func (r *reconciler) logGroup(ctx context.Context) error {
	_, err := loggroup.Ensure(ctx, r.c.logs, loggroup.Spec{
		Name:          r.s.logGroupName(),
		KMSKeyARN:     r.s.KMSKeyARN,
		RetentionDays: int32(r.s.RetentionDays),
		Tags:          r.s.tags(roleFlowLogGroup, "flow-logs", nil),
		ExactTags:     true, // keys dropped from tags come off, as from the other objects
	})
	return err
}

// role makes the flow-log delivery role (or adopts one of this network's
// left from an earlier run) and gives it exactly its trust, tags and policy.
func (r *reconciler) role(ctx context.Context) error {
	trust, policy, err := r.s.flowLogDocuments()
	if err != nil {
		return err
	}
	if r.l.Role == nil {
		if err := r.createRole(ctx, trust); err != nil {
			return err
		}
	}
	if r.l.Role != nil {
		if err := r.restoreRole(ctx, trust); err != nil {
			return err
		}
	}
	if r.l.RolePolicy == "" || !equivalent(r.l.RolePolicy, policy) {
		name := r.s.roleName()
		if _, err := r.c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(flowLogPolicyName), PolicyDocument: aws.String(policy)}); err != nil {
			return fmt.Errorf("putting policy %s on role %s: %w", flowLogPolicyName, name, err)
		}
	}
	return nil
}

// createRole creates the delivery role. When it exists already and carries
// this network's tag it is adopted (left in r.l.Role for restoreRole).
func (r *reconciler) createRole(ctx context.Context, trust string) error {
	name := r.s.roleName()
	tags := r.s.tags(roleFlowLogRole, "flow-logs", nil)
	err := r.createRoleOnce(ctx, iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trust),
		Description:              aws.String(roleDescription(r.s)),
		Tags:                     shared.TagList(tags, iamTag),
		PermissionsBoundary:      optional(r.s.Boundary),
	})
	var exists *iamtypes.EntityAlreadyExistsException
	switch {
	case errors.As(err, &exists):
		// Left over from a failed run of this network (a lost answer of
		// this create was recognised by its token in createRoleOnce):
		// adopt it only when it carries a creation token and this
		// network's tag (the recovery rule of internal/idem); restoreRole
		// then gives it exactly its trust, tags and policy.
		got, gerr := r.c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if gerr != nil {
			return fmt.Errorf("reading existing role %s: %w", name, gerr)
		}
		if got.Role == nil {
			return fmt.Errorf("reading existing role %s: IAM answered without the role", name)
		}
		if err := idem.Leftover(shared.TagMap(got.Role.Tags, iamTagKeyValue), map[string]string{TagNetwork: r.s.Name}); err != nil {
			return fmt.Errorf("role %s already exists and is not one sagesafe made for network %s (%v): it belongs to something else; rename the network or delete the role", name, r.s.Name, err)
		}
		r.l.Role = got
	case err != nil:
		return fmt.Errorf("creating flow-log role %s: %w", name, err)
	default:
		r.l.Role = nil // created as wanted
	}
	return nil
}

// roleDescription is the description of the network's flow-log role.
func roleDescription(s spec) string {
	return "sagesafe network " + s.Name + ": VPC Flow Logs delivery to " + s.logGroupName()
}

// restoreRole gives an existing delivery role its trust policy and tags back
// and removes every other policy.
func (r *reconciler) restoreRole(ctx context.Context, trust string) error {
	name := r.s.roleName()
	tags := r.s.tags(roleFlowLogRole, "flow-logs", nil)
	// SS-IAM-5: put back the boundary someone removed or changed, first
	// (a deployer held to the boundary may change only roles that carry it).
	if err := iamrole.PutBoundary(ctx, r.c.iam, name, roleBoundary(r.l.Role), r.s.Boundary); err != nil {
		return fmt.Errorf("restoring the permissions boundary of role %s: %w", name, err)
	}
	if !equivalent(aws.ToString(r.l.Role.Role.AssumeRolePolicyDocument), trust) {
		if _, err := r.c.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(trust)}); err != nil {
			return fmt.Errorf("restoring the trust policy of role %s: %w", name, err)
		}
	}
	if !tagsContain(r.l.Role.Role.Tags, tags) {
		if _, err := r.c.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: shared.TagList(tags, iamTag)}); err != nil {
			return fmt.Errorf("tagging role %s: %w", name, err)
		}
	}
	// Keys dropped from tags (or default_tags) come off the role too,
	// as they do from the EC2 objects (syncTags).
	var untag []string
	for _, t := range r.l.Role.Role.Tags {
		if k := aws.ToString(t.Key); !shared.IsAWSTag(k) && k != idem.TokenTag {
			if _, ok := tags[k]; !ok {
				untag = append(untag, k)
			}
		}
	}
	if len(untag) > 0 {
		if _, err := r.c.iam.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(name), TagKeys: untag}); err != nil {
			return fmt.Errorf("removing tags %v from role %s: %w", untag, name, err)
		}
	}
	for _, p := range r.l.RoleOtherInline {
		if _, err := r.c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)}); err != nil && !isIAMNotFound(err) {
			return fmt.Errorf("removing inline policy %s from role %s: %w", p, name, err)
		}
	}
	for _, p := range r.l.RoleAttachedARNs {
		if _, err := r.c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(p)}); err != nil && !isIAMNotFound(err) {
			return fmt.Errorf("detaching %s from role %s: %w", p, name, err)
		}
	}
	return nil
}

// optional is s as an SDK pointer, nil when empty.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// roleBoundary is the permissions boundary of a role read with GetRole, ""
// for none.
func roleBoundary(r *iam.GetRoleOutput) string {
	if r == nil || r.Role == nil || r.Role.PermissionsBoundary == nil {
		return ""
	}
	return aws.ToString(r.Role.PermissionsBoundary.PermissionsBoundaryArn)
}

// iamTag and iamTagKeyValue adapt shared.TagList and shared.TagMap to IAM's
// tag type.
func iamTag(k, v *string) iamtypes.Tag { return iamtypes.Tag{Key: k, Value: v} }

func iamTagKeyValue(t iamtypes.Tag) (k, v *string) { return t.Key, t.Value }

// tagsContain reports whether have carries every tag of want.
func tagsContain(have []iamtypes.Tag, want map[string]string) bool {
	got := shared.TagMap(have, iamTagKeyValue)
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func (r *reconciler) flowLog(ctx context.Context) error {
	var stale []string
	for _, f := range r.l.FlowLogs {
		if !flowLogConforms(f, r.s) {
			stale = append(stale, aws.ToString(f.FlowLogId))
		}
	}
	if len(stale) > 0 {
		if _, err := r.c.ec2.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: stale}); ignoreNotFound(err) != nil {
			return fmt.Errorf("deleting flow logs %s: %w", strings.Join(stale, ", "), err)
		}
	}
	if f := r.l.conformingFlowLog(r.s); f != nil {
		return syncTags(ctx, r.c.ec2, r.c.tags, aws.ToString(f.FlowLogId), f.Tags, r.s.tags(roleFlowLog, "flow-log", nil))
	}
	in := ec2.CreateFlowLogsInput{
		ResourceIds:              []string{r.vpcID},
		ResourceType:             ec2types.FlowLogsResourceTypeVpc,
		TrafficType:              ec2types.TrafficTypeAll,
		LogDestinationType:       ec2types.LogDestinationTypeCloudWatchLogs,
		LogGroupName:             aws.String(r.s.logGroupName()),
		DeliverLogsPermissionArn: aws.String(r.s.roleARN()),
		TagSpecifications:        r.s.tagSpec(ec2types.ResourceTypeVpcFlowLog, roleFlowLog, "flow-log", nil),
	}
	deadline := time.Now().Add(flowLogRetryFor)
	return poll(ctx, "the flow log of VPC "+r.vpcID+" to be created", func() (bool, error) {
		_, err := r.createFlowLog(ctx, in)
		var unsuccessful errFlowLogUnsuccessful
		switch {
		case err == nil:
			return true, nil
		case !errors.As(err, &unsuccessful):
			return false, err
		case time.Now().After(deadline):
			return false, fmt.Errorf("creating the flow log of VPC %s: %s", r.vpcID, unsuccessful.reason)
		}
		// A new delivery role takes a while to propagate through IAM.
		tflog.Debug(ctx, "sagesafe_network: CreateFlowLogs unsuccessful, retrying", map[string]any{"error": unsuccessful.reason})
		return false, nil
	})
}

// syncTags makes an EC2 object's tags exactly want (AWS's own aws:* tags
// cannot be changed and are left alone, and so is the creation token,
// which proves the object was made by this network, and every key the
// provider's ignore_tags names: shared.UpdateTags).
func syncTags(ctx context.Context, c ec2API, settings shared.TagSettings, id string, have []ec2types.Tag, want map[string]string) error {
	got := shared.TagMap(have, ec2TagKeyValue)
	maps.DeleteFunc(got, func(k, _ string) bool { return shared.IsAWSTag(k) || k == idem.TokenTag })
	return shared.UpdateTags(settings, got, want,
		func(keys []string) error {
			remove := make([]ec2types.Tag, 0, len(keys))
			for _, k := range keys {
				remove = append(remove, ec2types.Tag{Key: aws.String(k)})
			}
			if _, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: remove}); err != nil {
				return fmt.Errorf("removing tags from %s: %w", id, err)
			}
			return nil
		},
		func(set map[string]string) error {
			if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: shared.TagList(set, ec2Tag)}); err != nil {
				return fmt.Errorf("tagging %s: %w", id, err)
			}
			return nil
		})
}

// poll calls check with backoff until it reports done, fails, or ctx ends.
func poll(ctx context.Context, what string, check func() (bool, error)) error {
	wait := pollInterval
	for {
		done, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("timed out waiting for %s: %w", what, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, pollMaxInterval)
	}
}
