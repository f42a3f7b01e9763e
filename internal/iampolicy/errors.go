package iampolicy

import (
	"errors"
	"fmt"
	"strings"
)

// Guardrail control IDs that the builders' refusals and the guardrail policy
// statements map to. They mirror the catalog in package guardrail (which this
// package must not import: guardrail may use the parsers here).
const (
	controlVPC              = "SS-NET-1" // jobs and models run in the customer's private subnets
	controlNetworkIsolation = "SS-NET-4" // containers run with network isolation
	controlOutputKMS        = "SS-ENC-1" // training output in S3 encrypted with the CMK
	controlVolumeKMS        = "SS-ENC-2" // ML storage volumes encrypted with the CMK
	controlInterContainer   = "SS-ENC-3" // inter-container traffic encryption
	controlInstanceTypes    = "SS-GOV-2" // approved instance types only
	controlMaxRuntime       = "SS-GOV-3" // bounded training runtime
	controlApprovedKMSKeys  = "SS-KMS-1" // approved CMKs only
	controlLeastPrivilege   = "SS-IAM-2" // no wildcard grants
	controlTLS              = "SS-TLS-2" // S3 data addressed as s3://, never http(s)
)

// Sentinel errors. Every refusal is an *Error that wraps one of them, so
// callers can test with errors.Is and read the details with errors.As.
var (
	// ErrWildcard: a wildcard ("*" or "?") or an IAM policy variable ("${")
	// where sagesafe requires an exact name. Control SS-IAM-2.
	ErrWildcard = errors.New("wildcard not allowed")
	// ErrNotS3Scheme: an S3 location that is not an s3:// URI (for example
	// https:// or http://). Control SS-TLS-2.
	ErrNotS3Scheme = errors.New("not an s3:// URI")
	// ErrInvalidS3URI: an S3 URI without a scheme, with an empty bucket or
	// with characters that cannot appear in one.
	ErrInvalidS3URI = errors.New("invalid S3 URI")
	// ErrInvalidBucket: a bucket name S3 would not accept, or a kind of
	// bucket the builders cannot grant (directory buckets, access points).
	ErrInvalidBucket = errors.New("invalid S3 bucket name")
	// ErrInvalidARN: an ARN of the wrong service, resource type, partition or
	// region, or an identifier in the wrong format.
	ErrInvalidARN = errors.New("invalid ARN or identifier")
	// ErrInvalidPrincipal: a principal that is not an IAM role or user ARN.
	ErrInvalidPrincipal = errors.New("invalid principal")
	// ErrInvalidSpec: a missing or inconsistent input (unknown purpose,
	// region, account, subnets without security groups, ...).
	ErrInvalidSpec = errors.New("invalid policy input")
	// ErrPolicyTooLarge: the rendered document exceeds the AWS size limit for
	// where it goes. The *Error carries Size and Limit.
	ErrPolicyTooLarge = errors.New("policy document too large")
)

// Error is an input a builder refuses.
type Error struct {
	// Field is the spec field at fault ("S3ReadURIs", "Users", ...), empty
	// when the error is about the document as a whole.
	Field string
	// Index is the element of Field at fault, -1 when Field is not a list.
	Index int
	// Value is the offending value as given.
	Value string
	// Control is the guardrail control the input violates ("SS-IAM-2"), or
	// empty when it is merely malformed.
	Control string
	// Reason says what is wrong, in words a user can act on.
	Reason string
	// Size and Limit are set for ErrPolicyTooLarge.
	Size, Limit int

	err error
}

// Error formats as "SS-IAM-2: S3ReadURIs[1] "s3://b/*": <reason>" (parts that
// are empty are left out).
func (e *Error) Error() string {
	var where []string
	if e.Field != "" {
		field := e.Field
		if e.Index >= 0 {
			field += fmt.Sprintf("[%d]", e.Index)
		}
		where = append(where, field)
	}
	if e.Value != "" {
		where = append(where, fmt.Sprintf("%q", e.Value))
	}
	msg := e.Reason
	if len(where) > 0 {
		msg = strings.Join(where, " ") + ": " + msg
	}
	if e.Control != "" {
		msg = e.Control + ": " + msg
	}
	return msg
}

// Unwrap returns the sentinel error (ErrWildcard, ...).
func (e *Error) Unwrap() error { return e.err }

// ControlOf returns the control ID carried by err (an *Error anywhere in its
// chain), or "" when there is none.
func ControlOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Control
	}
	return ""
}

func newError(sentinel error, control, value, reason string) *Error {
	return &Error{Index: -1, Value: value, Control: control, Reason: reason, err: sentinel}
}

// at returns a copy of the error that names the spec field and index it came
// from; nested validation fills the value and reason, callers add where.
func at(err error, field string, index int) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Field, c.Index = field, index
	return &c
}

// eachAt validates every element of a list field.
func eachAt(field string, values []string, check func(string) error) error {
	for i, v := range values {
		if err := check(v); err != nil {
			return at(err, field, i)
		}
	}
	return nil
}

func invalidSpec(field, value, reason string) error {
	return at(newError(ErrInvalidSpec, "", value, reason), field, -1)
}

// checkSize refuses a document larger than limit characters.
func checkSize(d Document, limit int, where string) error {
	if n := Size(d); n > limit {
		e := newError(ErrPolicyTooLarge, "", "",
			fmt.Sprintf("the %s is %d characters, over the %d-character limit", where, n, limit))
		e.Size, e.Limit = n, limit
		return e
	}
	return nil
}
