package iampolicy

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// DeployerInputs say what a deployer policy is for: the sagesafe types the
// identity plans, applies and destroys, and how far names narrow it.
type DeployerInputs struct {
	Types []string
	// NamePrefix starts the name of every object of these types (the
	// resources' name or name_prefix): the IAM roles and SageMaker objects
	// sagesafe makes are granted only under it. Empty: in the account.
	NamePrefix string
	// PassRoleARNs are the roles the deployer may pass to the services
	// (execution roles, a given scheduler or CloudTrail role). Empty: the
	// roles named NamePrefix* (sagesafe's own roles carry the names of
	// their resources), or every role of the account without a prefix.
	PassRoleARNs []string
	// PermissionsBoundaryARN, when set, is the managed policy every role the
	// deployer makes or changes must carry as its permissions boundary
	// (the provider's guardrails.role_permissions_boundary_arn): IAM cannot
	// condition on what a role's policies grant, only on its boundary.
	PermissionsBoundaryARN string
}

// DeployerNamePrefixPattern is what a name prefix may hold: the characters
// both IAM role names and SageMaker names accept (no wildcard, which would
// widen the grant).
var DeployerNamePrefixPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-]{0,39}$`)

// readPrefixes start the operations that change nothing.
var readPrefixes = []string{"Describe", "Get", "List", "Lookup", "Search", "Head", "Select"}

// ReadOnlyCall reports whether an inventory call ("service:Operation")
// changes nothing.
func ReadOnlyCall(call string) bool {
	_, op, _ := strings.Cut(call, ":")
	return slices.ContainsFunc(readPrefixes, func(p string) bool { return strings.HasPrefix(op, p) })
}

// sageMakerKinds are the SageMaker resource types (ARN kinds) each type's
// objects are.
var sageMakerKinds = map[string][]string{
	TypeTrainingJob:   {"training-job"},
	TypeProcessingJob: {"processing-job"},
	TypeEndpoint:      {"endpoint", "endpoint-config", "model"},
	TypeModelMonitor:  {"monitoring-schedule"},
}

// passedTo are the services each type hands a role to (iam:PassedToService).
var passedTo = map[string][]string{
	TypeTrainingJob:   {"sagemaker"},
	TypeProcessingJob: {"sagemaker"},
	TypeEndpoint:      {"sagemaker"},
	TypeModelMonitor:  {"sagemaker", "scheduler"},
	TypeNetwork:       {"vpc-flow-logs"},
	TypeAuditTrail:    {"cloudtrail"},
}

// auditBucketPrefix starts the audit trail's bucket names
// ("sagesafe-audit-<account>-<token>").
const auditBucketPrefix = "sagesafe-audit-"

// autoScalingSLR is the service-linked role Application Auto Scaling makes
// on an account's first RegisterScalableTarget of a SageMaker variant,
// with the caller's permission.
const autoScalingSLR = "aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"

// Statement IDs of the deployer policy.
const (
	SidDeployerReads     = "SagesafeReads"
	SidDeployerWrites    = "SagesafeWrites"
	SidDeployerRoles     = "SagesafeRoles"
	SidDeployerSageMaker = "SagesafeSageMaker"
	SidDeployerBucket    = "SagesafeAuditBucket"
	SidDeployerPassRole  = "SagesafePassRole"
	SidDeployerSLR       = "SagesafeAutoScalingRole"
	// SidDeployerNamed starts the statements of writes narrowed to the
	// names sagesafe gives (budgets, schedules, trails, alarms, log groups).
	SidDeployerNamed = "SagesafeNamed"
)

// namedSid ends the Sid of each service's narrowed writes.
var namedSid = map[string]string{"budgets": "Budgets", "scheduler": "Schedules", "cloudtrail": "Trails", "cloudwatch": "Alarms", "logs": "LogGroups"}

// splitNamedWrites separates the writes of services whose objects sagesafe
// names predictably (narrowed by namedResources) from the rest (on "*").
func splitNamedWrites(writes []string) (map[string][]string, []string) {
	named := map[string][]string{}
	var rest []string
	for _, a := range writes {
		service, _, _ := strings.Cut(a, ":")
		if _, ok := namedSid[service]; ok {
			named[service] = append(named[service], a)
		} else {
			rest = append(rest, a)
		}
	}
	return named, rest
}

// namedResources are the objects of service a deployer of prefix writes:
// budgets, schedules and trails named by their resource (so by prefix);
// alarms, which sagesafe names "sagesafe-<kind>-<name>-..." or, for an
// audit trail, "<trail>-<class>"; log groups under /aws/sagemaker/ (jobs'
// shared groups, endpoints') and /sagesafe/ (flow logs, audit trails).
func namedResources(sc scope, service, prefix string) []string {
	switch service {
	case "budgets":
		return []string{fmt.Sprintf("arn:%s:budgets::%s:budget/%s*", sc.partition, sc.account, prefix)}
	case "scheduler":
		return []string{sc.arn("scheduler", "schedule/default/"+prefix+"*")}
	case "cloudtrail":
		return []string{sc.arn("cloudtrail", "trail/"+prefix+"*")}
	case "cloudwatch":
		return normalize([]string{sc.arn("cloudwatch", "alarm:sagesafe-*"), sc.arn("cloudwatch", "alarm:"+prefix+"*")})
	default: // logs
		return []string{sc.arn("logs", "log-group:/aws/sagemaker/*"), sc.arn("logs", "log-group:/sagesafe/*")}
	}
}

// DeployerPolicy renders the least-privilege policy for the identity that
// runs plan, apply and destroy of the given types: the IAM actions of
// every inventory call those types make (reads on "*": most Describe and
// List actions take no resource), writes narrowed where IAM allows, and
// the permissions AWS checks besides the call itself (iam:PassRole with
// iam:PassedToService, the Auto Scaling service-linked role).
func DeployerPolicy(in DeployerInputs, partition, region, account string) (Document, error) {
	sc, err := newScope(partition, region, account)
	if err != nil {
		return Document{}, err
	}
	if err := checkDeployerInputs(in); err != nil {
		return Document{}, err
	}
	if err := checkBoundary(sc, in.PermissionsBoundaryARN); err != nil {
		return Document{}, err
	}
	groups := groupDeployerActions(in.Types)
	services := passedServices(in.Types)
	if in.NamePrefix == "" && (len(groups.roles) > 0 || (len(services) > 0 && len(in.PassRoleARNs) == 0)) {
		// role/* would cover every role of the account, the deployer's own
		// included: PutRolePolicy on itself, or PassRole of an admin role,
		// is any permission (red team).
		return Document{}, invalidSpec("NamePrefix", "", "a name prefix is required for types that make or pass IAM roles: "+
			"without one the policy would grant role writes and iam:PassRole on every role of the account, the deployer's own included")
	}
	var st []Statement
	add := func(sid string, actions, resources []string, cond Condition) {
		if len(actions) > 0 {
			st = append(st, Statement{Sid: sid, Effect: EffectAllow, Action: actions, Resource: resources, Condition: cond})
		}
	}
	add(SidDeployerReads, groups.reads, []string{"*"}, nil)
	named, rest := splitNamedWrites(groups.writes)
	tagged, rest := splitTaggedWrites(rest)
	add(SidDeployerWrites, rest, []string{"*"}, nil)
	for _, service := range slices.Sorted(maps.Keys(named)) {
		add(SidDeployerNamed+namedSid[service], named[service], namedResources(sc, service, in.NamePrefix), nil)
	}
	st = append(st, taggedStatements(sc, in.NamePrefix, tagged)...)
	st = append(st, roleStatements(sc, in, groups.roles)...)
	add(SidDeployerSageMaker, groups.sagemaker, sageMakerResources(sc, in), nil)
	st = append(st, deployerGuardDenies(groups.sagemaker)...)
	add(SidDeployerBucket, groups.bucket, []string{sc.s3ARN(auditBucketPrefix + sc.account + "-*")}, nil)
	if len(services) > 0 {
		roles := slices.Clone(in.PassRoleARNs)
		if len(roles) == 0 {
			roles = roleResources(sc, in.NamePrefix)
		}
		add(SidDeployerPassRole, []string{"iam:PassRole"}, roles, Condition{"StringEquals": {"iam:PassedToService": services}})
	}
	if slices.Contains(in.Types, TypeEndpoint) {
		add(SidDeployerSLR, []string{"iam:CreateServiceLinkedRole"},
			[]string{fmt.Sprintf("arn:%s:iam::%s:role/%s", sc.partition, sc.account, autoScalingSLR)},
			Condition{"StringEquals": {"iam:AWSServiceName": {"sagemaker.application-autoscaling.amazonaws.com"}}})
	}
	return Document{Version: PolicyVersion, Statement: st}, nil
}

func checkDeployerInputs(in DeployerInputs) error {
	if len(in.Types) == 0 {
		return invalidSpec("Types", "", "name at least one sagesafe type")
	}
	for _, t := range in.Types {
		if !slices.Contains(DeployerTypes(), t) {
			return invalidSpec("Types", t, "not a sagesafe type with AWS calls; one of "+strings.Join(DeployerTypes(), ", "))
		}
	}
	if in.NamePrefix != "" && !DeployerNamePrefixPattern.MatchString(in.NamePrefix) {
		return invalidSpec("NamePrefix", in.NamePrefix, "a name prefix is 1-40 letters, digits and hyphens, starting with a letter or digit")
	}
	for _, r := range in.PassRoleARNs {
		if err := checkExact(r); err != nil {
			return err
		}
		if !strings.Contains(r, ":iam::") || !strings.Contains(r, ":role/") {
			return invalidSpec("PassRoleARNs", r, "an IAM role ARN")
		}
	}
	return nil
}

// deployerActions are the IAM actions of the chosen types' calls, by the
// statement that grants them.
type deployerActions struct {
	reads, writes, roles, sagemaker, bucket []string
}

func groupDeployerActions(types []string) deployerActions {
	var g deployerActions
	for _, c := range deployerCalls {
		if !slices.ContainsFunc(c.Types, func(t string) bool { return slices.Contains(types, t) }) {
			continue
		}
		actions := IAMActions(c.Call)
		service, _, _ := strings.Cut(c.Call, ":")
		switch {
		case ReadOnlyCall(c.Call):
			g.reads = append(g.reads, actions...)
		case service == "iam":
			g.roles = append(g.roles, actions...)
		case service == "sagemaker":
			g.sagemaker = append(g.sagemaker, actions...)
		case service == "s3" && c.Call != "s3:ListBuckets":
			g.bucket = append(g.bucket, actions...)
		default:
			g.writes = append(g.writes, actions...)
		}
	}
	for _, l := range []*[]string{&g.reads, &g.writes, &g.roles, &g.sagemaker, &g.bucket} {
		*l = normalize(*l)
	}
	return g
}

// roleResources are the roles sagesafe makes: named after their resource,
// at the root path or under /sagesafe/ (the audit trail's delivery role).
func roleResources(sc scope, prefix string) []string {
	return []string{
		fmt.Sprintf("arn:%s:iam::%s:role/%s*", sc.partition, sc.account, prefix),
		fmt.Sprintf("arn:%s:iam::%s:role/sagesafe/%s*", sc.partition, sc.account, prefix),
	}
}

// sageMakerResources are the ARNs of the chosen types' SageMaker objects.
// SageMaker writes names in lower case in its ARNs, and IAM compares ARNs
// case-sensitively, so the prefix is lowered.
func sageMakerResources(sc scope, in DeployerInputs) []string {
	var out []string
	for _, t := range in.Types {
		for _, kind := range sageMakerKinds[t] {
			out = append(out, sc.arn("sagemaker", kind+"/"+strings.ToLower(in.NamePrefix)+"*"))
		}
	}
	return normalize(out)
}

func passedServices(types []string) []string {
	var out []string
	for _, t := range types {
		for _, s := range passedTo[t] {
			out = append(out, servicePrincipal(s))
		}
	}
	return normalize(out)
}

// ManagedPolicyLimit is IAM's size limit of a customer managed policy, in
// characters without whitespace (the canonical JSON has none).
const ManagedPolicyLimit = 6144

// ManagedPolicies splits a policy into documents of at most limit
// characters each (IAM attaches up to 10 managed policies to a role, 20
// with a quota raise): statements are packed in order, and a statement too
// large alone is split by its actions (the same resources and conditions
// on each part, so together they grant exactly what it grants).
func ManagedPolicies(d Document, limit int) []Document {
	var out []Document
	cur := Document{Version: d.Version}
	flush := func() {
		if len(cur.Statement) > 0 {
			out = append(out, cur)
			cur = Document{Version: d.Version}
		}
	}
	for _, s := range d.Statement {
		for _, part := range splitStatement(d.Version, s, limit) {
			next := Document{Version: d.Version, Statement: append(slices.Clone(cur.Statement), part)}
			if Size(next) > limit {
				flush()
				next = Document{Version: d.Version, Statement: []Statement{part}}
			}
			cur = next
		}
	}
	flush()
	return out
}

// splitStatement halves a statement's actions until each part fits limit
// in a document of its own.
func splitStatement(version string, s Statement, limit int) []Statement {
	if len(s.Action) < 2 || Size(Document{Version: version, Statement: []Statement{s}}) <= limit {
		return []Statement{s}
	}
	actions := normalize(s.Action)
	a, b := s, s
	a.Action, b.Action = actions[:len(actions)/2], actions[len(actions)/2:]
	if a.Sid != "" {
		a.Sid, b.Sid = a.Sid+"A", b.Sid+"B"
	}
	return append(splitStatement(version, a, limit), splitStatement(version, b, limit)...)
}

// SidDeployerGuard starts the guardrail denies of the deployer policy
// ("SagesafeGuardDenyMissingVpcSubnets", ...).
const SidDeployerGuard = "SagesafeGuard"

// deployerGuardDenies are sagesafe_guardrail_policy's denies of a SageMaker
// create that leaves out the VPC, network isolation, inter-container
// encryption or a KMS key, over the creates granted: the identity cannot
// itself make an unguarded job, model or endpoint configuration under the
// prefix outside the provider, whose requests always carry them (red team,
// issue 15).
func deployerGuardDenies(granted []string) []Statement {
	only := func(actions []string) []string {
		return slices.DeleteFunc(slices.Clone(actions), func(a string) bool { return !slices.Contains(granted, a) })
	}
	g := guardrailBuilder{}
	g.denyUnguarded(guardedActions{
		vpc: only(scpGuarded.vpc), isolation: only(scpGuarded.isolation), interContainer: only(scpGuarded.interContainer),
		volumeKMS: only(scpGuarded.volumeKMS), outputKMS: only(scpGuarded.outputKMS),
	})
	for i := range g.stmts {
		g.stmts[i].Sid = SidDeployerGuard + g.stmts[i].Sid
	}
	return g.stmts
}
