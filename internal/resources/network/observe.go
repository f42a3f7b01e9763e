package network

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// known are IDs recorded in state; objects with these IDs count as the
// network's even when someone removed their tags.
type known struct {
	Subnets      []string
	RouteTables  []string
	WorkloadSG   string
	EndpointSG   string
	Endpoints    []string
	FlowLog      string
	EndpointByID map[string]string // vpce ID -> service short name (from state)
}

func (k known) has(list []string, id string) bool { return id != "" && slices.Contains(list, id) }

// zone is one Availability Zone's subnet and route table.
type zone struct {
	Subnet     *ec2types.Subnet
	RouteTable *ec2types.RouteTable
}

// live is a snapshot of the network as AWS has it.
type live struct {
	VPC          ec2types.Vpc
	Name         string // the sagesafe:network tag of the VPC
	DNSSupport   bool
	DNSHostnames bool
	Gateways     []string // internet gateways attached to the VPC

	Zones map[string]*zone // by AZ name
	// OtherTables are the VPC's route tables that are not a zone's: its
	// main table and any made outside sagesafe. Which table governs a
	// subnet is decided over all of them (see tables).
	OtherTables []ec2types.RouteTable

	DefaultSG  *ec2types.SecurityGroup
	WorkloadSG *ec2types.SecurityGroup
	EndpointSG *ec2types.SecurityGroup

	PrefixList string // the region's S3 prefix list ID, "" if not found

	S3Gateway *ec2types.VpcEndpoint
	// Interfaces are the network's interface endpoints by service short
	// name. Endpoints being deleted or failed are left out.
	Interfaces map[string]*ec2types.VpcEndpoint
	// Strays are endpoints of the network that duplicate another or whose
	// service could not be mapped to a short name.
	Strays []ec2types.VpcEndpoint
	// ForeignS3 are S3 endpoints (gateway or interface) in the VPC that the
	// network did not make: another way to S3, around the gateway's policy.
	ForeignS3 []ec2types.VpcEndpoint

	FlowLogs []ec2types.FlowLog // the network's flow logs on the VPC

	LogGroup *logstypes.LogGroup // nil when missing

	Role             *iam.GetRoleOutput // nil when missing
	RolePolicy       string             // the delivery policy document, "" when missing
	RoleOtherInline  []string           // other inline policy names
	RoleAttachedARNs []string
}

// subnetIDs returns the network's subnet IDs in the order of azs (missing
// zones are skipped).
func (l *live) subnetIDs(azs []string) []string {
	var out []string
	for _, az := range azs {
		if z := l.Zones[az]; z != nil && z.Subnet != nil {
			out = append(out, aws.ToString(z.Subnet.SubnetId))
		}
	}
	return out
}

// routeTableIDs returns the route table IDs in the order of azs.
func (l *live) routeTableIDs(azs []string) []string {
	var out []string
	for _, az := range azs {
		if z := l.Zones[az]; z != nil && z.RouteTable != nil {
			out = append(out, aws.ToString(z.RouteTable.RouteTableId))
		}
	}
	return out
}

// zoneOrder returns the AZs of the network's subnets ordered by the
// position of their CIDR within the VPC CIDR (the order they were created
// in), for import.
func (l *live) zoneOrder() []string {
	type zc struct {
		az  string
		idx int
	}
	var zs []zc
	for az, z := range l.Zones {
		if z.Subnet == nil {
			continue
		}
		idx := subnetIndex(aws.ToString(l.VPC.CidrBlock), aws.ToString(z.Subnet.CidrBlock))
		if idx < 0 {
			idx = maxZones
		}
		zs = append(zs, zc{az, idx})
	}
	slices.SortFunc(zs, func(a, b zc) int {
		if a.idx != b.idx {
			return a.idx - b.idx
		}
		if a.az < b.az {
			return -1
		}
		return 1
	})
	out := make([]string, len(zs))
	for i, z := range zs {
		out[i] = z.az
	}
	return out
}

// endpointIDs returns service short name -> VPC endpoint ID, plus s3.
func (l *live) endpointIDs() map[string]string {
	out := map[string]string{}
	for svc, e := range l.Interfaces {
		out[svc] = aws.ToString(e.VpcEndpointId)
	}
	if l.S3Gateway != nil {
		out[s3Key] = aws.ToString(l.S3Gateway.VpcEndpointId)
	}
	return out
}

// conformingFlowLog returns the flow log that matches the spec, or nil.
func (l *live) conformingFlowLog(s spec) *ec2types.FlowLog {
	for i := range l.FlowLogs {
		if flowLogConforms(l.FlowLogs[i], s) {
			return &l.FlowLogs[i]
		}
	}
	return nil
}

func flowLogConforms(f ec2types.FlowLog, s spec) bool {
	return f.TrafficType == ec2types.TrafficTypeAll &&
		(f.LogDestinationType == "" || f.LogDestinationType == ec2types.LogDestinationTypeCloudWatchLogs) &&
		aws.ToString(f.LogGroupName) == s.logGroupName() &&
		aws.ToString(f.DeliverLogsPermissionArn) == s.roleARN()
}

// VPC endpoint states as EC2 returns them. The SDK's State enum spells them
// capitalised ("Available"), but DescribeVpcEndpoints answers in lower case
// ("available"), so states are compared case-insensitively.
const (
	stateAvailable = "available"
	stateDeleted   = "deleted"
)

// endpointState returns an endpoint's state in lower case.
func endpointState(e ec2types.VpcEndpoint) string { return strings.ToLower(string(e.State)) }

// endpointGone reports whether an endpoint is being deleted or is unusable.
func endpointGone(e ec2types.VpcEndpoint) bool {
	switch endpointState(e) {
	case stateDeleted, "deleting", "failed", "rejected", "expired":
		return true
	}
	return false
}

// findVPC returns the VPC or an ErrNotFound error.
func findVPC(ctx context.Context, c ec2API, vpcID string) (*ec2types.Vpc, error) {
	out, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
	if isEC2NotFound(err) {
		return nil, notFound("VPC", vpcID)
	}
	if err != nil {
		return nil, fmt.Errorf("describing VPC %s: %w", vpcID, err)
	}
	for i := range out.Vpcs {
		if aws.ToString(out.Vpcs[i].VpcId) == vpcID {
			return &out.Vpcs[i], nil
		}
	}
	return nil, notFound("VPC", vpcID)
}

func tagFilter(name string) ec2types.Filter {
	return ec2types.Filter{Name: aws.String("tag:" + TagNetwork), Values: []string{name}}
}

func vpcFilter(vpcID string) ec2types.Filter {
	return ec2types.Filter{Name: aws.String("vpc-id"), Values: []string{vpcID}}
}

// ours reports whether an object's tags mark it as the network's, with role.
func ours(tags []ec2types.Tag, name, role string) bool {
	m := shared.TagMap(tags, ec2TagKeyValue)
	return m[TagNetwork] == name && (role == "" || m[TagRole] == role)
}

// observe reads the whole network. s supplies the name (when empty, the VPC's
// sagesafe:network tag is used and returned in live.Name), the region and
// the account; k the IDs recorded in state. It returns an ErrNotFound error
// when the VPC does not exist.
func observe(ctx context.Context, c clients, vpcID string, s spec, k known) (*live, error) {
	vpc, err := findVPC(ctx, c.ec2, vpcID)
	if err != nil {
		return nil, err
	}
	l := &live{VPC: *vpc, Zones: map[string]*zone{}, Interfaces: map[string]*ec2types.VpcEndpoint{}}
	l.Name = shared.TagMap(vpc.Tags, ec2TagKeyValue)[TagNetwork]
	if s.Name == "" {
		s.Name = l.Name
	}
	for _, step := range []func(context.Context, clients, string, spec, known) error{
		l.observeVPC, l.observeZones, l.observeGroups, l.observePrefixList, l.observeEndpoints, l.observeFlowLogs, l.observeLogging,
	} {
		if err := step(ctx, c, vpcID, s, k); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// observeVPC reads the VPC's DNS attributes and its internet gateways.
func (l *live) observeVPC(ctx context.Context, c clients, vpcID string, _ spec, _ known) error {
	for _, a := range []ec2types.VpcAttributeName{ec2types.VpcAttributeNameEnableDnsSupport, ec2types.VpcAttributeNameEnableDnsHostnames} {
		out, err := c.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(vpcID), Attribute: a})
		if err != nil {
			return fmt.Errorf("describing %s of VPC %s: %w", a, vpcID, err)
		}
		if a == ec2types.VpcAttributeNameEnableDnsSupport {
			l.DNSSupport = out.EnableDnsSupport != nil && aws.ToBool(out.EnableDnsSupport.Value)
		} else {
			l.DNSHostnames = out.EnableDnsHostnames != nil && aws.ToBool(out.EnableDnsHostnames.Value)
		}
	}

	igws, err := c.ec2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{
		Filters: []ec2types.Filter{{Name: aws.String("attachment.vpc-id"), Values: []string{vpcID}}},
	})
	if err != nil {
		return fmt.Errorf("describing internet gateways of VPC %s: %w", vpcID, err)
	}
	for _, g := range igws.InternetGateways {
		for _, a := range g.Attachments {
			if aws.ToString(a.VpcId) == vpcID && a.State != ec2types.AttachmentStatusDetached {
				l.Gateways = append(l.Gateways, aws.ToString(g.InternetGatewayId))
			}
		}
	}
	return nil
}

// observeZones reads the network's subnets and route tables, and keeps the
// VPC's other route tables for deciding which table governs a subnet.
func (l *live) observeZones(ctx context.Context, c clients, vpcID string, s spec, k known) error {
	subnets, err := c.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{vpcFilter(vpcID)}})
	if err != nil {
		return fmt.Errorf("describing subnets of VPC %s: %w", vpcID, err)
	}
	for i := range subnets.Subnets {
		sn := &subnets.Subnets[i]
		if !ours(sn.Tags, s.Name, roleSubnet) && !k.has(k.Subnets, aws.ToString(sn.SubnetId)) {
			continue
		}
		z := l.zone(aws.ToString(sn.AvailabilityZone))
		if z.Subnet == nil || k.has(k.Subnets, aws.ToString(sn.SubnetId)) {
			z.Subnet = sn
		}
	}

	out, err := c.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{vpcFilter(vpcID)}})
	if err != nil {
		return fmt.Errorf("describing route tables of VPC %s: %w", vpcID, err)
	}
	tables := out.RouteTables
	for i := range tables {
		rt := &tables[i]
		if az := l.tableZone(rt, tables, s.Name, k); az != "" {
			if z := l.zone(az); z.RouteTable == nil || k.has(k.RouteTables, aws.ToString(rt.RouteTableId)) {
				z.RouteTable = rt
			}
		}
	}
	for _, rt := range tables {
		if !slices.Contains(l.routeTableIDs(slices.Collect(maps.Keys(l.Zones))), aws.ToString(rt.RouteTableId)) {
			l.OtherTables = append(l.OtherTables, rt)
		}
	}
	return nil
}

// zone returns the zone of az, adding it when it is new.
func (l *live) zone(az string) *zone {
	if l.Zones[az] == nil {
		l.Zones[az] = &zone{}
	}
	return l.Zones[az]
}

// tableZone returns the zone of one of the network's route tables: its
// zone tag, or for an untagged table from state the zone of the subnet it
// is associated with; "" when the table is not the network's.
func (l *live) tableZone(rt *ec2types.RouteTable, tables []ec2types.RouteTable, name string, k known) string {
	id := aws.ToString(rt.RouteTableId)
	if !ours(rt.Tags, name, roleRouteTable) && !k.has(k.RouteTables, id) {
		return ""
	}
	if az := shared.TagMap(rt.Tags, ec2TagKeyValue)[TagZone]; az != "" {
		return az
	}
	for az, z := range l.Zones {
		if z.Subnet != nil {
			if a := associationIn(tables, aws.ToString(z.Subnet.SubnetId)); a != nil && aws.ToString(a.RouteTableId) == id {
				return az
			}
		}
	}
	return ""
}

// tables returns every route table of the VPC: the zones' and the others.
func (l *live) tables() []ec2types.RouteTable {
	out := slices.Clone(l.OtherTables)
	for _, az := range slices.Sorted(maps.Keys(l.Zones)) {
		if rt := l.Zones[az].RouteTable; rt != nil {
			out = append(out, *rt)
		}
	}
	return out
}

// association returns the subnet's explicit route table association in
// force (to any table), or nil when it uses the main table.
func (l *live) association(subnetID string) *ec2types.RouteTableAssociation {
	return associationIn(l.tables(), subnetID)
}

func associationIn(tables []ec2types.RouteTable, subnetID string) *ec2types.RouteTableAssociation {
	for i := range tables {
		for j := range tables[i].Associations {
			a := &tables[i].Associations[j]
			if subnetID != "" && aws.ToString(a.SubnetId) == subnetID && posture.AssociationActive(*a) {
				return a
			}
		}
	}
	return nil
}

// observeGroups reads the VPC's default security group and the network's
// workload and endpoint groups.
func (l *live) observeGroups(ctx context.Context, c clients, vpcID string, s spec, k known) error {
	name := s.Name
	out, err := c.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{vpcFilter(vpcID)}})
	if err != nil {
		return fmt.Errorf("describing security groups of VPC %s: %w", vpcID, err)
	}
	for i := range out.SecurityGroups {
		g := &out.SecurityGroups[i]
		id := aws.ToString(g.GroupId)
		switch {
		case aws.ToString(g.GroupName) == "default":
			l.DefaultSG = g
		case id == k.WorkloadSG || (k.WorkloadSG == "" && ours(g.Tags, name, roleWorkloadSG)):
			l.WorkloadSG = g
		case id == k.EndpointSG || (k.EndpointSG == "" && ours(g.Tags, name, roleEndpointSG)):
			l.EndpointSG = g
		case l.WorkloadSG == nil && ours(g.Tags, name, roleWorkloadSG):
			l.WorkloadSG = g
		case l.EndpointSG == nil && ours(g.Tags, name, roleEndpointSG):
			l.EndpointSG = g
		}
	}
	return nil
}

// observeEndpoints reads the network's gateway and interface endpoints.
func (l *live) observeEndpoints(ctx context.Context, c clients, vpcID string, s spec, k known) error {
	var endpoints []ec2types.VpcEndpoint
	in := &ec2.DescribeVpcEndpointsInput{Filters: []ec2types.Filter{vpcFilter(vpcID)}}
	for {
		out, err := c.ec2.DescribeVpcEndpoints(ctx, in)
		if err != nil {
			return fmt.Errorf("describing VPC endpoints of VPC %s: %w", vpcID, err)
		}
		endpoints = append(endpoints, out.VpcEndpoints...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	name := s.Name
	if name == "" {
		name = l.Name
	}
	for i := range endpoints {
		e := &endpoints[i]
		id := aws.ToString(e.VpcEndpointId)
		if endpointGone(*e) {
			continue
		}
		mine := ours(e.Tags, name, "") || k.has(k.Endpoints, id)
		if !mine {
			if svc, ok := s.shortService(aws.ToString(e.ServiceName)); ok && svc == s3Key {
				l.ForeignS3 = append(l.ForeignS3, *e)
			}
			continue
		}
		role := shared.TagMap(e.Tags, ec2TagKeyValue)[TagRole]
		svc, ok := s.shortService(aws.ToString(e.ServiceName))
		switch {
		case e.VpcEndpointType == ec2types.VpcEndpointTypeGateway && ok && svc == s3Key && (role == roleS3Gateway || k.has(k.Endpoints, id)):
			if l.S3Gateway == nil {
				l.S3Gateway = e
			} else {
				l.Strays = append(l.Strays, *e)
			}
		case e.VpcEndpointType == ec2types.VpcEndpointTypeInterface && ok:
			if prev := l.Interfaces[svc]; prev == nil || (k.EndpointByID[id] == svc && k.EndpointByID[aws.ToString(prev.VpcEndpointId)] != svc) {
				if prev != nil {
					l.Strays = append(l.Strays, *prev)
				}
				l.Interfaces[svc] = e
			} else {
				l.Strays = append(l.Strays, *e)
			}
		default:
			l.Strays = append(l.Strays, *e)
		}
	}
	return nil
}

// observePrefixList looks up the region's S3 prefix list.
func (l *live) observePrefixList(ctx context.Context, c clients, _ string, s spec, _ known) error {
	pl, err := findPrefixList(ctx, c.ec2, s.s3PrefixListName())
	l.PrefixList = pl
	return err
}

// observeFlowLogs reads the network's flow logs on the VPC.
func (l *live) observeFlowLogs(ctx context.Context, c clients, vpcID string, s spec, k known) error {
	fl, err := c.ec2.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{
		Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{vpcID}}},
	})
	if err != nil {
		return fmt.Errorf("describing flow logs of VPC %s: %w", vpcID, err)
	}
	for _, f := range fl.FlowLogs {
		if ours(f.Tags, s.Name, roleFlowLog) || aws.ToString(f.FlowLogId) == k.FlowLog {
			l.FlowLogs = append(l.FlowLogs, f)
		}
	}
	return nil
}

// observeLogging reads the flow-log group and the delivery role (found by
// the network's name, so not before it is known).
func (l *live) observeLogging(ctx context.Context, c clients, _ string, s spec, _ known) error {
	if s.Name == "" {
		return nil
	}
	lg, err := loggroup.Find(ctx, c.logs, LogGroupName(s.Name))
	switch {
	case errors.Is(err, loggroup.ErrNotFound):
	case err != nil:
		return err
	default:
		l.LogGroup = lg
	}
	return l.observeRole(ctx, c, RoleName(s.Name, s.Region))
}

// observeRole reads the delivery role and its policies.
func (l *live) observeRole(ctx context.Context, c clients, roleName string) error {
	role, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
	if isIAMNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading role %s: %w", roleName, err)
	}
	if role.Role == nil {
		return fmt.Errorf("reading role %s: IAM answered without the role", roleName)
	}
	l.Role = role
	names, err := c.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(roleName)})
	if err != nil {
		return fmt.Errorf("listing inline policies of role %s: %w", roleName, err)
	}
	for _, n := range names.PolicyNames {
		if n != flowLogPolicyName {
			l.RoleOtherInline = append(l.RoleOtherInline, n)
			continue
		}
		p, err := c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String(n)})
		if err != nil && !isIAMNotFound(err) {
			return fmt.Errorf("reading policy %s of role %s: %w", n, roleName, err)
		}
		if err == nil {
			l.RolePolicy = aws.ToString(p.PolicyDocument)
		}
	}
	attached, err := c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(roleName)})
	if err != nil {
		return fmt.Errorf("listing managed policies of role %s: %w", roleName, err)
	}
	for _, p := range attached.AttachedPolicies {
		l.RoleAttachedARNs = append(l.RoleAttachedARNs, aws.ToString(p.PolicyArn))
	}
	return nil
}

// findPrefixList returns the ID of the managed prefix list called name.
func findPrefixList(ctx context.Context, c ec2API, name string) (string, error) {
	out, err := c.DescribePrefixLists(ctx, &ec2.DescribePrefixListsInput{
		Filters: []ec2types.Filter{{Name: aws.String("prefix-list-name"), Values: []string{name}}},
	})
	if err != nil {
		return "", fmt.Errorf("looking up the prefix list %s: %w", name, err)
	}
	for _, p := range out.PrefixLists {
		if aws.ToString(p.PrefixListName) == name {
			return aws.ToString(p.PrefixListId), nil
		}
	}
	return "", nil
}
