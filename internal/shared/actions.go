package shared

import (
	"slices"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// EffectiveActions are what a resource's alarms notify: its own
// alarm_actions (or alarms.actions) when set, Unknown while they refer to
// objects the same apply creates (a check on them then runs at apply), else
// the provider's alarm_actions (Unknown while those refer to objects the
// same apply creates).
func EffectiveActions(own, provider facts.Value[[]string]) facts.Value[[]string] {
	if own.State != facts.StateNull {
		return own
	}
	if !provider.IsKnown() {
		return facts.Unknown[[]string]()
	}
	return facts.Known(slices.Clone(provider.V))
}
