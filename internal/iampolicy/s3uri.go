package iampolicy

import (
	"regexp"
	"strings"
	"unicode"
)

var (
	bucketCharsRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	ipv4LikeRE    = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
)

// Reserved bucket-name prefixes and suffixes (S3 general purpose bucket
// naming rules). "--x-s3" names directory buckets (S3 Express One Zone),
// which are governed by s3express actions that these builders do not
// generate; "-s3alias" and "--ol-s3" name access point aliases.
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// ParseS3URI splits an s3://bucket/prefix URI into the bucket and a folder
// prefix.
//
// The prefix is returned without a leading slash and, when not empty, with a
// trailing "/": "s3://b/data" and "s3://b/data/" both give ("b", "data/").
// A prefix is always treated as a folder, so a grant for "s3://b/data" never
// reaches "b/data2/...". An empty prefix ("s3://b" or "s3://b/") means the
// whole bucket.
//
// It refuses, with an *Error:
//   - any scheme other than s3:// (https://, http://, ...): ErrNotS3Scheme, control SS-TLS-2;
//   - a wildcard ("*", "?") or policy variable ("${") anywhere: ErrWildcard, control SS-IAM-2;
//   - no scheme, an empty bucket, whitespace or control characters: ErrInvalidS3URI;
//   - a bucket name S3 would refuse, or a directory bucket or access point alias: ErrInvalidBucket.
func ParseS3URI(uri string) (bucket, prefix string, err error) {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return "", "", newError(ErrInvalidS3URI, "", uri, "an S3 location must be an s3://bucket/prefix URI")
	}
	if scheme != "s3" {
		return "", "", newError(ErrNotS3Scheme, controlTLS, uri,
			"use an s3://bucket/prefix URI, not a "+scheme+":// URL")
	}
	if err := checkExact(uri); err != nil {
		return "", "", err
	}
	if strings.IndexFunc(uri, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", "", newError(ErrInvalidS3URI, "", uri, "an S3 URI must not contain whitespace or control characters")
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", newError(ErrInvalidS3URI, "", uri, "the bucket name is empty")
	}
	if reason := bucketNameProblem(bucket); reason != "" {
		return "", "", newError(ErrInvalidBucket, "", uri, reason)
	}
	if key != "" && !strings.HasSuffix(key, "/") {
		key += "/"
	}
	return bucket, key, nil
}

// bucketNameProblem explains why name is not a usable general purpose bucket
// name, or returns "".
func bucketNameProblem(name string) string {
	switch {
	case !bucketCharsRE.MatchString(name):
		return "bucket names are 3-63 lowercase letters, digits, dots and hyphens, and begin and end with a letter or digit"
	case strings.Contains(name, ".."):
		return "bucket names must not contain two adjacent periods"
	case ipv4LikeRE.MatchString(name):
		return "bucket names must not look like an IP address"
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return "bucket names must not start with the reserved prefix " + p
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			return "bucket names ending in " + s + " (directory buckets, access point aliases, ...) are not supported"
		}
	}
	return ""
}
