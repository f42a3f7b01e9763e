// Adopting an existing job of the configured name: after a lost answer to
// CreateTrainingJob, or after an apply killed before it saved the state.

package trainingjob

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// checkAdoption decides whether an existing job of the requested name may be
// recorded as this resource's job, and says why (how). Two cases qualify:
//
//   - A retried CreateTrainingJob whose first answer was lost: the job
//     carries this call's creation token, was created no earlier than a
//     minute before the call, and has the request's identity and security
//     settings (sameJob). The token proves authorship.
//   - An apply killed between CreateTrainingJob and the state save: the
//     token went with that apply (it lived in the private state only), so
//     authorship cannot be proven. The job is adopted when it carries a
//     creation token, the owner tag naming this job, and every setting of
//     the request (jobDiffs finds nothing: role, image, inputs,
//     hyperparameters, environment, instances, keys, network, stopping
//     condition). Such a job runs exactly what this resource would start, in
//     this account; whoever made it, adopting it is harmless, and starting a
//     second, billed job is not the alternative: SageMaker never reuses a
//     name, so the apply could only fail. A destroyed job lost its owner tag
//     (releaseJob) and is not adopted again.
//
// Anything else (no token, another owner, a setting that differs) is
// refused: anyone who can create training jobs could make one of a
// configured name first, say without a VPC, and have sagesafe record it.
func checkAdoption(input *sagemaker.CreateTrainingJobInput, job *sagemaker.DescribeTrainingJobOutput, tags map[string]string, token string, started time.Time) (how string, err error) {
	name := aws.ToString(input.TrainingJobName)
	got, tagged := tags[idem.TokenTag]
	switch {
	case tagged && got == token:
		if !sameJob(input, job, started) {
			return "", fmt.Errorf("training job %s exists but its settings differ from the plan (role, image, instances, output and its key, volume key, VPC, "+
				"network isolation or inter-container encryption)", name)
		}
		return "a retried CreateTrainingJob had already created", nil
	case tagged && got != "" && tags[ownerTagKey] == name:
		if diffs := jobDiffs(input, job); len(diffs) > 0 {
			return "", fmt.Errorf("training job %s exists and carries sagesafe's tags, but was not created by this apply and its settings differ from the plan: %s",
				name, strings.Join(diffs, "; "))
		}
		return "an interrupted apply created (it carries sagesafe's tags and exactly the planned settings)", nil
	}
	return "", fmt.Errorf("training job %s exists and was not created by this resource (it does not carry this apply's creation token in tag %s, "+
		"nor the tags and settings of a job an interrupted apply of this resource started)", name, idem.TokenTag)
}

// sameJob reports whether job is the one input asked for, created by this
// call: created no earlier than a minute before it started (clock skew), with
// the same role, image, instance type and count, output, keys and network.
func sameJob(input *sagemaker.CreateTrainingJobInput, job *sagemaker.DescribeTrainingJobOutput, started time.Time) bool {
	if job.CreationTime == nil || job.CreationTime.Before(started.Add(-time.Minute)) {
		return false
	}
	if aws.ToString(job.RoleArn) != aws.ToString(input.RoleArn) || job.AlgorithmSpecification == nil ||
		aws.ToString(job.AlgorithmSpecification.TrainingImage) != aws.ToString(input.AlgorithmSpecification.TrainingImage) {
		return false
	}
	rc, o, v := job.ResourceConfig, job.OutputDataConfig, job.VpcConfig
	if rc == nil || o == nil || v == nil {
		return false
	}
	return rc.InstanceType == input.ResourceConfig.InstanceType &&
		aws.ToInt32(rc.InstanceCount) == aws.ToInt32(input.ResourceConfig.InstanceCount) &&
		aws.ToString(o.S3OutputPath) == aws.ToString(input.OutputDataConfig.S3OutputPath) &&
		aws.ToString(o.KmsKeyId) == aws.ToString(input.OutputDataConfig.KmsKeyId) &&
		aws.ToString(rc.VolumeKmsKeyId) == aws.ToString(input.ResourceConfig.VolumeKmsKeyId) &&
		sameSet(v.Subnets, input.VpcConfig.Subnets) && sameSet(v.SecurityGroupIds, input.VpcConfig.SecurityGroupIds) &&
		aws.ToBool(job.EnableNetworkIsolation) && aws.ToBool(job.EnableInterContainerTrafficEncryption)
}

// jobDiffs lists how the live job differs from the request, in every
// setting the request makes (the environment's values are not shown: they
// may be secret). Settings SageMaker fills in when a request leaves them out
// (an empty input mode or distribution) are not differences.
func jobDiffs(input *sagemaker.CreateTrainingJobInput, job *sagemaker.DescribeTrainingJobOutput) []string {
	var diffs []string
	differ := func(what string, got, want any) {
		diffs = append(diffs, fmt.Sprintf("%s is %v, the plan says %v", what, got, want))
	}
	str := func(what string, got, want *string) {
		if aws.ToString(got) != aws.ToString(want) {
			differ(what, orNone(aws.ToString(got)), orNone(aws.ToString(want)))
		}
	}
	str("the role", job.RoleArn, input.RoleArn)
	as := job.AlgorithmSpecification
	if as == nil {
		as = &smtypes.AlgorithmSpecification{}
	}
	str("the image", as.TrainingImage, input.AlgorithmSpecification.TrainingImage)
	if as.TrainingInputMode != "" && as.TrainingInputMode != input.AlgorithmSpecification.TrainingInputMode {
		differ("the input mode", as.TrainingInputMode, input.AlgorithmSpecification.TrainingInputMode)
	}
	diffs = append(diffs, resourceDiffs(input.ResourceConfig, job.ResourceConfig)...)
	o := job.OutputDataConfig
	if o == nil {
		o = &smtypes.OutputDataConfig{}
	}
	str("the output location", o.S3OutputPath, input.OutputDataConfig.S3OutputPath)
	str("the output key", o.KmsKeyId, input.OutputDataConfig.KmsKeyId)
	v := job.VpcConfig
	if v == nil {
		v = &smtypes.VpcConfig{}
	}
	if !sameSet(v.Subnets, input.VpcConfig.Subnets) || !sameSet(v.SecurityGroupIds, input.VpcConfig.SecurityGroupIds) {
		differ("the VPC", fmt.Sprint(sorted(v.Subnets), sorted(v.SecurityGroupIds)), fmt.Sprint(sorted(input.VpcConfig.Subnets), sorted(input.VpcConfig.SecurityGroupIds)))
	}
	if !aws.ToBool(job.EnableNetworkIsolation) || !aws.ToBool(job.EnableInterContainerTrafficEncryption) {
		diffs = append(diffs, "network isolation or inter-container traffic encryption is off")
	}
	if aws.ToBool(job.EnableManagedSpotTraining) != aws.ToBool(input.EnableManagedSpotTraining) {
		differ("managed spot training", aws.ToBool(job.EnableManagedSpotTraining), aws.ToBool(input.EnableManagedSpotTraining))
	}
	diffs = append(diffs, stoppingDiffs(input.StoppingCondition, job.StoppingCondition)...)
	var gotCheckpoint, wantCheckpoint *string
	if job.CheckpointConfig != nil {
		gotCheckpoint = job.CheckpointConfig.S3Uri
	}
	if input.CheckpointConfig != nil {
		wantCheckpoint = input.CheckpointConfig.S3Uri
	}
	str("the checkpoint location", gotCheckpoint, wantCheckpoint)
	if !maps.Equal(job.HyperParameters, input.HyperParameters) {
		differ("the hyperparameters", job.HyperParameters, input.HyperParameters)
	}
	if !maps.Equal(job.Environment, input.Environment) {
		diffs = append(diffs, "the environment differs from the plan's")
	}
	return append(diffs, channelDiffs(input.InputDataConfig, job.InputDataConfig)...)
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
		diffs = append(diffs, fmt.Sprintf("the volume key is %s, the plan says %s", orNone(aws.ToString(got.VolumeKmsKeyId)), orNone(aws.ToString(want.VolumeKmsKeyId))))
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
	if len(got) != len(want) {
		return []string{fmt.Sprintf("it has %d input channels, the plan %d", len(got), len(want))}
	}
	var diffs []string
	for i := range want {
		if !sameChannel(want[i], got[i]) {
			diffs = append(diffs, fmt.Sprintf("input channel %d (%s) differs from the plan's", i, aws.ToString(want[i].ChannelName)))
		}
	}
	return diffs
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

func sorted(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}

// orNone stands in for an empty value in messages.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// interruptedJob finds the job an apply killed after CreateTrainingJob
// started for this resource when its name comes from name_prefix. The
// killed apply's name was generated and is lost with it; this apply would
// generate another one and start a second, billed job. The job is found by
// what Create wrote on it: a running job whose name starts with the prefix,
// that carries a creation token, the owner tag naming itself and the prefix
// tag naming the prefix, and whose settings are exactly the plan's (jobDiffs
// of the request this apply would send under that name finds nothing). As
// for a configured name (checkAdoption), such a job runs exactly what this
// resource would start, in this account: adopting it is harmless, starting
// a second one is not. Only running jobs qualify: an ended job is the
// record of a finished run, not an interrupted create.
func interruptedJob(ctx context.Context, api sageMakerAPI, prefix string, request func(name string) *sagemaker.CreateTrainingJobInput) (name, arn string, err error) {
	p := sagemaker.NewListTrainingJobsPaginator(api, &sagemaker.ListTrainingJobsInput{
		NameContains: aws.String(prefix), StatusEquals: smtypes.TrainingJobStatusInProgress,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", "", fmt.Errorf("looking for a job an interrupted apply started: %w", err)
		}
		for _, s := range page.TrainingJobSummaries {
			candidate := aws.ToString(s.TrainingJobName)
			if !strings.HasPrefix(candidate, prefix) || s.TrainingJobStatus != smtypes.TrainingJobStatusInProgress {
				continue // the emulator ignores NameContains and StatusEquals on some lists
			}
			tags, err := listTags(ctx, api, aws.ToString(s.TrainingJobArn))
			if err != nil {
				return "", "", err
			}
			if tags[idem.TokenTag] == "" || tags[ownerTagKey] != candidate || tags[prefixTagKey] != prefix {
				continue
			}
			job, err := findJob(ctx, api, candidate)
			if err != nil {
				return "", "", err
			}
			if len(jobDiffs(request(candidate), job)) == 0 {
				return candidate, aws.ToString(job.TrainingJobArn), nil
			}
		}
	}
	return "", "", nil
}
