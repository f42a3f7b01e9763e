// Package guardrailpolicy is the sagesafe_guardrail_policy data source: a
// deny-only policy, for an SCP (not a permissions boundary, which would then
// allow nothing), that enforces the
// guardrail catalog at the SageMaker API so no one can create an insecure
// job, model or endpoint config even outside Terraform.
package guardrailpolicy

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

var _ datasource.DataSource = (*dataSource)(nil)

// NewDataSource returns the sagesafe_guardrail_policy data source.
func NewDataSource() datasource.DataSource { return &dataSource{} }

// dataSource needs nothing from the provider: the policy is pure.
type dataSource struct{}

type model struct {
	AllowedInstanceTypes      types.List  `tfsdk:"allowed_instance_types"`
	MaxTrainingRuntimeSeconds types.Int64 `tfsdk:"max_training_runtime_seconds"`
	AllowedKMSKeyARNs         types.List  `tfsdk:"allowed_kms_key_arns"`
	AllowedSubnetIDs          types.List  `tfsdk:"allowed_subnet_ids"`

	JSON       jsontypes.Normalized `tfsdk:"json"`
	Size       types.Int64          `tfsdk:"size"`
	Statements types.List           `tfsdk:"statements"`
}

func (d *dataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_guardrail_policy"
}

func (d *dataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders a deny-only IAM policy that enforces sagesafe's guardrails at the SageMaker API, for " +
			"an AWS Organizations service control policy (SCP), so that no one can create an " +
			"insecure training job, model or endpoint config even outside Terraform. Do not use it as a permissions boundary: " +
			"a boundary is an allow-list cap (the role gets the intersection of its policies and the boundary), so a " +
			"deny-only boundary leaves the role with no permissions.\n\n" +
			"Each statement tests one condition key (keys inside one `Null` block are ANDed, so the common single-block " +
			"VPC deny fires only when *both* keys are missing). An absent key is denied too (`Null` = `true`, and " +
			"`BoolIfExists`/`NumericGreaterThanIfExists`, which are true when the key is absent). The KMS statements accept " +
			"either the deprecated `sagemaker:VolumeKmsKey`/`OutputKmsKey` or their `...Arn` replacements, and " +
			"`CreateEndpointConfig` is covered for network isolation and the volume key. See the table below for the " +
			"control each statement enforces.\n\n" +
			fmt.Sprintf("The result must fit the %d-character SCP limit (`size`); larger inputs fail the read.", iampolicy.SCPMaxChars),
		Attributes: map[string]schema.Attribute{
			"allowed_instance_types": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "SageMaker instance types or patterns (`ml.m5.*`) that jobs and endpoint configs may use " +
					"(SS-GOV-2). Not enforced when unset.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
				},
			},
			"max_training_runtime_seconds": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Maximum `StoppingCondition.MaxRuntimeInSeconds` of training and tuning jobs (SS-GOV-3). " +
					"Not enforced when unset.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"allowed_kms_key_arns": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "The only KMS keys (ARNs or ARN patterns, never aliases) that may encrypt volumes and " +
					"outputs (SS-KMS-1). Requests must then name keys by full ARN. Not enforced when unset.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
				},
			},
			"allowed_subnet_ids": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "The only subnets jobs, models and endpoint configs may use (SS-NET-1). Not enforced when unset.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(validators.SubnetIDRegexp, "must be a subnet ID (subnet-...)")),
				},
			},
			"json": schema.StringAttribute{
				Computed:            true,
				CustomType:          jsontypes.NormalizedType{},
				MarkdownDescription: "The policy, as compact JSON (`aws_organizations_policy.content` or `aws_iam_policy.policy`).",
			},
			"size": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: fmt.Sprintf("Length of `json` in characters; AWS Organizations allows %d for an SCP.", iampolicy.SCPMaxChars),
			},
			"statements": iampolicy.StatementControlsAttribute(
				"Each statement's `sid`, the `control` it enforces and that control's `title`, in policy order."),
		},
	}
}

func (d *dataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec := iampolicy.GuardrailSpec{MaxTrainingRuntimeSeconds: m.MaxTrainingRuntimeSeconds.ValueInt64()}
	resp.Diagnostics.Append(m.AllowedInstanceTypes.ElementsAs(ctx, &spec.AllowedInstanceTypes, true)...)
	resp.Diagnostics.Append(m.AllowedKMSKeyARNs.ElementsAs(ctx, &spec.AllowedKMSKeyARNs, true)...)
	resp.Diagnostics.Append(m.AllowedSubnetIDs.ElementsAs(ctx, &spec.AllowedSubnetIDs, true)...)
	if resp.Diagnostics.HasError() {
		return
	}
	doc, controls, err := iampolicy.GuardrailPolicy(spec)
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic(err))
		return
	}
	m.JSON = jsontypes.NewNormalizedValue(doc.JSON())
	m.Size = types.Int64Value(int64(iampolicy.Size(doc)))
	var diags diag.Diagnostics
	m.Statements, diags = iampolicy.StatementControlsValue(controls, controlTitle)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// specFields maps iampolicy.GuardrailSpec fields to their attributes.
var specFields = map[string]string{
	"AllowedInstanceTypes":      "allowed_instance_types",
	"MaxTrainingRuntimeSeconds": "max_training_runtime_seconds",
	"AllowedKMSKeyARNs":         "allowed_kms_key_arns",
	"AllowedSubnetIDs":          "allowed_subnet_ids",
}

func errorDiagnostic(err error) diag.Diagnostic {
	var e *iampolicy.Error
	if !errors.As(err, &e) {
		return diag.NewErrorDiagnostic("Rendering the guardrail policy failed", err.Error())
	}
	if errors.Is(err, iampolicy.ErrPolicyTooLarge) {
		return diag.NewErrorDiagnostic("The guardrail policy is too large for an SCP",
			fmt.Sprintf("%s. Shorten allowed_instance_types (use patterns such as ml.m5.*), allowed_kms_key_arns or "+
				"allowed_subnet_ids, or split the policy.", e.Reason))
	}
	summary := "Invalid guardrail policy input: " + e.Reason
	if e.Control != "" {
		summary = e.Control + ": " + e.Reason
	}
	name, ok := specFields[e.Field]
	if !ok {
		return diag.NewErrorDiagnostic(summary, err.Error())
	}
	p := path.Root(name)
	where := name
	if e.Index >= 0 {
		p = p.AtListIndex(e.Index)
		where = fmt.Sprintf("%s[%d]", name, e.Index)
	}
	if e.Value != "" {
		where += fmt.Sprintf(" %q", e.Value)
	}
	return diag.NewAttributeErrorDiagnostic(p, summary, where+": "+e.Reason)
}

// controlTitle is the catalog title of a control, "" for an unknown one.
func controlTitle(id string) string {
	c, _ := guardrail.Lookup(id)
	return c.Title
}
