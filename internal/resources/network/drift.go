package network

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// driftOf lists every way the live network differs from its secure state,
// one sentence each. It is pure: Read stores it in `drift`, and apply
// (reconcile) restores each item. Attributes that Read reflects directly
// (tags of the VPC, the key and retention of the log group, the set of
// interface endpoints) show up as ordinary attribute diffs, but are listed
// here too so that `drift` is the whole story.
//
// An item about a subnet or a security group is prefixed with the controls
// the guardrails fail because of it (j, from the findings on the live
// network); drift itself does not decide whether a subnet is private or a
// group is open.
func driftOf(s spec, l *live, j judge) []string {
	d := &drift{s: s, l: l, j: j}
	d.vpc()
	for i, az := range s.AZs {
		d.zone(i, az)
	}
	d.group("workload", l.WorkloadSG, roleWorkloadSG)
	d.group("endpoint", l.EndpointSG, roleEndpointSG)
	d.gateway()
	d.endpoints()
	d.logging()
	return d.items
}

// drift collects the items of driftOf, one step per part of the network.
type drift struct {
	s     spec
	l     *live
	j     judge
	items []string
}

func (d *drift) add(format string, args ...any) {
	d.items = append(d.items, fmt.Sprintf(format, args...))
}

// addJudged adds an item whose fault the probes show to the guardrails; the
// item is prefixed with the controls they fail on the probes and on the
// live objects alike.
func (d *drift) addJudged(probes []probe, format string, args ...any) {
	d.items = append(d.items, d.j.prefix(probes...)+fmt.Sprintf(format, args...))
}

// vpc: DNS settings, internet gateways, tags and the default security group.
func (d *drift) vpc() {
	l := d.l
	vpcID := aws.ToString(l.VPC.VpcId)
	if !l.DNSSupport {
		d.add("VPC %s has DNS resolution (enableDnsSupport) off, so private DNS names of the interface endpoints do not resolve", vpcID)
	}
	if !l.DNSHostnames {
		d.add("VPC %s has DNS hostnames (enableDnsHostnames) off, so private DNS of the interface endpoints is not used", vpcID)
	}
	for _, g := range l.Gateways {
		d.addJudged(d.gatewayProbes(g), "internet gateway %s is attached to VPC %s", g, vpcID)
	}
	d.items = append(d.items, tagDrift("VPC "+vpcID, l.VPC.Tags, d.s.tags(roleVPC, "", nil))...)

	if g := l.DefaultSG; g != nil && len(g.IpPermissions)+len(g.IpPermissionsEgress) > 0 {
		d.add("%sdefault security group %s has %d inbound and %d outbound rule(s); it must have none (Security Hub EC2.2)",
			d.j.named(guardrail.FieldDefaultSecurityGroup, aws.ToString(g.GroupId)),
			aws.ToString(g.GroupId), len(rulesOf(g.IpPermissions)), len(rulesOf(g.IpPermissionsEgress)))
	}
}

// gatewayProbes are the network's subnets, each with only the routes of its
// governing table that lead to internet gateway g.
func (d *drift) gatewayProbes(g string) []probe {
	var out []probe
	for _, az := range d.s.AZs {
		z := d.l.Zones[az]
		if z == nil || z.Subnet == nil {
			continue
		}
		table, _ := posture.GoverningRouteTable(aws.ToString(z.Subnet.SubnetId), aws.ToString(d.l.VPC.VpcId), d.l.tables())
		if table == nil {
			continue
		}
		var routes []ec2types.Route
		for _, r := range table.Routes {
			if slices.Contains(posture.RouteTargets(r), g) {
				routes = append(routes, r)
			}
		}
		if len(routes) > 0 {
			out = append(out, subnetWith(*z.Subnet, false, routes...))
		}
	}
	return out
}

// zone: the private subnet of the i-th zone, its route table and their
// association.
func (d *drift) zone(i int, az string) {
	s, l := d.s, d.l
	z := l.Zones[az]
	if z == nil || z.Subnet == nil {
		d.add("the private subnet in %s is missing", az)
	} else {
		sn := z.Subnet
		id := aws.ToString(sn.SubnetId)
		if aws.ToBool(sn.MapPublicIpOnLaunch) {
			d.addJudged([]probe{subnetWith(*sn, true)}, "subnet %s assigns public IPv4 addresses on launch (MapPublicIpOnLaunch is true)", id)
		}
		if i < len(s.SubnetCIDRs) && aws.ToString(sn.CidrBlock) != s.SubnetCIDRs[i] {
			d.add("subnet %s in %s has CIDR %s, not %s", id, az, aws.ToString(sn.CidrBlock), s.SubnetCIDRs[i])
		}
		d.items = append(d.items, tagDrift("subnet "+id, sn.Tags, s.tags(roleSubnet, "private-"+az, map[string]string{TagZone: az}))...)
	}
	if z == nil || z.RouteTable == nil {
		d.add("the route table of the private subnet in %s is missing", az)
		return
	}
	rt := z.RouteTable
	rtID := aws.ToString(rt.RouteTableId)
	if z.Subnet != nil {
		d.association(*z.Subnet, rtID)
	}
	for _, r := range rt.Routes {
		if routeAllowed(r, aws.ToString(l.VPC.CidrBlock), l.PrefixList, gatewayID(l)) {
			continue
		}
		var probes []probe
		if z.Subnet != nil {
			probes = []probe{subnetWith(*z.Subnet, false, r)}
		}
		d.addJudged(probes, "route table %s sends %s to %s; only the local route and the S3 gateway endpoint's route belong there", rtID, describeDestination(r), describeTargets(r))
	}
	if l.S3Gateway != nil && l.PrefixList != "" && !hasS3Route(rt, l.PrefixList, gatewayID(l)) {
		d.add("%sroute table %s has no route from the S3 prefix list %s to gateway endpoint %s", d.withoutS3Route(az), rtID, l.PrefixList, gatewayID(l))
	}
	d.items = append(d.items, tagDrift("route table "+rtID, rt.Tags, s.tags(roleRouteTable, "private-"+az, map[string]string{TagZone: az}))...)
}

// withoutS3Route names the controls the network's subnets in zones fail
// when their route table lacks the S3 gateway endpoint's route.
func (d *drift) withoutS3Route(zones ...string) string {
	var probes []probe
	for _, az := range zones {
		if z := d.l.Zones[az]; z != nil && z.Subnet != nil {
			probes = append(probes, subnetWith(*z.Subnet, false))
		}
	}
	return d.j.confirmed(probes...)
}

// association: the subnet must be explicitly associated with its zone's
// route table rtID. The probe is the subnet governed by whichever table it
// uses instead.
func (d *drift) association(sn ec2types.Subnet, rtID string) {
	id := aws.ToString(sn.SubnetId)
	probes := []probe{subnetIn(sn, d.l.tables())}
	switch a := d.l.association(id); {
	case a == nil:
		d.addJudged(probes, "subnet %s has no explicit route table association, so it uses the VPC's main route table instead of %s", id, rtID)
	case aws.ToString(a.RouteTableId) != rtID:
		d.addJudged(probes, "subnet %s is associated with route table %s instead of %s", id, aws.ToString(a.RouteTableId), rtID)
	}
}

// gateway: the S3 gateway endpoint, on every zone's route table.
func (d *drift) gateway() {
	s, l := d.s, d.l
	if l.S3Gateway == nil {
		d.add("%sthe S3 gateway endpoint is missing", d.withoutS3Route(s.AZs...))
		return
	}
	id := gatewayID(l)
	for _, az := range s.AZs {
		if z := l.Zones[az]; z != nil && z.RouteTable != nil && !slices.Contains(l.S3Gateway.RouteTableIds, aws.ToString(z.RouteTable.RouteTableId)) {
			d.add("%sS3 gateway endpoint %s is not associated with route table %s", d.withoutS3Route(az), id, aws.ToString(z.RouteTable.RouteTableId))
		}
	}
	if d.open(id) {
		d.add("%sS3 gateway endpoint %s has "+otherS3Policy, d.j.named(guardrail.FieldS3Gateway, id), id, s.AccountID)
	}
	d.items = append(d.items, tagDrift("S3 gateway endpoint "+id, l.S3Gateway.Tags, s.tags(roleS3Gateway, "s3", nil))...)
}

// endpoints: the interface endpoints of interface_endpoints, and no others.
func (d *drift) endpoints() {
	s, l := d.s, d.l
	for _, svc := range s.Services {
		e := l.Interfaces[svc]
		if e == nil {
			d.add("%sthe interface endpoint for %s is missing", d.j.named(guardrail.FieldInterfaceEndpoints, s.serviceName(svc)), s.serviceName(svc))
			continue
		}
		d.items = append(d.items, endpointDrift(s, l, svc, e)...)
	}
	for _, svc := range slices.Sorted(maps.Keys(l.Interfaces)) {
		if !slices.Contains(s.Services, svc) {
			d.add("interface endpoint %s for %s is not in interface_endpoints", aws.ToString(l.Interfaces[svc].VpcEndpointId), s.serviceName(svc))
		}
	}
	for _, e := range l.Strays {
		d.add("VPC endpoint %s (%s) is a duplicate or unexpected endpoint of the network", aws.ToString(e.VpcEndpointId), aws.ToString(e.ServiceName))
	}
	for _, e := range l.ForeignS3 {
		if id := aws.ToString(e.VpcEndpointId); d.open(id) {
			d.add("%sS3 endpoint %s (%s), not made by the network, has "+otherS3Policy+"; the apply does not remove it: delete it, or give it the network's policy",
				d.j.named(guardrail.FieldS3Gateway, id), id, e.VpcEndpointType, s.AccountID)
		}
	}
}

// otherS3Policy is the drift text of an S3 endpoint that fails SS-DATA-2.
const otherS3Policy = "a policy other than the network's (only buckets of account %s, aws:ResourceAccount, and ECR's layer bucket), " +
	"so workloads can reach buckets of other accounts through it"

// open reports whether the S3 endpoint id fails SS-DATA-2 (openGateways,
// the same function the live guardrail subject is built with).
func (d *drift) open(id string) bool {
	open, err := openGateways(d.s, d.l)
	if err != nil {
		d.add("%v", err)
		return false
	}
	return slices.Contains(open, id)
}

// gatewayID returns the S3 gateway endpoint's ID, or "".
func gatewayID(l *live) string {
	if l.S3Gateway == nil {
		return ""
	}
	return aws.ToString(l.S3Gateway.VpcEndpointId)
}

// routeAllowed reports whether a route may be in the network's route tables:
// the local route of the VPC CIDR, and the S3 prefix list to the network's
// gateway endpoint.
func routeAllowed(r ec2types.Route, vpcCIDR, prefixList, gateway string) bool {
	if aws.ToString(r.GatewayId) == "local" && aws.ToString(r.DestinationCidrBlock) == vpcCIDR {
		return true
	}
	dest := aws.ToString(r.DestinationPrefixListId)
	return dest != "" && dest == prefixList && gateway != "" && aws.ToString(r.GatewayId) == gateway
}

func hasS3Route(rt *ec2types.RouteTable, prefixList, gateway string) bool {
	for _, r := range rt.Routes {
		if aws.ToString(r.DestinationPrefixListId) == prefixList && aws.ToString(r.GatewayId) == gateway {
			return true
		}
	}
	return false
}

// describeDestination phrases a route's destination for messages.
func describeDestination(r ec2types.Route) string {
	if d := posture.RouteDestination(r); d != "" {
		return d
	}
	return "?"
}

// describeTargets phrases every target of a route for messages.
func describeTargets(r ec2types.Route) string {
	if t := posture.RouteTargets(r); len(t) > 0 {
		return strings.Join(t, " and ")
	}
	return "an unknown target"
}

// group: the rules and tags of the workload or endpoint security group. An
// unexpected rule's probe is the group with only that rule.
func (d *drift) group(what string, g *ec2types.SecurityGroup, role string) {
	if g == nil {
		d.add("the %s security group is missing", what)
		return
	}
	want, ok := wantedRules(d.l, role)
	if !ok {
		return // the peer groups are missing: reported above
	}
	id := aws.ToString(g.GroupId)
	for _, dir := range []struct {
		name       string
		want, have []rule
		probe      func(ec2types.IpPermission) probe
	}{
		{"inbound", want.Ingress, rulesOf(g.IpPermissions), func(p ec2types.IpPermission) probe { return groupWith(id, []ec2types.IpPermission{p}, nil) }},
		{"outbound", want.Egress, rulesOf(g.IpPermissionsEgress), func(p ec2types.IpPermission) probe { return groupWith(id, nil, []ec2types.IpPermission{p}) }},
	} {
		extra, missing := diffRules(dir.want, dir.have)
		for _, r := range extra {
			d.addJudged([]probe{dir.probe(r.permission())}, "%s security group %s has an unexpected %s rule: %s", what, id, dir.name, r)
		}
		for _, r := range missing {
			d.add("%s security group %s lacks its %s rule: %s", what, id, dir.name, r)
		}
	}
	d.items = append(d.items, tagDrift(what+" security group "+id, g.Tags, d.s.tags(role, what, nil))...)
}

// wantedRules returns the rules of the group with the given role, or false
// when a group or the prefix list they refer to is missing.
func wantedRules(l *live, role string) (groupRules, bool) {
	if l.WorkloadSG == nil {
		return groupRules{}, false
	}
	w := aws.ToString(l.WorkloadSG.GroupId)
	if role == roleEndpointSG {
		return endpointRules(w), true
	}
	if l.EndpointSG == nil || l.PrefixList == "" {
		return groupRules{}, false
	}
	return workloadRules(w, aws.ToString(l.EndpointSG.GroupId), l.PrefixList), true
}

func endpointDrift(s spec, l *live, svc string, e *ec2types.VpcEndpoint) []string {
	var d []string
	id := aws.ToString(e.VpcEndpointId)
	for _, az := range s.AZs {
		if z := l.Zones[az]; z != nil && z.Subnet != nil && !slices.Contains(e.SubnetIds, aws.ToString(z.Subnet.SubnetId)) {
			d = append(d, fmt.Sprintf("interface endpoint %s (%s) has no network interface in subnet %s", id, svc, aws.ToString(z.Subnet.SubnetId)))
		}
	}
	for _, sn := range e.SubnetIds {
		if !slices.Contains(l.subnetIDs(s.AZs), sn) {
			d = append(d, fmt.Sprintf("interface endpoint %s (%s) has a network interface in subnet %s, which is not one of the network's", id, svc, sn))
		}
	}
	if l.EndpointSG != nil {
		var groups []string
		for _, g := range e.Groups {
			groups = append(groups, aws.ToString(g.GroupId))
		}
		want := aws.ToString(l.EndpointSG.GroupId)
		if len(groups) != 1 || groups[0] != want {
			d = append(d, fmt.Sprintf("interface endpoint %s (%s) uses security groups [%s] instead of only %s", id, svc, strings.Join(groups, ", "), want))
		}
	}
	if !aws.ToBool(e.PrivateDnsEnabled) {
		d = append(d, fmt.Sprintf("interface endpoint %s (%s) has private DNS off, so SageMaker's calls to %s would not use it", id, svc, s.serviceName(svc)))
	}
	return append(d, tagDrift("interface endpoint "+id, e.Tags, s.tags(roleInterfaceEndpoint, svc, nil))...)
}

// logging: the flow-log group, the delivery role and the flow log.
func (d *drift) logging() {
	d.items = append(d.items, logGroupDrift(d.s, d.l, d.j)...)
	d.items = append(d.items, roleDrift(d.s, d.l, d.j)...)
	d.items = append(d.items, flowLogDrift(d.s, d.l, d.j)...)
}

// logGroupDrift: the flow-log group's key and retention.
func logGroupDrift(s spec, l *live, j judge) []string {
	var d []string
	if l.LogGroup == nil {
		d = append(d, fmt.Sprintf("%sflow-log group %s is missing", j.logGroup(s, false, "", 0), s.logGroupName()))
	} else {
		if k := aws.ToString(l.LogGroup.KmsKeyId); k != s.KMSKeyARN {
			d = append(d, fmt.Sprintf("%sflow-log group %s is encrypted with %s, not kms_key_arn %s",
				j.logGroup(s, true, k, s.RetentionDays), s.logGroupName(), orNone(k), s.KMSKeyARN))
		}
		if r := int64(aws.ToInt32(l.LogGroup.RetentionInDays)); r != s.RetentionDays {
			d = append(d, fmt.Sprintf("%sflow-log group %s keeps events for %s, not flow_log_retention_days %d",
				j.logGroup(s, true, s.KMSKeyARN, r), s.logGroupName(), retention(r), s.RetentionDays))
		}
	}
	return d
}

// roleDrift: the delivery role's trust, its one inline policy, nothing
// else, and the organisation's permissions boundary when the guardrails
// require one.
func roleDrift(s spec, l *live, j judge) []string {
	var d []string
	trust, policy, err := s.flowLogDocuments()
	switch {
	case l.Role == nil:
		d = append(d, fmt.Sprintf("flow-log role %s is missing", s.roleName()))
	case err != nil:
		d = append(d, err.Error())
	default:
		if !equivalent(aws.ToString(l.Role.Role.AssumeRolePolicyDocument), trust) {
			d = append(d, fmt.Sprintf("flow-log role %s has a trust policy other than vpc-flow-logs.amazonaws.com with aws:SourceAccount %s", s.roleName(), s.AccountID))
		}
		if l.RolePolicy == "" {
			d = append(d, fmt.Sprintf("flow-log role %s has no %s policy", s.roleName(), flowLogPolicyName))
		} else if !equivalent(l.RolePolicy, policy) {
			d = append(d, fmt.Sprintf("flow-log role %s's policy %s allows more or other than writing to %s", s.roleName(), flowLogPolicyName, s.logGroupName()))
		}
		for _, p := range l.RoleOtherInline {
			d = append(d, fmt.Sprintf("flow-log role %s has an extra inline policy %s", s.roleName(), p))
		}
		for _, p := range l.RoleAttachedARNs {
			d = append(d, fmt.Sprintf("flow-log role %s has managed policy %s attached", s.roleName(), p))
		}
		if have := roleBoundary(l.Role); s.Boundary != "" && have != s.Boundary {
			what := "no permissions boundary"
			if have != "" {
				what = "permissions boundary " + have
			}
			d = append(d, fmt.Sprintf("%sflow-log role %s has %s, not role_permissions_boundary_arn %s",
				j.named(guardrail.FieldRoleBoundary, s.roleName()), s.roleName(), what, s.Boundary))
		}
	}
	return d
}

// flowLogDrift: one flow log recording all traffic into the group, no other.
func flowLogDrift(s spec, l *live, j judge) []string {
	var d []string
	if l.conformingFlowLog(s) == nil {
		d = append(d, fmt.Sprintf("%sno flow log records all traffic of VPC %s into %s through role %s", j.named(guardrail.FieldFlowLog, ""), aws.ToString(l.VPC.VpcId), s.logGroupName(), s.roleName()))
	}
	for _, f := range l.FlowLogs {
		if !flowLogConforms(f, s) {
			d = append(d, fmt.Sprintf("flow log %s does not match the network's flow log", describeFlowLog(f, s)))
		}
	}
	return d
}

// describeFlowLog phrases a flow log: "fl-0abc (traffic REJECT to
// /group)", naming its delivery role when it is not the network's.
func describeFlowLog(f ec2types.FlowLog, s spec) string {
	dest := aws.ToString(f.LogGroupName)
	if dest == "" {
		dest = aws.ToString(f.LogDestination)
	}
	if dest == "" {
		dest = "no destination"
	}
	via := ""
	switch role := aws.ToString(f.DeliverLogsPermissionArn); {
	case role == s.roleARN():
	case role == "":
		via = " without a delivery role"
	default:
		via = " through role " + role
	}
	return fmt.Sprintf("%s (traffic %s to %s%s)", aws.ToString(f.FlowLogId), f.TrafficType, dest, via)
}

// tagDrift reports the required tags (Name, sagesafe:*) that an object lost
// or that were changed; other tags show up as a diff of `tags`.
func tagDrift(what string, have []ec2types.Tag, want map[string]string) []string {
	got := shared.TagMap(have, ec2TagKeyValue)
	var d []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if !reservedTag(k) || got[k] == want[k] {
			continue
		}
		d = append(d, fmt.Sprintf("%s has tag %s=%q, not %q", what, k, got[k], want[k]))
	}
	return d
}

func equivalent(live, want string) bool {
	ok, err := iampolicy.Equivalent(live, want)
	return err == nil && ok
}

func orNone(s string) string {
	if s == "" {
		return "no key"
	}
	return s
}

func retention(days int64) string {
	if days == 0 {
		return "forever (no retention)"
	}
	return fmt.Sprintf("%d days", days)
}
