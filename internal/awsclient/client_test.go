package awsclient

import (
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

type recorder struct{ hosts []string }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.hosts = append(r.hosts, req.URL.Host)
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

func TestPlaintextGuard(t *testing.T) {
	cases := []struct {
		url     string
		allowed bool
	}{
		{"https://sagemaker.us-east-1.amazonaws.com/", true},
		{"http://127.0.0.1:4566/", true},
		{"http://localhost:4566/", true},
		{"http://[::1]:4566/", true},
		{"http://localhost.localstack.cloud:4566/", true},
		{"http://sagemaker.us-east-1.amazonaws.com/", false},
		{"http://10.0.0.5:4566/", false},
		// The instance and container credential endpoints (link-local, by design).
		{"http://169.254.169.254/latest/api/token", true},
		{"http://[fd00:ec2::254]/latest/api/token", true},
		{"http://169.254.170.2/v2/credentials/x", true},
		{"http://169.254.170.23/v1/credentials", true},
		{"http://169.254.169.253/", false},
		{"http://169.254.170.3/", false},
	}
	for _, c := range cases {
		rec := &recorder{}
		client := plaintextGuard{base: rec}
		req, _ := http.NewRequest(http.MethodPost, c.url, nil)
		_, err := client.RoundTrip(req)
		if c.allowed && (err != nil || len(rec.hosts) != 1) {
			t.Errorf("%s: want the request sent, got err=%v sent=%d", c.url, err, len(rec.hosts))
		}
		if !c.allowed && (err == nil || !strings.Contains(err.Error(), "SS-TLS-1") || len(rec.hosts) != 0) {
			t.Errorf("%s: want SS-TLS-1 refusal before sending, got err=%v sent=%d", c.url, err, len(rec.hosts))
		}
	}
}

func TestGuardedClientEnforcesTLS12AndWraps(t *testing.T) {
	weak := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS10}
	})
	var wrapped int
	injected := errors.New("injected")
	c := guardedClient(weak, func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			wrapped++
			return nil, injected
		})
	})
	req, _ := http.NewRequest(http.MethodGet, "https://example.com/", nil)
	if _, err := c.Do(req); !errors.Is(err, injected) || wrapped != 1 {
		t.Fatalf("test wrapper not installed: err=%v calls=%d", err, wrapped)
	}
	bc := weak.WithTransportOptions(enforceTLS12)
	if got := bc.GetTransport().TLSClientConfig.MinVersion; got != tls.VersionTLS12 {
		t.Fatalf("MinVersion = %x, want TLS 1.2", got)
	}
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestResolveEndpointsPrecedence(t *testing.T) {
	env := map[string]string{
		"AWS_ENDPOINT_URL":           "http://localhost:1111",
		"AWS_ENDPOINT_URL_SAGEMAKER": "http://localhost:2222",
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	eps := ResolveEndpoints("", map[string]string{"kms": "https://kms.example.com"}, lookup)
	if got := eps["kms"]; got.URL != "https://kms.example.com" || got.Source != "endpoints.kms" {
		t.Errorf("kms = %+v", got)
	}
	if got := eps["sagemaker"]; got.URL != "http://localhost:2222" || got.Source != "AWS_ENDPOINT_URL_SAGEMAKER" {
		t.Errorf("sagemaker = %+v", got)
	}
	if got := eps["ec2"]; got.URL != "http://localhost:1111" || got.Source != "AWS_ENDPOINT_URL" {
		t.Errorf("ec2 = %+v", got)
	}

	eps = ResolveEndpoints("http://127.0.0.1:3333", nil, lookup)
	if got := eps["ec2"]; got.URL != "http://127.0.0.1:3333" || got.Source != "endpoint_url" {
		t.Errorf("endpoint_url should beat AWS_ENDPOINT_URL: %+v", got)
	}
	if got := eps["sagemaker"]; got.Source != "AWS_ENDPOINT_URL_SAGEMAKER" {
		t.Errorf("the service variable should beat endpoint_url: %+v", got)
	}

	env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
	if eps := ResolveEndpoints("", nil, lookup); len(eps) != 0 {
		t.Errorf("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: want no endpoints, got %+v", eps)
	}
}

func TestCheckEndpoints(t *testing.T) {
	diags := CheckEndpoints(ResolveEndpoints("http://example.com:4566", nil, func(string) (string, bool) { return "", false }))
	if !diags.HasError() || diags.ErrorsCount() != 1 {
		t.Fatalf("want exactly one SS-TLS-1 error (deduplicated across services), got %v", diags)
	}
	if !strings.Contains(diags[0].Summary(), "SS-TLS-1") || !strings.Contains(diags[0].Detail(), "Fix:") {
		t.Errorf("diagnostic wording: %q / %q", diags[0].Summary(), diags[0].Detail())
	}
	if d := CheckEndpoints(ResolveEndpoints("https://example.com", nil, func(string) (string, bool) { return "", false })); d.HasError() {
		t.Errorf("https must be accepted: %v", d)
	}
}
