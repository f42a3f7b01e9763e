package audittrail

import (
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

func TestBucketIsLeftover(t *testing.T) {
	const account, trail = "123456789012", "ml-audit"
	bucket := "sagesafe-audit-" + account + "-0123456789abcdef"
	own := ownBucketTags(account, bucket, trail)
	if own[idem.TokenTag] != "0123456789abcdef" || own[tagBucketOf] != trail {
		t.Fatalf("ownBucketTags = %v", own)
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{tagBucketOf: trail, idem.TokenTag: "0123456789abcdef"}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name, bucket string
		tags         map[string]string
		want         string // "" = taken up; else a fragment of the refusal
	}{
		{"made by sagesafe for this trail", bucket, own, ""},
		{"no creation token (made by hand)", bucket, with(idem.TokenTag, ""), idem.TokenTag},
		{"made for another trail", bucket, with(tagBucketOf, "other"), tagBucketOf},
		{"token other than its name's", bucket, with(idem.TokenTag, "ffffffffffffffff"), "hex part"},
		{"another account's name", "sagesafe-audit-999999999999-0123456789abcdef", own, "name"},
		{"a name outside the scheme", "audit-logs", own, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := bucketIsLeftover(account, tc.bucket, trail, tc.tags)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("want a refusal naming %q, got %v", tc.want, err)
			}
		})
	}
}
