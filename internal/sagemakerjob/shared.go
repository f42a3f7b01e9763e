// What the job resources share besides the log group and the evaluation:
// schema pieces, decoding and flattening of the VPC, tags and alarm actions,
// alarm drift and tagging, and the forced controls only a new job restores.

package sagemakerjob

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// VPCModel is a job's vpc attribute.
type VPCModel struct {
	SubnetIDs        types.List `tfsdk:"subnet_ids"`
	SecurityGroupIDs types.List `tfsdk:"security_group_ids"`
}

// VPCAttrTypes are the attribute types of VPCModel.
var VPCAttrTypes = map[string]attr.Type{
	"subnet_ids":         types.ListType{ElemType: types.StringType},
	"security_group_ids": types.ListType{ElemType: types.StringType},
}

// objectAsOptions turns unknown or null nested values into zero values
// instead of errors; callers check the object itself first.
var objectAsOptions = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}

// VPCAttribute is a job's network.
func VPCAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Must be set: without it the plan is refused with SS-NET-1 (optional in the schema only so that the refusal " +
			"names the control and its fix). The job's network: private subnets " +
			"(SS-NET-2) routed to S3 through a gateway endpoint (SS-NET-6) and security groups closed to public addresses (SS-NET-3), " +
			"such as those of a `sagesafe_network`.",
		PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
		Attributes: map[string]schema.Attribute{
			"subnet_ids": schema.ListAttribute{
				ElementType:         types.StringType,
				Required:            true,
				MarkdownDescription: "Private subnets (1 to 16).",
				Validators: []validator.List{listvalidator.SizeBetween(1, 16), listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(validators.SubnetIDRegexp, "must be a subnet ID (subnet-...)"))},
			},
			"security_group_ids": schema.ListAttribute{
				ElementType:         types.StringType,
				Required:            true,
				MarkdownDescription: "Security groups (1 to 5). A job on several instances needs traffic between members of the group.",
				Validators: []validator.List{listvalidator.SizeBetween(1, 5), listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(stringvalidator.RegexMatches(validators.SecurityGroupIDRegexp, "must be a security group ID (sg-...)"))},
			},
		},
	}
}

// ThresholdAttribute is an alarm threshold, checked against its metric's
// real range and the alarm's comparison (alarms.ThresholdOf), so an alarm
// that can never fire is refused (SS-MON-1).
func ThresholdAttribute(kind string, def float64, desc string) schema.Float64Attribute {
	r := alarms.ThresholdOf(kind)
	return schema.Float64Attribute{
		Optional:            true,
		Computed:            true,
		Default:             float64default.StaticFloat64(def),
		MarkdownDescription: fmt.Sprintf("%s %s Default %g.", desc, r.Doc(), def),
		Validators:          []validator.Float64{validators.NumberFunc("must be "+r.Accepted(), r.Check)},
	}
}

// DecodeVPC decodes the vpc attribute into its subnets and security groups.
func DecodeVPC(ctx context.Context, o types.Object, diags *diag.Diagnostics) (subnetIDs, securityGroupIDs facts.Value[[]string]) {
	switch {
	case o.IsUnknown():
		return facts.Unknown[[]string](), facts.Unknown[[]string]()
	case o.IsNull():
		return facts.Null[[]string](), facts.Null[[]string]()
	}
	var v VPCModel
	diags.Append(o.As(ctx, &v, objectAsOptions)...)
	return tfval.Strings(ctx, v.SubnetIDs, diags), tfval.Strings(ctx, v.SecurityGroupIDs, diags)
}

// FlattenVPC reads the live VPC config, keeping the prior order of the IDs
// when the live sets are equal (SageMaker does not promise to keep it).
func FlattenVPC(ctx context.Context, v *smtypes.VpcConfig, prior types.Object, diags *diag.Diagnostics) types.Object {
	if v == nil {
		return types.ObjectNull(VPCAttrTypes)
	}
	var p VPCModel
	if !prior.IsNull() && !prior.IsUnknown() {
		diags.Append(prior.As(ctx, &p, objectAsOptions)...)
	}
	obj, d := types.ObjectValue(VPCAttrTypes, map[string]attr.Value{
		"subnet_ids":         KeepOrder(ctx, v.Subnets, p.SubnetIDs, diags),
		"security_group_ids": KeepOrder(ctx, v.SecurityGroupIds, p.SecurityGroupIDs, diags),
	})
	diags.Append(d...)
	return obj
}

// KeepOrder is live as a list, in prior's order when both hold the same IDs.
func KeepOrder(ctx context.Context, live []string, prior types.List, diags *diag.Diagnostics) types.List {
	if !prior.IsNull() && !prior.IsUnknown() {
		var p []string
		diags.Append(prior.ElementsAs(ctx, &p, false)...)
		if SameSet(p, live) {
			return prior
		}
	}
	l, d := types.ListValueFrom(ctx, types.StringType, live)
	diags.Append(d...)
	return l
}

// SameSet reports whether a and b hold the same strings, in any order.
func SameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// OptString is s, null when it is nil or empty.
func OptString(s *string) types.String {
	if s == nil || *s == "" {
		return types.StringNull()
	}
	return types.StringValue(*s)
}

// OptInt is v, null when it is nil.
func OptInt(v *int32) types.Int64 {
	if v == nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(*v))
}

// EffectiveActions are the alarm actions: the alarms attribute's, else the
// provider's alarm_actions.
func EffectiveActions(actions facts.Value[[]string], data *providerdata.Data) facts.Value[[]string] {
	return shared.EffectiveActions(actions, data.ProviderAlarmActions())
}

// MergedTags is default_tags overlaid with the resource's tags.
func MergedTags(data *providerdata.Data, own facts.Value[map[string]string]) facts.Value[map[string]string] {
	if own.State == facts.StateUnknown || shared.DefaultTagsUnknown(data) {
		return facts.Unknown[map[string]string]()
	}
	if data == nil {
		return facts.Known(maps.Clone(own.V))
	}
	return facts.Known(data.MergeTags(own.V))
}

// SpecNames are the alarm names of specs.
func SpecNames(specs []alarms.Spec) []string {
	out := make([]string, 0, len(specs))
	for _, s := range specs {
		out = append(out, s.Name)
	}
	return out
}

// AlarmDrift compares the live alarms with the specs. ok maps the keys of
// the alarms that match to their names; drift says what is wrong with the
// others.
func AlarmDrift(specs []alarms.Spec, live map[string]cwtypes.MetricAlarm) (ok map[string]string, drift []string) {
	ok = map[string]string{}
	for _, s := range specs {
		la, found := live[s.Name]
		switch {
		case !found:
			drift = append(drift, fmt.Sprintf("alarm %s is missing", s.Name))
		default:
			if d := alarms.Diff(s, la); len(d) > 0 {
				drift = append(drift, fmt.Sprintf("alarm %s: %s", s.Name, strings.Join(d, "; ")))
			} else {
				ok[s.Kind] = s.Name
			}
		}
	}
	return ok, drift
}

// TagAlarms gives the alarms of specs the job's tags (PutMetricAlarm ignores
// tags on existing alarms) and removes the keys the job lost.
func TagAlarms(ctx context.Context, cw *cloudwatch.Client, specs []alarms.Spec, tags map[string]string, remove []string) error {
	live, err := alarms.Describe(ctx, cw, SpecNames(specs))
	if err != nil {
		return err
	}
	cwTags := shared.TagList(tags, func(k, v *string) cwtypes.Tag { return cwtypes.Tag{Key: k, Value: v} })
	for _, name := range SpecNames(specs) {
		a, ok := live[name]
		if !ok || a.AlarmArn == nil {
			continue
		}
		if len(remove) > 0 {
			if _, err := cw.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: a.AlarmArn, TagKeys: remove}); err != nil {
				return fmt.Errorf("untagging alarm %s: %w", name, err)
			}
		}
		if len(cwTags) > 0 {
			if _, err := cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: a.AlarmArn, Tags: cwTags}); err != nil {
				return fmt.Errorf("tagging alarm %s: %w", name, err)
			}
		}
	}
	return nil
}

// ReplacingControls are forced settings of the job itself: when the live
// job lacks one, only a new job can restore it.
var ReplacingControls = []string{"SS-NET-4", "SS-ENC-1", "SS-ENC-2", "SS-ENC-3"}

// LostForcedControls returns the forced controls of the job itself that the
// live job fails (absent from the state's controls) and the plan satisfies.
func LostForcedControls(state types.List, planned []string) []string {
	if state.IsNull() || state.IsUnknown() {
		return nil
	}
	have := map[string]bool{}
	for _, v := range state.Elements() {
		if s, ok := v.(types.String); ok {
			have[s.ValueString()] = true
		}
	}
	if len(have) == 0 {
		return nil // never checked (for example a create that stopped half-way)
	}
	var lost []string
	for _, id := range ReplacingControls {
		if !have[id] && slices.Contains(planned, id) {
			lost = append(lost, id)
		}
	}
	return lost
}

// PlannedControls are the controls and control states a plan shows, and
// whether it changes the workload: when changed (the configuration, alarms
// or drift call for an update) or when the checks hold other controls than
// the state says (SameControls), both are unknown until the update's
// refresh; otherwise they stay the state's.
func PlannedControls(ctx context.Context, controls types.List, states types.Map, held []string, changed bool) (types.List, types.Map, bool) {
	if changed || !SameControls(ctx, controls, held) {
		return types.ListUnknown(types.StringType), types.MapUnknown(types.StringType), true
	}
	return controls, states, false
}

// SameControls reports whether the held controls in state are ids. A plan
// whose checks hold other controls than the state says (an object the
// workload uses was restored or weakened since the last refresh) changes
// the workload: its update refreshes them, so the plan after the apply is
// empty.
func SameControls(ctx context.Context, state types.List, ids []string) bool {
	if state.IsNull() || state.IsUnknown() {
		return false
	}
	var have []string
	if d := state.ElementsAs(ctx, &have, false); d.HasError() {
		return false
	}
	return slices.Equal(have, ids)
}
