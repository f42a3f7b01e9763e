package acctest

import (
	"context"
	"net/http"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// Loser makes the emulator lose the answer of the first call of each given
// action after it applied the request, the way a broken connection does on
// a real network: the SDK sees a send error and retries, and the retry
// reaches the emulator's backend (its retry replay is off in a fault
// scope), as it would reach AWS. Actions are named "service:Action" as the
// emulator counts them ("kms:CreateKey", "ec2:CreateVpc", "iam:CreateRole",
// "monitoring:PutMetricAlarm"). It is a fault scope of the emulator (see
// InjectFaults) with one "lose" rule per action.
type Loser struct {
	t       *testing.T
	faults  *Faults
	actions []string
}

// LoseFirstAnswers registers the rules for t; with no action it loses
// nothing and only counts the calls made through it (Seen).
func LoseFirstAnswers(t *testing.T, actions ...string) *Loser {
	t.Helper()
	return LoseFirstAnswersOn(t, Emulator(t), actions...)
}

// LoseFirstAnswersOn is LoseFirstAnswers on a given emulator (a private one).
func LoseFirstAnswersOn(t *testing.T, emu *emulator.Client, actions ...string) *Loser {
	t.Helper()
	rules := make([]emulator.FaultRule, len(actions))
	for i, a := range actions {
		rules[i] = emulator.FaultRule{Action: a, Fault: emulator.FaultLose, First: 1}
	}
	return &Loser{t: t, faults: InjectFaultsOn(t, emu, rules...), actions: actions}
}

// Options are the provider test hooks that send the provider's requests
// through l.
func (l *Loser) Options() provider.Options { return l.faults.Options() }

// Wrap is the transport wrapper.
func (l *Loser) Wrap(next http.RoundTripper) http.RoundTripper { return l.faults.Wrap(next) }

// lost returns how many answers of each action were lost.
func (l *Loser) lost() map[string]int {
	rules, err := l.faults.Rules(context.Background())
	if err != nil {
		l.t.Errorf("asking the emulator for the fault counters: %v", err)
		return nil
	}
	out := map[string]int{}
	for _, r := range rules {
		out[r.Action] += r.Hits
	}
	return out
}

// Lost reports how many answers of action were lost.
func (l *Loser) Lost(action string) int { return l.lost()[action] }

// Missed lists the actions whose answer was not lost yet (a test that
// loses nothing proves nothing).
func (l *Loser) Missed() []string {
	lost := l.lost()
	var out []string
	for _, a := range l.actions {
		if lost[a] == 0 {
			out = append(out, a)
		}
	}
	return out
}

// Seen returns how many requests of each action were sent through l: the
// calls the provider made.
func (l *Loser) Seen() map[string]int {
	calls, err := l.faults.Calls(context.Background())
	if err != nil {
		l.t.Errorf("asking the emulator for the calls of scope %s: %v", l.faults.Scope, err)
	}
	return calls
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
