package iampolicy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseS3URI(t *testing.T) {
	for _, tc := range []struct {
		uri, bucket, prefix string
	}{
		{"s3://bucket", "bucket", ""},
		{"s3://bucket/", "bucket", ""},
		{"s3://bucket/a", "bucket", "a/"},
		{"s3://bucket/a/", "bucket", "a/"},
		{"s3://bucket/a/b", "bucket", "a/b/"},
		{"s3://bucket/a/b/", "bucket", "a/b/"},
		{"s3://my.data-bucket.1/train-2024/part=1", "my.data-bucket.1", "train-2024/part=1/"},
		{"s3://abc/x", "abc", "x/"},
		{"s3://" + strings.Repeat("a", 63) + "/x", strings.Repeat("a", 63), "x/"},
	} {
		bucket, prefix, err := ParseS3URI(tc.uri)
		if err != nil || bucket != tc.bucket || prefix != tc.prefix {
			t.Errorf("ParseS3URI(%q) = %q, %q, %v; want %q, %q", tc.uri, bucket, prefix, err, tc.bucket, tc.prefix)
		}
	}
}

func TestParseS3URIRefuses(t *testing.T) {
	for _, tc := range []struct {
		uri      string
		sentinel error
		control  string
	}{
		{"https://bucket.s3.amazonaws.com/data", ErrNotS3Scheme, "SS-TLS-2"},
		{"http://bucket/data", ErrNotS3Scheme, "SS-TLS-2"},
		{"S3://bucket/data", ErrNotS3Scheme, "SS-TLS-2"},
		{"s3a://bucket/data", ErrNotS3Scheme, "SS-TLS-2"},
		{"s3://bucket/*", ErrWildcard, "SS-IAM-2"},
		{"s3://bucket/data*", ErrWildcard, "SS-IAM-2"},
		{"s3://bucket/a?b", ErrWildcard, "SS-IAM-2"},
		{"s3://buck*t/data", ErrWildcard, "SS-IAM-2"},
		{"s3://*", ErrWildcard, "SS-IAM-2"},
		{"s3://bucket/${aws:username}/", ErrWildcard, "SS-IAM-2"},
		{"bucket/data", ErrInvalidS3URI, ""},
		{"", ErrInvalidS3URI, ""},
		{"s3://", ErrInvalidS3URI, ""},
		{"s3:///data", ErrInvalidS3URI, ""},
		{"s3://bucket/my data", ErrInvalidS3URI, ""},
		{"s3://bucket/a\nb", ErrInvalidS3URI, ""},
		{"s3://ab/x", ErrInvalidBucket, ""},
		{"s3://" + strings.Repeat("a", 64), ErrInvalidBucket, ""},
		{"s3://My-Bucket/x", ErrInvalidBucket, ""},
		{"s3://my_bucket/x", ErrInvalidBucket, ""},
		{"s3://-bucket/x", ErrInvalidBucket, ""},
		{"s3://bucket-/x", ErrInvalidBucket, ""},
		{"s3://my..bucket/x", ErrInvalidBucket, ""},
		{"s3://192.168.5.4/x", ErrInvalidBucket, ""},
		{"s3://xn--bucket/x", ErrInvalidBucket, ""},
		{"s3://sthree-bucket/x", ErrInvalidBucket, ""},
		{"s3://bucket-s3alias/x", ErrInvalidBucket, ""},
		{"s3://bucket--ol-s3/x", ErrInvalidBucket, ""},
		{"s3://bucket--use1-az4--x-s3/x", ErrInvalidBucket, ""},
	} {
		t.Run(tc.uri, func(t *testing.T) {
			_, _, err := ParseS3URI(tc.uri)
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("err = %v, want %v", err, tc.sentinel)
			}
			if got := ControlOf(err); got != tc.control {
				t.Errorf("control = %q, want %q", got, tc.control)
			}
			if !strings.Contains(err.Error(), tc.control) || (tc.uri != "" && !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.uri))) {
				t.Errorf("message %q should name the control and the URI", err)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	_, _, err := ParseS3URI("s3://bucket/*")
	err = at(err, "S3ReadURIs", 2)
	want := `SS-IAM-2: S3ReadURIs[2] "s3://bucket/*": wildcards (*, ?) and policy variables (${...}) are not allowed; name the exact resource`
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	if ControlOf(errors.New("plain")) != "" {
		t.Error("ControlOf of a plain error must be empty")
	}
	if got := at(errors.New("plain"), "X", 0).Error(); got != "plain" {
		t.Errorf("at() must pass through foreign errors, got %q", got)
	}
}

func TestErrorMessageWithoutValue(t *testing.T) {
	spec := fullRoleSpec(PurposeTraining)
	spec.SecurityGroupIDs = nil
	_, err := ExecutionPolicy(spec)
	if want := "SubnetIDs: give both subnet IDs and security group IDs, or neither"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}
