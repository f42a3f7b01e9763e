package network

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/schemautil"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// DefaultInterfaceEndpoints are the interface endpoints a network gets when
// interface_endpoints is not set: what a SageMaker training job or endpoint
// in a private subnet needs (the SageMaker API and runtime, STS for its
// role, CloudWatch Logs and metrics, ECR for images, KMS for its keys).
var DefaultInterfaceEndpoints = []string{
	"ecr.api", "ecr.dkr", "kms", "logs", "monitoring", "sagemaker.api", "sagemaker.runtime", "sts",
}

// RequiredInterfaceEndpoints cannot be removed from interface_endpoints.
var RequiredInterfaceEndpoints = []string{"sagemaker.api", "sagemaker.runtime"}

// DefaultFlowLogRetentionDays is the default retention of the flow-log group
// (the SS-MON-3 default minimum).
const DefaultFlowLogRetentionDays = guardrail.DefaultMinLogRetentionDays

var (
	nameRegexp    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,31}$`)
	serviceRegexp = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
	keyARNRegexp  = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$`)
	azRegexp      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d[a-z]$`)
)

func networkSchema(ctx context.Context) schema.Schema {
	return schema.Schema{
		MarkdownDescription: "An isolated network for SageMaker training jobs and endpoints, private by construction. " +
			"It creates a VPC with one private subnet per Availability Zone, each with its own route table holding only the " +
			"local route and the S3 gateway endpoint's route — never an internet gateway, egress-only gateway or NAT — plus " +
			"interface VPC endpoints (PrivateLink, private DNS; SS-NET-8) for every AWS service SageMaker needs, a workload security group " +
			"for jobs and endpoints, an endpoint security group that admits only that workload group on 443, the VPC's default " +
			"security group stripped of all rules (SS-NET-7), and VPC flow logs of all traffic (SS-MON-5) into a CloudWatch Logs " +
			"group encrypted with your CMK, delivered by a role that only VPC Flow Logs can assume.\n\n" +
			"The S3 gateway endpoint's policy replaces AWS's default allow-all with: every S3 action on buckets of this account " +
			"(`aws:ResourceAccount`), and `s3:GetObject` on ECR's image-layer bucket of the region " +
			"(`prod-<region>-starport-layer-bucket`, needed to pull images through the VPC). So no data leaves for another " +
			"account's bucket (SS-DATA-2); the Amazon Linux package repositories and AWS's public sample and model buckets are " +
			"not reachable either: copy such inputs into a bucket of this account.\n\n" +
			"Every refresh re-derives the posture from the live objects: an internet route, an opened security group, " +
			"`MapPublicIpOnLaunch`, a deleted endpoint or flow log, an edited S3 endpoint policy shows up in `drift` (and as a warning naming the control), " +
			"and the next apply restores the secure state. Every object carries a `sagesafe:network` tag with the network's " +
			"name, which is how `terraform import` by VPC ID finds them.",
		Blocks: map[string]schema.Block{
			"timeouts": schemautil.TimeoutsBlock(ctx, timeouts.Opts{
				Create: true, Update: true, Delete: true,
				CreateDescription: fmt.Sprintf("How long creating may take, mostly waiting for interface endpoints, as a Go duration (`30m`, `1h`). Default `%s`.", defaultCreateTimeout),
				UpdateDescription: fmt.Sprintf("How long an update may take, mostly waiting for interface endpoints. Default `%s`.", defaultUpdateTimeout),
				DeleteDescription: fmt.Sprintf("How long deleting may take, including waiting for the network interfaces SageMaker releases after its endpoints and jobs are gone. Default `%s`.", defaultDeleteTimeout),
			}, "Bounds for the waits of create, update and delete, as Go durations (`30m`, `1h`)."),
		},
		Attributes: attributes(inputAttributes(), outputAttributes()),
	}
}

// attributes merges attribute sets.
func attributes(sets ...map[string]schema.Attribute) map[string]schema.Attribute {
	out := map[string]schema.Attribute{}
	for _, set := range sets {
		maps.Copy(out, set)
	}
	return out
}

// inputAttributes are what the user configures.
func inputAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"name": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Name of the network: 1 to 32 letters, digits and hyphens, starting with a letter or digit. " +
				"Every object gets a `Name` tag derived from it and a `sagesafe:network` tag equal to it; the flow-log group is " +
				"`/sagesafe/network/<name>/flow-logs` and the flow-log role `<name>-flow-logs-<region>`. Changing it replaces the network.",
			Validators:    []validator.String{stringvalidator.RegexMatches(nameRegexp, "must be 1-32 letters, digits and hyphens, starting with a letter or digit")},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"cidr_block": schema.StringAttribute{
			Required: true,
			MarkdownDescription: fmt.Sprintf("IPv4 CIDR block of the VPC, /%d to /%d, e.g. `10.20.0.0/16`. It is cut into four equal "+
				"quarters: subnet *i* (in the *i*-th Availability Zone) is quarter *i*, and the last quarter is left free. "+
				"Changing it replaces the network.", minVPCPrefix, maxVPCPrefix),
			Validators:    []validator.String{cidrValidator{}},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"availability_zones": schema.ListAttribute{
			ElementType: types.StringType,
			Optional:    true,
			Computed:    true,
			MarkdownDescription: "Two or three Availability Zones (names such as `us-east-1a`), one private subnet each. " +
				"Default: the first two available zones of the region, in name order. Endpoints need two zones (SS-NET-5). " +
				"Changing it replaces the network.",
			Validators: []validator.List{
				listvalidator.SizeBetween(2, 3),
				listvalidator.UniqueValues(),
				listvalidator.ValueStringsAre(stringvalidator.RegexMatches(azRegexp, "must be an Availability Zone name such as us-east-1a")),
			},
			PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown(), listplanmodifier.RequiresReplaceIfConfigured()},
		},
		"kms_key_arn": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "ARN of the customer-managed KMS key that encrypts the flow-log group (SS-ENC-5). It must be an enabled, " +
				"symmetric customer-managed key in this region (SS-KMS-1) with rotation on (SS-KMS-2), and its key policy must allow " +
				"`logs.<region>.amazonaws.com` to use it (`sagesafe_kms_key` does). CloudWatch Logs accepts only a key ARN, not an alias. " +
				"Changing it re-associates the log group with the new key in place.",
			Validators: []validator.String{stringvalidator.RegexMatches(keyARNRegexp, "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); CloudWatch Logs does not accept aliases")},
		},
		"flow_log_retention_days": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(DefaultFlowLogRetentionDays),
			MarkdownDescription: fmt.Sprintf("Days the flow-log group keeps events; one of the values CloudWatch Logs accepts (%s). "+
				"Default %d. It must be at least the provider's `guardrails.min_log_retention_days` (SS-MON-3). Updated in place.",
				joinInts(loggroup.ValidRetentionDays), DefaultFlowLogRetentionDays),
			Validators: []validator.Int64{int64validator.OneOf(loggroup.ValidRetentionDays...)},
		},
		"interface_endpoints": schema.SetAttribute{
			ElementType: types.StringType,
			Optional:    true,
			Computed:    true,
			Default:     setdefault.StaticValue(tfval.Set(DefaultInterfaceEndpoints)),
			MarkdownDescription: "Interface VPC endpoints (PrivateLink) to create, as service short names: `sagemaker.api` becomes " +
				"`com.amazonaws.<region>.sagemaker.api`. Default: " + shared.Backticked(DefaultInterfaceEndpoints) + ". " +
				shared.Backticked(RequiredInterfaceEndpoints) + " cannot be removed. S3 is always reached through a gateway endpoint, so `s3` " +
				"is not allowed here. Each endpoint has private DNS on, one network interface in every subnet, and only the endpoint " +
				"security group. Endpoints are added and removed in place.",
			Validators: []validator.Set{
				setvalidator.ValueStringsAre(stringvalidator.RegexMatches(serviceRegexp, "must be a service short name such as sagemaker.api")),
				endpointsValidator{},
			},
		},
		"tags": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "Tags for every object the network creates, merged over the provider's `default_tags`. " +
				"The keys `Name` and `sagesafe:*` are set by the resource and cannot be used. Updated in place.",
			Validators: []validator.Map{tagKeysValidator{}},
		},
	}
}

// outputAttributes are what the network reports: IDs, names, the controls it
// satisfies and its drift.
func outputAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":       shared.IDAttribute("The VPC ID (the same as `vpc_id`), the import ID."),
		"tags_all": shared.TagsAllAttribute("The VPC's (and every object the network makes carries them)"),
		"vpc_id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "ID of the VPC. Also the import ID.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"subnet_ids": schema.ListAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: "IDs of the private subnets, one per Availability Zone, in the order of `availability_zones`. Pass them to `subnet_ids` of training jobs and endpoints.",
			PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
		},
		"route_table_ids": schema.ListAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: "IDs of the subnets' route tables, in the same order as `subnet_ids`. Each holds only the local route and the S3 gateway endpoint's prefix-list route.",
			PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
		},
		"workload_security_group_id": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "Security group for training jobs and endpoints: ingress only from itself (all ports, for distributed training), " +
				"egress only to itself, and HTTPS (443) to the endpoint security group and the S3 prefix list.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"endpoint_security_group_id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Security group of the interface endpoints: ingress 443 only from the workload security group, no other rules.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"vpc_endpoint_ids": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: "VPC endpoint IDs by service short name (`sagemaker.api` → `vpce-...`), plus `s3` for the gateway endpoint.",
		},
		"flow_log_id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "ID of the VPC flow log (all traffic, to CloudWatch Logs).",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"flow_log_group_name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Name of the flow-log group, encrypted with `kms_key_arn`.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"flow_log_role_arn": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "ARN of the role VPC Flow Logs uses to deliver: only `vpc-flow-logs.amazonaws.com` can assume it, for this account " +
				"(`aws:SourceAccount`), and it may write only to the flow-log group.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"controls": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "IDs of the guardrail controls this network satisfies, re-derived from the live objects at every refresh " +
				"(see the Guardrails guide). A control missing here after a refresh means the network was weakened outside Terraform." + guardrail.ControlsHeldNote,
		},
		"control_states": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: guardrail.ControlStatesDescription,
		},
		"drift": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "Differences between the live network and its secure state found at the last refresh, one sentence each, " +
				"prefixed with the control ID where one applies (`SS-NET-2: route table rtb-... sends 0.0.0.0/0 to igw-...`). " +
				"Empty when the network is as sagesafe built it; otherwise the plan shows an update that restores it.",
		},
	}
}

func joinInts(v []int64) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// cidrValidator checks cidr_block with parseVPCCIDR.
type cidrValidator struct{}

func (cidrValidator) Description(context.Context) string {
	return fmt.Sprintf("an IPv4 network CIDR block from /%d to /%d", minVPCPrefix, maxVPCPrefix)
}

func (v cidrValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (cidrValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseVPCCIDR(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid CIDR block", err.Error())
	}
}

// endpointsValidator keeps the required services in interface_endpoints and
// keeps S3 out of it.
type endpointsValidator struct{}

func (endpointsValidator) Description(context.Context) string {
	return "must contain " + strings.Join(RequiredInterfaceEndpoints, " and ") + " and must not contain s3"
}

func (v endpointsValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (endpointsValidator) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var services []string
	for _, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			return // checked again when known
		}
		services = append(services, s.ValueString())
	}
	for _, want := range RequiredInterfaceEndpoints {
		if !slices.Contains(services, want) {
			resp.Diagnostics.AddAttributeError(req.Path, "Required interface endpoint missing",
				fmt.Sprintf("interface_endpoints must contain %q: SageMaker jobs and endpoints in private subnets reach the SageMaker API and runtime only through these endpoints.", want))
		}
	}
	if slices.Contains(services, "s3") {
		resp.Diagnostics.AddAttributeError(req.Path, "S3 is not an interface endpoint here",
			"Remove \"s3\": the network always routes S3 through a gateway endpoint on every route table (SS-NET-6), which needs no interface endpoint.")
	}
}

// tagKeysValidator rejects the tag keys the resource sets itself.
type tagKeysValidator struct{}

func (tagKeysValidator) Description(context.Context) string {
	return "tag keys other than Name and sagesafe:*"
}

func (v tagKeysValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (tagKeysValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for k := range req.ConfigValue.Elements() {
		if reservedTag(k) {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Reserved tag key",
				fmt.Sprintf("The tag key %q is set by sagesafe_network (Name from name, sagesafe:* to find the network's objects); remove it from tags.", k))
		}
	}
}

var vpcIDRegexp = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
