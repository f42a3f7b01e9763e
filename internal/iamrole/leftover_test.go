package iamrole

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// TestAuditLeftoverRole: the role a killed apply made is adopted only when
// it is what this create would make (part (c) of the recovery rule).
func TestAuditLeftover(t *testing.T) {
	in := &iam.CreateRoleInput{
		RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(sentTrust), MaxSessionDuration: aws.Int32(3600),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("ml")}, {Key: aws.String(idem.TokenTag), Value: aws.String("this-create")}},
	}
	role := func(change func(*iamtypes.Role)) *iamtypes.Role {
		r := &iamtypes.Role{RoleName: aws.String("exec"), Path: aws.String("/"), AssumeRolePolicyDocument: aws.String(url.QueryEscape(sentTrust)), MaxSessionDuration: aws.Int32(3600)}
		if change != nil {
			change(r)
		}
		return r
	}
	tags := map[string]string{"team": "ml", idem.TokenTag: "killed-run"}
	cases := []struct {
		name     string
		role     *iamtypes.Role
		tags     map[string]string
		attached []string
		inline   []string
		wantErr  string
	}{
		{name: "killed right after CreateRole", role: role(nil), tags: tags},
		{name: "killed after PutRolePolicy", role: role(nil), tags: tags, inline: []string{"generated"}},
		{name: "the trust was changed", role: role(func(r *iamtypes.Role) {
			r.AssumeRolePolicyDocument = aws.String(strings.Replace(sentTrust, "sagemaker", "ec2", 1))
		}), tags: tags, wantErr: "trust policy"},
		{name: "a boundary was added", role: role(func(r *iamtypes.Role) {
			r.PermissionsBoundary = &iamtypes.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String("arn:aws:iam::1:policy/b")}
		}), tags: tags, wantErr: "permissions boundary"},
		{name: "another session duration", role: role(func(r *iamtypes.Role) { r.MaxSessionDuration = aws.Int32(7200) }), tags: tags, wantErr: "session duration"},
		{name: "another path", role: role(func(r *iamtypes.Role) { r.Path = aws.String("/x/") }), tags: tags, wantErr: "path"},
		{name: "other tags", role: role(nil), tags: map[string]string{"team": "web", idem.TokenTag: "t"}, wantErr: "its tags"},
		{name: "a managed policy attached", role: role(nil), tags: tags, attached: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, wantErr: "AdministratorAccess"},
		{name: "another inline policy", role: role(nil), tags: tags, inline: []string{"extra"}, wantErr: "inline policy extra"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := auditLeftover(tc.role, tc.tags, tc.attached, tc.inline, in, "generated")
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
