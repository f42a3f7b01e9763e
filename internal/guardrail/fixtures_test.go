package guardrail

import (
	"strings"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
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

func privateSubnet(id, az string) posture.SubnetFact {
	return posture.SubnetFact{
		ID: id, Found: true, VPCID: "vpc-1", AvailabilityZone: az, RouteTableID: "rtb-1",
		Routes: []posture.Route{
			{Destination: "10.0.0.0/16", Target: "local"},
			{Destination: "pl-6da54004", Target: "vpce-1"},
		},
		Private: true, HasS3GatewayRoute: true,
	}
}

func testFacts() posture.Facts {
	return posture.Facts{
		Subnets: map[string]posture.SubnetFact{
			"subnet-a": privateSubnet("subnet-a", "eu-west-1a"),
			"subnet-b": privateSubnet("subnet-b", "eu-west-1b"),
		},
		SecurityGroups: map[string]posture.SecurityGroupFact{
			"sg-1": {ID: "sg-1", Found: true, VPCID: "vpc-1"},
		},
		Keys: map[string]posture.KeyFact{
			testKey: {
				Ref: testKey, Found: true, ARN: testKey, KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab", Region: testRegion,
				Manager: "CUSTOMER", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", State: "Enabled", RotationEnabled: true,
			},
		},
		Roles: map[string]posture.RoleFact{
			testRole: {Ref: testRole, Found: true, ARN: testRole, Name: "churn-exec"},
		},
		InstanceTypes: map[string]posture.InstanceTypeFact{
			"ml.m5.xlarge": {Name: "ml.m5.xlarge", Found: true},
			"ml.g5.xlarge": {Name: "ml.g5.xlarge", Found: true, InstanceStorageSupported: true, GPUs: 1},
		},
		Buckets: map[string]posture.BucketFact{
			"churn-data": {Name: "churn-data", Found: true, DefaultSSEKMS: true, DeniesInsecureTransport: true},
		},
		LogGroups: map[string]posture.LogGroupFact{},
	}
}

func alarm(name, kind string) Alarm {
	return Alarm{Name: name, Kind: kind, Exists: true, ActionsEnabled: true, Actions: K([]string{testTopic})}
}

func training() *Subject {
	return &Subject{
		Kind: KindTrainingJob, Name: "churn", Region: testRegion, AccountID: testAccount, Partition: "aws",
		SubnetIDs:        K([]string{"subnet-a", "subnet-b"}),
		SecurityGroupIDs: K([]string{"sg-1"}),
		KMSKeyARN:        K(testKey),
		RoleARN:          K(testRole),
		RoleManaged:      true,
		InstanceType:     K("ml.m5.xlarge"),
		InstanceCount:    K(int64(1)),
		Image:            K(testRepo + "@" + testDigest),
		S3: []S3Location{
			{URI: K("s3://churn-data/train/"), Role: "input"},
			{URI: K("s3://churn-data/checkpoints/"), Role: "checkpoint", Field: "checkpoint_s3_uri"},
			{URI: K("s3://churn-data/models/"), Role: "output", Field: "output_s3_uri"},
		},
		NetworkIsolation:         K(true),
		InterContainerEncryption: K(true),
		OutputKMSKeyARN:          K(testKey),
		VolumeKMSKeyARN:          K(testKey),
		LogGroups:                []LogGroup{{Name: testLogs, KMSKeyARN: K(testKey), RetentionDays: K(int64(365))}},
		Alarms:                   K([]Alarm{alarm("churn-disk", "disk")}),
		MaxRuntimeSeconds:        K(int64(3600)),
		Tags:                     K(map[string]string{"team": "ml"}),
		Facts:                    testFacts(),
	}
}

func endpoint() *Subject {
	s := training()
	s.Kind, s.Name = KindEndpoint, "churn-ep"
	s.InstanceCount = K(int64(2))
	s.S3 = []S3Location{
		{URI: K("s3://churn-data/models/model.tar.gz"), Role: "model"},
		{URI: K("s3://churn-data/capture/"), Role: "data_capture", Field: FieldDataCapture},
	}
	s.InterContainerEncryption, s.OutputKMSKeyARN, s.MaxRuntimeSeconds = N[bool](), N[string](), N[int64]()
	s.DataCapture = DataCapture{Enabled: K(true), KMSKeyARN: K(testKey)}
	s.LogGroups = []LogGroup{{Name: "/aws/sagemaker/Endpoints/churn-ep", KMSKeyARN: K(testKey), RetentionDays: K(int64(400))}}
	s.Alarms = K([]Alarm{alarm("churn-ep-5xx", "error_rate_5xx"), alarm("churn-ep-latency", "latency")})
	s.Deployment = Deployment{BlueGreen: K(true), RollbackAlarms: K([]string{"churn-ep-5xx", "churn-ep-latency"})}
	return s
}

// preflight asks about nothing; cases fill in what they test.
func preflight() *Subject {
	return &Subject{Kind: KindPreflight, Name: "preflight", Region: testRegion, AccountID: testAccount, Facts: testFacts()}
}

func network() *Subject {
	return &Subject{
		Kind: KindNetwork, Name: "core", Region: testRegion, AccountID: testAccount,
		SubnetIDs:        K([]string{"subnet-a", "subnet-b"}),
		SecurityGroupIDs: K([]string{"sg-1"}),
		KMSKeyARN:        K(testKey),
		LogGroups:        []LogGroup{{Name: "/sagesafe/core/flow-logs", KMSKeyARN: K(testKey), RetentionDays: K(int64(0))}},
		Tags:             K(map[string]string{"team": "platform"}),
		Facts:            testFacts(),
	}
}

func kmsKey() *Subject {
	return &Subject{
		Kind: KindKMSKey, Name: "churn", Region: testRegion, AccountID: testAccount,
		KMSKeyARN: K(testKey), Tags: K(map[string]string{"team": "ml"}), Facts: testFacts(),
	}
}

func executionRole() *Subject {
	return &Subject{
		Kind: KindExecutionRole, Name: "churn-exec", Region: testRegion, AccountID: testAccount,
		RoleARN: K(testRole), RoleManaged: true, Tags: K(map[string]string{"team": "ml"}), Facts: testFacts(),
	}
}

func providerSubject() *Subject {
	return &Subject{
		Kind: KindProvider, Name: "sagesafe", Region: testRegion,
		Endpoints: []Endpoint{{URL: "https://api.sagemaker.eu-west-1.amazonaws.com", Source: "endpoint_url"}},
	}
}
