package processingjob

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

const testKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func testInputs() inputs {
	loc := func(name, uri, local string) location {
		return location{Name: facts.Known(name), S3URI: facts.Known(uri), LocalPath: facts.Known(local)}
	}
	return inputs{
		Name:              facts.Known("baseline-1"),
		RoleARN:           facts.Known("arn:aws:iam::123456789012:role/r"),
		Image:             facts.Known("123456789012.dkr.ecr.us-east-1.amazonaws.com/a@sha256:00"),
		Arguments:         facts.Known([]string{"--mode", "baseline"}),
		Environment:       facts.Known(map[string]string{"MODE": "baseline"}),
		Inputs:            []location{loc("captured", "s3://b/captured/", "/opt/ml/processing/input")},
		Outputs:           []location{loc("baseline", "s3://b/baseline/", "/opt/ml/processing/output")},
		LocationsKnown:    true,
		InstanceType:      facts.Known("ml.m5.xlarge"),
		InstanceCount:     facts.Known(int64(2)),
		VolumeSizeGB:      facts.Known(int64(40)),
		KMSKey:            facts.Known(testKey),
		SubnetIDs:         facts.Known([]string{"subnet-1"}),
		SecurityGroupIDs:  facts.Known([]string{"sg-1"}),
		MaxRuntimeSeconds: facts.Known(int64(3600)),
		Tags:              facts.Known(map[string]string{"team": "ml"}),
		Alarms:            alarmSettings{Actions: facts.Null[[]string]()},
	}
}

// TestExpandCreateForcesTheSandbox: isolation, inter-container encryption,
// the key on the outputs and the volume (not on NVMe types), the VPC and the
// runtime bound are always in the request.
func TestExpandCreateForcesTheSandbox(t *testing.T) {
	for _, nvme := range []bool{false, true} {
		in := expandCreate(testInputs(), "baseline-1", nvme, map[string]string{"team": "ml"})
		nc := in.NetworkConfig
		if !aws.ToBool(nc.EnableNetworkIsolation) || !aws.ToBool(nc.EnableInterContainerTrafficEncryption) {
			t.Errorf("nvme=%v: isolation or encryption off", nvme)
		}
		if !slices.Equal(nc.VpcConfig.Subnets, []string{"subnet-1"}) || !slices.Equal(nc.VpcConfig.SecurityGroupIds, []string{"sg-1"}) {
			t.Errorf("nvme=%v: vpc %+v", nvme, nc.VpcConfig)
		}
		if aws.ToString(in.ProcessingOutputConfig.KmsKeyId) != testKey {
			t.Errorf("nvme=%v: output key %v", nvme, in.ProcessingOutputConfig.KmsKeyId)
		}
		vol := aws.ToString(in.ProcessingResources.ClusterConfig.VolumeKmsKeyId)
		if (vol == testKey) == nvme {
			t.Errorf("nvme=%v: volume key %q", nvme, vol)
		}
		if aws.ToInt32(in.StoppingCondition.MaxRuntimeInSeconds) != 3600 || aws.ToInt32(in.ProcessingResources.ClusterConfig.InstanceCount) != 2 {
			t.Errorf("nvme=%v: runtime or count wrong", nvme)
		}
		if len(in.ProcessingInputs) != 1 || aws.ToString(in.ProcessingInputs[0].S3Input.LocalPath) != "/opt/ml/processing/input" ||
			len(in.ProcessingOutputConfig.Outputs) != 1 || aws.ToString(in.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri) != "s3://b/baseline/" {
			t.Errorf("nvme=%v: locations %+v %+v", nvme, in.ProcessingInputs, in.ProcessingOutputConfig.Outputs)
		}
	}
}

// TestPlanSubjectIsGuarded: the plan's subject holds the forced settings
// and every S3 location, so the guardrails see them.
func TestPlanSubjectIsGuarded(t *testing.T) {
	s := planSubject(testInputs(), sagemakerjob.Prefetched{}, &providerdata.Data{})
	if s.Kind != guardrail.KindProcessingJob || !s.NetworkIsolation.V || !s.InterContainerEncryption.V {
		t.Fatalf("subject %+v", s)
	}
	if s.OutputKMSKeyARN.V != testKey || s.VolumeKMSKeyARN.V != testKey || s.MaxRuntimeSeconds.V != 3600 {
		t.Errorf("keys or runtime missing: %+v", s)
	}
	var roles []string
	for _, l := range s.S3 {
		roles = append(roles, l.Role+":"+l.URI.V)
	}
	if !slices.Equal(roles, []string{"input:s3://b/captured/", "output:s3://b/baseline/"}) {
		t.Errorf("S3 locations %v", roles)
	}
	if len(s.Alarms.V) != 4 { // disk and memory on each of 2 instances
		t.Errorf("alarms %+v", s.Alarms.V)
	}
}

func TestAlarmSpecsOnTheProcessingNamespace(t *testing.T) {
	specs := alarmSpecs("job-1", 1, alarmSettings{Thresholds: testThresholds()}, []string{"arn:aws:sns:us-east-1:123456789012:t"}, nil)
	if len(specs) != 2 {
		t.Fatalf("%d specs", len(specs))
	}
	for _, s := range specs {
		if s.Namespace != ProcessingNamespace || !strings.HasPrefix(s.Name, "sagesafe-processing-job-1-algo-1-") ||
			s.Dimensions["Host"] != "job-1/algo-1" || !strings.Contains(s.Description, "sagesafe_processing_job") {
			t.Errorf("spec %+v", s)
		}
	}
}

func testThresholds() alarms.TrainingThresholds {
	return alarms.TrainingThresholds{DiskPercent: 80, MemoryPercent: 85}
}

func TestDuplicateNames(t *testing.T) {
	in := testInputs()
	if d := duplicateNames(in); len(d) != 0 {
		t.Errorf("no duplicates expected, got %v", d)
	}
	in.Outputs[0].Name = facts.Known("captured")
	if d := duplicateNames(in); !slices.Equal(d, []string{"captured"}) {
		t.Errorf("got %v", d)
	}
}

// TestLostForcedControlsReplace: a live job that lacks a forced setting the
// plan holds is replaced; one never checked is not.
func TestLostForcedControlsReplace(t *testing.T) {
	state := tfval.List([]string{"SS-NET-1", "SS-ENC-1", "SS-ENC-2", "SS-ENC-3"})
	if got := lostForcedControls(state, []string{"SS-NET-1", "SS-NET-4", "SS-ENC-1", "SS-ENC-2", "SS-ENC-3"}); !slices.Equal(got, []string{"SS-NET-4"}) {
		t.Errorf("got %v", got)
	}
	if got := lostForcedControls(tfval.List([]string{}), []string{"SS-NET-4"}); got != nil {
		t.Errorf("never checked: got %v", got)
	}
}

// TestFlattenRoundTrip: the live job, as SageMaker echoes the request,
// flattens back to the configured values, so a plan after apply is empty.
func TestFlattenRoundTrip(t *testing.T) {
	ctx := context.Background()
	req := expandCreate(testInputs(), "baseline-1", false, nil)
	job := &sagemaker.DescribeProcessingJobOutput{
		ProcessingJobName: req.ProcessingJobName, ProcessingJobArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:processing-job/baseline-1"),
		RoleArn: req.RoleArn, AppSpecification: req.AppSpecification, Environment: req.Environment, ProcessingInputs: req.ProcessingInputs,
		ProcessingOutputConfig: req.ProcessingOutputConfig, ProcessingResources: req.ProcessingResources, NetworkConfig: req.NetworkConfig,
		StoppingCondition: req.StoppingCondition, ProcessingJobStatus: "Completed",
	}
	var m model
	if d := flattenJob(ctx, &m, job, map[string]string{"team": "ml", "sagesafe:processing-job": "baseline-1"}, nil); d.HasError() {
		t.Fatal(d)
	}
	in, d := decode(ctx, m)
	if d.HasError() {
		t.Fatal(d)
	}
	want := testInputs()
	want.Alarms = in.Alarms
	if in.KMSKey.V != want.KMSKey.V || in.InstanceCount.V != 2 || in.VolumeSizeGB.V != 40 || !slices.Equal(in.Arguments.V, want.Arguments.V) ||
		in.Inputs[0] != want.Inputs[0] || in.Outputs[0] != want.Outputs[0] || in.Environment.V["MODE"] != "baseline" ||
		!slices.Equal(in.SubnetIDs.V, []string{"subnet-1"}) || in.MaxRuntimeSeconds.V != 3600 {
		t.Errorf("round trip: %+v", in)
	}
	if !m.Tags.Equal(types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringValue("ml")})) {
		t.Errorf("tags %v (creation tags must not show)", m.Tags)
	}
}

// echoed is the description of the job in asked for: every setting of the
// request echoed, as SageMaker shows a job it made from it.
func echoed(in *sagemaker.CreateProcessingJobInput) *sagemaker.DescribeProcessingJobOutput {
	return &sagemaker.DescribeProcessingJobOutput{
		ProcessingJobName: in.ProcessingJobName, ProcessingJobArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:processing-job/" + aws.ToString(in.ProcessingJobName)),
		RoleArn: in.RoleArn, AppSpecification: in.AppSpecification, ProcessingResources: in.ProcessingResources,
		ProcessingOutputConfig: in.ProcessingOutputConfig, ProcessingInputs: in.ProcessingInputs, NetworkConfig: in.NetworkConfig,
		StoppingCondition: in.StoppingCondition, Environment: in.Environment,
	}
}

// TestJobDiffsAuditsATakenUpJob: the job an interrupted apply left is taken
// up only when it has every planned setting; a difference in any of them,
// the data it reads and writes and the forced sandbox included, is named.
func TestJobDiffsAuditsATakenUpJob(t *testing.T) {
	in := expandCreate(testInputs(), "baseline-1", false, nil)
	if d := jobDiffs(in, echoed(in)); len(d) != 0 {
		t.Fatalf("the planned job differs from itself: %v", d)
	}
	changes := map[string]func(j *sagemaker.DescribeProcessingJobOutput){
		"role": func(j *sagemaker.DescribeProcessingJobOutput) {
			j.RoleArn = aws.String("arn:aws:iam::123456789012:role/admin")
		},
		"image": func(j *sagemaker.DescribeProcessingJobOutput) {
			j.AppSpecification = &smtypes.AppSpecification{ImageUri: aws.String("evil")}
		},
		"input": func(j *sagemaker.DescribeProcessingJobOutput) {
			j.ProcessingInputs = []smtypes.ProcessingInput{{InputName: aws.String("captured"), S3Input: &smtypes.ProcessingS3Input{
				S3Uri: aws.String("s3://attacker/poison/"), LocalPath: aws.String("/opt/ml/processing/input")}}}
		},
		"output": func(j *sagemaker.DescribeProcessingJobOutput) {
			j.ProcessingOutputConfig = &smtypes.ProcessingOutputConfig{KmsKeyId: in.ProcessingOutputConfig.KmsKeyId, Outputs: []smtypes.ProcessingOutput{{
				OutputName: aws.String("baseline"), S3Output: &smtypes.ProcessingS3Output{S3Uri: aws.String("s3://attacker/x/"), LocalPath: aws.String("/opt/ml/processing/output")}}}}
		},
		"output key": func(j *sagemaker.DescribeProcessingJobOutput) {
			j.ProcessingOutputConfig = &smtypes.ProcessingOutputConfig{Outputs: in.ProcessingOutputConfig.Outputs}
		},
		"no VPC": func(j *sagemaker.DescribeProcessingJobOutput) {
			j.NetworkConfig = &smtypes.NetworkConfig{EnableNetworkIsolation: aws.Bool(true)}
		},
		"no volume key": func(j *sagemaker.DescribeProcessingJobOutput) {
			j.ProcessingResources = &smtypes.ProcessingResources{ClusterConfig: &smtypes.ProcessingClusterConfig{InstanceType: in.ProcessingResources.ClusterConfig.InstanceType,
				InstanceCount: in.ProcessingResources.ClusterConfig.InstanceCount, VolumeSizeInGB: in.ProcessingResources.ClusterConfig.VolumeSizeInGB}}
		},
		"runtime": func(j *sagemaker.DescribeProcessingJobOutput) { j.StoppingCondition = nil },
		"environment": func(j *sagemaker.DescribeProcessingJobOutput) {
			j.Environment = map[string]string{"EXFILTRATE_TO": "x"}
		},
		"empty answer": func(j *sagemaker.DescribeProcessingJobOutput) { *j = sagemaker.DescribeProcessingJobOutput{} },
	}
	for what, change := range changes {
		j := echoed(expandCreate(testInputs(), "baseline-1", false, nil))
		change(j)
		if d := jobDiffs(in, j); len(d) == 0 {
			t.Errorf("%s: a changed job passes the audit", what)
		}
	}
}
