package kmskey

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// maxLeftoverScan bounds how many keys' tags a create reads to find the key
// a killed apply left. KMS has no tag filter (the Resource Groups Tagging
// API has one, but its SDK module is not a dependency yet); in a larger
// account only the alias's target is examined.
const maxLeftoverScan = 1000

// leftover is a key that carries this resource's identity tag.
type leftover struct {
	meta *kmstypes.KeyMetadata
	tags map[string]string
}

// findLeftoverKey looks for the key a killed apply of this resource made:
// one that is not pending deletion and carries TagAlias=alias (a key of
// this alias being deleted after an earlier destroy is not one). It is
// adopted when it passes the recovery rule (internal/idem): it carries a
// creation token and passes auditLeftoverKey. Any other key with the
// identity is refused with an error naming it; none is (nil, false, nil).
func findLeftoverKey(ctx context.Context, kc *kms.Client, keys map[string]bool, alias string, in *kms.CreateKeyInput) (*kmstypes.KeyMetadata, bool, error) {
	found, err := keysWithIdentity(ctx, kc, keys, alias)
	if err != nil {
		return nil, false, fmt.Errorf("looking for a key an interrupted apply left for alias %s: %w", alias, err)
	}
	switch len(found) {
	case 0:
		return nil, false, nil
	case 1:
	default:
		var ids []string
		for _, l := range found {
			ids = append(ids, aws.ToString(l.meta.KeyId))
		}
		return nil, false, fmt.Errorf("keys %s all carry the tag %s=%s: at most one can be this key's; import it and schedule the deletion of the others",
			strings.Join(ids, ", "), TagAlias, alias)
	}
	l := found[0]
	id := aws.ToString(l.meta.KeyId)
	refused := func(err error) error {
		return fmt.Errorf("key %s carries the tag %s=%s, but it is not adopted as this resource's key after an interrupted apply: %w; "+
			"import it (terraform import <address> %s), schedule its deletion, or choose another alias", id, TagAlias, alias, err, id)
	}
	if err := idem.Leftover(l.tags, map[string]string{TagAlias: alias}); err != nil {
		return nil, false, refused(err)
	}
	policy, err := getPolicy(ctx, kc, id)
	if err != nil {
		return nil, false, fmt.Errorf("reading the policy of key %s: %w", id, err)
	}
	aliases, err := listAliases(ctx, kc, id)
	if err != nil {
		return nil, false, fmt.Errorf("listing the aliases of key %s: %w", id, err)
	}
	if err := auditLeftoverKey(l.meta, l.tags, aliases, policy, in, alias); err != nil {
		return nil, false, refused(err)
	}
	tflog.Warn(ctx, "adopting the KMS key an interrupted apply created", map[string]any{"key_id": id, "alias": alias})
	return l.meta, true, nil
}

// keysWithIdentity returns the keys, not pending deletion, that carry
// TagAlias=alias: the alias's target first (after a kill past CreateAlias
// it names the key at once), then the account's keys up to maxLeftoverScan.
func keysWithIdentity(ctx context.Context, kc *kms.Client, keys map[string]bool, alias string) ([]leftover, error) {
	var ids []string
	target, err := findKey(ctx, kc, alias)
	switch {
	case err == nil:
		ids = append(ids, aws.ToString(target.KeyId))
	case !isNotFound(err):
		return nil, err
	}
	if len(keys) <= maxLeftoverScan {
		ids = append(ids, slices.Sorted(maps.Keys(keys))...)
	} else {
		tflog.Warn(ctx, "too many KMS keys to look for one an interrupted apply left; only the alias's target is examined", map[string]any{"keys": len(keys), "alias": alias})
	}
	var out []leftover
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		tags, err := listTags(ctx, kc, id)
		if isNotFound(err) || tfawserr.ErrCodeEquals(err, "AccessDeniedException") {
			continue // gone, or not readable by us: not ours to prove
		}
		if err != nil {
			return nil, err
		}
		if tags[TagAlias] != alias {
			continue
		}
		meta, err := findKey(ctx, kc, id)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if meta.KeyState == kmstypes.KeyStatePendingDeletion || meta.KeyState == kmstypes.KeyStatePendingReplicaDeletion {
			continue // an earlier key of this alias, destroyed
		}
		out = append(out, leftover{meta: meta, tags: tags})
	}
	return out, nil
}

// auditLeftoverKey is part (c) of the recovery rule for a key: it must be
// what CreateKey would make from in, now: enabled, a customer-managed
// symmetric key with AWS key material in one region, with in's description,
// policy and tags (the creation token aside), and no alias but this one.
// Rotation is not audited: the create enables it next, as for a new key.
func auditLeftoverKey(meta *kmstypes.KeyMetadata, tags map[string]string, aliases []string, policy string, in *kms.CreateKeyInput, alias string) error {
	if meta.KeyState != kmstypes.KeyStateEnabled {
		return fmt.Errorf("it is %s, not Enabled", meta.KeyState)
	}
	if reason := unmanageable(meta, aliases); reason != "" {
		return errors.New("it " + reason)
	}
	if aws.ToBool(meta.MultiRegion) {
		return errors.New("it is a multi-Region key")
	}
	if got, want := aws.ToString(meta.Description), aws.ToString(in.Description); got != want {
		return fmt.Errorf("its description is %q, not %q", got, want)
	}
	if same, err := iampolicy.Equivalent(policy, aws.ToString(in.Policy)); err != nil || !same {
		return errors.New("its key policy is not the one this create sends")
	}
	want := shared.TagMap(in.Tags, func(t kmstypes.Tag) (*string, *string) { return t.TagKey, t.TagValue })
	delete(want, idem.TokenTag)
	have := maps.Clone(tags)
	delete(have, idem.TokenTag)
	if !maps.Equal(have, want) {
		return fmt.Errorf("its tags are %v, not %v", have, want)
	}
	for _, a := range aliases {
		if a != alias {
			return fmt.Errorf("it has the alias %s too", a)
		}
	}
	return nil
}
