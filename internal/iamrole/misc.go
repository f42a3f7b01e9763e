package iamrole

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// GeneratedSuffixLen is the length of the random part of a name_prefix name.
const GeneratedSuffixLen = 26

// GenerateName returns prefix followed by a unique suffix.
func GenerateName(prefix string) string {
	b := make([]byte, GeneratedSuffixLen/2)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return prefix + hex.EncodeToString(b)
}

// Decode returns a policy document as canonical JSON text (IAM returns
// documents URL-encoded); text that is not a policy is returned as given.
func Decode(doc string) string {
	if c, err := iampolicy.Canonical(doc); err == nil {
		return c
	}
	return doc
}

// Equivalent reports whether two documents mean the same; unparsable text
// is never equivalent.
func Equivalent(a, b string) bool {
	same, err := iampolicy.Equivalent(a, b)
	return err == nil && same
}

// BoundaryPutter is the part of the IAM client PutBoundary uses, so
// resources with a narrower IAM interface of their own can call it.
type BoundaryPutter interface {
	PutRolePermissionsBoundary(context.Context, *iam.PutRolePermissionsBoundaryInput, ...func(*iam.Options)) (*iam.PutRolePermissionsBoundaryOutput, error)
}

// PutBoundary sets the permissions boundary want when the role's is have
// and differs; it never removes one (want "" does nothing). The roles
// sagesafe makes for a network, a trail or a monitor use it to put back the
// guardrails' boundary (SS-IAM-5). PutRolePermissionsBoundary sets a
// value, so sending it again after a lost answer changes nothing.
func PutBoundary(ctx context.Context, ic BoundaryPutter, name, have, want string) error {
	if want == "" || want == have {
		return nil
	}
	_, err := ic.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(name), PermissionsBoundary: aws.String(want)})
	return err
}

// ReconcileBoundary sets, changes or removes the permissions boundary; what
// names the call that failed. Both calls are safe to send again after a
// lost answer: Put sets a value, and Delete's NoSuchEntity means done.
func ReconcileBoundary(ctx context.Context, ic *iam.Client, name, have, want string) (what string, err error) {
	switch {
	case want != "" && want != have:
		return "PutRolePermissionsBoundary", PutBoundary(ctx, ic, name, have, want)
	case want == "" && have != "":
		_, err = ic.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(name)})
		if IsNotFound(err) {
			err = nil // a retry after a lost answer: the boundary is gone
		}
		return "DeleteRolePermissionsBoundary", err
	}
	return "", nil
}

// CreateInput is a CreateRole request: the trust policy, the settings and
// the tags (the resource puts its inline policy right after).
func CreateInput(name, trust string, maxSession int64, boundary string, tags map[string]string) *iam.CreateRoleInput {
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trust),
		MaxSessionDuration:       aws.Int32(int32(maxSession)),
		Tags:                     Tags(tags),
	}
	if boundary != "" {
		in.PermissionsBoundary = aws.String(boundary)
	}
	return in
}
