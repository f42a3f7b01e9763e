// Package personapolicy is the sagesafe_persona_policy data source: the
// permission and trust policies of a persona role (data_scientist,
// ml_engineer, model_reviewer), rendered by the same code as
// sagesafe_persona_role (iampolicy.PersonaPolicy and PersonaTrust), for roles
// or IAM Identity Center permission sets made elsewhere.
package personapolicy

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

var (
	_ datasource.DataSource              = (*dataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*dataSource)(nil)
)

// NewDataSource returns the sagesafe_persona_policy data source.
func NewDataSource() datasource.DataSource { return &dataSource{} }

// dataSource needs the provider's partition, region and account: the
// documents name this account's resources.
type dataSource struct {
	data *providerdata.Data
}

func (d *dataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_persona_policy"
}

func (d *dataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dataSourceSchema()
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
	if !providerdata.Ready(d.data, "sagesafe_persona_policy was read", &resp.Diagnostics) {
		return
	}
	spec := m.spec(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	spec.Partition, spec.Region, spec.AccountID = d.data.AWS.Partition, d.data.AWS.Region, d.data.AWS.AccountID
	policy, controls, err := iampolicy.PersonaPolicy(spec)
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic("permission", err))
		return
	}
	trust, err := iampolicy.PersonaTrust(spec)
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic("trust", err))
		return
	}
	m.PolicyJSON = jsontypes.NewNormalizedValue(policy.JSON())
	m.TrustPolicyJSON = jsontypes.NewNormalizedValue(trust.JSON())
	m.Size = types.Int64Value(int64(iampolicy.Size(policy)))
	m.Activities = activitiesValue(spec, &resp.Diagnostics)
	var diags diag.Diagnostics
	m.StatementControls, diags = iampolicy.StatementControlsValue(controls, controlTitle)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
