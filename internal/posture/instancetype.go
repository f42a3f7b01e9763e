package posture

import (
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// sageMakerInstanceType matches "ml.<family>.<size>".
var sageMakerInstanceType = regexp.MustCompile(`^ml\.([a-z0-9-]+\.[a-z0-9-]+)$`)

// SageMakerToEC2InstanceType maps a SageMaker instance type to the EC2
// instance type behind it: "ml.g5.xlarge" -> "g5.xlarge". It reports false
// for anything that is not "ml.<family>.<size>" (e.g. "local", "g5.xlarge").
func SageMakerToEC2InstanceType(sageMakerType string) (string, bool) {
	m := sageMakerInstanceType.FindStringSubmatch(sageMakerType)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// AssessInstanceType describes SageMaker instance type sageMakerType from
// the EC2 DescribeInstanceTypes entry of the instance behind it.
func AssessInstanceType(sageMakerType string, info ec2types.InstanceTypeInfo) facts.InstanceTypeFact {
	fact := facts.InstanceTypeFact{
		Name:                     sageMakerType,
		Found:                    true,
		InstanceStorageSupported: aws.ToBool(info.InstanceStorageSupported),
	}
	if info.GpuInfo != nil {
		for _, gpu := range info.GpuInfo.Gpus {
			fact.GPUs += int(aws.ToInt32(gpu.Count))
		}
	}
	return fact
}
