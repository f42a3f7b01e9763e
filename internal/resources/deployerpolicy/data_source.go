// Package deployerpolicy is the sagesafe_deployer_policy data source: the
// least-privilege IAM policy of the identity (a CI role) that runs plan,
// apply and destroy of given sagesafe types, rendered by
// iampolicy.DeployerPolicy from the provider's inventory of AWS calls.
package deployerpolicy

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

var (
	_ datasource.DataSource              = (*dataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*dataSource)(nil)
)

// NewDataSource returns the sagesafe_deployer_policy data source.
func NewDataSource() datasource.DataSource { return &dataSource{} }

type dataSource struct {
	data *providerdata.Data
}

func (d *dataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_deployer_policy"
}

func (d *dataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: description,
		Attributes: map[string]schema.Attribute{
			"resource_types": schema.SetAttribute{
				ElementType: types.StringType,
				Required:    true,
				MarkdownDescription: "The sagesafe types the identity plans, applies and destroys: any of `" +
					strings.Join(iampolicy.DeployerTypes(), "`, `") + "` (`sagesafe_preflight` is the one data source that calls AWS).",
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(iampolicy.DeployerTypes()...)),
				},
			},
			"name_prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The prefix of every `name` (and training or processing `name_prefix`) of those resources. " +
					"IAM roles sagesafe makes are then granted only as `role/<prefix>*` (and `role/sagesafe/<prefix>*`, the audit " +
					"trail's delivery role), SageMaker objects only as `<kind>/<prefix>*` (lower-cased: SageMaker ARNs carry names " +
					"in lower case). Required for types that make or pass IAM roles (without it the grants would cover every role " +
					"of the account, the deployer's own included); without it otherwise, SageMaker objects of the whole account. " +
					"1-40 letters, digits and hyphens; end it with `-` so that `role/<prefix>*` matches no other team's roles.",
				Validators: []validator.String{stringvalidator.RegexMatches(iampolicy.DeployerNamePrefixPattern,
					"must be 1-40 letters, digits and hyphens, starting with a letter or digit")},
			},
			"pass_role_arns": schema.SetAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "The roles the identity may pass (`iam:PassRole`): execution roles of jobs and endpoints, " +
					"a given scheduler or CloudTrail role. Without it, the roles named `<name_prefix>*` (sagesafe names its " +
					"roles after their resources). Always limited by " +
					"`iam:PassedToService` to the services the chosen types hand roles to.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(roleARN, "must be an IAM role ARN without wildcards"))},
			},
			"permissions_boundary_arn": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: boundaryDescription,
				Validators: []validator.String{stringvalidator.RegexMatches(iampolicy.BoundaryPolicyPattern,
					"must be an IAM managed policy ARN without wildcards")},
			},
			"policy_json": schema.StringAttribute{
				Computed:            true,
				CustomType:          jsontypes.NormalizedType{},
				MarkdownDescription: "The policy, one document. Larger than one customer managed policy (6,144 characters) for most type sets: attach `managed_policies_json` instead.",
			},
			"managed_policies_json": schema.ListAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "The same grants split into documents of at most 6,144 characters each, for one " +
					"`aws_iam_policy` each, all attached to the deployer role. Together they grant exactly what `policy_json` grants.",
			},
			"actions": schema.SetAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "Every IAM action the policy grants, for review.",
			},
			"size": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Length of `policy_json` in characters.",
			},
		},
	}
}

func (d *dataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	data, err := providerdata.From(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	d.data = data
}

func (d *dataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !providerdata.Ready(d.data, "sagesafe_deployer_policy was read", &resp.Diagnostics) {
		return
	}
	in, diags := m.expand(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	doc, err := iampolicy.DeployerPolicy(in, d.data.AWS.Partition, d.data.AWS.Region, d.data.AWS.AccountID)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("resource_types"), "Cannot render the deployer policy", err.Error())
		return
	}
	if in.PermissionsBoundaryARN == "" && makesRoles(doc) {
		resp.Diagnostics.AddAttributeWarning(path.Root("permissions_boundary_arn"), "The deployer can escalate its own permissions",
			"Without permissions_boundary_arn, this policy lets the identity create roles under name_prefix with any inline "+
				"policy and trust, so it can make a role that trusts itself and grants more than this policy. Set "+
				"permissions_boundary_arn, and the provider's guardrails.role_permissions_boundary_arn to the same policy.")
	}
	if role := callerRole(d.data.AWS.CallerARN); in.NamePrefix != "" && strings.HasPrefix(role, in.NamePrefix) && makesRoles(doc) {
		resp.Diagnostics.AddAttributeWarning(path.Root("name_prefix"), "name_prefix matches the caller's own role",
			"The role this provider runs as, "+role+", starts with name_prefix "+in.NamePrefix+": if it is the identity that will hold "+
				"this policy, the policy lets it rewrite its own role (its trust and inline policies). Choose a prefix, ending in a "+
				"separator, that the deployer's role does not start with (red team, issue 15).")
	}
	resp.Diagnostics.Append(m.flatten(ctx, doc)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// callerRole is the role name of an IAM role or assumed-role session ARN
// ("" for anything else: a user, the root, federated).
func callerRole(caller string) string {
	a, err := arn.Parse(caller)
	if err != nil || a.Service != "iam" && a.Service != "sts" {
		return ""
	}
	parts := strings.Split(a.Resource, "/")
	switch {
	case len(parts) >= 3 && parts[0] == "assumed-role":
		return parts[1]
	case len(parts) >= 2 && parts[0] == "role":
		return parts[len(parts)-1]
	}
	return ""
}
