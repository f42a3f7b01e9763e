package awsclient

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// The plaintext sink closes the one path the provider's guarded client
// cannot cover: with a custom CA bundle (AWS_CA_BUNDLE, or ca_bundle in the
// shared config profile) the SDK insists on building the HTTP client itself
// (it adds the bundle only to an *awshttp.BuildableClient, and
// aws-sdk-go-base accepts only a plain *http.Client), so the credential calls
// made while loading the configuration (AssumeRole, SSO, web identity, and
// their refreshes) do not pass through guardedClient.
//
// What that client does let the provider set is its HTTP proxy. The sink is
// an HTTP proxy on a loopback port of the provider's own process that answers
// every request with an SS-TLS-1 refusal and forwards nothing. It is set as
// the proxy for plain http:// requests only (HTTPS keeps the user's proxy
// settings), with the hosts plain http may reach (loopback, the link-local
// credential endpoints) exempt (and the user's NO_PROXY only while an HTTPS
// proxy is in use: see sinkNoProxy). So a plaintext request
// that client would send to anything else, a followed redirect included, ends
// in the provider's process, refused, instead of on the network.

// sinkErrorType is the error code the sink answers with; the SDK shows it as
// "api error SS-TLS-1: ...".
const sinkErrorType = "SS-TLS-1"

var (
	sinkOnce sync.Once
	sinkURL  string
	sinkErr  error
)

// plaintextSinkURL starts the sink once per provider process and returns its
// proxy URL (http://127.0.0.1:<port>). It lives as long as the process.
func plaintextSinkURL() (string, error) {
	sinkOnce.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			sinkErr = fmt.Errorf("starting the plaintext guard: %w", err)
			return
		}
		srv := &http.Server{Handler: http.HandlerFunc(refusePlaintext), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		sinkURL = "http://" + ln.Addr().String()
	})
	return sinkURL, sinkErr
}

// refusePlaintext answers a proxied plaintext request with 403 and an
// SS-TLS-1 error in the shape the request's protocol reads (the SDK shows it
// as "api error SS-TLS-1: ..."): XML for the query protocol (STS, IAM), JSON
// for the others.
func refusePlaintext(w http.ResponseWriter, r *http.Request) {
	target := r.Host
	if r.URL != nil && r.URL.Host != "" {
		target = r.URL.Host
	}
	msg := fmt.Sprintf("refusing a plaintext request to %s: the provider reaches AWS only over TLS 1.2 or later (plain http is allowed only to loopback emulators and the instance/container credential endpoints)", target)
	w.Header().Set("X-Amzn-Errortype", sinkErrorType)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(msg))
		_, _ = fmt.Fprintf(w, "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error></ErrorResponse>", sinkErrorType, b.String())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": sinkErrorType, "message": msg})
}

// plaintextExemptHosts is the NO_PROXY list of what plain http may reach
// (checkPlaintext's exceptions): loopback names and addresses and the
// link-local credential endpoints, by exact address.
func plaintextExemptHosts() []string {
	hosts := []string{"localhost", ".localhost", "localhost.localstack.cloud", "127.0.0.0/8", "::1"}
	for _, ip := range metadataIPs {
		hosts = append(hosts, ip.String())
	}
	return hosts
}

// sinkNoProxy is the NO_PROXY value for the SDK-built client: the exempt
// hosts, plus the user's own list (no_proxy, else NO_PROXY) only while an
// HTTPS proxy is in use, since one list serves both proxies and the user's
// is for the HTTPS one. A "*" entry is never kept: it would exempt every
// host from the sink (sinkHTTPSProxy drops the HTTPS proxy instead).
// Residual: a named host in the user's list, with an HTTPS proxy, is also
// exempt from the sink for the credential calls.
func sinkNoProxy(noProxy, httpsProxy string, lookupEnv func(string) (string, bool)) string {
	parts := []string{}
	for _, h := range userNoProxy(noProxy, lookupEnv) {
		if httpsProxy != "" && h != "*" {
			parts = append(parts, h)
		}
	}
	parts = append(parts, plaintextExemptHosts()...)
	return strings.Join(parts, ",")
}

// userNoProxy is the user's no-proxy list: no_proxy, else NO_PROXY.
func userNoProxy(noProxy string, lookupEnv func(string) (string, bool)) []string {
	if noProxy == "" {
		noProxy = firstEnv(lookupEnv, "NO_PROXY", "no_proxy")
	}
	var out []string
	for h := range strings.SplitSeq(noProxy, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// sinkHTTPSProxy is the HTTPS proxy of the SDK-built client, whose HTTP proxy
// is the sink: https_proxy, else HTTPS_PROXY, else (aws-sdk-go-base's legacy
// mode, which hashicorp/aws uses) http_proxy, else none. The user's http_proxy is not
// needed for plain http: the only plaintext requests allowed go to exempt
// hosts, which are never proxied.
func sinkHTTPSProxy(c Config, lookupEnv func(string) (string, bool)) *string {
	none := ""
	if slices.Contains(userNoProxy(c.NoProxy, lookupEnv), "*") {
		return &none // "*": no host is proxied
	}
	if c.HTTPSProxy != nil {
		return c.HTTPSProxy
	}
	if v := firstEnv(lookupEnv, "HTTPS_PROXY", "https_proxy"); v != "" {
		return &v
	}
	if c.HTTPProxy != nil {
		return c.HTTPProxy
	}
	return &none
}
