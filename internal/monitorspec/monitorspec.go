// Package monitorspec is what sagesafe_model_monitor sends, as pure
// functions: the schedule's period, the processing job every scheduled run
// starts (EventBridge Scheduler's universal-target input) or the Model
// Monitor schedule's inline job definition, both with the forced settings,
// and the reading of the live endpoint's data capture for SS-MON-7. No AWS
// call is made here; the SDK's types are only data.
package monitorspec

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Engines: how the monitoring runs are started.
const (
	// EngineScheduledProcessingJob: an EventBridge Scheduler schedule whose
	// universal target starts a processing job each period. Works in every
	// account.
	EngineScheduledProcessingJob = "scheduled_processing_job"
	// EngineModelMonitor: a SageMaker Model Monitor monitoring schedule, for
	// accounts that still have Model Monitor (closed to new customers).
	EngineModelMonitor = "model_monitor"
)

// Engines lists the engines, the default first.
var Engines = []string{EngineScheduledProcessingJob, EngineModelMonitor}

// CreateProcessingJobTarget is the Scheduler universal target that calls
// SageMaker CreateProcessingJob with the schedule's input.
const CreateProcessingJobTarget = "arn:aws:scheduler:::aws-sdk:sagemaker:createProcessingJob"

// ExecutionIDAttribute is the Scheduler context attribute replaced by the
// unique ID of each attempted invocation (16 lowercase letters and digits in
// the Scheduler guide's example), which makes each run's job name unique.
const ExecutionIDAttribute = "<aws.scheduler.execution-id>"

// Name limits: a processing job name is at most 63 characters; a run's name
// is "<monitor>-<execution id>", so the monitor's name leaves room for an
// execution ID of up to 22 characters.
const (
	MaxNameLength   = 40
	maxJobNameChars = 63
)

// Schedule periods sagesafe accepts: from an hour (the analyzer's metrics
// are hourly, and more frequent runs only cost) to a day (an alarm's period
// is at most a day).
const (
	MinIntervalSeconds = 3600
	MaxIntervalSeconds = 86400
)

var (
	rateRegexp = regexp.MustCompile(`^rate\((\d+) (minutes?|hours?|days?)\)$`)
	// Model Monitor's own forms: hourly, and daily at an hour.
	cronHourly = regexp.MustCompile(`^cron\(0 \* \? \* \* \*\)$`)
	cronDaily  = regexp.MustCompile(`^cron\(0 ([01]?\d|2[0-3]) \? \* \* \*\)$`)
)

// Interval is the period of a schedule expression, in seconds: rate(N
// unit) of one hour to one day, or the hourly (cron(0 * ? * * *)) and daily
// (cron(0 H ? * * *)) cron forms Model Monitor accepts.
func Interval(expr string) (int32, error) {
	switch {
	case cronHourly.MatchString(expr):
		return 3600, nil
	case cronDaily.MatchString(expr):
		return 86400, nil
	}
	m := rateRegexp.FindStringSubmatch(expr)
	if m == nil {
		return 0, fmt.Errorf("%q is not rate(N minutes|hours|days), cron(0 * ? * * *) or cron(0 H ? * * *)", expr)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, fmt.Errorf("%q: %w", expr, err)
	}
	unit := map[byte]int{'m': 60, 'h': 3600, 'd': 86400}[m[2][0]]
	s := n * unit
	if s < MinIntervalSeconds || s > MaxIntervalSeconds || s%60 != 0 {
		return 0, fmt.Errorf("%q runs every %d seconds; sagesafe accepts one hour to one day", expr, s)
	}
	return int32(s), nil
}

// Job is one monitoring run's settings, the forced ones included.
type Job struct {
	Monitor   string // the monitor's name: job-name prefix, MonitoringSchedule dimension
	Endpoint  string
	RoleARN   string // the execution role
	Image     string
	Instance  string
	Count     int32
	VolumeGB  int32
	KMSKeyARN string // volume and output
	// VolumeKey is false for instance types with NVMe storage (SageMaker
	// refuses a volume key there; SS-ENC-2).
	VolumeKey         bool
	SubnetIDs         []string
	SecurityGroupIDs  []string
	MaxRuntimeSeconds int32
	CaptureURI        string // the endpoint's capture destination
	ConstraintsURI    string
	StatisticsURI     string
	OutputURI         string
	Tags              map[string]string // on each run's job
	// Quality, when set, makes each run also read the ground truth and
	// compute the model-quality metric (model_quality).
	Quality *ModelQuality
}

// Container paths of a run's inputs and output (the Model Monitor
// bring-your-own-container contract's layout).
const (
	captureDir     = "/opt/ml/processing/input/endpoint"
	constraintsDir = "/opt/ml/processing/baseline/constraints"
	statisticsDir  = "/opt/ml/processing/baseline/stats"
	outputDir      = "/opt/ml/processing/resultdata"
)

// CaptureInputURI is where the endpoint's captures are: SageMaker writes them
// under <destination>/<endpoint>/.
func CaptureInputURI(destination, endpoint string) string {
	return strings.TrimRight(destination, "/") + "/" + endpoint + "/"
}

// Environment is the analyzer's configuration (the Model Monitor container
// contract's variables): where captures, baseline and output are, and to
// publish the per-feature CloudWatch metrics the alarms watch.
func (j Job) Environment() map[string]string {
	env := map[string]string{
		"dataset_format":             `{"sagemakerCaptureJson":{"captureIndexNames":["endpointInput","endpointOutput"]}}`,
		"dataset_source":             captureDir,
		"output_path":                outputDir,
		"publish_cloudwatch_metrics": "Enabled",
		EnvEndpoint:                  j.Endpoint,
		EnvMonitor:                   j.Monitor,
		"baseline_constraints":       constraintsDir + "/" + path.Base(j.ConstraintsURI),
		"baseline_statistics":        statisticsDir + "/" + path.Base(j.StatisticsURI),
	}
	if j.Quality != nil {
		j.Quality.environment(env)
	}
	return env
}

func (j Job) network() *smtypes.NetworkConfig {
	return &smtypes.NetworkConfig{
		EnableNetworkIsolation:                aws.Bool(true),
		EnableInterContainerTrafficEncryption: aws.Bool(true),
		VpcConfig:                             &smtypes.VpcConfig{Subnets: j.SubnetIDs, SecurityGroupIds: j.SecurityGroupIDs},
	}
}

func (j Job) volumeKey() *string {
	if !j.VolumeKey {
		return nil
	}
	return aws.String(j.KMSKeyARN)
}

func s3Input(name, uri, dir string) smtypes.ProcessingInput {
	return smtypes.ProcessingInput{InputName: aws.String(name), S3Input: &smtypes.ProcessingS3Input{
		S3Uri: aws.String(uri), LocalPath: aws.String(dir), S3DataType: smtypes.ProcessingS3DataTypeS3Prefix,
		S3InputMode: smtypes.ProcessingS3InputModeFile,
	}}
}

// ProcessingJob is the CreateProcessingJob request of one scheduled run, its
// name carrying the Scheduler's execution ID.
func (j Job) ProcessingJob() *sagemaker.CreateProcessingJobInput {
	var tags []smtypes.Tag
	for _, k := range slices.Sorted(maps.Keys(j.Tags)) {
		tags = append(tags, smtypes.Tag{Key: aws.String(k), Value: aws.String(j.Tags[k])})
	}
	inputs := []smtypes.ProcessingInput{
		s3Input("endpoint_capture", CaptureInputURI(j.CaptureURI, j.Endpoint), captureDir),
		s3Input("baseline_constraints", j.ConstraintsURI, constraintsDir),
		s3Input("baseline_statistics", j.StatisticsURI, statisticsDir),
	}
	if j.Quality != nil {
		inputs = append(inputs, s3Input(GroundTruthInputName, j.Quality.GroundTruthURI, GroundTruthDir))
	}
	return &sagemaker.CreateProcessingJobInput{
		ProcessingJobName: aws.String(j.Monitor + "-" + ExecutionIDAttribute),
		RoleArn:           aws.String(j.RoleARN),
		AppSpecification:  &smtypes.AppSpecification{ImageUri: aws.String(j.Image)},
		Environment:       j.Environment(),
		NetworkConfig:     j.network(),
		ProcessingInputs:  inputs,
		ProcessingOutputConfig: &smtypes.ProcessingOutputConfig{
			KmsKeyId: aws.String(j.KMSKeyARN),
			Outputs: []smtypes.ProcessingOutput{{OutputName: aws.String("result"), S3Output: &smtypes.ProcessingS3Output{
				S3Uri: aws.String(j.OutputURI), LocalPath: aws.String(outputDir), S3UploadMode: smtypes.ProcessingS3UploadModeEndOfJob,
			}}},
		},
		ProcessingResources: &smtypes.ProcessingResources{ClusterConfig: &smtypes.ProcessingClusterConfig{
			InstanceType: smtypes.ProcessingInstanceType(j.Instance), InstanceCount: aws.Int32(j.Count),
			VolumeSizeInGB: aws.Int32(j.VolumeGB), VolumeKmsKeyId: j.volumeKey(),
		}},
		StoppingCondition: &smtypes.ProcessingStoppingCondition{MaxRuntimeInSeconds: aws.Int32(j.MaxRuntimeSeconds)},
		Tags:              tags,
	}
}

// TargetInput is the Scheduler target's Input: the CreateProcessingJob
// request as JSON with the API's member names (the SDK's field names), the
// members that are not set left out.
func (j Job) TargetInput() (string, error) {
	return Compact(j.ProcessingJob())
}

// ParseTargetInput reads a live schedule's Input back into the request.
func ParseTargetInput(input string) (*sagemaker.CreateProcessingJobInput, error) {
	var out sagemaker.CreateProcessingJobInput
	if err := json.Unmarshal([]byte(input), &out); err != nil {
		return nil, fmt.Errorf("the schedule's target input is not a CreateProcessingJob request: %w", err)
	}
	return &out, nil
}

// SameInput reports whether two target inputs are the same request,
// whatever their key order and spacing.
func SameInput(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	ca, _ := json.Marshal(x)
	cb, _ := json.Marshal(y)
	return string(ca) == string(cb)
}

// Compact marshals v (an SDK request or part of one) and drops null members
// and empty objects and lists, which the SDK's types marshal for every unset
// pointer and which the universal target would pass on to SageMaker; keys
// come out sorted, so equal values give equal text.
func Compact(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return "", err
	}
	out, err := json.Marshal(prune(tree))
	return string(out), err
}

func prune(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			e = prune(e)
			if e == nil {
				delete(t, k)
				continue
			}
			t[k] = e
		}
		if len(t) == 0 {
			return nil
		}
		return t
	case []any:
		if len(t) == 0 {
			return nil
		}
		for i := range t {
			t[i] = prune(t[i])
		}
		return t
	}
	return v
}

// JobName is the name of a run with the given execution ID; valid reports
// whether it fits SageMaker's processing job names.
func JobName(monitor, executionID string) (name string, valid bool) {
	name = monitor + "-" + executionID
	return name, len(name) <= maxJobNameChars && jobNameRegexp.MatchString(name)
}

// jobNameRegexp is SageMaker's ProcessingJobName pattern.
var jobNameRegexp = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`)
