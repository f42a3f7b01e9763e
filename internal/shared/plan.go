package shared

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// Plan-time handling of the two attributes every tagged, guarded resource
// computes the same way: tags_all and controls. (This file imports the leaf
// packages facts and tfval, which import nothing that imports shared.)

// PlanTags plans a resource's tags_all: its own tags (the plan's tags
// attribute) over the provider's default_tags, as s.MergeTags combines them.
// It also returns the merged tags for the guardrail Subject. Both are
// unknown while any of the resource's own tags is, or the provider's
// default_tags are (DefaultTagsUnknown).
func PlanTags(ctx context.Context, s TagSettings, own types.Map, diags *diag.Diagnostics) (types.Map, facts.Value[map[string]string]) {
	tags, known := tfval.Tags(ctx, own, diags)
	if !known || DefaultTagsUnknown(s) {
		return types.MapUnknown(types.StringType), facts.Unknown[map[string]string]()
	}
	merged := s.MergeTags(tags)
	// tags_all is what a refresh reads back (TagsAll): without the keys
	// ignore_tags names, so a configured tag under ignore_tags does not
	// show as a change on every plan. The Subject judges every tag sent.
	return tfval.Map(SeenTags(s, merged)), facts.Known(merged)
}

// DefaultTagsUnknown reports whether s says the provider's default_tags
// are not known while planning (they refer to objects of the same apply):
// tags merged with them are then known only at apply. A TagSettings says so
// through ProviderDefaultTags, which providerdata.Data has once the
// provider accepts unknown default_tags.
func DefaultTagsUnknown(s TagSettings) bool {
	u, ok := s.(interface {
		ProviderDefaultTags() facts.Value[map[string]string]
	})
	return ok && u.ProviderDefaultTags().State == facts.StateUnknown
}

// PlanControls is a resource's controls attribute at plan time: the IDs of
// the controls it satisfies (satisfied is called only when they can be
// known), or unknown while its tags are, because SS-GOV-1 depends on them.
func PlanControls(tags facts.Value[map[string]string], satisfied func() []string) types.List {
	if !tags.IsKnown() {
		return types.ListUnknown(types.StringType)
	}
	return tfval.List(satisfied())
}

// PlanControlStates is a resource's control_states attribute at plan time,
// known exactly when PlanControls is: states is called only then.
func PlanControlStates(tags facts.Value[map[string]string], states func() map[string]string) types.Map {
	if !tags.IsKnown() {
		return types.MapUnknown(types.StringType)
	}
	return tfval.Map(states())
}
