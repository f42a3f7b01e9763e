package guardrail

import (
	"path"
	"regexp"
	"strings"
)

// ECRImage is a parsed Amazon ECR image URI.
type ECRImage struct {
	Account    string // 12-digit account that owns the registry
	Region     string
	Repository string
	Tag        string // "" when absent
	Digest     string // "sha256:<64 hex>", "" when absent
}

var ecrImageRE = regexp.MustCompile(`^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(\.cn)?/` +
	`((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)` + // repository
	`(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?` + // tag
	`(?:@(sha256:[a-f0-9]{64}))?$`) // digest

// ParseECRImage parses <12-digit account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag][@sha256:<64 hex>].
// The .cn suffix must go with a cn- region and only with one. It reports false
// for anything else, including images from other registries.
func ParseECRImage(image string) (ECRImage, bool) {
	m := ecrImageRE.FindStringSubmatch(image)
	if m == nil || (m[3] == ".cn") != strings.HasPrefix(m[2], "cn-") {
		return ECRImage{}, false
	}
	return ECRImage{Account: m[1], Region: m[2], Repository: m[4], Tag: m[5], Digest: m[6]}, true
}

// matchAny reports whether name matches one of the path.Match patterns; a
// malformed pattern matches nothing.
func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, err := path.Match(p, name); ok && err == nil {
			return true
		}
	}
	return false
}
