package provider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Provider settings may be unknown while planning when they refer to
// objects created in the same apply. The framework configures the provider
// with those values unknown during plan and again, known, for apply; it
// recommends handling them instead of failing. Two settings can be handled:
// alarm_actions and default_tags only reach objects the provider creates,
// and a resource that needs them while planning says so
// (providerdata.AddAlarmActionsUnknown) or plans the values as unknown.
// Every other setting decides how the provider reaches AWS or what the
// guardrails allow, which the plan must know: unknown, it is an error (or a
// deferral, where Terraform allows one).

// toleratedUnknown are the settings the provider is configured without.
var toleratedUnknown = []string{"alarm_actions", "default_tags"}

// blockingUnknown returns the settings of the raw provider configuration
// that are not fully known and that the provider cannot be configured
// without, sorted. default_tags is tolerated only when its tags are what is
// unknown (not the block itself, as a dynamic block over an unknown
// collection makes it).
func blockingUnknown(raw tftypes.Value) ([]string, error) {
	if raw.IsFullyKnown() {
		return nil, nil
	}
	if !raw.IsKnown() {
		return []string{"(the whole provider block)"}, nil
	}
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		return nil, fmt.Errorf("reading the provider configuration: %w", err)
	}
	var out []string
	for name, v := range attrs {
		if v.IsFullyKnown() {
			continue
		}
		if slices.Contains(toleratedUnknown, name) && (name != "default_tags" || blockItselfKnown(v)) {
			continue
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out, nil
}

// blockItselfKnown reports whether a list block and each of its objects are
// known (their attributes may not be).
func blockItselfKnown(v tftypes.Value) bool {
	if !v.IsKnown() {
		return false
	}
	var elems []tftypes.Value
	if err := v.As(&elems); err != nil {
		return false
	}
	return !slices.ContainsFunc(elems, func(e tftypes.Value) bool { return !e.IsKnown() })
}

func unknownSettingsDetail(names []string) string {
	return fmt.Sprintf("These provider settings are not known until apply: %s. The sagesafe provider checks your configuration against AWS "+
		"while planning, so how it reaches AWS (region, credentials, roles, endpoints) and what the guardrails allow must be known then. "+
		"Use literal values or variables, not attributes of resources created in the same run. Only alarm_actions and default_tags may "+
		"refer to resources created in the same run.", strings.Join(names, ", "))
}
