package alarms

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Alarm kinds of a training job instance. The keys of sagesafe_training_job's
// alarm_names map are "algo-<n>/<kind>", one set per instance.
const (
	TrainingDisk    = "disk"
	TrainingMemory  = "memory"
	TrainingGPUIdle = "gpu_idle"
)

// TrainingNamespace holds the instance metrics of training jobs; their only
// dimension is Host = "<job>/algo-<n>".
const TrainingNamespace = "/aws/sagemaker/TrainingJobs"

// Defaults of the training alarm thresholds, in percent.
const (
	DefaultTrainingDiskPercent    = 90.0
	DefaultTrainingMemoryPercent  = 90.0
	DefaultTrainingGPUIdlePercent = 5.0
)

// Shapes of the training alarms: period and number of periods.
const (
	trainingPeriod       = 300 // seconds
	trainingUsageEvals   = 1   // disk or memory above the threshold for 5 minutes
	trainingGPUIdleEvals = 6   // GPUs below the threshold for 30 minutes
)

var trainingSuffix = map[string]string{
	TrainingDisk:    "disk-utilization",
	TrainingMemory:  "memory-utilization",
	TrainingGPUIdle: "gpu-idle",
}

// TrainingKinds lists the alarm kinds of one instance, in a stable order;
// the GPU idle alarm only exists when the instance type has GPUs.
func TrainingKinds(gpus int) []string {
	if gpus > 0 {
		return []string{TrainingDisk, TrainingMemory, TrainingGPUIdle}
	}
	return []string{TrainingDisk, TrainingMemory}
}

// TrainingHost is the Host dimension of instance n (1-based) of a job.
func TrainingHost(job string, n int) string { return fmt.Sprintf("%s/algo-%d", job, n) }

// TrainingKey is the alarm_names key of kind on instance n: "algo-1/disk".
func TrainingKey(n int, kind string) string { return fmt.Sprintf("algo-%d/%s", n, kind) }

// ParseTrainingKey splits an alarm_names key into instance number and kind.
func ParseTrainingKey(key string) (n int, kind string, ok bool) {
	host, kind, found := strings.Cut(key, "/")
	num, isAlgo := strings.CutPrefix(host, "algo-")
	if !found || !isAlgo {
		return 0, "", false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || trainingSuffix[kind] == "" {
		return 0, "", false
	}
	return n, kind, true
}

// TrainingAlarmName is "sagesafe-training-<job>-algo-<n>-<kind>": distinct
// from endpoint alarms, and derivable from the job name alone (import).
func TrainingAlarmName(job string, n int, kind string) string {
	return fmt.Sprintf("%s%s-algo-%d-%s", TrainingAlarmPrefix, job, n, trainingSuffix[kind])
}

// TrainingAlarmPrefix starts the name of every training job's alarms: what
// the jobs refreshed in one command list their alarms by, once.
const TrainingAlarmPrefix = "sagesafe-training-"

// TrainingThresholds are the user-facing thresholds, in percent.
type TrainingThresholds struct {
	DiskPercent    float64 // alarm above, 0..100
	MemoryPercent  float64 // alarm above, 0..100
	GPUIdlePercent float64 // alarm below, per GPU, 0..100
}

// DefaultTrainingThresholds returns the schema defaults.
func DefaultTrainingThresholds() TrainingThresholds {
	return TrainingThresholds{
		DiskPercent:    DefaultTrainingDiskPercent,
		MemoryPercent:  DefaultTrainingMemoryPercent,
		GPUIdlePercent: DefaultTrainingGPUIdlePercent,
	}
}

// TrainingInput is what TrainingSpecs needs.
type TrainingInput struct {
	JobName       string
	InstanceCount int
	// GPUs per instance. GPUUtilization is summed over the GPUs of an
	// instance (0..100 x GPUs), so the idle threshold is scaled by it; 0
	// means no GPU and no idle alarm.
	GPUs       int
	Thresholds TrainingThresholds
	Actions    []string
	Tags       map[string]string
}

// TrainingSpecs returns the alarms of a training job (controls SS-MON-1/2),
// per instance algo-1..algo-N in TrainingKinds order:
//   - disk: the Maximum of DiskUtilization above the threshold for 5 minutes
//     (a full ML storage volume kills the job);
//   - memory: the Maximum of MemoryUtilization above the threshold for 5
//     minutes (the step before an out-of-memory kill);
//   - gpu_idle, for GPU instance types: the Average of GPUUtilization below
//     the threshold (per GPU) for 30 minutes, so data loading at start-up
//     does not trip it; idle accelerators are a cost spike.
//
// Missing data (the job has not started or has ended) is not breaching.
// Actions are enabled by Put.
func TrainingSpecs(in TrainingInput) []Spec {
	t := in.Thresholds
	var out []Spec
	for n := 1; n <= max(in.InstanceCount, 1); n++ {
		host := TrainingHost(in.JobName, n)
		mk := func(kind, desc string, stat cwtypes.Statistic, evals int32, threshold float64) Spec {
			rule := ThresholdOf(kind)
			return Spec{
				Kind:              TrainingKey(n, kind),
				Name:              TrainingAlarmName(in.JobName, n, kind),
				Description:       desc + " Managed by sagesafe_training_job " + in.JobName + ".",
				Namespace:         TrainingNamespace,
				Metric:            rule.Metric,
				Dimensions:        map[string]string{"Host": host},
				Statistic:         stat,
				PeriodSeconds:     trainingPeriod,
				EvaluationPeriods: evals,
				DatapointsToAlarm: evals,
				Threshold:         threshold,
				Comparison:        rule.Comparison,
				TreatMissingData:  "notBreaching",
				Actions:           append([]string(nil), in.Actions...),
				Tags:              maps.Clone(in.Tags),
			}
		}
		out = append(out,
			mk(TrainingDisk,
				"Disk utilization of "+host+" is above the threshold for 5 minutes; the ML storage volume is about to fill up.",
				cwtypes.StatisticMaximum, trainingUsageEvals, t.DiskPercent),
			mk(TrainingMemory,
				"Memory utilization of "+host+" is above the threshold for 5 minutes; the job is close to an out-of-memory kill.",
				cwtypes.StatisticMaximum, trainingUsageEvals, t.MemoryPercent))
		if in.GPUs > 0 {
			out = append(out, mk(TrainingGPUIdle,
				fmt.Sprintf("GPU utilization of %s (summed over %d GPU(s)) is below the idle threshold for 30 minutes; idle accelerators are paid for.", host, in.GPUs),
				cwtypes.StatisticAverage, trainingGPUIdleEvals, t.GPUIdlePercent*float64(in.GPUs)))
		}
	}
	return out
}

// TrainingNames maps every alarm_names key of specs to its alarm name.
func TrainingNames(specs []Spec) map[string]string {
	out := make(map[string]string, len(specs))
	for _, s := range specs {
		out[s.Kind] = s.Name
	}
	return out
}

// TrainingThresholdFromAlarm converts a live alarm threshold of kind back to
// the schema's unit (the inverse of TrainingSpecs), for import.
func TrainingThresholdFromAlarm(kind string, threshold float64, gpus int) float64 {
	if kind == TrainingGPUIdle && gpus > 0 {
		return round(threshold/float64(gpus), 6)
	}
	return threshold
}
