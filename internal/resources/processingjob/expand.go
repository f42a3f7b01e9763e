// Mapping the plan to SageMaker requests.

package processingjob

import (
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// missingForCreate lists the inputs CreateProcessingJob needs that are not
// known: the plan-time checks refuse a missing one, so this only reports
// values a provider bug left behind.
func missingForCreate(in inputs) []string {
	var missing []string
	check := func(name string, known bool) {
		if !known {
			missing = append(missing, name)
		}
	}
	check("role_arn", in.RoleARN.IsKnown())
	check("image", in.Image.IsKnown())
	check("inputs/outputs", in.LocationsKnown && len(in.Outputs) > 0)
	for _, l := range append(slices.Clone(in.Inputs), in.Outputs...) {
		check("s3_uri/local_path of "+l.Name.V, l.S3URI.IsKnown() && l.LocalPath.IsKnown() && l.Name.IsKnown())
	}
	check("instance_type", in.InstanceType.IsKnown())
	check("kms_key_arn", in.KMSKey.IsKnown() && in.KMSKey.V != "")
	check("vpc.subnet_ids", in.SubnetIDs.IsKnown())
	check("vpc.security_group_ids", in.SecurityGroupIDs.IsKnown())
	check("max_runtime_seconds", in.MaxRuntimeSeconds.IsKnown())
	return missing
}

// expandCreate builds the CreateProcessingJob request. The forced settings
// are set here and nowhere else: network isolation, inter-container traffic
// encryption, the CMK on the outputs and (unless the instance type has NVMe
// instance storage) on the volume.
func expandCreate(in inputs, name string, nvme bool, tags map[string]string) *sagemaker.CreateProcessingJobInput {
	cluster := &smtypes.ProcessingClusterConfig{
		InstanceType:   smtypes.ProcessingInstanceType(in.InstanceType.V),
		InstanceCount:  aws.Int32(int32(orDefault(in.InstanceCount, sagemakerjob.DefaultInstanceCount))),
		VolumeSizeInGB: aws.Int32(int32(orDefault(in.VolumeSizeGB, sagemakerjob.DefaultVolumeSizeGB))),
	}
	if !nvme {
		cluster.VolumeKmsKeyId = aws.String(in.KMSKey.V)
	}
	out := &sagemaker.CreateProcessingJobInput{
		ProcessingJobName:   aws.String(name),
		RoleArn:             aws.String(in.RoleARN.V),
		AppSpecification:    &smtypes.AppSpecification{ImageUri: aws.String(in.Image.V)},
		ProcessingResources: &smtypes.ProcessingResources{ClusterConfig: cluster},
		ProcessingOutputConfig: &smtypes.ProcessingOutputConfig{
			KmsKeyId: aws.String(in.KMSKey.V),
			Outputs:  expandOutputs(in.Outputs),
		},
		ProcessingInputs: expandInputs(in.Inputs),
		NetworkConfig: &smtypes.NetworkConfig{
			EnableNetworkIsolation:                aws.Bool(true),
			EnableInterContainerTrafficEncryption: aws.Bool(true),
			VpcConfig: &smtypes.VpcConfig{
				Subnets:          slices.Clone(in.SubnetIDs.V),
				SecurityGroupIds: slices.Clone(in.SecurityGroupIDs.V),
			},
		},
		StoppingCondition: &smtypes.ProcessingStoppingCondition{MaxRuntimeInSeconds: aws.Int32(int32(in.MaxRuntimeSeconds.V))},
		Tags:              sagemakerjob.TagList(tags),
	}
	if in.Entrypoint.IsKnown() && len(in.Entrypoint.V) > 0 {
		out.AppSpecification.ContainerEntrypoint = slices.Clone(in.Entrypoint.V)
	}
	if in.Arguments.IsKnown() && len(in.Arguments.V) > 0 {
		out.AppSpecification.ContainerArguments = slices.Clone(in.Arguments.V)
	}
	if in.Environment.IsKnown() && len(in.Environment.V) > 0 {
		out.Environment = maps.Clone(in.Environment.V)
	}
	return out
}

// expandInputs builds the processing inputs: S3 prefixes copied in before
// the container starts (File mode, fully replicated).
func expandInputs(locs []location) []smtypes.ProcessingInput {
	var out []smtypes.ProcessingInput
	for _, l := range locs {
		out = append(out, smtypes.ProcessingInput{
			InputName: aws.String(l.Name.V),
			S3Input: &smtypes.ProcessingS3Input{
				S3Uri:                  aws.String(l.S3URI.V),
				LocalPath:              aws.String(l.LocalPath.V),
				S3DataType:             smtypes.ProcessingS3DataTypeS3Prefix,
				S3InputMode:            smtypes.ProcessingS3InputModeFile,
				S3DataDistributionType: smtypes.ProcessingS3DataDistributionTypeFullyreplicated,
			},
		})
	}
	return out
}

// expandOutputs builds the processing outputs, uploaded when the job ends.
func expandOutputs(locs []location) []smtypes.ProcessingOutput {
	var out []smtypes.ProcessingOutput
	for _, l := range locs {
		out = append(out, smtypes.ProcessingOutput{
			OutputName: aws.String(l.Name.V),
			S3Output: &smtypes.ProcessingS3Output{
				S3Uri:        aws.String(l.S3URI.V),
				LocalPath:    aws.String(l.LocalPath.V),
				S3UploadMode: smtypes.ProcessingS3UploadModeEndOfJob,
			},
		})
	}
	return out
}

// createTimeout is the default bound for waiting on a job: its own time
// limit plus a margin for provisioning and upload.
func createTimeout(in inputs) time.Duration {
	return time.Duration(orDefault(in.MaxRuntimeSeconds, 0))*time.Second + createTimeoutMargin
}

func orDefault(v facts.Value[int64], def int64) int64 {
	if v.IsKnown() {
		return v.V
	}
	return def
}

// duplicateNames returns the names used by more than one input or output
// (SageMaker requires them unique across both).
func duplicateNames(in inputs) []string {
	seen, dup := map[string]bool{}, map[string]bool{}
	for _, l := range append(slices.Clone(in.Inputs), in.Outputs...) {
		if l.Name.IsKnown() {
			dup[l.Name.V] = seen[l.Name.V]
			seen[l.Name.V] = true
		}
	}
	var out []string
	for n, d := range dup {
		if d {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
