package network

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// checkPlanAWS resolves the default Availability Zones into plan and checks
// against the region that the zones and the interface endpoint services
// exist (only when they change). It reports false when they do not.
func (r *networkResource) checkPlanAWS(ctx context.Context, plan, state *networkModel, diags *diag.Diagnostics) bool {
	c := r.clients()
	if state == nil || plan.AvailabilityZones.IsUnknown() || !plan.AvailabilityZones.Equal(state.AvailabilityZones) {
		azs := stringList(ctx, plan.AvailabilityZones, diags)
		resolved, d := resolveZones(ctx, c.ec2, azs, r.data.AWS.Region)
		diags.Append(d...)
		if diags.HasError() {
			return false
		}
		if plan.AvailabilityZones.IsUnknown() {
			plan.AvailabilityZones = tfval.List(resolved)
		}
	}
	if !plan.InterfaceEndpoints.IsUnknown() && (state == nil || !plan.InterfaceEndpoints.Equal(state.InterfaceEndpoints) || !plan.AvailabilityZones.Equal(state.AvailabilityZones)) {
		diags.Append(checkServices(ctx, c.ec2, r.specFrom(ctx, plan, diags))...)
	}
	return !diags.HasError()
}

// planComputed plans the computed attributes: an empty `drift` (apply
// restores every item), the flow-log names, and the IDs (planIDs).
func (r *networkResource) planComputed(ctx context.Context, plan, state *networkModel, diags *diag.Diagnostics) {
	plan.Drift = tfval.List(nil)
	plan.TagsAll, _ = shared.PlanTags(ctx, networkTags{r.data}, plan.Tags, diags)
	if !plan.Name.IsUnknown() {
		s := r.specFrom(ctx, plan, diags)
		plan.FlowLogGroupName = types.StringValue(s.logGroupName())
		plan.FlowLogRoleARN = types.StringValue(s.roleARN())
	}
	if state != nil {
		planIDs(ctx, plan, state, diags)
	}
}

// planIDs keeps the IDs in state that apply will not change, and marks the
// others unknown: Read records only objects that exist, so a missing subnet,
// security group, endpoint or flow log (which apply recreates) shows as a
// shorter list, a null or a missing key.
func planIDs(ctx context.Context, plan, state *networkModel, diags *diag.Diagnostics) {
	zones := len(stringList(ctx, plan.AvailabilityZones, diags))
	if plan.AvailabilityZones.IsUnknown() || len(stringList(ctx, state.SubnetIDs, diags)) != zones {
		plan.SubnetIDs = types.ListUnknown(types.StringType)
	}
	if plan.AvailabilityZones.IsUnknown() || len(stringList(ctx, state.RouteTableIDs, diags)) != zones {
		plan.RouteTableIDs = types.ListUnknown(types.StringType)
	}
	if state.WorkloadSecurityGroupID.IsNull() {
		plan.WorkloadSecurityGroupID = types.StringUnknown()
	}
	if state.EndpointSecurityGroupID.IsNull() {
		plan.EndpointSecurityGroupID = types.StringUnknown()
	}
	if state.FlowLogID.IsNull() {
		plan.FlowLogID = types.StringUnknown()
	}
	plan.VPCEndpointIDs = types.MapUnknown(types.StringType)
	if !plan.InterfaceEndpoints.IsUnknown() {
		want := append(stringSet(ctx, plan.InterfaceEndpoints, diags), s3Key)
		have := stringMap(ctx, state.VPCEndpointIDs, diags)
		if len(have) == len(want) && !slices.ContainsFunc(want, func(s string) bool { _, ok := have[s]; return !ok }) {
			plan.VPCEndpointIDs = state.VPCEndpointIDs
		}
	}
}

// resolveZones returns the configured zones after checking they exist, or
// the first two available zones of the region.
func resolveZones(ctx context.Context, c ec2API, configured []string, region string) ([]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	out, err := c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{
		Filters: []ec2types.Filter{{Name: aws.String("zone-type"), Values: []string{"availability-zone"}}},
	})
	if err != nil {
		diags.AddError("Listing the Availability Zones failed", fmt.Sprintf("sagesafe_network lists the zones of %s to check availability_zones or pick its default: %v", region, err))
		return nil, diags
	}
	var available []string
	for _, z := range out.AvailabilityZones {
		if z.State == ec2types.AvailabilityZoneStateAvailable || z.State == "" {
			available = append(available, aws.ToString(z.ZoneName))
		}
	}
	sort.Strings(available)
	if len(configured) == 0 {
		if len(available) < 2 {
			diags.AddAttributeError(path.Root("availability_zones"), "Not enough Availability Zones",
				fmt.Sprintf("Region %s has %d available zone(s) (%s); sagesafe_network needs two.", region, len(available), strings.Join(available, ", ")))
			return nil, diags
		}
		return available[:2], diags
	}
	for i, az := range configured {
		if !slices.Contains(available, az) {
			diags.AddAttributeError(path.Root("availability_zones").AtListIndex(i), "Unknown Availability Zone",
				fmt.Sprintf("%s is not an available zone of %s; available: %s.", az, region, strings.Join(available, ", ")))
		}
	}
	return configured, diags
}

// checkServices checks that every interface endpoint service exists in the
// region.
func checkServices(ctx context.Context, c ec2API, s spec) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(s.Services) == 0 {
		return diags
	}
	names := make([]string, len(s.Services))
	for i, svc := range s.Services {
		names[i] = s.serviceName(svc)
	}
	found := map[string]bool{}
	zones := map[string][]string{}
	in := &ec2.DescribeVpcEndpointServicesInput{}
	for {
		out, err := c.DescribeVpcEndpointServices(ctx, in)
		if err != nil {
			diags.AddWarning("Could not list VPC endpoint services",
				fmt.Sprintf("sagesafe_network could not check that %s exist in %s: %v. Apply fails if one does not.", strings.Join(names, ", "), s.Region, err))
			return diags
		}
		for _, n := range out.ServiceNames {
			found[n] = true
		}
		for _, d := range out.ServiceDetails {
			zones[aws.ToString(d.ServiceName)] = d.AvailabilityZones
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	for _, n := range names {
		if !found[n] {
			diags.AddAttributeError(path.Root("interface_endpoints"), "Unknown VPC endpoint service",
				fmt.Sprintf("%s offers no VPC endpoint service %s. Use short names of AWS services with interface endpoints, such as sagemaker.api, ecr.dkr or logs.", s.Region, n))
			continue
		}
		// Some services are not offered in every zone (us-east-1e, for
		// one); an endpoint needs a network interface in every subnet.
		if offered := zones[n]; len(offered) > 0 {
			for _, az := range s.AZs {
				if !slices.Contains(offered, az) {
					diags.AddAttributeError(path.Root("availability_zones"), "Endpoint service not offered in a zone",
						fmt.Sprintf("%s is not offered in %s (only in %s), and every interface endpoint gets a network interface in every subnet. Choose other availability_zones.",
							n, az, strings.Join(offered, ", ")))
				}
			}
		}
	}
	return diags
}
