package acctest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// Loser loses the answer of the first call of each given action after the
// emulator applied it, the way a broken connection does on a real network:
// the SDK sees a send error and retries, and the retry reaches the
// emulator's backend (its retry replay is turned off), as it would reach
// AWS. Actions are named "service:Action" as the emulator counts them
// ("kms:CreateKey", "ec2:CreateVpc", "iam:CreateRole").
type Loser struct {
	mu      sync.Mutex
	pending map[string]bool
	lost    map[string]int
}

// LoseFirstAnswers returns a Loser for the given actions.
func LoseFirstAnswers(actions ...string) *Loser {
	l := &Loser{pending: map[string]bool{}, lost: map[string]int{}}
	for _, a := range actions {
		l.pending[a] = true
	}
	return l
}

// Options are the provider test hooks that make l lose answers.
func (l *Loser) Options() provider.Options {
	return provider.Options{WrapTransport: l.Wrap}
}

// Lost reports how many answers of action were lost.
func (l *Loser) Lost(action string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost[action]
}

// Missed lists the actions whose answer was not lost yet (a test that
// loses nothing proves nothing).
func (l *Loser) Missed() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for a, p := range l.pending {
		if p {
			out = append(out, a)
		}
	}
	return out
}

// Wrap is the transport wrapper.
func (l *Loser) Wrap(next http.RoundTripper) http.RoundTripper {
	next = WithoutRetryReplay(next)
	return RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		action := RequestAction(r)
		resp, err := next.RoundTrip(r)
		if err != nil || resp.StatusCode >= 300 {
			return resp, err
		}
		l.mu.Lock()
		lose := l.pending[action]
		if lose {
			l.pending[action] = false
			l.lost[action]++
		}
		l.mu.Unlock()
		if !lose {
			return resp, err
		}
		_ = resp.Body.Close()
		return nil, errors.New("connection reset by peer (answer of " + action + " lost by the test after the request was applied)")
	})
}

var signingService = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/`)

// RequestAction names an AWS request "service:Action": the service from
// the SigV4 scope, the action from X-Amz-Target (JSON protocols), the
// Action form field (query protocols: IAM, EC2, STS) or the path
// (Smithy RPC v2 CBOR: CloudWatch). S3's REST calls are named by method.
func RequestAction(r *http.Request) string {
	service := ""
	if m := signingService.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		service = m[1]
	}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return service + ":" + t[strings.LastIndex(t, ".")+1:]
	}
	if i := strings.Index(r.URL.Path, "/operation/"); i >= 0 {
		return service + ":" + r.URL.Path[i+len("/operation/"):]
	}
	if r.Body != nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err == nil {
			if v, perr := url.ParseQuery(string(body)); perr == nil && v.Get("Action") != "" {
				return service + ":" + v.Get("Action")
			}
		}
	}
	return service + ":" + r.Method
}
