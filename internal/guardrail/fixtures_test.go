package guardrail

import (
	"strings"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// Compliant subjects of every kind; test cases break one thing at a time.

const (
	testAccount = "111122223333"
	testRegion  = "eu-west-1"
	testKey     = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testRole    = "arn:aws:iam::111122223333:role/churn-exec"
	testTopic   = "arn:aws:sns:eu-west-1:111122223333:ml-alerts"
	testLogs    = "/aws/sagemaker/TrainingJobs"
	testRepo    = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn"
)

var testDigest = "sha256:" + strings.Repeat("ab", 32)

func testPolicy() Policy {
	p := DefaultPolicy()
	p.RequiredTags = []string{"team"}
	p.AllowedInstanceTypes = []string{"ml.m5.*", "ml.g5.*"}
	p.AllowedImageAccounts = []string{testAccount}
	return p
}

func privateSubnet(id, az string) facts.SubnetFact {
	return facts.SubnetFact{
		ID: id, Found: true, VPCID: "vpc-1", AvailabilityZone: az, RouteTableID: "rtb-1",
		Routes: []facts.Route{
			{Destination: "10.0.0.0/16", Target: "local"},
			{Destination: "pl-6da54004", Target: "vpce-1"},
		},
		Private: true, HasS3GatewayRoute: true,
	}
}

func testFacts() facts.Facts {
	return facts.Facts{
		Subnets: map[string]facts.SubnetFact{
			"subnet-a": privateSubnet("subnet-a", "eu-west-1a"),
			"subnet-b": privateSubnet("subnet-b", "eu-west-1b"),
		},
		SecurityGroups: map[string]facts.SecurityGroupFact{
			"sg-1": {ID: "sg-1", Found: true, VPCID: "vpc-1"},
		},
		Keys: map[string]facts.KeyFact{
			testKey: {
				Ref: testKey, Found: true, ARN: testKey, KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab", Region: testRegion, Account: testAccount,
				Manager: "CUSTOMER", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", State: "Enabled", RotationEnabled: true,
			},
		},
		Roles: map[string]facts.RoleFact{
			testRole: {Ref: testRole, Found: true, ARN: testRole, Name: "churn-exec", SourceConditions: []facts.TrustCondition{
				{Statement: "statement 0", Key: "aws:SourceAccount", Values: []string{testAccount}},
				{Statement: "statement 0", Key: "aws:SourceArn", Values: []string{"arn:aws:sagemaker:eu-west-1:111122223333:training-job/*"}},
			}},
		},
		InstanceTypes: map[string]facts.InstanceTypeFact{
			"ml.m5.xlarge": {Name: "ml.m5.xlarge", Found: true},
			"ml.g5.xlarge": {Name: "ml.g5.xlarge", Found: true, InstanceStorageSupported: true, GPUs: 1},
		},
		Buckets: map[string]facts.BucketFact{
			"churn-data": {Name: "churn-data", Found: true, DefaultSSEKMS: true, DeniesInsecureTransport: true, OwnerChecked: true, OwnedByCaller: true},
		},
		LogGroups: map[string]facts.LogGroupFact{},
		Topics: map[string]facts.TopicFact{
			testTopic: {ARN: testTopic, Found: true, Confirmed: 1},
		},
	}
}

func alarm(name, kind string) Alarm {
	return Alarm{Name: name, Kind: kind, Exists: true, ActionsEnabled: true, Actions: facts.Known([]string{testTopic})}
}

func anomalyAlarm(name, metric string) Alarm {
	a := alarm(name, "anomaly")
	a.AnomalyOf = metric
	return a
}

func training() *Subject {
	return &Subject{
		Kind: KindTrainingJob, Name: "churn", Region: testRegion, AccountID: testAccount, Partition: "aws",
		SubnetIDs:        facts.Known([]string{"subnet-a", "subnet-b"}),
		SecurityGroupIDs: facts.Known([]string{"sg-1"}),
		KMSKeyARN:        facts.Known(testKey),
		RoleARN:          facts.Known(testRole),
		InstanceType:     facts.Known("ml.m5.xlarge"),
		InstanceCount:    facts.Known(int64(1)),
		Image:            facts.Known(testRepo + "@" + testDigest),
		S3: []S3Location{
			{URI: facts.Known("s3://churn-data/train/"), Role: "input"},
			{URI: facts.Known("s3://churn-data/checkpoints/"), Role: "checkpoint", Field: "checkpoint_s3_uri"},
			{URI: facts.Known("s3://churn-data/models/"), Role: "output", Field: "output_s3_uri"},
		},
		NetworkIsolation:         facts.Known(true),
		InterContainerEncryption: facts.Known(true),
		OutputKMSKeyARN:          facts.Known(testKey),
		VolumeKMSKeyARN:          facts.Known(testKey),
		LogGroups:                []LogGroup{{Name: testLogs, KMSKeyARN: facts.Known(testKey), RetentionDays: facts.Known(int64(365))}},
		Alarms:                   facts.Known([]Alarm{alarm("churn-disk", "disk")}),
		MaxRuntimeSeconds:        facts.Known(int64(3600)),
		Tags:                     facts.Known(map[string]string{"team": "ml"}),
		Facts:                    testFacts(),
	}
}

func endpoint() *Subject {
	s := training()
	s.Kind, s.Name = KindEndpoint, "churn-ep"
	s.InstanceCount = facts.Known(int64(2))
	s.S3 = []S3Location{
		{URI: facts.Known("s3://churn-data/models/model.tar.gz"), Role: "model"},
		{URI: facts.Known("s3://churn-data/capture/"), Role: "data_capture", Field: FieldDataCapture},
	}
	s.InterContainerEncryption, s.OutputKMSKeyARN, s.MaxRuntimeSeconds = facts.Null[bool](), facts.Null[string](), facts.Null[int64]()
	s.DataCapture = DataCapture{Enabled: facts.Known(true), KMSKeyARN: facts.Known(testKey)}
	s.LogGroups = []LogGroup{{Name: "/aws/sagemaker/Endpoints/churn-ep", KMSKeyARN: facts.Known(testKey), RetentionDays: facts.Known(int64(400))}}
	s.Alarms = facts.Known([]Alarm{alarm("churn-ep-5xx", "error_rate_5xx"), alarm("churn-ep-latency", "latency"),
		anomalyAlarm("churn-ep-invocations-anomaly", "Invocations"), anomalyAlarm("churn-ep-latency-anomaly", "ModelLatency")})
	s.Deployment = Deployment{BlueGreen: facts.Known(true), RollbackAlarms: facts.Known([]string{"churn-ep-5xx", "churn-ep-latency"})}
	return s
}

// monitor is a model monitor of the endpoint's captured data: its jobs are
// processing jobs with the training job's forced settings.
func monitor() *Subject {
	s := training()
	s.Kind, s.Name = KindModelMonitor, "churn-drift"
	s.DataCapture = DataCapture{Enabled: facts.Known(true), KMSKeyARN: facts.Known(testKey),
		InputCaptured: facts.Known(true), DestinationURI: facts.Known("s3://churn-data/capture/"), SamplingPercent: facts.Known[int64](20)}
	return s
}

// processing is a processing job with the training job's settings, given
// the training job's role (whose trust admits training jobs only).
func processing() *Subject {
	s := training()
	s.Kind, s.Name = KindProcessingJob, "churn-stats"
	return s
}

// preflight asks about nothing; cases fill in what they test.
func preflight() *Subject {
	return &Subject{Kind: KindPreflight, Name: "preflight", Region: testRegion, AccountID: testAccount, Facts: testFacts()}
}

func network() *Subject {
	return &Subject{
		Kind: KindNetwork, Name: "core", Region: testRegion, AccountID: testAccount,
		SubnetIDs:        facts.Known([]string{"subnet-a", "subnet-b"}),
		SecurityGroupIDs: facts.Known([]string{"sg-1"}),
		KMSKeyARN:        facts.Known(testKey),
		LogGroups:        []LogGroup{{Name: "/sagesafe/core/flow-logs", KMSKeyARN: facts.Known(testKey), RetentionDays: facts.Known(int64(0))}},
		Tags:             facts.Known(map[string]string{"team": "platform"}),
		Facts:            testFacts(),
	}
}

func kmsKey() *Subject {
	return &Subject{
		Kind: KindKMSKey, Name: "churn", Region: testRegion, AccountID: testAccount,
		KMSKeyARN: facts.Known(testKey), Tags: facts.Known(map[string]string{"team": "ml"}), Facts: testFacts(),
	}
}

func executionRole() *Subject {
	return &Subject{
		Kind: KindExecutionRole, Name: "churn-exec", Region: testRegion, AccountID: testAccount,
		RoleARN: facts.Known(testRole), Tags: facts.Known(map[string]string{"team": "ml"}), Facts: testFacts(),
	}
}

func providerSubject() *Subject {
	return &Subject{
		Kind: KindProvider, Name: "sagesafe", Region: testRegion,
		Endpoints: []facts.Endpoint{{URL: "https://api.sagemaker.eu-west-1.amazonaws.com", Source: "endpoint_url"}},
	}
}

// auditTrail is a compliant sagesafe_audit_trail as a refresh observes it:
// every class watched by an exact filter and an alarm with an action.
func auditTrail() *Subject {
	live := facts.TrailFact{
		Trail: "ml-audit", MultiRegion: true, Logging: true, ManagementEvents: "All",
		KMSKeyARN: testKey, LogFileValidation: true,
		Bucket: "ml-audit-logs", BucketOwnerEnforced: true, PublicAccessBlocked: true, TLSOnly: true, Versioned: true,
		LogGroup: "/sagesafe/ml-audit/trail", LogGroupKMSKeyARN: testKey, LogGroupRetentionDays: 365,
	}
	for _, c := range AuditEventClasses {
		m := "ml-audit-" + c.Name
		live.MetricFilters = append(live.MetricFilters, facts.MetricFilterFact{Name: m, Pattern: c.Pattern, Namespace: AuditNamespace, Metric: m})
		live.Alarms = append(live.Alarms, facts.AlarmFact{Name: m, Namespace: AuditNamespace, Metric: m, ActionsEnabled: true, Actions: []string{testTopic}})
	}
	return &Subject{
		Kind: KindAuditTrail, Name: "ml-audit", Region: testRegion, AccountID: testAccount,
		Audit: AuditTrail{KMSKeyARN: facts.Known(testKey), RetentionDays: facts.Known(int64(365)),
			AlarmActions: facts.Known([]string{testTopic}), Live: facts.Known(live)},
		Facts: testFacts(),
	}
}

// auditPreflight is a preflight asked about the account's existing trail.
func auditPreflight() *Subject {
	s := auditTrail()
	s.Kind, s.Name = KindPreflight, "preflight"
	s.Audit.KMSKeyARN, s.Audit.RetentionDays, s.Audit.AlarmActions = facts.Null[string](), facts.Null[int64](), facts.Null[[]string]()
	return s
}

// trail edits the observed trail of an audit subject.
func trail(edit func(*facts.TrailFact)) func(*Subject, *Policy) {
	return func(s *Subject, _ *Policy) {
		t := s.Audit.Live.V
		edit(&t)
		s.Audit.Live = facts.Known(t)
	}
}

// atPlan is an audit trail at plan: its inputs known, the trail not yet observed.
func atPlan(s *Subject, _ *Policy) { s.Audit.Live = facts.Unknown[facts.TrailFact]() }

// budget is sagesafe_budget as planned or read: SageMaker only, 500 USD,
// ACTUAL at 80% and FORECASTED at 100% to the ops topic.
func budget() *Subject {
	to := []string{testTopic}
	return &Subject{
		Kind: KindBudget, Name: "ml-spend", Region: testRegion, AccountID: testAccount,
		Budget: facts.Known(Budget{Name: "ml-spend", Services: []string{BudgetService}, LimitUSD: 500,
			Notifications: []BudgetNotification{
				{Type: "ACTUAL", Comparison: "GREATER_THAN", Unit: "PERCENTAGE", Percent: 80, Subscribers: to},
				{Type: "FORECASTED", Comparison: "GREATER_THAN", Unit: "PERCENTAGE", Percent: 100, Subscribers: to}},
			Topics: map[string]BudgetTopic{testTopic: {Found: true}}}),
		Tags:  facts.Known(map[string]string{"team": "finops"}),
		Facts: testFacts(),
	}
}

// budgetEdit edits the budget of a budget subject.
func budgetEdit(edit func(*Budget)) func(*Subject, *Policy) {
	return func(s *Subject, _ *Policy) {
		b := s.Budget.V
		edit(&b)
		s.Budget = facts.Known(b)
	}
}
