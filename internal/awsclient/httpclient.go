package awsclient

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// The provider's one HTTP client (control SS-TLS-1). Every request the
// provider causes goes through it: the credential calls aws-sdk-go-base makes
// (AssumeRole, SSO, web identity, refreshes), the STS call for the account,
// and every service call. It keeps the SDK's own client underneath (an
// *awshttp.BuildableClient: proxies, the SDK's timeouts, its redirect policy)
// and adds three things:
//   - TLS 1.2 as the minimum version;
//   - a plaintext guard at the transport, under the redirect loop, so a
//     request or a followed redirect that would leave the host in plaintext
//     is refused before it is sent;
//   - a redirect policy that refuses a redirect to plaintext with SS-TLS-1
//     (the SDK follows 307 and 308 redirects, to any host).

// guardedClient freezes bc (a client the SDK or aws-sdk-go-base configured)
// into the provider's guarded *http.Client. wrap, when set, wraps the
// transport above the guard (acceptance tests only).
func guardedClient(bc *awshttp.BuildableClient, wrap func(http.RoundTripper) http.RoundTripper) *http.Client {
	bc = bc.WithTransportOptions(enforceTLS12)
	sdk, ok := bc.Freeze().(*http.Client)
	if !ok {
		// The SDK always freezes to an *http.Client; should that change,
		// build one over the same transport (no SDK redirect policy).
		sdk = &http.Client{Transport: bc.GetTransport()}
	}
	cl := *sdk
	var rt http.RoundTripper = plaintextGuard{base: transportOf(sdk)}
	if wrap != nil {
		rt = wrap(rt)
	}
	cl.Transport = rt
	sdkRedirect := sdk.CheckRedirect
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkPlaintext(req.URL); err != nil {
			from := "an earlier request"
			if len(via) > 0 {
				from = via[len(via)-1].URL.Redacted()
			}
			return fmt.Errorf("refusing the redirect from %s: %w", from, err)
		}
		if sdkRedirect != nil {
			return sdkRedirect(req, via)
		}
		if len(via) >= 10 {
			return fmt.Errorf("stopped after %d redirects", len(via))
		}
		return nil
	}
	return &cl
}

func transportOf(c *http.Client) http.RoundTripper {
	if c.Transport != nil {
		return c.Transport
	}
	return http.DefaultTransport
}

// enforceTLS12 raises the transport's minimum TLS version to 1.2 (SS-TLS-1),
// keeping whatever else was configured (a custom CA bundle, proxies).
func enforceTLS12(tr *http.Transport) {
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	}
	if tr.TLSClientConfig.MinVersion < tls.VersionTLS12 {
		tr.TLSClientConfig.MinVersion = tls.VersionTLS12
	}
}

// metadataIPs are the link-local credential endpoints the SDK reaches over
// plain HTTP by design: the EC2 instance metadata service (IPv4 and IPv6),
// the ECS task credentials endpoint and the EKS Pod Identity agent (IPv4 and
// IPv6). They never leave the host's link; nothing else link-local is allowed.
var metadataIPs = []net.IP{
	net.ParseIP("169.254.169.254"),
	net.ParseIP("fd00:ec2::254"),
	net.ParseIP("169.254.170.2"),
	net.ParseIP("169.254.170.23"),
	net.ParseIP("fd00:ec2::23"),
}

func isMetadataHost(host string) bool {
	ip := net.ParseIP(strings.Trim(host, "[]"))
	if ip == nil {
		return false
	}
	for _, m := range metadataIPs {
		if m.Equal(ip) {
			return true
		}
	}
	return false
}

// checkPlaintext returns an SS-TLS-1 error for a URL the provider must not
// reach: anything but https, except loopback hosts (emulators) and the
// link-local credential endpoints.
func checkPlaintext(u *url.URL) error {
	if strings.EqualFold(u.Scheme, "https") {
		return nil
	}
	host := u.Hostname()
	if facts.IsLoopbackHost(host) || isMetadataHost(host) {
		return nil
	}
	return fmt.Errorf("SS-TLS-1: refusing a plaintext %s request to %s: the provider reaches AWS only over TLS 1.2 or later (plain http is allowed only to loopback emulators and the instance/container credential endpoints)", u.Scheme, u.Host)
}

// plaintextGuard refuses, at the transport, any request checkPlaintext
// refuses. Configured endpoints are already checked at configure time; this
// catches what that check cannot see (redirects, SDK-internal calls).
type plaintextGuard struct {
	base http.RoundTripper
}

func (g plaintextGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkPlaintext(req.URL); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return g.base.RoundTrip(req)
}
