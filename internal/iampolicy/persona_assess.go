package iampolicy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// This file judges a persona role as it is (live or planned), for the
// guardrail checks SS-IAM-3 and SS-IAM-4. It is structural: it looks for
// the statements PersonaPolicy and PersonaTrust write, or stricter ones,
// in whatever documents the role carries. The IAM policy simulator tests
// judge the generated documents' meaning; real AWS is the final judge.

// conditionKeys are the condition keys each guard reads; the KMS guards
// have a deprecated and a current form, and a request may carry either.
var conditionKeys = map[guardKey][]string{
	guardSubnets:        {"sagemaker:VpcSubnets"},
	guardSecurityGroups: {"sagemaker:VpcSecurityGroupIds"},
	guardVolumeKey:      {"sagemaker:VolumeKmsKey", "sagemaker:VolumeKmsKeyArn"},
	guardOutputKey:      {"sagemaker:OutputKmsKey", "sagemaker:OutputKmsKeyArn"},
	guardIsolation:      {"sagemaker:NetworkIsolation"},
	guardInterContainer: {"sagemaker:InterContainerTrafficEncryption"},
	guardInternetAccess: {"sagemaker:DirectInternetAccess"},
	guardRootAccess:     {"sagemaker:RootAccess"},
}

var guardNames = map[guardKey]string{
	guardSubnets: "subnets", guardSecurityGroups: "security groups", guardVolumeKey: "volume KMS key",
	guardOutputKey: "output KMS key", guardIsolation: "network isolation", guardInterContainer: "inter-container encryption",
	guardInternetAccess: "direct internet access", guardRootAccess: "root access",
}

// PersonaLaunchProblems lists, in words, how a persona role's permissions
// let a person launch an unguarded workload (SS-IAM-3); none means they
// hold. inline maps policy names to documents; attached are managed
// policy ARNs, whose permissions are outside the persona's guard. For every
// create action an Allow grants (wildcards expanded) and every setting it
// carries, a Deny on that action must refuse both the setting's absence
// and any value other than the approved one; iam:PassRole must be allowed
// only on named roles and only to SageMaker; no Allow may use "*",
// NotAction or NotResource.
func PersonaLaunchProblems(inline map[string]string, attached []string) []string {
	var problems []string
	for _, a := range attached {
		problems = append(problems, "managed policy "+a+" is attached; its permissions are outside the persona's guard")
	}
	var allows, denies []Statement
	for _, name := range slices.Sorted(maps.Keys(inline)) {
		doc, err := Parse(inline[name])
		if err != nil {
			problems = append(problems, "inline policy "+name+" cannot be read: "+err.Error())
			continue
		}
		for i, s := range doc.Statement {
			label := statementLabel(name, i, s)
			switch {
			case strings.EqualFold(s.Effect, EffectDeny):
				denies = append(denies, s)
			case len(s.NotAction) > 0 || len(s.NotResource) > 0:
				problems = append(problems, label+" allows with NotAction or NotResource")
			case slices.Contains(s.Action, "*"):
				problems = append(problems, label+` allows every action ("*")`)
			default:
				allows = append(allows, s)
				problems = append(problems, passRoleProblems(label, s)...)
			}
		}
	}
	return append(problems, unguardedCreates(allows, denies)...)
}

func statementLabel(policy string, i int, s Statement) string {
	if s.Sid != "" {
		return fmt.Sprintf("statement %s of %s", s.Sid, policy)
	}
	return fmt.Sprintf("statement %d of %s", i, policy)
}

// passRoleProblems checks an Allow that grants iam:PassRole.
func passRoleProblems(label string, s Statement) []string {
	if !slices.ContainsFunc(s.Action, func(p string) bool { return actionMatches(p, "iam:PassRole") }) {
		return nil
	}
	var out []string
	for _, r := range s.Resource {
		if strings.ContainsAny(r, "*?") || !strings.Contains(r, ":role/") {
			out = append(out, fmt.Sprintf("%s allows iam:PassRole on %q, not on named roles", label, r))
		}
	}
	if to := s.Condition["StringEquals"]["iam:PassedToService"]; !slices.Equal(normalize(to), []string{servicePrincipal("sagemaker")}) {
		out = append(out, label+" allows iam:PassRole without iam:PassedToService = "+servicePrincipal("sagemaker"))
	}
	return out
}

// unguardedCreates lists each allowed create action and setting no Deny
// guards.
func unguardedCreates(allows, denies []Statement) []string {
	var out []string
	for _, action := range slices.Sorted(maps.Keys(personaCreateGuards)) {
		if !slices.ContainsFunc(allows, func(s Statement) bool { return statementMatches(s, action) }) {
			continue
		}
		var missing []string
		for _, k := range personaCreateGuards[action] {
			if !guarded(denies, action, k, true) {
				missing = append(missing, guardNames[k])
			}
		}
		if len(missing) > 0 {
			out = append(out, fmt.Sprintf("%s is allowed without a Deny that forces its %s", action, strings.Join(missing, ", ")))
		}
	}
	for _, action := range append(slices.Clone(personaScheduleActions), "sagemaker:UpdateNotebookInstance") {
		if !slices.ContainsFunc(allows, func(s Statement) bool { return statementMatches(s, action) }) {
			continue
		}
		keys := []guardKey{guardSubnets, guardSecurityGroups, guardVolumeKey, guardOutputKey}
		if action == "sagemaker:UpdateNotebookInstance" {
			keys = []guardKey{guardRootAccess}
		}
		for _, k := range keys {
			if !guarded(denies, action, k, false) {
				out = append(out, fmt.Sprintf("%s is allowed without a Deny of an unapproved %s", action, guardNames[k]))
			}
		}
	}
	return out
}

// guarded reports whether denies refuse, for action, a value of k other
// than the approved one in every form of its key, and (when absent is
// set) a request without k in any form.
func guarded(denies []Statement, action string, k guardKey, absent bool) bool {
	keys := conditionKeys[k]
	refuses := func(test func(op, key string, values []string) bool) func(string) bool {
		return func(key string) bool {
			return slices.ContainsFunc(denies, func(s Statement) bool {
				if !statementMatches(s, action) {
					return false
				}
				for op, byKey := range s.Condition {
					if values, ok := byKey[key]; ok && test(op, key, values) {
						return true
					}
				}
				return false
			})
		}
	}
	if absent && !slices.ContainsFunc(keys, refuses(refusesAbsence)) {
		return false
	}
	return !slices.ContainsFunc(keys, func(key string) bool { return !refuses(refusesValue)(key) })
}

// refusesAbsence: the operator is true when the key is absent.
func refusesAbsence(op, _ string, values []string) bool {
	switch op {
	case "Null":
		return slices.Equal(values, []string{"true"})
	case "BoolIfExists":
		return slices.Equal(values, []string{"false"})
	}
	return strings.HasSuffix(op, "IfExists") && strings.Contains(op, "Not")
}

// refusesValue: the operator is true for a value other than the approved
// ones, named exactly (or, for the Bool settings, for false).
func refusesValue(op, _ string, values []string) bool {
	base := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(op, "ForAnyValue:"), "ForAllValues:"), "IfExists")
	if base == "Bool" {
		return slices.Equal(values, []string{"false"})
	}
	return strings.Contains(base, "Not") && !slices.ContainsFunc(values, func(v string) bool { return strings.ContainsAny(v, "*?") })
}

// statementMatches reports whether a statement's Action covers action.
func statementMatches(s Statement, action string) bool {
	return slices.ContainsFunc(s.Action, func(p string) bool { return actionMatches(p, action) })
}

// actionMatches is IAM's action matching: case-insensitive, with * and ?
// wildcards.
func actionMatches(pattern, action string) bool {
	return wildcardMatch(strings.ToLower(pattern), strings.ToLower(action))
}

func wildcardMatch(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if wildcardMatch(p[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != p[0] {
				return false
			}
		}
		p, s = p[1:], s[1:]
	}
	return s == ""
}

// PersonaTrustProblems lists, in words, how a persona role's trust policy
// lets someone assume it other than as SS-IAM-4 allows: account principals
// only with Bool aws:MultiFactorAuthPresent = true, SAML providers of this
// account only through sts:AssumeRoleWithSAML with SAML:aud = the sign-in
// endpoint, and no wildcard, service or other principal.
func PersonaTrustProblems(trust, partition, account string) []string {
	doc, err := Parse(trust)
	if err != nil {
		return []string{"the trust policy cannot be read: " + err.Error()}
	}
	var out []string
	for i, s := range doc.Statement {
		if !strings.EqualFold(s.Effect, EffectAllow) {
			continue
		}
		label := statementLabel("the trust policy", i, s)
		if len(s.NotPrincipal) > 0 {
			out = append(out, label+" uses NotPrincipal")
		}
		for typ, values := range s.Principal {
			switch typ {
			case "AWS":
				out = append(out, trustAWSProblems(label, s, values)...)
			case "Federated":
				out = append(out, trustSAMLProblems(label, s, values, partition, account)...)
			default:
				out = append(out, fmt.Sprintf("%s lets %s principals %v assume the role", label, typ, values))
			}
		}
	}
	slices.Sort(out)
	return out
}

func trustAWSProblems(label string, s Statement, principals []string) []string {
	var out []string
	for _, p := range principals {
		if strings.ContainsAny(p, "*?") {
			out = append(out, fmt.Sprintf("%s allows the wildcard principal %q", label, p))
		}
	}
	if !slices.Equal(s.Condition["Bool"]["aws:MultiFactorAuthPresent"], []string{"true"}) {
		out = append(out, label+" lets account principals assume the role without Bool aws:MultiFactorAuthPresent = true")
	}
	return out
}

func trustSAMLProblems(label string, s Statement, providers []string, partition, account string) []string {
	var out []string
	for _, p := range providers {
		a, err := arn.Parse(p)
		switch {
		case err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "saml-provider/") || strings.ContainsAny(p, "*?"):
			out = append(out, fmt.Sprintf("%s trusts %q, which is not a SAML provider", label, p))
		case a.Partition != partition || a.AccountID != account:
			out = append(out, fmt.Sprintf("%s trusts the SAML provider %s of another account or partition", label, p))
		}
	}
	for _, action := range s.Action {
		if action != "sts:AssumeRoleWithSAML" && action != "sts:TagSession" {
			out = append(out, fmt.Sprintf("%s lets federated users call %s", label, action))
		}
	}
	if aud := samlAudience[partition]; !slices.Equal(s.Condition["StringEquals"]["SAML:aud"], []string{aud}) {
		out = append(out, label+" lets SAML users assume the role without StringEquals SAML:aud = "+aud)
	}
	return out
}
