package acctest

import (
	"context"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// FaultScopeHeader names the request header that puts a request in a fault
// scope of the sagesafe emulator: only requests that carry the scope get
// the faults registered for it, so tests that share one emulator do not
// inject faults into each other's calls. Other endpoints ignore it.
const FaultScopeHeader = "X-Sagesafe-Fault-Scope"

// Faults is a fault scope registered on the emulator for one test (see
// InjectFaults).
type Faults struct {
	// Scope is the random scope name the rules are registered under.
	Scope string
	emu   *emulator.Client
}

// InjectFaults registers rules on the emulator under a new random scope and
// removes them when the test ends. They apply only to requests sent through
// f.Options() (or f.Wrap), for example:
//
//	f := acctest.InjectFaults(t, emulator.FaultRule{Action: "kms:*", Fault: emulator.FaultThrottle, Every: 2})
//	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(f.Options()), ...})
func InjectFaults(t *testing.T, rules ...emulator.FaultRule) *Faults {
	t.Helper()
	return InjectFaultsOn(t, Emulator(t), rules...)
}

// InjectFaultsOn is InjectFaults on a given emulator (a private one).
func InjectFaultsOn(t *testing.T, emu *emulator.Client, rules ...emulator.FaultRule) *Faults {
	t.Helper()
	f := &Faults{Scope: NamePrefix + "-" + acctest.RandString(12), emu: emu}
	if err := f.emu.SetFaults(context.Background(), f.Scope, rules); err != nil {
		t.Fatalf("registering faults: %v", err)
	}
	t.Cleanup(func() {
		if err := f.emu.ClearFaults(context.Background(), f.Scope); err != nil {
			t.Errorf("clearing faults of scope %s: %v", f.Scope, err)
		}
	})
	return f
}

// Options are the provider test hooks that send the provider's requests in
// f's scope.
func (f *Faults) Options() provider.Options {
	return provider.Options{WrapTransport: f.Wrap}
}

// Wrap is the transport wrapper: every request carries the scope header and
// NoReplayHeader (the emulator also turns replay off for a scope with rules;
// the header keeps it off after the rules are spent, as on AWS).
func (f *Faults) Wrap(next http.RoundTripper) http.RoundTripper {
	next = WithoutRetryReplay(next)
	return RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set(FaultScopeHeader, f.Scope)
		return next.RoundTrip(r)
	})
}

// Rules returns f's rules with their counters (hits: faults applied,
// matched: calls that matched the rule's action).
func (f *Faults) Rules(ctx context.Context) ([]emulator.FaultState, error) {
	all, err := f.emu.Faults(ctx)
	return all[f.Scope], err
}

// Hits returns how many faults were applied in f's scope, over all its rules.
func (f *Faults) Hits(ctx context.Context) (int, error) {
	rules, err := f.Rules(ctx)
	n := 0
	for _, r := range rules {
		n += r.Hits
	}
	return n, err
}

// Calls returns the emulator's count of the requests sent in f's scope,
// keyed "service:Action" ("kms:CreateKey"), faulted ones included.
func (f *Faults) Calls(ctx context.Context) (map[string]int, error) {
	return f.emu.ScopeCalls(ctx, f.Scope)
}
