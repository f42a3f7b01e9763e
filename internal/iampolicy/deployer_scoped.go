package iampolicy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// CreationTokenTag is the tag sagesafe puts on every object it creates, at
// create time (idem.TokenTag; iampolicy imports no AWS code, so the name is
// repeated here and a test keeps the two equal). The deployer's writes of
// keys and VPC objects, whose IDs AWS assigns, are scoped by it.
const CreationTokenTag = "sagesafe:creation-token"

// Statement IDs of the tag- and boundary-scoped parts of the deployer policy.
const (
	// SidDeployerRoleTags grants the role writes IAM cannot condition on
	// the permissions boundary (only with a boundary).
	SidDeployerRoleTags = "SagesafeRoleTags"
	// SidDeployerKeepBoundary denies removing the boundary from the roles.
	SidDeployerKeepBoundary = "SagesafeKeepBoundary"
	// SidDeployerBoundaryPolicy denies changing the boundary policy itself.
	SidDeployerBoundaryPolicy = "SagesafeKeepBoundaryPolicy"
	SidDeployerKeyCreate      = "SagesafeKeyCreate"
	SidDeployerKeys           = "SagesafeKeys"
	SidDeployerKeyAliases     = "SagesafeKeyAliases"
	SidDeployerKeepKeyToken   = "SagesafeKeepKeyToken"
	// SidDeployerNetworkNew starts one statement per EC2 create action
	// ("SagesafeNetworkNewCreateVpc").
	SidDeployerNetworkNew       = "SagesafeNetworkNew"
	SidDeployerNetworkTags      = "SagesafeNetworkCreateTags"
	SidDeployerNetwork          = "SagesafeNetwork"
	SidDeployerNetworkUntagged  = "SagesafeNetworkUntagged"
	SidDeployerKeepNetworkToken = "SagesafeKeepNetworkToken"
	SidDeployerScaling          = "SagesafeScaling"
)

// BoundaryPolicyPattern is a customer managed policy ARN without
// wildcards: the policy a deployer's roles must carry as their permissions
// boundary. Not an AWS managed one (account "aws"): those cap nothing
// sagesafe controls (AdministratorAccess allows all) and their versions
// cannot be denied to the deployer (red team, issue 15).
var BoundaryPolicyPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[\w+=,.@/-]+$`)

// boundaryKeyed are the role writes whose request carries
// iam:PermissionsBoundary (Service Authorization Reference, "Actions
// defined by AWS Identity and Access Management": CreateRole and
// PutRolePermissionsBoundary carry the boundary of the request, the others
// the boundary the role has). With a boundary they are granted only with
// it, so every role the deployer makes or changes is capped by it. TagRole,
// UntagRole (aws:TagKeys only) and RemoveRoleFromInstanceProfile (an
// instance-profile resource) carry no such key.
var boundaryKeyed = []string{
	"iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary",
	"iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
	"iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
}

// boundaryPolicyWrites change what a managed policy allows, or remove it:
// denied on the boundary, so the deployer cannot widen its roles' cage.
var boundaryPolicyWrites = []string{"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"}

// roleStatements grant the role writes: on the roles sagesafe names
// (roleResources); with a boundary, only those that keep it.
func roleStatements(sc scope, in DeployerInputs, actions []string) []Statement {
	if len(actions) == 0 {
		return nil
	}
	roles := roleResources(sc, in.NamePrefix)
	if in.PermissionsBoundaryARN == "" {
		return []Statement{{Sid: SidDeployerRoles, Effect: EffectAllow, Action: actions, Resource: roles}}
	}
	var keyed, other []string
	for _, a := range actions {
		switch {
		case a == "iam:DeleteRolePermissionsBoundary":
			// Never granted: a role without the boundary is uncapped.
		case slices.Contains(boundaryKeyed, a):
			keyed = append(keyed, a)
		default:
			other = append(other, a)
		}
	}
	var st []Statement
	if len(keyed) > 0 {
		st = append(st, Statement{Sid: SidDeployerRoles, Effect: EffectAllow, Action: keyed, Resource: roles,
			Condition: Condition{"StringEquals": {"iam:PermissionsBoundary": {in.PermissionsBoundaryARN}}}})
	}
	if len(other) > 0 {
		st = append(st, Statement{Sid: SidDeployerRoleTags, Effect: EffectAllow, Action: other, Resource: roles})
	}
	return append(st,
		// Explicit, so that no other policy of the identity can grant it.
		Statement{Sid: SidDeployerKeepBoundary, Effect: EffectDeny, Action: []string{"iam:DeleteRolePermissionsBoundary"}, Resource: roles},
		Statement{Sid: SidDeployerBoundaryPolicy, Effect: EffectDeny, Action: boundaryPolicyWrites, Resource: []string{in.PermissionsBoundaryARN}},
	)
}

// splitTaggedWrites separates the writes of keys, VPC objects and scaling
// targets (scoped by taggedStatements) from the rest.
func splitTaggedWrites(writes []string) (tagged, rest []string) {
	for _, a := range writes {
		switch service, _, _ := strings.Cut(a, ":"); service {
		case "kms", "ec2", "application-autoscaling":
			tagged = append(tagged, a)
		default:
			rest = append(rest, a)
		}
	}
	return tagged, rest
}

// taggedStatements scope the writes of objects whose IDs AWS assigns, so
// that no name can narrow them: by the creation token tag sagesafe puts on
// each at create time.
func taggedStatements(sc scope, prefix string, writes []string) []Statement {
	by := map[string][]string{}
	for _, a := range writes {
		service, _, _ := strings.Cut(a, ":")
		by[service] = append(by[service], a)
	}
	var st []Statement
	st = append(st, keyStatements(sc, prefix, by["kms"])...)
	st = append(st, networkStatements(sc, by["ec2"])...)
	if aas := by["application-autoscaling"]; len(aas) > 0 {
		// sagesafe registers scalable targets without tags, and their ARNs
		// carry IDs AWS assigns: on "*", but only SageMaker variants'
		// instance counts (both keys are on every one of these actions).
		st = append(st, Statement{Sid: SidDeployerScaling, Effect: EffectAllow, Action: aas, Resource: []string{"*"},
			Condition: Condition{"StringEquals": {
				"application-autoscaling:service-namespace":  {"sagemaker"},
				"application-autoscaling:scalable-dimension": {"sagemaker:variant:DesiredInstanceCount"},
			}}})
	}
	return st
}

func tokenTagged(kind string) Condition {
	return Condition{"Null": {kind + "/" + CreationTokenTag: {"false"}}}
}

// denyTokenRemoval denies removing the creation token tag: without it an
// object would leave the deployer's reach, and with it a foreign object
// could not be told from sagesafe's.
func denyTokenRemoval(sid, action string) Statement {
	return Statement{Sid: sid, Effect: EffectDeny, Action: []string{action}, Resource: []string{"*"},
		Condition: Condition{"ForAnyValue:StringEquals": {"aws:TagKeys": {CreationTokenTag}}}}
}

// keyStatements: CreateKey only with the token tag in the request, every
// other write only on keys that carry it, aliases by name.
func keyStatements(sc scope, prefix string, writes []string) []Statement {
	if len(writes) == 0 {
		return nil
	}
	var create, existing, aliases []string
	for _, a := range writes {
		switch a {
		case "kms:CreateKey":
			// A key's tags given to CreateKey are authorized as
			// kms:TagResource on every key ("Controlling access to tags",
			// AWS KMS Developer Guide): the key does not exist yet.
			create = append(create, a, "kms:TagResource")
		case "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias":
			aliases = append(aliases, a)
		}
		if a != "kms:CreateKey" {
			existing = append(existing, a)
		}
	}
	var st []Statement
	if len(create) > 0 {
		st = append(st, Statement{Sid: SidDeployerKeyCreate, Effect: EffectAllow, Action: normalize(create), Resource: []string{"*"},
			Condition: tokenTagged("aws:RequestTag")})
	}
	if len(existing) > 0 {
		// Alias writes act on the key too (the old and the new key of an
		// UpdateAlias): another team's alias cannot be pointed elsewhere.
		st = append(st, Statement{Sid: SidDeployerKeys, Effect: EffectAllow, Action: existing,
			Resource: []string{sc.arn("kms", "key/*")}, Condition: tokenTagged("aws:ResourceTag")})
	}
	if len(aliases) > 0 {
		st = append(st, Statement{Sid: SidDeployerKeyAliases, Effect: EffectAllow, Action: aliases,
			Resource: []string{sc.arn("kms", "alias/"+prefix+"*")}})
	}
	if slices.Contains(writes, "kms:UntagResource") {
		st = append(st, denyTokenRemoval(SidDeployerKeepKeyToken, "kms:UntagResource"))
	}
	return st
}

// ec2New is the kind of object each EC2 create action makes (its ARN's
// resource type); the other resources such a call names (the VPC of a
// subnet, the subnets of an endpoint) exist already.
var ec2New = map[string]string{
	"ec2:CreateVpc":           "vpc",
	"ec2:CreateSubnet":        "subnet",
	"ec2:CreateRouteTable":    "route-table",
	"ec2:CreateSecurityGroup": "security-group",
	"ec2:CreateVpcEndpoint":   "vpc-endpoint",
	"ec2:CreateFlowLogs":      "vpc-flow-log",
}

// ec2Untagged are the writes sagesafe makes on objects it did not create,
// so without the token tag, each with that object's type: the rules of the
// VPC's default security group (made by AWS with the VPC; SS-NET-7 revokes
// them) and an internet gateway attached outside sagesafe (detached; the
// VPC, the call's other resource, must carry the tag). Both only close
// access.
var ec2Untagged = map[string]string{
	"ec2:RevokeSecurityGroupIngress": "security-group",
	"ec2:RevokeSecurityGroupEgress":  "security-group",
	"ec2:DetachInternetGateway":      "internet-gateway",
}

// networkStatements: each create only with the token tag in the request
// (aws:RequestTag on the new object), tags at create only by a create
// action (ec2:CreateAction), and every write on an existing object, the
// parent objects of a create included, only on objects that carry the tag.
func networkStatements(sc scope, writes []string) []Statement {
	if len(writes) == 0 {
		return nil
	}
	var st []Statement
	var creates, existing, untagged, untaggedKinds []string
	for _, a := range writes {
		if kind, ok := ec2New[a]; ok {
			creates = append(creates, a)
			// One statement per create: in one list, CreateSubnet would
			// also be allowed on a foreign VPC by the VPC's create grant.
			st = append(st, Statement{Sid: SidDeployerNetworkNew + strings.TrimPrefix(a, "ec2:"), Effect: EffectAllow,
				Action: []string{a}, Resource: []string{sc.arn("ec2", kind+"/*")}, Condition: tokenTagged("aws:RequestTag")})
		}
		if kind, ok := ec2Untagged[a]; ok {
			untagged = append(untagged, a)
			untaggedKinds = append(untaggedKinds, sc.arn("ec2", kind+"/*"))
		}
		if a != "ec2:CreateVpc" {
			existing = append(existing, a)
		}
	}
	var kinds []string
	for _, kind := range ec2New {
		kinds = append(kinds, sc.arn("ec2", kind+"/*"))
	}
	kinds = normalize(kinds)
	if slices.Contains(writes, "ec2:CreateTags") && len(creates) > 0 {
		st = append(st, Statement{Sid: SidDeployerNetworkTags, Effect: EffectAllow, Action: []string{"ec2:CreateTags"}, Resource: kinds,
			Condition: Condition{"StringEquals": {"ec2:CreateAction": normalize(stripService(creates))}}})
	}
	st = append(st, Statement{Sid: SidDeployerNetwork, Effect: EffectAllow, Action: existing, Resource: kinds, Condition: tokenTagged("aws:ResourceTag")})
	if len(untagged) > 0 {
		st = append(st, Statement{Sid: SidDeployerNetworkUntagged, Effect: EffectAllow, Action: untagged, Resource: normalize(untaggedKinds)})
	}
	if slices.Contains(writes, "ec2:DeleteTags") {
		st = append(st, denyTokenRemoval(SidDeployerKeepNetworkToken, "ec2:DeleteTags"))
	}
	return st
}

// stripService drops the "service:" of each action (ec2:CreateAction holds
// the bare operation name).
func stripService(actions []string) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		_, out[i], _ = strings.Cut(a, ":")
	}
	return out
}

// checkBoundary accepts a managed policy ARN of this partition.
func checkBoundary(sc scope, boundary string) error {
	if boundary == "" {
		return nil
	}
	if !BoundaryPolicyPattern.MatchString(boundary) {
		return invalidSpec("PermissionsBoundaryARN", boundary, "an IAM managed policy ARN without wildcards")
	}
	if !strings.HasPrefix(boundary, fmt.Sprintf("arn:%s:", sc.partition)) {
		return invalidSpec("PermissionsBoundaryARN", boundary, "a policy of the provider's partition "+sc.partition)
	}
	if sc.account != "" && !strings.HasPrefix(boundary, fmt.Sprintf("arn:%s:iam::%s:", sc.partition, sc.account)) {
		// IAM sets as a role's boundary only a policy of its own account.
		return invalidSpec("PermissionsBoundaryARN", boundary, "a policy of the provider's account "+sc.account)
	}
	return nil
}
