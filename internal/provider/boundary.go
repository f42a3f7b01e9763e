package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// roleBoundaryDescription is role_permissions_boundary_arn's description.
const roleBoundaryDescription = "ARN of the organisation's permissions boundary, a customer managed IAM policy of " +
	"the provider's account (`arn:aws:iam::<account>:policy/<name>`; an AWS managed policy such as `AdministratorAccess` " +
	"caps nothing and is refused) that every IAM role sagesafe makes must carry (SS-IAM-5): " +
	"`sagesafe_execution_role` and `sagesafe_persona_role` take it when their own `permissions_boundary_arn` is unset " +
	"(another ARN there is refused at plan), and the roles sagesafe makes for `sagesafe_network` (flow logs), " +
	"`sagesafe_audit_trail` (CloudTrail delivery) and `sagesafe_model_monitor` (scheduler) are created with it; a boundary " +
	"removed or changed outside Terraform is drift the next apply restores. The policy must cap: one that lets a role " +
	"under it make or change roles, users or groups (unless only with the condition `iam:PermissionsBoundary` = this policy), " +
	"take a boundary off, rewrite a policy, become root, or pass, assume or run code as principals not limited to a name " +
	"prefix (`iam:PassRole` or `sts:AssumeRole` on `*`, SageMaker presigned notebook URLs or Lambda code updates on `*`; limit " +
	"them to e.g. `arn:aws:iam::<account>:role/<name_prefix>*`) fails SS-IAM-5; the guardrails guide lists every action. It is what lets a deployer create roles " +
	"without being able to escalate: name the same policy in `sagesafe_deployer_policy`'s `permissions_boundary_arn`, " +
	"whose policy then allows role writes only with this boundary. Unset: SS-IAM-5 has nothing to check and is " +
	"`not_checked`, not held."

// policyARN checks that a value is the ARN of a customer managed policy:
// service iam, no region, an account ID and a policy/ resource. A boundary
// can only be a managed policy, and not an AWS managed one: those are made
// for other purposes (arn:aws:iam::aws:policy/AdministratorAccess would cap
// nothing) and the organisation cannot deny their changes (red team, issue
// 15).
type policyARN struct{}

func (policyARN) Description(context.Context) string {
	return "must be the ARN of a customer managed IAM policy of this account (arn:<partition>:iam::<account>:policy/<name>)"
}

func (v policyARN) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v policyARN) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkPolicyARN(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid permissions boundary", err.Error()+": "+v.Description(ctx)+".")
	}
}

// checkPolicyARN parses s with aws-sdk-go-v2's arn package.
func checkPolicyARN(s string) error {
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%q has surrounding whitespace", s)
	}
	if err := validators.CheckARN(s, "iam"); err != nil {
		return err
	}
	a, _ := arn.Parse(s) // CheckARN parsed it
	switch {
	case a.Region != "":
		return fmt.Errorf("%q names region %q; IAM ARNs have none", s, a.Region)
	case a.AccountID == "aws":
		return fmt.Errorf("%q is an AWS managed policy, which caps nothing sagesafe controls (AdministratorAccess would allow all); use a customer managed policy", s)
	case !validators.AccountIDRegexp.MatchString(a.AccountID):
		return fmt.Errorf("%q has account %q, not a 12-digit account ID", s, a.AccountID)
	case !strings.HasPrefix(a.Resource, "policy/") || strings.HasSuffix(a.Resource, "/") || strings.ContainsAny(a.Resource, "*?"):
		return fmt.Errorf("%q is not a managed policy (its resource must be policy/<name>, without wildcards)", s)
	}
	return nil
}

// boundaryOfThisAccount checks, once the provider knows its partition and
// account, that the boundary is a policy of both: IAM attaches as a
// boundary only a policy of the role's own account, and a boundary in
// another partition could never be set (fail at configure, not at the
// first CreateRole). An unknown account is not compared.
func boundaryOfThisAccount(boundary, partition, account string) error {
	if boundary == "" {
		return nil
	}
	a, err := arn.Parse(boundary)
	switch {
	case err != nil:
		return err
	case partition != "" && a.Partition != partition:
		return fmt.Errorf("role_permissions_boundary_arn %q is in partition %s, not the provider's %s", boundary, a.Partition, partition)
	case account != "" && a.AccountID != account:
		return fmt.Errorf("role_permissions_boundary_arn %q is a policy of account %s; a role's boundary must be a policy of its own account, %s", boundary, a.AccountID, account)
	}
	return nil
}
