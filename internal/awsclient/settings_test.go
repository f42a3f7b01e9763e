package awsclient

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// stsConfig is a Config with static keys whose STS is srv.
func stsConfig(srv *httptest.Server) Config {
	return Config{
		Region:     "us-east-1",
		AccessKey:  "AKIATEST",
		SecretKey:  "secret",
		Endpoints:  map[string]string{"sts": srv.URL},
		MaxRetries: 1,
		LookupEnv:  noEnv,
	}
}

func newSTS(t *testing.T) (*stsServer, *httptest.Server) {
	t.Helper()
	isolateAWSEnv(t)
	sts := &stsServer{}
	srv := httptest.NewServer(sts)
	t.Cleanup(srv.Close)
	return sts, srv
}

// allowed_account_ids / forbidden_account_ids: hashicorp/aws's wording, an
// error before New returns a client (so before any resource call).
func TestNew_accountGuard(t *testing.T) {
	cases := []struct {
		name               string
		allowed, forbidden []string
		wantErr            bool
	}{
		{"allowed lists the account", []string{"123456789012"}, nil, false},
		{"allowed does not list it", []string{"210987654321"}, nil, true},
		{"forbidden lists it", nil, []string{"123456789012"}, true},
		{"forbidden does not list it", nil, []string{"210987654321"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, srv := newSTS(t)
			cfg := stsConfig(srv)
			cfg.AllowedAccountIDs, cfg.ForbiddenAccountIDs = c.allowed, c.forbidden
			cl, diags := New(context.Background(), cfg)
			if !c.wantErr {
				if diags.HasError() || cl == nil {
					t.Fatalf("want a client, got %v", diags)
				}
				return
			}
			if cl != nil || !strings.Contains(diagText(diags), "AWS account ID not allowed: 123456789012") {
				t.Fatalf("want 'AWS account ID not allowed: 123456789012' and no client, got %v", diags)
			}
		})
	}
}

// Role chaining: each assume_role is assumed in order with every field
// hashicorp/aws passes on.
func TestNew_assumeRoleChain(t *testing.T) {
	sts, srv := newSTS(t)
	cfg := stsConfig(srv)
	cfg.AssumeRole = []AssumeRole{
		{RoleARN: "arn:aws:iam::111111111111:role/first", SessionName: "one"},
		{
			RoleARN: "arn:aws:iam::123456789012:role/second", SessionName: "two", SourceIdentity: "ci",
			Policy:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"}]}`,
			PolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
			Tags:       map[string]string{"pipeline": "ml"}, TransitiveTagKeys: []string{"pipeline"},
		},
	}
	if _, diags := New(context.Background(), cfg); diags.HasError() {
		t.Fatalf("New: %v", diags)
	}
	// Each credential retrieval walks the chain (the SDK may retrieve more
	// than once): the roles are assumed in order, first then second.
	var order []string
	second, secondAt := url.Values(nil), -1
	for i, a := range sts.actions {
		if a != "AssumeRole" {
			continue
		}
		order = append(order, sts.forms[i].Get("RoleArn"))
		if second == nil && sts.forms[i].Get("RoleArn") == cfg.AssumeRole[1].RoleARN {
			second, secondAt = sts.forms[i], i
		}
	}
	if len(order) < 2 || order[0] != cfg.AssumeRole[0].RoleARN || second == nil {
		t.Fatalf("roles assumed in order %v, want first then second", order)
	}
	want := map[string]string{
		"SourceIdentity":             "ci",
		"PolicyArns.member.1.arn":    "arn:aws:iam::aws:policy/ReadOnlyAccess",
		"Tags.member.1.Key":          "pipeline",
		"Tags.member.1.Value":        "ml",
		"TransitiveTagKeys.member.1": "pipeline",
		"RoleSessionName":            "two",
		"Policy":                     cfg.AssumeRole[1].Policy,
	}
	for k, v := range want {
		if got := second.Get(k); got != v {
			t.Errorf("second AssumeRole %s = %q, want %q", k, got, v)
		}
	}
	// The second role is assumed with the first role's credentials.
	if !strings.Contains(sts.auth[secondAt], "Credential=ASIATEST/") {
		t.Errorf("second AssumeRole signed with %q, want the first session's key", sts.auth[secondAt])
	}
}

// assume_role_with_web_identity: the token is exchanged, and the session's
// credentials sign the caller-identity call.
func TestNew_webIdentity(t *testing.T) {
	sts, srv := newSTS(t)
	cfg := stsConfig(srv)
	cfg.AccessKey, cfg.SecretKey = "", ""
	cfg.AssumeRoleWithWebIdentity = &AssumeRoleWithWebIdentity{RoleARN: "arn:aws:iam::123456789012:role/ci", SessionName: "s", WebIdentityToken: "oidc-token"}
	if _, diags := New(context.Background(), cfg); diags.HasError() {
		t.Fatalf("New: %v", diags)
	}
	if len(sts.actions) < 2 || sts.actions[0] != "AssumeRoleWithWebIdentity" || sts.forms[0].Get("WebIdentityToken") != "oidc-token" {
		t.Fatalf("server saw %v (first form %v)", sts.actions, sts.forms)
	}
	if last := sts.auth[len(sts.auth)-1]; !strings.Contains(last, "Credential=ASIAWEB/") {
		t.Errorf("GetCallerIdentity signed with %q, want the web identity session", last)
	}
}

// sts_region: STS calls are signed for that region, other services keep
// region.
func TestNew_stsRegion(t *testing.T) {
	sts, srv := newSTS(t)
	cfg := stsConfig(srv)
	cfg.StsRegion = "eu-central-1"
	cl, diags := New(context.Background(), cfg)
	if diags.HasError() {
		t.Fatalf("New: %v", diags)
	}
	if !strings.Contains(sts.auth[0], "/eu-central-1/sts/") {
		t.Errorf("GetCallerIdentity signed with %q, want region eu-central-1", sts.auth[0])
	}
	if cl.Region != "us-east-1" {
		t.Errorf("region = %q", cl.Region)
	}
}

// skip_credentials_validation + skip_requesting_account_id: no STS call, no
// account (a warning says the guardrails then fail closed), and the account
// lists cannot be satisfied.
func TestNew_skipRequestingAccountID(t *testing.T) {
	sts, srv := newSTS(t)
	cfg := stsConfig(srv)
	cfg.SkipCredentialsValidation, cfg.SkipRequestingAccountID = true, true
	cl, diags := New(context.Background(), cfg)
	if diags.HasError() {
		t.Fatalf("New: %v", diags)
	}
	if len(sts.actions) != 0 {
		t.Errorf("STS was called: %v", sts.actions)
	}
	if cl.AccountID != "" || cl.Partition != "aws" || !strings.Contains(diagText(diags), "fail closed") {
		t.Errorf("account %q partition %q diags %v", cl.AccountID, cl.Partition, diags)
	}
	cfg.AllowedAccountIDs = []string{"123456789012"}
	if cl, diags = New(context.Background(), cfg); cl != nil || !strings.Contains(diagText(diags), "AWS account ID not allowed: unknown") {
		t.Errorf("unknown account with allowed_account_ids: client %v, diags %v", cl != nil, diags)
	}
}

// skip_credentials_validation alone: the account is still looked up, the
// way hashicorp/aws does (aws-sdk-go-base: IAM, then STS).
func TestNew_skipCredentialsValidationStillFindsAccount(t *testing.T) {
	sts, srv := newSTS(t)
	sts.account = "210987654321"
	cfg := stsConfig(srv)
	cfg.Endpoints["iam"] = srv.URL // GetUser fails there; STS answers
	cfg.SkipCredentialsValidation = true
	cl, diags := New(context.Background(), cfg)
	if diags.HasError() {
		t.Fatalf("New: %v", diags)
	}
	if cl.AccountID != "210987654321" {
		t.Errorf("account = %q (server saw %v)", cl.AccountID, sts.actions)
	}
}

// retry_mode: unset, AWS_RETRY_MODE decides (as hashicorp/aws); set, it
// wins over the environment.
func TestNew_retryMode(t *testing.T) {
	_, srv := newSTS(t)
	t.Setenv("AWS_RETRY_MODE", "adaptive")
	cl, diags := New(context.Background(), stsConfig(srv))
	if diags.HasError() {
		t.Fatalf("New: %v", diags)
	}
	if cl.AWSConfig.RetryMode != aws.RetryModeAdaptive {
		t.Errorf("AWS_RETRY_MODE=adaptive: retry mode %q", cl.AWSConfig.RetryMode)
	}
	cfg := stsConfig(srv)
	cfg.RetryMode = aws.RetryModeStandard
	if cl, _ = New(context.Background(), cfg); cl.AWSConfig.RetryMode != aws.RetryModeStandard {
		t.Errorf("retry_mode = standard: retry mode %q", cl.AWSConfig.RetryMode)
	}
}

var errStop = errors.New("stopped by the test")

// hostOfSageMakerCall returns the host a SageMaker call is sent to, without
// sending it. STS (no custom endpoint: the SDK refuses FIPS with one) is
// answered in the transport.
func hostOfSageMakerCall(t *testing.T, cfg Config) string {
	t.Helper()
	var mu sync.Mutex
	var host string
	cfg.WrapTransport = func(http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			if strings.Contains(r.URL.Host, "sts") {
				rec := httptest.NewRecorder()
				(&stsServer{}).ServeHTTP(rec, r)
				return rec.Result(), nil
			}
			mu.Lock()
			host = r.URL.Host
			mu.Unlock()
			return nil, errStop
		})
	}
	cl, diags := New(context.Background(), cfg)
	if diags.HasError() {
		t.Fatalf("New: %v", diags)
	}
	_, _ = cl.SageMaker.ListEndpoints(context.Background(), &sagemaker.ListEndpointsInput{})
	mu.Lock()
	defer mu.Unlock()
	return host
}

// use_fips_endpoint / use_dualstack_endpoint, and their environment
// variables, choose the endpoints the SDK resolves.
func TestNew_fipsAndDualStack(t *testing.T) {
	isolateAWSEnv(t)
	cfg := Config{Region: "us-east-1", AccessKey: "AKIATEST", SecretKey: "secret", MaxRetries: 1, LookupEnv: noEnv}
	if h := hostOfSageMakerCall(t, cfg); h != "api.sagemaker.us-east-1.amazonaws.com" {
		t.Errorf("default host %q", h)
	}
	cfg.UseFIPSEndpoint = true
	if h := hostOfSageMakerCall(t, cfg); !strings.Contains(h, "fips") {
		t.Errorf("use_fips_endpoint: host %q", h)
	}
	cfg.UseFIPSEndpoint, cfg.UseDualStackEndpoint = false, true
	if h := hostOfSageMakerCall(t, cfg); !strings.HasSuffix(h, ".api.aws") {
		t.Errorf("use_dualstack_endpoint: host %q", h)
	}
	cfg.UseDualStackEndpoint = false
	t.Setenv("AWS_USE_FIPS_ENDPOINT", "true")
	if h := hostOfSageMakerCall(t, cfg); !strings.Contains(h, "fips") {
		t.Errorf("AWS_USE_FIPS_ENDPOINT: host %q", h)
	}
	t.Setenv("AWS_USE_FIPS_ENDPOINT", "")
	t.Setenv("AWS_USE_DUALSTACK_ENDPOINT", "true")
	if h := hostOfSageMakerCall(t, cfg); !strings.HasSuffix(h, ".api.aws") {
		t.Errorf("AWS_USE_DUALSTACK_ENDPOINT: host %q", h)
	}
}

// skip_metadata_api_check is tri-state, as hashicorp/aws's.
func TestBaseConfig_metadataAPICheck(t *testing.T) {
	for _, c := range []struct {
		skip *bool
		want imds.ClientEnableState
	}{{nil, imds.ClientDefaultEnableState}, {aws.Bool(true), imds.ClientDisabled}, {aws.Bool(false), imds.ClientEnabled}} {
		if got := baseConfig(Config{SkipMetadataAPICheck: c.skip}, nil).EC2MetadataServiceEnableState; got != c.want {
			t.Errorf("skip_metadata_api_check %v: state %v, want %v", c.skip, got, c.want)
		}
	}
}

// custom_ca_bundle is a CA bundle like AWS_CA_BUNDLE: the server it signs
// is trusted, through the guarded CA-bundle path.
func TestNew_customCABundle(t *testing.T) {
	isolateAWSEnv(t)
	sts := &stsServer{}
	srv := httptest.NewTLSServer(sts)
	defer srv.Close()
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, pemOf(srv), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := stsConfig(srv)
	if _, diags := New(context.Background(), cfg); !diags.HasError() {
		t.Fatal("the test server's certificate was trusted without the bundle")
	}
	cfg.CustomCABundle = bundle
	cl, diags := New(context.Background(), cfg)
	if diags.HasError() {
		t.Fatalf("New with custom_ca_bundle: %v", diags)
	}
	hc, ok := cl.AWSConfig.HTTPClient.(*http.Client)
	if !ok || cl.AccountID != "123456789012" {
		t.Fatalf("client %T, account %q", cl.AWSConfig.HTTPClient, cl.AccountID)
	}
	if _, guarded := hc.Transport.(plaintextGuard); !guarded {
		t.Errorf("the custom_ca_bundle client's transport is %T, not the plaintext guard", hc.Transport)
	}
}

func pemOf(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

// connectProxy records the hosts it is asked to CONNECT to and refuses them.
type connectProxy struct {
	mu    sync.Mutex
	hosts []string
}

func (p *connectProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.hosts = append(p.hosts, r.Method+" "+r.Host)
	p.mu.Unlock()
	http.Error(w, "no", http.StatusForbidden)
}

func (p *connectProxy) seen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.hosts, ",")
}

// http_proxy, https_proxy and no_proxy as hashicorp/aws: https_proxy (or
// HTTPS_PROXY) carries HTTPS; http_proxy alone carries it too (legacy mode);
// no_proxy exempts a host. The same with a custom CA bundle, where the SDK
// builds the client and plain http goes to the plaintext sink.
func TestNew_proxies(t *testing.T) {
	isolateAWSEnv(t)
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, pemOf(tlsSrv), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, caBundle := range []string{"", bundle} {
		t.Run("bundle="+filepath.Base(caBundle), func(t *testing.T) { testProxies(t, caBundle) })
	}
}

func testProxies(t *testing.T, caBundle string) {
	const stsHost = "sts.proxytest.example"
	for _, c := range []struct {
		name      string
		set       func(*Config, string)
		env       map[string]string
		wantProxy bool
	}{
		{"https_proxy", func(c *Config, u string) { c.HTTPSProxy = &u }, nil, true},
		{"http_proxy alone", func(c *Config, u string) { c.HTTPProxy = &u }, nil, true},
		{"HTTPS_PROXY", func(*Config, string) {}, map[string]string{"HTTPS_PROXY": "proxy"}, true},
		{"no_proxy", func(c *Config, u string) { c.HTTPSProxy = &u; c.NoProxy = stsHost }, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			proxy := &connectProxy{}
			srv := httptest.NewServer(proxy)
			defer srv.Close()
			for k, v := range c.env {
				if v == "proxy" {
					v = srv.URL
				}
				t.Setenv(k, v)
			}
			lookupEnv := func(k string) (string, bool) { v, ok := c.env[k]; return strings.ReplaceAll(v, "proxy", srv.URL), ok }
			cfg := Config{Region: "us-east-1", AccessKey: "AKIATEST", SecretKey: "secret", MaxRetries: 1, LookupEnv: lookupEnv,
				Endpoints: map[string]string{"sts": "https://" + stsHost}, CustomCABundle: caBundle}
			c.set(&cfg, srv.URL)
			_, diags := New(context.Background(), cfg)
			if !diags.HasError() {
				t.Fatal("the call to an unreachable STS succeeded")
			}
			if got := proxy.seen(); (got != "") != c.wantProxy {
				t.Errorf("proxy saw %q, want proxied: %v (diags %v)", got, c.wantProxy, diags)
			} else if c.wantProxy && got != "CONNECT "+stsHost+":443" {
				t.Errorf("proxy saw %q", got)
			}
		})
	}
}
