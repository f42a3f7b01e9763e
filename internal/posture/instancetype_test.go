package posture

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

func TestSageMakerToEC2InstanceType(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"ml.g5.xlarge", "g5.xlarge", true},
		{"ml.p4de.24xlarge", "p4de.24xlarge", true},
		{"ml.m5.large", "m5.large", true},
		{"g5.xlarge", "", false},
		{"ml.g5", "", false},
		{"ml..xlarge", "", false},
		{"ml.g5.xlarge.extra", "", false},
		{"local", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := SageMakerToEC2InstanceType(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("SageMakerToEC2InstanceType(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestAssessInstanceType(t *testing.T) {
	g5 := ec2types.InstanceTypeInfo{
		InstanceType:             "g5.12xlarge",
		InstanceStorageSupported: aws.Bool(true),
		GpuInfo: &ec2types.GpuInfo{Gpus: []ec2types.GpuDeviceInfo{
			{Name: aws.String("A10G"), Count: aws.Int32(4)},
		}},
	}
	if got, want := AssessInstanceType("ml.g5.12xlarge", g5), (facts.InstanceTypeFact{
		Name: "ml.g5.12xlarge", Found: true, InstanceStorageSupported: true, GPUs: 4,
	}); got != want {
		t.Errorf("g5: got %+v, want %+v", got, want)
	}
	m5 := ec2types.InstanceTypeInfo{InstanceType: "m5.large", InstanceStorageSupported: aws.Bool(false)}
	if got, want := AssessInstanceType("ml.m5.large", m5), (facts.InstanceTypeFact{Name: "ml.m5.large", Found: true}); got != want {
		t.Errorf("m5: got %+v, want %+v", got, want)
	}
}
