package iamrole

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// Common is the state every role resource shares (the attributes of
// Attributes); resource models embed it.
type Common struct {
	ID                     types.String `tfsdk:"id"`
	ARN                    types.String `tfsdk:"arn"`
	Name                   types.String `tfsdk:"name"`
	NamePrefix             types.String `tfsdk:"name_prefix"`
	PermissionsBoundaryARN types.String `tfsdk:"permissions_boundary_arn"`
	MaxSessionDuration     types.Int64  `tfsdk:"max_session_duration"`
	Tags                   types.Map    `tfsdk:"tags"`
	TagsAll                types.Map    `tfsdk:"tags_all"`
	InlinePolicyNames      types.Set    `tfsdk:"inline_policy_names"`
	AttachedPolicyARNs     types.Set    `tfsdk:"attached_policy_arns"`
}

// Identity points at c's identity attributes, for PlanIdentity.
func (c *Common) Identity() Identity {
	return Identity{Name: &c.Name, NamePrefix: &c.NamePrefix, ID: &c.ID, ARN: &c.ARN}
}

// Imported is the common state of an imported role: its name; Read fills in
// the rest.
func Imported(name string) Common {
	return Common{
		ID: types.StringValue(name), Name: types.StringValue(name), NamePrefix: types.StringNull(),
		Tags: types.MapNull(types.StringType), TagsAll: types.MapNull(types.StringType),
		InlinePolicyNames: types.SetNull(types.StringType), AttachedPolicyARNs: types.SetNull(types.StringType),
	}
}

// Flatten copies what IAM says about the role into c.
func (c *Common) Flatten(live *Live) {
	c.ID = types.StringValue(live.Name)
	c.Name = types.StringValue(live.Name)
	c.ARN = types.StringValue(live.ARN)
	c.MaxSessionDuration = types.Int64Value(int64(live.MaxSession))
	c.PermissionsBoundaryARN = types.StringNull()
	if live.Boundary != "" {
		c.PermissionsBoundaryARN = types.StringValue(live.Boundary)
	}
	c.TagsAll = tfval.Map(live.Tags)
	c.AttachedPolicyARNs = tfval.Set(live.Attached)
	c.InlinePolicyNames = tfval.Set(slices.Sorted(maps.Keys(live.Inline)))
}

// PlanPosture plans what apply leaves: no managed policy, only keep.
func (c *Common) PlanPosture(keep string) {
	c.AttachedPolicyARNs = tfval.Set(nil)
	c.InlinePolicyNames = tfval.Set([]string{keep})
}

// Documents are what sagesafe generates for a role: its trust policy and
// its one inline policy, named Keep.
type Documents struct {
	Keep, Trust, Policy string
}

// CreateFromPlan creates the planned role (a generated name for
// name_prefix) with docs through Create, saves its identity in state at once
// (so a failure below leaves it in state, tainted, rather than leaked), puts
// the inline policy and sets c's identity. what names the role in errors
// ("execution role"); false means diags has the error.
func (c *Common) CreateFromPlan(ctx context.Context, ic *iam.Client, docs Documents, state *tfsdk.State, what string, diags *diag.Diagnostics) bool {
	name := c.Name.ValueString()
	if name == "" {
		name = GenerateName(c.NamePrefix.ValueString())
	}
	tags, _ := tfval.Tags(ctx, c.TagsAll, diags)
	in := CreateInput(name, docs.Trust, c.MaxSessionDuration.ValueInt64(), c.PermissionsBoundaryARN.ValueString(), tags)
	role, err := Create(ctx, ic, in, docs.Keep)
	if err != nil {
		diags.AddError("Creating the "+what+" failed", fmt.Sprintf("role %s: %v", name, err))
		return false
	}
	diags.Append(state.SetAttribute(ctx, path.Root("id"), name)...)
	diags.Append(state.SetAttribute(ctx, path.Root("name"), name)...)
	diags.Append(state.SetAttribute(ctx, path.Root("arn"), aws.ToString(role.Arn))...)
	if err := PutPolicy(ctx, ic, name, docs); err != nil {
		diags.AddError("Putting the "+what+"'s policy failed", fmt.Sprintf("role %s: %v", name, err))
		return false
	}
	c.ID, c.Name, c.ARN = types.StringValue(name), types.StringValue(name), types.StringValue(aws.ToString(role.Arn))
	return true
}

// PutPolicy writes the generated inline policy; PutRolePolicy sets the
// document, so sending it again after a lost answer changes nothing.
func PutPolicy(ctx context.Context, ic *iam.Client, name string, docs Documents) error {
	_, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(name), PolicyName: aws.String(docs.Keep), PolicyDocument: aws.String(docs.Policy),
	})
	return err
}

// ImportName accepts a role name or ARN as an import ID.
func ImportName(id string) (string, error) {
	name := id
	if n, ok := posture.RoleNameFromARN(id); ok {
		name = n
	}
	if name == "" || len(name) > MaxNameLen || !NameRE.MatchString(name) {
		return "", fmt.Errorf("%q is not an IAM role name", id)
	}
	return name, nil
}
