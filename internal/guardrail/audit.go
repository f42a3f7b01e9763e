package guardrail

// The audit trail's facts (SS-AUD-1..5) and the event classes it must watch.
// The patterns are data the checks compare with exactly: Security Hub's
// CloudWatch.x controls fail unless the filter is the one CIS prescribes, so
// a "better" pattern would lose the finding AWS's own tooling reports.

import "github.com/sagesafe/terraform-provider-sagesafe/internal/facts"

// Subject fields of the audit trail.
const (
	FieldTrail         Field = "trail"
	FieldTrailBucket   Field = "bucket"
	FieldTrailLogGroup Field = "log_group"
	FieldRetentionDays Field = "retention_days"
	FieldMetricFilters Field = "metric_filters"
)

// AuditNamespace is the metric namespace of the audit trail's metric filters:
// the one the CIS benchmark's remediation and Security Hub's CloudWatch.x
// controls use.
const AuditNamespace = "LogMetrics"

// AuditEventClass is one class of API calls the audit trail's log group
// watches with a metric filter and an alarm.
type AuditEventClass struct {
	Name    string // "unauthorized_api_calls": the filter's and alarm's suffix
	Title   string // for messages: "unauthorized API calls"
	Pattern string // the CloudWatch Logs filter pattern, compared exactly
	Source  string // where the pattern comes from, or "sagesafe-defined"
}

// AuditEventClasses is every class SS-AUD-5 requires, in documentation order.
// CIS patterns are copied verbatim from the CIS AWS Foundations Benchmark
// v1.2 (section 3) as Security Hub's CloudWatch controls quote them.
var AuditEventClasses = []AuditEventClass{
	{
		Name: "sagemaker_workload_changes", Title: "SageMaker workload changes",
		Pattern: `{($.eventSource=sagemaker.amazonaws.com) && (($.eventName=CreateEndpoint) || ($.eventName=CreateEndpointConfig) || ($.eventName=UpdateEndpoint) || ($.eventName=UpdateEndpointWeightsAndCapacities) || ($.eventName=DeleteEndpoint) || ($.eventName=DeleteEndpointConfig) || ($.eventName=CreateModel) || ($.eventName=DeleteModel) || ($.eventName=CreateTrainingJob) || ($.eventName=UpdateTrainingJob) || ($.eventName=StopTrainingJob) || ($.eventName=CreateProcessingJob) || ($.eventName=StopProcessingJob))}`,
		Source:  "sagesafe-defined (modelled on the CIS rows)",
	},
	{
		Name: "sagemaker_access_changes", Title: "SageMaker notebook, Studio domain and presigned URL changes",
		Pattern: `{($.eventSource=sagemaker.amazonaws.com) && (($.eventName=CreateNotebookInstance) || ($.eventName=UpdateNotebookInstance) || ($.eventName=DeleteNotebookInstance) || ($.eventName=StartNotebookInstance) || ($.eventName=CreateDomain) || ($.eventName=UpdateDomain) || ($.eventName=DeleteDomain) || ($.eventName=CreatePresignedDomainUrl) || ($.eventName=CreatePresignedNotebookInstanceUrl))}`,
		Source:  "sagesafe-defined (modelled on the CIS rows)",
	},
	{
		Name: "kms_key_disabled", Title: "customer-managed keys disabled or scheduled for deletion",
		Pattern: `{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}`,
		Source:  "CIS 1.2 3.7 / 1.4 4.7, Security Hub CloudWatch.7",
	},
	{
		Name: "iam_policy_changes", Title: "IAM policy changes",
		Pattern: `{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}`,
		Source:  "CIS 1.2 3.4 / 1.4 4.4, Security Hub CloudWatch.4",
	},
	{
		Name: "iam_role_changes", Title: "IAM role trust and boundary changes",
		Pattern: `{($.eventSource=iam.amazonaws.com) && (($.eventName=CreateRole) || ($.eventName=DeleteRole) || ($.eventName=UpdateAssumeRolePolicy) || ($.eventName=PutRolePermissionsBoundary) || ($.eventName=DeleteRolePermissionsBoundary))}`,
		Source:  "sagesafe-defined (who may assume an execution or persona role)",
	},
	{
		Name: "security_group_changes", Title: "security group changes",
		Pattern: `{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}`,
		Source:  "CIS 1.2 3.10 / 1.4 4.10, Security Hub CloudWatch.10",
	},
	{
		Name: "network_gateway_changes", Title: "network gateway changes",
		Pattern: `{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}`,
		Source:  "CIS 1.2 3.12 / 1.4 4.12, Security Hub CloudWatch.12",
	},
	{
		Name: "route_table_changes", Title: "route table changes",
		Pattern: `{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}`,
		Source:  "CIS 1.2 3.13 / 1.4 4.13, Security Hub CloudWatch.13",
	},
	{
		Name: "vpc_changes", Title: "VPC changes",
		Pattern: `{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}`,
		Source:  "CIS 1.2 3.14 / 1.4 4.14, Security Hub CloudWatch.14",
	},
	{
		Name: "vpc_endpoint_changes", Title: "VPC endpoint changes",
		Pattern: `{($.eventSource=ec2.amazonaws.com) && (($.eventName=CreateVpcEndpoint) || ($.eventName=ModifyVpcEndpoint) || ($.eventName=DeleteVpcEndpoints))}`,
		Source:  "sagesafe-defined (the private endpoints SS-NET-6 and SS-NET-8 rely on)",
	},
	{
		Name: "cloudtrail_changes", Title: "CloudTrail configuration changes",
		Pattern: `{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}`,
		Source:  "CIS 1.2 3.5 / 1.4 4.5, Security Hub CloudWatch.5",
	},
	{
		Name: "unauthorized_api_calls", Title: "unauthorized API calls",
		Pattern: `{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}`,
		Source:  "CIS 1.2 3.1, Security Hub CloudWatch.2",
	},
}

// AuditTrail is the audit trail part of a Subject (KindAuditTrail, and
// KindPreflight when asked).
type AuditTrail struct {
	// KMSKeyARN is the key the trail is asked to use (an input; Null in a
	// preflight).
	KMSKeyARN facts.Value[string]
	// RetentionDays is how long the trail keeps its logs (an input: the
	// bucket's expiry and the log group's retention; Null in a preflight).
	RetentionDays facts.Value[int64]
	// AlarmActions are what the trail's alarms will notify (the provider's
	// alarm_actions; Null in a preflight).
	AlarmActions facts.Value[[]string]
	// Live is the observed trail; Unknown at plan, Null when not asked.
	Live facts.Value[facts.TrailFact]
}
