// The audit of an existing processing job before it is taken up (after a
// lost answer to CreateProcessingJob, or after an apply killed before it
// saved the state): the rule itself is sagemakerjob's CheckAdoption.

package processingjob

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// jobDiffs lists how the live job differs from the request, in every
// setting the request makes: role, container, instances and volume key,
// outputs and their key, inputs, network (VPC, isolation, inter-container
// encryption), runtime bound and environment (whose values are not shown:
// they may be secret). Modes SageMaker fills in when a request leaves them
// out are not differences.
func jobDiffs(input *sagemaker.CreateProcessingJobInput, job *sagemaker.DescribeProcessingJobOutput) []string {
	var d sagemakerjob.Differ
	d.Str("the role", job.RoleArn, input.RoleArn)
	app := job.AppSpecification
	if app == nil {
		app = &smtypes.AppSpecification{}
	}
	d.Str("the image", app.ImageUri, input.AppSpecification.ImageUri)
	if !slices.Equal(app.ContainerEntrypoint, input.AppSpecification.ContainerEntrypoint) {
		d.Add("the entrypoint", app.ContainerEntrypoint, input.AppSpecification.ContainerEntrypoint)
	}
	if !slices.Equal(app.ContainerArguments, input.AppSpecification.ContainerArguments) {
		d.Add("the arguments", app.ContainerArguments, input.AppSpecification.ContainerArguments)
	}
	d.Diffs = append(d.Diffs, clusterDiffs(input.ProcessingResources.ClusterConfig, job.ProcessingResources)...)
	o := job.ProcessingOutputConfig
	if o == nil {
		o = &smtypes.ProcessingOutputConfig{}
	}
	d.Str("the output key", o.KmsKeyId, input.ProcessingOutputConfig.KmsKeyId)
	n := job.NetworkConfig
	if n == nil {
		n = &smtypes.NetworkConfig{}
	}
	d.VPC(n.VpcConfig, input.NetworkConfig.VpcConfig, aws.ToBool(n.EnableNetworkIsolation), aws.ToBool(n.EnableInterContainerTrafficEncryption))
	var runtime int32
	if job.StoppingCondition != nil {
		runtime = aws.ToInt32(job.StoppingCondition.MaxRuntimeInSeconds)
	}
	if want := aws.ToInt32(input.StoppingCondition.MaxRuntimeInSeconds); runtime != want {
		d.Add("the runtime bound", fmt.Sprintf("%ds", runtime), fmt.Sprintf("%ds", want))
	}
	if !maps.Equal(job.Environment, input.Environment) {
		d.Diffs = append(d.Diffs, "the environment differs from the plan's")
	}
	d.Diffs = append(d.Diffs, outputDiffs(input.ProcessingOutputConfig.Outputs, o.Outputs)...)
	return append(d.Diffs, inputDiffs(input.ProcessingInputs, job.ProcessingInputs)...)
}

// clusterDiffs compares the instances and the volume.
func clusterDiffs(want *smtypes.ProcessingClusterConfig, got *smtypes.ProcessingResources) []string {
	if got == nil || got.ClusterConfig == nil {
		return []string{"it reports no instances"}
	}
	c := got.ClusterConfig
	var d sagemakerjob.Differ
	if c.InstanceType != want.InstanceType || aws.ToInt32(c.InstanceCount) != aws.ToInt32(want.InstanceCount) {
		d.Add("the instances", fmt.Sprintf("%d x %s", aws.ToInt32(c.InstanceCount), c.InstanceType), fmt.Sprintf("%d x %s", aws.ToInt32(want.InstanceCount), want.InstanceType))
	}
	if aws.ToInt32(c.VolumeSizeInGB) != aws.ToInt32(want.VolumeSizeInGB) {
		d.Add("the volume", fmt.Sprintf("%d GB", aws.ToInt32(c.VolumeSizeInGB)), aws.ToInt32(want.VolumeSizeInGB))
	}
	d.Str("the volume key", c.VolumeKmsKeyId, want.VolumeKmsKeyId)
	return d.Diffs
}

// inputDiffs compares the inputs, in order.
func inputDiffs(want, got []smtypes.ProcessingInput) []string {
	return sagemakerjob.ListDiffs("input", want, got, func(w, g smtypes.ProcessingInput) bool {
		return aws.ToString(g.InputName) == aws.ToString(w.InputName) && g.S3Input != nil && g.DatasetDefinition == nil &&
			aws.ToString(g.S3Input.S3Uri) == aws.ToString(w.S3Input.S3Uri) && aws.ToString(g.S3Input.LocalPath) == aws.ToString(w.S3Input.LocalPath) &&
			(g.S3Input.S3DataType == "" || g.S3Input.S3DataType == w.S3Input.S3DataType)
	}, func(in smtypes.ProcessingInput) *string { return in.InputName })
}

// outputDiffs compares the outputs, in order.
func outputDiffs(want, got []smtypes.ProcessingOutput) []string {
	return sagemakerjob.ListDiffs("output", want, got, func(w, g smtypes.ProcessingOutput) bool {
		return aws.ToString(g.OutputName) == aws.ToString(w.OutputName) && g.S3Output != nil && g.FeatureStoreOutput == nil &&
			aws.ToString(g.S3Output.S3Uri) == aws.ToString(w.S3Output.S3Uri) && aws.ToString(g.S3Output.LocalPath) == aws.ToString(w.S3Output.LocalPath)
	}, func(out smtypes.ProcessingOutput) *string { return out.OutputName })
}
