package network

import (
	"context"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// The security logic lives in internal/guardrail (controls and checks) and
// internal/posture (facts about subnets, security groups, keys and log
// groups); this file only builds the network's Subject and maps findings
// back to attributes.

func baseSubject(d *providerdata.Data, name string) *guardrail.Subject {
	return &guardrail.Subject{
		Kind:      guardrail.KindNetwork,
		Name:      name,
		Region:    d.AWS.Region,
		AccountID: d.AWS.AccountID,
		Partition: d.AWS.Partition,
	}
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
	sub.FlowLog = facts.Known(flowLogState(s, l))
	if s.KMSKeyARN != "" {
		sub.KMSKeyARN = facts.Known(s.KMSKeyARN)
	}
	// Null settings: the checks take them from the live log group.
	sub.LogGroups = []guardrail.LogGroup{{Name: s.logGroupName()}}
	sub.Tags = facts.Known(shared.TagMap(l.VPC.Tags, ec2TagKeyValue))
	return sub, attrs
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

// evaluateLive runs the guardrail checks on the live network.
func evaluateLive(ctx context.Context, d *providerdata.Data, s spec, l *live) ([]guardrail.Finding, *guardrail.Subject, []string, error) {
	sub, groups := liveSubject(d, s, l)
	findings, err := evaluate.Run(ctx, d.Posture, d.Policy, sub)
	return findings, sub, groups, err
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
			guardrail.FieldFlowLog:            path.Root("flow_log_id"),
		},
	}
}

// diagnostics turns findings into diagnostics on the network's attributes.
func diagnostics(findings []guardrail.Finding, groups []string) diag.Diagnostics {
	return guardrail.Diagnostics(findings, paths(groups).For)
}

// mergedTags is default_tags overlaid with tags, without the keys the
// resource sets itself.
func mergedTags(d *providerdata.Data, tags map[string]string) map[string]string {
	out := d.MergeTags(tags)
	maps.DeleteFunc(out, func(k, _ string) bool { return reservedTag(k) })
	return out
}
