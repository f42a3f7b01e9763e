package kmskey

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// Every call this resource makes that changes something, and why each is
// safe to send again after its answer was lost (the SDK then retries it,
// or, for CreateKey, idem.Create does):
//
//   - CreateKey: no idempotency token and no unique name, so a blind retry
//     makes a second key. It is sent through idem.Create with the SDK's
//     retries off and a creation token tag; after a lost answer the key
//     carrying the token is found (findKeyByToken) and used.
//   - CreateAlias: a retry answers AlreadyExists; createAlias then treats
//     an alias that already targets this key as created, and names the
//     key any other one targets.
//   - EnableKeyRotation, PutKeyPolicy, UpdateKeyDescription, UpdateAlias,
//     EnableKey, TagResource, UntagResource: set a value; sending them
//     twice leaves the same result (untagging a missing key is no error).
//   - CancelKeyDeletion: a retry finds the key no longer pending deletion
//     and KMS answers KMSInvalidStateException; restoreKeyState reads the
//     key's state and goes on when the cancellation took effect.
//   - DeleteAlias: a retry answers NotFoundException, which is success.
//   - ScheduleKeyDeletion: a retry answers KMSInvalidStateException (already
//     pending deletion), which deleteKey treats as success, as NotFound.

// noRetries turns the SDK's retries off for one call, so that a lost
// answer comes back to idem.Create.
func noRetries(o *kms.Options) { o.RetryMaxAttempts = 1 }

// errEmptyAnswer is an answer from KMS without the metadata it must carry.
var errEmptyAnswer = errors.New("KMS answered without the key's metadata")

// createKey creates the key in through idem.Create: the request carries a
// new creation token as a tag, and after a lost answer the key that carries
// it is found instead of a second one being made. KMS keys have no unique
// name, so the keys that exist before the first request are listed first;
// only keys made since are examined (KMS has no tag filter on ListKeys).
//
// A key with an alias also carries the identity tag TagAlias, and before
// anything is sent, the key a killed apply of this resource left is looked
// for by it and adopted when it passes the recovery rule (findLeftoverKey).
func createKey(ctx context.Context, kc *kms.Client, in *kms.CreateKeyInput, alias string) (*kmstypes.KeyMetadata, error) {
	token, err := idem.NewToken()
	if err != nil {
		return nil, err
	}
	in.Tags = append(withoutToken(in.Tags), kmstypes.Tag{TagKey: aws.String(idem.TokenTag), TagValue: aws.String(token)})
	if alias != "" {
		in.Tags = append(in.Tags, kmstypes.Tag{TagKey: aws.String(TagAlias), TagValue: aws.String(alias)})
	}
	before, err := listKeyIDs(ctx, kc)
	if err != nil {
		return nil, fmt.Errorf("listing the existing keys (to recognise this create's key after a lost answer): %w", err)
	}
	if alias != "" {
		meta, ok, err := findLeftoverKey(ctx, kc, before, alias, in)
		if err != nil || ok {
			return meta, err
		}
	}
	find := func(ctx context.Context) (*kmstypes.KeyMetadata, bool, error) {
		return findKeyByToken(ctx, kc, before, token)
	}
	return idem.Create[*kmstypes.KeyMetadata]{
		What: "creating the KMS key",
		Do: func(ctx context.Context) (*kmstypes.KeyMetadata, error) {
			out, err := kc.CreateKey(ctx, in, noRetries)
			if err != nil {
				return nil, err
			}
			if out.KeyMetadata == nil || aws.ToString(out.KeyMetadata.KeyId) == "" {
				// The key may exist all the same: look for it rather than
				// leave it behind.
				if meta, ok, ferr := find(ctx); ferr == nil && ok {
					return meta, nil
				}
				return nil, fmt.Errorf("CreateKey: %w", errEmptyAnswer)
			}
			return out.KeyMetadata, nil
		},
		Find: find,
	}.Run(ctx)
}

// withoutToken drops a creation token tag and an identity tag from tags
// (configured ones are refused by the schema; this keeps the request's own
// the only ones).
func withoutToken(tags []kmstypes.Tag) []kmstypes.Tag {
	var out []kmstypes.Tag
	for _, t := range tags {
		if k := aws.ToString(t.TagKey); k != idem.TokenTag && k != TagAlias {
			out = append(out, t)
		}
	}
	return out
}

// listKeyIDs returns the IDs of the account's keys in the region.
func listKeyIDs(ctx context.Context, kc *kms.Client) (map[string]bool, error) {
	p := kms.NewListKeysPaginator(kc, &kms.ListKeysInput{Limit: aws.Int32(1000)})
	keys, err := shared.Collect(ctx, p.HasMorePages, p.NextPage, func(page *kms.ListKeysOutput) []kmstypes.KeyListEntry { return page.Keys })
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(keys))
	for _, k := range keys {
		ids[aws.ToString(k.KeyId)] = true
	}
	return ids, nil
}

// findKeyByToken returns the key, among those made after before was
// listed, that carries the creation token; a key carrying it that is not
// what CreateKey asks for is an error (it was changed, so it is not used).
func findKeyByToken(ctx context.Context, kc *kms.Client, before map[string]bool, token string) (*kmstypes.KeyMetadata, bool, error) {
	now, err := listKeyIDs(ctx, kc)
	if err != nil {
		return nil, false, err
	}
	for _, id := range newKeys(before, now) {
		tags, err := listTags(ctx, kc, id)
		if isNotFound(err) || tfawserr.ErrCodeEquals(err, "AccessDeniedException") {
			continue // gone, or not readable by us: not ours to prove
		}
		if err != nil {
			return nil, false, err
		}
		if tags[idem.TokenTag] != token {
			continue
		}
		meta, err := findKey(ctx, kc, id)
		if err != nil {
			return nil, false, err
		}
		if reason := unmanageable(meta, nil); reason != "" {
			return nil, false, fmt.Errorf("key %s carries this create's token but %s", id, reason)
		}
		return meta, true, nil
	}
	return nil, false, nil
}

// newKeys returns the keys of now that are not in before, sorted.
func newKeys(before, now map[string]bool) []string {
	return slices.DeleteFunc(slices.Sorted(maps.Keys(now)), func(id string) bool { return before[id] })
}

// errAliasTaken reports an alias that targets another key.
type errAliasTaken struct {
	alias, target string
	err           error
}

func (e *errAliasTaken) Error() string {
	return fmt.Sprintf("alias %s already exists and points at key %s, not at this one: %v", e.alias, e.target, e.err)
}

func (e *errAliasTaken) Unwrap() error { return e.err }

// createAlias points a new alias at key id. An alias that already exists
// and targets this key is the one a retried CreateAlias (after a lost
// answer) made: success. One that targets another key is an
// *errAliasTaken naming that key.
func createAlias(ctx context.Context, kc *kms.Client, id, alias string) error {
	_, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(id)})
	if !tfawserr.ErrCodeEquals(err, (&kmstypes.AlreadyExistsException{}).ErrorCode()) {
		return err
	}
	target, terr := findKey(ctx, kc, alias)
	if terr != nil {
		return fmt.Errorf("%w (and resolving the existing alias failed: %v)", err, terr)
	}
	return aliasOutcome(alias, id, aws.ToString(target.KeyId), err)
}

// aliasOutcome decides what an AlreadyExists answer to CreateAlias means:
// nil when the alias targets key id (ours), else *errAliasTaken.
func aliasOutcome(alias, id, target string, err error) error {
	if target == id {
		return nil
	}
	return &errAliasTaken{alias: alias, target: target, err: err}
}
