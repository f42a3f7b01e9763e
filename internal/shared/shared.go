// Package shared holds the small helpers every resource package needs, once:
// tag conversion between Terraform maps and the AWS SDKs' tag types and the
// tag reconcile diff, the Read / post-apply refresh skeleton, planning of
// tags_all and controls, and quoting values for schema descriptions. AWS
// error codes are matched with aws-sdk-go-base's tfawserr and sorted keys come
// from the standard library (slices.Sorted(maps.Keys(m))), so neither has a
// helper here. Of this module it imports only the leaf packages facts and
// tfval.
package shared

import (
	"maps"
	"slices"
	"strings"
)

// Backticked renders values as a Markdown list of code spans:
// "`a`, `b`, `c`" (schema descriptions list allowed values this way).
func Backticked(values []string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = "`" + v + "`"
	}
	return strings.Join(parts, ", ")
}

// TagList converts a tag map into an SDK tag list, sorted by key so that
// requests are deterministic. newTag builds one SDK tag, e.g.
//
//	shared.TagList(m, func(k, v *string) ec2types.Tag { return ec2types.Tag{Key: k, Value: v} })
func TagList[T any](m map[string]string, newTag func(key, value *string) T) []T {
	if len(m) == 0 {
		return nil
	}
	out := make([]T, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		out = append(out, newTag(&k, &v))
	}
	return out
}

// TagMap converts an SDK tag list into a map (never nil). keyValue returns
// one tag's key and value, e.g.
//
//	shared.TagMap(tags, func(t ec2types.Tag) (*string, *string) { return t.Key, t.Value })
func TagMap[T any](tags []T, keyValue func(T) (key, value *string)) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v := keyValue(t)
		if k == nil {
			continue
		}
		value := ""
		if v != nil {
			value = *v
		}
		out[*k] = value
	}
	return out
}

// IsAWSTag reports whether a tag key is reserved by AWS ("aws:" prefix):
// AWS sets such tags itself and refuses to let anyone add or remove them, so
// they are never planned, diffed or removed.
func IsAWSTag(key string) bool { return strings.HasPrefix(key, "aws:") }
