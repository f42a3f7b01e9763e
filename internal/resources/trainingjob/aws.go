// The AWS calls: the SageMaker client, finding, waiting for, stopping,
// creating and tagging a job.

package trainingjob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// sageMakerAPI is the part of the SageMaker client this resource uses.
type sageMakerAPI interface {
	CreateTrainingJob(context.Context, *sagemaker.CreateTrainingJobInput, ...func(*sagemaker.Options)) (*sagemaker.CreateTrainingJobOutput, error)
	DescribeTrainingJob(context.Context, *sagemaker.DescribeTrainingJobInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeTrainingJobOutput, error)
	ListTrainingJobs(context.Context, *sagemaker.ListTrainingJobsInput, ...func(*sagemaker.Options)) (*sagemaker.ListTrainingJobsOutput, error)
	StopTrainingJob(context.Context, *sagemaker.StopTrainingJobInput, ...func(*sagemaker.Options)) (*sagemaker.StopTrainingJobOutput, error)
	ListTags(context.Context, *sagemaker.ListTagsInput, ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error)
	AddTags(context.Context, *sagemaker.AddTagsInput, ...func(*sagemaker.Options)) (*sagemaker.AddTagsOutput, error)
	DeleteTags(context.Context, *sagemaker.DeleteTagsInput, ...func(*sagemaker.Options)) (*sagemaker.DeleteTagsOutput, error)
}

func (r *trainingJobResource) configured(diags *diag.Diagnostics) bool {
	return providerdata.Ready(r.data, "sagesafe_training_job was used", diags)
}

func (r *trainingJobResource) sm() sageMakerAPI { return r.data.AWS.SageMaker }

// errNotFound is returned (wrapped) by findJob when the job does not exist.
var errNotFound = errors.New("training job not found")

// findJob describes the job. SageMaker reports an unknown job as a
// ValidationException (the same code as a malformed request), so a
// ValidationException is confirmed by listing jobs with that name before it
// is treated as "not found"; error messages are never parsed.
func findJob(ctx context.Context, api sageMakerAPI, name string) (*sagemaker.DescribeTrainingJobOutput, error) {
	out, err := api.DescribeTrainingJob(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: aws.String(name)})
	if err == nil {
		return out, nil
	}
	var rnf *smtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return nil, fmt.Errorf("%w: %s", errNotFound, name)
	}
	if tfawserr.ErrCodeEquals(err, "ValidationException") {
		exists, lerr := jobListed(ctx, api, name)
		if lerr == nil && !exists {
			return nil, fmt.Errorf("%w: %s", errNotFound, name)
		}
	}
	return nil, fmt.Errorf("describing training job %s: %w", name, err)
}

// jobListed reports whether ListTrainingJobs knows a job of exactly this name.
func jobListed(ctx context.Context, api sageMakerAPI, name string) (bool, error) {
	p := sagemaker.NewListTrainingJobsPaginator(api, &sagemaker.ListTrainingJobsInput{NameContains: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, err
		}
		for _, s := range page.TrainingJobSummaries {
			if aws.ToString(s.TrainingJobName) == name {
				return true, nil
			}
		}
	}
	return false, nil
}

// ended reports whether a status is final.
func ended(s smtypes.TrainingJobStatus) bool {
	switch s {
	case smtypes.TrainingJobStatusCompleted, smtypes.TrainingJobStatusFailed, smtypes.TrainingJobStatusStopped:
		return true
	}
	return false
}

// poll is the waiter's schedule: quick at first (short jobs and the
// emulator), then each wait half as long again, up to 30 seconds.
type poll struct {
	next, max time.Duration
}

func newPoll() *poll { return &poll{next: time.Second, max: 30 * time.Second} }

func (p *poll) wait(ctx context.Context) error {
	t := time.NewTimer(p.next)
	defer t.Stop()
	p.next = min(p.next*3/2, p.max)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// waitForEnd polls the job until it is Completed, Failed or Stopped, or
// until timeout. It returns the last description it saw.
//
// It is not the SDK's sagemaker.NewTrainingJobCompletedOrStoppedWaiter: its
// acceptors end the wait on Failed with an error and no description (the
// FailureReason Create reports would be lost) and at the first
// ValidationException, which is how SageMaker answers for a job it does not
// show yet right after CreateTrainingJob. A custom Retryable fixes those, but
// not its backoff: a random delay between MinDelay and MinDelay*2^(n-1),
// then MaxDelay flat from the 6th poll with today's 1s/30s. Measured, that
// made TestAccTrainingJob_waitForCompletion slower and more variable (8 to
// 19s against 10 to 12s) and notices a job ending after ~20s up to 30s late.
func waitForEnd(ctx context.Context, api sageMakerAPI, name string, timeout time.Duration) (*sagemaker.DescribeTrainingJobOutput, error) {
	return waitOn(ctx, api, name, timeout, newPoll())
}

// waitOn is waitForEnd on schedule p.
func waitOn(ctx context.Context, api sageMakerAPI, name string, timeout time.Duration, p *poll) (*sagemaker.DescribeTrainingJobOutput, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last *sagemaker.DescribeTrainingJobOutput
	notFound := 0
	for {
		job, err := findJob(ctx, api, name)
		switch {
		case err == nil:
			last = job
			if ended(job.TrainingJobStatus) {
				return job, nil
			}
		case errors.Is(err, errNotFound) && notFound < 5:
			notFound++ // eventual consistency right after CreateTrainingJob
		case ctx.Err() != nil:
		default:
			return last, err
		}
		if err := p.wait(ctx); err != nil {
			status := "unknown"
			if last != nil {
				status = fmt.Sprintf("%s (%s)", last.TrainingJobStatus, last.SecondaryStatus)
			}
			return last, fmt.Errorf("timed out after %s waiting for training job %s to end; it is %s", timeout, name, status)
		}
	}
}

// stopJob stops a running job. A job that ended in the meantime is fine:
// SageMaker rejects stopping it with a ValidationException, so the job is
// described again to tell that apart from a real error.
func stopJob(ctx context.Context, api sageMakerAPI, name string) error {
	_, err := api.StopTrainingJob(ctx, &sagemaker.StopTrainingJobInput{TrainingJobName: aws.String(name)})
	if err == nil {
		return nil
	}
	var rnf *smtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return nil
	}
	if tfawserr.ErrCodeEquals(err, "ValidationException") {
		job, ferr := findJob(ctx, api, name)
		if errors.Is(ferr, errNotFound) || (ferr == nil && (ended(job.TrainingJobStatus) || job.TrainingJobStatus == smtypes.TrainingJobStatusStopping)) {
			return nil
		}
	}
	return fmt.Errorf("stopping training job %s: %w", name, err)
}

// tokenTagKey is the tag that carries a job's creation token: a random
// value Create makes for every job, keeps in the private state and writes
// on the job in CreateTrainingJob itself (tag-on-create).
const tokenTagKey = "sagesafe:creation-token"

// tokenPrivateKey is the private state key of the creation token.
const tokenPrivateKey = "creation_token"

// newToken makes a creation token.
func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making the creation token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// createJob calls CreateTrainingJob, with the creation token as a tag, and
// returns the job's ARN. The SDK retries a request whose answer was lost;
// the job it then reports as in use may be the one this call created: it
// is adopted only when it carries this call's token and its settings are
// the request's (checkAdoption). Any other job of that name was made by
// someone else, and is refused with an error that names it.
func createJob(ctx context.Context, api sageMakerAPI, input *sagemaker.CreateTrainingJobInput, token string) (string, error) {
	started := time.Now()
	input.Tags = append(slices.DeleteFunc(slices.Clone(input.Tags), func(t smtypes.Tag) bool { return aws.ToString(t.Key) == tokenTagKey }),
		smtypes.Tag{Key: aws.String(tokenTagKey), Value: aws.String(token)})
	out, err := api.CreateTrainingJob(ctx, input)
	if err == nil {
		return aws.ToString(out.TrainingJobArn), nil
	}
	var inUse *smtypes.ResourceInUse
	if !errors.As(err, &inUse) {
		return "", err
	}
	name := aws.ToString(input.TrainingJobName)
	job, ferr := findJob(ctx, api, name)
	if ferr != nil {
		return "", err
	}
	tags, terr := listTags(ctx, api, aws.ToString(job.TrainingJobArn))
	if terr != nil {
		return "", fmt.Errorf("%w (and reading the tags of the existing job failed: %v)", err, terr)
	}
	if aerr := checkAdoption(input, job, tags, token, started); aerr != nil {
		return "", fmt.Errorf("%v: %w", aerr, err)
	}
	tflog.Warn(ctx, "adopting the training job a retried CreateTrainingJob had already created", map[string]any{"name": name})
	return aws.ToString(job.TrainingJobArn), nil
}

// checkAdoption decides whether an existing job of the requested name is the
// one this call created: it carries the call's creation token, and it has
// the request's settings (sameJob). Without the token, anyone who can
// create training jobs could make one of a configured name first (with the
// same role and image but, say, no VPC) and have sagesafe record it.
func checkAdoption(input *sagemaker.CreateTrainingJobInput, job *sagemaker.DescribeTrainingJobOutput, tags map[string]string, token string, started time.Time) error {
	name := aws.ToString(input.TrainingJobName)
	if got, ok := tags[tokenTagKey]; !ok || got != token {
		return fmt.Errorf("training job %s exists and was not created by this resource (it does not carry this apply's creation token in tag %s)", name, tokenTagKey)
	}
	if !sameJob(input, job, started) {
		return fmt.Errorf("training job %s exists but its settings differ from the plan (role, image, instances, output and its key, volume key, VPC, "+
			"network isolation or inter-container encryption)", name)
	}
	return nil
}

// listTags returns the job's tags.
func listTags(ctx context.Context, api sageMakerAPI, arn string) (map[string]string, error) {
	out := map[string]string{}
	p := sagemaker.NewListTagsPaginator(api, &sagemaker.ListTagsInput{ResourceArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing tags of %s: %w", arn, err)
		}
		maps.Copy(out, shared.TagMap(page.Tags, func(t smtypes.Tag) (*string, *string) { return t.Key, t.Value }))
	}
	return out, nil
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

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
