package alarms

import (
	"context"
	"testing"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func TestTrainingSpecsCPU(t *testing.T) {
	specs := TrainingSpecs(TrainingInput{
		JobName: "churn", InstanceCount: 2, Thresholds: DefaultTrainingThresholds(),
		Actions: []string{"arn:aws:sns:us-east-1:123456789012:t"}, Tags: map[string]string{"team": "ml"},
	})
	if len(specs) != 4 {
		t.Fatalf("2 CPU instances need disk+memory alarms each, got %d", len(specs))
	}
	want := []struct{ key, name, host, metric string }{
		{"algo-1/disk", "sagesafe-training-churn-algo-1-disk-utilization", "churn/algo-1", "DiskUtilization"},
		{"algo-1/memory", "sagesafe-training-churn-algo-1-memory-utilization", "churn/algo-1", "MemoryUtilization"},
		{"algo-2/disk", "sagesafe-training-churn-algo-2-disk-utilization", "churn/algo-2", "DiskUtilization"},
		{"algo-2/memory", "sagesafe-training-churn-algo-2-memory-utilization", "churn/algo-2", "MemoryUtilization"},
	}
	for i, w := range want {
		s := specs[i]
		if s.Kind != w.key || s.Name != w.name || s.Dimensions["Host"] != w.host || s.Metric != w.metric {
			t.Errorf("spec %d = %s %s %v %s, want %+v", i, s.Kind, s.Name, s.Dimensions, s.Metric, w)
		}
		if s.Namespace != TrainingNamespace || len(s.Dimensions) != 1 {
			t.Errorf("spec %d: namespace %s dims %v", i, s.Namespace, s.Dimensions)
		}
		if s.Threshold != 90 || s.Comparison != cwtypes.ComparisonOperatorGreaterThanThreshold || s.Statistic != cwtypes.StatisticMaximum {
			t.Errorf("spec %d: %v %v %v", i, s.Threshold, s.Comparison, s.Statistic)
		}
		if len(s.Actions) != 1 || s.Tags["team"] != "ml" || s.TreatMissingData != "notBreaching" {
			t.Errorf("spec %d: actions %v tags %v missing %s", i, s.Actions, s.Tags, s.TreatMissingData)
		}
	}
	if n := TrainingNames(specs); len(n) != 4 || n["algo-2/disk"] != want[2].name {
		t.Errorf("names: %v", n)
	}
}

func TestTrainingSpecsGPU(t *testing.T) {
	specs := TrainingSpecs(TrainingInput{JobName: "j", InstanceCount: 1, GPUs: 4,
		Thresholds: TrainingThresholds{DiskPercent: 80, MemoryPercent: 85, GPUIdlePercent: 5}})
	if len(specs) != 3 {
		t.Fatalf("a GPU instance needs 3 alarms, got %d", len(specs))
	}
	g := specs[2]
	if g.Kind != "algo-1/gpu_idle" || g.Metric != "GPUUtilization" || g.Comparison != cwtypes.ComparisonOperatorLessThanThreshold {
		t.Fatalf("gpu alarm: %+v", g)
	}
	if g.Threshold != 20 {
		t.Errorf("5%% per GPU on 4 GPUs is 20 on the summed metric, got %v", g.Threshold)
	}
	if g.EvaluationPeriods*g.PeriodSeconds != 1800 {
		t.Errorf("idle must last 30 minutes, got %d x %d s", g.EvaluationPeriods, g.PeriodSeconds)
	}
	if specs[0].Threshold != 80 || specs[1].Threshold != 85 {
		t.Errorf("thresholds not applied: %v %v", specs[0].Threshold, specs[1].Threshold)
	}
	if got := TrainingThresholdFromAlarm(TrainingGPUIdle, g.Threshold, 4); got != 5 {
		t.Errorf("inverse of the GPU scaling: %v", got)
	}
	if got := TrainingThresholdFromAlarm(TrainingDisk, 80, 4); got != 80 {
		t.Errorf("disk is not scaled: %v", got)
	}
}

func TestTrainingKeys(t *testing.T) {
	for key, ok := range map[string]bool{"algo-1/disk": true, "algo-12/gpu_idle": true, "algo-0/disk": false, "x/disk": false, "algo-1/cpu": false, "algo-1": false} {
		n, kind, got := ParseTrainingKey(key)
		if got != ok {
			t.Errorf("ParseTrainingKey(%q) ok = %v", key, got)
		}
		if ok && TrainingKey(n, kind) != key {
			t.Errorf("round trip of %q: %d %s", key, n, kind)
		}
	}
	if k := TrainingKinds(0); len(k) != 2 {
		t.Errorf("no GPU: %v", k)
	}
}

func TestTrainingSpecsRoundTrip(t *testing.T) {
	f := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{}}
	specs := TrainingSpecs(TrainingInput{JobName: "rt", InstanceCount: 1, GPUs: 1, Thresholds: DefaultTrainingThresholds()})
	if err := Put(context.Background(), f, specs); err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		if d := Diff(s, f.alarms[s.Name]); len(d) != 0 {
			t.Errorf("%s: a freshly put alarm must not differ: %v", s.Name, d)
		}
	}
}
