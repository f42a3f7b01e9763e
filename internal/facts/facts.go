// Package facts is the vocabulary every layer shares: the facts about
// existing AWS objects that the guardrail checks need (is a subnet private,
// is a key a rotating CMK, ...), the lookup Request that asks for them, plan
// values that may be null, unknown or known, and AWS endpoint URLs with the
// SS-TLS-1 loopback rule. It is a leaf: it imports nothing of this module and
// no AWS SDK, so guardrail, posture, awsclient and the resources can all use
// it without importing each other.
//
// Convention for every map in Facts: an ID that is absent from the map was
// not looked up (the check must skip it); an ID that is present with
// Found=false was looked up and does not exist (the check must report it).
package facts

import "strings"

// Facts is everything fetched for one evaluation.
type Facts struct {
	Subnets        map[string]SubnetFact
	SecurityGroups map[string]SecurityGroupFact
	Keys           map[string]KeyFact // keyed by the ARN or ID exactly as the user wrote it
	Roles          map[string]RoleFact
	// Policies are managed policies by ARN (the guardrails' permissions
	// boundary, SS-IAM-5).
	Policies      map[string]PolicyFact
	InstanceTypes map[string]InstanceTypeFact // keyed by SageMaker type ("ml.g5.xlarge")
	Buckets       map[string]BucketFact       // keyed by bucket name
	LogGroups     map[string]LogGroupFact     // keyed by log group name
	Topics        map[string]TopicFact        // SNS topics alarms notify, keyed by ARN
}

// Route is one entry of a route table.
type Route struct {
	Destination string // CIDR, IPv6 CIDR or prefix-list ID ("pl-...")
	Target      string // "local", "igw-...", "vpce-...", "nat-...", ...
}

// SubnetFact describes a subnet and the route table that governs it.
type SubnetFact struct {
	ID                  string
	Found               bool
	VPCID               string
	AvailabilityZone    string
	MapPublicIPOnLaunch bool
	RouteTableID        string // explicit association, else the VPC's main table
	RouteTableIsMain    bool   // true when the main table was used (no explicit association)
	Routes              []Route

	// Derived by posture.AssessSubnet.
	Private           bool
	Reasons           []string // why it is not private (empty when Private)
	HasS3GatewayRoute bool     // a pl-* destination routed to a vpce-* target
}

// SecurityGroupFact describes a security group's exposure.
type SecurityGroupFact struct {
	ID    string
	Found bool
	VPCID string

	// Derived by posture.AssessSecurityGroup.
	OpenIngress        []string // human-readable inbound rules from a range or prefix list that holds a public address
	UnrestrictedEgress bool     // all ports/protocols to 0.0.0.0/0 or ::/0 (also in PublicEgress)
	PublicEgress       []EgressRule
}

// EgressRule is an outbound rule of a security group to a destination that
// holds a public address.
type EgressRule struct {
	Rule       string // human-readable: "tcp 443 to 8.8.8.0/24"
	PrefixList string // the destination prefix list ("pl-..."), "" for a CIDR
}

// KeyManagerCustomer and KeyManagerAWS are the values of KeyFact.Manager:
// KMS's KeyManagerType for a customer managed key and an AWS managed one.
const (
	KeyManagerCustomer = "CUSTOMER"
	KeyManagerAWS      = "AWS"
)

// KeyFact describes a KMS key.
type KeyFact struct {
	Ref             string // what the user wrote
	Found           bool
	ARN             string
	KeyID           string
	Region          string // from the ARN; also set when Found=false and Ref is an ARN
	Account         string // the account that owns the key, from the ARN
	Manager         string // KeyManagerCustomer or KeyManagerAWS
	Spec            string // "SYMMETRIC_DEFAULT", ...
	Usage           string // "ENCRYPT_DECRYPT", ...
	State           string // "Enabled", "Disabled", "PendingDeletion", ...
	RotationEnabled bool
	// Origin is where the key material comes from: "AWS_KMS", "EXTERNAL"
	// (imported), "AWS_CLOUDHSM" or "EXTERNAL_KEY_STORE". Automatic rotation
	// is only possible for AWS_KMS.
	Origin string
}

// PolicyStatement is a normalised IAM policy statement.
type PolicyStatement struct {
	Sid        string
	Effect     string
	Principals map[string][]string // "Service" -> [...], "AWS" -> [...], "*" -> ["*"]
	Actions    []string
	NotActions []string
	Resources  []string
	Conditions map[string]map[string][]string // operator -> key -> values

	// NotPrincipals and NotResources hold the negated elements; an Allow
	// with either one grants (nearly) everything except what is listed.
	NotPrincipals map[string][]string
	NotResources  []string
}

// RoleFact describes an IAM role.
type RoleFact struct {
	Ref                string // what the user wrote (ARN)
	Found              bool
	ARN                string
	Name               string
	Trust              []PolicyStatement
	AttachedPolicyARNs []string
	// Managed holds the statements of each attached managed policy's default
	// version, by policy ARN, as far as they were read (the fetcher reads
	// every one not already broad by its name).
	Managed map[string][]PolicyStatement
	Inline  map[string][]PolicyStatement // policy name -> statements
	// Boundary is the ARN of the role's permissions boundary, "" for none
	// (SS-IAM-5).
	Boundary string

	// Derived by posture.AssessRole.
	TrustProblems     []string // non-SageMaker or wildcard principals (error)
	MissingConditions []string // aws:SourceAccount / aws:SourceArn absent (error)
	// SourceConditions are the values of aws:SourceAccount and aws:SourceArn
	// in each trust statement that lets SageMaker assume the role; the
	// guardrail check compares them with the caller's account and region.
	SourceConditions []TrustCondition
	BroadPermissions []string // SS-IAM-2 evidence
}

// TopicFact describes an SNS topic that alarms notify (SS-MON-2), as
// GetTopicAttributes answers.
type TopicFact struct {
	ARN   string
	Found bool
	// Confirmed and Pending count its subscriptions (SubscriptionsConfirmed,
	// SubscriptionsPending): with none confirmed, nobody receives what it
	// is sent.
	Confirmed, Pending int
	// KMSKey is its KmsMasterKeyId ("" when not encrypted) and Key that
	// key's fact, when it was looked up (Key.Found false: not found).
	KMSKey string
	Key    *KeyFact
	// KeyPolicyProblem says why the key's policy does not let CloudWatch
	// use the key ("" when it does, or was not read); KeyPolicyUnread why
	// the policy could not be read (never counted as usable).
	KeyPolicyProblem, KeyPolicyUnread string
	// PolicyProblem says how the topic's access policy stops CloudWatch
	// publishing to it (posture.ServiceMayPublish; "" when nothing does);
	// PolicyUnread why that policy could not be judged (never held).
	PolicyProblem, PolicyUnread string
}

// PolicyFact describes a managed policy's default version, as far as the
// guardrails judge it.
type PolicyFact struct {
	ARN   string
	Found bool
	// Escapes, derived by posture.AssessBoundary, are the actions the
	// policy allows that let a role capped by it make or become a principal
	// without the cap (iam:CreateRole, iam:PutRolePolicy, iam:AddUserToGroup,
	// sts:AssumeRole, iam:PassRole on any role, ...): as a permissions
	// boundary it then caps nothing (SS-IAM-5).
	Escapes []string
	// UncappedRoles are the existing roles (ARNs) that the policy's
	// iam:PassRole or sts:AssumeRole statements limited to a name prefix
	// reach (posture.RoleReaches) and that do not carry the policy as
	// their permissions boundary: a role under it may pass or assume them
	// and act beyond it (SS-IAM-5).
	UncappedRoles []string
	// UncappedNotebooks are the existing SageMaker notebook instances that
	// the policy's sagemaker:CreatePresignedNotebookInstanceUrl or
	// UpdateNotebookInstance statements limited to a name prefix reach (posture.NotebookReaches) and whose
	// execution role does not carry the policy, as "<notebook ARN> (role
	// <role ARN>)": a role under it may open one and run code as that role
	// (SS-IAM-5).
	UncappedNotebooks []string
	// RolesUnread says why the roles could not be read (IAM denied
	// iam:ListRoles or iam:GetRole): SS-IAM-5 is then not held.
	RolesUnread string
	// NotebooksUnread says why the notebook instances could not be read
	// (SageMaker denied sagemaker:ListNotebookInstances or
	// DescribeNotebookInstance, or IAM their roles): SS-IAM-5 is then not
	// held.
	NotebooksUnread string
	// UnverifiedReach are the other run-code actions the policy allows on a
	// name prefix (posture.UnverifiedReaches), "<action> on <patterns>":
	// the roles behind those objects are not read, so SS-IAM-5 is not held.
	UnverifiedReach []string
}

// TrustCondition is one confused-deputy condition key of a trust statement,
// under one operator, and its values.
type TrustCondition struct {
	Statement string // "statement 0", `statement "SageMaker"`
	Key       string // "aws:SourceAccount" or "aws:SourceArn"
	// Operator is the condition operator as written: StringEquals,
	// StringLike, ArnEquals, ArnLike, or a negated one (StringNotEquals,
	// StringNotLike, ArnNotEquals, ArnNotLike), which excludes its values.
	// Empty is read as ArnLike.
	Operator string
	Values   []string
}

// Negated reports whether the condition excludes its values (a "Not"
// operator) rather than allowing them.
func (c TrustCondition) Negated() bool { return strings.Contains(c.Operator, "Not") }

// InstanceTypeFact describes the EC2 instance behind a SageMaker instance type.
type InstanceTypeFact struct {
	Name                     string // SageMaker name, "ml.g5.xlarge"
	Found                    bool
	InstanceStorageSupported bool // local NVMe: no volume KMS key allowed
	GPUs                     int
}

// BucketFact describes an S3 bucket's owner, encryption and transport
// policy.
type BucketFact struct {
	Name                    string
	Found                   bool
	DefaultSSEKMS           bool // default encryption is aws:kms or aws:kms:dsse
	DeniesInsecureTransport bool // bucket policy denies aws:SecureTransport=false
	// OwnerChecked is true when S3 was asked with ExpectedBucketOwner set to
	// the caller's account; OwnedByCaller is its answer. A bucket of another
	// account is Found with OwnerChecked and not OwnedByCaller, and its
	// encryption and policy are not read (S3 answers them to the owner only).
	OwnerChecked  bool
	OwnedByCaller bool
}

// LogGroupFact describes a CloudWatch Logs group.
type LogGroupFact struct {
	Name          string
	Found         bool
	KMSKeyARN     string
	RetentionDays int64 // 0 = never expire
}
