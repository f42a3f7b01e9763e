// Package preflight is the sagesafe_preflight data source: "would sagesafe
// accept these subnets, security groups, key, role, instance type, image and
// S3 locations?" for teams that keep them in hashicorp/aws.
package preflight

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

var (
	_ datasource.DataSource              = (*dataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*dataSource)(nil)
)

// NewDataSource returns the sagesafe_preflight data source.
func NewDataSource() datasource.DataSource { return &dataSource{} }

type dataSource struct {
	data *providerdata.Data
}

type model struct {
	SubnetIDs        types.List   `tfsdk:"subnet_ids"`
	SecurityGroupIDs types.List   `tfsdk:"security_group_ids"`
	KMSKeyARN        types.String `tfsdk:"kms_key_arn"`
	RoleARN          types.String `tfsdk:"role_arn"`
	InstanceType     types.String `tfsdk:"instance_type"`
	Image            types.String `tfsdk:"image"`
	S3URIs           types.List   `tfsdk:"s3_uris"`
	Enforce          types.Bool   `tfsdk:"enforce"`
	CheckAuditTrail  types.Bool   `tfsdk:"check_audit_trail"`
	AuditTrailName   types.String `tfsdk:"audit_trail_name"`
	AuditTrail       types.String `tfsdk:"audit_trail"`

	Compliant types.Bool   `tfsdk:"compliant"`
	Findings  types.List   `tfsdk:"findings"`
	States    types.Map    `tfsdk:"control_states"`
	Subnets   types.List   `tfsdk:"subnets"`
	AccountID types.String `tfsdk:"account_id"`
	Region    types.String `tfsdk:"region"`
}

var findingType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"control":  types.StringType,
	"severity": types.StringType,
	"subject":  types.StringType,
	"message":  types.StringType,
	"fix":      types.StringType,
}}

var subnetType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id":                types.StringType,
	"availability_zone": types.StringType,
	"private":           types.BoolType,
	"reasons":           types.ListType{ElemType: types.StringType},
}}

func (d *dataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_preflight"
}

func (d *dataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Asks: would sagesafe accept these? Give it the subnets, security groups, KMS key, execution role, " +
			"instance type, image and S3 locations you manage elsewhere (for example with `hashicorp/aws`) and it runs the same " +
			"guardrail checks the sagesafe resources run, against the live objects, and reports every finding with its control ID " +
			"and fix. All inputs are optional: checks that need an input you did not give are skipped.\n\n" +
			"By default findings are reported in `findings` and as warnings; set `enforce = true` to turn error-severity findings " +
			"into errors, so that a plan fails on them.",
		Attributes: map[string]schema.Attribute{
			"subnet_ids": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Subnets a workload would run in: checked to be private (SS-NET-2) and routed to S3 through a gateway endpoint (SS-NET-6).",
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.RegexMatches(validators.SubnetIDRegexp,
					"must be a subnet ID (subnet-...)"))},
			},
			"security_group_ids": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Security groups a workload would use: checked for ingress from any range or prefix list that holds a public address, and egress to one (SS-NET-3).",
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.RegexMatches(validators.SecurityGroupIDRegexp,
					"must be a security group ID (sg-...)"))},
			},
			"kms_key_arn": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "KMS key: checked to be a customer-managed, enabled, symmetric key in this region (SS-KMS-1) that rotates (SS-KMS-2).",
				Validators:          []validator.String{validators.KMSKey()},
			},
			"role_arn": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Execution role: trust only SageMaker with confused-deputy conditions (SS-IAM-1), no broad permissions (SS-IAM-2).",
				Validators:          []validator.String{validators.ARN("iam")},
			},
			"instance_type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "SageMaker instance type (`ml.*`): checked against the provider's `guardrails.allowed_instance_types` (SS-GOV-2).",
				Validators:          []validator.String{stringvalidator.RegexMatches(validators.InstanceTypeRegexp, "must be a SageMaker instance type such as ml.m5.xlarge")},
			},
			"image": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Container image: must come from ECR, from `guardrails.allowed_image_accounts` when set, pinned by digest (SS-SUP-1).",
			},
			"s3_uris": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "S3 locations a workload reads or writes: `s3://` only (SS-TLS-2); their buckets should default to SSE-KMS (SS-DATA-1) and deny plaintext transport.",
			},
			"check_audit_trail": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "When true, judge the account's existing CloudTrail trails against SS-AUD-1..5 (multi-region " +
					"logging of every management event, the customer's key and log file validation, a private TLS-only versioned " +
					"bucket, an encrypted log group with retention, and CIS metric filters with alarms that notify someone) and report " +
					"the trail that meets the most of them. The trails are only read, never changed. Default false: the SS-AUD " +
					"controls are not checked.",
			},
			"audit_trail_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "With `check_audit_trail`, judge only this trail (name or ARN).",
			},
			"audit_trail": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The trail `check_audit_trail` judged; empty when the account has none (SS-AUD-1 fails).",
			},
			"enforce": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "When true, error-severity findings are reported as errors and fail the plan. Default false (warnings).",
			},
			"compliant": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "True when no finding has severity `error`.",
			},
			"control_states": schema.MapAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: guardrail.ControlStatesDescription + " In a preflight, a control whose inputs were not given " +
					"is `not_checked: not applicable: <input> was not given`.",
			},
			"findings": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "Every control that does not hold: `control` (e.g. `SS-NET-2`), `severity` (`error` or `warning`), " +
					"`subject` (the object at fault), `message` (what was found) and `fix`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"control":  computedString("ID of the control that does not hold, such as `SS-NET-2`."),
					"severity": computedString("`error` (with `enforce = true` the read fails) or `warning`."),
					"subject":  computedString("The AWS object or value at fault, such as `subnet-0abc`; empty when the finding is about the whole request."),
					"message":  computedString("What was found: the finding's summary and, where there is one, its evidence."),
					"fix":      computedString("How to make the control hold, as the Guardrails guide gives it."),
				}},
			},
			"subnets": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Per subnet: `id`, `availability_zone`, `private` and the `reasons` it is not private.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                computedString("The subnet ID, as given in `subnet_ids`."),
					"availability_zone": computedString("The subnet's Availability Zone (empty when the subnet was not found)."),
					"private": schema.BoolAttribute{Computed: true,
						MarkdownDescription: "Whether the subnet exists and has no route to the internet (SS-NET-2)."},
					"reasons": schema.ListAttribute{ElementType: types.StringType, Computed: true,
						MarkdownDescription: "Why the subnet is not private, one route or fact each (`subnet does not exist` " +
							"when it was not found); empty when it is private."},
				}},
			},
			"account_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The AWS account the provider is working in.",
			},
			"region": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The AWS region the provider is working in.",
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
	if !providerdata.Ready(d.data, "sagesafe_preflight was read", &resp.Diagnostics) {
		return
	}

	s := &guardrail.Subject{
		Kind:      guardrail.KindPreflight,
		Name:      "preflight",
		Region:    d.data.AWS.Region,
		AccountID: d.data.AWS.AccountID,
		Partition: d.data.AWS.Partition,
	}
	s.SubnetIDs = tfval.Strings(ctx, m.SubnetIDs, &resp.Diagnostics)
	s.SecurityGroupIDs = tfval.Strings(ctx, m.SecurityGroupIDs, &resp.Diagnostics)
	s.KMSKeyARN = tfval.String(m.KMSKeyARN)
	s.RoleARN = tfval.String(m.RoleARN)
	s.InstanceType = tfval.String(m.InstanceType)
	s.Image = tfval.String(m.Image)
	uris := tfval.Strings(ctx, m.S3URIs, &resp.Diagnostics)
	for i, u := range uris.V {
		s.S3 = append(s.S3, guardrail.S3Location{URI: facts.Known(u), Index: i, Field: guardrail.FieldS3URIs, Role: "data"})
	}
	if resp.Diagnostics.HasError() {
		return
	}
	m.AuditTrail = types.StringNull()
	if m.CheckAuditTrail.ValueBool() {
		trail, err := d.auditTrail(ctx, s, m.AuditTrailName.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Reading the account's CloudTrail trails failed", err.Error())
			return
		}
		s.Audit.Live, m.AuditTrail = facts.Known(trail), types.StringValue(trail.Trail)
	}

	findings, err := evaluate.Run(ctx, d.data.Posture, d.data.Policy, s)
	if err != nil {
		resp.Diagnostics.AddError("Reading the posture of the given AWS objects failed", err.Error())
		return
	}

	enforce := m.Enforce.ValueBool()
	reported := findings
	if !enforce {
		reported = guardrail.AsWarnings(findings)
	}
	resp.Diagnostics.Append(guardrail.Diagnostics(reported, paths.For)...)
	if resp.Diagnostics.HasError() {
		return
	}

	m.Compliant = types.BoolValue(!guardrail.HasErrors(findings))
	m.AccountID = types.StringValue(d.data.AWS.AccountID)
	m.Region = types.StringValue(d.data.AWS.Region)
	m.Findings = findingsValue(findings, &resp.Diagnostics)
	m.States = tfval.Map(guardrail.States(s, d.data.Policy, findings, nil).Strings())
	m.Subnets = subnetsValue(s, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// paths maps findings to the data source's arguments.
var paths = guardrail.Paths{
	List: map[guardrail.Field]path.Path{
		guardrail.FieldSubnetIDs:        path.Root("subnet_ids"),
		guardrail.FieldSecurityGroupIDs: path.Root("security_group_ids"),
		guardrail.FieldS3URIs:           path.Root("s3_uris"),
	},
	Attr: map[guardrail.Field]path.Path{
		guardrail.FieldKMSKey:       path.Root("kms_key_arn"),
		guardrail.FieldRoleARN:      path.Root("role_arn"),
		guardrail.FieldInstanceType: path.Root("instance_type"),
		guardrail.FieldImage:        path.Root("image"),
	},
}

// computedString is a read-only string attribute of a nested object.
func computedString(description string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: description}
}

func findingsValue(findings []guardrail.Finding, diags *diag.Diagnostics) types.List {
	elems := make([]attr.Value, 0, len(findings))
	for _, f := range findings {
		fix := ""
		if c, ok := guardrail.Lookup(f.Control); ok {
			fix = c.Fix
		}
		msg := f.Summary
		if f.Evidence != "" {
			msg = fmt.Sprintf("%s: %s", f.Summary, f.Evidence)
		}
		obj, d := types.ObjectValue(findingType.AttrTypes, map[string]attr.Value{
			"control":  types.StringValue(f.Control),
			"severity": types.StringValue(string(f.Severity)),
			"subject":  types.StringValue(f.Object),
			"message":  types.StringValue(msg),
			"fix":      types.StringValue(fix),
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	l, d := types.ListValue(findingType, elems)
	diags.Append(d...)
	return l
}

func subnetsValue(s *guardrail.Subject, diags *diag.Diagnostics) types.List {
	var elems []attr.Value
	if s.SubnetIDs.IsKnown() {
		for _, id := range s.SubnetIDs.V {
			fact, ok := s.Facts.Subnets[id]
			if !ok {
				continue
			}
			reasons := fact.Reasons
			if !fact.Found {
				reasons = []string{"subnet does not exist"}
			}
			rl, d := types.ListValueFrom(context.Background(), types.StringType, reasonsOrEmpty(reasons))
			diags.Append(d...)
			obj, d := types.ObjectValue(subnetType.AttrTypes, map[string]attr.Value{
				"id":                types.StringValue(id),
				"availability_zone": types.StringValue(fact.AvailabilityZone),
				"private":           types.BoolValue(fact.Found && fact.Private),
				"reasons":           rl,
			})
			diags.Append(d...)
			elems = append(elems, obj)
		}
	}
	l, d := types.ListValue(subnetType, elems)
	diags.Append(d...)
	return l
}

func reasonsOrEmpty(r []string) []string {
	if r == nil {
		return []string{}
	}
	return r
}
