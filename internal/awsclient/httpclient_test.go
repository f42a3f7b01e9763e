package awsclient

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	stssvc "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// stsServer answers AssumeRole and GetCallerIdentity like STS and records
// the actions it served.
type stsServer struct {
	mu      sync.Mutex
	actions []string
	// forms and auth are each request's parameters and Authorization header.
	forms []url.Values
	auth  []string
	// account is the account GetCallerIdentity answers; default 123456789012.
	account string
}

func (s *stsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	action := r.Form.Get("Action")
	s.mu.Lock()
	s.actions = append(s.actions, action)
	s.forms = append(s.forms, r.Form)
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	account := s.account
	s.mu.Unlock()
	if account == "" {
		account = "123456789012"
	}
	w.Header().Set("Content-Type", "text/xml")
	switch action {
	case "AssumeRole":
		_, _ = io.WriteString(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIATEST</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/s</Arn><AssumedRoleId>AROATEST:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`)
	case "AssumeRoleWithWebIdentity":
		_, _ = io.WriteString(w, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/ci/s</Arn><AssumedRoleId>AROAWEB:s</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>3</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`)
	case "GetCallerIdentity":
		_, _ = io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::`+account+`:assumed-role/deploy/s</Arn><UserId>AROATEST:s</UserId><Account>`+account+`</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	default:
		http.Error(w, "unexpected action "+action, http.StatusBadRequest)
	}
}

// isolateAWSEnv keeps the developer's AWS environment out of a test.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_CA_BUNDLE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func noEnv(string) (string, bool) { return "", false }

// The credential call (AssumeRole, made inside aws-sdk-go-base) goes through
// the provider's guarded client: the transport wrapper, which sits in that
// client above the plaintext guard, sees it.
func TestNew_credentialCallsUseGuardedClient(t *testing.T) {
	isolateAWSEnv(t)
	sts := &stsServer{}
	srv := httptest.NewServer(sts)
	defer srv.Close()

	var mu sync.Mutex
	var seen []string
	wrap := func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			body, _ := io.ReadAll(r.Body)
			_ = r.Body.Close()
			form, _ := url.ParseQuery(string(body))
			mu.Lock()
			seen = append(seen, form.Get("Action"))
			mu.Unlock()
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			return next.RoundTrip(r)
		})
	}
	cl, diags := New(context.Background(), Config{
		Region:        "us-east-1",
		AccessKey:     "AKIATEST",
		SecretKey:     "secret",
		AssumeRole:    []AssumeRole{{RoleARN: "arn:aws:iam::123456789012:role/deploy", SessionName: "s"}},
		Endpoints:     map[string]string{"sts": srv.URL},
		WrapTransport: wrap,
		LookupEnv:     noEnv,
	})
	if diags.HasError() {
		t.Fatalf("New: %v", diags)
	}
	if cl.AccountID != "123456789012" {
		t.Errorf("account = %q", cl.AccountID)
	}
	if len(sts.actions) < 2 || sts.actions[0] != "AssumeRole" || sts.actions[len(sts.actions)-1] != "GetCallerIdentity" {
		t.Fatalf("server saw %v, want AssumeRole first and GetCallerIdentity last", sts.actions)
	}
	if strings.Join(seen, ",") != strings.Join(sts.actions, ",") {
		t.Errorf("the guarded client saw %v, the server %v: a credential call bypassed it", seen, sts.actions)
	}
}

// plaintextHost is a non-loopback name a custom dialer resolves to a local
// plaintext server, so a request that escaped the guard would be served (and
// recorded) rather than fail on DNS.
const plaintextHost = "sts.plaintext.test"

func dialPlaintextHostTo(addr string) func(*http.Transport) {
	return func(tr *http.Transport) {
		d := &net.Dialer{}
		tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
			if strings.HasPrefix(a, plaintextHost+":") {
				a = addr
			}
			return d.DialContext(ctx, network, a)
		}
	}
}

// An https endpoint that redirects (307, which the SDK follows) to plain
// http on a non-loopback host: the redirect is refused with SS-TLS-1 and the
// plaintext server never sees a request.
func TestGuardedClient_refusesRedirectToPlaintext(t *testing.T) {
	var leaked int
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { leaked++ }))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+plaintextHost+"/", http.StatusTemporaryRedirect)
	}))
	defer tlsSrv.Close()

	roots := tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	bc := awshttp.NewBuildableClient().WithTransportOptions(dialPlaintextHostTo(plain.Listener.Addr().String()), func(tr *http.Transport) {
		tr.TLSClientConfig.RootCAs = roots
	})
	c := guardedClient(bc, nil)
	req, _ := http.NewRequest(http.MethodPost, tlsSrv.URL, strings.NewReader("Action=GetCallerIdentity"))
	resp, err := c.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "SS-TLS-1") || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("want the redirect refused with SS-TLS-1, got %v", err)
	}
	if leaked != 0 {
		t.Fatalf("the plaintext server received %d request(s)", leaked)
	}

	// The same client follows a redirect that stays on TLS (the SDK's policy is kept).
	var hops int
	ok := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hops++
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/next", http.StatusTemporaryRedirect)
		}
	}))
	defer ok.Close()
	bc = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.TLSClientConfig.RootCAs = ok.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	})
	resp, err = guardedClient(bc, nil).Post(ok.URL+"/", "text/plain", strings.NewReader("x"))
	if err != nil || resp.StatusCode != 200 || hops != 2 {
		t.Fatalf("https→https redirect: err=%v hops=%d", err, hops)
	}
	_ = resp.Body.Close()
}

// With a custom CA bundle the SDK must build the HTTP client itself; the
// provider still guards it once loaded: the bundle is honoured (the TLS
// server's certificate is trusted) and a redirect to plaintext is refused.
// The SDK's POSTs are not re-sent on a redirect (their body cannot be
// replayed), so the redirect is tested on a bodyless S3 HEAD, which is.
func TestNew_caBundleClientIsGuarded(t *testing.T) {
	isolateAWSEnv(t)
	sts := &stsServer{}
	var redirected int
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			sts.ServeHTTP(w, r)
			return
		}
		redirected++
		http.Redirect(w, r, "http://10.255.255.1:9/", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(bundle, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", bundle)

	cl, diags := New(context.Background(), Config{
		Region:     "us-east-1",
		AccessKey:  "AKIATEST",
		SecretKey:  "secret",
		Endpoints:  map[string]string{"sts": srv.URL, "s3": srv.URL},
		MaxRetries: 1,
	})
	if diags.HasError() {
		t.Fatalf("New with AWS_CA_BUNDLE: %v", diags)
	}
	_, err := cl.S3.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String("bucket")})
	if err == nil || !strings.Contains(err.Error(), "SS-TLS-1") {
		t.Fatalf("want the redirect to plaintext refused with SS-TLS-1, got %v", err)
	}
	if redirected != 1 {
		t.Errorf("the TLS server redirected %d time(s), want 1", redirected)
	}
}

func TestLoadSharedProfile_endpoints(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config")
	content := `[default]
endpoint_url = http://example.com
services = custom

[profile secure]
endpoint_url = https://gateway.example.com
services = custom

[profile emulator]
endpoint_url = http://localhost:4566

[profile ignored]
endpoint_url = http://example.com
ignore_configured_endpoint_urls = true

[services custom]
sagemaker =
  endpoint_url = http://sagemaker.example.com
`
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	env := func(k string) (string, bool) {
		if k == "AWS_CONFIG_FILE" {
			return file, true
		}
		return "", false
	}

	p := loadSharedProfile(ctx, "", nil, nil, env)
	diags := checkEndpointList(p.Endpoints)
	if diags.ErrorsCount() != 2 {
		t.Fatalf("default profile: want 2 SS-TLS-1 errors (endpoint_url and services sagemaker), got %v", diags)
	}
	if s := diags[0].Summary(); !strings.Contains(s, "SS-TLS-1") || !strings.Contains(s, "http://example.com") || !strings.Contains(s, `endpoint_url in profile "default"`) || !strings.Contains(s, file) {
		t.Errorf("summary does not name the source: %q", s)
	}
	if s := diags[1].Summary(); !strings.Contains(s, "http://sagemaker.example.com") || !strings.Contains(s, "[services custom]") {
		t.Errorf("summary does not name the services section: %q", s)
	}

	p = loadSharedProfile(ctx, "secure", nil, nil, env)
	if d := checkEndpointList(p.Endpoints); d.ErrorsCount() != 1 || !strings.Contains(d[0].Summary(), "sagemaker") {
		t.Errorf("secure profile: only the services section's http endpoint should be refused, got %v", d)
	}
	if p := loadSharedProfile(ctx, "emulator", nil, nil, env); len(p.Endpoints) != 1 || checkEndpointList(p.Endpoints).HasError() {
		t.Errorf("emulator profile: a loopback endpoint must be accepted, got %+v", p.Endpoints)
	}
	if p := loadSharedProfile(ctx, "ignored", nil, nil, env); len(p.Endpoints) != 0 {
		t.Errorf("ignore_configured_endpoint_urls: the SDK ignores them, so must we: %+v", p.Endpoints)
	}
	if p := loadSharedProfile(ctx, "missing", nil, nil, env); len(p.Endpoints) != 0 {
		t.Errorf("a missing profile sets nothing: %+v", p.Endpoints)
	}
	// shared_config_files wins over AWS_CONFIG_FILE; AWS_PROFILE picks the profile.
	env2 := func(k string) (string, bool) {
		switch k {
		case "AWS_CONFIG_FILE":
			return filepath.Join(dir, "nonexistent"), true
		case "AWS_PROFILE":
			return "emulator", true
		}
		return "", false
	}
	if p := loadSharedProfile(ctx, "", []string{file}, nil, env2); p.Name != "emulator" || len(p.Endpoints) != 1 {
		t.Errorf("AWS_PROFILE / shared_config_files: got %+v", p)
	}
}

// New refuses a shared-config endpoint_url before any request is made.
func TestNew_refusesSharedConfigPlaintextEndpoint(t *testing.T) {
	isolateAWSEnv(t)
	file := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(file, []byte("[default]\nendpoint_url = http://example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var calls int
	_, diags := New(context.Background(), Config{
		Region:            "us-east-1",
		AccessKey:         "AKIATEST",
		SecretKey:         "secret",
		SharedConfigFiles: []string{file},
		LookupEnv:         noEnv,
		WrapTransport: func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(r *http.Request) (*http.Response, error) { calls++; return next.RoundTrip(r) })
		},
	})
	if !diags.HasError() || !strings.Contains(diags[0].Summary(), "SS-TLS-1") || !strings.Contains(diags[0].Summary(), "shared config file") {
		t.Fatalf("want SS-TLS-1 naming the shared config file, got %v", diags)
	}
	if calls != 0 {
		t.Errorf("%d request(s) made before the refusal", calls)
	}
}

// With a custom CA bundle the SDK builds the client the credential calls use
// (here the bundle comes from the profile's ca_bundle). A redirect during
// one of them (SSO's GetRoleCredentials, a GET the SDK follows on 307) to
// plain http elsewhere ends in the plaintext sink and is refused with
// SS-TLS-1; plain http to loopback (an emulator) still works.
func TestNew_caBundleCredentialCallsStayOnTLS(t *testing.T) {
	isolateAWSEnv(t)
	bundle := ssoRedirectRefused(t, "")

	// Plain http to loopback (an emulator) is not sent to the sink: the
	// credential call (AssumeRole) reaches the server.
	sts := &stsServer{}
	plain := httptest.NewServer(sts)
	defer plain.Close()
	t.Setenv("AWS_CA_BUNDLE", bundle)
	cl, diags := New(context.Background(), Config{
		Region:     "us-east-1",
		AccessKey:  "AKIATEST",
		SecretKey:  "secret",
		AssumeRole: []AssumeRole{{RoleARN: "arn:aws:iam::123456789012:role/deploy", SessionName: "s"}},
		Endpoints:  map[string]string{"sts": plain.URL},
		MaxRetries: 1,
	})
	if diags.HasError() {
		t.Fatalf("loopback emulator with AWS_CA_BUNDLE: %v", diags)
	}
	if cl.AccountID != "123456789012" || len(sts.actions) == 0 || sts.actions[0] != "AssumeRole" {
		t.Fatalf("account %q, server saw %v", cl.AccountID, sts.actions)
	}
}

// The user's NO_PROXY does not exempt hosts from the plaintext sink: "*"
// (every host) or the redirect's own host, without an HTTPS proxy, would
// otherwise let the redirected credential call out in plaintext (red team,
// issue 15).
func TestNew_caBundleNoProxyKeepsTheSink(t *testing.T) {
	for _, noProxy := range []string{"*", "sso.plaintext.test", "example.com,*"} {
		t.Run(noProxy, func(t *testing.T) {
			isolateAWSEnv(t)
			ssoRedirectRefused(t, noProxy)
		})
	}
}

// ssoRedirectRefused signs in through SSO with a custom CA bundle from the
// profile (so the SDK builds the HTTP client) and NO_PROXY set to noProxy;
// the SSO endpoint redirects to plain http elsewhere, which must end in the
// plaintext sink with SS-TLS-1. It returns the bundle's path.
func ssoRedirectRefused(t *testing.T, noProxy string) string {
	t.Helper()
	t.Setenv("NO_PROXY", noProxy)
	home := t.TempDir()
	t.Setenv("HOME", home)
	var redirected int
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/federation/credentials" {
			redirected++
			http.Redirect(w, r, "http://sso.plaintext.test/federation/credentials?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
			return
		}
		http.Error(w, "unexpected "+r.URL.Path, http.StatusBadRequest)
	}))
	defer srv.Close()
	bundle := filepath.Join(home, "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	const startURL = "https://example.awsapps.com/start"
	cfgFile := filepath.Join(home, "config")
	profile := "[profile sso]\nsso_start_url = " + startURL + "\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = deploy\nca_bundle = " + bundle + "\n"
	if err := os.WriteFile(cfgFile, []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(home, ".aws", "sso", "cache")
	if err := os.MkdirAll(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(startURL)) //nolint:gosec // the SDK's cache file name, not a security use
	token := `{"accessToken":"bearer","expiresAt":"2099-01-01T00:00:00Z","region":"us-east-1","startUrl":"` + startURL + `"}`
	if err := os.WriteFile(filepath.Join(cache, hex.EncodeToString(sum[:])+".json"), []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL_SSO", srv.URL)

	_, diags := New(context.Background(), Config{
		Region:            "us-east-1",
		Profile:           "sso",
		SharedConfigFiles: []string{cfgFile},
		MaxRetries:        1,
	})
	if redirected != 1 {
		t.Fatalf("the SSO endpoint was asked %d time(s), want 1 (diags: %v)", redirected, diags)
	}
	if !diags.HasError() || !strings.Contains(diagText(diags), "SS-TLS-1") {
		t.Fatalf("want the redirect to plaintext refused with SS-TLS-1, got %v", diags)
	}
	return bundle
}

func diagText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}

// The sink's refusal reads as SS-TLS-1 in the query protocol (STS) too, and
// nothing reaches the plaintext host.
func TestPlaintextSink_queryProtocol(t *testing.T) {
	sink, err := plaintextSinkURL()
	if err != nil {
		t.Fatal(err)
	}
	proxy, _ := url.Parse(sink)
	bc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) { tr.Proxy = http.ProxyURL(proxy) })
	client := stssvc.New(stssvc.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + plaintextHost),
		HTTPClient:   bc,
		Credentials:  aws.AnonymousCredentials{},
	})
	_, err = client.GetCallerIdentity(context.Background(), &stssvc.GetCallerIdentityInput{})
	if err == nil || !strings.Contains(err.Error(), "api error SS-TLS-1: refusing a plaintext request to "+plaintextHost) {
		t.Fatalf("want the sink's SS-TLS-1 refusal, got %v", err)
	}
}
