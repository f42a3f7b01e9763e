package monitorspec

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

func TestInterval(t *testing.T) {
	for expr, want := range map[string]int32{
		"rate(1 hour)": 3600, "rate(6 hours)": 21600, "rate(1 day)": 86400, "rate(120 minutes)": 7200,
		"cron(0 * ? * * *)": 3600, "cron(0 5 ? * * *)": 86400,
	} {
		got, err := Interval(expr)
		if err != nil || got != want {
			t.Errorf("Interval(%q) = %d, %v; want %d", expr, got, err, want)
		}
	}
	for _, expr := range []string{"rate(5 minutes)", "rate(2 days)", "cron(*/5 * ? * * *)", "at(2026-01-01T00:00:00)", "rate(1 hours", ""} {
		if _, err := Interval(expr); err == nil {
			t.Errorf("Interval(%q) accepted", expr)
		}
	}
	if IsCron("rate(1 hour)") || !IsCron("cron(0 * ? * * *)") {
		t.Error("IsCron")
	}
}

func job() Job {
	return Job{Monitor: "churn-drift", Endpoint: "churn", RoleARN: "arn:aws:iam::111122223333:role/exec", Image: "img@sha256:1",
		Instance: "ml.m5.xlarge", Count: 1, VolumeGB: 30, KMSKeyARN: "arn:aws:kms:us-east-1:111122223333:key/k", VolumeKey: true,
		SubnetIDs: []string{"subnet-a"}, SecurityGroupIDs: []string{"sg-1"}, MaxRuntimeSeconds: 1800,
		CaptureURI: "s3://b/capture", ConstraintsURI: "s3://b/base/constraints.json", StatisticsURI: "s3://b/base/statistics.json",
		OutputURI: "s3://b/reports/", Tags: map[string]string{"sagesafe:model-monitor": "churn-drift"}}
}

// The scheduled run carries every forced setting, and the input read back
// from a schedule is the same request.
func TestTargetInput(t *testing.T) {
	in, err := job().TargetInput()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(in, "null") || strings.Contains(in, "{}") {
		t.Errorf("input carries unset members: %s", in)
	}
	req, err := ParseTargetInput(in)
	if err != nil {
		t.Fatal(err)
	}
	nc := req.NetworkConfig
	if !aws.ToBool(nc.EnableNetworkIsolation) || !aws.ToBool(nc.EnableInterContainerTrafficEncryption) ||
		nc.VpcConfig.Subnets[0] != "subnet-a" || nc.VpcConfig.SecurityGroupIds[0] != "sg-1" {
		t.Errorf("network: %+v", nc)
	}
	cc := req.ProcessingResources.ClusterConfig
	if aws.ToString(cc.VolumeKmsKeyId) != job().KMSKeyARN || aws.ToString(req.ProcessingOutputConfig.KmsKeyId) != job().KMSKeyARN {
		t.Error("keys not set")
	}
	if aws.ToInt32(req.StoppingCondition.MaxRuntimeInSeconds) != 1800 || aws.ToString(req.RoleArn) != job().RoleARN {
		t.Error("runtime or role")
	}
	if got := aws.ToString(req.ProcessingJobName); got != "churn-drift-"+ExecutionIDAttribute {
		t.Errorf("job name %q", got)
	}
	if got := aws.ToString(req.ProcessingInputs[0].S3Input.S3Uri); got != "s3://b/capture/churn/" {
		t.Errorf("capture input %q", got)
	}
	if req.Environment["publish_cloudwatch_metrics"] != "Enabled" || req.Environment["sagemaker_monitoring_schedule_name"] != "churn-drift" ||
		req.Environment["baseline_constraints"] != "/opt/ml/processing/baseline/constraints/constraints.json" {
		t.Errorf("environment %v", req.Environment)
	}
	// A weakened input differs; key order and spacing do not.
	var tree map[string]any
	_ = json.Unmarshal([]byte(in), &tree)
	tree["NetworkConfig"].(map[string]any)["EnableNetworkIsolation"] = false
	weakened, _ := json.Marshal(tree)
	if SameInput(in, string(weakened)) {
		t.Error("a weakened input is the same")
	}
	pretty, _ := json.MarshalIndent(json.RawMessage(in), "", "  ")
	if !SameInput(in, string(pretty)) {
		t.Error("reformatted input differs")
	}
	// NVMe instance types get no volume key.
	j := job()
	j.VolumeKey = false
	if j.ProcessingJob().ProcessingResources.ClusterConfig.VolumeKmsKeyId != nil {
		t.Error("volume key sent for NVMe")
	}
}

// The execution ID in the Scheduler guide's example makes a valid job name
// for the longest monitor name.
func TestJobName(t *testing.T) {
	long := strings.Repeat("m", MaxNameLength)
	if name, ok := JobName(long, "d32c5kddcf5bb8c3"); !ok {
		t.Errorf("%s is not a valid job name", name)
	}
	if _, ok := JobName("m", "bad_id"); ok {
		t.Error("underscore accepted")
	}
}

func TestMonitoringSchedule(t *testing.T) {
	c := job().MonitoringSchedule("cron(0 * ? * * *)")
	d := c.MonitoringJobDefinition
	if c.MonitoringType != smtypes.MonitoringTypeDataQuality || !aws.ToBool(d.NetworkConfig.EnableNetworkIsolation) ||
		!aws.ToBool(d.NetworkConfig.EnableInterContainerTrafficEncryption) || aws.ToString(d.MonitoringOutputConfig.KmsKeyId) == "" ||
		aws.ToString(d.MonitoringResources.ClusterConfig.VolumeKmsKeyId) == "" || aws.ToString(d.MonitoringInputs[0].EndpointInput.EndpointName) != "churn" {
		t.Errorf("schedule config: %+v", d)
	}
}

func TestCapture(t *testing.T) {
	on := &smtypes.DataCaptureConfig{EnableCapture: aws.Bool(true), DestinationS3Uri: aws.String("s3://b/c"), KmsKeyId: aws.String("k"),
		CaptureOptions: []smtypes.CaptureOption{{CaptureMode: smtypes.CaptureModeOutput}, {CaptureMode: smtypes.CaptureModeInput}}}
	if c := Capture(on); !c.Enabled.V || !c.InputCaptured.V || c.DestinationURI.V != "s3://b/c" || c.KMSKeyARN.V != "k" {
		t.Errorf("capture on: %+v", c)
	}
	on.CaptureOptions = on.CaptureOptions[:1]
	if c := Capture(on); c.InputCaptured.V {
		t.Error("output-only capture counts as input")
	}
	if c := Capture(nil); !c.Enabled.IsKnown() || c.Enabled.V {
		t.Error("no config is not capture off")
	}
}

func TestSchedulerRoleProblems(t *testing.T) {
	exec := "arn:aws:iam::111122223333:role/exec"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`
	scoped := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sagemaker:CreateProcessingJob","sagemaker:AddTags"],"Resource":"*"},` +
		`{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + exec + `"}]}`
	if p := SchedulerRoleProblems(SchedulerRole{Trust: trust, Inline: map[string]string{"run": scoped}}, exec, "111122223333", ""); len(p) != 0 {
		t.Errorf("scoped role: %v", p)
	}
	for name, r := range map[string]SchedulerRole{
		"trusted by lambda": {Trust: strings.Replace(trust, "scheduler", "lambda", 1), Inline: map[string]string{"run": scoped}},
		"trusts an account too": {Trust: strings.Replace(trust, `{"Service":"scheduler.amazonaws.com"}`,
			`{"Service":"scheduler.amazonaws.com","AWS":"arn:aws:iam::444455556666:root"}`, 1), Inline: map[string]string{"run": scoped}},
		"passes any role": {Trust: trust, Inline: map[string]string{"run": strings.Replace(scoped, exec, "*", 1)}},
		"broad action":    {Trust: trust, Inline: map[string]string{"run": strings.Replace(scoped, "sagemaker:AddTags", "sagemaker:*", 1)}},
		"managed policy":  {Trust: trust, Inline: map[string]string{"run": scoped}, Attached: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
		"any account's schedules": {Trust: strings.Replace(trust, `,"Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}`, "", 1),
			Inline: map[string]string{"run": scoped}},
		"another account's schedules": {Trust: strings.Replace(trust, `"aws:SourceAccount":"111122223333"`, `"aws:SourceAccount":"444455556666"`, 1),
			Inline: map[string]string{"run": scoped}},
	} {
		if p := SchedulerRoleProblems(r, exec, "111122223333", ""); len(p) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
}
