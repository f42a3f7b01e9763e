// Package idem makes the provider's creates safe to retry after a lost
// answer.
//
// On a real network the answer to a create can be lost after AWS applied
// it. The SDK then retries the request, and an API without an idempotency
// token either makes a second object (kms:CreateKey, ec2:CreateVpc: one is
// orphaned) or answers that the name is taken (iam:CreateRole,
// ec2:CreateSecurityGroup, kms:CreateAlias: the apply fails on its own
// object). So a create that has no ClientToken runs through Create:
//
//   - the request carries a creation token (NewToken) as a tag, written by
//     the create call itself (tag-on-create);
//   - the call is made with the SDK's retries turned off (each resource
//     passes its service's per-call option), so that a lost answer comes
//     back here instead of being retried blindly;
//   - after a retryable failure (lost answer, 5xx, throttling) or a
//     "name taken" answer, Find looks for the object that carries this
//     token; when it is there, it is the one this create made, and it is
//     used; otherwise the request is sent again after a back-off.
//
// Find proves authorship by the token only. Callers that adopt an object
// also audit its settings (the guardrails' rule for squatted names).
//
// # After a killed apply
//
// When Terraform (or the provider) is killed while a create runs, the
// object may exist but no state records it, and the creation token of the
// killed run is lost with the process: the next apply cannot look for "its"
// token. So a create first looks for an object the killed run left, by what
// was written on it at create time, and may adopt it only when all of:
//
//	(a) it carries the creation token tag (TokenTag, any value): it was made
//	    by sagesafe's create path, not by hand or by another tool;
//	(b) it carries this resource's identity: its deterministic name (a
//	    role's name, found by that name), or an identity tag written by the
//	    create (sagesafe:network=<name> on a network's VPC,
//	    sagesafe:kms-alias=<alias> on a key);
//	(c) it passes the same audit a fresh create's object would: its live
//	    settings equal what this create would send (a key's policy, spec,
//	    description and tags; a role's trust, boundary, session duration and
//	    tags, with no policy but its own; a VPC's CIDR and tenancy, with no
//	    other CIDR block), and it is in a usable state (not pending
//	    deletion).
//
// Leftover checks (a) and (b); each resource checks (c). An object found by
// the identity that fails any of them is refused with an error naming it
// (import it, delete it, or choose another name), as a squatted name is.
//
// Why this is safe: an object passing (a) to (c) was made by sagesafe's own
// create for this identity, and is, in this account, indistinguishable from
// the object this create would make now; the create then goes on as if it
// had made it (rotation, alias, policies, tags, everything inside a
// network), so the result is what an uninterrupted apply gives. A squatter
// cannot pass (a) without writing a sagesafe tag on purpose, and even then
// only gets an object that is exactly what the plan asks for. The one case
// it cannot tell apart: a second configuration that gives another resource
// the same identity (the same role name, alias or network name) adopts that
// resource's object when it matches the plan; such configurations collide
// on these names anyway.
package idem

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// TokenTag is the tag that carries an object's creation token.
const TokenTag = "sagesafe:creation-token"

// NewToken makes a creation token: 128 random bits, hex.
func NewToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a creation token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// DefaultAttempts is how often Create sends a request before it gives up.
const DefaultAttempts = 10

// Create describes one create whose answer may be lost.
type Create[T any] struct {
	// What names the object in errors ("KMS key", "security group sg-web").
	What string
	// Do sends the create once, with the SDK's retries off, and the
	// creation token on the object.
	Do func(ctx context.Context) (T, error)
	// Find returns the object that carries this create's token, if any.
	// An error from Find that is retryable counts as "not found yet".
	Find func(ctx context.Context) (T, bool, error)
	// Taken reports the API's "already exists" answer (nil when the API
	// has no unique name). After it, Find decides: this create's object,
	// or someone else's, whose error is returned.
	Taken func(error) bool
	// Attempts bounds the requests sent (DefaultAttempts when 0).
	Attempts int
	// Settle is how long Find is retried after a lost answer before the
	// request is sent again, for APIs without unique names, whose reads may
	// lag the write (DefaultSettle when 0).
	Settle time.Duration
}

// DefaultSettle is the default of Create.Settle.
const DefaultSettle = 3 * time.Second

// retryer classifies errors and spaces attempts the way the SDK does.
var retryer = retry.NewStandard()

// Retryable reports whether the SDK would retry err: lost connections,
// 5xx answers, throttling.
func Retryable(err error) bool {
	return err != nil && retryer.IsErrorRetryable(err)
}

// Run sends the create until it succeeds, its object is found, or a
// non-retryable answer comes back.
func (c Create[T]) Run(ctx context.Context) (T, error) {
	var zero T
	attempts := c.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	var last error
	for attempt := 1; attempt <= attempts; attempt++ {
		out, err := c.Do(ctx)
		if err == nil {
			return out, nil
		}
		taken := c.Taken != nil && c.Taken(err)
		if !taken && !Retryable(err) {
			return zero, err
		}
		last = err
		if c.Find != nil {
			found, ok, ferr := c.find(ctx, taken)
			if ferr != nil {
				return zero, fmt.Errorf("%s: looking for the object a lost answer may have created: %w (after: %w)", c.What, ferr, err)
			}
			if ok {
				return found, nil
			}
		}
		if taken {
			return zero, err
		}
		if attempt == attempts {
			break
		}
		delay, derr := retryer.RetryDelay(attempt, err)
		if derr != nil {
			delay = time.Second
		}
		if err := sleep(ctx, delay); err != nil {
			return zero, fmt.Errorf("%s: %w (last answer: %w)", c.What, err, last)
		}
	}
	return zero, fmt.Errorf("%s: no answer after %d attempts: %w", c.What, attempts, last)
}

// find asks Find, retrying for Settle when the object may not be visible
// yet (a lost answer to an API without unique names: sending the request
// again too early would make a second object). After a "taken" answer the
// object is known to exist, so one look suffices.
func (c Create[T]) find(ctx context.Context, taken bool) (T, bool, error) {
	settle := c.Settle
	if settle <= 0 {
		settle = DefaultSettle
	}
	deadline := time.Now().Add(settle)
	wait := 200 * time.Millisecond
	for {
		out, ok, err := c.Find(ctx)
		if err != nil && !Retryable(err) {
			return out, false, err
		}
		if ok || taken || c.Taken != nil || time.Now().After(deadline) {
			return out, ok && err == nil, nil
		}
		if err := sleep(ctx, wait); err != nil {
			return out, false, err
		}
		wait *= 2
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Leftover checks parts (a) and (b) of the rule for an object a killed
// apply may have left (see the package documentation) on the object's
// tags: it carries a creation token, whatever its value, and every tag of
// identity. The error says what is missing; the caller names the object
// and audits its settings (part (c)).
func Leftover(tags, identity map[string]string) error {
	if tags[TokenTag] == "" {
		return fmt.Errorf("it does not carry the tag %s, so it was not made by sagesafe's create", TokenTag)
	}
	for _, k := range slices.Sorted(maps.Keys(identity)) {
		if got, ok := tags[k]; !ok || got != identity[k] {
			return fmt.Errorf("its tag %s is %q, not %q", k, got, identity[k])
		}
	}
	return nil
}
