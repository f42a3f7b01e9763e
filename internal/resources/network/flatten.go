package network

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// flattenLive sets m's settings and IDs from the live network: what the
// user chose is replaced with what AWS has, so out-of-band changes show as
// diffs.
func flattenLive(ctx context.Context, m *networkModel, s spec, l *live, data *providerdata.Data, diags *diag.Diagnostics) {
	m.Name = types.StringValue(s.Name)
	m.CIDRBlock = types.StringValue(s.CIDR)
	m.AvailabilityZones = tfval.List(s.AZs)
	if l.LogGroup != nil {
		if key := aws.ToString(l.LogGroup.KmsKeyId); key != "" {
			m.KMSKeyARN = types.StringValue(key)
		}
		m.FlowLogRetentionDays = types.Int64Value(int64(aws.ToInt32(l.LogGroup.RetentionInDays)))
	}
	m.InterfaceEndpoints = tfval.Set(slices.Sorted(maps.Keys(l.Interfaces)))
	vpcTags := shared.SeenTags(data, shared.TagMap(l.VPC.Tags, ec2TagKeyValue))
	m.Tags = flattenTags(ctx, vpcTags, m.Tags, data.DefaultTags, diags)
	m.TagsAll = flattenTagsAll(vpcTags)

	m.VPCID = types.StringValue(aws.ToString(l.VPC.VpcId))
	m.ID = m.VPCID
	m.SubnetIDs = tfval.List(l.subnetIDs(s.AZs))
	m.RouteTableIDs = tfval.List(l.routeTableIDs(s.AZs))
	m.WorkloadSecurityGroupID = nullIfEmpty(groupID(l.WorkloadSG))
	m.EndpointSecurityGroupID = nullIfEmpty(groupID(l.EndpointSG))
	m.VPCEndpointIDs = tfval.Map(l.endpointIDs())
	m.FlowLogID = types.StringNull()
	if f := l.conformingFlowLog(s); f != nil {
		m.FlowLogID = types.StringValue(aws.ToString(f.FlowLogId))
	}
	m.FlowLogGroupName = types.StringValue(s.logGroupName())
	m.FlowLogRoleARN = types.StringValue(s.roleARN())
	if l.Role != nil && l.Role.Role != nil {
		m.FlowLogRoleARN = types.StringValue(aws.ToString(l.Role.Role.Arn))
	}
}

// flattenTagsAll is tags_all read back: the VPC's tags without the ones the
// resource sets itself (as mergedTags plans it) and AWS's.
func flattenTagsAll(live map[string]string) types.Map {
	all := maps.Clone(live)
	maps.DeleteFunc(all, func(k, _ string) bool { return reservedTag(k) || shared.IsAWSTag(k) || k == idem.TokenTag })
	return tfval.Map(all)
}

// flattenTags returns the VPC's tags as the `tags` attribute: without the
// keys the resource sets, and without provider default_tags (unless prior,
// the previous value, had the key).
func flattenTags(ctx context.Context, live map[string]string, prior types.Map, defaults map[string]string, diags *diag.Diagnostics) types.Map {
	before := stringMap(ctx, prior, diags)
	out := map[string]string{}
	for k, v := range live {
		if reservedTag(k) || shared.IsAWSTag(k) {
			continue
		}
		if _, had := before[k]; !had {
			if dv, isDefault := defaults[k]; isDefault && dv == v {
				continue
			}
		}
		out[k] = v
	}
	if len(out) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.MapNull(types.StringType)
	}
	return tfval.Map(out)
}
