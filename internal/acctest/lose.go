package acctest

import (
	"errors"
	"maps"
	"net/http"
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
	seen    map[string]int
}

// LoseFirstAnswers returns a Loser for the given actions.
func LoseFirstAnswers(actions ...string) *Loser {
	l := &Loser{pending: map[string]bool{}, lost: map[string]int{}, seen: map[string]int{}}
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

// Seen returns how often each action was answered (2xx) so far: the calls
// the provider made.
func (l *Loser) Seen() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.seen)
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
		l.seen[action]++
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

// RequestAction names an AWS request "service:Action", as the emulator
// counts it (see classify).
func RequestAction(r *http.Request) string {
	c, err := classify(r)
	if err != nil {
		return ""
	}
	return c.Service + ":" + c.Action
}
