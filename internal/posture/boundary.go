package posture

import (
	"slices"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// boundaryEscapes are the actions that let a role capped by a permissions
// boundary act without the cap: make or change a role or user (whose
// policies are then not capped by this boundary, unless IAM requires it of
// the caller, which a boundary cannot), take a boundary off, rewrite a
// managed policy, or assume another role. A boundary that allows any of
// them caps nothing (SS-IAM-5). iam:PassRole is not here: the monitor's
// scheduler role needs it, and a passed role is capped by its own boundary.
var boundaryEscapes = []string{
	"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy",
	"iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
	"iam:CreateUser", "iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile",
	"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
	"sts:AssumeRole",
}

// AssessBoundary lists the boundaryEscapes a policy allows: an Allow whose
// action element grants it, on any resource and under any condition
// (conservative: a condition sagesafe cannot evaluate may hold), unless an
// unconditional Deny on every resource ("*") takes it away.
func AssessBoundary(stmts []facts.PolicyStatement) []string {
	var out []string
	for _, action := range boundaryEscapes {
		allowed, denied := false, false
		for _, st := range stmts {
			if !allowsAction(st, action) {
				continue
			}
			switch {
			case isAllow(st):
				allowed = true
			case len(st.Conditions) == 0 && len(st.NotResources) == 0 && slices.Contains(st.Resources, "*"):
				denied = true
			}
		}
		if allowed && !denied {
			out = append(out, action)
		}
	}
	return out
}
