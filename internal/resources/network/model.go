package network

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// networkModel is the resource's Terraform data.
type networkModel struct {
	Name                 types.String   `tfsdk:"name"`
	CIDRBlock            types.String   `tfsdk:"cidr_block"`
	AvailabilityZones    types.List     `tfsdk:"availability_zones"`
	KMSKeyARN            types.String   `tfsdk:"kms_key_arn"`
	FlowLogRetentionDays types.Int64    `tfsdk:"flow_log_retention_days"`
	InterfaceEndpoints   types.Set      `tfsdk:"interface_endpoints"`
	Tags                 types.Map      `tfsdk:"tags"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`

	ID                      types.String `tfsdk:"id"`
	TagsAll                 types.Map    `tfsdk:"tags_all"`
	VPCID                   types.String `tfsdk:"vpc_id"`
	SubnetIDs               types.List   `tfsdk:"subnet_ids"`
	RouteTableIDs           types.List   `tfsdk:"route_table_ids"`
	WorkloadSecurityGroupID types.String `tfsdk:"workload_security_group_id"`
	EndpointSecurityGroupID types.String `tfsdk:"endpoint_security_group_id"`
	VPCEndpointIDs          types.Map    `tfsdk:"vpc_endpoint_ids"`
	FlowLogID               types.String `tfsdk:"flow_log_id"`
	FlowLogGroupName        types.String `tfsdk:"flow_log_group_name"`
	FlowLogRoleARN          types.String `tfsdk:"flow_log_role_arn"`
	Controls                types.List   `tfsdk:"controls"`
	ControlStates           types.Map    `tfsdk:"control_states"`
	Drift                   types.List   `tfsdk:"drift"`
}

// Default operation timeouts. Interface endpoints take a minute or two to
// become available; deletion waits for network interfaces that SageMaker
// releases asynchronously, which can take much longer.
const (
	defaultCreateTimeout = 30 * time.Minute
	defaultUpdateTimeout = 30 * time.Minute
	defaultDeleteTimeout = 45 * time.Minute
)

// stringList converts a list of strings, nil when null or unknown.
func stringList(ctx context.Context, v types.List, diags *diag.Diagnostics) []string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// stringSet converts a set of strings, nil when null or unknown.
func stringSet(ctx context.Context, v types.Set, diags *diag.Diagnostics) []string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// stringMap converts a map of strings, nil when null or unknown.
func stringMap(ctx context.Context, v types.Map, diags *diag.Diagnostics) map[string]string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	out := map[string]string{}
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// nullIfEmpty turns "" into a null string.
func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
