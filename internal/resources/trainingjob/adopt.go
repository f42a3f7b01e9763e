// The audit of an existing training job before it is taken up (after a lost
// answer to CreateTrainingJob, or after an apply killed before it saved the
// state): the rule itself is sagemakerjob's CheckAdoption.

package trainingjob

import (
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// jobDiffs lists how the live job differs from the request, in every
// setting the request makes (the environment's values are not shown: they
// may be secret): the audit a job passes before sagemakerjob's
// CheckAdoption lets this resource take it up. Settings SageMaker fills in
// when a request leaves them out (an empty input mode or distribution) are
// not differences.
func jobDiffs(input *sagemaker.CreateTrainingJobInput, job *sagemaker.DescribeTrainingJobOutput) []string {
	var d sagemakerjob.Differ
	d.Str("the role", job.RoleArn, input.RoleArn)
	as := job.AlgorithmSpecification
	if as == nil {
		as = &smtypes.AlgorithmSpecification{}
	}
	d.Str("the image", as.TrainingImage, input.AlgorithmSpecification.TrainingImage)
	if as.TrainingInputMode != "" && as.TrainingInputMode != input.AlgorithmSpecification.TrainingInputMode {
		d.Add("the input mode", as.TrainingInputMode, input.AlgorithmSpecification.TrainingInputMode)
	}
	d.Diffs = append(d.Diffs, resourceDiffs(input.ResourceConfig, job.ResourceConfig)...)
	o := job.OutputDataConfig
	if o == nil {
		o = &smtypes.OutputDataConfig{}
	}
	d.Str("the output location", o.S3OutputPath, input.OutputDataConfig.S3OutputPath)
	d.Str("the output key", o.KmsKeyId, input.OutputDataConfig.KmsKeyId)
	d.VPC(job.VpcConfig, input.VpcConfig, aws.ToBool(job.EnableNetworkIsolation), aws.ToBool(job.EnableInterContainerTrafficEncryption))
	if aws.ToBool(job.EnableManagedSpotTraining) != aws.ToBool(input.EnableManagedSpotTraining) {
		d.Add("managed spot training", aws.ToBool(job.EnableManagedSpotTraining), aws.ToBool(input.EnableManagedSpotTraining))
	}
	d.Diffs = append(d.Diffs, stoppingDiffs(input.StoppingCondition, job.StoppingCondition)...)
	var gotCheckpoint, wantCheckpoint *string
	if job.CheckpointConfig != nil {
		gotCheckpoint = job.CheckpointConfig.S3Uri
	}
	if input.CheckpointConfig != nil {
		wantCheckpoint = input.CheckpointConfig.S3Uri
	}
	d.Str("the checkpoint location", gotCheckpoint, wantCheckpoint)
	if !maps.Equal(job.HyperParameters, input.HyperParameters) {
		d.Add("the hyperparameters", job.HyperParameters, input.HyperParameters)
	}
	if !maps.Equal(job.Environment, input.Environment) {
		d.Diffs = append(d.Diffs, "the environment differs from the plan's")
	}
	return append(d.Diffs, channelDiffs(input.InputDataConfig, job.InputDataConfig)...)
}

// resourceDiffs compares the instances and the volume.
func resourceDiffs(want, got *smtypes.ResourceConfig) []string {
	if got == nil {
		return []string{"it reports no instances"}
	}
	var diffs []string
	if got.InstanceType != want.InstanceType || aws.ToInt32(got.InstanceCount) != aws.ToInt32(want.InstanceCount) {
		diffs = append(diffs, fmt.Sprintf("the instances are %d x %s, the plan says %d x %s",
			aws.ToInt32(got.InstanceCount), got.InstanceType, aws.ToInt32(want.InstanceCount), want.InstanceType))
	}
	if aws.ToInt32(got.VolumeSizeInGB) != aws.ToInt32(want.VolumeSizeInGB) {
		diffs = append(diffs, fmt.Sprintf("the volume is %d GB, the plan says %d", aws.ToInt32(got.VolumeSizeInGB), aws.ToInt32(want.VolumeSizeInGB)))
	}
	if aws.ToString(got.VolumeKmsKeyId) != aws.ToString(want.VolumeKmsKeyId) {
		diffs = append(diffs, fmt.Sprintf("the volume key is %s, the plan says %s", sagemakerjob.OrNone(aws.ToString(got.VolumeKmsKeyId)), sagemakerjob.OrNone(aws.ToString(want.VolumeKmsKeyId))))
	}
	return diffs
}

// stoppingDiffs compares the runtime bounds.
func stoppingDiffs(want, got *smtypes.StoppingCondition) []string {
	if got == nil {
		got = &smtypes.StoppingCondition{}
	}
	if aws.ToInt32(got.MaxRuntimeInSeconds) != aws.ToInt32(want.MaxRuntimeInSeconds) || aws.ToInt32(got.MaxWaitTimeInSeconds) != aws.ToInt32(want.MaxWaitTimeInSeconds) {
		return []string{fmt.Sprintf("the stopping condition is %ds runtime, %ds wait; the plan says %ds, %ds",
			aws.ToInt32(got.MaxRuntimeInSeconds), aws.ToInt32(got.MaxWaitTimeInSeconds), aws.ToInt32(want.MaxRuntimeInSeconds), aws.ToInt32(want.MaxWaitTimeInSeconds))}
	}
	return nil
}

// channelDiffs compares the input channels, in order.
func channelDiffs(want, got []smtypes.Channel) []string {
	return sagemakerjob.ListDiffs("input channel", want, got, sameChannel, func(c smtypes.Channel) *string { return c.ChannelName })
}

func sameChannel(want, got smtypes.Channel) bool {
	if aws.ToString(got.ChannelName) != aws.ToString(want.ChannelName) || aws.ToString(got.ContentType) != aws.ToString(want.ContentType) ||
		(got.InputMode != "" && got.InputMode != want.InputMode) {
		return false
	}
	if got.DataSource == nil || got.DataSource.S3DataSource == nil || got.DataSource.FileSystemDataSource != nil {
		return false
	}
	g, w := got.DataSource.S3DataSource, want.DataSource.S3DataSource
	return aws.ToString(g.S3Uri) == aws.ToString(w.S3Uri) && g.S3DataType == w.S3DataType &&
		(g.S3DataDistributionType == "" || g.S3DataDistributionType == w.S3DataDistributionType)
}
