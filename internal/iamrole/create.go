package iamrole

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// Every call a role resource makes that changes something, and why each is
// safe to send again after its answer was lost (the SDK then retries it,
// or, for CreateRole, idem.Create does):
//
//   - CreateRole: a retry answers EntityAlreadyExists for the role it made.
//     It is sent through idem.Create with the SDK's retries off and a
//     creation token tag; on that answer the role of that name is used
//     only when it carries this create's token and the trust policy and
//     boundary sent (adopt). Any other role of that name is refused.
//   - PutRolePolicy, UpdateAssumeRolePolicy, UpdateRole,
//     PutRolePermissionsBoundary, TagRole, UntagRole: set a value; sending
//     them twice leaves the same result (untagging a missing key is no
//     error).
//   - DeleteRolePermissionsBoundary: a retry may answer NoSuchEntity (no
//     boundary left), which ReconcileBoundary treats as done.
//   - DetachRolePolicy, DeleteRolePolicy, RemoveRoleFromInstanceProfile,
//     DeleteRole: a retry answers NoSuchEntity, which is success.

// noRetries turns the SDK's retries off for one call, so that a lost
// answer comes back to idem.Create.
func noRetries(o *iam.Options) { o.RetryMaxAttempts = 1 }

// entityAlreadyExists is IAM's answer for a role name in use.
var entityAlreadyExists = (&iamtypes.EntityAlreadyExistsException{}).ErrorCode()

// ErrEmptyAnswer is an answer from IAM without the role it must carry.
var ErrEmptyAnswer = errors.New("IAM answered without the role")

// Create creates the role in through idem.Create: the request carries a
// new creation token as a tag, and when IAM answers that the name is taken
// (a retry after a lost answer, or someone else's role) the role is used
// only if it is the one this create made, or one a killed apply of the same
// resource left (findLeftover; keep is the resource's inline policy).
func Create(ctx context.Context, ic *iam.Client, in *iam.CreateRoleInput, keep string) (*iamtypes.Role, error) {
	token, err := idem.NewToken()
	if err != nil {
		return nil, err
	}
	in.Tags = append(withoutToken(in.Tags), iamtypes.Tag{Key: aws.String(idem.TokenTag), Value: aws.String(token)})
	name := aws.ToString(in.RoleName)
	find := func(ctx context.Context) (*iamtypes.Role, bool, error) { return findByToken(ctx, ic, in, token) }
	taken := func(err error) bool { return tfawserr.ErrCodeEquals(err, entityAlreadyExists) }
	role, err := idem.Create[*iamtypes.Role]{
		What: "creating role " + name,
		Do: func(ctx context.Context) (*iamtypes.Role, error) {
			out, err := ic.CreateRole(ctx, in, noRetries)
			if err != nil {
				return nil, err
			}
			if out.Role == nil || aws.ToString(out.Role.Arn) == "" {
				// The role may exist all the same: look for it.
				if role, ok, ferr := find(ctx); ferr == nil && ok {
					return role, nil
				}
				return nil, fmt.Errorf("CreateRole %s: %w", name, ErrEmptyAnswer)
			}
			return out.Role, nil
		},
		Find:  find,
		Taken: taken,
	}.Run(ctx)
	if taken(err) {
		// Not this create's role: perhaps the one a killed apply of this
		// resource made (its name is the resource's identity).
		left, lerr := findLeftover(ctx, ic, in, keep)
		if lerr == nil {
			tflog.Warn(ctx, "adopting the role an interrupted apply created", map[string]any{"role": name})
			return left, nil
		}
		return nil, fmt.Errorf("role %s already exists and was not created by this apply (it does not carry this create's token in tag %s), "+
			"nor is it one an interrupted apply left for this resource (%v); import it, or choose another name: %w", name, idem.TokenTag, lerr, err)
	}
	return role, err
}

// withoutToken drops a creation token tag from tags (a configured one is
// refused by the schema; this keeps the request's token the only one).
func withoutToken(tags []iamtypes.Tag) []iamtypes.Tag {
	var out []iamtypes.Tag
	for _, t := range tags {
		if aws.ToString(t.Key) != idem.TokenTag {
			out = append(out, t)
		}
	}
	return out
}

// findByToken returns the role named in the request when it is the one
// this create made (adopt).
func findByToken(ctx context.Context, ic *iam.Client, in *iam.CreateRoleInput, token string) (*iamtypes.Role, bool, error) {
	name := aws.ToString(in.RoleName)
	got, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	switch {
	case tfawserr.ErrCodeEquals(err, noSuchEntity):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("GetRole: %w", err)
	case got.Role == nil:
		return nil, false, fmt.Errorf("GetRole %s: %w", name, ErrEmptyAnswer)
	}
	tags, err := ListTags(ctx, ic, name)
	if err != nil {
		return nil, false, err
	}
	if ok, err := adopt(got.Role, tags, in, token); !ok || err != nil {
		return nil, false, err
	}
	return got.Role, true, nil
}

// adopt decides whether an existing role of the requested name is the
// one this create made: it carries the create's token (ok false otherwise:
// someone else's role, never used). A role with the token whose trust
// policy or permissions boundary is not what was sent was changed since,
// and is an error rather than used.
func adopt(role *iamtypes.Role, tags map[string]string, in *iam.CreateRoleInput, token string) (ok bool, err error) {
	if tags[idem.TokenTag] != token {
		return false, nil
	}
	if err := sameAsSent(role, in); err != nil {
		return false, fmt.Errorf("role %s carries this create's token, but %w", aws.ToString(in.RoleName), err)
	}
	return true, nil
}

// sameAsSent reports how a role differs from what CreateRole sets from in:
// its trust policy and permissions boundary.
func sameAsSent(role *iamtypes.Role, in *iam.CreateRoleInput) error {
	if !Equivalent(Decode(aws.ToString(role.AssumeRolePolicyDocument)), aws.ToString(in.AssumeRolePolicyDocument)) {
		return fmt.Errorf("its trust policy is not the one sent: %s", aws.ToString(role.AssumeRolePolicyDocument))
	}
	boundary := ""
	if role.PermissionsBoundary != nil {
		boundary = aws.ToString(role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	if boundary != aws.ToString(in.PermissionsBoundary) {
		return fmt.Errorf("its permissions boundary is %q, not %q as sent", boundary, aws.ToString(in.PermissionsBoundary))
	}
	return nil
}
