package shared

import (
	"reflect"
	"testing"
)

type tag struct{ K, V *string }

func TestBackticked(t *testing.T) {
	if got := Backticked([]string{"a", "b"}); got != "`a`, `b`" {
		t.Errorf("Backticked = %q", got)
	}
	if got := Backticked(nil); got != "" {
		t.Errorf("Backticked(nil) = %q", got)
	}
}

func TestTagsRoundTrip(t *testing.T) {
	in := map[string]string{"team": "ml", "env": "prod", "empty": ""}
	list := TagList(in, func(k, v *string) tag { return tag{k, v} })
	var keys []string
	for _, x := range list {
		keys = append(keys, *x.K)
	}
	if !reflect.DeepEqual(keys, []string{"empty", "env", "team"}) {
		t.Errorf("keys not sorted: %v", keys)
	}
	back := TagMap(list, func(x tag) (*string, *string) { return x.K, x.V })
	if !reflect.DeepEqual(back, in) {
		t.Errorf("round trip = %v, want %v", back, in)
	}
	if TagList(map[string]string{}, func(k, v *string) tag { return tag{k, v} }) != nil {
		t.Error("an empty map must give a nil list")
	}
	nilValue := TagMap([]tag{{K: ptr("a")}, {V: ptr("no key")}}, func(x tag) (*string, *string) { return x.K, x.V })
	if !reflect.DeepEqual(nilValue, map[string]string{"a": ""}) {
		t.Errorf("nil value/key handling: %v", nilValue)
	}
}

func ptr(s string) *string { return &s }
