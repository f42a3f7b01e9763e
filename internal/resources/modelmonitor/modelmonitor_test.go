package modelmonitor

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
)

func TestDescriptionToken(t *testing.T) {
	if got := descriptionToken(scheduleDescription("m", "abc123")); got != "abc123" {
		t.Errorf("token %q", got)
	}
	if got := descriptionToken("someone else's schedule"); got != "" {
		t.Errorf("token %q from a description without one", got)
	}
}

func testJob() monitorspec.Job {
	return monitorspec.Job{Monitor: "m", Endpoint: "ep", RoleARN: "arn:aws:iam::1:role/r", Image: "i", Instance: "ml.m5.xlarge", Count: 1,
		VolumeGB: 30, KMSKeyARN: "k", VolumeKey: true, SubnetIDs: []string{"subnet-a"}, SecurityGroupIDs: []string{"sg-1"},
		MaxRuntimeSeconds: 60, CaptureURI: "s3://b/capture", ConstraintsURI: "s3://b/c.json", StatisticsURI: "s3://b/s.json", OutputURI: "s3://b/o/"}
}

// inputDrift names what changed in a live input, and nothing for the same
// request in another key order.
func TestInputDrift(t *testing.T) {
	j := testJob()
	want, _ := j.TargetInput()
	if d := inputDrift(want, want); d != nil {
		t.Errorf("same input: %v", d)
	}
	weak := j
	weak.VolumeKey = false
	got, _ := weak.TargetInput()
	if d := inputDrift(want, got); len(d) != 1 || !strings.Contains(d[0], "ProcessingResources") {
		t.Errorf("volume key dropped: %v", d)
	}
	if d := inputDrift(want, "not json"); len(d) != 1 {
		t.Errorf("garbage input: %v", d)
	}
}

// A schedule as sagesafe makes it has no timing drift; a start date, an end
// date and a time zone other than UTC each are drift.
func TestScheduleTimingDrift(t *testing.T) {
	if d := scheduleTimingDrift(&scheduler.GetScheduleOutput{ScheduleExpressionTimezone: aws.String("UTC")}); d != nil {
		t.Errorf("as made: %v", d)
	}
	if d := scheduleTimingDrift(&scheduler.GetScheduleOutput{}); d != nil {
		t.Errorf("no time zone: %v", d)
	}
	at := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	d := scheduleTimingDrift(&scheduler.GetScheduleOutput{StartDate: &at, EndDate: &at, ScheduleExpressionTimezone: aws.String("Europe/Paris")})
	want := []string{"the schedule starts only at 2027-01-02T03:04:05Z", "the schedule ends at 2027-01-02T03:04:05Z", "the schedule's time zone is Europe/Paris, not UTC"}
	if !slices.Equal(d, want) {
		t.Errorf("got %q, want %q", d, want)
	}
}

// A live run's request gives back the capture destination it reads.
func TestLiveCaptureDest(t *testing.T) {
	req, err := monitorspec.ParseTargetInput(mustInput(t, testJob()))
	if err != nil {
		t.Fatal(err)
	}
	if got := liveCaptureDest(req, "ep"); got != "s3://b/capture" {
		t.Errorf("capture destination %q", got)
	}
}

// A Model Monitor schedule reads back as the request of the same run, so
// both engines flatten and check alike.
func TestRequestOf(t *testing.T) {
	j := testJob()
	req := requestOf(j.MonitoringSchedule("cron(0 * ? * * *)"), map[string]string{"team": "ml", "sagesafe:creation-token": "t"})
	if aws.ToString(req.RoleArn) != j.RoleARN || req.Environment["sagemaker_endpoint_name"] != "ep" ||
		aws.ToString(req.ProcessingOutputConfig.KmsKeyId) != "k" || aws.ToString(req.ProcessingResources.ClusterConfig.VolumeKmsKeyId) != "k" ||
		!aws.ToBool(req.NetworkConfig.EnableNetworkIsolation) || aws.ToInt32(req.StoppingCondition.MaxRuntimeInSeconds) != 60 {
		t.Errorf("request: %+v", req)
	}
	if len(req.Tags) != 1 || aws.ToString(req.Tags[0].Key) != "team" {
		t.Errorf("tags %v: the creation token is not one of the monitor's tags", req.Tags)
	}
	names := map[string]string{}
	for _, in := range req.ProcessingInputs {
		names[aws.ToString(in.InputName)] = aws.ToString(in.S3Input.S3Uri)
	}
	if names["baseline_constraints"] != "s3://b/c.json" || names["baseline_statistics"] != "s3://b/s.json" {
		t.Errorf("baseline inputs %v", names)
	}
}

func mustInput(t *testing.T, j monitorspec.Job) string {
	t.Helper()
	in, err := j.TargetInput()
	if err != nil {
		t.Fatal(err)
	}
	return in
}
