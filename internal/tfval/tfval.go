// Package tfval converts framework values (from a plan, a config or state)
// into guardrail values, keeping the difference between null (absent),
// unknown (known only after apply: checks skip it) and known.
package tfval

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// state is what every framework value can say about itself.
type state interface {
	IsNull() bool
	IsUnknown() bool
}

// collection is a types.List, types.Set or types.Map.
type collection interface {
	state
	ElementsAs(ctx context.Context, target any, allowUnhandled bool) diag.Diagnostics
}

func convert[T any](v state, get func() T) facts.Value[T] {
	switch {
	case v.IsUnknown():
		return facts.Unknown[T]()
	case v.IsNull():
		return facts.Null[T]()
	}
	return facts.Known(get())
}

// String converts a string.
func String(v types.String) facts.Value[string] { return convert(v, v.ValueString) }

// Int64 converts an int64.
func Int64(v types.Int64) facts.Value[int64] { return convert(v, v.ValueInt64) }

// Bool converts a bool.
func Bool(v types.Bool) facts.Value[bool] { return convert(v, v.ValueBool) }

// Strings converts a list or set of strings. A collection with an unknown
// element is unknown as a whole: the checks cannot judge part of it.
func Strings(ctx context.Context, v collection, diags *diag.Diagnostics) facts.Value[[]string] {
	if v.IsUnknown() || v.IsNull() {
		return convert[[]string](v, nil)
	}
	var elems []types.String
	if d := v.ElementsAs(ctx, &elems, false); d.HasError() {
		diags.Append(d...)
		return facts.Unknown[[]string]()
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		if e.IsUnknown() {
			return facts.Unknown[[]string]()
		}
		out = append(out, e.ValueString())
	}
	return facts.Known(out)
}

// StringMap converts a map of strings, unknown when any value is.
func StringMap(ctx context.Context, v collection, diags *diag.Diagnostics) facts.Value[map[string]string] {
	if v.IsUnknown() || v.IsNull() {
		return convert[map[string]string](v, nil)
	}
	var elems map[string]types.String
	if d := v.ElementsAs(ctx, &elems, false); d.HasError() {
		diags.Append(d...)
		return facts.Unknown[map[string]string]()
	}
	out := make(map[string]string, len(elems))
	for k, e := range elems {
		if e.IsUnknown() {
			return facts.Unknown[map[string]string]()
		}
		out[k] = e.ValueString()
	}
	return facts.Known(out)
}

// Tags returns a tags map's values, empty for null; ok is false while the
// map or any value in it is unknown.
func Tags(ctx context.Context, v collection, diags *diag.Diagnostics) (tags map[string]string, ok bool) {
	m := StringMap(ctx, v, diags)
	switch m.State {
	case facts.StateKnown:
		return m.V, true
	case facts.StateNull:
		return map[string]string{}, true
	default:
		return nil, false
	}
}

// List makes a known list of strings (empty, not null, for none).
func List(values []string) types.List {
	return types.ListValueMust(types.StringType, stringElems(values))
}

// Set makes a known set of strings (empty, not null, for none).
func Set(values []string) types.Set {
	return types.SetValueMust(types.StringType, stringElems(values))
}

// Map makes a known map of strings (empty, not null, for none).
func Map(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func stringElems(values []string) []attr.Value {
	elems := make([]attr.Value, len(values))
	for i, s := range values {
		elems[i] = types.StringValue(s)
	}
	return elems
}
