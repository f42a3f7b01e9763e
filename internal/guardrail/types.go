// Package guardrail is the control catalog (data) and the pure checks that
// evaluate a Subject (built from a plan or from live objects) plus posture
// facts against it. It never calls AWS.
package guardrail

import "github.com/sagesafe/terraform-provider-sagesafe/internal/facts"

// Severity of a control or finding.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Kind is the kind of object being evaluated; a control lists the kinds it applies to.
type Kind string

const (
	KindTrainingJob Kind = "training_job"
	// KindProcessingJob is a SageMaker processing job (sagesafe_processing_job).
	KindProcessingJob Kind = "processing_job"
	KindEndpoint      Kind = "endpoint"
	KindNetwork       Kind = "network"
	KindKMSKey        Kind = "kms_key"
	KindExecutionRole Kind = "execution_role"
	// KindPersonaRole is a role people assume (sagesafe_persona_role).
	KindPersonaRole Kind = "persona_role"
	// KindAuditTrail is the account's CloudTrail trail and its alarms
	// (sagesafe_audit_trail).
	KindAuditTrail Kind = "audit_trail"
	// KindBudget is the account's SageMaker spending budget (sagesafe_budget).
	KindBudget Kind = "budget"
	// KindModelMonitor is drift monitoring of an endpoint's captured data
	// (sagesafe_model_monitor): its monitoring jobs and their alarms.
	KindModelMonitor Kind = "model_monitor"
	// KindPreflight evaluates whatever inputs were given: a Null field means
	// "not asked" and the checks that need it are skipped.
	KindPreflight Kind = "preflight"
	// KindProvider is the provider configuration itself (SS-TLS-1).
	KindProvider Kind = "provider"
)

// Field names a Subject field; resources map it to their own attribute path.
type Field string

const (
	FieldNone                     Field = ""
	FieldSubnetIDs                Field = "subnet_ids"
	FieldSecurityGroupIDs         Field = "security_group_ids"
	FieldKMSKey                   Field = "kms_key_arn"
	FieldRoleARN                  Field = "role_arn"
	FieldInstanceType             Field = "instance_type"
	FieldInstanceCount            Field = "instance_count"
	FieldImage                    Field = "image"
	FieldS3URIs                   Field = "s3_uris"
	FieldNetworkIsolation         Field = "network_isolation"
	FieldInterContainerEncryption Field = "inter_container_encryption"
	FieldOutputKMSKey             Field = "output_kms_key"
	FieldVolumeKMSKey             Field = "volume_kms_key"
	FieldDataCapture              Field = "data_capture"
	FieldLogGroups                Field = "log_groups"
	FieldAlarms                   Field = "alarms"
	FieldDeployment               Field = "deployment"
	FieldAutoscaling              Field = "autoscaling"
	FieldMaxRuntime               Field = "max_runtime_seconds"
	FieldTags                     Field = "tags"
	FieldEndpointURL              Field = "endpoint_url"
	FieldDefaultSecurityGroup     Field = "default_security_group"
	FieldInterfaceEndpoints       Field = "interface_endpoints"
	FieldS3Gateway                Field = "s3_gateway"
	FieldFlowLog                  Field = "flow_log"
	FieldPersonaPolicy            Field = "policy_json"
	FieldPersonaTrust             Field = "trust_policy_json"
	// FieldRoleBoundary is the permissions boundary of a role sagesafe makes
	// (SS-IAM-5); its index is the role's position in RoleBoundaries.
	FieldRoleBoundary Field = "permissions_boundary_arn"
)

// S3Location is one S3 URI the workload reads or writes.
type S3Location struct {
	URI   facts.Value[string]
	Index int    // position within its attribute (for the diagnostic path)
	Field Field  // attribute it came from; FieldS3URIs when empty
	Role  string // "input", "output", "checkpoint", "model", "data_capture" (for messages)
}

// LogGroup is a log group the workload writes to.
type LogGroup struct {
	Name          string
	KMSKeyARN     facts.Value[string]
	RetentionDays facts.Value[int64] // 0 = never expire
}

// Alarm is one alarm the workload has (or will have).
type Alarm struct {
	Name   string
	Kind   string // "error_rate_5xx", "disk", ...
	Exists bool   // false when expected but missing (drift)
	// Unlike, when set, says how an alarm that exists differs from what
	// sagesafe specifies (another statistic, a threshold it can never
	// cross, ...): it does not watch what it should, which counts as not
	// there (Exists is false).
	Unlike         string
	ActionsEnabled bool
	Actions        facts.Value[[]string]
	// AnomalyOf is the metric an anomaly-detection alarm (SS-MON-6)
	// compares with its band, e.g. "Invocations"; empty for a
	// fixed-threshold alarm.
	AnomalyOf string
}

// EndpointAnomalyMetrics are the endpoint metrics that must each have an
// anomaly-detection alarm (SS-MON-6).
var EndpointAnomalyMetrics = []string{"Invocations", "ModelLatency"}

// ScalingBounds are the capacity bounds of an autoscaled endpoint variant.
type ScalingBounds struct {
	Min, Max int64
	// Scheduled are the variant's scheduled actions: each sets the bounds
	// again when it fires, so each must stay within them too (SS-AVL-2).
	Scheduled []ScheduledBounds
	// ScaleOutSuspended: the target's dynamic scale-out is suspended, so the
	// variant cannot add instances under load (SS-AVL-2).
	ScaleOutSuspended bool
}

// ScheduledBounds are the bounds a scheduled action sets; Null when the
// action leaves a bound as it is.
type ScheduledBounds struct {
	Name     string
	Min, Max facts.Value[int64]
}

// Deployment describes how endpoint updates roll out.
type Deployment struct {
	BlueGreen      facts.Value[bool]
	RollbackAlarms facts.Value[[]string] // alarm names wired to AutoRollbackConfiguration
	// Unverified, when set, says why the deployment cannot be checked (a live
	// endpoint that was never updated has no deployment configuration to
	// read); SS-MON-4 is then not checked, with this reason.
	Unverified string
}

// DataCapture describes endpoint data capture.
type DataCapture struct {
	Enabled   facts.Value[bool]
	KMSKeyARN facts.Value[string]
	// InputCaptured and DestinationURI are read by SS-MON-7 only (a
	// monitor compares captured requests with the baseline): whether the
	// capture options include Input, and where captures go.
	InputCaptured  facts.Value[bool]
	DestinationURI facts.Value[string]
	// SamplingPercent is the share of requests captured (SS-MON-7 only):
	// at 0 the monitor has nothing to compare.
	SamplingPercent facts.Value[int64]
}

// FlowLogState is what a network observed of its VPC's flow logs.
type FlowLogState struct {
	// LogGroup is the encrypted log group the flow log must deliver to.
	LogGroup string
	// Recording is the ID of the flow log that records ALL traffic of the
	// VPC into LogGroup (through the network's delivery role); "" when none does.
	Recording string
	// Others describes the VPC's other flow logs, one each:
	// "fl-0abc (REJECT traffic to /other/group)".
	Others []string
}

// Stage is when a Subject is judged. Most checks judge the same way at
// every stage; a few findings depend on it (a bucket that does not exist
// may still be created by this apply at plan time, but not at apply time).
type Stage int

const (
	// StagePlan: a plan (or a data source); objects the same apply creates
	// may not exist yet. The zero value.
	StagePlan Stage = iota
	// StageApply: an apply, just before the object is created or changed;
	// what the plan waited for exists by now or never will.
	StageApply
	// StageLive: the live object, read on refresh.
	StageLive
)

// Subject is everything the checks look at. Fields that do not apply to a
// kind stay Null.
type Subject struct {
	Kind Kind
	// Stage is when the subject is judged (StagePlan unless the resource
	// says otherwise).
	Stage     Stage
	Name      string // for messages: the resource name or "preflight"
	Region    string
	AccountID string
	Partition string

	SubnetIDs        facts.Value[[]string]
	SecurityGroupIDs facts.Value[[]string]
	KMSKeyARN        facts.Value[string] // the workload's CMK
	RoleARN          facts.Value[string]
	InstanceType     facts.Value[string]
	InstanceCount    facts.Value[int64]
	// Autoscaling is the endpoint variant's scalable target; Null when it
	// does not autoscale (SS-AVL-2).
	Autoscaling facts.Value[ScalingBounds]
	Image       facts.Value[string]
	S3          []S3Location

	NetworkIsolation         facts.Value[bool]
	InterContainerEncryption facts.Value[bool]
	OutputKMSKeyARN          facts.Value[string]
	VolumeKMSKeyARN          facts.Value[string] // Null with NVMe instance types is correct
	DataCapture              DataCapture
	LogGroups                []LogGroup
	Alarms                   facts.Value[[]Alarm]
	Deployment               Deployment
	MaxRuntimeSeconds        facts.Value[int64]
	Tags                     facts.Value[map[string]string] // merged with default_tags

	Endpoints []facts.Endpoint // KindProvider only

	// KindNetwork only, observed on the live VPC; Null or Unknown skips the
	// check (a plan leaves them Unknown: apply creates or restores them).
	//
	// DefaultSecurityGroupID is the VPC's default security group, for messages.
	DefaultSecurityGroupID string
	// DefaultSecurityGroupRules are its rules, one human-readable line each
	// ("inbound tcp 3389 0.0.0.0/0"); empty complies (SS-NET-7).
	DefaultSecurityGroupRules facts.Value[[]string]
	// MissingInterfaceEndpoints are the full service names of the required
	// interface endpoints (interface_endpoints) that do not exist (SS-NET-8).
	MissingInterfaceEndpoints facts.Value[[]string]
	// OpenS3Gateways are the network's S3 gateway endpoints (IDs) whose
	// policy is not the network's own, which allows only buckets of this
	// account and the AWS-owned buckets SageMaker and ECR need (SS-DATA-2);
	// empty complies.
	OpenS3Gateways facts.Value[[]string]
	// FlowLog is the state of the VPC's flow logs (SS-MON-5).
	FlowLog facts.Value[FlowLogState]

	// PersonaRole is a persona role's documents (KindPersonaRole only), as
	// planned or as read from IAM (SS-IAM-3, SS-IAM-4).
	PersonaRole facts.Value[PersonaRoleDocuments]
	// Audit is the audit trail (KindAuditTrail; KindPreflight when asked).
	Audit AuditTrail
	// Budget is the spending budget (KindBudget), as planned or read (SS-COST-1).
	Budget facts.Value[Budget]
	// RoleBoundaries are the IAM roles the resource is or makes (an
	// execution or persona role; a network's flow-log role, a trail's
	// delivery role, a monitor's scheduler role), each with its permissions
	// boundary as planned or read from IAM (SS-IAM-5).
	RoleBoundaries []RoleBoundary

	Facts facts.Facts
}

// RoleBoundary is one role and its permissions boundary ARN: Known("")
// when the role has none, Unknown until apply creates or restores it.
type RoleBoundary struct {
	Role     string // the role's name, for messages ("" before it is named)
	Boundary facts.Value[string]
	// Given marks a role the subject is given rather than makes: no plan
	// of the subject puts a boundary on it.
	Given bool
}

// PersonaRoleDocuments are the documents of a persona role.
type PersonaRoleDocuments struct {
	Trust    string            // the trust policy, JSON (URL-encoded or not)
	Inline   map[string]string // inline policy name -> document
	Attached []string          // managed policy ARNs
}

// Policy is the platform team's guardrails block: it tunes only the
// controls the catalog marks as tunable.
type Policy struct {
	RequiredTags              []string
	AllowedInstanceTypes      []string // globs, e.g. "ml.m5.*"
	MaxTrainingRuntimeSeconds int64
	MinLogRetentionDays       int64
	MinEndpointInstances      int64
	// MaxEndpointInstances caps an endpoint's instance count and its
	// autoscaling maximum (SS-AVL-2).
	MaxEndpointInstances int64
	AllowedImageAccounts []string
	// AllowedKeyAccounts are the accounts other than the caller's whose KMS
	// keys workloads may use (SS-KMS-1); empty: the caller's account only.
	AllowedKeyAccounts  []string
	RequireAlarmActions bool
	StrictDataBuckets   bool
	// RoleBoundaryARN is the organisation's permissions boundary every IAM
	// role sagesafe makes must carry (SS-IAM-5); "" checks nothing.
	RoleBoundaryARN string
}

// Defaults for Policy.
const (
	DefaultMaxTrainingRuntimeSeconds int64 = 259200
	DefaultMinLogRetentionDays       int64 = 365
	DefaultMinEndpointInstances      int64 = 2
	DefaultMaxEndpointInstances      int64 = 10
)

// DefaultPolicy is the policy with no guardrails block.
func DefaultPolicy() Policy {
	return Policy{
		MaxTrainingRuntimeSeconds: DefaultMaxTrainingRuntimeSeconds,
		MinLogRetentionDays:       DefaultMinLogRetentionDays,
		MinEndpointInstances:      DefaultMinEndpointInstances,
		MaxEndpointInstances:      DefaultMaxEndpointInstances,
	}
}

// Skip records a check that could not decide (part of) its control: the
// control is then "not checked" unless a finding says more.
type Skip struct {
	Control string
	Field   Field
	Reason  string // "subnet_ids is known only after apply"
	Kind    SkipKind
}

// SkipKind says why a check was skipped.
type SkipKind int

const (
	// SkipUntilApply: a value is known only after apply, or the object is
	// created by the apply; the apply re-checks it, and a refresh checks it
	// on the live object.
	SkipUntilApply SkipKind = iota
	// SkipNotLookedUp: the facts the check needs were not looked up (the
	// lookup failed, or was not asked for).
	SkipNotLookedUp
	// SkipNotApplicable: the check has nothing to check in this
	// configuration (a preflight that was not given the value, data capture
	// that is off, a live object that cannot be read).
	SkipNotApplicable
)

// Finding is one control that does not hold.
type Finding struct {
	Control  string   // "SS-NET-2"
	Severity Severity // the finding's own severity (a control may warn in some cases)
	Field    Field    // the Subject field that caused it
	Index    int      // element index within Field, -1 when not applicable
	Object   string   // the AWS object or value at fault ("subnet-0abc"), may be empty
	Summary  string   // "subnet subnet-0abc is not private"
	Evidence string   // what was found, one or more sentences
}
