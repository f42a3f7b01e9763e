package personarole

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// reconcile makes the live role what the plan says: the generated trust and
// inline policy, nothing else attached (SS-IAM-3; each removal is a warning
// in diags), the session duration, the boundary and the tags. The error
// names the step that failed and the role.
func (r *roleResource) reconcile(ctx context.Context, name string, plan *resourceModel, docs documents, diags *diag.Diagnostics) error {
	ic := r.data.AWS.IAM
	failed := func(what string, err error) error { return fmt.Errorf("%s (role %s): %w", what, name, err) }

	live, err := iamrole.Find(ctx, ic, name)
	if err != nil {
		return failed("reading the role", err)
	}
	if !iamrole.Equivalent(live.Trust, docs.trust.JSON()) {
		if _, err := ic.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(docs.trust.JSON())}); err != nil {
			return failed("UpdateAssumeRolePolicy", err)
		}
	}
	if doc, ok := live.Inline[policyName]; !ok || !iamrole.Equivalent(doc, docs.policy.JSON()) {
		if err := putPolicy(ctx, ic, name, docs); err != nil {
			return failed("PutRolePolicy", err)
		}
	}
	if err := iamrole.RemoveForeign(ctx, ic, name, policyName, live, func(what string) {
		diags.AddWarning("SS-IAM-3: removed a policy added outside Terraform from persona role "+name,
			"sagesafe "+what+". A persona role carries only the policy sagesafe generates from its inputs, whose Denies "+
				"keep its launches inside the guardrails; to grant more, change those inputs.")
	}); err != nil {
		return failed("removing policies added outside Terraform", err)
	}
	if want := int32(plan.MaxSessionDuration.ValueInt64()); live.MaxSession != want {
		if _, err := ic.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(name), MaxSessionDuration: aws.Int32(want)}); err != nil {
			return failed("UpdateRole", err)
		}
	}
	if what, err := iamrole.ReconcileBoundary(ctx, ic, name, live.Boundary, plan.PermissionsBoundaryARN.ValueString()); err != nil {
		return failed(what, err)
	}
	want, _ := tfval.Tags(ctx, plan.TagsAll, diags)
	if err := iamrole.ReconcileTags(ctx, ic, name, live.Tags, want); err != nil {
		return failed("updating tags", err)
	}
	return nil
}

// putPolicy writes the generated inline policy; PutRolePolicy sets the
// document, so sending it again after a lost answer changes nothing.
func putPolicy(ctx context.Context, ic *iam.Client, name string, docs documents) error {
	_, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(name), PolicyName: aws.String(policyName), PolicyDocument: aws.String(docs.policy.JSON()),
	})
	return err
}
