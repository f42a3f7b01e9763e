package iamrole

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

const sentTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestAdoptRole(t *testing.T) {
	in := &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(sentTrust)}
	withBoundary := *in
	withBoundary.PermissionsBoundary = aws.String("arn:aws:iam::111122223333:policy/boundary")
	otherTrust := strings.Replace(sentTrust, "sagemaker.amazonaws.com", "ec2.amazonaws.com", 1)
	cases := []struct {
		name    string
		in      *iam.CreateRoleInput
		trust   string // as IAM returns it: URL-encoded
		tags    map[string]string
		want    bool
		wantErr string
	}{
		{name: "this create's role (a retry after a lost answer)", in: in, trust: url.QueryEscape(sentTrust), tags: map[string]string{idem.TokenTag: "tok", "team": "ml"}, want: true},
		{name: "a squatter without a token", in: in, trust: url.QueryEscape(sentTrust), tags: map[string]string{"team": "ml"}},
		{name: "another create's token (an earlier apply)", in: in, trust: url.QueryEscape(sentTrust), tags: map[string]string{idem.TokenTag: "other"}},
		{name: "token, but the trust was changed", in: in, trust: url.QueryEscape(otherTrust), tags: map[string]string{idem.TokenTag: "tok"}, wantErr: "trust policy"},
		{name: "token, but the boundary is missing", in: &withBoundary, trust: sentTrust, tags: map[string]string{idem.TokenTag: "tok"}, wantErr: "permissions boundary"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			role := &iamtypes.Role{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(tc.trust)}
			ok, err := adopt(role, tc.tags, tc.in, "tok")
			if tc.wantErr != "" {
				if ok || err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ok %v err %v, want an error about %s", ok, err, tc.wantErr)
				}
				return
			}
			if ok != tc.want || err != nil {
				t.Fatalf("ok %v err %v, want %v", ok, err, tc.want)
			}
		})
	}
}

func TestCreateRoleCarriesOneToken(t *testing.T) {
	got := withoutToken([]iamtypes.Tag{
		{Key: aws.String("team"), Value: aws.String("ml")},
		{Key: aws.String(idem.TokenTag), Value: aws.String("configured")},
	})
	if len(got) != 1 || aws.ToString(got[0].Key) != "team" {
		t.Fatalf("withoutToken = %v", got)
	}
}

// fakeIAM answers every IAM call with an empty result.
func fakeIAM() *iam.Client {
	return iam.New(iam.Options{
		Region:      "us-east-1",
		Credentials: aws.AnonymousCredentials{},
		HTTPClient: smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
			body, _ := io.ReadAll(r.Body)
			form, _ := url.ParseQuery(string(body))
			action := form.Get("Action")
			xml := fmt.Sprintf(`<%[1]sResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><%[1]sResult></%[1]sResult>`+
				`<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></%[1]sResponse>`, action)
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml"}},
				Body: io.NopCloser(strings.NewReader(xml)), Request: r}, nil
		}),
	})
}

// TestEmptyAnswers: answers without a Role are clear errors, not panics,
// and a GetRole without a Role is not "not found" (which would drop the
// role from state).
func TestEmptyAnswers(t *testing.T) {
	ic := fakeIAM()
	_, err := Create(context.Background(), ic, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(sentTrust)}, "policy")
	if !errors.Is(err, ErrEmptyAnswer) {
		t.Fatalf("Create: err = %v, want %v", err, ErrEmptyAnswer)
	}
	_, err = Find(context.Background(), ic, "exec")
	if !errors.Is(err, ErrEmptyAnswer) || IsNotFound(err) {
		t.Fatalf("Find: err = %v, want %v and not not-found", err, ErrEmptyAnswer)
	}
}

func TestGenerateName(t *testing.T) {
	a, b := GenerateName("tfacc-"), GenerateName("tfacc-")
	if a == b || !strings.HasPrefix(a, "tfacc-") || len(a) != len("tfacc-")+GeneratedSuffixLen {
		t.Errorf("GenerateName: %q, %q", a, b)
	}
}
