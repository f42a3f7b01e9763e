package posture

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// SageMakerServicePrincipal is the only principal an execution role should trust.
const SageMakerServicePrincipal = "sagemaker.amazonaws.com"

// trustActions are the actions a SageMaker trust statement may allow.
var trustActions = []string{"sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"}

// confusedDeputyKeys are the condition keys that tie the trust to the
// caller's account and resources, and the operators accepted for them.
var (
	confusedDeputyKeys      = []string{"aws:SourceAccount", "aws:SourceArn"}
	confusedDeputyOperators = []string{"StringEquals", "StringLike", "ArnEquals", "ArnLike"}
)

// BroadManagedPolicies are the managed policy names that make an execution
// role over-privileged when attached (matched by the name at the end of the
// policy ARN, e.g. arn:aws:iam::aws:policy/AdministratorAccess).
var BroadManagedPolicies = []string{
	"AmazonSageMakerFullAccess",
	"AdministratorAccess",
	"PowerUserAccess",
	"AmazonS3FullAccess",
	"IAMFullAccess",
}

// serviceWideAction matches "service:*".
var serviceWideAction = regexp.MustCompile(`^[A-Za-z0-9-]+:\*$`)

// RoleDocuments is what IAM returns about a role, before parsing: the input
// of AssessRole.
type RoleDocuments struct {
	Ref                string // what the user wrote (ARN)
	ARN                string
	Name               string
	TrustPolicy        string            // AssumeRolePolicyDocument, URL-encoded or plain JSON
	AttachedPolicyARNs []string          // managed policies attached to the role
	InlinePolicies     map[string]string // policy name -> document, URL-encoded or plain JSON
}

// AssessRole parses a role's trust and inline policy documents and derives
// TrustProblems, MissingConditions and BroadPermissions (see
// AssessParsedRole). A document that cannot be parsed is reported as a
// problem, never silently trusted: an unparsable trust policy becomes the
// only TrustProblem and an unparsable inline policy a BroadPermission.
func AssessRole(raw RoleDocuments) facts.RoleFact {
	fact := facts.RoleFact{
		Ref:                raw.Ref,
		Found:              true,
		ARN:                raw.ARN,
		Name:               raw.Name,
		AttachedPolicyARNs: raw.AttachedPolicyARNs,
	}
	trust, trustErr := ParsePolicyDocument(raw.TrustPolicy)
	fact.Trust = trust

	var inlineProblems []string
	if len(raw.InlinePolicies) > 0 {
		fact.Inline = make(map[string][]facts.PolicyStatement, len(raw.InlinePolicies))
	}
	for _, name := range slices.Sorted(maps.Keys(raw.InlinePolicies)) {
		statements, err := ParsePolicyDocument(raw.InlinePolicies[name])
		if err != nil {
			inlineProblems = append(inlineProblems, fmt.Sprintf(
				"inline policy %q could not be parsed (%v), so its permissions cannot be checked", name, err))
			continue
		}
		fact.Inline[name] = statements
	}

	fact = AssessParsedRole(fact)
	if trustErr != nil {
		fact.TrustProblems = []string{fmt.Sprintf(
			"the trust policy could not be parsed (%v), so it cannot be shown to trust only %s", trustErr, SageMakerServicePrincipal)}
		fact.MissingConditions = nil
	}
	fact.BroadPermissions = append(fact.BroadPermissions, inlineProblems...)
	return fact
}

// AssessParsedRole derives the verdict fields of a role from its parsed
// Trust, AttachedPolicyARNs and Inline statements, replacing any previous
// verdict. It is the half of AssessRole that needs no JSON, so a role built
// in code can be checked the same way.
//
//   - TrustProblems: an Allow statement trusts any principal other than the
//     service sagemaker.amazonaws.com (wildcards, AWS accounts or roles, other
//     services, federated users, NotPrincipal), allows any action other than
//     sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity (including
//     NotAction), or no statement lets SageMaker assume the role at all.
//   - MissingConditions: an Allow statement for SageMaker lacks
//     aws:SourceAccount or aws:SourceArn under StringEquals, StringLike,
//     ArnEquals or ArnLike (a value of only "*" counts as absent).
//   - SourceConditions: the values of those keys where they are present
//     (checkRoleTrust requires them to name the caller's account).
//   - BroadPermissions: an attached BroadManagedPolicies entry; an inline
//     Allow of "*", "service:*" or NotAction on every resource; an inline
//     Allow of kms:Decrypt on every resource.
func AssessParsedRole(fact facts.RoleFact) facts.RoleFact {
	fact.TrustProblems, fact.MissingConditions, fact.SourceConditions = assessTrust(fact.Trust)
	fact.BroadPermissions = append(broadAttached(fact.AttachedPolicyARNs), broadInline(fact.Inline)...)
	return fact
}

// assessTrust returns the trust problems, the missing confused-deputy
// conditions and the values of those that are present. Whether the values
// name the caller's account is for the guardrail check to say (only the
// Subject knows the account, partition and region).
func assessTrust(trust []facts.PolicyStatement) (problems, missing []string, present []facts.TrustCondition) {
	sageMakerCanAssume := false
	for i, st := range trust {
		if !isAllow(st) {
			continue
		}
		label := label(st, i)
		if len(st.NotPrincipals) > 0 {
			problems = append(problems, fmt.Sprintf(
				"trust %s uses NotPrincipal, which trusts every principal except those listed", label))
		}
		trustsSageMaker := false
		for _, kind := range slices.Sorted(maps.Keys(st.Principals)) {
			for _, p := range st.Principals[kind] {
				if strings.EqualFold(kind, "Service") && strings.EqualFold(p, SageMakerServicePrincipal) {
					trustsSageMaker = true
					continue
				}
				problems = append(problems, fmt.Sprintf("trust %s %s", label, describePrincipal(kind, p)))
			}
		}
		if len(st.NotActions) > 0 {
			problems = append(problems, fmt.Sprintf(
				"trust %s uses NotAction, which allows every action except %s", label, strings.Join(st.NotActions, ", ")))
		}
		for _, a := range st.Actions {
			if !containsFold(trustActions, a) {
				problems = append(problems, fmt.Sprintf(
					"trust %s allows %s; only %s are expected", label, a, strings.Join(trustActions, ", ")))
			}
		}
		if !trustsSageMaker || !allowsAction(st, "sts:AssumeRole") {
			continue
		}
		sageMakerCanAssume = true
		for _, key := range confusedDeputyKeys {
			values, found := conditionValues(st, key, confusedDeputyOperators...)
			if !found || onlyWildcards(values) {
				missing = append(missing, fmt.Sprintf(
					"trust %s lets %s assume the role without an %s condition (%s)",
					label, SageMakerServicePrincipal, key, strings.Join(confusedDeputyOperators, ", ")))
				continue
			}
			slices.Sort(values)
			present = append(present, facts.TrustCondition{Statement: label, Key: key, Values: values})
		}
	}
	if !sageMakerCanAssume {
		problems = append(problems, fmt.Sprintf(
			"no trust statement allows %s to call sts:AssumeRole", SageMakerServicePrincipal))
	}
	return problems, missing, present
}

// describePrincipal phrases an unexpected trusted principal.
func describePrincipal(kind, principal string) string {
	switch {
	case kind == "*":
		return `trusts every principal ("*")`
	case principal == "*":
		return fmt.Sprintf(`trusts every %s principal ("*")`, kind)
	case strings.EqualFold(kind, "AWS"):
		return fmt.Sprintf("trusts AWS principal %s (an account, user or role, not the SageMaker service)", principal)
	case strings.EqualFold(kind, "Service"):
		return fmt.Sprintf("trusts service principal %s, not only %s", principal, SageMakerServicePrincipal)
	default:
		return fmt.Sprintf("trusts %s principal %s", kind, principal)
	}
}

// onlyWildcards reports whether values is empty or every value is "*".
func onlyWildcards(values []string) bool {
	return !slices.ContainsFunc(values, func(v string) bool { return v != "*" })
}

// broadAttached lists attached managed policies from BroadManagedPolicies.
func broadAttached(arns []string) []string {
	var out []string
	for _, a := range arns {
		name := a[strings.LastIndex(a, "/")+1:]
		if containsFold(BroadManagedPolicies, name) {
			out = append(out, fmt.Sprintf("attached managed policy %s (%s) grants broad access", name, a))
		}
	}
	return out
}

// broadInline lists inline Allow statements that grant whole services, or
// kms:Decrypt, on every resource.
func broadInline(inline map[string][]facts.PolicyStatement) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(inline)) {
		for i, st := range inline[name] {
			if !isAllow(st) || !coversAllResources(st) {
				continue
			}
			where := fmt.Sprintf("inline policy %q %s", name, label(st, i))
			on := "on every resource"
			if len(st.NotResources) > 0 {
				on = "on every resource except " + strings.Join(st.NotResources, ", ")
			}
			var wide []string
			for _, a := range st.Actions {
				if a == "*" || serviceWideAction.MatchString(a) {
					wide = append(wide, a)
				}
			}
			switch {
			case len(st.NotActions) > 0:
				out = append(out, fmt.Sprintf("%s allows every action except %s %s",
					where, strings.Join(st.NotActions, ", "), on))
			case len(wide) > 0:
				out = append(out, fmt.Sprintf("%s allows %s %s", where, strings.Join(wide, ", "), on))
			case allowsAction(st, "kms:Decrypt"):
				out = append(out, fmt.Sprintf("%s allows kms:Decrypt %s (every KMS key)", where, on))
			}
		}
	}
	return out
}
