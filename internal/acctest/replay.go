package acctest

import "net/http"

// NoReplayHeader, set to "false" on a request, asks the sagesafe emulator
// not to answer an SDK retry of that request with the answer it already
// gave (see AttemptLog in emulator/launcher.py). The emulator replays by
// default because Go's HTTP client sometimes loses a complete answer from
// a server that closes every connection, and a retried create would then
// fail as a duplicate. Other endpoints ignore the header.
const NoReplayHeader = "X-Sagesafe-Replay-Retries"

// WithoutRetryReplay wraps a transport so that every request carries
// NoReplayHeader: a test that loses answers on purpose, to exercise the
// provider's own handling of a retried create, needs the retry to reach
// the emulator's backend as it would reach AWS.
func WithoutRetryReplay(next http.RoundTripper) http.RoundTripper {
	return RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set(NoReplayHeader, "false")
		return next.RoundTrip(r)
	})
}
