package shared

import (
	"reflect"
	"testing"
)

func TestTagChanges(t *testing.T) {
	have := map[string]string{"team": "ml", "env": "dev", "old": "x", "b-old": "y"}
	want := map[string]string{"team": "ml", "env": "prod", "new": "1"}
	remove, set := TagChanges(have, want)
	if !reflect.DeepEqual(remove, []string{"b-old", "old"}) {
		t.Errorf("remove = %v, want sorted [b-old old]", remove)
	}
	if !reflect.DeepEqual(set, map[string]string{"env": "prod", "new": "1"}) {
		t.Errorf("set = %v", set)
	}
	if remove, set := TagChanges(want, want); len(remove)+len(set) != 0 {
		t.Errorf("no change: remove %v, set %v", remove, set)
	}
	if remove, set := TagChanges(nil, nil); len(remove)+len(set) != 0 {
		t.Errorf("nil maps: remove %v, set %v", remove, set)
	}
}

func TestOwnTags(t *testing.T) {
	live := map[string]string{"team": "ml", "env": "prod", "owner": "a"}
	defaults := map[string]string{"env": "prod", "owner": "b", "unused": "z"}
	if got := OwnTags(live, defaults); !reflect.DeepEqual(got, map[string]string{"team": "ml", "owner": "a"}) {
		t.Errorf("OwnTags = %v (a default with another value is the resource's own)", got)
	}
	if got := OwnTags(map[string]string{"env": "prod"}, defaults); len(got) != 0 {
		t.Errorf("only defaults: %v", got)
	}
}
