package iampolicy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// fullRoleSpec uses every input, for the given purpose.
func fullRoleSpec(p Purpose) RoleSpec {
	return RoleSpec{
		Partition: testPartition, Region: testRegion, AccountID: testAccount, Purpose: p,
		S3ReadURIs:        []string{"s3://data-bucket/train", "s3://data-bucket/train/images/", "s3://reference.data"},
		S3WriteURIs:       []string{"s3://artifacts-bucket/models/", "s3://data-bucket/checkpoints"},
		KMSKeyARNs:        []string{testKeyARN, testKey2ARN},
		ECRRepositoryARNs: []string{testRepoARN},
		SubnetIDs:         []string{testSubnet1, testSubnet2},
		SecurityGroupIDs:  []string{testSG},
	}
}

func minimalRoleSpec(p Purpose) RoleSpec {
	return RoleSpec{Partition: testPartition, Region: testRegion, AccountID: testAccount, Purpose: p}
}

func TestExecutionRoleGolden(t *testing.T) {
	for _, p := range []Purpose{PurposeTraining, PurposeInference, PurposeTrainingAndInference, PurposeProcessing} {
		t.Run(string(p), func(t *testing.T) {
			trust, err := TrustPolicy(fullRoleSpec(p))
			if err != nil {
				t.Fatal(err)
			}
			assertWellFormed(t, trust)
			assertGolden(t, "execrole_"+string(p)+"_trust", trust)

			policy, err := ExecutionPolicy(fullRoleSpec(p))
			if err != nil {
				t.Fatal(err)
			}
			assertWellFormed(t, policy)
			assertGolden(t, "execrole_"+string(p)+"_policy", policy)

			minimal, err := ExecutionPolicy(minimalRoleSpec(p))
			if err != nil {
				t.Fatal(err)
			}
			assertWellFormed(t, minimal)
			assertGolden(t, "execrole_"+string(p)+"_minimal_policy", minimal)
		})
	}
}

func TestTrustPolicyConditions(t *testing.T) {
	for p, sourceARN := range map[Purpose]string{
		PurposeTraining:             "arn:aws:sagemaker:us-east-1:111122223333:training-job/*",
		PurposeInference:            "arn:aws:sagemaker:us-east-1:111122223333:*",
		PurposeTrainingAndInference: "arn:aws:sagemaker:us-east-1:111122223333:*",
		PurposeProcessing:           "arn:aws:sagemaker:us-east-1:111122223333:processing-job/*",
	} {
		d, err := TrustPolicy(minimalRoleSpec(p))
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Statement) != 1 {
			t.Fatalf("%s: %d statements", p, len(d.Statement))
		}
		s := stmt(t, d, "SageMakerAssumeRole")
		if s.Effect != EffectAllow || len(s.Principal) != 1 {
			t.Errorf("%s: statement %+v", p, s)
		}
		assertSame(t, "Service", s.Principal["Service"], []string{"sagemaker.amazonaws.com"})
		assertSame(t, "Action", s.Action, []string{"sts:AssumeRole"})
		assertSame(t, "aws:SourceAccount", s.Condition["StringEquals"]["aws:SourceAccount"], []string{testAccount})
		assertSame(t, "aws:SourceArn", s.Condition["ArnLike"]["aws:SourceArn"], []string{sourceARN})
		if len(s.Condition) != 2 {
			t.Errorf("%s: unexpected conditions %v", p, s.Condition)
		}
	}
	gov := minimalRoleSpec(PurposeTraining)
	gov.Partition, gov.Region = "aws-us-gov", "us-gov-west-1"
	d, err := TrustPolicy(gov)
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, "GovCloud aws:SourceArn", stmt(t, d, "SageMakerAssumeRole").Condition["ArnLike"]["aws:SourceArn"],
		[]string{"arn:aws-us-gov:sagemaker:us-gov-west-1:111122223333:training-job/*"})
}

func TestExecutionPolicyStatementsByPurpose(t *testing.T) {
	common := []string{
		"S3ListBucketArtifactsBucket", "S3ListBucketDataBucket", "S3ListBucketReferenceData", "S3ReadObjects",
		"S3WriteObjects", "ECRAuthorizationToken", "ECRPullImages", "CloudWatchLogs", "CloudWatchMetrics",
		"AllowUseViaSageMakerAndS3", "AllowGrantsForAWSResources", "VPCDescribe", "VPCCreateNetworkInterface",
		"VPCManageNetworkInterfaces",
	}
	for p, extra := range map[Purpose][]string{
		PurposeTraining:             nil,
		PurposeInference:            {"CloudWatchDescribeAlarms"},
		PurposeTrainingAndInference: {"CloudWatchDescribeAlarms"},
		PurposeProcessing:           nil,
	} {
		d, err := ExecutionPolicy(fullRoleSpec(p))
		if err != nil {
			t.Fatal(err)
		}
		assertSame(t, string(p)+" Sids", sids(d), append(slices.Clone(common), extra...))
	}
	d, err := ExecutionPolicy(minimalRoleSpec(PurposeTraining))
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, "minimal Sids", sids(d), []string{"CloudWatchLogs", "CloudWatchMetrics"})
}

func TestExecutionPolicyS3(t *testing.T) {
	d, err := ExecutionPolicy(fullRoleSpec(PurposeTraining))
	if err != nil {
		t.Fatal(err)
	}
	data := stmt(t, d, "S3ListBucketDataBucket")
	assertSame(t, "ListBucket actions", data.Action, []string{"s3:ListBucket"})
	assertSame(t, "ListBucket resource", data.Resource, []string{"arn:aws:s3:::data-bucket"})
	// train/images/ is inside train/, so only train/ and checkpoints/ remain.
	assertSame(t, "s3:prefix", data.Condition["StringLike"]["s3:prefix"],
		[]string{"checkpoints/", "checkpoints/*", "train/", "train/*"})
	if len(data.Condition) != 2 {
		t.Errorf("ListBucket conditions = %v, want s3:prefix and s3:ResourceAccount", data.Condition)
	}
	whole := stmt(t, d, "S3ListBucketReferenceData")
	assertSame(t, "whole-bucket resource", whole.Resource, []string{"arn:aws:s3:::reference.data"})
	if _, ok := whole.Condition["StringLike"]; ok || len(whole.Condition) != 1 {
		t.Errorf("a whole-bucket grant must list without a prefix condition (only s3:ResourceAccount), got %v", whole.Condition)
	}
	read := stmt(t, d, "S3ReadObjects")
	assertSame(t, "read actions", read.Action, []string{"s3:GetObject"})
	assertSame(t, "read resources", read.Resource, []string{
		"arn:aws:s3:::artifacts-bucket/models/*", "arn:aws:s3:::data-bucket/checkpoints/*",
		"arn:aws:s3:::data-bucket/train/*", "arn:aws:s3:::reference.data/*",
	})
	write := stmt(t, d, "S3WriteObjects")
	assertSame(t, "write actions", write.Action, []string{"s3:AbortMultipartUpload", "s3:PutObject"})
	assertSame(t, "write resources", write.Resource, []string{
		"arn:aws:s3:::artifacts-bucket/models/*", "arn:aws:s3:::data-bucket/checkpoints/*",
	})
	for _, s := range d.Statement {
		for _, a := range s.Action {
			if a == "s3:DeleteObject" || a == "s3:*" {
				t.Errorf("%s grants %s", s.Sid, a)
			}
		}
		// SS-DATA-2: every S3 statement is limited to buckets of this account.
		if strings.HasPrefix(s.Sid, "S3") {
			assertSame(t, s.Sid+" s3:ResourceAccount", s.Condition["StringEquals"]["s3:ResourceAccount"], []string{"111122223333"})
		}
	}
}

func TestExecutionPolicyS3PrefixIsAFolder(t *testing.T) {
	spec := minimalRoleSpec(PurposeTraining)
	spec.S3ReadURIs = []string{"s3://bkt/data"}
	d, err := ExecutionPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, "objects", stmt(t, d, "S3ReadObjects").Resource, []string{"arn:aws:s3:::bkt/data/*"})
	assertSame(t, "s3:prefix", stmt(t, d, "S3ListBucketBkt").Condition["StringLike"]["s3:prefix"], []string{"data/", "data/*"})
	if strings.Contains(d.JSON(), "data*") {
		t.Errorf("a grant for s3://bkt/data must not reach bkt/data2: %s", d.JSON())
	}
	if _, err := ExecutionPolicy(RoleSpec{}); err == nil {
		t.Error("empty spec accepted")
	}

	// The whole bucket subsumes its folders, for listing and for objects.
	spec.S3ReadURIs = []string{"s3://bkt/data", "s3://bkt"}
	spec.S3WriteURIs = []string{"s3://bkt/out/"}
	d, err = ExecutionPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	if c := stmt(t, d, "S3ListBucketBkt").Condition; len(c) != 1 || c["StringEquals"] == nil {
		t.Errorf("whole bucket listed with condition %v, want s3:ResourceAccount only", c)
	}
	assertSame(t, "objects", stmt(t, d, "S3ReadObjects").Resource, []string{"arn:aws:s3:::bkt/*"})
	assertSame(t, "write objects", stmt(t, d, "S3WriteObjects").Resource, []string{"arn:aws:s3:::bkt/out/*"})
}

func TestExecutionPolicyS3SidsAreUnique(t *testing.T) {
	spec := minimalRoleSpec(PurposeTraining)
	spec.S3ReadURIs = []string{"s3://my-data/x", "s3://my.data/x", "s3://mydata/x"}
	d, err := ExecutionPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	assertWellFormed(t, d)
	assertSame(t, "Sids", sids(d)[:3], []string{"S3ListBucketMyData", "S3ListBucketMyData2", "S3ListBucketMydata"})
}

func TestExecutionPolicyECRLogsMetricsAlarms(t *testing.T) {
	d, err := ExecutionPolicy(fullRoleSpec(PurposeTrainingAndInference))
	if err != nil {
		t.Fatal(err)
	}
	token := stmt(t, d, "ECRAuthorizationToken")
	assertSame(t, "token action", token.Action, []string{"ecr:GetAuthorizationToken"})
	assertSame(t, "token resource", token.Resource, []string{"*"})
	pull := stmt(t, d, "ECRPullImages")
	assertSame(t, "pull actions", pull.Action,
		[]string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"})
	assertSame(t, "pull resources", pull.Resource, []string{testRepoARN})

	logs := stmt(t, d, "CloudWatchLogs")
	assertSame(t, "logs actions", logs.Action, []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"})
	assertSame(t, "logs resources", logs.Resource, []string{
		"arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/TrainingJobs",
		"arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/TrainingJobs:log-stream:*",
		"arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/Endpoints/*",
	})
	metrics := stmt(t, d, "CloudWatchMetrics")
	assertSame(t, "metrics action", metrics.Action, []string{"cloudwatch:PutMetricData"})
	assertSame(t, "cloudwatch:namespace", metrics.Condition["StringEquals"]["cloudwatch:namespace"],
		[]string{"/aws/sagemaker/TrainingJobs", "/aws/sagemaker/Endpoints"})
	alarms := stmt(t, d, "CloudWatchDescribeAlarms")
	assertSame(t, "alarms action", alarms.Action, []string{"cloudwatch:DescribeAlarms"})
	assertSame(t, "alarms resource", alarms.Resource, []string{"arn:aws:cloudwatch:us-east-1:111122223333:alarm:*"})

	training, err := ExecutionPolicy(minimalRoleSpec(PurposeTraining))
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, "training log groups", stmt(t, training, "CloudWatchLogs").Resource, []string{
		"arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/TrainingJobs",
		"arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/TrainingJobs:log-stream:*",
	})
	assertSame(t, "training namespace", stmt(t, training, "CloudWatchMetrics").Condition["StringEquals"]["cloudwatch:namespace"],
		[]string{"/aws/sagemaker/TrainingJobs"})

	inference, err := ExecutionPolicy(minimalRoleSpec(PurposeInference))
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, "inference log groups", stmt(t, inference, "CloudWatchLogs").Resource,
		[]string{"arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/Endpoints/*"})
	assertSame(t, "inference namespace", stmt(t, inference, "CloudWatchMetrics").Condition["StringEquals"]["cloudwatch:namespace"],
		[]string{"/aws/sagemaker/Endpoints"})
	for _, doc := range []Document{d, training, inference} {
		if strings.Contains(doc.JSON(), "logs:CreateLogGroup") {
			t.Error("the role must not create (unencrypted) log groups")
		}
	}
}

func TestExecutionPolicyKMS(t *testing.T) {
	d, err := ExecutionPolicy(fullRoleSpec(PurposeTraining))
	if err != nil {
		t.Fatal(err)
	}
	use := stmt(t, d, "AllowUseViaSageMakerAndS3")
	if use.Principal != nil {
		t.Error("an identity policy statement must not have a principal")
	}
	assertSame(t, "use actions", use.Action, []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"})
	assertSame(t, "use resources", use.Resource, []string{testKeyARN, testKey2ARN})
	assertSame(t, "kms:ViaService", use.Condition["StringEquals"]["kms:ViaService"],
		[]string{"sagemaker.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com"})
	grant := stmt(t, d, "AllowGrantsForAWSResources")
	assertSame(t, "grant actions", grant.Action, []string{"kms:CreateGrant"})
	assertSame(t, "grant resources", grant.Resource, []string{testKeyARN, testKey2ARN})
	assertSame(t, "kms:GrantIsForAWSResource", grant.Condition["Bool"]["kms:GrantIsForAWSResource"], []string{"true"})
	assertSame(t, "grant kms:ViaService", grant.Condition["StringEquals"]["kms:ViaService"], []string{"sagemaker.us-east-1.amazonaws.com"})
}

func TestExecutionPolicyVPC(t *testing.T) {
	d, err := ExecutionPolicy(fullRoleSpec(PurposeTraining))
	if err != nil {
		t.Fatal(err)
	}
	describe := stmt(t, d, "VPCDescribe")
	assertSame(t, "describe resource", describe.Resource, []string{"*"})
	for _, a := range describe.Action {
		if !strings.HasPrefix(a, "ec2:Describe") {
			t.Errorf("VPCDescribe grants %s on *", a)
		}
	}
	subnetARNs := []string{
		"arn:aws:ec2:us-east-1:111122223333:subnet/" + testSubnet1,
		"arn:aws:ec2:us-east-1:111122223333:subnet/" + testSubnet2,
	}
	create := stmt(t, d, "VPCCreateNetworkInterface")
	assertSame(t, "create action", create.Action, []string{"ec2:CreateNetworkInterface"})
	assertSame(t, "create resources", create.Resource, append(slices.Clone(subnetARNs),
		"arn:aws:ec2:us-east-1:111122223333:network-interface/*",
		"arn:aws:ec2:us-east-1:111122223333:security-group/"+testSG))
	manage := stmt(t, d, "VPCManageNetworkInterfaces")
	assertSame(t, "manage actions", manage.Action, []string{
		"ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission",
	})
	assertSame(t, "manage resource", manage.Resource, []string{"arn:aws:ec2:us-east-1:111122223333:network-interface/*"})
	assertSame(t, "ec2:Subnet", manage.Condition["ArnEquals"]["ec2:Subnet"], subnetARNs)
}

// Only these statements may use Resource "*", each because the action
// cannot be scoped further or is scoped by a condition.
func TestExecutionPolicyStarResourcesAreJustified(t *testing.T) {
	d, err := ExecutionPolicy(fullRoleSpec(PurposeTrainingAndInference))
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"ECRAuthorizationToken": true, "CloudWatchMetrics": true, "VPCDescribe": true}
	for _, s := range d.Statement {
		if slices.Contains(s.Resource, "*") && !allowed[s.Sid] {
			t.Errorf("%s uses Resource \"*\"", s.Sid)
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Errorf("%s uses wildcard action %s", s.Sid, a)
			}
		}
	}
}

func TestExecutionPolicyIsDeterministic(t *testing.T) {
	spec := fullRoleSpec(PurposeTrainingAndInference)
	want, err := ExecutionPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(spec.S3ReadURIs)
	slices.Reverse(spec.S3WriteURIs)
	slices.Reverse(spec.KMSKeyARNs)
	slices.Reverse(spec.SubnetIDs)
	spec.S3ReadURIs = append(spec.S3ReadURIs, spec.S3ReadURIs[0]) // duplicates too
	got, err := ExecutionPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	if got.JSON() != want.JSON() {
		t.Errorf("input order changed the policy:\n%s\n%s", got.JSON(), want.JSON())
	}
}

func TestRoleSpecRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate   func(*RoleSpec)
		sentinel error
		field    string
		index    int
		control  string
	}{
		"unknown purpose": {func(s *RoleSpec) { s.Purpose = "batch" }, ErrInvalidSpec, "Purpose", -1, ""},
		"empty purpose":   {func(s *RoleSpec) { s.Purpose = "" }, ErrInvalidSpec, "Purpose", -1, ""},
		"partition":       {func(s *RoleSpec) { s.Partition = "aws-cn" }, ErrInvalidSpec, "Partition", -1, ""},
		"region":          {func(s *RoleSpec) { s.Region = "*" }, ErrInvalidSpec, "Region", -1, ""},
		"account":         {func(s *RoleSpec) { s.AccountID = "12345" }, ErrInvalidSpec, "AccountID", -1, ""},
		"https read URI": {func(s *RoleSpec) { s.S3ReadURIs[1] = "https://b.s3.amazonaws.com/x" },
			ErrNotS3Scheme, "S3ReadURIs", 1, "SS-TLS-2"},
		"wildcard write URI": {func(s *RoleSpec) { s.S3WriteURIs[0] = "s3://b/*" }, ErrWildcard, "S3WriteURIs", 0, "SS-IAM-2"},
		"bad bucket":         {func(s *RoleSpec) { s.S3WriteURIs[1] = "s3://B/x" }, ErrInvalidBucket, "S3WriteURIs", 1, ""},
		"wildcard key": {func(s *RoleSpec) { s.KMSKeyARNs[1] = "arn:aws:kms:us-east-1:111122223333:key/*" },
			ErrWildcard, "KMSKeyARNs", 1, "SS-IAM-2"},
		"alias key": {func(s *RoleSpec) { s.KMSKeyARNs[0] = "arn:aws:kms:us-east-1:111122223333:alias/data" },
			ErrInvalidARN, "KMSKeyARNs", 0, ""},
		"key ID": {func(s *RoleSpec) { s.KMSKeyARNs[0] = "1234abcd-12ab-34cd-56ef-1234567890ab" },
			ErrInvalidARN, "KMSKeyARNs", 0, ""},
		"key in another region": {func(s *RoleSpec) { s.KMSKeyARNs[0] = strings.Replace(testKeyARN, "us-east-1", "eu-west-1", 1) },
			ErrInvalidARN, "KMSKeyARNs", 0, ""},
		"key in another partition": {func(s *RoleSpec) { s.KMSKeyARNs[0] = strings.Replace(testKeyARN, "aws:", "aws-us-gov:", 1) },
			ErrInvalidARN, "KMSKeyARNs", 0, ""},
		"S3 ARN as key": {func(s *RoleSpec) { s.KMSKeyARNs[0] = "arn:aws:s3:::bucket" }, ErrInvalidARN, "KMSKeyARNs", 0, ""},
		"wildcard repo": {func(s *RoleSpec) { s.ECRRepositoryARNs[0] = "arn:aws:ecr:us-east-1:111122223333:repository/*" },
			ErrWildcard, "ECRRepositoryARNs", 0, "SS-IAM-2"},
		"bad repo": {func(s *RoleSpec) {
			s.ECRRepositoryARNs[0] = "111122223333.dkr.ecr.us-east-1.amazonaws.com/team/trainer"
		},
			ErrInvalidARN, "ECRRepositoryARNs", 0, ""},
		"bad subnet":          {func(s *RoleSpec) { s.SubnetIDs[1] = "subnet-xyz" }, ErrInvalidARN, "SubnetIDs", 1, ""},
		"wildcard subnet":     {func(s *RoleSpec) { s.SubnetIDs[0] = "subnet-*" }, ErrWildcard, "SubnetIDs", 0, "SS-IAM-2"},
		"bad security group":  {func(s *RoleSpec) { s.SecurityGroupIDs[0] = "default" }, ErrInvalidARN, "SecurityGroupIDs", 0, ""},
		"subnets without SGs": {func(s *RoleSpec) { s.SecurityGroupIDs = nil }, ErrInvalidSpec, "SubnetIDs", -1, ""},
		"SGs without subnets": {func(s *RoleSpec) { s.SubnetIDs = nil }, ErrInvalidSpec, "SubnetIDs", -1, ""},
	} {
		t.Run(name, func(t *testing.T) {
			spec := fullRoleSpec(PurposeTraining)
			tc.mutate(&spec)
			_, err := ExecutionPolicy(spec)
			assertRefused(t, err, tc.sentinel, tc.field, tc.index, tc.control)
		})
	}
	if _, err := TrustPolicy(RoleSpec{Partition: "aws", Region: "us-east-1", AccountID: testAccount, Purpose: "x"}); err == nil {
		t.Error("TrustPolicy accepted an unknown purpose")
	}
}

func TestPurposeValues(t *testing.T) {
	for _, v := range PurposeValues() {
		if err := Purpose(v).Validate(); err != nil {
			t.Errorf("%s: %v", v, err)
		}
	}
	if len(PurposeValues()) != 4 {
		t.Errorf("PurposeValues = %v", PurposeValues())
	}
}

func TestExecutionPolicySizeLimit(t *testing.T) {
	spec := minimalRoleSpec(PurposeTraining)
	for i := range 200 {
		spec.S3ReadURIs = append(spec.S3ReadURIs, fmt.Sprintf("s3://bucket-%03d/some/longer/prefix", i))
	}
	_, err := ExecutionPolicy(spec)
	assertRefused(t, err, ErrPolicyTooLarge, "", -1, "")
	if e := err.(*Error); e.Size <= RolePolicyMaxChars || e.Limit != RolePolicyMaxChars {
		t.Errorf("size %d limit %d", e.Size, e.Limit)
	}
}
