package posture

import (
	"fmt"
	"maps"
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
	// excludingOperators narrow what the operators above allow; their
	// values are kept so that the guardrail check can tell whether the
	// trust still admits the job.
	excludingOperators = []string{"StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike"}
)

// RoleDocuments is what IAM returns about a role, before parsing: the input
// of AssessRole.
type RoleDocuments struct {
	Ref                string // what the user wrote (ARN)
	ARN                string
	Name               string
	TrustPolicy        string            // AssumeRolePolicyDocument, URL-encoded or plain JSON
	AttachedPolicyARNs []string          // managed policies attached to the role
	InlinePolicies     map[string]string // policy name -> document, URL-encoded or plain JSON
	// ManagedPolicies are the documents of the attached managed policies'
	// default versions, by policy ARN (URL-encoded or plain JSON), as far as
	// they were read: the fetcher reads every one not broad by its name.
	ManagedPolicies map[string]string
	// Boundary is the role's permissions boundary ARN, "" for none.
	Boundary string
}

// AssessRole parses a role's trust, managed and inline policy documents and
// derives TrustProblems, MissingConditions, SourceConditions and
// BroadPermissions (see AssessParsedRole). A document that cannot be parsed
// is reported as a problem, never silently trusted: an unparsable trust
// policy becomes the only TrustProblem and an unparsable permissions policy
// a BroadPermission.
func AssessRole(raw RoleDocuments) facts.RoleFact {
	fact := facts.RoleFact{
		Ref:                raw.Ref,
		Found:              true,
		ARN:                raw.ARN,
		Name:               raw.Name,
		AttachedPolicyARNs: raw.AttachedPolicyARNs,
		Boundary:           raw.Boundary,
	}
	trust, trustErr := ParsePolicyDocument(raw.TrustPolicy)
	fact.Trust = trust

	var unparsable []string
	fact.Managed, unparsable = parsePolicies(raw.ManagedPolicies, managedLabel, unparsable)
	fact.Inline, unparsable = parsePolicies(raw.InlinePolicies, inlineLabel, unparsable)

	fact = AssessParsedRole(fact)
	if trustErr != nil {
		fact.TrustProblems = []string{fmt.Sprintf(
			"the trust policy could not be parsed (%v), so it cannot be shown to trust only %s", trustErr, SageMakerServicePrincipal)}
		fact.MissingConditions = nil
	}
	fact.BroadPermissions = append(fact.BroadPermissions, unparsable...)
	return fact
}

// parsePolicies parses documents by key; each one that cannot be parsed is
// added to problems (named by label) instead.
func parsePolicies(docs map[string]string, label func(string) string, problems []string) (map[string][]facts.PolicyStatement, []string) {
	if len(docs) == 0 {
		return nil, problems
	}
	out := make(map[string][]facts.PolicyStatement, len(docs))
	for _, key := range slices.Sorted(maps.Keys(docs)) {
		statements, err := ParsePolicyDocument(docs[key])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s could not be parsed (%v), so its permissions cannot be checked", label(key), err))
			continue
		}
		out[key] = statements
	}
	return out, problems
}

// AssessParsedRole derives the verdict fields of a role from its parsed
// Trust, AttachedPolicyARNs, Managed and Inline statements, replacing any previous
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
//   - BroadPermissions: see broadPermissions (SS-IAM-2).
func AssessParsedRole(fact facts.RoleFact) facts.RoleFact {
	fact.TrustProblems, fact.MissingConditions, fact.SourceConditions = assessTrust(fact.Trust)
	fact.BroadPermissions = broadPermissions(fact.AttachedPolicyARNs, fact.Managed, fact.Inline)
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
			present = append(present, sourceConditions(st, label, key)...)
		}
	}
	if !sageMakerCanAssume {
		problems = append(problems, fmt.Sprintf(
			"no trust statement allows %s to call sts:AssumeRole", SageMakerServicePrincipal))
	}
	return problems, missing, present
}

// sourceConditions are the conditions of st on key, one per operator that
// allows or excludes values (sorted by operator, values sorted).
func sourceConditions(st facts.PolicyStatement, label, key string) []facts.TrustCondition {
	var out []facts.TrustCondition
	for _, op := range slices.Sorted(maps.Keys(st.Conditions)) {
		if !containsFold(confusedDeputyOperators, op) && !containsFold(excludingOperators, op) {
			continue
		}
		values, _ := conditionValues(st, key, op)
		if len(values) == 0 {
			continue
		}
		slices.Sort(values)
		out = append(out, facts.TrustCondition{Statement: label, Key: key, Operator: op, Values: values})
	}
	return out
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
