package posture

import (
	"slices"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// boundaryEscapes are the actions that let a role capped by a permissions
// boundary act without the cap: make or change a role, user or group (whose
// policies are then not capped by this boundary, unless IAM requires it of
// the caller, which a boundary cannot), join a group, sign in or get keys
// as a user, take a boundary off, rewrite a managed policy, or assume
// another role. A boundary that allows any of them caps nothing (SS-IAM-5).
var boundaryEscapes = []string{
	"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy",
	"iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
	"iam:CreateUser", "iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile",
	"iam:UpdateLoginProfile", "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary",
	"iam:AddUserToGroup", "iam:PutGroupPolicy", "iam:AttachGroupPolicy",
	"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
	"sts:AssumeRole",
}

// passRoleAnyRole is how AssessBoundary names iam:PassRole allowed on
// roles of any name.
const passRoleAnyRole = "iam:PassRole on any role"

// passRoleProbes are two roles of one account with nothing in common but
// the account: a resource pattern that matches both is not limited to a
// name prefix (nor a suffix, nor a path), so it matches roles that do not
// carry the boundary.
func passRoleProbes(account string) [2]string {
	return [2]string{
		"arn:aws:iam::" + account + ":role/AdminAccessRole",
		"arn:aws:iam::" + account + ":role/service-role/zz_unrelated",
	}
}

// AssessBoundary lists the boundaryEscapes a policy allows: an Allow whose
// action element grants it, on any resource and under any condition
// (conservative: a condition sagesafe cannot evaluate may hold), unless an
// unconditional Deny on every resource ("*") takes it away.
//
// iam:PassRole counts only where it is allowed on roles of any name of
// account (the boundary's own): a role under the boundary that may pass an
// uncapped role to a service that runs code (a SageMaker job, a Lambda
// function) acts as that role. The monitor's scheduler role needs PassRole
// of its execution role, which a resource such as
// arn:aws:iam::<account>:role/<name_prefix>* allows without counting.
func AssessBoundary(stmts []facts.PolicyStatement, account string) []string {
	var out []string
	for _, action := range boundaryEscapes {
		if allowedAnywhere(stmts, action, nil) {
			out = append(out, action)
		}
	}
	probes := passRoleProbes(account)
	if allowedAnywhere(stmts, "iam:PassRole", func(st facts.PolicyStatement) bool {
		return resourceMatches(st, probes[0]) && resourceMatches(st, probes[1])
	}) {
		out = append(out, passRoleAnyRole)
	}
	return out
}

// allowedAnywhere reports whether an Allow grants action (and, when onAll
// is set, onAll holds of it) and no unconditional Deny on "*" takes it
// away.
func allowedAnywhere(stmts []facts.PolicyStatement, action string, onAll func(facts.PolicyStatement) bool) bool {
	allowed, denied := false, false
	for _, st := range stmts {
		if !allowsAction(st, action) {
			continue
		}
		switch {
		case isAllow(st):
			allowed = allowed || onAll == nil || onAll(st)
		case len(st.Conditions) == 0 && len(st.NotResources) == 0 && slices.Contains(st.Resources, "*"):
			denied = true
		}
	}
	return allowed && !denied
}

// resourceMatches reports whether the statement's resource element covers
// arn (Resource patterns match it, or NotResource patterns do not).
func resourceMatches(s facts.PolicyStatement, arn string) bool {
	if len(s.NotResources) > 0 {
		return !anyMatch(s.NotResources, arn)
	}
	return anyMatch(s.Resources, arn)
}
