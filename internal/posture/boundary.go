package posture

import (
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// boundaryEscapes are the actions that let a role capped by a permissions
// boundary act without the cap, on whatever resource they are allowed:
// make or change a role, user or group (whose policies are then not capped
// by this boundary), join a group, sign in, get keys or credentials as a
// user, take a boundary off, rewrite a managed policy, change whom the
// account's identity providers vouch for, or become root. A boundary that
// allows any of them caps nothing (SS-IAM-5).
var boundaryEscapes = []string{
	"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy",
	"iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
	"iam:CreateUser", "iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile",
	"iam:UpdateLoginProfile", "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary",
	"iam:CreateServiceSpecificCredential",
	"iam:AddUserToGroup", "iam:PutGroupPolicy", "iam:AttachGroupPolicy",
	"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
	"iam:CreateSAMLProvider", "iam:UpdateSAMLProvider", "iam:CreateOpenIDConnectProvider",
	"iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
	"sso:PutInlinePolicyToPermissionSet", "sso:AttachManagedPolicyToPermissionSet",
	"sso:AttachCustomerManagedPolicyReferenceToPermissionSet", "sso:CreateAccountAssignment",
	"identitystore:CreateGroupMembership",
	"sts:AssumeRoot",
}

// boundedWrites are the boundaryEscapes IAM lets a policy condition on the
// boundary of the principal written (the iam:PermissionsBoundary key): an
// Allow of one of them only for principals that carry this same boundary
// keeps them capped, the pattern AWS documents for delegating role
// creation. Removing a boundary is not here: conditioned on the boundary it
// removes, it still removes it.
var boundedWrites = []string{
	"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary",
	"iam:CreateUser", "iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:PutUserPermissionsBoundary",
}

// scopedEscapes are the actions that let a capped role act as another
// principal that already exists, through a resource: pass a role to a
// service that runs code as it, assume a role, or run code or open a console
// as an existing notebook, function, instance, container, build or stack.
// They count only where allowed on resources not limited to a name prefix
// (limitedPattern): the monitor's scheduler role needs iam:PassRole of its
// execution role, limited to the stack's roles, and a data scientist's
// persona may open the stack's own notebooks.
var scopedEscapes = []string{
	"iam:PassRole", "sts:AssumeRole",
	"sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:CreatePresignedDomainUrl",
	"lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
	"ssm:SendCommand", "ssm:StartSession", "ec2-instance-connect:SendSSHPublicKey", "ecs:ExecuteCommand",
	"glue:UpdateDevEndpoint", "codebuild:StartBuild", "cloudformation:UpdateStack", "cloudformation:ExecuteChangeSet",
	// A notebook instance's or Studio app's lifecycle script runs as its
	// execution role when it starts: attaching or rewriting one runs code
	// as that role (red team).
	"sagemaker:UpdateNotebookInstance", "sagemaker:UpdateNotebookInstanceLifecycleConfig",
	"sagemaker:UpdateDomain", "sagemaker:UpdateUserProfile", "sagemaker:UpdateSpace",
}

// minLiteralPrefix is how many literal characters a resource name pattern
// must start with to count as limited to a name prefix: "ml-*" is, "*Role",
// "A*" and "*" are not.
const minLiteralPrefix = 3

// privilegedRoles are roles AWS and common tooling create with
// administrator access: a role pattern that matches one of them is not
// limited to the stack's roles, whatever its prefix.
var privilegedRoles = []string{
	"OrganizationAccountAccessRole", "AWSControlTowerExecution", "Admin", "Administrator",
	"aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef",
	"cdk-hnb659fds-cfn-exec-role-%s-us-east-1",
	// The console's SageMaker execution roles (AmazonSageMakerFullAccess).
	"service-role/AmazonSageMaker-ExecutionRole-20240101T000000",
}

// AssessBoundary lists the escapes the permissions boundary boundaryARN
// allows: a boundaryEscapes action an Allow grants, on any resource and
// under any condition (conservative: a condition sagesafe cannot evaluate
// may hold), except a boundedWrites action allowed only for principals
// carrying boundaryARN; and a scopedEscapes action some Allow grants on a
// resource not limited to a name prefix ("<action> on any resource").
// An unconditional Deny of the action on every resource ("*") takes it
// away.
func AssessBoundary(stmts []facts.PolicyStatement, boundaryARN string) []string {
	var out []string
	for _, action := range boundaryEscapes {
		bounded := slices.Contains(boundedWrites, action)
		if allowedAnywhere(stmts, action, func(st facts.PolicyStatement) bool {
			return !bounded || !requiresBoundary(st, boundaryARN)
		}) {
			out = append(out, action)
		}
	}
	partition, account := boundaryScope(boundaryARN)
	for _, action := range scopedEscapes {
		if allowedAnywhere(stmts, action, func(st facts.PolicyStatement) bool {
			return !limitedStatement(st, action, partition, account)
		}) {
			out = append(out, action+" on any resource")
		}
	}
	return out
}

// boundaryScope returns the partition and account of the boundary's ARN
// ("aws" and "" when it is not an ARN).
func boundaryScope(boundaryARN string) (partition, account string) {
	if a, err := arn.Parse(boundaryARN); err == nil {
		return a.Partition, a.AccountID
	}
	return "aws", ""
}

// roleReachers are the scopedEscapes that name the role they reach: a role
// under the boundary that may pass a role to a service or assume it acts as
// that role, so each role they may reach must carry the boundary too.
var roleReachers = []string{"iam:PassRole", "sts:AssumeRole"}

// RoleReach is how one of roleReachers reaches roles under a boundary: the
// resource patterns (policy variables read as "*") of its Allows that
// AssessBoundary lets through because they name roles of a name prefix,
// less those of its unconditional Denies naming resources (a carve-out
// such as a Deny on role/ml-legacy).
type RoleReach struct {
	Action      string
	Allow, Deny []string
}

// Reaches reports whether role (an ARN) is reached: an Allow pattern
// matches it (ignoring case: errs toward reaching) and no Deny pattern
// does (with case: a Deny of role/team-Admin, which might not apply to
// role/team-admin, does not carve it out).
func (r RoleReach) Reaches(role string) bool {
	return anyMatch(r.Allow, role) && !anyMatchCase(r.Deny, role)
}

// RoleReaches returns how the boundary's iam:PassRole and sts:AssumeRole
// reach roles by name prefix (RoleReach), for the actions that reach any.
// A name prefix does not make a role capped: every existing role they reach
// must carry the boundary (UncappedRoles). An action an unconditional Deny
// on "*" takes away reaches no role.
func RoleReaches(stmts []facts.PolicyStatement, boundaryARN string) []RoleReach {
	return reachesOf(stmts, boundaryARN, roleReachers)
}

// notebookReachers are the scopedEscapes that run code as an existing
// SageMaker notebook instance's execution role, named by the instance's
// ARN: a presigned URL opens Jupyter on the instance, and an update can
// attach a lifecycle script that runs as that role when it starts.
var notebookReachers = []string{"sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:UpdateNotebookInstance"}

// NotebookReaches returns how the boundary's presigned notebook URLs and
// notebook updates reach notebook instances by name prefix (a RoleReach whose patterns name
// notebook instances). Every existing notebook instance they reach must run
// as a role that carries the boundary (UncappedNotebooks).
func NotebookReaches(stmts []facts.PolicyStatement, boundaryARN string) []RoleReach {
	return reachesOf(stmts, boundaryARN, notebookReachers)
}

// UnverifiedReaches returns the scopedEscapes other than roleReachers and
// notebookReachers that the boundary allows on resources of a name prefix,
// as "<action> on <patterns>": each runs code or opens a console as the
// role of an existing function, instance, container, build, stack or
// Studio profile, and sagesafe does not read which roles those are, so
// SS-IAM-5 cannot be held (a warning, not a refusal: the objects behind
// the prefix may all be the stack's own). Allow patterns an unconditional
// Deny's pattern covers (patternCovers) are left out.
func UnverifiedReaches(stmts []facts.PolicyStatement, boundaryARN string) []string {
	var out []string
	for _, action := range scopedEscapes {
		if slices.Contains(roleReachers, action) || slices.Contains(notebookReachers, action) {
			continue
		}
		for _, r := range reachesOf(stmts, boundaryARN, []string{action}) {
			open := slices.DeleteFunc(slices.Clone(r.Allow), func(p string) bool {
				return slices.ContainsFunc(r.Deny, func(d string) bool { return patternCovers(d, p) })
			})
			if len(open) > 0 {
				out = append(out, action+" on "+strings.Join(open, ", "))
			}
		}
	}
	return out
}

// patternCovers reports whether every resource the pattern allow matches
// is matched by the pattern deny (so a Deny of deny takes all of allow
// away): deny's "*" stands for any run of allow's characters, wildcards
// included; deny's "?" for one literal character of allow (not for allow's
// "*" or "?", which may stand for more or other characters); other
// characters must be the same, with case. It errs toward not covering: a
// carve-out that may leave something of allow is no carve-out (red team:
// a Deny of "ml-?" does not take away "ml-*").
func patternCovers(deny, allow string) bool {
	d, a := []rune(deny), []rune(allow)
	wild := func(r rune) bool { return r == '*' || r == '?' }
	// covers[i][j]: d[i:] covers a[j:] (table, not backtracking: a pattern
	// of many "*" must not cost exponential time).
	covers := make([][]bool, len(d)+1)
	for i := range covers {
		covers[i] = make([]bool, len(a)+1)
	}
	covers[len(d)][len(a)] = true
	for i := len(d) - 1; i >= 0; i-- {
		for j := len(a); j >= 0; j-- {
			switch {
			case d[i] == '*':
				covers[i][j] = covers[i+1][j] || (j < len(a) && covers[i][j+1])
			case j == len(a) || wild(a[j]):
				covers[i][j] = false
			case d[i] == '?':
				covers[i][j] = covers[i+1][j+1]
			default:
				covers[i][j] = d[i] == a[j] && covers[i+1][j+1]
			}
		}
	}
	return covers[0][0]
}

// reachesOf returns, for each of actions the boundary allows, the resource
// patterns of its Allows limited to a name prefix and of its unconditional
// Denies naming resources (RoleReach).
func reachesOf(stmts []facts.PolicyStatement, boundaryARN string, actions []string) []RoleReach {
	partition, account := boundaryScope(boundaryARN)
	var out []RoleReach
	for _, action := range actions {
		if !allowedAnywhere(stmts, action, func(facts.PolicyStatement) bool { return true }) {
			continue
		}
		reach := RoleReach{Action: action}
		for _, st := range stmts {
			if !allowsAction(st, action) {
				continue
			}
			switch {
			case isAllow(st) && limitedStatement(st, action, partition, account):
				for _, r := range st.Resources {
					reach.Allow = append(reach.Allow, policyVariable.ReplaceAllString(r, "*"))
				}
			case isDeny(st) && len(st.Conditions) == 0 && len(st.NotResources) == 0:
				reach.Deny = append(reach.Deny, st.Resources...)
			}
		}
		if len(reach.Allow) > 0 {
			slices.Sort(reach.Allow)
			reach.Allow = slices.Compact(reach.Allow)
			out = append(out, reach)
		}
	}
	return out
}

// Reached reports whether one of reaches reaches role.
func Reached(reaches []RoleReach, role string) bool {
	return slices.ContainsFunc(reaches, func(r RoleReach) bool { return r.Reaches(role) })
}

// OtherRegions returns, as "<action> on <pattern> outside <region>", the
// Allow patterns of reaches that name objects in other regions than region
// (a region wildcard, another region): only region's notebook instances are
// read, so the others stay unverified (SS-IAM-5 not held).
func OtherRegions(reaches []RoleReach, region string) []string {
	var out []string
	for _, r := range reaches {
		for _, p := range r.Allow {
			if parts := strings.SplitN(p, ":", 6); len(parts) == 6 && parts[3] != region {
				out = append(out, r.Action+" on "+p+" outside "+region)
			}
		}
	}
	return out
}

// UncappedNotebooks returns, sorted, the notebook instances of notebooks
// (ARN to the ARN of the role it runs as) that reaches reach and whose role
// does not carry boundaryARN (boundaries: role ARN to permissions boundary
// ARN, "" for none; a role missing from it counts as uncapped), as
// "<notebook ARN> (role <role ARN>)": a role under the boundary may open
// one and run code as its role, beyond the boundary (SS-IAM-5).
func UncappedNotebooks(reaches []RoleReach, notebooks, boundaries map[string]string, boundaryARN string) []string {
	var out []string
	for nb, role := range notebooks {
		if Reached(reaches, nb) && boundaries[role] != boundaryARN {
			out = append(out, nb+" (role "+role+")")
		}
	}
	slices.Sort(out)
	return out
}

// UncappedRoles returns, sorted, the roles of roles (ARN to permissions
// boundary ARN, "" for none) that reaches reach and that do not carry
// boundaryARN: a role under the boundary may pass or assume them and so
// act beyond it (SS-IAM-5).
func UncappedRoles(reaches []RoleReach, roles map[string]string, boundaryARN string) []string {
	var out []string
	for role, boundary := range roles {
		if boundary != boundaryARN && Reached(reaches, role) {
			out = append(out, role)
		}
	}
	slices.Sort(out)
	return out
}

// allowedAnywhere reports whether an Allow for which counts holds grants
// action, and no unconditional Deny on "*" takes it away.
func allowedAnywhere(stmts []facts.PolicyStatement, action string, counts func(facts.PolicyStatement) bool) bool {
	allowed, denied := false, false
	for _, st := range stmts {
		if !allowsAction(st, action) {
			continue
		}
		switch {
		case isAllow(st):
			allowed = allowed || counts(st)
		case len(st.Conditions) == 0 && len(st.NotResources) == 0 && slices.Contains(st.Resources, "*"):
			denied = true
		}
	}
	return allowed && !denied
}

// requiresBoundary reports whether the statement allows only for principals
// whose permissions boundary is boundaryARN: a StringEquals, ArnEquals,
// StringLike or ArnLike condition on iam:PermissionsBoundary whose every
// value is exactly that ARN (IfExists and ForAnyValue forms would hold
// without it, so they do not count).
func requiresBoundary(st facts.PolicyStatement, boundaryARN string) bool {
	values, found := conditionValues(st, "iam:PermissionsBoundary", "StringEquals", "ArnEquals", "StringLike", "ArnLike")
	return found && len(values) > 0 && !slices.ContainsFunc(values, func(v string) bool { return v != boundaryARN })
}

// policyVariable matches an IAM policy variable (${aws:username},
// ${aws:PrincipalTag/team, 'x'}): its value is the requester's, which a
// capped role may set (its own tags), so it counts as "*".
var policyVariable = regexp.MustCompile(`\$\{[^}]*\}`)

// limitedStatement reports whether the statement's resource element limits
// action to resources of a name prefix: no NotResource (everything but a
// few is not a prefix), and every Resource pattern limitedPattern.
func limitedStatement(st facts.PolicyStatement, action, partition, account string) bool {
	if len(st.NotResources) > 0 || len(st.Resources) == 0 {
		return false
	}
	for _, r := range st.Resources {
		if !limitedPattern(policyVariable.ReplaceAllString(r, "*"), action, partition, account) {
			return false
		}
	}
	return true
}

// limitedPattern reports whether an ARN pattern names resources of one type
// whose names start with at least minLiteralPrefix literal characters. For
// roles it must also match none of privilegedRoles, and for sts:AssumeRole
// name a role of the boundary's own account (another account's roles are
// not capped by it).
func limitedPattern(pattern, action, partition, account string) bool {
	parts := strings.SplitN(pattern, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return false
	}
	res := parts[5]
	sep := strings.IndexAny(res, "/:")
	if sep <= 0 || strings.ContainsAny(res[:sep], "*?") {
		return false
	}
	name := res[sep+1:]
	if wild := strings.IndexAny(name, "*?"); wild >= 0 && wild < minLiteralPrefix {
		return false
	}
	if action != "iam:PassRole" && action != "sts:AssumeRole" {
		return true
	}
	if !strings.EqualFold(res[:sep], "role") || (action == "sts:AssumeRole" && parts[4] != account) {
		return false
	}
	for _, r := range privilegedRoles {
		if wildcardMatch(pattern, "arn:"+partition+":iam::"+account+":role/"+strings.ReplaceAll(r, "%s", account)) {
			return false
		}
	}
	return true
}
