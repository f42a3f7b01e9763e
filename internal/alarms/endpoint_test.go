package alarms

import (
	"context"
	"slices"
	"testing"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func endpointInput() EndpointInput {
	return EndpointInput{
		EndpointName: "churn",
		VariantName:  "AllTraffic",
		VCPUs:        4,
		Thresholds: EndpointThresholds{
			ErrorRate5XX: 0.05, ErrorRate4XX: 0.1, ModelLatencyP99Millis: 1000,
			CPUPercent: 90, MemoryPercent: 80, DiskPercent: 70,
		},
		Actions: []string{"arn:aws:sns:us-east-1:123456789012:ml"},
		Tags:    map[string]string{"team": "ml"},
	}
}

func TestEndpointSpecs(t *testing.T) {
	specs := EndpointSpecs(endpointInput())
	if len(specs) != len(EndpointKinds()) {
		t.Fatalf("got %d specs, want %d", len(specs), len(EndpointKinds()))
	}
	byKind := map[string]Spec{}
	for i, s := range specs {
		if s.Kind != EndpointKinds()[i] {
			t.Errorf("spec %d has kind %s, want %s", i, s.Kind, EndpointKinds()[i])
		}
		if s.Name != EndpointAlarmName("churn", s.Kind) {
			t.Errorf("%s: name %s", s.Kind, s.Name)
		}
		if s.Dimensions["EndpointName"] != "churn" || s.Dimensions["VariantName"] != "AllTraffic" {
			t.Errorf("%s: dimensions %v", s.Kind, s.Dimensions)
		}
		if (s.Comparison != cwtypes.ComparisonOperatorGreaterThanThreshold) != s.IsAnomaly() || s.TreatMissingData != "notBreaching" {
			t.Errorf("%s: comparison %s, missing data %s", s.Kind, s.Comparison, s.TreatMissingData)
		}
		if !slices.Equal(s.Actions, endpointInput().Actions) || s.Tags["team"] != "ml" {
			t.Errorf("%s: actions %v tags %v", s.Kind, s.Actions, s.Tags)
		}
		byKind[s.Kind] = s
	}

	// Error rates are the Average of a 0/1 metric, so the threshold is a
	// fraction below 1: "> 1" could never fire.
	for _, k := range []string{EndpointErrorRate5XX, EndpointErrorRate4XX} {
		s := byKind[k]
		if s.Statistic != cwtypes.StatisticAverage || s.Threshold >= 1 || s.Namespace != "AWS/SageMaker" {
			t.Errorf("%s: statistic %s threshold %v namespace %s", k, s.Statistic, s.Threshold, s.Namespace)
		}
	}
	lat := byKind[EndpointModelLatencyP99]
	if lat.ExtendedStatistic != "p99" || lat.Statistic != "" || lat.Metric != "ModelLatency" {
		t.Errorf("latency: %+v", lat)
	}
	if lat.Threshold != 1_000_000 {
		t.Errorf("latency threshold is %v µs, want 1e6 (1000 ms)", lat.Threshold)
	}
	if cpu := byKind[EndpointCPU]; cpu.Threshold != 360 || cpu.Namespace != "/aws/sagemaker/Endpoints" {
		t.Errorf("cpu: threshold %v (want 90%% x 4 vCPUs = 360) namespace %s", cpu.Threshold, cpu.Namespace)
	}
	if byKind[EndpointMemory].Threshold != 80 || byKind[EndpointDisk].Threshold != 70 {
		t.Errorf("memory/disk thresholds: %v %v", byKind[EndpointMemory].Threshold, byKind[EndpointDisk].Threshold)
	}
}

func TestEndpointThresholdRoundTrip(t *testing.T) {
	in := endpointInput()
	for _, s := range EndpointSpecs(in) {
		if s.IsAnomaly() {
			continue
		}
		got := EndpointThresholdFromAlarm(s.Kind, s.Threshold, in.VCPUs)
		if want := EndpointThreshold(in.Thresholds, s.Kind); got != want {
			t.Errorf("%s: round trip gives %v, want %v", s.Kind, got, want)
		}
	}
	if got := EndpointThresholdFromAlarm(EndpointCPU, 90, 0); got != 90 {
		t.Errorf("0 vCPUs must count as 1, got %v", got)
	}
}

func TestEndpointRollbackKindsAreAlarms(t *testing.T) {
	names := EndpointAlarmNames("e")
	for _, k := range EndpointRollbackKinds() {
		if names[k] == "" {
			t.Errorf("rollback kind %s has no alarm", k)
		}
	}
	if len(names) != len(EndpointKinds()) {
		t.Errorf("names: %v", names)
	}
}

func TestEndpointSpecsPutDescribeDiff(t *testing.T) {
	f := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{}}
	ctx := context.Background()
	specs := EndpointSpecs(endpointInput())
	if err := Put(ctx, f, specs); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(specs))
	for _, s := range specs {
		names = append(names, s.Name)
	}
	live, err := Describe(ctx, f, names)
	if err != nil {
		t.Fatal(err)
	}
	if f.describe != 1 {
		t.Errorf("one endpoint's alarms must be read with one DescribeAlarms call, got %d", f.describe)
	}
	for _, s := range specs {
		if d := Diff(s, live[s.Name]); len(d) != 0 {
			t.Errorf("%s differs right after Put: %v", s.Kind, d)
		}
	}
}
