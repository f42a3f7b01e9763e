package guardrail

import (
	"strings"
	"testing"
)

func TestCheckEndpointURL(t *testing.T) {
	allowed := []string{
		"https://api.sagemaker.eu-west-1.amazonaws.com",
		"https://example.com:8443/path",
		"HTTPS://Example.com",
		"http://127.0.0.1:4566",
		"http://127.8.9.10",
		"http://[::1]:5000",
		"http://localhost:4566",
		"http://LOCALHOST",
		"http://localhost.localstack.cloud:4566",
		"http://foo.localhost",
	}
	for _, raw := range allowed {
		if err := CheckEndpointURL(raw); err != nil {
			t.Errorf("CheckEndpointURL(%q) = %v, want nil", raw, err)
		}
	}
	refused := map[string]string{
		"http://example.com":               "not a loopback host",
		"http://10.0.0.1":                  "not a loopback host",
		"http://localhost@evil.example":    "not a loopback host",
		"http://localhost.evil.example":    "not a loopback host",
		"http://s3.localstack.cloud:4566":  "not a loopback host",
		"ftp://x":                          "ftp:// scheme",
		"not a url":                        "no scheme",
		"http://":                          "no host",
		"https://":                         "no host",
		"https://[::1":                     "cannot be parsed",
		"localhost:4566":                   "localhost:// scheme",
		"http://127.0.0.1.nip.io":          "not a loopback host",
		"http://[fe80::1]:4566":            "not a loopback host",
		"http://0.0.0.0:4566":              "not a loopback host",
		"http://169.254.169.254/latest":    "not a loopback host",
		"http://localhost.localstack.clou": "not a loopback host",
	}
	for raw, want := range refused {
		err := CheckEndpointURL(raw)
		if err == nil {
			t.Errorf("CheckEndpointURL(%q) = nil, want an error", raw)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckEndpointURL(%q) = %q, want it to mention %q", raw, err, want)
		}
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost":                  true,
		"localhost.":                 true,
		"api.localhost":              true,
		"localhost.localstack.cloud": true,
		"127.0.0.1":                  true,
		"127.255.255.254":            true,
		"::1":                        true,
		"[::1]":                      true,
		"[::1]:5000":                 true,
		"localhost:4566":             true,
		"128.0.0.1":                  false,
		"::2":                        false,
		"mylocalhost":                false,
		"localhost.com":              false,
		"localstack.cloud":           false,
		"":                           false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

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

func TestS3Bucket(t *testing.T) {
	for uri, want := range map[string]string{
		"s3://churn-data":                       "churn-data",
		"s3://churn-data/train/x.csv":           "churn-data",
		"s3://":                                 "",
		"s3:///key":                             "",
		"S3://churn-data/":                      "",
		"https://churn-data.s3.amazonaws.com/x": "",
	} {
		got, ok := s3Bucket(uri)
		if got != want || ok != (want != "") {
			t.Errorf("s3Bucket(%q) = %q, %v; want %q", uri, got, ok, want)
		}
	}
}
