package guardrail

import (
	"strings"
	"testing"
)

func TestParseECRImage(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0f", 32)
	valid := map[string]ECRImage{
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn": {
			Account: "111122223333", Region: "eu-west-1", Repository: "churn"},
		"111122223333.dkr.ecr.us-gov-west-1.amazonaws.com/team/churn-model:v1.2_3": {
			Account: "111122223333", Region: "us-gov-west-1", Repository: "team/churn-model", Tag: "v1.2_3"},
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn@" + digest: {
			Account: "111122223333", Region: "eu-west-1", Repository: "churn", Digest: digest},
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com/a.b/c_d:latest@" + digest: {
			Account: "111122223333", Region: "eu-west-1", Repository: "a.b/c_d", Tag: "latest", Digest: digest},
		"111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/churn:1": {
			Account: "111122223333", Region: "cn-north-1", Repository: "churn", Tag: "1"},
	}
	for image, want := range valid {
		got, ok := ParseECRImage(image)
		if !ok || got != want {
			t.Errorf("ParseECRImage(%q) = %+v, %v; want %+v, true", image, got, ok, want)
		}
	}
	for _, image := range []string{
		"",
		"pytorch/pytorch:2.3",
		"docker.io/library/python:3.12",
		"public.ecr.aws/lambda/python:3.12",
		"11112222333.dkr.ecr.eu-west-1.amazonaws.com/churn",             // 11-digit account
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com/",                 // no repository
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com/Churn",            // upper case repository
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn@sha256:abc", // short digest
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn:",           // empty tag
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com.cn/churn",         // .cn outside China
		"111122223333.dkr.ecr.cn-north-1.amazonaws.com/churn",           // China without .cn
		"111122223333.dkr.ecr.eu-west-1.amazonaws.com.evil.example/churn",
		"https://111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn",
	} {
		if got, ok := ParseECRImage(image); ok {
			t.Errorf("ParseECRImage(%q) = %+v, true; want false", image, got)
		}
	}
}

func TestMatchAny(t *testing.T) {
	for _, tc := range []struct {
		patterns []string
		name     string
		want     bool
	}{
		{[]string{"ml.m5.*"}, "ml.m5.xlarge", true},
		{[]string{"ml.m5.*"}, "ml.m5d.xlarge", false},
		{[]string{"ml.m5*.*"}, "ml.m5d.xlarge", true},
		{[]string{"ml.c5.*", "ml.g5.?xlarge"}, "ml.g5.2xlarge", true},
		{[]string{"ml.g5.?xlarge"}, "ml.g5.12xlarge", false},
		{[]string{"ml.[cm]5.large"}, "ml.c5.large", true},
		{[]string{"ml.m5.xlarge"}, "ml.m5.xlarge", true},
		{[]string{"ml.m5.xlarge"}, "ml.m5.2xlarge", false},
		{[]string{"ml.[m5.*"}, "ml.m5.xlarge", false}, // malformed pattern
		{nil, "ml.m5.xlarge", false},
	} {
		if got := matchAny(tc.patterns, tc.name); got != tc.want {
			t.Errorf("matchAny(%q, %q) = %v, want %v", tc.patterns, tc.name, got, tc.want)
		}
	}
}
