// Mapping the plan to SageMaker requests.

package trainingjob

import (
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// missingForCreate lists the inputs CreateTrainingJob needs that are not
// known: the plan-time checks refuse a missing one, so this only reports
// values a provider bug (or an unknown that stayed unknown) left behind.
func missingForCreate(in inputs) []string {
	var missing []string
	check := func(name string, known bool) {
		if !known {
			missing = append(missing, name)
		}
	}
	check("role_arn", in.RoleARN.IsKnown())
	check("image", in.Image.IsKnown())
	check("input_channels", in.ChannelsKnown)
	for _, c := range in.Channels {
		check("input_channels.s3_uri", c.S3URI.IsKnown() && c.Name.IsKnown())
	}
	check("output_s3_uri", in.Output.IsKnown())
	check("instance_type", in.InstanceType.IsKnown())
	check("kms_key_arn", in.KMSKey.IsKnown() && in.KMSKey.V != "")
	check("vpc.subnet_ids", in.SubnetIDs.IsKnown())
	check("vpc.security_group_ids", in.SecurityGroupIDs.IsKnown())
	check("max_runtime_seconds", in.MaxRuntimeSeconds.IsKnown())
	return missing
}

// expandCreate builds the CreateTrainingJob request. The forced settings are
// set here and nowhere else: network isolation, inter-container traffic
// encryption, the CMK on the output and (unless the instance type has NVMe
// instance storage) on the volume.
func expandCreate(in inputs, name string, nvme bool, tags map[string]string) *sagemaker.CreateTrainingJobInput {
	out := &sagemaker.CreateTrainingJobInput{
		TrainingJobName: aws.String(name),
		RoleArn:         aws.String(in.RoleARN.V),
		AlgorithmSpecification: &smtypes.AlgorithmSpecification{
			TrainingImage:     aws.String(in.Image.V),
			TrainingInputMode: smtypes.TrainingInputMode(DefaultInputMode),
		},
		OutputDataConfig: &smtypes.OutputDataConfig{
			S3OutputPath: aws.String(in.Output.V),
			KmsKeyId:     aws.String(in.KMSKey.V),
		},
		ResourceConfig: &smtypes.ResourceConfig{
			InstanceType:   smtypes.TrainingInstanceType(in.InstanceType.V),
			InstanceCount:  aws.Int32(int32(orDefault(in.InstanceCount, sagemakerjob.DefaultInstanceCount))),
			VolumeSizeInGB: aws.Int32(int32(orDefault(in.VolumeSizeGB, sagemakerjob.DefaultVolumeSizeGB))),
		},
		VpcConfig: &smtypes.VpcConfig{
			Subnets:          append([]string(nil), in.SubnetIDs.V...),
			SecurityGroupIds: append([]string(nil), in.SecurityGroupIDs.V...),
		},
		StoppingCondition: &smtypes.StoppingCondition{
			MaxRuntimeInSeconds: aws.Int32(int32(in.MaxRuntimeSeconds.V)),
		},
		EnableNetworkIsolation:                aws.Bool(true),
		EnableInterContainerTrafficEncryption: aws.Bool(true),
		EnableManagedSpotTraining:             aws.Bool(in.UseSpot.IsKnown() && in.UseSpot.V),
		Tags:                                  sagemakerjob.TagList(tags),
	}
	if !nvme {
		out.ResourceConfig.VolumeKmsKeyId = aws.String(in.KMSKey.V)
	}
	if in.UseSpot.V && in.MaxWaitSeconds.IsKnown() {
		out.StoppingCondition.MaxWaitTimeInSeconds = aws.Int32(int32(in.MaxWaitSeconds.V))
	}
	if in.Checkpoint.IsKnown() {
		out.CheckpointConfig = &smtypes.CheckpointConfig{S3Uri: aws.String(in.Checkpoint.V)}
	}
	if in.Hyperparameters.IsKnown() && len(in.Hyperparameters.V) > 0 {
		out.HyperParameters = maps.Clone(in.Hyperparameters.V)
	}
	if in.Environment.IsKnown() && len(in.Environment.V) > 0 {
		out.Environment = maps.Clone(in.Environment.V)
	}
	out.InputDataConfig = expandChannels(in.Channels)
	return out
}

// expandChannels builds the input channels: S3 prefixes, with the default
// input mode and distribution where a channel sets none.
func expandChannels(channels []channelInput) []smtypes.Channel {
	var out []smtypes.Channel
	for _, c := range channels {
		ch := smtypes.Channel{
			ChannelName: aws.String(c.Name.V),
			DataSource: &smtypes.DataSource{S3DataSource: &smtypes.S3DataSource{
				S3DataType:             smtypes.S3DataTypeS3Prefix,
				S3Uri:                  aws.String(c.S3URI.V),
				S3DataDistributionType: smtypes.S3DataDistribution(orString(c.Distribution, DefaultDistribution)),
			}},
			InputMode: smtypes.TrainingInputMode(orString(c.InputMode, DefaultInputMode)),
		}
		if c.ContentType.IsKnown() {
			ch.ContentType = aws.String(c.ContentType.V)
		}
		out = append(out, ch)
	}
	return out
}

// createTimeout is the default bound for waiting on a job: its own time
// limit plus a margin for provisioning and upload.
func createTimeout(in inputs) time.Duration {
	limit := in.MaxRuntimeSeconds
	if in.UseSpot.IsKnown() && in.UseSpot.V && in.MaxWaitSeconds.IsKnown() {
		limit = in.MaxWaitSeconds
	}
	if !limit.IsKnown() || limit.V <= 0 {
		return fallbackCreateTimeout
	}
	return time.Duration(limit.V)*time.Second + createTimeoutMargin
}

func orDefault(v facts.Value[int64], def int64) int64 {
	if v.IsKnown() {
		return v.V
	}
	return def
}

func orString(v facts.Value[string], def string) string {
	if v.IsKnown() && v.V != "" {
		return v.V
	}
	return def
}

// validateSpot reports the spot settings SageMaker would reject.
func validateSpot(in inputs) (attr, msg string) {
	spot := in.UseSpot.IsKnown() && in.UseSpot.V
	switch {
	case spot && in.MaxWaitSeconds.State == facts.StateNull:
		return "max_wait_seconds", "use_spot needs max_wait_seconds: how long SageMaker may wait for spot capacity plus the training time."
	case !spot && in.UseSpot.IsKnown() && in.MaxWaitSeconds.State == facts.StateKnown:
		return "max_wait_seconds", "max_wait_seconds applies only to spot training; set use_spot = true or remove it."
	case spot && in.MaxWaitSeconds.IsKnown() && in.MaxRuntimeSeconds.IsKnown() && in.MaxWaitSeconds.V < in.MaxRuntimeSeconds.V:
		return "max_wait_seconds", fmt.Sprintf("max_wait_seconds (%d) must be at least max_runtime_seconds (%d).", in.MaxWaitSeconds.V, in.MaxRuntimeSeconds.V)
	}
	return "", ""
}
