package acctest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Killer stands for an apply killed right after a call reached AWS: the
// request is applied, and from then on the provider hears nothing (every
// answer, that call's included, is an AccessDeniedException, which the SDK
// does not retry, so Create fails at once rather than after minutes of
// retries). Create fails without saving any state, and its cleanup reaches
// nothing, as with SIGKILL. Action is "service:Action"
// ("sagemaker:CreateEndpoint"); JSON-protocol services only.
type Killer struct {
	Action string
	mu     sync.Mutex
	killed bool
}

// Wrap is a provider.Options.WrapTransport.
func (k *Killer) Wrap(next http.RoundTripper) http.RoundTripper {
	return RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if k.Done() {
			return JSONError(r, http.StatusForbidden, "AccessDeniedException", "the test killed the apply"), nil
		}
		action := RequestAction(r)
		resp, err := next.RoundTrip(r)
		if err != nil || resp.StatusCode >= 300 || action != k.Action {
			return resp, err
		}
		k.mu.Lock()
		k.killed = true
		k.mu.Unlock()
		_ = resp.Body.Close()
		return JSONError(r, http.StatusForbidden, "AccessDeniedException", "the test killed the apply"), nil
	})
}

// Done reports whether the call was made (and the apply "killed").
func (k *Killer) Done() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.killed
}

// ReadErrors answers the first Left calls of Read made after a 2xx answer
// to Create with a "not found" error (Code, Message), as reads right after
// a create can on AWS (SageMaker's reads lag its writes).
type ReadErrors struct {
	Create, Read  string // "sagemaker:CreateEndpoint", "sagemaker:DescribeEndpoint"
	Code, Message string // "ValidationException", "Could not find endpoint"
	Left          int
	mu            sync.Mutex
	created       bool
	failed        int
}

// Wrap is a provider.Options.WrapTransport.
func (d *ReadErrors) Wrap(next http.RoundTripper) http.RoundTripper {
	return RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		action := RequestAction(r)
		d.mu.Lock()
		fail := action == d.Read && d.created && d.Left > 0
		if fail {
			d.Left--
			d.failed++
		}
		d.mu.Unlock()
		if fail {
			return JSONError(r, http.StatusBadRequest, d.Code, d.Message), nil
		}
		resp, err := next.RoundTrip(r)
		if err == nil && resp.StatusCode < 300 && action == d.Create {
			d.mu.Lock()
			d.created = true
			d.mu.Unlock()
		}
		return resp, err
	})
}

// Failed reports how many reads were answered with the error.
func (d *ReadErrors) Failed() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failed
}

// JSONError is an error answer in the AWS JSON protocol (SageMaker, KMS,
// CloudWatch Logs).
func JSONError(r *http.Request, status int, code, message string) *http.Response {
	body := fmt.Sprintf(`{"__type":%q,"message":%q}`, code, message)
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Errortype": {code}},
		Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}
}
