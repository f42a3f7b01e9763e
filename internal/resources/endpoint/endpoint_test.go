package endpoint

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"

	"github.com/aws/aws-sdk-go-v2/aws"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

const testKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func testSpec() spec {
	return spec{
		Name: "churn", RoleARN: "arn:aws:iam::123456789012:role/exec",
		Image:        "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:" + strings.Repeat("a", 64),
		ModelDataURL: "s3://models/churn/model.tar.gz", Environment: map[string]string{"A": "1"},
		InstanceType: "ml.m5.xlarge", InstanceCount: 2, KMSKeyARN: testKey,
		SubnetIDs: []string{"subnet-b", "subnet-a"}, SecurityGroupIDs: []string{"sg-1"},
		Capture:    captureSpec{Sampling: 100, Mode: captureBoth},
		Thresholds: alarms.EndpointThresholds{ErrorRate5XX: 0.05, ErrorRate4XX: 0.1, ModelLatencyP99Millis: 1000, CPUPercent: 90, MemoryPercent: 90, DiskPercent: 90},
		Deployment: deploymentSpec{Strategy: strategyAllAtOnce, BakeSeconds: 300},
	}
}

var testSalt = []byte("0123456789abcdef0123456789abcdef")

func TestHashRollsOnModelAndVariantOnly(t *testing.T) {
	base := testSpec()
	h := base.hash(testSalt)
	if len(h) != hashLen {
		t.Fatalf("hash %q has length %d", h, len(h))
	}
	same := []func(*spec){
		func(s *spec) { s.SubnetIDs = []string{"subnet-a", "subnet-b"} }, // order does not matter
		func(s *spec) { s.Thresholds.ErrorRate5XX = 0.5 },                // alarms change in place
		func(s *spec) { s.Actions = []string{"arn:aws:sns:us-east-1:1:t"} },
		func(s *spec) { s.Tags = map[string]string{"team": "ml"} },
		func(s *spec) { s.LogRetentionDays = 30 },
		func(s *spec) { s.Deployment = deploymentSpec{Strategy: strategyCanary, CanaryPercent: 10} },
		func(s *spec) { s.Capture.S3URI = "s3://other/" }, // capture is off
	}
	for i, f := range same {
		s := testSpec()
		f(&s)
		if s.hash(testSalt) != h {
			t.Errorf("change %d must not roll the endpoint", i)
		}
	}
	rolls := map[string]func(*spec){
		"image":          func(s *spec) { s.Image += "x" },
		"model data":     func(s *spec) { s.ModelDataURL = "s3://models/v2.tar.gz" },
		"environment":    func(s *spec) { s.Environment = map[string]string{"A": "2"} },
		"role":           func(s *spec) { s.RoleARN += "2" },
		"subnets":        func(s *spec) { s.SubnetIDs = []string{"subnet-a", "subnet-c"} },
		"groups":         func(s *spec) { s.SecurityGroupIDs = []string{"sg-2"} },
		"instance type":  func(s *spec) { s.InstanceType = "ml.m5.2xlarge" },
		"instance count": func(s *spec) { s.InstanceCount = 3 },
		"key":            func(s *spec) { s.KMSKeyARN = strings.Replace(testKey, "1234abcd", "9999abcd", 1) },
		"capture on":     func(s *spec) { s.Capture.Enabled = true },
	}
	for what, f := range rolls {
		s := testSpec()
		f(&s)
		if s.hash(testSalt) == h {
			t.Errorf("a change of %s must roll the endpoint", what)
		}
	}
	if got := base.versionName(nameKey{Salt: testSalt, Token: "t"}, nil, ""); got != "churn-"+h || !ownVersion("churn", got) {
		t.Errorf("versionName %q", got)
	}
	for _, n := range []string{"churn", "churn-rogue", "churn-" + h + "x", "other-" + h, "churn-2-" + h} {
		if ownVersion("churn", n) {
			t.Errorf("%s must not count as churn's own version", n)
		}
	}
}

func TestCreateInputs(t *testing.T) {
	s := testSpec()
	s.Capture = captureSpec{Enabled: true, S3URI: "s3://capture/churn/", Sampling: 20, Mode: captureInput}
	m := s.createModelInput("churn-x", map[string]string{"k": "v"})
	if !aws.ToBool(m.EnableNetworkIsolation) || m.VpcConfig == nil || !slices.Equal(m.VpcConfig.Subnets, []string{"subnet-a", "subnet-b"}) {
		t.Errorf("model input: isolation %v vpc %+v", aws.ToBool(m.EnableNetworkIsolation), m.VpcConfig)
	}
	c := s.createConfigInput("churn-x", "churn-x", false, nil)
	if aws.ToString(c.KmsKeyId) != testKey {
		t.Errorf("volume key %q", aws.ToString(c.KmsKeyId))
	}
	if dc := c.DataCaptureConfig; dc == nil || aws.ToString(dc.KmsKeyId) != testKey || len(dc.CaptureOptions) != 1 ||
		dc.CaptureOptions[0].CaptureMode != smtypes.CaptureModeInput || aws.ToInt32(dc.InitialSamplingPercentage) != 20 {
		t.Errorf("data capture %+v", c.DataCaptureConfig)
	}
	v := c.ProductionVariants[0]
	if aws.ToString(v.VariantName) != VariantName || aws.ToInt32(v.InitialInstanceCount) != 2 {
		t.Errorf("variant %+v", v)
	}
	// NVMe instance storage: no volume key, the capture is still encrypted.
	c = s.createConfigInput("churn-x", "churn-x", true, nil)
	if c.KmsKeyId != nil || aws.ToString(c.DataCaptureConfig.KmsKeyId) != testKey {
		t.Errorf("NVMe: volume key %v, capture key %v", c.KmsKeyId, c.DataCaptureConfig.KmsKeyId)
	}
	if got := captureOptions(captureBoth); len(got) != 2 {
		t.Errorf("both: %v", got)
	}
}

func TestDeploymentConfig(t *testing.T) {
	for _, tc := range []struct {
		d        deploymentSpec
		typ      smtypes.TrafficRoutingConfigType
		minTotal int64
	}{
		{deploymentSpec{Strategy: strategyAllAtOnce, BakeSeconds: 300}, smtypes.TrafficRoutingConfigTypeAllAtOnce, 300},
		{deploymentSpec{Strategy: strategyCanary, CanaryPercent: 10, BakeSeconds: 300, TerminationWaitSeconds: 60}, smtypes.TrafficRoutingConfigTypeCanary, 660},
		{deploymentSpec{Strategy: strategyLinear, LinearStepPercent: 30, BakeSeconds: 100, MaxExecutionSeconds: 1200}, smtypes.TrafficRoutingConfigTypeLinear, 400},
	} {
		s := testSpec()
		s.Deployment = tc.d
		dc := s.deploymentConfig()
		tr := dc.BlueGreenUpdatePolicy.TrafficRoutingConfiguration
		if tr.Type != tc.typ || aws.ToInt32(tr.WaitIntervalInSeconds) != int32(tc.d.BakeSeconds) {
			t.Errorf("%s: routing %+v", tc.d.Strategy, tr)
		}
		if tc.d.Strategy == strategyCanary && (tr.CanarySize == nil || aws.ToInt32(tr.CanarySize.Value) != 10 || tr.CanarySize.Type != smtypes.CapacitySizeTypeCapacityPercent) {
			t.Errorf("canary size %+v", tr.CanarySize)
		}
		if tc.d.Strategy == strategyLinear && (tr.LinearStepSize == nil || aws.ToInt32(tr.LinearStepSize.Value) != 30) {
			t.Errorf("linear step %+v", tr.LinearStepSize)
		}
		if got := aws.ToInt32(dc.BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds); got != int32(tc.d.MaxExecutionSeconds) {
			t.Errorf("%s: max execution %d", tc.d.Strategy, got)
		}
		var rb []string
		for _, a := range dc.AutoRollbackConfiguration.Alarms {
			rb = append(rb, aws.ToString(a.AlarmName))
		}
		if !slices.Equal(rb, rollbackAlarmNames("churn")) || len(rb) != 2 {
			t.Errorf("rollback alarms %v", rb)
		}
		if got := tc.d.minExecutionSeconds(); got != tc.minTotal {
			t.Errorf("%s: waits total %d, want %d", tc.d.Strategy, got, tc.minTotal)
		}
	}
}

func TestNameValidation(t *testing.T) {
	ok := []string{"a", "churn-v2", strings.Repeat("a", MaxNameLength)}
	bad := []string{"", "-a", "a-", "a_b", strings.Repeat("a", MaxNameLength+1)}
	for _, n := range ok {
		if !nameRE.MatchString(n) {
			t.Errorf("%q must be valid", n)
		}
	}
	for _, n := range bad {
		if nameRE.MatchString(n) {
			t.Errorf("%q must be invalid", n)
		}
	}
	if len(versionName(strings.Repeat("a", MaxNameLength), strings.Repeat("0", hashLen))) != 63 {
		t.Error("the longest name must give 63-character model and config names")
	}
}

func testModel(t *testing.T) endpointModel {
	t.Helper()
	return endpointModel{
		Name:          types.StringValue("churn"),
		RoleARN:       types.StringValue("arn:aws:iam::123456789012:role/exec"),
		InstanceType:  types.StringValue("ml.m5.xlarge"),
		InstanceCount: types.Int64Value(2),
		KMSKeyARN:     types.StringValue(testKey),
		Model: types.ObjectValueMust(modelAttrTypes, map[string]attr.Value{
			"image":             types.StringValue("123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1"),
			"model_data_s3_uri": types.StringNull(),
			"environment":       types.MapNull(types.StringType),
		}),
		VPC: types.ObjectValueMust(vpcAttrTypes, map[string]attr.Value{
			"subnet_ids":         tfval.Set([]string{"subnet-b", "subnet-a"}),
			"security_group_ids": tfval.Set([]string{"sg-1"}),
		}),
		DataCapture:                 defaultDataCapture(),
		Alarms:                      defaultAlarms(),
		Deployment:                  defaultDeployment(),
		LogRetentionDays:            types.Int64Value(365),
		RetainLogsOnDestroy:         types.BoolValue(true),
		PrivateInvokeVPCEndpointIDs: types.SetNull(types.StringType),
		Tags:                        types.MapNull(types.StringType),
		Timeouts:                    timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})},
	}
}

func TestPlanSubject(t *testing.T) {
	ctx := context.Background()
	data := &providerdata.Data{AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:t"}, DefaultTags: map[string]string{"env": "prod"}}
	m := testModel(t)
	if !fullyKnown(m) {
		t.Fatal("test model must be fully known")
	}
	s, diags := planSubject(ctx, m, data, facts.Known(false))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !slices.Equal(s.SubnetIDs.V, []string{"subnet-a", "subnet-b"}) || !s.NetworkIsolation.V || s.VolumeKMSKeyARN.V != testKey {
		t.Errorf("subject %+v", s)
	}
	if len(s.LogGroups) != 1 || s.LogGroups[0].Name != LogGroupPrefix+"churn" || s.LogGroups[0].KMSKeyARN.V != testKey {
		t.Errorf("log groups %+v", s.LogGroups)
	}
	if len(s.Alarms.V) != len(alarms.EndpointKinds()) || !slices.Equal(s.Alarms.V[0].Actions.V, data.AlarmActions) ||
		s.Alarms.V[6].AnomalyOf != "Invocations" || s.Alarms.V[7].AnomalyOf != "ModelLatency" {
		t.Errorf("alarms %+v", s.Alarms)
	}
	if !s.Deployment.BlueGreen.V || len(s.Deployment.RollbackAlarms.V) != 2 || s.Tags.V["env"] != "prod" {
		t.Errorf("deployment %+v tags %+v", s.Deployment, s.Tags)
	}
	// NVMe: no volume key.
	s, _ = planSubject(ctx, m, data, facts.Known(true))
	if s.VolumeKMSKeyARN.State != facts.StateNull {
		t.Errorf("NVMe volume key %+v", s.VolumeKMSKeyARN)
	}
	// Unknown values are skipped, not guessed.
	m.VPC = types.ObjectUnknown(vpcAttrTypes)
	m.KMSKeyARN = types.StringUnknown()
	s, _ = planSubject(ctx, m, data, facts.Unknown[bool]())
	if s.SubnetIDs.State != facts.StateUnknown || s.KMSKeyARN.State != facts.StateUnknown || s.VolumeKMSKeyARN.State != facts.StateUnknown {
		t.Errorf("unknowns: %+v %+v %+v", s.SubnetIDs, s.KMSKeyARN, s.VolumeKMSKeyARN)
	}
	if fullyKnown(m) {
		t.Error("a model with unknowns is not fully known")
	}
	for _, f := range guardrail.Evaluate(s, guardrail.DefaultPolicy()) {
		if f.Control == "SS-NET-1" || f.Control == "SS-KMS-1" {
			t.Errorf("unknown value reported: %+v", f)
		}
	}
}

// recordingFetcher records what the guardrails ask the provider's fetcher.
type recordingFetcher struct{ asked []facts.Request }

func (f *recordingFetcher) Fetch(_ context.Context, req facts.Request) (facts.Facts, error) {
	f.asked = append(f.asked, req)
	return facts.Facts{}, nil
}

// The endpoint's own log group is never looked up by the guardrails: at plan
// and apply its facts are the plan's, at refresh the group Read described.
// The planned facts change no finding.
func TestGuardrailsDoNotLookUpTheLogGroup(t *testing.T) {
	ctx := context.Background()
	data := &providerdata.Data{AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:t"}}
	policy := guardrail.DefaultPolicy()
	policy.MinLogRetentionDays = 400
	for _, retention := range []int64{365, 3653} {
		m := testModel(t)
		m.LogRetentionDays = types.Int64Value(retention)
		s, _ := planSubject(ctx, m, data, facts.Known(false))
		f := &recordingFetcher{}
		got, err := evaluate.Run(ctx, evaluate.Observed(f, plannedLogGroup(s)), policy, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range f.asked {
			if len(req.LogGroups) > 0 {
				t.Errorf("plan asked for log groups %v", req.LogGroups)
			}
		}
		s2, _ := planSubject(ctx, m, data, facts.Known(false))
		want, _ := evaluate.Run(ctx, &recordingFetcher{}, policy, s2)
		if controls(got) != controls(want) {
			t.Errorf("retention %d: findings %s with the planned log group, %s without", retention, controls(got), controls(want))
		}
		if retention == 365 && !strings.Contains(controls(got), "SS-MON-3/") {
			t.Errorf("a short retention must be found: %s", controls(got))
		}
	}

	m := testModel(t)
	lg := &logstypes.LogGroup{LogGroupName: aws.String(LogGroupPrefix + "churn"), KmsKeyId: aws.String(testKey), RetentionInDays: aws.Int32(365)}
	s, observed := liveSubject(ctx, m, &liveObjects{logGroup: lg}, data, new(diag.Diagnostics))
	f := &recordingFetcher{}
	if _, err := evaluate.Run(ctx, evaluate.Observed(f, observed), policy, s); err != nil {
		t.Fatal(err)
	}
	for _, req := range f.asked {
		if len(req.LogGroups) > 0 {
			t.Errorf("refresh asked for log groups %v", req.LogGroups)
		}
	}
	if fact := s.Facts.LogGroups[LogGroupPrefix+"churn"]; !fact.Found || fact.KMSKeyARN != testKey || fact.RetentionDays != 365 {
		t.Errorf("live log group fact %+v", fact)
	}
}

func controls(findings []guardrail.Finding) string {
	var ids []string
	for _, f := range findings {
		ids = append(ids, f.Control+"/"+string(f.Severity))
	}
	slices.Sort(ids)
	return strings.Join(ids, ",")
}

func TestPathFor(t *testing.T) {
	s := &guardrail.Subject{SubnetIDs: facts.Known([]string{"subnet-a", "subnet-b"})}
	p := paths(s)
	if got, want := p.For(guardrail.Finding{Field: guardrail.FieldSubnetIDs, Index: 1}), path.Root("vpc").AtName("subnet_ids").AtSetValue(types.StringValue("subnet-b")); !got.Equal(want) {
		t.Errorf("subnet path %s", got)
	}
	if got := p.For(guardrail.Finding{Field: guardrail.FieldImage, Index: -1}); !got.Equal(path.Root("model").AtName("image")) {
		t.Errorf("image path %s", got)
	}
	diags := findingDiagnostics([]guardrail.Finding{
		{Control: "SS-MON-3", Severity: guardrail.SeverityError, Field: guardrail.FieldLogGroups, Index: 0, Summary: "short"},
		{Control: "SS-ENC-5", Severity: guardrail.SeverityError, Field: guardrail.FieldLogGroups, Index: 0, Summary: "plain"},
	}, s)
	if len(diags) != 2 || !strings.Contains(fmt.Sprint(diags[0]), "log_retention_days") || !strings.Contains(fmt.Sprint(diags[1]), "kms_key_arn") {
		t.Errorf("log group findings: %v", diags)
	}
}

// TestPlanFindingsBlockOnlyChanges: a weakened subnet refuses a plan that
// creates or changes the endpoint, and is a warning naming the control on a
// plan that leaves it unchanged.
func TestPlanFindingsBlockOnlyChanges(t *testing.T) {
	c := planChecked{
		subject: &guardrail.Subject{Kind: guardrail.KindEndpoint, Name: "churn", SubnetIDs: facts.Known([]string{"subnet-a"})},
		findings: []guardrail.Finding{{Control: "SS-NET-2", Severity: guardrail.SeverityError, Field: guardrail.FieldSubnetIDs, Index: 0,
			Summary: "subnet subnet-a is not private", Evidence: "Its route table sends 0.0.0.0/0 to internet gateway igw-1."}},
	}
	var changed, unchanged diag.Diagnostics
	c.report(true, &changed)
	c.report(false, &unchanged)
	if changed.ErrorsCount() != 1 || !strings.HasPrefix(changed[0].Summary(), "SS-NET-2:") {
		t.Errorf("a change is not refused with SS-NET-2: %v", changed)
	}
	if unchanged.HasError() || unchanged.WarningsCount() != 1 || !strings.HasPrefix(unchanged[0].Summary(), "SS-NET-2:") ||
		!strings.Contains(unchanged[0].Detail(), "leaves endpoint churn unchanged") {
		t.Errorf("an unchanged endpoint is not warned about SS-NET-2: %v", unchanged)
	}
}

func TestSameValueNumbers(t *testing.T) {
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"n": tftypes.Number, "s": tftypes.Set{ElementType: tftypes.String}}}
	parsed, _, _ := big.ParseFloat("0.05", 10, 512, big.ToNearestEven)
	mk := func(n *big.Float, set ...string) tftypes.Value {
		var elems []tftypes.Value
		for _, e := range set {
			elems = append(elems, tftypes.NewValue(tftypes.String, e))
		}
		return tftypes.NewValue(typ, map[string]tftypes.Value{
			"n": tftypes.NewValue(tftypes.Number, n),
			"s": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems),
		})
	}
	a, b := mk(big.NewFloat(0.05), "x", "y"), mk(parsed, "y", "x")
	if a.Equal(b) {
		t.Fatal("the test needs values that differ in precision")
	}
	if planChanges(a, b) {
		t.Error("0.05 as float64 and 0.05 parsed from state are the same number; set order does not matter")
	}
	if !planChanges(a, mk(big.NewFloat(0.06), "x", "y")) || !planChanges(a, mk(big.NewFloat(0.05), "x")) {
		t.Error("real changes must be seen")
	}
}

type apiErr struct{ code, msg string }

func (e apiErr) Error() string                 { return e.code + ": " + e.msg }
func (e apiErr) ErrorCode() string             { return e.code }
func (e apiErr) ErrorMessage() string          { return e.msg }
func (e apiErr) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

func TestNotFound(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{apiErr{"ValidationException", "Could not find endpoint 'arn:aws:sagemaker:us-east-1:1:endpoint/x'."}, true},
		{apiErr{"ValidationException", "Could not find model \"x\"."}, true},
		{fmt.Errorf("wrapped: %w", &smtypes.ResourceNotFound{Message: aws.String("gone")}), true},
		{apiErr{"ValidationException", "Cannot update in-progress endpoint"}, false},
		{apiErr{"ThrottlingException", "Could not find a free slot"}, false},
		{errors.New("Could not find"), false},
	} {
		if got := sageMakerNotFound(tc.err); got != tc.want {
			t.Errorf("%v: got %v", tc.err, got)
		}
	}
	err := wrapNotFound("endpoint", "x", apiErr{"ValidationException", "Could not find endpoint"})
	if !IsNotFound(err) {
		t.Errorf("wrapNotFound: %v", err)
	}
}

func TestFlattenTagsAndDeployment(t *testing.T) {
	live := map[string]string{"team": "ml", "env": "prod", ownerTagKey: "churn", "aws:cloudformation:x": "y"}
	got := flattenTags(live, types.MapNull(types.StringType), map[string]string{"env": "prod"})
	if len(got.Elements()) != 1 || got.Elements()["team"] == nil {
		t.Errorf("tags %v", got)
	}
	if got := flattenTags(map[string]string{ownerTagKey: "churn"}, types.MapNull(types.StringType), nil); !got.IsNull() {
		t.Errorf("no own tags must be null, got %v", got)
	}
	s := testSpec()
	s.Deployment = deploymentSpec{Strategy: strategyLinear, LinearStepPercent: 20, BakeSeconds: 60, TerminationWaitSeconds: 30, MaxExecutionSeconds: 900}
	obj := flattenDeployment(s.deploymentConfig())
	var d deploymentModel
	if diags := obj.As(context.Background(), &d, objectAsOptions); diags.HasError() {
		t.Fatal(diags)
	}
	if d.Strategy.ValueString() != strategyLinear || d.LinearStepPercent.ValueInt64() != 20 || d.BakeSeconds.ValueInt64() != 60 ||
		d.TerminationWaitSeconds.ValueInt64() != 30 || d.MaxExecutionSeconds.ValueInt64() != 900 || !d.CanaryPercent.IsNull() {
		t.Errorf("deployment %+v", d)
	}
	if !flattenDeployment(nil).Equal(defaultDeployment()) {
		t.Error("no deployment config must flatten to the defaults")
	}
}

// fakeEC2 serves network interfaces; gone lists those that disappear after
// a number of polls.
type fakeEC2 struct {
	enis  []ec2types.NetworkInterface
	polls int
	gone  map[string]int
}

func (f *fakeEC2) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	f.polls++
	out := &ec2.DescribeNetworkInterfacesOutput{}
	for _, ni := range f.enis {
		if after, ok := f.gone[aws.ToString(ni.NetworkInterfaceId)]; ok && f.polls > after {
			continue
		}
		out.NetworkInterfaces = append(out.NetworkInterfaces, ni)
	}
	return out, nil
}

func eni(id, requester, desc string) ec2types.NetworkInterface {
	return ec2types.NetworkInterface{NetworkInterfaceId: aws.String(id), RequesterId: aws.String(requester), Description: aws.String(desc)}
}

func TestWaitENIsReleased(t *testing.T) {
	savedInitial, savedMax := pollInitial, pollMax
	pollInitial, pollMax = time.Millisecond, time.Millisecond
	t.Cleanup(func() { pollInitial, pollMax = savedInitial, savedMax })
	ctx := context.Background()
	f := &fakeEC2{enis: []ec2types.NetworkInterface{
		eni("eni-1", "AROAEXAMPLE:SageMaker", ""),
		eni("eni-2", "", "SageMaker endpoint interface"),
		eni("eni-3", "amazon-elb", "ELB app/x"), // not SageMaker's
	}, gone: map[string]int{"eni-1": 2, "eni-2": 4}}
	before, err := sageMakerENIs(ctx, f, []string{"subnet-a"}, []string{"sg-1"})
	if err != nil || !slices.Equal(before, []string{"eni-1", "eni-2"}) {
		t.Fatalf("SageMaker interfaces %v, %v", before, err)
	}
	// Its own subnets and groups: wait for all of them.
	left, err := waitENIsReleased(ctx, f, before, 2, []string{"subnet-a"}, []string{"sg-1"})
	if err != nil || len(left) != 0 || f.polls < 5 {
		t.Errorf("left %v after %d polls, err %v", left, f.polls, err)
	}
	// Shared with another endpoint (3 interfaces, this one had 1): one gone is enough.
	f = &fakeEC2{enis: []ec2types.NetworkInterface{
		eni("eni-1", "x:SageMaker", ""), eni("eni-2", "x:SageMaker", ""), eni("eni-3", "x:SageMaker", ""),
	}, gone: map[string]int{"eni-2": 1}}
	before, _ = sageMakerENIs(ctx, f, []string{"subnet-a"}, []string{"sg-1"})
	if left, err := waitENIsReleased(ctx, f, before, 1, []string{"subnet-a"}, []string{"sg-1"}); err != nil || len(left) != 0 {
		t.Errorf("shared: left %v, err %v", left, err)
	}
	// Bounded by the context: returns what is left.
	f = &fakeEC2{enis: []ec2types.NetworkInterface{eni("eni-9", "x:SageMaker", "")}}
	tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	left, err = waitENIsReleased(tctx, f, []string{"eni-9"}, 1, []string{"subnet-a"}, []string{"sg-1"})
	if !errors.Is(err, errTimeout) || !slices.Equal(left, []string{"eni-9"}) {
		t.Errorf("timeout: left %v, err %v", left, err)
	}
}

// fakeDescribe answers DescribeEndpoint with statuses, then "Could not find".
type fakeDescribe struct {
	statuses []smtypes.EndpointStatus
	calls    int
}

func (f *fakeDescribe) DescribeEndpoint(_ context.Context, in *sagemaker.DescribeEndpointInput, _ ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointOutput, error) {
	f.calls++
	if f.calls > len(f.statuses) {
		return nil, apiErr{"ValidationException", "Could not find endpoint '" + aws.ToString(in.EndpointName) + "'."}
	}
	return &sagemaker.DescribeEndpointOutput{EndpointName: in.EndpointName, EndpointStatus: f.statuses[f.calls-1],
		EndpointArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:endpoint/" + aws.ToString(in.EndpointName))}, nil
}

func TestWaitGone(t *testing.T) {
	savedInitial, savedMax := pollInitial, pollMax
	pollInitial, pollMax = time.Millisecond, 2*time.Millisecond
	defer func() { pollInitial, pollMax = savedInitial, savedMax }()

	// A Failed endpoint being deleted may still describe as Failed: that is
	// not the end of the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f := &fakeDescribe{statuses: []smtypes.EndpointStatus{smtypes.EndpointStatusFailed, smtypes.EndpointStatusDeleting, smtypes.EndpointStatusDeleting}}
	if err := waitGone(ctx, f, "x"); err != nil || f.calls != 4 {
		t.Errorf("waitGone = %v after %d calls, want nil after 4", err, f.calls)
	}

	// The delete timeout bounds the wait, and the error says where it stood.
	short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	f = &fakeDescribe{statuses: slices.Repeat([]smtypes.EndpointStatus{smtypes.EndpointStatusDeleting}, 10000)}
	if err := waitGone(short, f, "x"); err == nil || !strings.Contains(err.Error(), "endpoint x is still Deleting") {
		t.Errorf("waitGone on timeout = %v", err)
	}

	// Any other error ends the wait.
	failing := describeFunc(func() error { return apiErr{"AccessDeniedException", "no"} })
	if err := waitGone(ctx, failing, "x"); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("waitGone on access denied = %v", err)
	}
}

type describeFunc func() error

func (f describeFunc) DescribeEndpoint(context.Context, *sagemaker.DescribeEndpointInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointOutput, error) {
	return nil, f()
}

// TestVersionNameIsKeyed: the version name changes with the environment,
// but it is not a function of the settings alone: without the resource's
// salt, neither the old unkeyed hash nor a guess of the environment
// reproduces it, and another resource's salt gives another name.
func TestVersionNameIsKeyed(t *testing.T) {
	k := nameKey{Salt: testSalt, Token: "t"}
	base := testSpec()
	name := base.versionName(k, nil, "")
	secret := testSpec()
	secret.Environment = map[string]string{"A": "2"}
	if secret.versionName(k, nil, "") == name {
		t.Error("a changed environment value must change the name")
	}
	if again := testSpec().versionName(k, nil, ""); again != name {
		t.Errorf("the name is not stable: %s then %s", name, again)
	}
	// What anyone who sees the plan can compute: the unkeyed hash, or a
	// hash under an empty or other key.
	unkeyed := sha256.Sum256(base.fingerprint())
	for what, guess := range map[string]string{
		"unkeyed sha256": versionName("churn", hex.EncodeToString(unkeyed[:])[:hashLen]),
		"empty key":      base.versionName(nameKey{Token: "t"}, nil, ""),
		"other salt":     base.versionName(nameKey{Salt: []byte("another resource's salt........."), Token: "t"}, nil, ""),
	} {
		if guess == name {
			t.Errorf("the name can be computed from the settings alone (%s)", what)
		}
	}
	k1, err1 := newNameKey("")
	k2, err2 := newNameKey("")
	if err1 != nil || err2 != nil || len(k1.Salt) != 32 || k1.Token == "" || string(k1.Salt) == string(k2.Salt) || k1.Token == k2.Token {
		t.Errorf("new keys must be random: %v %v", err1, err2)
	}
}

// TestVersionNameKeepsAdoptedVersion: an imported endpoint (a key made
// with Adopted) keeps serving its version while the settings are the ones
// the refresh read from it; any change, or a version it does not serve,
// gets a keyed name.
func TestVersionNameKeepsAdoptedVersion(t *testing.T) {
	k := nameKey{Salt: testSalt, Token: "t", Adopted: "churn-0badc0de"}
	s, live := testSpec(), testSpec()
	if got := s.versionName(k, &live, "churn-0badc0de"); got != "churn-0badc0de" {
		t.Errorf("unchanged settings: %s, want the adopted version", got)
	}
	keyed := s.versionName(nameKey{Salt: testSalt, Token: "t"}, nil, "")
	changed := testSpec()
	changed.Environment = map[string]string{"A": "2"}
	if got := s.versionName(k, &changed, "churn-0badc0de"); got != keyed {
		t.Errorf("changed settings: %s, want %s", got, keyed)
	}
	if got := s.versionName(k, &live, "churn-other"); got != keyed {
		t.Errorf("the endpoint serves another version: %s, want %s", got, keyed)
	}
	if got := s.versionName(k, nil, ""); got != keyed {
		t.Errorf("create: %s, want %s", got, keyed)
	}
}

// TestCheckExisting: an existing model or configuration is used only with
// this resource's creation token (or as the untagged adopted version) and
// only with the plan's settings.
func TestCheckExisting(t *testing.T) {
	k := nameKey{Salt: testSalt, Token: "tok", Adopted: "churn-adopted"}
	for _, c := range []struct {
		name, object string
		tags         map[string]string
		diffs        []string
		claim        bool
		err          string
	}{
		{name: "own", object: "churn-1", tags: map[string]string{idem.TokenTag: "tok"}},
		{name: "squatted, no token", object: "churn-1", tags: map[string]string{ownerTagKey: "churn"},
			err: "model churn-1 exists and was not created by this resource"},
		{name: "another resource's token", object: "churn-1", tags: map[string]string{idem.TokenTag: "other"},
			err: "model churn-1 exists and was not created by this resource"},
		{name: "own but weakened", object: "churn-1", tags: map[string]string{idem.TokenTag: "tok"}, diffs: []string{"network isolation is false, the plan says true"},
			err: "model churn-1 exists but its settings differ from the plan: network isolation is false"},
		{name: "adopted, untagged", object: "churn-adopted", claim: true},
		{name: "adopted, already claimed", object: "churn-adopted", tags: map[string]string{idem.TokenTag: "tok"}},
		{name: "adopted, made by the resource whose state was lost", object: "churn-adopted", tags: map[string]string{idem.TokenTag: "lost"}, claim: true},
		{name: "not the adopted version, foreign token", object: "churn-other", tags: map[string]string{idem.TokenTag: "lost"},
			err: "was not created by this resource"},
		{name: "adopted but weakened", object: "churn-adopted", diffs: []string{"VPC subnets are [], the plan says [subnet-a]"},
			err: "its settings differ from the plan: VPC subnets"},
	} {
		claim, err := checkExisting("model", c.object, c.tags, c.diffs, k)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.err)
		case claim != c.claim:
			t.Errorf("%s: claim %v, want %v", c.name, claim, c.claim)
		}
	}
	if _, err := checkExisting("model", "churn-x", nil, nil, nameKey{Salt: testSalt, Token: "tok"}); err == nil {
		t.Error("without an adopted version, an untagged object is refused")
	}
}

// TestAuditModelAndConfig: the audit finds every security setting of a
// squatted model or configuration that differs from the plan.
func TestAuditModelAndConfig(t *testing.T) {
	s := testSpec()
	in := s.createModelInput("churn-x", nil)
	good := &sagemaker.DescribeModelOutput{
		ModelName: in.ModelName, ExecutionRoleArn: in.ExecutionRoleArn, PrimaryContainer: in.PrimaryContainer,
		VpcConfig: in.VpcConfig, EnableNetworkIsolation: aws.Bool(true),
	}
	if d := auditModel(s, good); len(d) != 0 {
		t.Errorf("the planned model: %v", d)
	}
	squat := &sagemaker.DescribeModelOutput{ModelName: in.ModelName, ExecutionRoleArn: in.ExecutionRoleArn,
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String("999999999999.dkr.ecr.us-east-1.amazonaws.com/evil:latest")}}
	d := strings.Join(auditModel(s, squat), "\n")
	for _, want := range []string{"VPC subnets", "VPC security groups", "network isolation", "the image", "the model data", "the environment"} {
		if !strings.Contains(d, want) {
			t.Errorf("the squatted model's audit misses %s:\n%s", want, d)
		}
	}
	cin := s.createConfigInput("churn-x", "churn-x", false, nil)
	cfg := &sagemaker.DescribeEndpointConfigOutput{EndpointConfigName: cin.EndpointConfigName, KmsKeyId: cin.KmsKeyId, ProductionVariants: cin.ProductionVariants}
	if d := auditConfig(s, "churn-x", false, cfg); len(d) != 0 {
		t.Errorf("the planned configuration: %v", d)
	}
	weak := &sagemaker.DescribeEndpointConfigOutput{EndpointConfigName: cin.EndpointConfigName, ProductionVariants: slices.Clone(cin.ProductionVariants),
		ShadowProductionVariants: []smtypes.ProductionVariant{{VariantName: aws.String("shadow")}}}
	weak.ProductionVariants[0].ModelName = aws.String("rogue")
	d = strings.Join(auditConfig(s, "churn-x", false, weak), "\n")
	for _, want := range []string{"KmsKeyId", "shadow", "the production variant"} {
		if !strings.Contains(d, want) {
			t.Errorf("the squatted configuration's audit misses %s:\n%s", want, d)
		}
	}
}

// TestCheckInterrupted: an endpoint found under the configured name when a
// create starts is taken up only when sagesafe made it for this name (a
// creation token and the owner tag), it serves a version named as this
// resource names them, with the planned settings, and it is not Failed or
// being deleted.
func TestCheckInterrupted(t *testing.T) {
	const name = "churn"
	version := name + "-0123abcd"
	if !ownVersion(name, version) {
		t.Fatalf("%s is not a version name of %s; fix the test", version, name)
	}
	ours := map[string]string{idem.TokenTag: "lost", ownerTagKey: name}
	if err := checkInterrupted(name, smtypes.EndpointStatusInService, ours, version, nil); err != nil {
		t.Fatalf("the endpoint of a killed apply must be taken up: %v", err)
	}
	if err := checkInterrupted(name, smtypes.EndpointStatusCreating, ours, version, nil); err != nil {
		t.Errorf("still creating: %v", err)
	}
	for what, c := range map[string]struct {
		status  smtypes.EndpointStatus
		tags    map[string]string
		version string
		diffs   []string
		want    string
	}{
		"no token":      {smtypes.EndpointStatusInService, map[string]string{ownerTagKey: name}, version, nil, "not created by sagesafe for this name"},
		"other owner":   {smtypes.EndpointStatusInService, map[string]string{idem.TokenTag: "x", ownerTagKey: "other"}, version, nil, "not created by sagesafe"},
		"foreign name":  {smtypes.EndpointStatusInService, ours, "someone-elses-config", nil, "not created by sagesafe"},
		"failed":        {smtypes.EndpointStatusFailed, ours, version, nil, "is Failed"},
		"deleting":      {smtypes.EndpointStatusDeleting, ours, version, nil, "is Deleting"},
		"settings":      {smtypes.EndpointStatusInService, ours, version, []string{"KmsKeyId is (none given), the plan says k"}, "differs from the plan: KmsKeyId"},
		"empty answers": {"", nil, "", nil, "not created by sagesafe"},
	} {
		err := checkInterrupted(name, c.status, c.tags, c.version, c.diffs)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", what, err)
		}
	}
}

// TestMayDelete: a destroy deletes a version's model or configuration only
// when it carries this resource's creation token (or is the version the
// resource adopted); an object a squatter made under a version's name stays.
// The endpoint is left when another resource's token is on it.
func TestMayDelete(t *testing.T) {
	k := &nameKey{Token: "mine", Adopted: "churn-imported"}
	for _, c := range []struct {
		key  *nameKey
		name string
		tags map[string]string
		want bool
	}{
		{k, "churn-a", map[string]string{idem.TokenTag: "mine"}, true},
		{k, "churn-a", map[string]string{idem.TokenTag: "squatter"}, false},
		{k, "churn-a", map[string]string{ownerTagKey: "churn"}, false},
		{k, "churn-imported", nil, true},
		{nil, "churn-a", nil, true},
	} {
		if got := mayDelete(c.key, c.name, c.tags); got != c.want {
			t.Errorf("mayDelete(%+v, %s, %v) = %v", c.key, c.name, c.tags, got)
		}
	}
	if !mayDeleteEndpoint(k, map[string]string{idem.TokenTag: "mine"}) || !mayDeleteEndpoint(k, nil) || !mayDeleteEndpoint(nil, map[string]string{idem.TokenTag: "x"}) {
		t.Error("an endpoint with this resource's token, or none, is this resource's")
	}
	if mayDeleteEndpoint(k, map[string]string{idem.TokenTag: "the new instance's"}) {
		t.Error("an endpoint another resource took over is not deleted")
	}
}
