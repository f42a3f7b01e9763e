package trainingjob

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

const (
	keyARN   = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
	otherKey = "arn:aws:kms:us-east-1:123456789012:key/99999999-2222-3333-4444-555555555555"
)

func testInputs() inputs {
	return inputs{
		Name:              facts.Known("churn-1"),
		RoleARN:           facts.Known("arn:aws:iam::123456789012:role/r"),
		Image:             facts.Known("123456789012.dkr.ecr.us-east-1.amazonaws.com/x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
		ChannelsKnown:     true,
		Channels:          []channelInput{{Name: facts.Known("train"), S3URI: facts.Known("s3://bkt/train/"), ContentType: facts.Null[string](), InputMode: facts.Known("File"), Distribution: facts.Known("FullyReplicated")}},
		Output:            facts.Known("s3://bkt/out"),
		Checkpoint:        facts.Null[string](),
		InstanceType:      facts.Known("ml.m5.xlarge"),
		InstanceCount:     facts.Known(int64(2)),
		VolumeSizeGB:      facts.Known(int64(30)),
		KMSKey:            facts.Known(keyARN),
		SubnetIDs:         facts.Known([]string{"subnet-0123456789abcdef0"}),
		SecurityGroupIDs:  facts.Known([]string{"sg-0123456789abcdef0"}),
		MaxRuntimeSeconds: facts.Known(int64(3600)),
		UseSpot:           facts.Known(false),
		MaxWaitSeconds:    facts.Null[int64](),
		Hyperparameters:   facts.Null[map[string]string](),
		Environment:       facts.Known(map[string]string{"A": "b"}),
		Tags:              facts.Null[map[string]string](),
		Alarms:            alarmSettings{Actions: facts.Null[[]string](), Thresholds: alarms.DefaultTrainingThresholds(), Known: true},
	}
}

func TestExpandCreateForcesSettings(t *testing.T) {
	in := testInputs()
	out := expandCreate(in, "churn-1", false, map[string]string{"team": "ml"})
	if !aws.ToBool(out.EnableNetworkIsolation) || !aws.ToBool(out.EnableInterContainerTrafficEncryption) {
		t.Error("network isolation and inter-container encryption must always be on")
	}
	if aws.ToString(out.OutputDataConfig.KmsKeyId) != keyARN || aws.ToString(out.ResourceConfig.VolumeKmsKeyId) != keyARN {
		t.Errorf("keys: output %v volume %v", out.OutputDataConfig.KmsKeyId, out.ResourceConfig.VolumeKmsKeyId)
	}
	if out.VpcConfig == nil || out.VpcConfig.Subnets[0] != "subnet-0123456789abcdef0" || out.VpcConfig.SecurityGroupIds[0] != "sg-0123456789abcdef0" {
		t.Errorf("vpc: %+v", out.VpcConfig)
	}
	if aws.ToInt32(out.StoppingCondition.MaxRuntimeInSeconds) != 3600 || out.StoppingCondition.MaxWaitTimeInSeconds != nil || aws.ToBool(out.EnableManagedSpotTraining) {
		t.Errorf("stopping condition: %+v", out.StoppingCondition)
	}
	ch := out.InputDataConfig[0]
	if ch.DataSource.S3DataSource.S3DataType != smtypes.S3DataTypeS3Prefix || ch.ContentType != nil || ch.InputMode != "File" {
		t.Errorf("channel: %+v", ch)
	}
	if aws.ToInt32(out.ResourceConfig.InstanceCount) != 2 || out.Environment["A"] != "b" || out.HyperParameters != nil || out.CheckpointConfig != nil {
		t.Errorf("resource config / maps: %+v %v %v", out.ResourceConfig, out.Environment, out.HyperParameters)
	}
	if len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "team" {
		t.Errorf("tags: %+v", out.Tags)
	}

	nvme := expandCreate(in, "churn-1", true, nil)
	if nvme.ResourceConfig.VolumeKmsKeyId != nil {
		t.Error("no volume key may be sent for an NVMe instance type (SageMaker rejects it)")
	}
	if aws.ToString(nvme.OutputDataConfig.KmsKeyId) != keyARN {
		t.Error("the output key is sent for every instance type")
	}

	in.UseSpot, in.MaxWaitSeconds, in.Checkpoint = facts.Known(true), facts.Known(int64(7200)), facts.Known("s3://b/ckpt")
	spot := expandCreate(in, "churn-1", false, nil)
	if !aws.ToBool(spot.EnableManagedSpotTraining) || aws.ToInt32(spot.StoppingCondition.MaxWaitTimeInSeconds) != 7200 || aws.ToString(spot.CheckpointConfig.S3Uri) != "s3://b/ckpt" {
		t.Errorf("spot: %+v %+v", spot.StoppingCondition, spot.CheckpointConfig)
	}
	if d := createTimeout(in); d != 7200*time.Second+createTimeoutMargin {
		t.Errorf("create timeout with spot follows max_wait_seconds: %s", d)
	}
}

func TestMissingForCreate(t *testing.T) {
	in := testInputs()
	if m := missingForCreate(in); len(m) != 0 {
		t.Fatalf("complete inputs reported missing %v", m)
	}
	in.KMSKey, in.SubnetIDs = facts.Unknown[string](), facts.Null[[]string]()
	if m := missingForCreate(in); !slices.Equal(m, []string{"kms_key_arn", "vpc.subnet_ids"}) {
		t.Errorf("missing = %v", m)
	}
}

func TestValidateSpot(t *testing.T) {
	in := testInputs()
	if a, _ := validateSpot(in); a != "" {
		t.Fatalf("on-demand job refused: %s", a)
	}
	in.UseSpot = facts.Known(true)
	if a, msg := validateSpot(in); a != "max_wait_seconds" || !strings.Contains(msg, "needs") {
		t.Errorf("spot without max_wait: %s %s", a, msg)
	}
	in.MaxWaitSeconds = facts.Known(int64(60))
	if a, msg := validateSpot(in); a == "" || !strings.Contains(msg, "at least") {
		t.Errorf("max_wait below max_runtime: %s %s", a, msg)
	}
	in.UseSpot = facts.Known(false)
	if a, msg := validateSpot(in); a == "" || !strings.Contains(msg, "only to spot") {
		t.Errorf("max_wait without spot: %s %s", a, msg)
	}
}

func TestRetentionFor(t *testing.T) {
	for minDays, want := range map[int64]int32{0: 365, 1: 1, 2: 3, 365: 365, 366: 400, 5000: 3653} {
		if got := retentionFor(minDays); got != want {
			t.Errorf("retentionFor(%d) = %d, want %d", minDays, got, want)
		}
	}
}

func TestPlanLogGroup(t *testing.T) {
	own := facts.KeyFact{Found: true, ARN: keyARN, State: "Enabled", Manager: "CUSTOMER"}
	group := func(key string, days int64) prefetched {
		return prefetched{LogGroupFetched: true, LogGroup: facts.LogGroupFact{Name: LogGroupName, Found: true, KMSKeyARN: key, RetentionDays: days},
			Key: own, KeyFetched: true}
	}
	withGroupKey := func(p prefetched, k facts.KeyFact) prefetched {
		p.GroupKey, p.GroupKeyFetched = k, true
		return p
	}
	cases := []struct {
		name       string
		p          prefetched
		key        facts.Value[string]
		associate  bool
		raise      bool
		own        bool
		wantKey    string
		wantDays   int64
		keyUnknown bool
	}{
		{"missing", prefetched{LogGroupFetched: true, LogGroup: facts.LogGroupFact{Name: LogGroupName}}, facts.Known(keyARN), true, true, true, keyARN, 365, false},
		{"unencrypted, short retention", group("", 7), facts.Known(keyARN), true, true, true, keyARN, 365, false},
		{"own key, never expires", group(keyARN, 0), facts.Known(keyARN), false, false, true, keyARN, 0, false},
		{"own key named by alias", group(keyARN, 731), facts.Known("alias/ml"), false, false, true, "alias/ml", 731, false},
		{"another usable key is kept", withGroupKey(group(otherKey, 365), facts.KeyFact{Found: true, ARN: otherKey, State: "Enabled"}), facts.Known(keyARN), false, false, false, otherKey, 365, false},
		{"another key pending deletion is replaced", withGroupKey(group(otherKey, 365), facts.KeyFact{Found: true, ARN: otherKey, State: "PendingDeletion"}), facts.Known(keyARN), true, false, true, keyARN, 365, false},
		{"another key that is gone is replaced", withGroupKey(group(otherKey, 365), facts.KeyFact{}), facts.Known(keyARN), true, false, true, keyARN, 365, false},
		{"workload key unknown", group("", 365), facts.Unknown[string](), false, false, true, "", 365, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lp := planLogGroup(c.p, c.key, 365)
			if lp.AssociateKey != c.associate || lp.RaiseRetention != c.raise || lp.OwnKey != c.own {
				t.Errorf("associate %v raise %v own %v, want %v %v %v", lp.AssociateKey, lp.RaiseRetention, lp.OwnKey, c.associate, c.raise, c.own)
			}
			if c.keyUnknown != (lp.Key.State == facts.StateUnknown) || (!c.keyUnknown && lp.Key.V != c.wantKey) {
				t.Errorf("key %+v, want %q", lp.Key, c.wantKey)
			}
			if lp.Retention.V != c.wantDays || (c.raise && int64(lp.RetentionDays) != c.wantDays) {
				t.Errorf("retention %+v (set %d), want %d", lp.Retention, lp.RetentionDays, c.wantDays)
			}
		})
	}
	if lp := planLogGroup(prefetched{}, facts.Known(keyARN), 365); lp.Key.State != facts.StateUnknown || lp.AssociateKey {
		t.Errorf("not fetched must stay unknown and change nothing: %+v", lp)
	}
}

func TestLiveLogGroup(t *testing.T) {
	p := prefetched{LogGroupFetched: true, LogGroup: facts.LogGroupFact{Found: true, KMSKeyARN: keyARN, RetentionDays: 30},
		Key: facts.KeyFact{Found: true, ARN: keyARN}, KeyFetched: true}
	if lp := liveLogGroup(p, facts.Known("alias/ml")); !lp.OwnKey || lp.Key.V != "alias/ml" || lp.Retention.V != 30 {
		t.Errorf("own key: %+v", lp)
	}
	p.LogGroup.KMSKeyARN = otherKey
	if lp := liveLogGroup(p, facts.Known(keyARN)); lp.OwnKey || lp.Key.V != otherKey {
		t.Errorf("other key: %+v", lp)
	}
	p.LogGroup.KMSKeyARN = ""
	if lp := liveLogGroup(p, facts.Known(keyARN)); !lp.OwnKey || !lp.Key.IsKnown() || lp.Key.V != "" {
		t.Errorf("unencrypted must be checked (and fail) as the job's group: %+v", lp)
	}
	p.LogGroup.Found = false
	if lp := liveLogGroup(p, facts.Known(keyARN)); lp.Key.State != facts.StateNull {
		t.Errorf("missing: %+v", lp)
	}
}

// fakeFetcher answers from fixed facts: what it has is Found, the rest is
// looked up and missing.
type fakeFetcher struct{ found facts.Facts }

func (f fakeFetcher) Fetch(_ context.Context, req facts.Request) (facts.Facts, error) {
	out := facts.Facts{Subnets: map[string]facts.SubnetFact{}, SecurityGroups: map[string]facts.SecurityGroupFact{},
		Keys: map[string]facts.KeyFact{}, Roles: map[string]facts.RoleFact{}, InstanceTypes: map[string]facts.InstanceTypeFact{},
		Buckets: map[string]facts.BucketFact{}, LogGroups: map[string]facts.LogGroupFact{}}
	for _, id := range req.SubnetIDs {
		out.Subnets[id] = f.found.Subnets[id]
	}
	for _, id := range req.SecurityGroupIDs {
		out.SecurityGroups[id] = f.found.SecurityGroups[id]
	}
	for _, id := range req.KeyRefs {
		out.Keys[id] = f.found.Keys[id]
	}
	for _, id := range req.RoleARNs {
		out.Roles[id] = f.found.Roles[id]
	}
	for _, id := range req.InstanceTypes {
		out.InstanceTypes[id] = f.found.InstanceTypes[id]
	}
	for _, id := range req.Buckets {
		out.Buckets[id] = f.found.Buckets[id]
	}
	for _, id := range req.LogGroups {
		out.LogGroups[id] = f.found.LogGroups[id]
	}
	return out, nil
}

func compliantFacts(in inputs) facts.Facts {
	return facts.Facts{
		Subnets:        map[string]facts.SubnetFact{in.SubnetIDs.V[0]: {Found: true, Private: true, HasS3GatewayRoute: true, AvailabilityZone: "us-east-1a"}},
		SecurityGroups: map[string]facts.SecurityGroupFact{in.SecurityGroupIDs.V[0]: {Found: true}},
		Keys: map[string]facts.KeyFact{
			keyARN:   {Found: true, ARN: keyARN, Manager: "CUSTOMER", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", State: "Enabled", RotationEnabled: true, Region: "us-east-1"},
			otherKey: {Found: true, ARN: otherKey, Manager: "CUSTOMER", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", State: "Enabled", RotationEnabled: false, Region: "us-east-1"},
		},
		Roles:         map[string]facts.RoleFact{in.RoleARN.V: {Found: true, Name: "r"}},
		InstanceTypes: map[string]facts.InstanceTypeFact{"ml.m5.xlarge": {Found: true}, "ml.g5.xlarge": {Found: true, InstanceStorageSupported: true, GPUs: 1}},
		Buckets:       map[string]facts.BucketFact{"bkt": {Found: true, DefaultSSEKMS: true, DeniesInsecureTransport: true}},
		LogGroups:     map[string]facts.LogGroupFact{LogGroupName: {Found: true, Name: LogGroupName, KMSKeyARN: keyARN, RetentionDays: 365}},
	}
}

func testData() *providerdata.Data {
	return &providerdata.Data{AWS: &awsclient.Client{Region: "us-east-1", AccountID: "123456789012", Partition: "aws"},
		Policy: guardrail.DefaultPolicy(), AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:t"}}
}

func TestPlanSubjectAndChecks(t *testing.T) {
	ctx := context.Background()
	in := testInputs()
	f := fakeFetcher{found: compliantFacts(in)}
	data := testData()

	pre, err := prefetch(ctx, f, in.InstanceType, in.KMSKey)
	if err != nil {
		t.Fatal(err)
	}
	s := planSubject(in, pre, data)
	if !s.NetworkIsolation.V || !s.InterContainerEncryption.V || s.VolumeKMSKeyARN.V != keyARN || s.OutputKMSKeyARN.V != keyARN {
		t.Fatalf("forced settings in the subject: %+v", s)
	}
	if n := len(s.Alarms.V); n != 4 {
		t.Errorf("2 CPU instances have 4 alarms, got %d", n)
	}
	ev, err := runChecks(ctx, f, data.Policy, s, planLogGroup(pre, in.KMSKey, 365))
	if err != nil {
		t.Fatal(err)
	}
	if guardrail.HasErrors(ev.Findings) {
		t.Fatalf("a compliant plan has errors: %+v", ev.Findings)
	}
	for _, id := range []string{"SS-NET-4", "SS-ENC-1", "SS-ENC-2", "SS-ENC-3", "SS-ENC-5", "SS-MON-1", "SS-MON-3"} {
		if !slices.Contains(ev.Controls, id) {
			t.Errorf("controls lack %s: %v", id, ev.Controls)
		}
	}

	// NVMe: no volume key, and that is compliant; a GPU adds an idle alarm.
	in.InstanceType = facts.Known("ml.g5.xlarge")
	pre, _ = prefetch(ctx, f, in.InstanceType, in.KMSKey)
	s = planSubject(in, pre, data)
	if s.VolumeKMSKeyARN.State != facts.StateNull || len(s.Alarms.V) != 6 {
		t.Fatalf("nvme subject: volume %+v, %d alarms", s.VolumeKMSKeyARN, len(s.Alarms.V))
	}
	ev, _ = runChecks(ctx, f, data.Policy, s, planLogGroup(pre, in.KMSKey, 365))
	if guardrail.HasErrors(ev.Findings) {
		t.Errorf("nvme plan has errors: %+v", ev.Findings)
	}
}

func TestSharedLogGroupWithAnotherKey(t *testing.T) {
	ctx := context.Background()
	in := testInputs()
	found := compliantFacts(in)
	found.LogGroups[LogGroupName] = facts.LogGroupFact{Found: true, Name: LogGroupName, KMSKeyARN: otherKey, RetentionDays: 365}
	f := fakeFetcher{found: found}
	data := testData()
	pre, _ := prefetch(ctx, f, in.InstanceType, in.KMSKey)
	if !pre.GroupKeyFetched || pre.GroupKey.ARN != otherKey {
		t.Fatalf("the group's own key must be looked up: %+v", pre)
	}
	lp := planLogGroup(pre, in.KMSKey, 365)
	if lp.OwnKey || lp.AssociateKey {
		t.Fatalf("another enabled key is kept: %+v", lp)
	}
	ev, err := runChecks(ctx, f, data.Policy, planSubject(in, pre, data), lp)
	if err != nil {
		t.Fatal(err)
	}
	// otherKey does not rotate: the shared group's own subject reports it,
	// on log_group_name; SS-ENC-5 holds (the group is encrypted with a CMK).
	var kms2 *guardrail.Finding
	for i, fd := range ev.Findings {
		if fd.Control == "SS-KMS-2" {
			kms2 = &ev.Findings[i]
		}
		if fd.Control == "SS-ENC-5" {
			t.Errorf("a group encrypted with another CMK must not fail SS-ENC-5: %+v", fd)
		}
		if fd.Control == "SS-NET-1" {
			t.Errorf("the shared subject's unrelated findings must be dropped: %+v", fd)
		}
	}
	if kms2 == nil || kms2.Field != guardrail.FieldLogGroups || !strings.Contains(kms2.Evidence, "shared log group") {
		t.Fatalf("want SS-KMS-2 on the shared log group, got %+v", ev.Findings)
	}
	if p := pathFor(true)(*kms2); !p.Equal(path.Root("log_group_name")) {
		t.Errorf("path %s", p)
	}
	if slices.Contains(ev.Controls, "SS-KMS-2") || !slices.Contains(ev.Controls, "SS-ENC-5") {
		t.Errorf("controls %v", ev.Controls)
	}

	found.Keys[otherKey] = facts.KeyFact{Found: true, ARN: otherKey, Manager: "CUSTOMER", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", State: "Enabled", RotationEnabled: true, Region: "us-east-1"}
	ev, _ = runChecks(ctx, f, data.Policy, planSubject(in, pre, data), lp)
	if guardrail.HasErrors(ev.Findings) || !slices.Contains(ev.Controls, "SS-KMS-2") {
		t.Errorf("a rotating CMK of another team is compliant: %+v %v", ev.Findings, ev.Controls)
	}
}

func TestPathFor(t *testing.T) {
	p := pathFor(true)
	for _, c := range []struct {
		f    guardrail.Field
		i    int
		want path.Path
	}{
		{guardrail.FieldSubnetIDs, 0, path.Root("vpc").AtName("subnet_ids").AtListIndex(0)},
		{guardrail.FieldSecurityGroupIDs, -1, path.Root("vpc").AtName("security_group_ids")},
		{guardrail.FieldVolumeKMSKey, -1, path.Root("kms_key_arn")},
		{fieldInputs, 1, path.Root("input_channels").AtListIndex(1).AtName("s3_uri")},
		{fieldOutput, -1, path.Root("output_s3_uri")},
		{guardrail.FieldMaxRuntime, -1, path.Root("max_runtime_seconds")},
		{guardrail.FieldNetworkIsolation, -1, path.Empty()},
	} {
		if got := p(guardrail.Finding{Field: c.f, Index: c.i}); !got.Equal(c.want) {
			t.Errorf("pathFor(%s, %d) = %s, want %s", c.f, c.i, got, c.want)
		}
	}
	if got := pathFor(false)(guardrail.Finding{Field: guardrail.FieldSubnetIDs, Index: -1}); !got.Equal(path.Root("vpc")) {
		t.Errorf("a missing vpc block is reported on vpc, got %s", got)
	}
}

func TestFlattenJobNormalisesServerValues(t *testing.T) {
	ctx := context.Background()
	hyper, _ := types.MapValueFrom(ctx, types.StringType, map[string]string{"epochs": "3"})
	env, _ := types.MapValueFrom(ctx, types.StringType, map[string]string{"A": "b"})
	tags, _ := types.MapValueFrom(ctx, types.StringType, map[string]string{"team": "ml"})
	prior := model{Hyperparameters: hyper, Environment: env, Tags: tags, VPC: types.ObjectNull(vpcAttrTypes), WaitForCompletion: types.BoolNull()}
	job := &sagemaker.DescribeTrainingJobOutput{
		TrainingJobName: aws.String("j"), TrainingJobArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:training-job/j"),
		TrainingJobStatus: smtypes.TrainingJobStatusInProgress, SecondaryStatus: smtypes.SecondaryStatusTraining,
		RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		AlgorithmSpecification: &smtypes.AlgorithmSpecification{TrainingImage: aws.String("img"), TrainingInputMode: "File",
			MetricDefinitions: []smtypes.MetricDefinition{{Name: aws.String("train:loss"), Regex: aws.String(".*")}}},
		InputDataConfig: []smtypes.Channel{{ChannelName: aws.String("train"), RecordWrapperType: smtypes.RecordWrapperNone, CompressionType: smtypes.CompressionTypeNone,
			DataSource: &smtypes.DataSource{S3DataSource: &smtypes.S3DataSource{S3Uri: aws.String("s3://b/t"), S3DataType: smtypes.S3DataTypeS3Prefix}}}},
		OutputDataConfig: &smtypes.OutputDataConfig{S3OutputPath: aws.String("s3://b/o"), KmsKeyId: aws.String(keyARN), CompressionType: smtypes.OutputCompressionTypeGzip},
		ResourceConfig:   &smtypes.ResourceConfig{InstanceType: "ml.m5.xlarge", InstanceCount: aws.Int32(1), VolumeSizeInGB: aws.Int32(30), KeepAlivePeriodInSeconds: aws.Int32(0)},
		StoppingCondition: &smtypes.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(3600), MaxPendingTimeInSeconds: aws.Int32(7200),
			MaxWaitTimeInSeconds: aws.Int32(3600)},
		HyperParameters:        map[string]string{"epochs": "3", "sagemaker_region": "us-east-1"},
		ModelArtifacts:         &smtypes.ModelArtifacts{S3ModelArtifacts: aws.String("s3://b/o/j/output/model.tar.gz")},
		EnableNetworkIsolation: aws.Bool(true),
	}
	m := prior
	var diags diag.Diagnostics
	diags.Append(flattenJob(ctx, &m, job, map[string]string{"team": "ml", "owner": "platform", "aws:cloudformation:stack": "x"}, map[string]string{"owner": "platform"})...)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !m.Hyperparameters.Equal(hyper) {
		t.Errorf("hyperparameters SageMaker adds must not be a diff: %s", m.Hyperparameters)
	}
	if !m.Environment.Equal(env) {
		t.Errorf("an environment the API omits keeps the configured one: %s", m.Environment)
	}
	if !m.Tags.Equal(tags) {
		t.Errorf("default and aws: tags are not the resource's own: %s", m.Tags)
	}
	if !m.MaxWaitSeconds.IsNull() || m.MaxRuntimeSeconds.ValueInt64() != 3600 {
		t.Errorf("max_wait is only read for spot jobs: %s %s", m.MaxWaitSeconds, m.MaxRuntimeSeconds)
	}
	if !m.ModelArtifactsS3URI.IsNull() {
		t.Errorf("artifacts are only reported once the job completed: %s", m.ModelArtifactsS3URI)
	}
	var chans []channelModel
	m.InputChannels.ElementsAs(ctx, &chans, false)
	if len(chans) != 1 || chans[0].InputMode.ValueString() != "File" || chans[0].Distribution.ValueString() != DefaultDistribution || !chans[0].ContentType.IsNull() {
		t.Errorf("channel defaults: %+v", chans)
	}
	if !m.WaitForCompletion.ValueBool() || m.KMSKeyARN.ValueString() != keyARN || !m.VPC.IsNull() || m.LogGroupName.ValueString() != LogGroupName {
		t.Errorf("flattened: wait %s key %s vpc %s", m.WaitForCompletion, m.KMSKeyARN, m.VPC)
	}

	// A hyperparameter changed outside the config is read as is.
	job.HyperParameters = map[string]string{"epochs": "4"}
	flattenJob(ctx, &m, job, nil, nil)
	if m.Hyperparameters.Equal(hyper) {
		t.Error("a changed hyperparameter must show")
	}
	job.TrainingJobStatus = smtypes.TrainingJobStatusCompleted
	flattenStatus(&m, job)
	if m.ModelArtifactsS3URI.ValueString() != "s3://b/o/j/output/model.tar.gz" {
		t.Errorf("artifacts of a completed job: %s", m.ModelArtifactsS3URI)
	}
}

func TestFlattenVPCKeepsOrder(t *testing.T) {
	ctx := context.Background()
	prior, _ := types.ObjectValue(vpcAttrTypes, map[string]attr.Value{
		"subnet_ids":         types.ListValueMust(types.StringType, []attr.Value{types.StringValue("subnet-b"), types.StringValue("subnet-a")}),
		"security_group_ids": types.ListValueMust(types.StringType, []attr.Value{types.StringValue("sg-1")}),
	})
	var diags diag.Diagnostics
	got := flattenVPC(ctx, &smtypes.VpcConfig{Subnets: []string{"subnet-a", "subnet-b"}, SecurityGroupIds: []string{"sg-1"}}, prior, &diags)
	if !got.Equal(prior) {
		t.Errorf("same sets in another order must not be a diff: %s", got)
	}
	got = flattenVPC(ctx, &smtypes.VpcConfig{Subnets: []string{"subnet-c"}, SecurityGroupIds: []string{"sg-1"}}, prior, &diags)
	if got.Equal(prior) {
		t.Error("a different subnet must show")
	}
}

func TestImmutableAndForcedChanges(t *testing.T) {
	base := model{Name: types.StringValue("j"), NamePrefix: types.StringNull(), RoleARN: types.StringNull(), Image: types.StringNull(),
		InputChannels: types.ListNull(channelObjectType), OutputS3URI: types.StringNull(), CheckpointS3URI: types.StringNull(),
		InstanceType: types.StringNull(), InstanceCount: types.Int64Null(), VolumeSizeGB: types.Int64Null(), KMSKeyARN: types.StringValue(keyARN),
		VPC: types.ObjectNull(vpcAttrTypes), MaxRuntimeSeconds: types.Int64Null(), UseSpot: types.BoolNull(), MaxWaitSeconds: types.Int64Null(),
		Hyperparameters: types.MapNull(types.StringType), Environment: types.MapNull(types.StringType), Tags: types.MapNull(types.StringType)}
	changed := base
	changed.Tags = types.MapValueMust(types.StringType, map[string]attr.Value{"a": types.StringValue("b")})
	if c := immutableChanges(changed, base); len(c) != 0 {
		t.Errorf("tags are not an input of the job: %v", c)
	}
	changed.KMSKeyARN = types.StringValue(otherKey)
	if c := immutableChanges(changed, base); !slices.Equal(c, []string{"kms_key_arn"}) {
		t.Errorf("changes %v", c)
	}
	if len(immutableAttributes) != 17 {
		t.Errorf("every input of the job must be compared: %v", immutableAttributes)
	}

	state := types.ListValueMust(types.StringType, []attr.Value{types.StringValue("SS-ENC-1"), types.StringValue("SS-ENC-2")})
	if lost := lostForcedControls(state, []string{"SS-ENC-1", "SS-ENC-2", "SS-ENC-3", "SS-NET-4"}); !slices.Equal(lost, []string{"SS-NET-4", "SS-ENC-3"}) {
		t.Errorf("lost %v", lost)
	}
	if lost := lostForcedControls(types.ListValueMust(types.StringType, nil), []string{"SS-NET-4"}); lost != nil {
		t.Errorf("a job never checked is not replaced: %v", lost)
	}
}

func TestAlarmDriftAndImport(t *testing.T) {
	ctx := context.Background()
	in := testInputs()
	in.InstanceCount = facts.Known(int64(1))
	in.Alarms.Actions = facts.Known([]string{"arn:aws:sns:us-east-1:123456789012:x"})
	in.Alarms.Thresholds.DiskPercent = 80
	specs := alarms.TrainingSpecs(alarmInput("j", in, 1, testData(), nil))
	live := map[string]cwtypes.MetricAlarm{}
	for _, s := range specs {
		live[s.Name] = cwtypes.MetricAlarm{AlarmName: aws.String(s.Name), Namespace: aws.String(s.Namespace), MetricName: aws.String(s.Metric),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("Host"), Value: aws.String("j/algo-1")}}, Statistic: s.Statistic,
			Period: aws.Int32(s.PeriodSeconds), EvaluationPeriods: aws.Int32(s.EvaluationPeriods), Threshold: aws.Float64(s.Threshold),
			ComparisonOperator: s.Comparison, ActionsEnabled: aws.Bool(true), AlarmActions: s.Actions,
			AlarmDescription: aws.String(s.Description), DatapointsToAlarm: aws.Int32(s.DatapointsToAlarm), TreatMissingData: aws.String(s.TreatMissingData)}
	}
	ok, drift := alarmDrift(specs, live)
	if len(ok) != 3 || len(drift) != 0 {
		t.Fatalf("ok %v drift %v", ok, drift)
	}
	settings := settingsFromAlarms(live, "j", 1, testData().AlarmActions)
	var a alarmsModel
	settings.As(ctx, &a, objectAsOptions)
	if a.DiskPercent.ValueFloat64() != 80 || a.MemoryPercent.ValueFloat64() != 90 || a.GPUIdlePercent.ValueFloat64() != 5 || len(a.Actions.Elements()) != 1 {
		t.Errorf("import recovers the settings: %+v", a)
	}

	gpu := live[alarms.TrainingAlarmName("j", 1, alarms.TrainingGPUIdle)]
	gpu.ActionsEnabled = aws.Bool(false)
	live[aws.ToString(gpu.AlarmName)] = gpu
	delete(live, alarms.TrainingAlarmName("j", 1, alarms.TrainingMemory))
	ok, drift = alarmDrift(specs, live)
	if len(ok) != 1 || len(drift) != 2 || !strings.Contains(strings.Join(drift, " "), "actions are disabled") {
		t.Errorf("ok %v drift %v", ok, drift)
	}

	plain := map[string]cwtypes.MetricAlarm{}
	for _, s := range alarms.TrainingSpecs(alarmInput("j", testInputs(), 0, testData(), nil)) {
		plain[s.Name] = cwtypes.MetricAlarm{Threshold: aws.Float64(s.Threshold), AlarmActions: s.Actions}
	}
	if s := settingsFromAlarms(plain, "j", 0, testData().AlarmActions); !s.Equal(defaultAlarms()) {
		t.Errorf("default alarms import as the default attribute: %s", s)
	}
}

// fakeSageMaker answers DescribeTrainingJob and ListTrainingJobs.
type fakeSageMaker struct {
	sageMakerAPI
	describeErr error
	listed      []string
}

func (f fakeSageMaker) DescribeTrainingJob(context.Context, *sagemaker.DescribeTrainingJobInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeTrainingJobOutput, error) {
	return nil, f.describeErr
}

func (f fakeSageMaker) ListTrainingJobs(_ context.Context, in *sagemaker.ListTrainingJobsInput, _ ...func(*sagemaker.Options)) (*sagemaker.ListTrainingJobsOutput, error) {
	out := &sagemaker.ListTrainingJobsOutput{}
	for _, n := range f.listed {
		if strings.Contains(n, aws.ToString(in.NameContains)) {
			out.TrainingJobSummaries = append(out.TrainingJobSummaries, smtypes.TrainingJobSummary{TrainingJobName: aws.String(n)})
		}
	}
	return out, nil
}

func TestFindJobNotFound(t *testing.T) {
	ctx := context.Background()
	validation := &smithy.GenericAPIError{Code: "ValidationException", Message: "Requested resource not found."}
	if _, err := jobsOf(fakeSageMaker{describeErr: validation, listed: []string{"job-10"}}).Find(ctx, "job-1"); !errors.Is(err, sagemakerjob.ErrNotFound) {
		t.Errorf("a ValidationException for a job that is not listed is not found: %v", err)
	}
	if _, err := jobsOf(fakeSageMaker{describeErr: validation, listed: []string{"job-1"}}).Find(ctx, "job-1"); err == nil || errors.Is(err, sagemakerjob.ErrNotFound) {
		t.Errorf("a ValidationException for a listed job is a real error: %v", err)
	}
	if _, err := jobsOf(fakeSageMaker{describeErr: &smtypes.ResourceNotFound{Message: aws.String("x")}}).Find(ctx, "job-1"); !errors.Is(err, sagemakerjob.ErrNotFound) {
		t.Errorf("ResourceNotFound: %v", err)
	}
	if _, err := jobsOf(fakeSageMaker{describeErr: &smithy.GenericAPIError{Code: "ThrottlingException"}}).Find(ctx, "job-1"); err == nil || errors.Is(err, sagemakerjob.ErrNotFound) {
		t.Errorf("throttling is not not-found: %v", err)
	}
}

// scriptedSageMaker answers DescribeTrainingJob from a script, one answer a
// call (the last one repeats), and ListTrainingJobs as fakeSageMaker does.
type scriptedSageMaker struct {
	fakeSageMaker
	answers []describeAnswer
	calls   int
}

type describeAnswer struct {
	status smtypes.TrainingJobStatus
	err    error
}

func (f *scriptedSageMaker) DescribeTrainingJob(_ context.Context, in *sagemaker.DescribeTrainingJobInput, _ ...func(*sagemaker.Options)) (*sagemaker.DescribeTrainingJobOutput, error) {
	a := f.answers[min(f.calls, len(f.answers)-1)]
	f.calls++
	if a.err != nil {
		return nil, a.err
	}
	out := &sagemaker.DescribeTrainingJobOutput{TrainingJobName: in.TrainingJobName, TrainingJobStatus: a.status, SecondaryStatus: smtypes.SecondaryStatusTraining,
		TrainingJobArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:training-job/" + aws.ToString(in.TrainingJobName))}
	if a.status == smtypes.TrainingJobStatusFailed {
		out.FailureReason = aws.String("AlgorithmError: out of memory")
	}
	return out, nil
}

func TestWaitForEnd(t *testing.T) {
	ctx := context.Background()
	fast := func() *sagemakerjob.Poll {
		return &sagemakerjob.Poll{Next: time.Millisecond, Max: 5 * time.Millisecond}
	}
	notFound := describeAnswer{err: &smithy.GenericAPIError{Code: "ValidationException", Message: "Requested resource not found."}}
	inProgress := describeAnswer{status: smtypes.TrainingJobStatusInProgress}

	api := &scriptedSageMaker{answers: []describeAnswer{notFound, notFound, inProgress, {status: smtypes.TrainingJobStatusFailed}}}
	job, err := jobsOf(api).WaitOn(ctx, "job-1", time.Minute, fast())
	if err != nil || job == nil || job.TrainingJobStatus != smtypes.TrainingJobStatusFailed || aws.ToString(job.FailureReason) == "" {
		t.Fatalf("a failed job ends the wait with its description: %+v, %v", job, err)
	}
	if api.calls != 4 {
		t.Errorf("%d DescribeTrainingJob calls, want 4", api.calls)
	}

	for _, st := range []smtypes.TrainingJobStatus{smtypes.TrainingJobStatusCompleted, smtypes.TrainingJobStatusStopped} {
		job, err := jobsOf(&scriptedSageMaker{answers: []describeAnswer{inProgress, {status: st}}}).WaitOn(ctx, "job-1", time.Minute, fast())
		if err != nil || job.TrainingJobStatus != st {
			t.Errorf("%s ends the wait: %+v, %v", st, job, err)
		}
	}

	job, err = jobsOf(&scriptedSageMaker{answers: []describeAnswer{inProgress}}).WaitOn(ctx, "job-1", 50*time.Millisecond, fast())
	if err == nil || job == nil || err.Error() != "timed out after 50ms waiting for training job job-1 to end; it is InProgress (Training)" {
		t.Errorf("timeout: %+v, %v", job, err)
	}

	// A read that still fails after the SDK's retries (throttling, 5xx) does
	// not end the wait: the job runs on, and failing here would taint it.
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException"}
	api = &scriptedSageMaker{answers: []describeAnswer{inProgress, {err: throttled}, {err: throttled}, {status: smtypes.TrainingJobStatusCompleted}}}
	job, err = jobsOf(api).WaitOn(ctx, "job-1", time.Minute, fast())
	if err != nil || job == nil || job.TrainingJobStatus != smtypes.TrainingJobStatusCompleted || api.calls != 4 {
		t.Errorf("a transient error is waited out: %+v, %v (%d calls)", job, err, api.calls)
	}
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException"}
	job, err = jobsOf(&scriptedSageMaker{answers: []describeAnswer{inProgress, {err: denied}}}).WaitOn(ctx, "job-1", time.Minute, fast())
	if !errors.Is(err, denied) || job == nil || job.TrainingJobStatus != smtypes.TrainingJobStatusInProgress {
		t.Errorf("an error ends the wait with the last description: %+v, %v", job, err)
	}

	api = &scriptedSageMaker{answers: []describeAnswer{notFound}}
	if _, err := jobsOf(api).WaitOn(ctx, "job-1", time.Minute, fast()); !errors.Is(err, sagemakerjob.ErrNotFound) || api.calls != 6 {
		t.Errorf("not found is tolerated five times: %d calls, %v", api.calls, err)
	}
}

func TestSchemaDescriptions(t *testing.T) {
	r := &trainingJobResource{}
	resp := new(resource.SchemaResponse)
	r.Schema(context.Background(), resource.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	re := regexp.MustCompile(`\S`)
	for name, a := range resp.Schema.Attributes {
		if !re.MatchString(a.GetMarkdownDescription()) {
			t.Errorf("attribute %s has no description", name)
		}
	}
	for name, b := range resp.Schema.Blocks {
		if !re.MatchString(b.GetMarkdownDescription()) {
			t.Errorf("block %s has no description", name)
		}
	}
	for _, a := range immutableAttributes {
		if _, ok := resp.Schema.Attributes[a]; !ok {
			if _, ok := resp.Schema.Blocks[a]; !ok {
				t.Errorf("immutable attribute %s is not in the schema", a)
			}
		}
	}
	if d := resp.Schema.ValidateImplementation(context.Background()); d.HasError() {
		t.Errorf("schema: %v", d)
	}
}

// createdJob is the description of the job in asked for, created just after
// started: every setting of the request echoed.
func createdJob(in *sagemaker.CreateTrainingJobInput, started time.Time) *sagemaker.DescribeTrainingJobOutput {
	return &sagemaker.DescribeTrainingJobOutput{
		TrainingJobName: in.TrainingJobName, TrainingJobArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:training-job/" + aws.ToString(in.TrainingJobName)),
		CreationTime: aws.Time(started.Add(time.Second)), RoleArn: in.RoleArn,
		AlgorithmSpecification: &smtypes.AlgorithmSpecification{TrainingImage: in.AlgorithmSpecification.TrainingImage,
			TrainingInputMode: in.AlgorithmSpecification.TrainingInputMode},
		ResourceConfig: &smtypes.ResourceConfig{InstanceType: in.ResourceConfig.InstanceType, InstanceCount: in.ResourceConfig.InstanceCount,
			VolumeSizeInGB: in.ResourceConfig.VolumeSizeInGB, VolumeKmsKeyId: in.ResourceConfig.VolumeKmsKeyId},
		OutputDataConfig:       &smtypes.OutputDataConfig{S3OutputPath: in.OutputDataConfig.S3OutputPath, KmsKeyId: in.OutputDataConfig.KmsKeyId},
		VpcConfig:              &smtypes.VpcConfig{Subnets: in.VpcConfig.Subnets, SecurityGroupIds: in.VpcConfig.SecurityGroupIds},
		EnableNetworkIsolation: aws.Bool(true), EnableInterContainerTrafficEncryption: aws.Bool(true),
		EnableManagedSpotTraining: in.EnableManagedSpotTraining, StoppingCondition: in.StoppingCondition, CheckpointConfig: in.CheckpointConfig,
		HyperParameters: in.HyperParameters, Environment: in.Environment, InputDataConfig: in.InputDataConfig,
	}
}

// checkAdoption is sagemakerjob's rule for a job of in's name with tags,
// audited with jobDiffs.
func checkAdoption(in *sagemaker.CreateTrainingJobInput, job *sagemaker.DescribeTrainingJobOutput, tags map[string]string, token string, started time.Time) (string, error) {
	return jobsOf(nil).CheckAdoption(sagemakerjob.Claim{Name: aws.ToString(in.TrainingJobName), Tags: tags, Token: token,
		Created: aws.ToTime(job.CreationTime), Started: started, Diffs: jobDiffs(in, job)})
}

// TestCheckAdoption: a job of the requested name is adopted after a lost
// answer only when it carries this call's creation token and the request's
// settings; a job someone else made under that name is refused, naming it.
func TestCheckAdoption(t *testing.T) {
	in := expandCreate(testInputs(), "churn-1", false, nil)
	started := time.Now()
	job := createdJob(in, started)
	if _, err := checkAdoption(in, job, map[string]string{idem.TokenTag: "tok"}, "tok", started); err != nil {
		t.Fatalf("the job this call created must be adopted: %v", err)
	}
	for what, tags := range map[string]map[string]string{
		"no token":                 {"team": "ml"},
		"other token, no owner":    {idem.TokenTag: "someone else's"},
		"owner, no token":          {ownerTagKey: "churn-1"},
		"other token, other owner": {idem.TokenTag: "someone else's", ownerTagKey: "churn-2"},
	} {
		_, err := checkAdoption(in, job, tags, "tok", started)
		if err == nil || !strings.Contains(err.Error(), "training job churn-1 exists and was not created by this resource") {
			t.Errorf("%s: %v", what, err)
		}
	}
	old := *job
	old.CreationTime = aws.Time(started.Add(-time.Hour))
	if _, err := checkAdoption(in, &old, map[string]string{idem.TokenTag: "tok"}, "tok", started); err == nil {
		t.Error("a job of this token created before the call is not ours")
	}
	weak := *job
	weak.ResourceConfig = &smtypes.ResourceConfig{InstanceType: in.ResourceConfig.InstanceType, InstanceCount: in.ResourceConfig.InstanceCount}
	if _, err := checkAdoption(in, &weak, map[string]string{idem.TokenTag: "tok"}, "tok", started); err == nil || !strings.Contains(err.Error(), "settings differ") {
		t.Errorf("a job without the volume key: %v", err)
	}
}

// TestCheckAdoptionAfterKilledApply: after an apply killed before it saved
// the state, its creation token is gone. The job it started is adopted
// (however old) when it carries a token, the owner tag naming it and every
// planned setting; a difference in any setting, the input data and the
// environment included, refuses it with the difference named.
func TestCheckAdoptionAfterKilledApply(t *testing.T) {
	in := expandCreate(testInputs(), "churn-1", false, nil)
	in.HyperParameters = map[string]string{"epochs": "3"}
	in.Environment = map[string]string{"LOG_LEVEL": "info"}
	started := time.Now()
	job := createdJob(in, started.Add(-48*time.Hour))
	tags := map[string]string{idem.TokenTag: "the killed apply's", ownerTagKey: "churn-1"}
	how, err := checkAdoption(in, job, tags, "tok", started)
	if err != nil || !strings.Contains(how, "interrupted apply") {
		t.Fatalf("the job a killed apply started must be adopted: %q, %v", how, err)
	}
	changes := map[string]func(j *sagemaker.DescribeTrainingJobOutput){
		"input data": func(j *sagemaker.DescribeTrainingJobOutput) {
			j.InputDataConfig = []smtypes.Channel{{ChannelName: aws.String("train"), DataSource: &smtypes.DataSource{S3DataSource: &smtypes.S3DataSource{
				S3DataType: smtypes.S3DataTypeS3Prefix, S3Uri: aws.String("s3://attacker/poison/")}}}}
		},
		"environment":     func(j *sagemaker.DescribeTrainingJobOutput) { j.Environment = map[string]string{"EXFILTRATE_TO": "x"} },
		"hyperparameters": func(j *sagemaker.DescribeTrainingJobOutput) { j.HyperParameters = nil },
		"no VPC":          func(j *sagemaker.DescribeTrainingJobOutput) { j.VpcConfig = nil },
		"output key": func(j *sagemaker.DescribeTrainingJobOutput) {
			j.OutputDataConfig = &smtypes.OutputDataConfig{S3OutputPath: in.OutputDataConfig.S3OutputPath}
		},
		"empty answer": func(j *sagemaker.DescribeTrainingJobOutput) { *j = sagemaker.DescribeTrainingJobOutput{} },
	}
	for what, change := range changes {
		j := *job
		change(&j)
		_, err := checkAdoption(in, &j, tags, "tok", started)
		if err == nil || !strings.Contains(err.Error(), "settings differ from the plan") {
			t.Errorf("%s: %v", what, err)
		}
	}
}

// failingFetcher is a posture lookup that fails: nothing is looked up.
type failingFetcher struct{ err error }

func (f failingFetcher) Fetch(context.Context, facts.Request) (facts.Facts, error) {
	return facts.Facts{}, f.err
}

// TestChecksWithFailedLookup: a refresh whose posture lookups fail does not
// keep the controls of the last check. The controls that need the missing
// facts are not_checked with the reason; the ones decided by the job alone
// are still checked; a job that could not be checked at all has every
// control not_checked.
func TestChecksWithFailedLookup(t *testing.T) {
	ctx := context.Background()
	in := testInputs()
	data := testData()
	lookupErr := errors.New("kms: DescribeKey: throttled")
	pre, err := prefetch(ctx, failingFetcher{lookupErr}, in.InstanceType, in.KMSKey)
	if !errors.Is(err, lookupErr) {
		t.Fatalf("prefetch: %v", err)
	}
	s := planSubject(in, pre, data)
	ev, err := runChecks(ctx, failingFetcher{lookupErr}, data.Policy, s, planLogGroup(pre, in.KMSKey, 365))
	if !errors.Is(err, lookupErr) {
		t.Fatalf("runChecks: %v", err)
	}
	m := model{AlarmNames: types.MapNull(types.StringType)}
	var diags diag.Diagnostics
	if recordInspection(ctx, &m, inspection{ev: ev, checked: true}, err, "Checking training job j", &diags) || diags.WarningsCount() != 1 {
		t.Errorf("an incomplete check is reported once as a warning: %v", diags)
	}
	states := map[string]string{}
	diags.Append(m.ControlStates.ElementsAs(ctx, &states, false)...)
	for _, id := range []string{"SS-KMS-1", "SS-NET-2", "SS-IAM-1"} {
		if got := states[id]; !strings.HasPrefix(got, "not_checked: lookup failed: ") || !strings.Contains(got, "throttled") {
			t.Errorf("%s (needs posture) is %q", id, got)
		}
	}
	if got := states["SS-NET-4"]; got != "held" {
		t.Errorf("SS-NET-4 (the job alone) is %q", got)
	}
	var held []string
	diags.Append(m.Controls.ElementsAs(ctx, &held, false)...)
	if slices.Contains(held, "SS-KMS-1") || !slices.Contains(held, "SS-NET-4") {
		t.Errorf("controls %v", held)
	}

	m = model{}
	diags = nil
	if recordInspection(ctx, &m, inspection{}, errors.New("listing tags: 500"), "Checking training job j", &diags) || diags.WarningsCount() != 1 {
		t.Errorf("a failed check is a warning: %v", diags)
	}
	states = map[string]string{}
	diags.Append(m.ControlStates.ElementsAs(ctx, &states, false)...)
	if len(states) == 0 || len(m.Controls.Elements()) != 0 {
		t.Fatalf("states %v, controls %v", states, m.Controls)
	}
	for id, st := range states {
		if !strings.HasPrefix(st, "not_checked: the check of the live job failed: listing tags: 500") {
			t.Errorf("%s is %q", id, st)
		}
	}
}

// TestReadCreated: right after CreateTrainingJob a job may not be shown yet;
// the read is retried. An error that does not pass by itself is returned at
// once.
func TestReadCreated(t *testing.T) {
	ctx := context.Background()
	notFound := describeAnswer{err: &smithy.GenericAPIError{Code: "ValidationException", Message: "Requested resource not found."}}
	api := &scriptedSageMaker{answers: []describeAnswer{notFound, {status: smtypes.TrainingJobStatusInProgress}}}
	if job, err := jobsOf(api).ReadCreated(ctx, "job-1"); err != nil || job == nil || api.calls != 2 {
		t.Errorf("not shown yet, then shown: %+v, %v, %d calls", job, err, api.calls)
	}
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException"}
	api = &scriptedSageMaker{answers: []describeAnswer{{err: denied}}}
	if _, err := jobsOf(api).ReadCreated(ctx, "job-1"); !errors.Is(err, denied) || api.calls != 1 {
		t.Errorf("access denied: %v, %d calls", err, api.calls)
	}
}
