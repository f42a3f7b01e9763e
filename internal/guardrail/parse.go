package guardrail

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"regexp"
	"strings"
)

// CheckEndpointURL enforces SS-TLS-1 on one AWS endpoint URL: it returns nil
// for an https:// URL with a host and for an http:// URL whose host is a
// loopback host (see IsLoopbackHost), and an error saying what is wrong
// otherwise. The provider calls it at configure time; the SS-TLS-1 check
// uses it on Subject.Endpoints.
func CheckEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("endpoint URL %q cannot be parsed: %v", raw, err)
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "https", "http":
	case "":
		return fmt.Errorf("endpoint URL %q has no scheme; write it as https://host[:port]", raw)
	default:
		return fmt.Errorf("endpoint URL %q uses the %s:// scheme; only https:// (or http:// to a loopback host) is allowed", raw, u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("endpoint URL %q has no host", raw)
	}
	if scheme == "http" && !IsLoopbackHost(host) {
		return fmt.Errorf("endpoint URL %q sends requests in plaintext to %s, which is not a loopback host; use https:// (http:// is allowed only for localhost, *.localhost, 127.0.0.0/8, ::1 and localhost.localstack.cloud)", raw, host)
	}
	return nil
}

// IsLoopbackHost reports whether host (a name or IP address, optionally
// bracketed or with a port) is one the provider may reach over plain HTTP:
// localhost, *.localhost, localhost.localstack.cloud, 127.0.0.0/8 or ::1.
func IsLoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "localhost.localstack.cloud" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

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

// s3Bucket returns the bucket of an s3://bucket[/key] URI.
func s3Bucket(uri string) (string, bool) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", false
	}
	bucket, _, _ := strings.Cut(rest, "/")
	return bucket, bucket != ""
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
