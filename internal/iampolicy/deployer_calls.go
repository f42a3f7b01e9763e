package iampolicy

import (
	"slices"
)

// The sagesafe types a deployer policy can be asked for: every resource, and
// sagesafe_preflight, the one data source that calls AWS beyond the account
// lookup.
const (
	TypeKMSKey        = "sagesafe_kms_key"
	TypeNetwork       = "sagesafe_network"
	TypeExecutionRole = "sagesafe_execution_role"
	TypePersonaRole   = "sagesafe_persona_role"
	TypeTrainingJob   = "sagesafe_training_job"
	TypeProcessingJob = "sagesafe_processing_job"
	TypeEndpoint      = "sagesafe_endpoint"
	TypeModelMonitor  = "sagesafe_model_monitor"
	TypeAuditTrail    = "sagesafe_audit_trail"
	TypeBudget        = "sagesafe_budget"
	TypePreflight     = "sagesafe_preflight"
)

// DeployerTypes lists the types DeployerPolicy accepts, sorted.
func DeployerTypes() []string {
	return []string{TypeAuditTrail, TypeBudget, TypeEndpoint, TypeExecutionRole, TypeKMSKey, TypeModelMonitor,
		TypeNetwork, TypePersonaRole, TypePreflight, TypeProcessingJob, TypeTrainingJob}
}

// DeployerCall is one AWS operation the provider sends and the sagesafe
// types whose plan, apply or destroy send it.
type DeployerCall struct {
	// Call is "service:Operation" as aws-sdk-go-v2 names it (the service
	// as the emulator counts it, by signing name: "logs" for CloudWatch
	// Logs, "application-autoscaling"), the key the
	// mutating-call inventory and the recorded calls of acceptance runs use.
	Call  string
	Types []string
}

// Groups of types that share a fact lookup: posture fetches the key, role,
// network, bucket and log group facts of whatever a guarded object
// references, so every type that references one makes its reads.
var (
	allTypes  = DeployerTypes()
	workloads = []string{TypeTrainingJob, TypeProcessingJob, TypeEndpoint, TypeModelMonitor, TypePreflight}
	// keyReaders reference a KMS key (posture.AssessKey).
	keyReaders = append([]string{TypeKMSKey, TypeNetwork, TypeExecutionRole, TypePersonaRole, TypeAuditTrail}, workloads...)
	// roleReaders reference or own an IAM role (posture.AssessRole, iamrole).
	roleReaders = append([]string{TypeExecutionRole, TypeNetwork, TypePersonaRole, TypeAuditTrail}, workloads...)
	// netReaders reference subnets and security groups (posture.AssessSubnet).
	netReaders = append([]string{TypeNetwork, TypeExecutionRole, TypePersonaRole}, workloads...)
	// bucketReaders reference S3 locations (posture.AssessBucket).
	bucketReaders = append([]string{TypeExecutionRole, TypePersonaRole, TypeAuditTrail}, workloads...)
	// logReaders own or audit a CloudWatch Logs group (loggroup).
	logReaders = append([]string{TypeNetwork, TypeAuditTrail}, workloads...)
	// jobs are the resources that launch SageMaker jobs (sagemakerjob).
	jobs = []string{TypeTrainingJob, TypeProcessingJob}
	// alarmed own CloudWatch alarms (alarms).
	alarmed = []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob, TypeAuditTrail, TypeModelMonitor}
	// roleOwners create IAM roles (names start with the resource's name).
	roleOwners = []string{TypeExecutionRole, TypeNetwork, TypePersonaRole, TypeModelMonitor, TypeAuditTrail}
)

// deployerCalls is the one inventory of the AWS calls the provider makes,
// per sagesafe type: reads (plan-time lookups, refresh, drift) and writes.
// TestDeployerInventoryIsTheProvidersCalls (internal/acctest/faultmatrix)
// fails when the provider's code calls an operation missing here or this
// lists one it no longer calls, and when inventory.tsv (how each write
// survives a lost answer) names other types for a write than this does;
// TestAccDeployerPolicy_* fail when a run makes a call for a type that is
// not listed under it.
var deployerCalls = []DeployerCall{
	{"sts:GetCallerIdentity", allTypes},

	// EC2: the network's own objects, and the facts of every network reference.
	{"ec2:DescribeSubnets", netReaders},
	{"ec2:DescribeSecurityGroups", netReaders},
	{"ec2:DescribeRouteTables", netReaders},
	{"ec2:GetManagedPrefixListEntries", netReaders},
	{"ec2:DescribeInstanceTypes", workloads},
	{"ec2:DescribeNetworkInterfaces", []string{TypeNetwork, TypeEndpoint}},
	{"ec2:DescribeAvailabilityZones", []string{TypeNetwork}},
	{"ec2:DescribeFlowLogs", []string{TypeNetwork}},
	{"ec2:DescribeInternetGateways", []string{TypeNetwork}},
	{"ec2:DescribePrefixLists", []string{TypeNetwork}},
	{"ec2:DescribeVpcAttribute", []string{TypeNetwork}},
	{"ec2:DescribeVpcEndpointServices", []string{TypeNetwork}},
	{"ec2:DescribeVpcEndpoints", []string{TypeNetwork}},
	{"ec2:DescribeVpcs", []string{TypeNetwork}},
	{"ec2:CreateVpc", []string{TypeNetwork}},
	{"ec2:CreateSubnet", []string{TypeNetwork}},
	{"ec2:CreateRouteTable", []string{TypeNetwork}},
	{"ec2:CreateSecurityGroup", []string{TypeNetwork}},
	{"ec2:CreateVpcEndpoint", []string{TypeNetwork}},
	{"ec2:CreateFlowLogs", []string{TypeNetwork}},
	{"ec2:CreateTags", []string{TypeNetwork}},
	{"ec2:DeleteTags", []string{TypeNetwork}},
	{"ec2:AssociateRouteTable", []string{TypeNetwork}},
	{"ec2:ReplaceRouteTableAssociation", []string{TypeNetwork}},
	{"ec2:DisassociateRouteTable", []string{TypeNetwork}},
	{"ec2:AuthorizeSecurityGroupIngress", []string{TypeNetwork}},
	{"ec2:AuthorizeSecurityGroupEgress", []string{TypeNetwork}},
	{"ec2:RevokeSecurityGroupIngress", []string{TypeNetwork}},
	{"ec2:RevokeSecurityGroupEgress", []string{TypeNetwork}},
	{"ec2:ModifySubnetAttribute", []string{TypeNetwork}},
	{"ec2:ModifyVpcAttribute", []string{TypeNetwork}},
	{"ec2:ModifyVpcEndpoint", []string{TypeNetwork}},
	{"ec2:DeleteRoute", []string{TypeNetwork}},
	{"ec2:DetachInternetGateway", []string{TypeNetwork}},
	{"ec2:DeleteFlowLogs", []string{TypeNetwork}},
	{"ec2:DeleteVpcEndpoints", []string{TypeNetwork}},
	{"ec2:DeleteRouteTable", []string{TypeNetwork}},
	{"ec2:DeleteSecurityGroup", []string{TypeNetwork}},
	{"ec2:DeleteSubnet", []string{TypeNetwork}},
	{"ec2:DeleteVpc", []string{TypeNetwork}},

	// IAM: roles sagesafe makes, and the facts of every role reference.
	{"iam:GetRole", roleReaders},
	{"iam:GetRolePolicy", roleReaders},
	{"iam:ListRolePolicies", roleReaders},
	{"iam:ListAttachedRolePolicies", roleReaders},
	{"iam:GetPolicy", roleReaders},
	{"iam:GetPolicyVersion", roleReaders},
	// The roles a permissions boundary's iam:PassRole or sts:AssumeRole reach (SS-IAM-5).
	{"iam:ListRoles", roleReaders},
	// SS-IAM-5: the notebook instances a boundary's presigned notebook URLs
	// reach, and the roles they run as.
	{"sagemaker:ListNotebookInstances", roleReaders},
	{"sagemaker:DescribeNotebookInstance", roleReaders},
	{"iam:ListRoleTags", roleOwners},
	{"iam:ListInstanceProfilesForRole", roleOwners},
	{"iam:CreateRole", roleOwners},
	{"iam:PutRolePolicy", roleOwners},
	{"iam:UpdateAssumeRolePolicy", roleOwners},
	{"iam:UpdateRole", []string{TypeExecutionRole, TypePersonaRole}},
	// Every role owner sets the boundary (guardrails.role_permissions_boundary_arn).
	{"iam:PutRolePermissionsBoundary", roleOwners},
	{"iam:DeleteRolePermissionsBoundary", []string{TypeExecutionRole, TypePersonaRole}},
	{"iam:DetachRolePolicy", []string{TypeExecutionRole, TypeNetwork, TypePersonaRole, TypeModelMonitor}},
	{"iam:DeleteRolePolicy", roleOwners},
	{"iam:TagRole", []string{TypeExecutionRole, TypeNetwork, TypePersonaRole, TypeAuditTrail}},
	{"iam:UntagRole", []string{TypeExecutionRole, TypeNetwork, TypePersonaRole}},
	{"iam:RemoveRoleFromInstanceProfile", []string{TypeExecutionRole, TypePersonaRole, TypeModelMonitor}},
	{"iam:DeleteRole", roleOwners},

	// KMS: the key sagesafe makes, and the facts of every key reference.
	{"kms:DescribeKey", append([]string{TypeBudget}, keyReaders...)}, // the budget: its topic's key
	{"kms:GetKeyRotationStatus", keyReaders},
	{"kms:GetKeyPolicy", []string{TypeKMSKey, TypeBudget, TypeEndpoint, TypeTrainingJob, TypeProcessingJob, TypeModelMonitor, TypeAuditTrail, TypePreflight}}, // and an alarm topic's key (SS-MON-2, SS-AUD-5)
	{"kms:ListKeys", []string{TypeKMSKey}},
	{"kms:ListAliases", []string{TypeKMSKey}},
	{"kms:ListResourceTags", []string{TypeKMSKey}},
	{"kms:CreateKey", []string{TypeKMSKey}},
	{"kms:CreateAlias", []string{TypeKMSKey}},
	{"kms:UpdateAlias", []string{TypeKMSKey}},
	{"kms:DeleteAlias", []string{TypeKMSKey}},
	{"kms:PutKeyPolicy", []string{TypeKMSKey}},
	{"kms:UpdateKeyDescription", []string{TypeKMSKey}},
	{"kms:EnableKey", []string{TypeKMSKey}},
	{"kms:EnableKeyRotation", []string{TypeKMSKey}},
	{"kms:CancelKeyDeletion", []string{TypeKMSKey}},
	{"kms:TagResource", []string{TypeKMSKey}},
	{"kms:UntagResource", []string{TypeKMSKey}},
	{"kms:ScheduleKeyDeletion", []string{TypeKMSKey}},

	// CloudWatch Logs: the groups SageMaker and the flow logs write to.
	{"logs:DescribeLogGroups", logReaders},
	{"logs:DescribeMetricFilters", logReaders},
	{"logs:ListTagsForResource", logReaders},
	{"logs:CreateLogGroup", []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob, TypeNetwork, TypeModelMonitor, TypeAuditTrail}},
	{"logs:AssociateKmsKey", []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob, TypeNetwork, TypeModelMonitor, TypeAuditTrail}},
	{"logs:PutRetentionPolicy", []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob, TypeNetwork, TypeModelMonitor, TypeAuditTrail}},
	{"logs:TagResource", []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob, TypeNetwork, TypeAuditTrail, TypeModelMonitor}},
	{"logs:UntagResource", []string{TypeEndpoint, TypeAuditTrail, TypeModelMonitor, TypeNetwork, TypeProcessingJob, TypeTrainingJob}},
	{"logs:DeleteLogGroup", []string{TypeEndpoint, TypeNetwork, TypeAuditTrail}},
	{"logs:PutMetricFilter", []string{TypeAuditTrail, TypeModelMonitor}},
	{"logs:DeleteMetricFilter", []string{TypeAuditTrail, TypeModelMonitor}},

	// CloudWatch alarms.
	{"cloudwatch:DescribeAlarms", alarmed},
	{"cloudwatch:DescribeAlarmsForMetric", []string{TypePreflight}},
	{"cloudwatch:PutMetricAlarm", []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob, TypeAuditTrail, TypeModelMonitor}},
	{"cloudwatch:DeleteAlarms", []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob, TypeAuditTrail, TypeModelMonitor}},
	{"cloudwatch:TagResource", []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob}},
	{"cloudwatch:UntagResource", []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob}},

	// SageMaker.
	{"sagemaker:DescribeTrainingJob", []string{TypeTrainingJob}},
	{"sagemaker:ListTrainingJobs", []string{TypeTrainingJob}},
	{"sagemaker:DescribeProcessingJob", []string{TypeProcessingJob}},
	{"sagemaker:ListProcessingJobs", []string{TypeProcessingJob}},
	{"sagemaker:DescribeEndpoint", []string{TypeEndpoint, TypeModelMonitor}},
	{"sagemaker:DescribeEndpointConfig", []string{TypeEndpoint, TypeModelMonitor}},
	{"sagemaker:DescribeModel", []string{TypeEndpoint}},
	{"sagemaker:ListModels", []string{TypeEndpoint}},
	{"sagemaker:ListEndpoints", []string{TypeModelMonitor}},
	{"sagemaker:DescribeMonitoringSchedule", []string{TypeModelMonitor}},
	{"sagemaker:ListTags", append([]string{TypeEndpoint, TypeModelMonitor}, jobs...)},
	// The tags of every endpoint a refresh reads, in pages of 100 (providerdata.Reads).
	{"tagging:GetResources", []string{TypeEndpoint}},
	{"sagemaker:CreateModel", []string{TypeEndpoint}},
	{"sagemaker:CreateEndpointConfig", []string{TypeEndpoint}},
	{"sagemaker:CreateEndpoint", []string{TypeEndpoint}},
	{"sagemaker:UpdateEndpoint", []string{TypeEndpoint}},
	{"sagemaker:UpdateEndpointWeightsAndCapacities", []string{TypeEndpoint}},
	{"sagemaker:DeleteEndpoint", []string{TypeEndpoint}},
	{"sagemaker:DeleteEndpointConfig", []string{TypeEndpoint}},
	{"sagemaker:DeleteModel", []string{TypeEndpoint}},
	{"sagemaker:AddTags", []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob}},
	{"sagemaker:DeleteTags", []string{TypeEndpoint, TypeTrainingJob, TypeProcessingJob}},
	{"sagemaker:CreateTrainingJob", []string{TypeTrainingJob}},
	{"sagemaker:StopTrainingJob", []string{TypeTrainingJob}},
	{"sagemaker:CreateProcessingJob", []string{TypeProcessingJob}},
	{"sagemaker:StopProcessingJob", []string{TypeProcessingJob}},
	{"sagemaker:CreateMonitoringSchedule", []string{TypeModelMonitor}},
	{"sagemaker:UpdateMonitoringSchedule", []string{TypeModelMonitor}},
	{"sagemaker:StartMonitoringSchedule", []string{TypeModelMonitor}},
	{"sagemaker:DeleteMonitoringSchedule", []string{TypeModelMonitor}},

	// Application Auto Scaling of endpoint variants.
	{"application-autoscaling:DescribeScalableTargets", []string{TypeEndpoint}},
	{"application-autoscaling:DescribeScalingPolicies", []string{TypeEndpoint}},
	{"application-autoscaling:DescribeScheduledActions", []string{TypeEndpoint}},
	{"application-autoscaling:RegisterScalableTarget", []string{TypeEndpoint}},
	{"application-autoscaling:PutScalingPolicy", []string{TypeEndpoint}},
	{"application-autoscaling:DeleteScalingPolicy", []string{TypeEndpoint}},
	{"application-autoscaling:DeregisterScalableTarget", []string{TypeEndpoint}},
	{"application-autoscaling:DeleteScheduledAction", []string{TypeEndpoint}},

	// EventBridge Scheduler: the model monitor's schedule.
	{"scheduler:GetSchedule", []string{TypeModelMonitor}},
	{"scheduler:CreateSchedule", []string{TypeModelMonitor}},
	{"scheduler:UpdateSchedule", []string{TypeModelMonitor}},
	{"scheduler:DeleteSchedule", []string{TypeModelMonitor}},

	// S3: data-bucket facts, and the audit trail's own bucket.
	{"s3:GetBucketEncryption", bucketReaders},
	{"s3:GetBucketOwnershipControls", bucketReaders},
	{"s3:GetBucketPolicy", bucketReaders},
	{"s3:GetBucketVersioning", bucketReaders},
	{"s3:GetPublicAccessBlock", bucketReaders},
	{"s3:GetBucketTagging", []string{TypeAuditTrail}},
	{"s3:HeadBucket", []string{TypeAuditTrail}},
	{"s3:ListBuckets", []string{TypeAuditTrail}},
	{"s3:ListObjectVersions", []string{TypeAuditTrail}},
	{"s3:CreateBucket", []string{TypeAuditTrail}},
	{"s3:PutBucketOwnershipControls", []string{TypeAuditTrail}},
	{"s3:PutPublicAccessBlock", []string{TypeAuditTrail}},
	{"s3:PutBucketVersioning", []string{TypeAuditTrail}},
	{"s3:PutBucketEncryption", []string{TypeAuditTrail}},
	{"s3:PutBucketLifecycleConfiguration", []string{TypeAuditTrail}},
	{"s3:PutBucketPolicy", []string{TypeAuditTrail}},
	{"s3:PutBucketTagging", []string{TypeAuditTrail}},
	{"s3:DeleteObjects", []string{TypeAuditTrail}},
	{"s3:DeleteBucket", []string{TypeAuditTrail}},

	// CloudTrail: the audit trail, and the trail facts preflight audits.
	{"cloudtrail:DescribeTrails", []string{TypePreflight}},
	{"cloudtrail:GetEventSelectors", []string{TypeAuditTrail, TypePreflight}},
	{"cloudtrail:GetTrailStatus", []string{TypeAuditTrail, TypePreflight}},
	{"cloudtrail:GetTrail", []string{TypeAuditTrail}},
	{"cloudtrail:ListTags", []string{TypeAuditTrail}},
	{"cloudtrail:CreateTrail", []string{TypeAuditTrail}},
	{"cloudtrail:UpdateTrail", []string{TypeAuditTrail}},
	{"cloudtrail:PutEventSelectors", []string{TypeAuditTrail}},
	{"cloudtrail:StartLogging", []string{TypeAuditTrail}},
	{"cloudtrail:AddTags", []string{TypeAuditTrail}},
	{"cloudtrail:RemoveTags", []string{TypeAuditTrail}},
	{"cloudtrail:DeleteTrail", []string{TypeAuditTrail}},

	// AWS Budgets and the topic it notifies.
	{"budgets:DescribeBudget", []string{TypeBudget}},
	{"budgets:DescribeNotificationsForBudget", []string{TypeBudget}},
	{"budgets:DescribeSubscribersForNotification", []string{TypeBudget}},
	{"budgets:ListTagsForResource", []string{TypeBudget}},
	{"budgets:CreateBudget", []string{TypeBudget}},
	{"budgets:UpdateBudget", []string{TypeBudget}},
	{"budgets:CreateNotification", []string{TypeBudget}},
	{"budgets:DeleteNotification", []string{TypeBudget}},
	{"budgets:DeleteBudget", []string{TypeBudget}},
	{"budgets:TagResource", []string{TypeBudget}},
	{"budgets:UntagResource", []string{TypeBudget}},
	{"sns:GetTopicAttributes", []string{TypeBudget, TypeEndpoint, TypeTrainingJob, TypeProcessingJob, TypeModelMonitor, TypeAuditTrail, TypePreflight}}, // budget and alarm topics (SS-MON-2, SS-AUD-5)
}

// DeployerCalls returns the inventory (a copy).
func DeployerCalls() []DeployerCall {
	out := make([]DeployerCall, len(deployerCalls))
	for i, c := range deployerCalls {
		out[i] = DeployerCall{Call: c.Call, Types: slices.Clone(c.Types)}
	}
	return out
}

// iamActionsOf are the operations IAM authorizes under other names (the
// Service Authorization Reference's "API operations" tables); every other
// operation is authorized by the action of its own name.
var iamActionsOf = map[string][]string{
	// AWS authorizes GetCallerIdentity for every identity: no grant needed.
	"sts:GetCallerIdentity":                      nil,
	"s3:HeadBucket":                              {"s3:ListBucket"},
	"s3:ListBuckets":                             {"s3:ListAllMyBuckets"},
	"s3:ListObjectVersions":                      {"s3:ListBucketVersions"},
	"s3:GetBucketEncryption":                     {"s3:GetEncryptionConfiguration"},
	"s3:PutBucketEncryption":                     {"s3:PutEncryptionConfiguration"},
	"s3:GetPublicAccessBlock":                    {"s3:GetBucketPublicAccessBlock"},
	"s3:PutPublicAccessBlock":                    {"s3:PutBucketPublicAccessBlock"},
	"s3:PutBucketLifecycleConfiguration":         {"s3:PutLifecycleConfiguration"},
	"s3:DeleteObjects":                           {"s3:DeleteObject", "s3:DeleteObjectVersion"},
	"budgets:CreateBudget":                       {"budgets:ModifyBudget"},
	"budgets:UpdateBudget":                       {"budgets:ModifyBudget"},
	"budgets:CreateNotification":                 {"budgets:ModifyBudget"},
	"budgets:DeleteNotification":                 {"budgets:ModifyBudget"},
	"budgets:DeleteBudget":                       {"budgets:ModifyBudget"},
	"budgets:DescribeBudget":                     {"budgets:ViewBudget"},
	"budgets:DescribeNotificationsForBudget":     {"budgets:ViewBudget"},
	"budgets:DescribeSubscribersForNotification": {"budgets:ViewBudget"},
	// The Resource Groups Tagging API signs as "tagging"; IAM's prefix is "tag".
	"tagging:GetResources": {"tag:GetResources"},
}

// IAMActions returns the IAM actions that authorize one inventory call.
func IAMActions(call string) []string {
	if a, ok := iamActionsOf[call]; ok {
		// nil for a call IAM does not authorize
		return slices.Clone(a)
	}
	return []string{call}
}
