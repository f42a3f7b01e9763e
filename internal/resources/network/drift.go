package network

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// driftOf lists every way the live network differs from its secure state,
// one sentence each, prefixed with the control ID where one applies. It is
// pure: Read stores it in `drift`, and apply (reconcile) restores each item.
// Attributes that Read reflects directly (tags of the VPC, the key and
// retention of the log group, the set of interface endpoints) show up as
// ordinary attribute diffs, but are listed here too so that `drift` is the
// whole story.
func driftOf(s spec, l *live) []string {
	var d []string
	add := func(format string, args ...any) { d = append(d, fmt.Sprintf(format, args...)) }
	vpcID := aws.ToString(l.VPC.VpcId)

	if !l.DNSSupport {
		add("VPC %s has DNS resolution (enableDnsSupport) off, so private DNS names of the interface endpoints do not resolve", vpcID)
	}
	if !l.DNSHostnames {
		add("VPC %s has DNS hostnames (enableDnsHostnames) off, so private DNS of the interface endpoints is not used", vpcID)
	}
	for _, g := range l.Gateways {
		add("SS-NET-2: internet gateway %s is attached to VPC %s", g, vpcID)
	}
	d = append(d, tagDrift("VPC "+vpcID, l.VPC.Tags, s.tags(roleVPC, "", nil))...)

	if g := l.DefaultSG; g != nil && len(g.IpPermissions)+len(g.IpPermissionsEgress) > 0 {
		add("SS-NET-7: default security group %s has %d inbound and %d outbound rule(s); it must have none (Security Hub EC2.2)",
			aws.ToString(g.GroupId), len(rulesOf(g.IpPermissions)), len(rulesOf(g.IpPermissionsEgress)))
	}

	for i, az := range s.AZs {
		z := l.Zones[az]
		if z == nil || z.Subnet == nil {
			add("the private subnet in %s is missing", az)
		} else {
			sn := z.Subnet
			id := aws.ToString(sn.SubnetId)
			if aws.ToBool(sn.MapPublicIpOnLaunch) {
				add("SS-NET-2: subnet %s assigns public IPv4 addresses on launch (MapPublicIpOnLaunch is true)", id)
			}
			if i < len(s.SubnetCIDRs) && aws.ToString(sn.CidrBlock) != s.SubnetCIDRs[i] {
				add("subnet %s in %s has CIDR %s, not %s", id, az, aws.ToString(sn.CidrBlock), s.SubnetCIDRs[i])
			}
			d = append(d, tagDrift("subnet "+id, sn.Tags, s.tags(roleSubnet, "private-"+az, map[string]string{TagZone: az}))...)
		}
		if z == nil || z.RouteTable == nil {
			add("the route table of the private subnet in %s is missing", az)
			continue
		}
		rt := z.RouteTable
		rtID := aws.ToString(rt.RouteTableId)
		if z.Subnet != nil {
			switch {
			case z.Association == nil:
				add("SS-NET-2: subnet %s has no explicit route table association, so it uses the VPC's main route table instead of %s", aws.ToString(z.Subnet.SubnetId), rtID)
			case aws.ToString(z.Association.RouteTableId) != rtID:
				add("SS-NET-2: subnet %s is associated with route table %s instead of %s", aws.ToString(z.Subnet.SubnetId), aws.ToString(z.Association.RouteTableId), rtID)
			}
		}
		for _, r := range rt.Routes {
			if routeAllowed(r, aws.ToString(l.VPC.CidrBlock), l.PrefixList, gatewayID(l)) {
				continue
			}
			control := ""
			if strings.HasPrefix(routeTarget(r), "igw-") {
				control = "SS-NET-2: "
			}
			add("%sroute table %s sends %s to %s; only the local route and the S3 gateway endpoint's route belong there", control, rtID, routeDestination(r), routeTarget(r))
		}
		if l.S3Gateway != nil && l.PrefixList != "" && !hasS3Route(rt, l.PrefixList, gatewayID(l)) {
			add("SS-NET-6: route table %s has no route from the S3 prefix list %s to gateway endpoint %s", rtID, l.PrefixList, gatewayID(l))
		}
		d = append(d, tagDrift("route table "+rtID, rt.Tags, s.tags(roleRouteTable, "private-"+az, map[string]string{TagZone: az}))...)
	}

	d = append(d, groupDrift(s, l, "workload", l.WorkloadSG, roleWorkloadSG)...)
	d = append(d, groupDrift(s, l, "endpoint", l.EndpointSG, roleEndpointSG)...)

	if l.S3Gateway == nil {
		add("SS-NET-6: the S3 gateway endpoint is missing")
	} else {
		id := gatewayID(l)
		for _, az := range s.AZs {
			if z := l.Zones[az]; z != nil && z.RouteTable != nil && !slices.Contains(l.S3Gateway.RouteTableIds, aws.ToString(z.RouteTable.RouteTableId)) {
				add("SS-NET-6: S3 gateway endpoint %s is not associated with route table %s", id, aws.ToString(z.RouteTable.RouteTableId))
			}
		}
		d = append(d, tagDrift("S3 gateway endpoint "+id, l.S3Gateway.Tags, s.tags(roleS3Gateway, "s3", nil))...)
	}

	for _, svc := range s.Services {
		e := l.Interfaces[svc]
		if e == nil {
			add("SS-NET-8: the interface endpoint for %s is missing", s.serviceName(svc))
			continue
		}
		d = append(d, endpointDrift(s, l, svc, e)...)
	}
	for _, svc := range slices.Sorted(maps.Keys(l.Interfaces)) {
		if !slices.Contains(s.Services, svc) {
			add("interface endpoint %s for %s is not in interface_endpoints", aws.ToString(l.Interfaces[svc].VpcEndpointId), s.serviceName(svc))
		}
	}
	for _, e := range l.Strays {
		add("VPC endpoint %s (%s) is a duplicate or unexpected endpoint of the network", aws.ToString(e.VpcEndpointId), aws.ToString(e.ServiceName))
	}

	d = append(d, logDrift(s, l)...)
	return d
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

func routeDestination(r ec2types.Route) string {
	for _, v := range []*string{r.DestinationCidrBlock, r.DestinationIpv6CidrBlock, r.DestinationPrefixListId} {
		if s := aws.ToString(v); s != "" {
			return s
		}
	}
	return "?"
}

func routeTarget(r ec2types.Route) string {
	for _, v := range []*string{
		r.GatewayId, r.NatGatewayId, r.EgressOnlyInternetGatewayId, r.TransitGatewayId, r.VpcPeeringConnectionId,
		r.NetworkInterfaceId, r.InstanceId, r.LocalGatewayId, r.CarrierGatewayId, r.CoreNetworkArn,
	} {
		if s := aws.ToString(v); s != "" {
			return s
		}
	}
	return "an unknown target"
}

func groupDrift(s spec, l *live, what string, g *ec2types.SecurityGroup, role string) []string {
	if g == nil {
		return []string{fmt.Sprintf("the %s security group is missing", what)}
	}
	want, ok := wantedRules(l, role)
	if !ok {
		return nil // the peer groups are missing: reported above
	}
	var d []string
	id := aws.ToString(g.GroupId)
	for _, dir := range []struct {
		name       string
		want, have []rule
	}{
		{"inbound", want.Ingress, rulesOf(g.IpPermissions)},
		{"outbound", want.Egress, rulesOf(g.IpPermissionsEgress)},
	} {
		extra, missing := diffRules(dir.want, dir.have)
		for _, r := range extra {
			control := ""
			if dir.name == "inbound" && openToInternet(r.Peer) {
				control = "SS-NET-3: "
			}
			d = append(d, fmt.Sprintf("%s%s security group %s has an unexpected %s rule: %s", control, what, id, dir.name, r))
		}
		for _, r := range missing {
			d = append(d, fmt.Sprintf("%s security group %s lacks its %s rule: %s", what, id, dir.name, r))
		}
	}
	return append(d, tagDrift(what+" security group "+id, g.Tags, s.tags(role, what, nil))...)
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

func openToInternet(peer string) bool { return peer == "0.0.0.0/0" || peer == "::/0" }

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

func logDrift(s spec, l *live) []string {
	var d []string
	if l.LogGroup == nil {
		d = append(d, fmt.Sprintf("SS-ENC-5: flow-log group %s is missing", s.logGroupName()))
	} else {
		if k := aws.ToString(l.LogGroup.KmsKeyId); k != s.KMSKeyARN {
			d = append(d, fmt.Sprintf("SS-ENC-5: flow-log group %s is encrypted with %s, not kms_key_arn %s", s.logGroupName(), orNone(k), s.KMSKeyARN))
		}
		if r := int64(aws.ToInt32(l.LogGroup.RetentionInDays)); r != s.RetentionDays {
			d = append(d, fmt.Sprintf("SS-MON-3: flow-log group %s keeps events for %s, not flow_log_retention_days %d", s.logGroupName(), retention(r), s.RetentionDays))
		}
	}

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
	}

	if l.conformingFlowLog(s) == nil {
		d = append(d, fmt.Sprintf("SS-MON-5: no flow log records all traffic of VPC %s into %s through role %s", aws.ToString(l.VPC.VpcId), s.logGroupName(), s.roleName()))
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
