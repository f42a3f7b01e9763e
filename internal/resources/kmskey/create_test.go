package kmskey

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

func TestNewKeysAreOnlyThoseMadeSince(t *testing.T) {
	before := map[string]bool{"a": true, "b": true}
	now := map[string]bool{"a": true, "b": true, "d": true, "c": true}
	if got := newKeys(before, now); !reflect.DeepEqual(got, []string{"c", "d"}) {
		t.Fatalf("newKeys = %v, want [c d]", got)
	}
	if got := newKeys(before, before); len(got) != 0 {
		t.Fatalf("newKeys with nothing new = %v", got)
	}
}

func TestAliasOutcome(t *testing.T) {
	exists := &smithy.GenericAPIError{Code: "AlreadyExistsException", Message: "exists"}
	if err := aliasOutcome("alias/ml", "key-1", "key-1", exists); err != nil {
		t.Fatalf("an alias that targets this key (a retried CreateAlias made it) is ours: %v", err)
	}
	err := aliasOutcome("alias/ml", "key-1", "key-2", exists)
	var taken *errAliasTaken
	if !errors.As(err, &taken) || !strings.Contains(err.Error(), "alias/ml") || !strings.Contains(err.Error(), "key-2") {
		t.Fatalf("an alias of another key must be refused naming alias and target, got %v", err)
	}
	if !errors.Is(err, exists) {
		t.Fatalf("the refusal must wrap the AWS answer: %v", err)
	}
}

func TestCreateKeyCarriesOneToken(t *testing.T) {
	tags := []kmstypes.Tag{
		{TagKey: aws.String("team"), TagValue: aws.String("ml")},
		{TagKey: aws.String(idem.TokenTag), TagValue: aws.String("configured")},
	}
	got := withoutToken(tags)
	if len(got) != 1 || aws.ToString(got[0].TagKey) != "team" {
		t.Fatalf("withoutToken = %v", got)
	}
	live := map[string]string{"team": "ml", idem.TokenTag: "abc", TagAlias: "alias/ml"}
	if got := withoutTokenTag(live); !reflect.DeepEqual(got, map[string]string{"team": "ml"}) {
		t.Fatalf("the token and the identity tag must not reach tags_all: %v", got)
	}
}

// errLostRead is how a transient failure reaches a read after the SDK's own
// retries: a send error.
var errLostRead = fmt.Errorf("DescribeKey (key k): %w", &smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF})

func TestSaveReadBack(t *testing.T) {
	denied := fmt.Errorf("DescribeKey (key k): %w", &smithy.GenericAPIError{Code: "AccessDeniedException"})
	cases := []struct {
		name    string
		answers []error // per read; nil: found (or, past the end, the last answer again)
		missing int     // the first reads answer "not found"
		wantErr string
		warn    bool
		reads   int
	}{
		{name: "found at once", answers: []error{nil}, reads: 1},
		{name: "not visible yet, then found", missing: 2, answers: []error{nil, nil, nil}, reads: 3},
		{name: "transient failure, then found", answers: []error{errLostRead, nil}, reads: 2},
		{name: "transient failures throughout: saved with a warning, not tainted", answers: []error{errLostRead}, warn: true, reads: 4},
		{name: "a real error fails at once", answers: []error{denied}, wantErr: "AccessDenied", reads: 1},
		{name: "never visible", missing: 10, answers: []error{nil}, wantErr: "not found", reads: 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			state := emptyState(t)
			m := importedModel("k", "", nil)
			m.KeyState = types.StringUnknown() // what a plan may still hold
			reads := 0
			read := func(_ context.Context, got *model) (bool, error) {
				reads++
				err := tc.answers[min(reads, len(tc.answers))-1]
				if err != nil {
					return false, err
				}
				if reads <= tc.missing {
					return false, nil
				}
				got.KeyState = types.StringValue(stateEnabled)
				return true, nil
			}
			var diags diag.Diagnostics
			shared.SaveCreated(ctx, &m, read, []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}, "KMS key k", &state, &diags)
			if reads != tc.reads {
				t.Errorf("reads = %d, want %d", reads, tc.reads)
			}
			if tc.wantErr != "" {
				if !diags.HasError() || !strings.Contains(fmt.Sprint(diags), tc.wantErr) {
					t.Fatalf("diags = %v, want an error with %q", diags, tc.wantErr)
				}
				return
			}
			if diags.HasError() || (diags.WarningsCount() > 0) != tc.warn {
				t.Fatalf("diags = %v, want warning %v and no error", diags, tc.warn)
			}
			var saved model
			if d := state.Get(ctx, &saved); d.HasError() {
				t.Fatal(d)
			}
			if saved.ID.ValueString() != "k" || saved.KeyState.IsUnknown() {
				t.Fatalf("saved id %s key_state %s", saved.ID, saved.KeyState)
			}
		})
	}
}

func emptyState(t *testing.T) tfsdk.State {
	t.Helper()
	var resp resource.SchemaResponse
	(&kmsKeyResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	return tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(context.Background()), nil)}
}

// TestCreateKeyEmptyAnswer: a CreateKey answer without KeyMetadata is a
// clear error, not a panic (and no key carrying the token exists).
func TestCreateKeyEmptyAnswer(t *testing.T) {
	kc := kms.New(kms.Options{
		Region:      "us-east-1",
		Credentials: aws.AnonymousCredentials{},
		HTTPClient: smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
			body := `{}`
			if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".ListKeys") {
				body = `{"Keys":[]}`
			}
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
				Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		}),
	})
	_, err := createKey(context.Background(), kc, &kms.CreateKeyInput{}, "")
	if !errors.Is(err, errEmptyAnswer) {
		t.Fatalf("err = %v, want %v", err, errEmptyAnswer)
	}
}
