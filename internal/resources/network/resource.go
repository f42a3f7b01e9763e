// Package network is the sagesafe_network resource: an isolated VPC for
// SageMaker with private subnets, PrivateLink endpoints, tight security
// groups and encrypted flow logs, whose posture is re-derived at every
// refresh so that weakening it out of band shows as drift.
package network

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

var (
	_ resource.Resource                = (*networkResource)(nil)
	_ resource.ResourceWithConfigure   = (*networkResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*networkResource)(nil)
	_ resource.ResourceWithImportState = (*networkResource)(nil)
)

// NewResource returns the sagesafe_network resource.
func NewResource() resource.Resource { return &networkResource{} }

type networkResource struct {
	data *providerdata.Data
}

// verifyFor bounds how long apply waits for EC2's eventually consistent
// reads to show the restored network before reporting what is still off.
var verifyFor = time.Minute

// Metadata sets the type name.
func (r *networkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_network"
}

// Configure keeps the provider data.
func (r *networkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerdata.From(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	r.data = data
}

func (r *networkResource) configured(diags *diag.Diagnostics) bool {
	return providerdata.Ready(r.data, "sagesafe_network was used", diags)
}

func (r *networkResource) clients() clients {
	return clients{ec2: r.data.AWS.EC2, iam: r.data.AWS.IAM, logs: r.data.AWS.Logs}
}

// specFrom builds the desired network from a plan or state. Values that are
// null (a freshly imported state) stay empty.
func (r *networkResource) specFrom(ctx context.Context, m *networkModel, diags *diag.Diagnostics) spec {
	s := spec{
		Name:          m.Name.ValueString(),
		CIDR:          m.CIDRBlock.ValueString(),
		AZs:           stringList(ctx, m.AvailabilityZones, diags),
		KMSKeyARN:     m.KMSKeyARN.ValueString(),
		RetentionDays: m.FlowLogRetentionDays.ValueInt64(),
		Services:      stringSet(ctx, m.InterfaceEndpoints, diags),
		Tags:          mergedTags(r.data, stringMap(ctx, m.Tags, diags)),
		Region:        r.data.AWS.Region,
		Partition:     r.data.AWS.Partition,
		AccountID:     r.data.AWS.AccountID,
	}
	sort.Strings(s.Services)
	if s.CIDR != "" && len(s.AZs) > 0 {
		cidrs, err := carveSubnets(s.CIDR, len(s.AZs))
		if err != nil {
			diags.AddAttributeError(path.Root("cidr_block"), "Invalid CIDR block", err.Error())
		}
		s.SubnetCIDRs = cidrs
	}
	return s
}

// knownFrom collects the IDs recorded in a state.
func knownFrom(ctx context.Context, m *networkModel, diags *diag.Diagnostics) known {
	k := known{
		Subnets:      stringList(ctx, m.SubnetIDs, diags),
		RouteTables:  stringList(ctx, m.RouteTableIDs, diags),
		WorkloadSG:   m.WorkloadSecurityGroupID.ValueString(),
		EndpointSG:   m.EndpointSecurityGroupID.ValueString(),
		FlowLog:      m.FlowLogID.ValueString(),
		EndpointByID: map[string]string{},
	}
	for svc, id := range stringMap(ctx, m.VPCEndpointIDs, diags) {
		k.Endpoints = append(k.Endpoints, id)
		k.EndpointByID[id] = svc
	}
	return k
}

// ModifyPlan resolves the default Availability Zones, checks the planned
// key, log retention and tags against the guardrails (an error finding
// blocks the plan with its control ID), plans `controls` and an empty
// `drift`, and marks the IDs that apply may change as unknown.
func (r *networkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.AWS == nil {
		return // destroy, or the provider is not configured yet (validate)
	}
	var plan networkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *networkModel
	if !req.State.Raw.IsNull() {
		state = &networkModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	c := r.clients()

	if state == nil || plan.AvailabilityZones.IsUnknown() || !plan.AvailabilityZones.Equal(state.AvailabilityZones) {
		azs := stringList(ctx, plan.AvailabilityZones, &resp.Diagnostics)
		resolved, d := resolveZones(ctx, c.ec2, azs, r.data.AWS.Region)
		resp.Diagnostics.Append(d...)
		if resp.Diagnostics.HasError() {
			return
		}
		if plan.AvailabilityZones.IsUnknown() {
			plan.AvailabilityZones = tfval.List(resolved)
		}
	}
	if !plan.InterfaceEndpoints.IsUnknown() && (state == nil || !plan.InterfaceEndpoints.Equal(state.InterfaceEndpoints) || !plan.AvailabilityZones.Equal(state.AvailabilityZones)) {
		resp.Diagnostics.Append(checkServices(ctx, c.ec2, r.specFrom(ctx, &plan, &resp.Diagnostics))...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	subject := planSubject(ctx, r.data, &plan, &resp.Diagnostics)
	findings, err := evaluate.Run(ctx, r.data.Posture, r.data.Policy, subject)
	if err != nil {
		resp.Diagnostics.AddError("Checking sagesafe_network against the guardrails failed",
			"sagesafe checks the key and log settings of a network at plan time and could not read them: "+err.Error())
		return
	}
	resp.Diagnostics.Append(diagnostics(findings, nil)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if planKnown(&plan) {
		plan.Controls = tfval.List(guardrail.Satisfied(subject, r.data.Policy, findings))
	} else {
		plan.Controls = types.ListUnknown(types.StringType)
	}
	plan.Drift = tfval.List(nil)
	if !plan.Name.IsUnknown() {
		s := r.specFrom(ctx, &plan, &resp.Diagnostics)
		plan.FlowLogGroupName = types.StringValue(s.logGroupName())
		plan.FlowLogRoleARN = types.StringValue(s.roleARN())
	}

	if state != nil {
		planIDs(ctx, &plan, state, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
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

// Create creates the VPC, records its ID, and reconciles everything else
// into it. On failure everything created is deleted again; if that fails
// too, the network stays in state (tainted) so the next apply or destroy
// removes it.
func (r *networkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan networkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	limit, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	s := r.specFrom(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.guard(ctx, &plan, &resp.Diagnostics) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	c := r.clients()

	leftovers, err := findNetworkVPCs(ctx, c.ec2, s.Name)
	if err != nil {
		resp.Diagnostics.AddError("Creating sagesafe_network failed", err.Error())
		return
	}
	if len(leftovers) > 0 {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "A network with this name already exists",
			fmt.Sprintf("VPC %s is tagged %s=%s. It is another network with the same name, or what an interrupted apply left behind. "+
				"Import it (terraform import <address> %s) and the next apply completes and secures it, or delete it, or choose another name.",
				strings.Join(leftovers, ", "), TagNetwork, s.Name, leftovers[0]))
		return
	}

	vpcID, err := createVPC(ctx, c.ec2, s)
	if err != nil {
		resp.Diagnostics.AddError("Creating sagesafe_network failed", err.Error())
		return
	}
	// Persist early: if anything below fails and cannot be undone, the
	// VPC is in state and the next destroy finds the rest by its tag.
	partial := plan
	partial.VPCID = types.StringValue(vpcID)
	nullUnknowns(&partial)
	resp.Diagnostics.Append(resp.State.Set(ctx, &partial)...)

	err = awaitVPC(ctx, c.ec2, vpcID)
	if err == nil {
		err = reconcile(ctx, c, s, vpcID, known{})
	}
	if err == nil {
		err = r.verify(ctx, s, vpcID, known{})
	}
	r.data.Posture.Invalidate()
	if err != nil {
		r.rollback(ctx, &plan, s, vpcID, err, resp)
		return
	}
	r.finish(ctx, &plan, vpcID, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// rollback deletes what a failed Create made.
func (r *networkResource) rollback(ctx context.Context, plan *networkModel, s spec, vpcID string, cause error, resp *resource.CreateResponse) {
	limit, _ := plan.Timeouts.Delete(ctx, defaultDeleteTimeout)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	defer cancel()
	if err := teardown(rctx, r.clients(), s, vpcID, known{}); err != nil {
		resp.Diagnostics.AddError("Creating sagesafe_network failed",
			fmt.Sprintf("%v\n\nDeleting what was created failed too: %v\n\nThe network (VPC %s) is kept in state, marked tainted: "+
				"the next apply or destroy deletes it, finding its objects by the %s=%s tag.", cause, err, vpcID, TagNetwork, s.Name))
		return
	}
	resp.State.RemoveResource(ctx)
	resp.Diagnostics.AddError("Creating sagesafe_network failed",
		fmt.Sprintf("%v\n\nEverything that had been created (VPC %s and its objects, the flow-log role and log group) was deleted again.", cause, vpcID))
}

// nullUnknowns replaces the unknown values of a planned model with nulls,
// for a partial state.
func nullUnknowns(m *networkModel) {
	if m.AvailabilityZones.IsUnknown() {
		m.AvailabilityZones = types.ListNull(types.StringType)
	}
	for _, l := range []*types.List{&m.SubnetIDs, &m.RouteTableIDs, &m.Controls, &m.Drift} {
		if l.IsUnknown() {
			*l = types.ListNull(types.StringType)
		}
	}
	for _, s := range []*types.String{&m.WorkloadSecurityGroupID, &m.EndpointSecurityGroupID, &m.FlowLogID, &m.FlowLogGroupName, &m.FlowLogRoleARN} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	if m.VPCEndpointIDs.IsUnknown() {
		m.VPCEndpointIDs = types.MapNull(types.StringType)
	}
}

// verify re-reads the network until it matches its spec, or verifyFor
// passes (EC2 reads are eventually consistent), and reports what is off.
func (r *networkResource) verify(ctx context.Context, s spec, vpcID string, k known) error {
	deadline := time.Now().Add(verifyFor)
	for {
		l, err := observe(ctx, r.clients(), vpcID, s, k)
		if err != nil {
			return err
		}
		drift := driftOf(s, l, judgeLive(ctx, r.data, s, l))
		if len(drift) == 0 {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the network does not match its secure state after apply:\n  - %s", strings.Join(drift, "\n  - "))
		}
		select {
		case <-ctx.Done():
		case <-time.After(pollInterval):
		}
	}
}

// finish reads the network back into m after Create or Update.
func (r *networkResource) finish(ctx context.Context, m *networkModel, vpcID string, diags *diag.Diagnostics) {
	m.VPCID = types.StringValue(vpcID)
	found := r.refresh(ctx, m, diags)
	if !found && !diags.HasError() {
		diags.AddError("sagesafe_network disappeared", "VPC "+vpcID+" was not found right after apply.")
	}
	if drift := stringList(ctx, m.Drift, diags); len(drift) > 0 {
		diags.AddError("sagesafe_network is not in its secure state", strings.Join(drift, "\n"))
	}
}

// Read re-derives the network from AWS: IDs, settings, posture and drift.
func (r *networkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m networkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	if !r.refresh(ctx, &m, &resp.Diagnostics) {
		if !resp.Diagnostics.HasError() {
			resp.State.RemoveResource(ctx)
		}
		return
	}
	if drift := stringList(ctx, m.Drift, &resp.Diagnostics); len(drift) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("drift"),
			fmt.Sprintf("sagesafe_network %q has drifted from its secure state", m.Name.ValueString()),
			"Changed outside Terraform (the next apply restores each):\n  - "+strings.Join(drift, "\n  - "))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// refresh reads the network whose vpc_id is in m into m. It reports false
// when the VPC does not exist. The settings the user chose are replaced
// with what AWS has (so out-of-band changes show as diffs), the posture is
// evaluated (findings become warnings naming the control, satisfied
// controls go to `controls`), and everything that differs from the secure
// state goes to `drift`.
func (r *networkResource) refresh(ctx context.Context, m *networkModel, diags *diag.Diagnostics) bool {
	vpcID := m.VPCID.ValueString()
	s := r.specFrom(ctx, m, diags)
	k := knownFrom(ctx, m, diags)
	if diags.HasError() {
		return false
	}
	c := r.clients()
	l, err := observe(ctx, c, vpcID, s, k)
	if errors.Is(err, ErrNotFound) {
		return false
	}
	if err != nil {
		diags.AddError("Reading sagesafe_network failed", err.Error())
		return false
	}

	// A freshly imported state knows only the VPC ID.
	if s.Name == "" {
		if l.Name == "" {
			diags.AddError("Not a sagesafe_network",
				fmt.Sprintf("VPC %s has no %s tag, so it was not created by sagesafe_network and its subnets, endpoints and flow log cannot be told apart from others. Only networks made by sagesafe_network can be imported.", vpcID, TagNetwork))
			return false
		}
		s.Name = l.Name
		// Observe again now that the name is known: objects are found by it.
		if l, err = observe(ctx, c, vpcID, s, k); err != nil {
			diags.AddError("Reading sagesafe_network failed", err.Error())
			return false
		}
	}
	if s.CIDR == "" {
		s.CIDR = aws.ToString(l.VPC.CidrBlock)
	}
	if len(s.AZs) == 0 {
		s.AZs = l.zoneOrder()
		if cidrs, err := carveSubnets(s.CIDR, max(len(s.AZs), 1)); err == nil {
			s.SubnetCIDRs = cidrs
		}
	}
	imported := m.Name.IsNull()
	if imported {
		// What the network should be is what it has.
		s.Services = slices.Sorted(maps.Keys(l.Interfaces))
		if l.LogGroup != nil {
			s.KMSKeyARN = aws.ToString(l.LogGroup.KmsKeyId)
			s.RetentionDays = int64(aws.ToInt32(l.LogGroup.RetentionInDays))
		}
	}

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
	m.Tags = flattenTags(ctx, l.VPC.Tags, m.Tags, r.data.DefaultTags, diags)

	m.VPCID = types.StringValue(vpcID)
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

	findings, sub, groups, err := evaluateLive(ctx, r.data.Posture, r.data, s, l)
	j := newJudge(findings, r.data.Policy)
	if err != nil {
		diags.AddWarning("Could not check the posture of sagesafe_network",
			"sagesafe re-checks the network's subnets, security groups, key and log group at every refresh and could not read them: "+err.Error())
		m.Controls = types.ListNull(types.StringType)
		j = judgeLive(ctx, r.data, s, l)
	} else {
		m.Controls = tfval.List(guardrail.Satisfied(sub, r.data.Policy, findings))
		// On the live network every finding is drift: report it as a
		// warning naming the control; the plan then shows the repair.
		diags.Append(diagnostics(guardrail.AsWarnings(findings), groups)...)
	}
	m.Drift = tfval.List(driftOf(s, l, j))
	return true
}

// flattenTags returns the VPC's tags as the `tags` attribute: without the
// keys the resource sets, and without provider default_tags (unless prior,
// the previous value, had the key).
func flattenTags(ctx context.Context, live []ec2types.Tag, prior types.Map, defaults map[string]string, diags *diag.Diagnostics) types.Map {
	before := stringMap(ctx, prior, diags)
	out := map[string]string{}
	for k, v := range shared.TagMap(live, ec2TagKeyValue) {
		if reservedTag(k) || strings.HasPrefix(k, "aws:") {
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

// Update reconciles the network to the plan: tags, interface endpoints,
// key and retention of the flow-log group, and anything weakened outside
// Terraform.
func (r *networkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state networkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	limit, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	s := r.specFrom(ctx, &plan, &resp.Diagnostics)
	k := knownFrom(ctx, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.guard(ctx, &plan, &resp.Diagnostics) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	vpcID := state.VPCID.ValueString()

	err := reconcile(ctx, r.clients(), s, vpcID, k)
	if err == nil {
		err = r.verify(ctx, s, vpcID, k)
	}
	r.data.Posture.Invalidate()
	if err != nil {
		resp.Diagnostics.AddError("Updating sagesafe_network failed", err.Error())
		// Record what exists now, so the next plan starts from the truth.
		if r.refresh(ctx, &state, &resp.Diagnostics) {
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		}
		return
	}
	r.finish(ctx, &plan, vpcID, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete tears the network down in reverse order, waiting out the network
// interfaces SageMaker releases late; if some remain at the timeout, the
// error names them and their owners and the network stays in state.
func (r *networkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state networkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	limit, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	s := r.specFrom(ctx, &state, &resp.Diagnostics)
	k := knownFrom(ctx, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	if err := teardown(ctx, r.clients(), s, state.VPCID.ValueString(), k); err != nil {
		resp.Diagnostics.AddError("Deleting sagesafe_network failed", err.Error())
	}
	r.data.Posture.Invalidate()
}

var vpcIDRegexp = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)

// ImportState imports a network by its VPC ID; Read finds the rest by the
// sagesafe:network tag.
func (r *networkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !vpcIDRegexp.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("Import sagesafe_network by its VPC ID (vpc-...), not %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("vpc_id"), req.ID)...)
}
