package facts

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// Endpoint is an AWS service endpoint the provider will talk to.
type Endpoint struct {
	Service string // "" for the global endpoint_url
	URL     string
	Source  string // "endpoint_url", "endpoints.sagemaker", "AWS_ENDPOINT_URL", ...
}

// CheckEndpointURL enforces SS-TLS-1 on one AWS endpoint URL: it returns nil
// for an https:// URL with a host and for an http:// URL whose host is a
// loopback host (see IsLoopbackHost), and an error saying what is wrong
// otherwise. The provider calls it at configure time; the SS-TLS-1 check
// (guardrail) uses it on Subject.Endpoints.
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

// validBucketName matches a DNS-compliant S3 bucket name (3-63 characters
// of lower-case letters, digits, dots and hyphens, starting and ending with
// a letter or digit), the only form S3 has accepted for new buckets since
// 2020 and the only one whose owner sagesafe can ask about.
var validBucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// ValidBucketName reports whether name is a DNS-compliant bucket name.
func ValidBucketName(name string) bool { return validBucketName.MatchString(name) }

// S3Bucket returns the bucket of an s3://bucket[/key] URI.
func S3Bucket(uri string) (string, bool) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", false
	}
	bucket, _, _ := strings.Cut(rest, "/")
	return bucket, bucket != ""
}
