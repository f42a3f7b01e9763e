package kmskey

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// refresh reads the key into m and evaluates its posture (see
// shared.Refresh).
func (r *kmsKeyResource) refresh(ctx context.Context, m *model) (found bool, drift, diags diag.Diagnostics) {
	found, drift, err := r.read(ctx, m)
	if err != nil {
		diags.AddError("Reading the KMS key failed", err.Error())
		return false, nil, diags
	}
	return found, drift, nil
}

// read is refresh with its failure as an error, so that a caller can tell a
// transient one (saveCreated).
func (r *kmsKeyResource) read(ctx context.Context, m *model) (found bool, drift diag.Diagnostics, err error) {
	kc := r.data.AWS.KMS
	id := m.ID.ValueString()
	fail := func(what string, err error) (bool, diag.Diagnostics, error) {
		return false, nil, fmt.Errorf("%s (key %s): %w", what, id, err)
	}
	meta, err := findKey(ctx, kc, id)
	if isNotFound(err) {
		return false, nil, nil
	}
	if err != nil {
		return fail("DescribeKey", err)
	}
	flattenKey(meta, m)
	if err := flattenRotation(ctx, kc, id, m); err != nil {
		return fail("GetKeyRotationStatus", err)
	}
	policy, err := getPolicy(ctx, kc, id)
	if err != nil {
		return fail("GetKeyPolicy", err)
	}
	policyEdited := r.flattenPolicy(policy, m)
	aliases, err := listAliases(ctx, kc, id)
	if err != nil {
		return fail("ListAliases", err)
	}
	if !m.Alias.IsNull() && !slices.Contains(aliases, m.Alias.ValueString()) {
		m.Alias = types.StringNull() // deleted or pointed elsewhere: the plan puts it back
	}
	tags, err := listTags(ctx, kc, id)
	if err != nil {
		return fail("ListResourceTags", err)
	}
	tags = withoutTokenTag(tags)
	m.TagsAll = shared.TagsAll(r.data, tags)
	if drift, err = r.assessLive(ctx, m, meta, tags, policyEdited); err != nil {
		return fail("checking the guardrails", err)
	}
	return true, drift, nil
}

// flattenKey copies DescribeKey's answer into m.
func flattenKey(meta *kmstypes.KeyMetadata, m *model) {
	m.ID = types.StringValue(aws.ToString(meta.KeyId))
	m.KeyID = m.ID
	m.ARN = types.StringValue(aws.ToString(meta.Arn))
	m.Description = types.StringValue(aws.ToString(meta.Description))
	m.KeyState = types.StringValue(string(meta.KeyState))
}

// flattenRotation reads whether rotation is on, and its period, into m.
func flattenRotation(ctx context.Context, kc *kms.Client, id string, m *model) error {
	rot, err := kc.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	switch {
	case isInvalidState(err):
		// Some states (pending deletion) do not answer; keep what is known.
		if m.RotationEnabled.IsNull() || m.RotationEnabled.IsUnknown() {
			m.RotationEnabled = types.BoolValue(false)
		}
	case err != nil:
		return err
	default:
		m.RotationEnabled = types.BoolValue(rot.KeyRotationEnabled)
		if rot.KeyRotationEnabled && aws.ToInt32(rot.RotationPeriodInDays) > 0 {
			m.RotationPeriodDays = types.Int64Value(int64(aws.ToInt32(rot.RotationPeriodInDays)))
		}
	}
	if m.RotationPeriodDays.IsNull() || m.RotationPeriodDays.IsUnknown() {
		m.RotationPeriodDays = types.Int64Value(DefaultRotationPeriodDays)
	}
	return nil
}

// flattenPolicy sets policy_json: the generated policy when the live one is
// equivalent to it, else the live policy (canonical when it parses), so the
// plan shows the way back. edited reports the latter.
func (r *kmsKeyResource) flattenPolicy(live string, m *model) (edited bool) {
	m.PolicyJSON = types.StringValue(live)
	if canon, err := iampolicy.Canonical(live); err == nil {
		m.PolicyJSON = types.StringValue(canon)
	}
	spec, ok := keySpec(m, r.scope())
	if !ok {
		return false
	}
	doc, err := iampolicy.KeyPolicy(spec)
	if err != nil {
		return false
	}
	if same, err := iampolicy.Equivalent(live, doc.JSON()); err == nil && same {
		m.PolicyJSON = types.StringValue(doc.JSON())
		return false
	}
	return true
}
