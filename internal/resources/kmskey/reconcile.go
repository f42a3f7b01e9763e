package kmskey

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// reconcile makes the live key what the plan says: enabled (cancelling a
// scheduled deletion, with a warning in diags), the description, rotation,
// the generated policy, the alias and the tags. The error names the step
// that failed and the key.
func (r *kmsKeyResource) reconcile(ctx context.Context, id string, plan, state *model, doc iampolicy.Document, diags *diag.Diagnostics) error {
	kc := r.data.AWS.KMS
	failed := func(what string, err error) error { return fmt.Errorf("%s (key %s): %w", what, id, err) }

	meta, err := findKey(ctx, kc, id)
	if err != nil {
		return failed("DescribeKey", err)
	}
	if what, err := restoreKeyState(ctx, kc, id, meta, diags); err != nil {
		return failed(what, err)
	}
	if aws.ToString(meta.Description) != plan.Description.ValueString() {
		if _, err := kc.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: aws.String(id), Description: aws.String(plan.Description.ValueString())}); err != nil {
			return failed("UpdateKeyDescription", err)
		}
	}
	if what, err := reconcileRotation(ctx, kc, id, int32(plan.RotationPeriodDays.ValueInt64())); err != nil {
		return failed(what, err)
	}
	live, err := getPolicy(ctx, kc, id)
	if err != nil {
		return failed("GetKeyPolicy", err)
	}
	if same, err := iampolicy.Equivalent(live, doc.JSON()); err != nil || !same {
		if _, err := kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String(policyName), Policy: aws.String(doc.JSON())}); err != nil {
			return failed("PutKeyPolicy", err)
		}
	}
	if err := reconcileAlias(ctx, kc, id, state.Alias.ValueString(), plan.Alias.ValueString()); err != nil {
		return failed("updating the alias", err)
	}
	want, _ := tfval.Tags(ctx, plan.TagsAll, diags)
	if err := reconcileTags(ctx, kc, r.data, id, want, plan.Alias.ValueString()); err != nil {
		return failed("updating tags", err)
	}
	return nil
}

// restoreKeyState brings back a key scheduled for deletion or disabled
// outside Terraform (SS-KMS-1); cancelling a deletion leaves the key
// disabled, so it is then enabled too. what names the call that failed.
func restoreKeyState(ctx context.Context, kc *kms.Client, id string, meta *kmstypes.KeyMetadata, diags *diag.Diagnostics) (what string, err error) {
	keyState := string(meta.KeyState)
	if keyState == statePendingDeletion {
		if err := cancelKeyDeletion(ctx, kc, id); err != nil {
			return "CancelKeyDeletion", err
		}
		when := "its scheduled deletion"
		if meta.DeletionDate != nil {
			when = "its deletion scheduled for " + meta.DeletionDate.UTC().Format("2006-01-02 15:04 MST")
		}
		diags.AddWarning("SS-KMS-1: cancelled the scheduled deletion of KMS key "+id,
			fmt.Sprintf("Key %s was scheduled for deletion outside Terraform. sagesafe cancelled %s and re-enabled the key, "+
				"because this configuration still manages it. To delete it, remove the resource and apply (or run terraform destroy).",
				aws.ToString(meta.Arn), when))
		keyState = stateDisabled
	}
	if keyState == stateDisabled {
		if _, err := kc.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}); err != nil {
			return "EnableKey", err
		}
	}
	return "", nil
}

// cancelKeyDeletion cancels the key's scheduled deletion. After a lost
// answer the SDK's retry finds the key no longer pending deletion, and KMS
// refuses it (KMSInvalidStateException): the key's state then says whether
// the cancellation took effect.
func cancelKeyDeletion(ctx context.Context, kc *kms.Client, id string) error {
	_, err := kc.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)})
	if !isInvalidState(err) {
		return err
	}
	meta, derr := findKey(ctx, kc, id)
	if derr != nil || meta.KeyState == kmstypes.KeyStatePendingDeletion {
		return err
	}
	return nil
}

// reconcileRotation turns automatic rotation on with the planned period.
func reconcileRotation(ctx context.Context, kc *kms.Client, id string, period int32) (what string, err error) {
	rot, err := kc.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if err != nil {
		return "GetKeyRotationStatus", err
	}
	if rot.KeyRotationEnabled && aws.ToInt32(rot.RotationPeriodInDays) == period {
		return "", nil
	}
	_, err = kc.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id), RotationPeriodInDays: aws.Int32(period)})
	return "EnableKeyRotation", err
}
