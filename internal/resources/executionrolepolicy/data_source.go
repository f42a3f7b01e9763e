// Package executionrolepolicy is the sagesafe_execution_role_policy data
// source: the trust and permission policies of a sagesafe_execution_role,
// rendered by the same code (iampolicy.RenderRole), for teams that create
// roles with hashicorp/aws.
package executionrolepolicy

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

var (
	_ datasource.DataSource              = (*dataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*dataSource)(nil)
)

// NewDataSource returns the sagesafe_execution_role_policy data source.
func NewDataSource() datasource.DataSource { return &dataSource{} }

type dataSource struct {
	data *providerdata.Data
}

type model struct {
	iampolicy.RoleInputs

	TrustPolicyJSON jsontypes.Normalized `tfsdk:"trust_policy_json"`
	PolicyJSON      jsontypes.Normalized `tfsdk:"policy_json"`
	PolicyName      types.String         `tfsdk:"policy_name"`
	Size            types.Int64          `tfsdk:"size"`
}

func (d *dataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_execution_role_policy"
}

func (d *dataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"purpose": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: iampolicy.PurposeDescription,
			Validators:          iampolicy.PurposeValidators(),
		},
		"trust_policy_json": schema.StringAttribute{
			Computed:   true,
			CustomType: jsontypes.NormalizedType{},
			MarkdownDescription: "The trust policy, for `aws_iam_role.assume_role_policy`: only `sagemaker.amazonaws.com`, " +
				"with `aws:SourceAccount` and `aws:SourceArn` conditions.",
		},
		"policy_json": schema.StringAttribute{
			Computed:   true,
			CustomType: jsontypes.NormalizedType{},
			MarkdownDescription: "The permission policy, for one `aws_iam_role_policy` (do not attach managed policies " +
				"next to it: sagesafe_preflight reports `AmazonSageMakerFullAccess` and friends as SS-IAM-2).",
		},
		"policy_name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The inline policy name `sagesafe_execution_role` uses (`" + iampolicy.ExecutionRolePolicyName + "`).",
		},
		"size": schema.Int64Attribute{
			Computed: true,
			MarkdownDescription: "Length of `policy_json` in characters, which IAM counts against its 10,240-character limit " +
				"for a role's inline policies; larger inputs fail the read.",
		},
	}
	for _, in := range iampolicy.RoleSetInputs() {
		attrs[in.Name] = schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: in.Description,
			Validators:          in.Validators,
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders the trust policy and the one inline permission policy of a " +
			"`sagesafe_execution_role` from the same inputs, for teams that create their roles with `hashicorp/aws`. " +
			"The JSON is identical to what the resource creates: both are built by the same code. It makes no AWS " +
			"calls beyond the account lookup the provider does when it is configured.\n\n" +
			"The same inputs are refused as by the resource: a wildcard S3 location (SS-IAM-2), a non-`s3://` location " +
			"(SS-TLS-2), an unknown `purpose`, keys in another region, subnets without security groups.",
		Attributes: attrs,
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
	if !providerdata.Ready(d.data, "sagesafe_execution_role_policy was read", &resp.Diagnostics) {
		return
	}
	sc := iampolicy.Scope{Partition: d.data.AWS.Partition, Region: d.data.AWS.Region, AccountID: d.data.AWS.AccountID}
	rendered, known, diags := iampolicy.RenderRole(m.RoleInputs, sc, guardrail.ControlText)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !known {
		resp.Diagnostics.AddError("Inputs are unknown", "Terraform reads a data source only when its inputs are known. This is a bug in the provider.")
		return
	}
	m.TrustPolicyJSON = jsontypes.NewNormalizedValue(rendered.Trust.JSON())
	m.PolicyJSON = jsontypes.NewNormalizedValue(rendered.Policy.JSON())
	m.PolicyName = types.StringValue(iampolicy.ExecutionRolePolicyName)
	m.Size = types.Int64Value(int64(iampolicy.Size(rendered.Policy)))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
