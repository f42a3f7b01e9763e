package shared

import (
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// TagSettings are the provider's tag settings as every resource applies
// them: default_tags merged under the resource's own tags, and ignore_tags,
// the live keys a resource neither records, reports as drift nor removes.
// providerdata.Data is one (this package cannot import it: providerdata
// depends on posture and guardrail).
type TagSettings interface {
	MergeTags(own map[string]string) map[string]string
	WithoutIgnored(live map[string]string) map[string]string
}

// SeenTags returns the live tags a resource records and compares with its
// plan: without the ignored keys. A nil settings (a provider not
// configured, in unit tests) ignores nothing. Every read of live tags goes
// through it, so a key added out of band under ignore_tags is never drift.
func SeenTags(s TagSettings, live map[string]string) map[string]string {
	if s == nil {
		return live
	}
	return s.WithoutIgnored(live)
}

// UpdateTags makes an object's tags want (ReconcileTags) while leaving the
// ignored keys of live alone: they are neither removed nor counted as
// changed, whatever live was read with.
func UpdateTags(s TagSettings, live, want map[string]string, untag func(keys []string) error, tag func(set map[string]string) error) error {
	return ReconcileTags(SeenTags(s, live), want, untag, tag)
}

// RemovedTagKeys are the keys of old (the tags an object was given) that want
// no longer has, sorted, ignored keys aside: what an update that works from
// the prior tags rather than a fresh read removes.
func RemovedTagKeys(s TagSettings, old, want map[string]string) []string {
	remove, _ := tagChanges(SeenTags(s, old), want)
	return remove
}

// TagsAll is a resource's tags_all read back: the live tags it sees (its
// own and the provider's default_tags, as AWS holds them), AWS's reserved
// aws: keys aside; an empty map when it has none, as PlanTags plans it.
func TagsAll(s TagSettings, live map[string]string) types.Map {
	seen := maps.Clone(SeenTags(s, live))
	maps.DeleteFunc(seen, func(k, _ string) bool { return IsAWSTag(k) })
	return tfval.Map(seen)
}

// IgnoredTags are the tags of live that s ignores: what a call replacing an
// object's whole tag set (S3's PutBucketTagging) sends again, so that it
// removes none of them.
func IgnoredTags(s TagSettings, live map[string]string) map[string]string {
	seen := SeenTags(s, live)
	out := maps.Clone(live)
	maps.DeleteFunc(out, func(k, _ string) bool { _, ok := seen[k]; return ok })
	return out
}
