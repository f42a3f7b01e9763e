// Package iamrole holds the IAM role operations sagesafe's role resources
// share (sagesafe_execution_role, sagesafe_persona_role): reading a role
// with its policies, creating it through idem.Create with leftover
// recovery, removing policies added outside Terraform, tags, boundary and
// delete. Each role resource owns one inline policy (keep) and nothing else.
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
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// Live is what IAM says about a role.
type Live struct {
	Name, ARN  string
	Trust      string // decoded JSON
	MaxSession int32
	Boundary   string
	Tags       map[string]string
	Attached   []string          // sorted managed policy ARNs
	Inline     map[string]string // name -> decoded JSON
}

// DefaultSessionDuration is IAM's maximum session duration when a role
// does not say.
const DefaultSessionDuration = 3600

// ErrNotFound is returned (wrapped) by Find for a role IAM does not know.
var ErrNotFound = errors.New("IAM role not found")

// noSuchEntity is IAM's error code for a role, or a policy of it, that does
// not exist.
var noSuchEntity = (&iamtypes.NoSuchEntityException{}).ErrorCode()

// IsNotFound reports a role IAM does not know: Find's ErrNotFound,
// or IAM's NoSuchEntity from any other call.
func IsNotFound(err error) bool {
	return errors.Is(err, ErrNotFound) || tfawserr.ErrCodeEquals(err, noSuchEntity)
}

// Find reads a role, its tags, managed and inline policies.
func Find(ctx context.Context, ic *iam.Client, name string) (*Live, error) {
	got, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	switch {
	case tfawserr.ErrCodeEquals(err, noSuchEntity):
		return nil, fmt.Errorf("%w: %s: %w", ErrNotFound, name, err)
	case err != nil:
		return nil, fmt.Errorf("GetRole: %w", err)
	case got.Role == nil:
		// Not "not found": that would drop the role from state.
		return nil, fmt.Errorf("GetRole %s: %w", name, ErrEmptyAnswer)
	}
	role := got.Role
	live := &Live{
		Name:       aws.ToString(role.RoleName),
		ARN:        aws.ToString(role.Arn),
		Trust:      Decode(aws.ToString(role.AssumeRolePolicyDocument)),
		MaxSession: aws.ToInt32(role.MaxSessionDuration),
	}
	if live.MaxSession == 0 {
		live.MaxSession = DefaultSessionDuration
	}
	if role.PermissionsBoundary != nil {
		live.Boundary = aws.ToString(role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	if live.Tags, err = ListTags(ctx, ic, name); err != nil {
		return nil, err
	}
	// The creation token (see Create) is sagesafe's record, never part
	// of tags or tags_all, and never removed by a tag update.
	delete(live.Tags, idem.TokenTag)
	if live.Attached, err = listAttached(ctx, ic, name); err != nil {
		return nil, err
	}
	if live.Inline, err = getInline(ctx, ic, name); err != nil {
		return nil, err
	}
	return live, nil
}

func ListTags(ctx context.Context, ic *iam.Client, name string) (map[string]string, error) {
	p := iam.NewListRoleTagsPaginator(ic, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
	tags, err := shared.Collect(ctx, p.HasMorePages, p.NextPage, func(page *iam.ListRoleTagsOutput) []iamtypes.Tag { return page.Tags })
	if err != nil {
		return nil, fmt.Errorf("ListRoleTags: %w", err)
	}
	return shared.TagMap(tags, func(t iamtypes.Tag) (*string, *string) { return t.Key, t.Value }), nil
}

// listAttached returns the ARNs of the role's managed policies, sorted.
func listAttached(ctx context.Context, ic *iam.Client, name string) ([]string, error) {
	p := iam.NewListAttachedRolePoliciesPaginator(ic, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	attached, err := shared.Collect(ctx, p.HasMorePages, p.NextPage,
		func(page *iam.ListAttachedRolePoliciesOutput) []iamtypes.AttachedPolicy { return page.AttachedPolicies })
	if err != nil {
		return nil, fmt.Errorf("ListAttachedRolePolicies: %w", err)
	}
	var arns []string
	for _, a := range attached {
		arns = append(arns, aws.ToString(a.PolicyArn))
	}
	slices.Sort(arns)
	return arns, nil
}

// getInline returns the role's inline policies by name, decoded.
func getInline(ctx context.Context, ic *iam.Client, name string) (map[string]string, error) {
	p := iam.NewListRolePoliciesPaginator(ic, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	names, err := shared.Collect(ctx, p.HasMorePages, p.NextPage, func(page *iam.ListRolePoliciesOutput) []string { return page.PolicyNames })
	if err != nil {
		return nil, fmt.Errorf("ListRolePolicies: %w", err)
	}
	inline := make(map[string]string, len(names))
	for _, pn := range names {
		doc, err := ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)})
		if err != nil {
			return nil, fmt.Errorf("GetRolePolicy %s: %w", pn, err)
		}
		inline[pn] = Decode(aws.ToString(doc.PolicyDocument))
	}
	return inline, nil
}

// RemoveForeign detaches every managed policy and deletes every inline
// policy other than keep (the resource's own), reporting each through note.
func RemoveForeign(ctx context.Context, ic *iam.Client, name, keep string, live *Live, note func(string)) error {
	for _, arn := range live.Attached {
		if _, err := ic.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(arn)}); err != nil && !IsNotFound(err) {
			return fmt.Errorf("DetachRolePolicy %s: %w", arn, err)
		}
		note("detached managed policy " + arn)
	}
	for _, pn := range slices.Sorted(maps.Keys(live.Inline)) {
		if pn == keep {
			continue
		}
		if _, err := ic.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)}); err != nil && !IsNotFound(err) {
			return fmt.Errorf("DeleteRolePolicy %s: %w", pn, err)
		}
		note("deleted inline policy " + pn)
	}
	return nil
}

// ReconcileTags makes the role's tags exactly want. (The SDK's errors name
// the operation that failed.)
func ReconcileTags(ctx context.Context, ic *iam.Client, name string, have, want map[string]string) error {
	untag := func(keys []string) error {
		_, err := ic.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(name), TagKeys: keys})
		return err
	}
	tag := func(set map[string]string) error {
		_, err := ic.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: Tags(set)})
		return err
	}
	return shared.ReconcileTags(have, want, untag, tag)
}

// Delete deletes a role after removing what IAM refuses to delete a role
// with: its policies (ours included) and its instance profiles. A role that
// is already gone is not an error.
func Delete(ctx context.Context, ic *iam.Client, name string) error {
	live, err := Find(ctx, ic, name)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading role %s: %w", name, err)
	}
	for _, policy := range slices.Sorted(maps.Keys(live.Inline)) {
		if _, err := ic.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policy)}); err != nil && !IsNotFound(err) {
			return fmt.Errorf("deleting inline policy %s of role %s: %w", policy, name, err)
		}
	}
	for _, arn := range live.Attached {
		if _, err := ic.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(arn)}); err != nil && !IsNotFound(err) {
			return fmt.Errorf("detaching %s from role %s: %w", arn, name, err)
		}
	}
	if gone, err := removeFromInstanceProfiles(ctx, ic, name); gone || err != nil {
		return err
	}
	if _, err := ic.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil && !IsNotFound(err) {
		return fmt.Errorf("role %s: %w", name, err)
	}
	return nil
}

// removeFromInstanceProfiles takes the role out of every instance profile;
// gone is true when the role disappeared meanwhile.
func removeFromInstanceProfiles(ctx context.Context, ic *iam.Client, name string) (gone bool, err error) {
	profiles := iam.NewListInstanceProfilesForRolePaginator(ic, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String(name)})
	for profiles.HasMorePages() {
		page, err := profiles.NextPage(ctx)
		if IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("listing instance profiles of role %s: %w", name, err)
		}
		for _, p := range page.InstanceProfiles {
			if _, err := ic.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{RoleName: aws.String(name), InstanceProfileName: p.InstanceProfileName}); err != nil && !IsNotFound(err) {
				return false, fmt.Errorf("removing role %s from instance profile %s: %w", name, aws.ToString(p.InstanceProfileName), err)
			}
		}
	}
	return false, nil
}

func Tags(tags map[string]string) []iamtypes.Tag {
	return shared.TagList(tags, func(k, v *string) iamtypes.Tag { return iamtypes.Tag{Key: k, Value: v} })
}
