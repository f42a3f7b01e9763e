package iamrole

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// Limits and defaults, shared by the schemas, their validators and the docs.
const (
	MinSessionDuration = 3600
	MaxSessionDuration = 43200
	// MaxNameLen and MaxPrefixLen are IAM's role-name limit and what leaves
	// room for the generated suffix.
	MaxNameLen   = 64
	MaxPrefixLen = MaxNameLen - GeneratedSuffixLen
)

// NameRE is what IAM accepts in a role name.
var NameRE = regexp.MustCompile(`^[\w+=,.@-]+$`)

// SchemaText is what differs between the role resources' shared attributes.
type SchemaText struct {
	ARN        string // the arn attribute's description
	PolicyName string // the one inline policy sagesafe puts on the role
	Control    string // the control a policy added outside Terraform weakens
}

// Attributes are the identity, settings, tags and policy lists every role
// resource has.
func Attributes(t SchemaText) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The role name.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"arn": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: t.ARN,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: fmt.Sprintf("The role name (up to %d characters). Conflicts with `name_prefix`; one of them is required.", MaxNameLen),
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
			Validators: []validator.String{
				stringvalidator.LengthBetween(1, MaxNameLen),
				stringvalidator.RegexMatches(NameRE, "may contain only letters, digits and +=,.@_-"),
				stringvalidator.ExactlyOneOf(path.MatchRoot("name"), path.MatchRoot("name_prefix")),
			},
		},
		"name_prefix": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: fmt.Sprintf("Creates a unique name beginning with this prefix (up to %d characters). Conflicts with `name`.", MaxPrefixLen),
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators: []validator.String{
				stringvalidator.LengthBetween(1, MaxPrefixLen),
				stringvalidator.RegexMatches(NameRE, "may contain only letters, digits and +=,.@_-"),
			},
		},
		"permissions_boundary_arn": schema.StringAttribute{
			Optional: true,
			// Computed: unset, it takes the provider's
			// role_permissions_boundary_arn (PlanBoundary).
			Computed: true,
			MarkdownDescription: "ARN of a managed policy to set as the role's permissions boundary. Unset, the role gets the " +
				"provider's `guardrails { role_permissions_boundary_arn }` when that is set (SS-IAM-5), and no boundary otherwise; set to " +
				"another ARN than the provider's, the plan is refused before anything is created. A boundary removed or changed " +
				"outside Terraform shows as a diff the next apply restores. A boundary is an " +
				"allow-list cap: it grants nothing by itself, and the role may do only what both its own policies and the " +
				"boundary allow (the intersection). So the boundary must *allow* every action the role needs (it may add " +
				"Deny statements). A deny-only policy, such as `sagesafe_guardrail_policy`'s, used as a boundary leaves the " +
				"role with no permissions at all: attach that one as a service control policy instead.",
			Validators: []validator.String{validators.ARN("iam")},
		},
		"max_session_duration": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(DefaultSessionDuration),
			MarkdownDescription: fmt.Sprintf("Maximum session duration in seconds, %d to %d (default %d).",
				MinSessionDuration, MaxSessionDuration, DefaultSessionDuration),
			Validators: []validator.Int64{int64validator.Between(MinSessionDuration, MaxSessionDuration)},
		},
		"tags": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Tags for the role, merged with the provider's `default_tags` (the role's own win).",
			// The creation token is sagesafe's (see Create).
			Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.NoneOf(idem.TokenTag))},
		},
		"tags_all": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: "The role's tags, including the provider's `default_tags`.",
		},
		"inline_policy_names": schema.SetAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "Names of the role's inline policies: only `" + t.PolicyName + "` after apply. Any other name " +
				"after a refresh was added outside Terraform (" + t.Control + " drift) and the next apply deletes it.",
		},
		"attached_policy_arns": schema.SetAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "Managed policies attached to the role: always empty after apply, because sagesafe never " +
				"attaches a managed policy. Any ARN here after a refresh (for example `AmazonSageMakerFullAccess`) was attached " +
				"outside Terraform (" + t.Control + " drift) and the next apply detaches it.",
		},
	}
}
