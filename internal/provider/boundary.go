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
const roleBoundaryDescription = "ARN of the organisation's permissions boundary, an IAM managed policy " +
	"(`arn:aws:iam::<account>:policy/<name>`) that every IAM role sagesafe makes must carry (SS-IAM-5): " +
	"`sagesafe_execution_role` and `sagesafe_persona_role` take it when their own `permissions_boundary_arn` is unset " +
	"(another ARN there is refused at plan), and the roles sagesafe makes for `sagesafe_network` (flow logs), " +
	"`sagesafe_audit_trail` (CloudTrail delivery) and `sagesafe_model_monitor` (scheduler) are created with it; a boundary " +
	"removed or changed outside Terraform is drift the next apply restores. It is what lets a deployer create roles " +
	"without being able to escalate: name the same policy in `sagesafe_deployer_policy`'s `permissions_boundary_arn`, " +
	"whose policy then allows role writes only with this boundary. Unset: SS-IAM-5 has nothing to check and is " +
	"`not_checked`, not held."

// policyARN checks that a value is the ARN of an IAM managed policy:
// service iam, no region, an account ID (or "aws" for an AWS managed
// policy) and a policy/ resource. A boundary can only be a managed policy.
type policyARN struct{}

func (policyARN) Description(context.Context) string {
	return "must be an IAM managed policy ARN (arn:<partition>:iam::<account>:policy/<name>)"
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
	if err := validators.CheckARN(s, "iam"); err != nil {
		return err
	}
	a, _ := arn.Parse(s) // CheckARN parsed it
	switch {
	case a.Region != "":
		return fmt.Errorf("%q names region %q; IAM ARNs have none", s, a.Region)
	case a.AccountID != "aws" && !validators.AccountIDRegexp.MatchString(a.AccountID):
		return fmt.Errorf("%q has account %q, not a 12-digit account ID or aws", s, a.AccountID)
	case !strings.HasPrefix(a.Resource, "policy/") || strings.HasSuffix(a.Resource, "/") || strings.ContainsAny(a.Resource, "*?"):
		return fmt.Errorf("%q is not a managed policy (its resource must be policy/<name>, without wildcards)", s)
	}
	return nil
}
