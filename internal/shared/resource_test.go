package shared

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestTagChanges(t *testing.T) {
	have := map[string]string{"team": "ml", "env": "dev", "old": "x", "b-old": "y"}
	want := map[string]string{"team": "ml", "env": "prod", "new": "1"}
	remove, set := tagChanges(have, want)
	if !reflect.DeepEqual(remove, []string{"b-old", "old"}) {
		t.Errorf("remove = %v, want sorted [b-old old]", remove)
	}
	if !reflect.DeepEqual(set, map[string]string{"env": "prod", "new": "1"}) {
		t.Errorf("set = %v", set)
	}
	if remove, set := tagChanges(want, want); len(remove)+len(set) != 0 {
		t.Errorf("no change: remove %v, set %v", remove, set)
	}
	if remove, set := tagChanges(nil, nil); len(remove)+len(set) != 0 {
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

func TestReconcileTagsCallsOnlyWhatIsNeeded(t *testing.T) {
	var untagged []string
	var tagged map[string]string
	untag := func(keys []string) error { untagged = keys; return nil }
	tag := func(set map[string]string) error { tagged = set; return nil }
	if err := ReconcileTags(map[string]string{"a": "1", "b": "2"}, map[string]string{"a": "1", "c": "3"}, untag, tag); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(untagged, []string{"b"}) || !reflect.DeepEqual(tagged, map[string]string{"c": "3"}) {
		t.Errorf("untagged %v, tagged %v", untagged, tagged)
	}
	fail := func(any) error { t.Error("called with nothing to do"); return nil }
	if err := ReconcileTags(map[string]string{"a": "1"}, map[string]string{"a": "1"},
		func(k []string) error { return fail(k) }, func(s map[string]string) error { return fail(s) }); err != nil {
		t.Fatal(err)
	}
}

type fakePaginator struct {
	pages [][]int
	err   error
}

func (f *fakePaginator) more() bool { return len(f.pages) > 0 }

func (f *fakePaginator) next(context.Context, ...func(*struct{})) ([]int, error) {
	if f.err != nil {
		return nil, f.err
	}
	page := f.pages[0]
	f.pages = f.pages[1:]
	return page, nil
}

func TestCollect(t *testing.T) {
	p := &fakePaginator{pages: [][]int{{1, 2}, {}, {3}}}
	got, err := Collect(context.Background(), p.more, p.next, func(page []int) []int { return page })
	if err != nil || !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Errorf("Collect = %v, %v", got, err)
	}
	p = &fakePaginator{pages: [][]int{{1}}, err: errors.New("throttled")}
	if got, err := Collect(context.Background(), p.more, p.next, func(page []int) []int { return page }); err == nil || got != nil {
		t.Errorf("error case: %v, %v", got, err)
	}
}
