package iampolicy

import (
	"errors"
	"testing"
)

// The supported partitions' DNS suffixes come from aws-sdk-go-base's
// endpoints table; both must resolve, and to the suffix the regional service
// names (kms:ViaService, logs.<region>.amazonaws.com) have always used.
func TestScopeDNSSuffixFromEndpointsTable(t *testing.T) {
	for partition, region := range map[string]string{"aws": "us-east-1", "aws-us-gov": "us-gov-west-1"} {
		sc, err := newScope(partition, region, testAccount)
		if err != nil {
			t.Fatalf("newScope(%q): %v", partition, err)
		}
		if got, want := sc.regionalHost("sagemaker"), "sagemaker."+region+".amazonaws.com"; got != want {
			t.Errorf("regionalHost in %s = %q, want %q", partition, got, want)
		}
	}
	// Known to the table but not to the builders, and unknown to both.
	for _, partition := range []string{"aws-cn", "aws-iso", "aws-eusc", "nope", ""} {
		if _, err := newScope(partition, testRegion, testAccount); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("newScope(%q) = %v, want ErrInvalidSpec", partition, err)
		}
	}
}

func TestSplitARN(t *testing.T) {
	sc, err := newScope(testPartition, testRegion, testAccount)
	if err != nil {
		t.Fatal(err)
	}
	p, err := sc.splitARN(testKeyARN, "kms", "a key")
	if err != nil || p.Region != testRegion || p.AccountID != testAccount || p.Resource != "key/1234abcd-12ab-34cd-56ef-1234567890ab" {
		t.Errorf("splitARN(%q) = %+v, %v", testKeyARN, p, err)
	}
	for _, bad := range []string{
		"key/1234",                                        // not an ARN
		"arn:aws:kms:us-east-1:111122223333",              // too few sections
		"arn:aws:s3:::bucket",                             // another service
		"arn:aws-us-gov:kms:us-east-1:111122223333:key/x", // another partition
	} {
		if _, err := sc.splitARN(bad, "kms", "a key"); !errors.Is(err, ErrInvalidARN) {
			t.Errorf("splitARN(%q) = %v, want ErrInvalidARN", bad, err)
		}
	}
}
