package facts

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

func TestS3Bucket(t *testing.T) {
	for uri, want := range map[string]string{
		"s3://churn-data":                       "churn-data",
		"s3://churn-data/train/x.csv":           "churn-data",
		"s3://":                                 "",
		"s3:///key":                             "",
		"S3://churn-data/":                      "",
		"https://churn-data.s3.amazonaws.com/x": "",
	} {
		got, ok := S3Bucket(uri)
		if got != want || ok != (want != "") {
			t.Errorf("S3Bucket(%q) = %q, %v; want %q", uri, got, ok, want)
		}
	}
}
