package shared

import (
	"context"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// ignoring is a TagSettings that ignores keys with a prefix and merges
// defaults under the resource's tags (as providerdata.Data does).
type ignoring struct {
	prefix   string
	defaults map[string]string
}

func (i ignoring) MergeTags(own map[string]string) map[string]string {
	out := maps.Clone(i.defaults)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, own)
	return out
}

func (i ignoring) WithoutIgnored(live map[string]string) map[string]string {
	out := maps.Clone(live)
	maps.DeleteFunc(out, func(k, _ string) bool { return i.prefix != "" && strings.HasPrefix(k, i.prefix) })
	return out
}

func TestUpdateTagsLeavesIgnoredKeys(t *testing.T) {
	s := ignoring{prefix: "ops:"}
	live := map[string]string{"ops:owner": "x", "team": "ml", "old": "1"}
	var removed []string
	var set map[string]string
	err := UpdateTags(s, live, map[string]string{"team": "ai"},
		func(keys []string) error { removed = keys; return nil },
		func(m map[string]string) error { set = m; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(removed, []string{"old"}) || !reflect.DeepEqual(set, map[string]string{"team": "ai"}) {
		t.Errorf("removed %v, set %v; want [old] and team=ai (ops:owner is ignored)", removed, set)
	}
	if live["ops:owner"] != "x" {
		t.Error("live was changed")
	}
}

func TestSeenTagsAndTagsAll(t *testing.T) {
	s := ignoring{prefix: "ops:"}
	live := map[string]string{"ops:owner": "x", "team": "ml", "aws:cloudformation:stack-name": "s"}
	if got := SeenTags(s, live); len(got) != 2 || got["ops:owner"] != "" {
		t.Errorf("SeenTags = %v, want team and the aws: key", got)
	}
	if got := SeenTags(nil, live); !reflect.DeepEqual(got, live) {
		t.Errorf("SeenTags without settings = %v", got)
	}
	all := TagsAll(s, live).Elements()
	if len(all) != 1 || all["team"] == nil {
		t.Errorf("TagsAll = %v, want team only", all)
	}
	if TagsAll(s, nil).IsNull() {
		t.Error("TagsAll of no tags must be the empty map PlanTags plans, not null")
	}
}

func TestRemovedTagKeysKeepsIgnored(t *testing.T) {
	old := map[string]string{"ops:owner": "x", "team": "ml", "env": "dev"}
	got := RemovedTagKeys(ignoring{prefix: "ops:"}, old, map[string]string{"team": "ml"})
	if !reflect.DeepEqual(got, []string{"env"}) {
		t.Errorf("RemovedTagKeys = %v, want [env] (ops:owner is ignored)", got)
	}
}

func TestIgnoredTags(t *testing.T) {
	got := IgnoredTags(ignoring{prefix: "ops:"}, map[string]string{"ops:owner": "x", "team": "ml"})
	if !reflect.DeepEqual(got, map[string]string{"ops:owner": "x"}) {
		t.Errorf("IgnoredTags = %v, want ops:owner only", got)
	}
	if got := IgnoredTags(nil, map[string]string{"team": "ml"}); len(got) != 0 {
		t.Errorf("IgnoredTags without settings = %v, want none", got)
	}
}

// unknownDefaults is a provider whose default_tags refer to objects of the
// same apply.
type unknownDefaults struct{ ignoring }

func (unknownDefaults) ProviderDefaultTags() facts.Value[map[string]string] {
	return facts.Unknown[map[string]string]()
}

func TestPlanTagsUnknownDefaults(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	own := tfval.Map(map[string]string{"team": "ml"})
	all, merged := PlanTags(ctx, ignoring{defaults: map[string]string{"env": "prod"}}, own, &diags)
	if len(all.Elements()) != 2 || !merged.IsKnown() {
		t.Errorf("known defaults: tags_all %v, merged %+v", all, merged)
	}
	// A configured tag under ignore_tags: tags_all as planned is what the
	// refresh reads back (else every plan shows a change); the Subject
	// still judges every tag sent (red team).
	ignored := ignoring{prefix: "ops:", defaults: map[string]string{"env": "prod"}}
	all, merged = PlanTags(ctx, ignored, tfval.Map(map[string]string{"team": "ml", "ops:owner": "x"}), &diags)
	if back := TagsAll(ignored, merged.V); !all.Equal(back) || len(merged.V) != 3 {
		t.Errorf("planned tags_all %v, read back %v; merged %v", all, back, merged.V)
	}
	all, merged = PlanTags(ctx, unknownDefaults{}, own, &diags)
	if !all.IsUnknown() || merged.State != facts.StateUnknown {
		t.Errorf("unknown default_tags: tags_all %v, merged %+v; want both unknown (known only at apply)", all, merged)
	}
	if diags.HasError() {
		t.Error(diags)
	}
}
