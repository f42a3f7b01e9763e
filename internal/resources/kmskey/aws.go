package kmskey

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// KMS's only key policy name.
const policyName = "default"

// Key states the resource cares about.
const (
	stateEnabled         = string(kmstypes.KeyStateEnabled)
	stateDisabled        = string(kmstypes.KeyStateDisabled)
	statePendingDeletion = string(kmstypes.KeyStatePendingDeletion)
)

// errKeyNotFound is returned (wrapped) by findKey for a key KMS does not know.
var errKeyNotFound = errors.New("KMS key not found")

// notFound is KMS's error code for a key (or alias) that does not exist.
var notFound = (&kmstypes.NotFoundException{}).ErrorCode()

// isNotFound reports a key KMS does not know: findKey's errKeyNotFound, or
// KMS's NotFoundException from any other call.
func isNotFound(err error) bool {
	return errors.Is(err, errKeyNotFound) || tfawserr.ErrCodeEquals(err, notFound)
}

// isInvalidState reports KMS refusing a call for the key's state (pending
// deletion, for example).
func isInvalidState(err error) bool {
	return tfawserr.ErrCodeEquals(err, (&kmstypes.KMSInvalidStateException{}).ErrorCode())
}

// findKey describes a key by ID or ARN; a key KMS does not know gives an
// error wrapping errKeyNotFound.
func findKey(ctx context.Context, kc *kms.Client, id string) (*kmstypes.KeyMetadata, error) {
	out, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	switch {
	case tfawserr.ErrCodeEquals(err, notFound):
		return nil, fmt.Errorf("%w: %s: %w", errKeyNotFound, id, err)
	case err != nil:
		return nil, err
	case out.KeyMetadata == nil:
		// Not "not found": that would drop the key from state.
		return nil, fmt.Errorf("DescribeKey %s: %w", id, errEmptyAnswer)
	}
	return out.KeyMetadata, nil
}

// getPolicy returns the key's policy text.
func getPolicy(ctx context.Context, kc *kms.Client, id string) (string, error) {
	out, err := kc.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String(policyName)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Policy), nil
}

// listAliases returns the sorted alias names that point at the key.
func listAliases(ctx context.Context, kc *kms.Client, id string) ([]string, error) {
	p := kms.NewListAliasesPaginator(kc, &kms.ListAliasesInput{KeyId: aws.String(id)})
	aliases, err := shared.Collect(ctx, p.HasMorePages, p.NextPage, func(page *kms.ListAliasesOutput) []kmstypes.AliasListEntry { return page.Aliases })
	if err != nil {
		return nil, err
	}
	var names []string
	for _, a := range aliases {
		if aws.ToString(a.TargetKeyId) == id {
			names = append(names, aws.ToString(a.AliasName))
		}
	}
	slices.Sort(names)
	return names, nil
}

// listTags returns the key's tags.
func listTags(ctx context.Context, kc *kms.Client, id string) (map[string]string, error) {
	p := kms.NewListResourceTagsPaginator(kc, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	tags, err := shared.Collect(ctx, p.HasMorePages, p.NextPage, func(page *kms.ListResourceTagsOutput) []kmstypes.Tag { return page.Tags })
	if err != nil {
		return nil, err
	}
	return shared.TagMap(tags, func(t kmstypes.Tag) (*string, *string) { return t.TagKey, t.TagValue }), nil
}

// TagAlias is the key's identity tag: the alias it was created for. A
// create after a killed apply finds the key its killed run made by it (see
// findLeftoverKey); Update keeps it equal to the alias.
const TagAlias = "sagesafe:kms-alias"

// withoutTokenTag drops sagesafe's own tags (the creation token, see
// createKey, and the identity tag TagAlias) from a key's tags: sagesafe's
// records, never part of tags or tags_all.
func withoutTokenTag(tags map[string]string) map[string]string {
	delete(tags, idem.TokenTag)
	delete(tags, TagAlias)
	return tags
}

func kmsTags(tags map[string]string) []kmstypes.Tag {
	return shared.TagList(tags, func(k, v *string) kmstypes.Tag { return kmstypes.Tag{TagKey: k, TagValue: v} })
}

// reconcileAlias makes want (may be empty) the key's managed alias: it is
// created, or re-pointed at the key when it targets another one, and the
// previously managed alias is removed when it changed.
func reconcileAlias(ctx context.Context, kc *kms.Client, id, had, want string) error {
	aliases, err := listAliases(ctx, kc, id)
	if err != nil {
		return err
	}
	if had != "" && had != want && slices.Contains(aliases, had) {
		if _, err := kc.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(had)}); err != nil && !isNotFound(err) {
			return fmt.Errorf("DeleteAlias %s: %w", had, err)
		}
	}
	if want == "" || slices.Contains(aliases, want) {
		return nil
	}
	err = createAlias(ctx, kc, id, want)
	if taken := (*errAliasTaken)(nil); errors.As(err, &taken) {
		// Pointed at another key outside Terraform (refresh then drops it
		// from state, so had is empty here): point it back, as documented.
		_, err = kc.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(want), TargetKeyId: aws.String(id)})
	}
	if err != nil {
		return fmt.Errorf("alias %s: %w", want, err)
	}
	return nil
}

// reconcileTags makes the key's tags exactly want (keys settings ignore
// aside), and its identity tag TagAlias the alias (none without one). (The
// SDK's errors name the operation that failed.)
func reconcileTags(ctx context.Context, kc *kms.Client, settings shared.TagSettings, id string, want map[string]string, alias string) error {
	live, err := listTags(ctx, kc, id)
	if err != nil {
		return err
	}
	identity, hasIdentity := live[TagAlias]
	have := withoutTokenTag(live) // the creation token stays
	untag := func(keys []string) error {
		_, err := kc.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(id), TagKeys: keys})
		return err
	}
	tag := func(set map[string]string) error {
		_, err := kc.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: kmsTags(set)})
		return err
	}
	if err := shared.UpdateTags(settings, have, want, untag, tag); err != nil {
		return err
	}
	switch {
	case alias != "" && identity != alias:
		return tag(map[string]string{TagAlias: alias})
	case alias == "" && hasIdentity:
		return untag([]string{TagAlias})
	}
	return nil
}

// deleteKey removes the key's managed alias (never one that now points at
// another key) and schedules the key's deletion after window days. A key
// that is gone or already pending deletion is not an error.
func deleteKey(ctx context.Context, kc *kms.Client, id, alias string, window int64) (summary string, err error) {
	if alias != "" {
		aliases, err := listAliases(ctx, kc, id)
		switch {
		case isNotFound(err):
			return "", nil // the key itself is gone
		case err != nil:
			return "Deleting the KMS alias failed", fmt.Errorf("listing aliases of key %s: %w", id, err)
		}
		if slices.Contains(aliases, alias) {
			if _, err := kc.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(alias)}); err != nil && !isNotFound(err) {
				return "Deleting the KMS alias failed", fmt.Errorf("alias %s of key %s: %w", alias, id, err)
			}
		}
	}
	_, err = kc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(int32(window))})
	switch {
	case err == nil:
		tflog.Info(ctx, "scheduled KMS key deletion", map[string]any{"key_id": id, "window_days": window})
	case isNotFound(err), isInvalidState(err): // gone, or already pending deletion
	default:
		return "Scheduling the KMS key's deletion failed", fmt.Errorf("key %s: %w", id, err)
	}
	return "", nil
}
