package kmskey

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// paths: the only Subject field this resource fills from its own attributes
// is the tags; every other finding is about the object as a whole.
var paths = guardrail.Paths{Attr: map[guardrail.Field]path.Path{guardrail.FieldTags: path.Root("tags")}}

// subject is the key as the guardrails see it. ref names it (its ARN, or a
// placeholder before it exists); tags are unknown while the plan's are.
func (r *kmsKeyResource) subject(m *model, ref string, tags facts.Value[map[string]string]) *guardrail.Subject {
	name := m.Alias.ValueString()
	if name == "" {
		name = m.ID.ValueString()
	}
	s := r.data.Subject(guardrail.KindKMSKey, name)
	s.KMSKeyARN, s.Tags = facts.Known(ref), tags
	return s
}

// evaluateKey runs the guardrails on s through evaluate.Run, with the key's
// own fact (posture.AssessKey on what the resource just read, or the key
// apply will make) answering for s.KMSKeyARN, so the key is not looked up
// again; f is asked for anything else.
func evaluateKey(ctx context.Context, f evaluate.Fetcher, p guardrail.Policy, s *guardrail.Subject, fact facts.KeyFact) ([]guardrail.Finding, error) {
	observed := facts.Facts{Keys: map[string]facts.KeyFact{s.KMSKeyARN.V: fact}}
	return evaluate.Run(ctx, evaluate.Observed(f, observed), p, s)
}

// planGuard evaluates the key apply makes (an enabled, rotating,
// customer-managed symmetric key in the provider's region) and plans the
// controls it satisfies.
func (r *kmsKeyResource) planGuard(ctx context.Context, plan *model, tags facts.Value[map[string]string]) diag.Diagnostics {
	ref := plan.ARN.ValueString()
	if plan.ARN.IsUnknown() || ref == "" {
		ref = "(key to be created)"
	}
	planned := facts.KeyFact{
		Ref: ref, Found: true, ARN: ref, Region: r.data.AWS.Region, Manager: string(kmstypes.KeyManagerTypeCustomer),
		Spec: string(kmstypes.KeySpecSymmetricDefault), Usage: string(kmstypes.KeyUsageTypeEncryptDecrypt),
		State: stateEnabled, RotationEnabled: true, Origin: string(kmstypes.OriginTypeAwsKms),
	}
	s := r.subject(plan, ref, tags)
	findings, err := evaluateKey(ctx, r.data.Posture, r.data.Policy, s, planned)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Checking the KMS key against the guardrails failed", err.Error())
		return diags
	}
	states := guardrail.States(s, r.data.Policy, findings, nil).Forecast()
	plan.Controls = shared.PlanControls(tags, states.Held)
	plan.ControlStates = shared.PlanControlStates(tags, states.Strings)
	return guardrail.Diagnostics(findings, paths.For)
}

// assessLive runs the evaluation the plan runs on the live key, sets the
// controls it satisfies (SS-KMS-1 not, when its policy was edited) and
// returns the drift warnings.
func (r *kmsKeyResource) assessLive(ctx context.Context, m *model, meta *kmstypes.KeyMetadata, tags map[string]string, policyEdited bool) (diag.Diagnostics, error) {
	keyARN := aws.ToString(meta.Arn)
	fact := posture.AssessKey(meta, m.RotationEnabled.ValueBool())
	fact.Ref = keyARN
	s := r.subject(m, keyARN, facts.Known(tags))
	findings, err := evaluateKey(ctx, r.data.Posture, r.data.Policy, s, fact)
	if err != nil {
		return nil, err
	}
	states := guardrail.States(s, r.data.Policy, findings, nil)
	if policyEdited { // warned about below
		states.Mark("SS-KMS-1", guardrail.ControlState{State: guardrail.StateWarned})
	}
	m.Controls = tfval.List(states.Held())
	m.ControlStates = tfval.Map(states.Strings())
	return driftWarnings(findings, string(meta.KeyState), keyARN, policyEdited), nil
}

// driftWarnings turns the findings on a live key, and an edited key policy,
// into warnings that name the control and say what the next apply does.
func driftWarnings(findings []guardrail.Finding, keyState, keyARN string, policyEdited bool) diag.Diagnostics {
	var drift diag.Diagnostics
	for _, f := range findings {
		summary, detail := guardrail.FormatFinding(f)
		note := "Changed outside Terraform: the next apply restores it."
		switch {
		case f.Control == "SS-KMS-1" && keyState == statePendingDeletion:
			note = "The key was scheduled for deletion outside Terraform: the next apply cancels the deletion and re-enables the key."
		case f.Control == "SS-KMS-1" && keyState == stateDisabled:
			note = "The key was disabled outside Terraform: the next apply re-enables it."
		case f.Control == "SS-KMS-2":
			note = "Rotation was disabled outside Terraform: the next apply turns it back on."
		case f.Control == "SS-GOV-1":
			note = "The next apply sets the configured tags; add the missing ones to tags or the provider's default_tags."
		}
		drift.AddWarning(summary, note+"\n"+detail)
	}
	if policyEdited {
		drift.AddWarning("SS-KMS-1: the policy of KMS key "+keyARN+" was changed outside Terraform",
			"The live key policy is not the one sagesafe generated from administrators, users and the allow_* settings "+
				"(policy_json shows the difference). A hand-edited key policy can grant use of the key to principals outside "+
				"SageMaker and S3. The next apply restores the generated policy; to grant more, change those inputs instead.")
	}
	return drift
}

// planRepair tells the resources planned after this key that this plan
// restores it (guardrail.Repairs), when the refreshed key is disabled,
// pending deletion or not rotating: the apply enables it and turns rotation
// on before any resource that uses the key is applied.
func (r *kmsKeyResource) planRepair(ctx context.Context, state tfsdk.State, diags *diag.Diagnostics) {
	if state.Raw.IsNull() {
		return
	}
	var st model
	diags.Append(state.Get(ctx, &st)...)
	if diags.HasError() || (st.KeyState.ValueString() == stateEnabled && st.RotationEnabled.ValueBool()) {
		return
	}
	objects := []string{st.ARN.ValueString(), st.KeyID.ValueString()}
	if alias := st.Alias.ValueString(); alias != "" {
		sc := r.scope()
		objects = append(objects, alias, "arn:"+sc.Partition+":kms:"+sc.Region+":"+sc.AccountID+":"+alias)
	}
	r.data.Repairs.Add("sagesafe_kms_key", objects...)
}
