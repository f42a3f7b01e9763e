package posture

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// SS-IAM-2: what makes an execution role's permissions broad.

// broadManagedNames are the AWS-managed policies that are broad by their
// name alone: every "...FullAccess" policy, AdministratorAccess and
// PowerUserAccess. The fetcher does not read their documents.
var broadManagedNames = []string{"*FullAccess", "AdministratorAccess", "PowerUserAccess"}

// resourceWildcardOnlyActions are actions IAM authorizes only with Resource
// "*" (the Service Authorization Reference lists no resource type for them),
// so "*" is the narrowest resource a statement of only these actions can
// name. sagesafe's generated execution-role policy uses the first three.
var resourceWildcardOnlyActions = []string{
	"ecr:GetAuthorizationToken",
	"cloudwatch:PutMetricData",
	"ec2:Describe*",
	"sts:GetCallerIdentity",
	"kms:ListAliases",
	"kms:ListKeys",
}

var (
	// wildcardName matches a resource name that is only wildcards,
	// optionally followed by a sub-resource path: "*", "*/*", "*:log-stream:*".
	wildcardName = regexp.MustCompile(`^[*?]+([/:].*)?$`)
	// wildcardOfType matches "<type>/<wildcards>" or "<type>:<wildcards>":
	// "key/*", "role/*", "log-group:*".
	wildcardOfType = regexp.MustCompile(`^[A-Za-z0-9_.-]+[/:][*?]+([/:].*)?$`)
	// accountID is a 12-digit AWS account ID.
	accountID = regexp.MustCompile(`^[0-9]{12}$`)
)

// BroadByName reports whether policyARN is an AWS-managed policy that is
// broad by its name (see broadManagedNames), in any partition or path.
func BroadByName(policyARN string) bool {
	a, err := arn.Parse(policyARN)
	if err != nil || a.Service != "iam" || a.AccountID != "aws" {
		return false
	}
	name := a.Resource[strings.LastIndex(a.Resource, "/")+1:]
	return anyMatch(broadManagedNames, name)
}

// broadPermissions lists what makes a role's permissions broad (SS-IAM-2):
//   - an attached AWS-managed policy that is broad by name (BroadByName);
//   - in the default version of any other attached managed policy
//     (managed, by ARN) and in every inline policy, an Allow statement that
//     broadStatement reports.
//
// An attached policy whose document is not in managed is judged by its name
// only (the fetcher reads every document; a resource assessing a role it
// just read may not).
func broadPermissions(attached []string, managed, inline map[string][]facts.PolicyStatement) []string {
	var out []string
	for _, a := range attached {
		if BroadByName(a) {
			out = append(out, fmt.Sprintf("attached managed policy %s (%s) grants broad access", a[strings.LastIndex(a, "/")+1:], a))
			continue
		}
		for i, st := range managed[a] {
			if why := broadStatement(st); why != "" {
				out = append(out, fmt.Sprintf("%s %s %s", managedLabel(a), label(st, i), why))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(inline)) {
		for i, st := range inline[name] {
			if why := broadStatement(st); why != "" {
				out = append(out, fmt.Sprintf("%s %s %s", inlineLabel(name), label(st, i), why))
			}
		}
	}
	return out
}

func managedLabel(policyARN string) string { return "managed policy " + policyARN }
func inlineLabel(name string) string       { return fmt.Sprintf("inline policy %q", name) }

// broadStatement says why an Allow statement is broad, or returns "". It
// is broad when it
//   - uses NotAction or NotResource (it grants everything not listed);
//   - allows "*", "<service>:*" or an action whose service is a wildcard;
//   - names a resource that covers every resource of a service (see
//     coversService), unless every action is one IAM authorizes only on "*"
//     (resourceWildcardOnlyActions);
//   - allows iam:PassRole other than on named roles with an
//     iam:PassedToService condition.
func broadStatement(st facts.PolicyStatement) string {
	if !isAllow(st) {
		return ""
	}
	on := "on " + strings.Join(st.Resources, ", ")
	switch {
	case len(st.NotResources) > 0:
		on = "on every resource except " + strings.Join(st.NotResources, ", ")
	case slices.Equal(st.Resources, []string{"*"}):
		on = "on every resource"
	}
	if len(st.NotActions) > 0 {
		return fmt.Sprintf("allows every action except %s %s", strings.Join(st.NotActions, ", "), on)
	}
	if wide := slices.DeleteFunc(slices.Clone(st.Actions), func(a string) bool { return !serviceWideAction(a) }); len(wide) > 0 {
		return fmt.Sprintf("allows %s %s", strings.Join(wide, ", "), on)
	}
	if len(st.NotResources) > 0 {
		return fmt.Sprintf("allows %s %s", strings.Join(st.Actions, ", "), on)
	}
	if wide := slices.DeleteFunc(slices.Clone(st.Resources), func(r string) bool { return !coversService(r) }); len(wide) > 0 &&
		!allActionsMatch(st.Actions, resourceWildcardOnlyActions) {
		what := "every resource"
		if !slices.Equal(wide, []string{"*"}) {
			what = strings.Join(wide, ", ") + ", which covers every resource of the service"
		}
		return fmt.Sprintf("allows %s on %s", strings.Join(st.Actions, ", "), what)
	}
	if allowsAction(st, "iam:PassRole") && !passRoleScoped(st) {
		return fmt.Sprintf("allows iam:PassRole %s without naming each role (arn:<partition>:iam::<account>:role/<name>) and an iam:PassedToService condition", on)
	}
	return ""
}

// serviceWideAction reports whether an action pattern grants a whole service
// or more: "*", "s3:*", "*:GetObject".
func serviceWideAction(action string) bool {
	service, name, ok := strings.Cut(action, ":")
	return !ok || strings.ContainsAny(service, "*?") || name == "*"
}

// coversService reports whether a resource pattern covers every resource of
// a service (or more): "*"; a pattern that is not a full ARN but has a
// wildcard ("arn:*", "arn:aws:s3*"); an ARN with a wildcard partition or
// service; or an ARN whose account is empty or a wildcard and whose resource
// is only wildcards or a whole resource type: "arn:aws:s3:::*",
// "arn:aws:s3:::*/*", "arn:aws:kms:*:*:key/*", "arn:aws:iam::*:role/*". The
// region does not matter: a whole type in every account of one region is as
// broad. S3 resources have no type ("bucket/key"), so "arn:aws:s3:::b/*" is
// one bucket's objects, not a type.
func coversService(resource string) bool {
	if resource == "*" {
		return true
	}
	parts := strings.SplitN(resource, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return strings.ContainsAny(resource, "*?")
	}
	partition, service, account, name := parts[1], parts[2], parts[4], parts[5]
	switch {
	case strings.ContainsAny(partition+service, "*?"):
		return true
	case account != "" && !strings.ContainsAny(account, "*?"):
		return false
	case wildcardName.MatchString(name):
		return true
	default:
		return service != "s3" && wildcardOfType.MatchString(name)
	}
}

// allActionsMatch reports whether every action pattern is matched by one of
// patterns (an action pattern is matched only by a pattern at least as
// wide: "ec2:Describe*" matches "ec2:DescribeVpcs" and "ec2:Describe*", not
// "ec2:*").
func allActionsMatch(actions, patterns []string) bool {
	return len(actions) > 0 && !slices.ContainsFunc(actions, func(a string) bool { return !anyMatch(patterns, a) })
}

// passRoleScoped reports whether a statement that allows iam:PassRole names
// only specific roles (no wildcard, a 12-digit account) and has an
// iam:PassedToService condition that is not only "*".
func passRoleScoped(st facts.PolicyStatement) bool {
	if len(st.Resources) == 0 || len(st.NotResources) > 0 {
		return false
	}
	for _, r := range st.Resources {
		a, err := arn.Parse(r)
		if err != nil || a.Service != "iam" || !accountID.MatchString(a.AccountID) ||
			!strings.HasPrefix(a.Resource, "role/") || strings.ContainsAny(r, "*?") {
			return false
		}
	}
	services, found := conditionValues(st, "iam:PassedToService", "StringEquals", "StringLike")
	return found && !onlyWildcards(services) && !slices.ContainsFunc(services, func(v string) bool { return strings.ContainsAny(v, "*?") })
}
