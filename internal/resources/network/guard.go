package network

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// The security logic lives in internal/guardrail (controls and checks) and
// internal/posture (facts about subnets, security groups, keys and log
// groups); this file only builds the network's Subject and maps findings
// back to attributes.

func baseSubject(d *providerdata.Data, name string) *guardrail.Subject {
	return d.Subject(guardrail.KindNetwork, name)
}

// planSubject describes the network as planned. Its subnets and security
// groups are Unknown: apply creates or restores them, so their checks run on
// the live objects after apply (and at every refresh), not on what exists
// now. The same holds for the default security group's rules (SS-NET-7), the
// interface endpoints (SS-NET-8) and the flow log (SS-MON-5). What the plan
// decides is checked: the key (SS-KMS-1/2), the log group's key and
// retention (SS-ENC-5, SS-MON-3) and the tags (SS-GOV-1).
func planSubject(ctx context.Context, d *providerdata.Data, m *networkModel, diags *diag.Diagnostics) *guardrail.Subject {
	s := baseSubject(d, m.Name.ValueString())
	s.SubnetIDs = facts.Unknown[[]string]()
	s.SecurityGroupIDs = facts.Unknown[[]string]()
	s.DefaultSecurityGroupRules = facts.Unknown[[]string]()
	s.MissingInterfaceEndpoints = facts.Unknown[[]string]()
	s.FlowLog = facts.Unknown[guardrail.FlowLogState]()
	// The flow-log role is created or restored by apply (SS-IAM-5).
	s.RoleBoundaries = []guardrail.RoleBoundary{{Role: RoleName(m.Name.ValueString(), d.AWS.Region), Boundary: facts.Unknown[string]()}}
	s.KMSKeyARN = tfval.String(m.KMSKeyARN)
	lg := guardrail.LogGroup{KMSKeyARN: s.KMSKeyARN, RetentionDays: tfval.Int64(m.FlowLogRetentionDays)}
	if !m.Name.IsUnknown() && !m.Name.IsNull() {
		lg.Name = LogGroupName(m.Name.ValueString())
	}
	s.LogGroups = []guardrail.LogGroup{lg}
	if m.Tags.IsUnknown() {
		s.Tags = facts.Unknown[map[string]string]()
	} else {
		s.Tags = facts.Known(mergedTags(d, stringMap(ctx, m.Tags, diags)))
	}
	return s
}

// planKnown reports whether every value planSubject reads is known, so the
// controls it satisfies can be planned.
func planKnown(m *networkModel) bool {
	return !m.Name.IsUnknown() && !m.KMSKeyARN.IsUnknown() && !m.FlowLogRetentionDays.IsUnknown() && !m.Tags.IsUnknown()
}

// liveSubject describes the network as it is: its subnets, its workload,
// endpoint and default security groups (and the default group's rules), the
// key and flow-log group in state, the required interface endpoints that are
// missing, the VPC's flow logs, and the VPC's tags. groups returns the
// attribute of each security group index.
func liveSubject(d *providerdata.Data, s spec, l *live) (*guardrail.Subject, []string) {
	sub := baseSubject(d, s.Name)
	sub.SubnetIDs = facts.Known(l.subnetIDs(s.AZs))
	var ids, attrs []string
	for _, g := range []struct {
		id, attr string
	}{
		{groupID(l.WorkloadSG), "workload_security_group_id"},
		{groupID(l.EndpointSG), "endpoint_security_group_id"},
		{groupID(l.DefaultSG), ""},
	} {
		if g.id != "" {
			ids, attrs = append(ids, g.id), append(attrs, g.attr)
		}
	}
	sub.SecurityGroupIDs = facts.Known(ids)
	if l.DefaultSG != nil {
		sub.DefaultSecurityGroupID = groupID(l.DefaultSG)
		sub.DefaultSecurityGroupRules = facts.Known(defaultGroupRules(l.DefaultSG))
	}
	sub.MissingInterfaceEndpoints = facts.Known(missingEndpoints(s, l))
	if open, err := openGateways(s, l); err == nil {
		sub.OpenS3Gateways = facts.Known(open)
	}
	sub.FlowLog = facts.Known(flowLogState(s, l))
	if s.KMSKeyARN != "" {
		sub.KMSKeyARN = facts.Known(s.KMSKeyARN)
	}
	// Null settings: the checks take them from the live log group.
	sub.LogGroups = []guardrail.LogGroup{{Name: s.logGroupName()}}
	sub.Tags = facts.Known(shared.TagMap(l.VPC.Tags, ec2TagKeyValue))
	if l.Role != nil {
		sub.RoleBoundaries = []guardrail.RoleBoundary{{Role: s.roleName(), Boundary: facts.Known(roleBoundary(l.Role))}}
	}
	return sub, attrs
}

// openGateways are the S3 endpoints in the network's VPC whose policy is
// not the network's own (SS-DATA-2): its gateway endpoint, and any S3
// endpoint someone else added, gateway or interface, through which
// workloads would reach buckets of other accounts around that policy.
func openGateways(s spec, l *live) ([]string, error) {
	endpoints := slices.Clone(l.ForeignS3)
	if l.S3Gateway != nil {
		endpoints = append(endpoints, *l.S3Gateway)
	}
	if len(endpoints) == 0 {
		return []string{}, nil
	}
	policy, err := s.s3EndpointPolicy()
	if err != nil {
		return nil, err
	}
	open := []string{}
	for _, e := range endpoints {
		if !equivalent(aws.ToString(e.PolicyDocument), policy) {
			open = append(open, aws.ToString(e.VpcEndpointId))
		}
	}
	return open, nil
}

// defaultGroupRules phrases every rule of the default security group:
// "inbound tcp 3389 0.0.0.0/0", "outbound all traffic 0.0.0.0/0".
func defaultGroupRules(g *ec2types.SecurityGroup) []string {
	out := []string{}
	for _, dir := range []struct {
		name  string
		perms []ec2types.IpPermission
	}{{"inbound", g.IpPermissions}, {"outbound", g.IpPermissionsEgress}} {
		for _, r := range rulesOf(dir.perms) {
			out = append(out, dir.name+" "+r.String())
		}
	}
	return out
}

// missingEndpoints returns the full service names of the interface
// endpoints in interface_endpoints that the VPC lacks.
func missingEndpoints(s spec, l *live) []string {
	out := []string{}
	for _, svc := range s.Services {
		if l.Interfaces[svc] == nil {
			out = append(out, s.serviceName(svc))
		}
	}
	return out
}

// flowLogState reports the flow log that records all traffic into the
// network's log group, and describes the VPC's other flow logs.
func flowLogState(s spec, l *live) guardrail.FlowLogState {
	st := guardrail.FlowLogState{LogGroup: s.logGroupName()}
	if f := l.conformingFlowLog(s); f != nil {
		st.Recording = aws.ToString(f.FlowLogId)
	}
	for _, f := range l.FlowLogs {
		if !flowLogConforms(f, s) {
			st.Others = append(st.Others, describeFlowLog(f, s))
		}
	}
	return st
}

func groupID(g *ec2types.SecurityGroup) string {
	if g == nil {
		return ""
	}
	return aws.ToString(g.GroupId)
}

// checkLive evaluates the live network into m: findings become warnings
// naming the control, the state of every control goes to `control_states`
// and the held ones to `controls` (a failed lookup leaves the controls it
// needed not checked), and everything that differs from the secure state
// goes to `drift`.
func (r *networkResource) checkLive(ctx context.Context, m *networkModel, s spec, l *live, diags *diag.Diagnostics) {
	findings, sub, groups, err := evaluateLive(ctx, r.data.Posture, r.data, s, l)
	j := newJudge(findings, r.data.Policy)
	states := guardrail.States(sub, r.data.Policy, findings, err)
	m.Controls, m.ControlStates = tfval.List(states.Held()), tfval.Map(states.Strings())
	if err != nil {
		diags.AddWarning("Could not check the posture of sagesafe_network",
			"sagesafe re-checks the network's subnets, security groups, key and log group at every refresh and could not read them: "+err.Error())
		j = judgeLive(ctx, r.data, s, l)
	} else {
		// On the live network every finding is drift: report it as a
		// warning naming the control; the plan then shows the repair.
		diags.Append(diagnostics(guardrail.AsWarnings(findings), groups)...)
	}
	m.Drift = tfval.List(driftOf(s, l, j))
}

// evaluateLive runs the guardrail checks on the live network. Its subnets
// and security groups are judged from what observe read (observedFacts);
// fetch answers the rest (the key, the flow-log group), or nothing when nil.
func evaluateLive(ctx context.Context, fetch evaluate.Fetcher, d *providerdata.Data, s spec, l *live) ([]guardrail.Finding, *guardrail.Subject, []string, error) {
	sub, groups := liveSubject(d, s, l)
	findings, err := evaluate.Run(ctx, evaluate.Observed(fetch, observedFacts(l)), d.Policy, sub)
	return findings, sub, groups, err
}

// observedFacts assesses the network's subnets and security groups as
// observe read them, with posture's own assessments, so that the checks and
// drift see the same snapshot (the posture cache may predate an apply).
// Prefix lists are not expanded (nil): a rule naming one counts as public,
// which fails closed; the workload group's egress to the S3 prefix list is
// accepted by SS-NET-3 because the network's subnets route that list to its
// gateway endpoint.
func observedFacts(l *live) facts.Facts {
	f := facts.Facts{Subnets: map[string]facts.SubnetFact{}, SecurityGroups: map[string]facts.SecurityGroupFact{}}
	tables := l.tables()
	for _, z := range l.Zones {
		if z.Subnet != nil {
			f.Subnets[aws.ToString(z.Subnet.SubnetId)] = posture.AssessSubnet(*z.Subnet, tables)
		}
	}
	for _, g := range []*ec2types.SecurityGroup{l.WorkloadSG, l.EndpointSG, l.DefaultSG} {
		if g != nil {
			f.SecurityGroups[aws.ToString(g.GroupId)] = posture.AssessSecurityGroup(*g, nil)
		}
	}
	return f
}

// judgeLive judges the live network from what observe read alone, which is
// all a judge needs; apply's verify uses it, and Read when the key or the
// log group could not be looked up.
func judgeLive(ctx context.Context, d *providerdata.Data, s spec, l *live) judge {
	findings, _, _, _ := evaluateLive(ctx, nil, d, s, l) // no lookups, so no error
	return newJudge(findings, d.Policy)
}

// judge names the controls of drift items from the guardrails' findings on
// the live network, so that the rule of a control lives only in posture and
// guardrail: an item about a subnet or security group carries probes (that
// object reduced to the item's fault), and names the controls the
// guardrails fail both on a probe and on the live object.
type judge struct {
	policy   guardrail.Policy
	failed   map[string][]string // object ID -> controls with an error finding on it
	findings []guardrail.Finding // every finding on the live network
}

func newJudge(findings []guardrail.Finding, p guardrail.Policy) judge {
	j := judge{policy: p, failed: map[string][]string{}, findings: findings}
	for _, f := range failedOnObjects(findings) {
		j.failed[f.Object] = append(j.failed[f.Object], f.Control)
	}
	return j
}

// failedOnObjects returns the error findings (those that fail a control)
// that name an object.
func failedOnObjects(findings []guardrail.Finding) []guardrail.Finding {
	var out []guardrail.Finding
	for _, f := range findings {
		if f.Object != "" && guardrail.HasErrors([]guardrail.Finding{f}) {
			out = append(out, f)
		}
	}
	return out
}

// prefix returns "SS-...: " naming the controls that fail on one of the
// probes and on the live object it stands for, or "" when there are none.
func (j judge) prefix(probes ...probe) string {
	var ids []string
	for _, p := range probes {
		if len(j.failed[p.id]) == 0 {
			continue // the live object holds: nothing to name
		}
		for _, f := range failedOnObjects(guardrail.Evaluate(p.subject(), j.policy)) {
			if f.Object == p.id && slices.Contains(j.failed[p.id], f.Control) && !slices.Contains(ids, f.Control) {
				ids = append(ids, f.Control)
			}
		}
	}
	return joinControls(ids)
}

// named returns "SS-...: " naming the controls that have a finding (error
// or warning) on field of the live network, on object when it is not empty;
// "" when there are none. Items about the network's own parts (its default
// security group, interface endpoints, flow log) use it: their guardrail
// input is read from the same live objects.
func (j judge) named(field guardrail.Field, object string) string {
	var ids []string
	for _, f := range j.findings {
		if f.Field == field && (object == "" || f.Object == object) && !slices.Contains(ids, f.Control) {
			ids = append(ids, f.Control)
		}
	}
	return joinControls(ids)
}

// confirmed is prefix for faults that may be warnings: the controls with a
// finding (of any severity) on a probe and on the live object it stands for.
func (j judge) confirmed(probes ...probe) string {
	var ids []string
	for _, p := range probes {
		live := j.controlsOn(p.id)
		for _, f := range guardrail.Evaluate(p.subject(), j.policy) {
			if f.Object == p.id && slices.Contains(live, f.Control) && !slices.Contains(ids, f.Control) {
				ids = append(ids, f.Control)
			}
		}
	}
	return joinControls(ids)
}

// controlsOn returns the controls with a finding on object in the live network.
func (j judge) controlsOn(object string) []string {
	var ids []string
	for _, f := range j.findings {
		if f.Object == object {
			ids = append(ids, f.Control)
		}
	}
	return ids
}

// logGroup returns "SS-...: " naming the controls the guardrails fail on the
// flow-log group when it is reduced to one fault: missing (found false), or
// with the given key and retention, one of which is the network's own. The
// group is judged as observe read it, so no lookup is needed.
func (j judge) logGroup(s spec, found bool, key string, retentionDays int64) string {
	name := s.logGroupName()
	sub := &guardrail.Subject{Kind: guardrail.KindNetwork, KMSKeyARN: facts.Known(s.KMSKeyARN), LogGroups: []guardrail.LogGroup{{Name: name}}}
	sub.Facts.LogGroups = map[string]facts.LogGroupFact{name: {Name: name, Found: found, KMSKeyARN: key, RetentionDays: retentionDays}}
	var ids []string
	for _, f := range guardrail.Evaluate(sub, j.policy) {
		if f.Field == guardrail.FieldLogGroups && !slices.Contains(ids, f.Control) {
			ids = append(ids, f.Control)
		}
	}
	return joinControls(ids)
}

// joinControls renders control IDs as a drift item's prefix.
func joinControls(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	slices.Sort(ids)
	return strings.Join(ids, ", ") + ": "
}

// probe is a subnet or security group of the network reduced to the one
// fault a drift item describes, for the guardrails to judge.
type probe struct {
	id     string
	subnet *ec2types.Subnet
	tables []ec2types.RouteTable // where the subnet's route table is found
	group  *ec2types.SecurityGroup
}

// subnetWith is sn with public IPv4 addresses on launch as publicIPs,
// explicitly associated with a route table that has only routes.
func subnetWith(sn ec2types.Subnet, publicIPs bool, routes ...ec2types.Route) probe {
	sn.MapPublicIpOnLaunch = aws.Bool(publicIPs)
	table := ec2types.RouteTable{
		RouteTableId: aws.String("rtb-probe"), VpcId: sn.VpcId, Routes: routes,
		Associations: []ec2types.RouteTableAssociation{{SubnetId: sn.SubnetId}},
	}
	return probe{id: aws.ToString(sn.SubnetId), subnet: &sn, tables: []ec2types.RouteTable{table}}
}

// subnetIn is sn without public IPv4 addresses on launch, governed by
// whichever of tables governs it in the VPC.
func subnetIn(sn ec2types.Subnet, tables []ec2types.RouteTable) probe {
	sn.MapPublicIpOnLaunch = aws.Bool(false)
	return probe{id: aws.ToString(sn.SubnetId), subnet: &sn, tables: tables}
}

// groupWith is security group id with only the given rules.
func groupWith(id string, ingress, egress []ec2types.IpPermission) probe {
	return probe{id: id, group: &ec2types.SecurityGroup{GroupId: aws.String(id), IpPermissions: ingress, IpPermissionsEgress: egress}}
}

// subject is the probe as a network of one subnet or security group, with
// posture's assessment of it as its facts.
func (p probe) subject() *guardrail.Subject {
	s := &guardrail.Subject{Kind: guardrail.KindNetwork}
	if p.subnet != nil {
		s.SubnetIDs = facts.Known([]string{p.id})
		s.Facts.Subnets = map[string]facts.SubnetFact{p.id: posture.AssessSubnet(*p.subnet, p.tables)}
	}
	if p.group != nil {
		s.SecurityGroupIDs = facts.Known([]string{p.id})
		s.Facts.SecurityGroups = map[string]facts.SecurityGroupFact{p.id: posture.AssessSecurityGroup(*p.group, nil)}
	}
	return s
}

// paths maps findings to the network's attributes. groups names the
// attribute of each security group index (liveSubject); nil at plan time.
func paths(groups []string) guardrail.Paths {
	each := make([]path.Path, len(groups))
	for i, g := range groups {
		if g != "" {
			each[i] = path.Root(g)
		}
	}
	return guardrail.Paths{
		ByControl: map[string]path.Path{"SS-MON-3": path.Root("flow_log_retention_days")},
		Each:      map[guardrail.Field][]path.Path{guardrail.FieldSecurityGroupIDs: each},
		List:      map[guardrail.Field]path.Path{guardrail.FieldSubnetIDs: path.Root("subnet_ids")},
		Attr: map[guardrail.Field]path.Path{
			guardrail.FieldKMSKey:             path.Root("kms_key_arn"),
			guardrail.FieldLogGroups:          path.Root("kms_key_arn"),
			guardrail.FieldTags:               path.Root("tags"),
			guardrail.FieldInterfaceEndpoints: path.Root("interface_endpoints"),
			guardrail.FieldS3Gateway:          path.Root("vpc_endpoint_ids"),
			guardrail.FieldFlowLog:            path.Root("flow_log_id"),
		},
	}
}

// diagnostics turns findings into diagnostics on the network's attributes.
func diagnostics(findings []guardrail.Finding, groups []string) diag.Diagnostics {
	return guardrail.Diagnostics(findings, paths(groups).For)
}

// networkTags are the provider's tag settings with the network's merge
// (mergedTags); the rest of providerdata.Data is promoted.
type networkTags struct{ *providerdata.Data }

func (n networkTags) MergeTags(own map[string]string) map[string]string {
	return mergedTags(n.Data, own)
}

// mergedTags is default_tags overlaid with tags, without the keys the
// resource sets itself.
func mergedTags(d *providerdata.Data, tags map[string]string) map[string]string {
	out := d.MergeTags(tags)
	maps.DeleteFunc(out, func(k, _ string) bool { return reservedTag(k) })
	return out
}

// planControls checks the planned key, log retention and tags against the
// guardrails (an error finding blocks the plan with its control ID) and
// plans `controls`. It reports false when the plan is blocked.
func (r *networkResource) planControls(ctx context.Context, plan *networkModel, diags *diag.Diagnostics) bool {
	subject := planSubject(ctx, r.data, plan, diags)
	findings, err := evaluate.Run(ctx, r.data.Posture, r.data.Policy, subject)
	if err != nil {
		diags.AddError("Checking sagesafe_network against the guardrails failed",
			"sagesafe checks the key and log settings of a network at plan time and could not read them: "+err.Error())
		return false
	}
	findings, repaired := r.data.Repairs.Apply(findings)
	diags.Append(diagnostics(findings, nil)...)
	if diags.HasError() {
		return false
	}
	if planKnown(plan) && !repaired {
		states := guardrail.States(subject, r.data.Policy, findings, nil).Forecast()
		plan.Controls, plan.ControlStates = tfval.List(states.Held()), tfval.Map(states.Strings())
	} else {
		plan.Controls, plan.ControlStates = types.ListUnknown(types.StringType), types.MapUnknown(types.StringType)
	}
	return true
}

// guard re-runs the plan-time guardrail checks at apply, when values that
// were unknown at plan (a key created in the same apply) are known. It
// reports false when an error finding blocks the apply.
func (r *networkResource) guard(ctx context.Context, plan *networkModel, diags *diag.Diagnostics) bool {
	subject := planSubject(ctx, r.data, plan, diags)
	findings, err := evaluate.Run(ctx, r.data.Posture, r.data.Policy, subject)
	if err != nil {
		diags.AddError("Checking sagesafe_network against the guardrails failed", err.Error())
		return false
	}
	diags.Append(diagnostics(findings, nil)...)
	return !diags.HasError()
}

// planRepair tells the resources planned after this network that this plan
// restores its subnets, route tables and security groups
// (guardrail.Repairs), when the refresh found drift: the apply removes
// every drift item before any workload in the network is applied.
func (r *networkResource) planRepair(ctx context.Context, state *networkModel) {
	if state == nil || len(state.Drift.Elements()) == 0 {
		return
	}
	var d diag.Diagnostics // lists of strings always convert
	objects := append(stringList(ctx, state.SubnetIDs, &d), stringList(ctx, state.RouteTableIDs, &d)...)
	objects = append(objects, state.VPCID.ValueString(), state.WorkloadSecurityGroupID.ValueString(), state.EndpointSecurityGroupID.ValueString())
	r.data.Repairs.Add("sagesafe_network", objects...)
}
