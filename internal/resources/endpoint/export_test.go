package endpoint

import "time"

// SetPollingForTests makes the waiters poll a fast emulator quickly.
func SetPollingForTests() {
	pollInitial = 100 * time.Millisecond
	pollMax = 500 * time.Millisecond
	rolloutSettleDelay = 50 * time.Millisecond
}
