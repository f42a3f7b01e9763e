package idem

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// world is a fake API: objects by token, optionally with unique names.
type world struct {
	objects []string // tokens of created objects, in order
	unique  bool
	calls   int
	answers []error // answers per call after the request took effect (nil: ok)
	before  []error // answers per call before the request took effect
}

var errTaken = &smithy.GenericAPIError{Code: "AlreadyExists", Message: "taken"}

func (w *world) do(token string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		w.calls++
		i := w.calls - 1
		if i < len(w.before) && w.before[i] != nil {
			return "", w.before[i]
		}
		if w.unique && len(w.objects) > 0 {
			return "", errTaken
		}
		w.objects = append(w.objects, token)
		if i < len(w.answers) && w.answers[i] != nil {
			return "", w.answers[i]
		}
		return token, nil
	}
}

func (w *world) find(token string) func(context.Context) (string, bool, error) {
	return func(context.Context) (string, bool, error) {
		for _, o := range w.objects {
			if o == token {
				return o, true, nil
			}
		}
		return "", false, nil
	}
}

func (w *world) create(token string) Create[string] {
	c := Create[string]{What: "thing", Do: w.do(token), Find: w.find(token), Settle: time.Millisecond}
	if w.unique {
		c.Taken = func(err error) bool {
			var ae smithy.APIError
			return errors.As(err, &ae) && ae.ErrorCode() == "AlreadyExists"
		}
	}
	return c
}

// lost is how a lost answer reaches the provider: the connection ends
// before the answer, and the SDK reports a send error (which it retries).
var lost = &smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF}

var throttled = &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}

func TestCreate(t *testing.T) {
	if !Retryable(lost) || !Retryable(throttled) || Retryable(errTaken) {
		t.Fatalf("classification: lost %v throttled %v taken %v", Retryable(lost), Retryable(throttled), Retryable(errTaken))
	}
	cases := []struct {
		name      string
		w         world
		preexist  string // an object someone else made first
		wantErr   string
		wantCalls int
		wantObjs  int
	}{
		{name: "ok", wantCalls: 1, wantObjs: 1},
		{name: "lost answer, no unique name: found by token, not sent again", w: world{answers: []error{lost}}, wantCalls: 1, wantObjs: 1},
		{name: "lost answer, unique name", w: world{unique: true, answers: []error{lost}}, wantCalls: 1, wantObjs: 1},
		{name: "throttled before it took effect: sent again", w: world{before: []error{throttled, throttled}}, wantCalls: 3, wantObjs: 1},
		{name: "name taken by someone else", w: world{unique: true}, preexist: "squatter", wantErr: "taken", wantCalls: 1, wantObjs: 1},
		{name: "not retryable", w: world{before: []error{&smithy.GenericAPIError{Code: "AccessDenied"}}}, wantErr: "AccessDenied", wantCalls: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.w
			if tc.preexist != "" {
				w.objects = []string{tc.preexist}
			}
			got, err := w.create("tok").Run(context.Background())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
			} else if err != nil || got != "tok" {
				t.Fatalf("got %q, %v", got, err)
			}
			if w.calls != tc.wantCalls || len(w.objects) != tc.wantObjs {
				t.Fatalf("calls %d objects %v, want %d calls %d objects", w.calls, w.objects, tc.wantCalls, tc.wantObjs)
			}
		})
	}
}

func TestCreateGivesUp(t *testing.T) {
	w := world{before: []error{throttled, throttled, throttled}}
	c := w.create("tok")
	c.Attempts = 2
	if _, err := c.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "no answer after 2 attempts") || w.calls != 2 {
		t.Fatalf("err %v calls %d", err, w.calls)
	}
}

func TestNewToken(t *testing.T) {
	a, err := NewToken()
	b, _ := NewToken()
	if err != nil || len(a) != 32 || a == b {
		t.Fatalf("tokens %q %q %v", a, b, err)
	}
}

func TestLeftover(t *testing.T) {
	id := map[string]string{"sagesafe:network": "ml"}
	cases := []struct {
		name    string
		tags    map[string]string
		wantErr string
	}{
		{name: "a killed run's object: any token, this identity", tags: map[string]string{TokenTag: "lost", "sagesafe:network": "ml", "team": "x"}},
		{name: "no token: made by hand or another tool", tags: map[string]string{"sagesafe:network": "ml"}, wantErr: "does not carry the tag " + TokenTag},
		{name: "an empty token", tags: map[string]string{TokenTag: "", "sagesafe:network": "ml"}, wantErr: "does not carry"},
		{name: "another identity", tags: map[string]string{TokenTag: "lost", "sagesafe:network": "other"}, wantErr: `is "other", not "ml"`},
		{name: "no identity tag", tags: map[string]string{TokenTag: "lost"}, wantErr: `is "", not "ml"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Leftover(tc.tags, id)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
	if err := Leftover(map[string]string{TokenTag: "t"}, nil); err != nil {
		t.Fatalf("a deterministic name needs no identity tag: %v", err)
	}
}
