package iamrole

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// findLeftover returns the role named in the request when a killed
// apply of this resource made it, under the recovery rule of internal/idem:
// the name is the identity (the role was found by it), it carries a
// creation token (any: the killed run's is lost), and it passes
// auditLeftover. The error says why not. A role made with name_prefix
// has no identity a later apply could know, so it is never found here.
func findLeftover(ctx context.Context, ic *iam.Client, in *iam.CreateRoleInput, keep string) (*iamtypes.Role, error) {
	name := aws.ToString(in.RoleName)
	got, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	switch {
	case err != nil:
		return nil, fmt.Errorf("GetRole: %w", err)
	case got.Role == nil:
		return nil, fmt.Errorf("GetRole %s: %w", name, ErrEmptyAnswer)
	}
	tags, err := ListTags(ctx, ic, name)
	if err != nil {
		return nil, err
	}
	if err := idem.Leftover(tags, nil); err != nil {
		return nil, err
	}
	attached, err := listAttached(ctx, ic, name)
	if err != nil {
		return nil, err
	}
	inline, err := getInline(ctx, ic, name)
	if err != nil {
		return nil, err
	}
	if err := auditLeftover(got.Role, tags, attached, slices.Sorted(maps.Keys(inline)), in, keep); err != nil {
		return nil, fmt.Errorf("it carries a creation token, but %w", err)
	}
	return got.Role, nil
}

// auditLeftover is part (c) of the recovery rule for a role: it must be
// what CreateRole makes from in: the trust policy, permissions boundary,
// maximum session duration, path and tags sent (the creation token aside),
// no managed policy, and no inline policy but keep, the generated one
// (whose document the create puts next, as for a new role).
func auditLeftover(role *iamtypes.Role, tags map[string]string, attached, inline []string, in *iam.CreateRoleInput, keep string) error {
	if err := sameAsSent(role, in); err != nil {
		return err
	}
	if got, want := aws.ToInt32(role.MaxSessionDuration), aws.ToInt32(in.MaxSessionDuration); want != 0 && got != want {
		return fmt.Errorf("its maximum session duration is %d s, not %d s", got, want)
	}
	if p := aws.ToString(role.Path); p != "" && p != "/" {
		return fmt.Errorf("its path is %s, not /", p)
	}
	want := shared.TagMap(in.Tags, func(t iamtypes.Tag) (*string, *string) { return t.Key, t.Value })
	delete(want, idem.TokenTag)
	have := maps.Clone(tags)
	delete(have, idem.TokenTag)
	if !maps.Equal(have, want) {
		return fmt.Errorf("its tags are %v, not %v", have, want)
	}
	if len(attached) > 0 {
		return fmt.Errorf("managed policies are attached to it: %v", attached)
	}
	for _, p := range inline {
		if p != keep {
			return errors.New("it has the inline policy " + p)
		}
	}
	return nil
}
