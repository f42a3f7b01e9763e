package tfval

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

func TestScalars(t *testing.T) {
	if v := String(types.StringValue("a")); v.State != facts.StateKnown || v.V != "a" {
		t.Errorf("known string: %+v", v)
	}
	if v := String(types.StringNull()); v.State != facts.StateNull {
		t.Errorf("null string: %+v", v)
	}
	if v := Int64(types.Int64Unknown()); v.State != facts.StateUnknown {
		t.Errorf("unknown int: %+v", v)
	}
	if v := Bool(types.BoolValue(true)); !v.IsKnown() || !v.V {
		t.Errorf("known bool: %+v", v)
	}
}

func TestCollections(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	list := types.ListValueMust(types.StringType, []attr.Value{types.StringValue("a"), types.StringValue("b")})
	if v := Strings(ctx, list, &diags); !v.IsKnown() || !reflect.DeepEqual(v.V, []string{"a", "b"}) {
		t.Errorf("list: %+v", v)
	}
	set := types.SetValueMust(types.StringType, []attr.Value{types.StringValue("x"), types.StringUnknown()})
	if v := Strings(ctx, set, &diags); v.State != facts.StateUnknown {
		t.Errorf("a set with an unknown element is unknown: %+v", v)
	}
	if v := Strings(ctx, types.ListNull(types.StringType), &diags); v.State != facts.StateNull {
		t.Errorf("null list: %+v", v)
	}
	m := types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringValue("ml")})
	if v := StringMap(ctx, m, &diags); !v.IsKnown() || v.V["team"] != "ml" {
		t.Errorf("map: %+v", v)
	}
	if v := StringMap(ctx, types.MapUnknown(types.StringType), &diags); v.State != facts.StateUnknown {
		t.Errorf("unknown map: %+v", v)
	}
	if v, ok := Tags(ctx, m, &diags); !ok || !reflect.DeepEqual(v, map[string]string{"team": "ml"}) {
		t.Errorf("tags: %v %v", v, ok)
	}
	if v, ok := Tags(ctx, types.MapNull(types.StringType), &diags); !ok || v == nil || len(v) != 0 {
		t.Errorf("null tags are known and empty: %v %v", v, ok)
	}
	partial := types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringUnknown()})
	if v, ok := Tags(ctx, partial, &diags); ok || v != nil {
		t.Errorf("tags with an unknown value are not known: %v %v", v, ok)
	}
	if diags.HasError() {
		t.Fatal(diags)
	}
}

func TestBuilders(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	if v := Strings(ctx, List([]string{"b", "a"}), &diags); !reflect.DeepEqual(v.V, []string{"b", "a"}) {
		t.Errorf("List keeps order: %+v", v)
	}
	if l := List(nil); l.IsNull() || len(l.Elements()) != 0 {
		t.Errorf("List(nil) must be known and empty: %v", l)
	}
	if s := Set([]string{"x", "y"}); len(s.Elements()) != 2 {
		t.Errorf("Set: %v", s)
	}
	if v := StringMap(ctx, Map(map[string]string{"k": "v"}), &diags); v.V["k"] != "v" {
		t.Errorf("Map: %+v", v)
	}
	if diags.HasError() {
		t.Fatal(diags)
	}
}
