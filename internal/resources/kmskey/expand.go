package kmskey

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

func (r *kmsKeyResource) scope() iampolicy.Scope {
	return iampolicy.Scope{Partition: r.data.AWS.Partition, Region: r.data.AWS.Region, AccountID: r.data.AWS.AccountID}
}

// keySpec builds the iampolicy input from a plan or state. ok is false when
// an input is not known yet (the policy is then known only at apply).
func keySpec(m *model, sc iampolicy.Scope) (iampolicy.KeySpec, bool) {
	var diags diag.Diagnostics // a set of strings always converts
	admins := tfval.Strings(context.Background(), m.Administrators, &diags)
	users := tfval.Strings(context.Background(), m.Users, &diags)
	if admins.State == facts.StateUnknown || users.State == facts.StateUnknown ||
		m.AllowCloudWatchLogs.IsUnknown() || m.AllowFlowLogsDelivery.IsUnknown() || m.AllowCloudTrail.IsUnknown() {
		return iampolicy.KeySpec{}, false
	}
	return iampolicy.KeySpec{
		Partition:             sc.Partition,
		Region:                sc.Region,
		AccountID:             sc.AccountID,
		Administrators:        admins.V,
		Users:                 users.V,
		AllowCloudWatchLogs:   m.AllowCloudWatchLogs.IsNull() || m.AllowCloudWatchLogs.ValueBool(),
		AllowFlowLogsDelivery: m.AllowFlowLogsDelivery.ValueBool(),
		AllowCloudTrail:       m.AllowCloudTrail.ValueBool(),
	}, true
}

// policy renders the key policy for a plan whose inputs are known.
func (r *kmsKeyResource) policy(m *model, diags *diag.Diagnostics) (iampolicy.Document, bool) {
	spec, ok := keySpec(m, r.scope())
	if !ok {
		diags.AddError("Key policy inputs are unknown", "administrators, users and the allow_* settings must be known at apply. This is a bug in the provider.")
		return iampolicy.Document{}, false
	}
	doc, err := iampolicy.KeyPolicy(spec)
	if err != nil {
		diags.Append(policyErrorDiagnostic(err))
		return iampolicy.Document{}, false
	}
	return doc, true
}

// specFields maps iampolicy.KeySpec fields to the attributes they come from.
var specFields = map[string]string{
	"Administrators": "administrators",
	"Users":          "users",
}

// policyErrorDiagnostic turns a key-policy builder refusal into an error on
// the attribute (and set element) at fault, led by the control it violates.
func policyErrorDiagnostic(err error) diag.Diagnostic {
	return iampolicy.RefusalDiagnostic(err, "key policy", specFields, guardrail.ControlText)
}

// createKeyInput is the CreateKey request for the planned key: an
// AWS-generated symmetric ENCRYPT_DECRYPT key with the generated policy.
func createKeyInput(plan *model, doc iampolicy.Document, tags map[string]string) *kms.CreateKeyInput {
	return &kms.CreateKeyInput{
		Description: aws.String(plan.Description.ValueString()),
		KeySpec:     kmstypes.KeySpecSymmetricDefault,
		KeyUsage:    kmstypes.KeyUsageTypeEncryptDecrypt,
		Origin:      kmstypes.OriginTypeAwsKms,
		Policy:      aws.String(doc.JSON()),
		Tags:        kmsTags(tags),
	}
}
