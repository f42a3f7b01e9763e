package shared

import (
	"slices"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// EffectiveActions are what a resource's alarms notify: its own
// alarm_actions (or alarms.actions) when set, Unknown while they refer to
// objects the same apply creates (a check on them then runs at apply), else
// the provider's alarm_actions.
func EffectiveActions(own facts.Value[[]string], provider []string) facts.Value[[]string] {
	if own.State != facts.StateNull {
		return own
	}
	return facts.Known(slices.Clone(provider))
}
