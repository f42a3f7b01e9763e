// The AWS calls: the SageMaker client, finding, waiting for, stopping,
// creating and tagging a job.

package trainingjob

import (
	"context"
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

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// Every mutating call of this resource is safe to repeat after a lost
// answer (the SDK retries it, or the next apply sends it again):
//
//   - CreateTrainingJob: the creation token and owner tag ride on the
//     request; the retry's ResourceInUse is settled by checkAdoption.
//   - StopTrainingJob: a second stop of a Stopping job is refused with a
//     ValidationException, which stopJob settles by describing the job.
//   - AddTags, DeleteTags (syncTags, releaseJob): set or remove the same
//     keys again; removing a missing key is no error.
//   - PutMetricAlarm, DeleteAlarms, TagResource, UntagResource (alarms):
//     puts overwrite, CloudWatch ignores missing alarm names.
//   - CreateLogGroup, AssociateKmsKey, PutRetentionPolicy, TagResource
//     (loggroup.Ensure): "already exists" reconciles the group; the others
//     set the same value again.

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
		if out == nil || aws.ToString(out.TrainingJobArn) == "" {
			return nil, fmt.Errorf("describing training job %s: SageMaker answered without the job (no TrainingJobArn)", name)
		}
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
		case transient(err) && !errors.Is(err, errNotFound):
			// A read that failed after the SDK's retries: the job runs on,
			// so the wait goes on until its timeout.
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

// readAfterCreate bounds how long a job just created may stay unreadable
// (not shown yet, or reads failing) before Create gives up reading it. A
// variable so that unit tests can shorten it.
var readAfterCreate = time.Minute

// transient reports a read failure that may pass by itself: a job not
// shown yet (SageMaker's reads lag its writes; it says so with
// ValidationException or ResourceNotFound), or what the SDK retries (lost
// connections, 5xx, throttling) after its own retries ran out.
func transient(err error) bool {
	return errors.Is(err, errNotFound) || idem.Retryable(err) || tfawserr.ErrCodeEquals(err, "ValidationException")
}

// readCreated describes a job CreateTrainingJob has just accepted, retrying
// transient failures for readAfterCreate.
func readCreated(ctx context.Context, api sageMakerAPI, name string) (*sagemaker.DescribeTrainingJobOutput, error) {
	deadline := time.Now().Add(readAfterCreate)
	p := newPoll()
	for {
		job, err := findJob(ctx, api, name)
		if err == nil || !transient(err) || time.Now().After(deadline) {
			return job, err
		}
		tflog.Debug(ctx, "training job not readable yet after create; retrying", map[string]any{"name": name, "error": err.Error()})
		if werr := p.wait(ctx); werr != nil {
			return nil, err
		}
	}
}

// releaseJob removes the owner tag from a job this resource no longer
// manages (destroy, replacement), so that no later apply adopts it (see
// checkAdoption). Removing a tag twice (a retry after a lost answer) is
// harmless.
func releaseJob(ctx context.Context, api sageMakerAPI, arn string) error {
	if _, err := api.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(arn), TagKeys: []string{ownerTagKey}}); err != nil {
		return fmt.Errorf("removing tag %s from %s: %w", ownerTagKey, arn, err)
	}
	return nil
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

// ownerTagKey names, on every job this resource creates, the job it was
// created as (tag-on-create, next to the creation token idem.TokenTag). A
// destroy removes it (releaseJob): a job without it is never adopted again.
const ownerTagKey = "sagesafe:training-job"

// prefixTagKey names, on a job whose name was generated from name_prefix,
// that prefix: after a killed apply the next apply generates another name,
// and finds the running job of the killed one by this tag (interruptedJob).
const prefixTagKey = "sagesafe:training-job-prefix"

// creationTag reports whether k is one of the tags Create writes itself.
func creationTag(k string) bool { return k == idem.TokenTag || k == ownerTagKey || k == prefixTagKey }

// tokenPrivateKey is the private state key of the creation token.
const tokenPrivateKey = "creation_token"

// withCreationTags is the request's tags plus the creation token and the
// owner tag, replacing any of the same keys.
func withCreationTags(tags []smtypes.Tag, name, prefix, token string) []smtypes.Tag {
	out := slices.DeleteFunc(slices.Clone(tags), func(t smtypes.Tag) bool { return creationTag(aws.ToString(t.Key)) })
	out = append(out, smtypes.Tag{Key: aws.String(idem.TokenTag), Value: aws.String(token)},
		smtypes.Tag{Key: aws.String(ownerTagKey), Value: aws.String(name)})
	if prefix != "" {
		out = append(out, smtypes.Tag{Key: aws.String(prefixTagKey), Value: aws.String(prefix)})
	}
	return out
}

// createJob calls CreateTrainingJob, with the creation token and the owner
// tag, and returns the job's ARN. SageMaker answers ResourceInUse when a job
// of the configured name exists; that job is adopted only on checkAdoption's
// terms, and any other is refused with an error that names it.
func createJob(ctx context.Context, api sageMakerAPI, input *sagemaker.CreateTrainingJobInput, prefix, token string) (string, error) {
	started := time.Now()
	name := aws.ToString(input.TrainingJobName)
	input.Tags = withCreationTags(input.Tags, name, prefix, token)
	out, err := api.CreateTrainingJob(ctx, input)
	if err == nil {
		if aws.ToString(out.TrainingJobArn) == "" {
			return "", fmt.Errorf("CreateTrainingJob for %s answered without the job's ARN", name)
		}
		return aws.ToString(out.TrainingJobArn), nil
	}
	var inUse *smtypes.ResourceInUse
	if !errors.As(err, &inUse) {
		return "", err
	}
	job, ferr := findJob(ctx, api, name)
	if ferr != nil {
		return "", err
	}
	tags, terr := listTags(ctx, api, aws.ToString(job.TrainingJobArn))
	if terr != nil {
		return "", fmt.Errorf("%w (and reading the tags of the existing job failed: %v)", err, terr)
	}
	how, aerr := checkAdoption(input, job, tags, token, started)
	if aerr != nil {
		return "", fmt.Errorf("%v: %w", aerr, err)
	}
	tflog.Warn(ctx, "adopting the training job "+how, map[string]any{"name": name})
	return aws.ToString(job.TrainingJobArn), nil
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
