// The AWS calls: the SageMaker client, finding, waiting for, stopping,
// creating and tagging a job.

package processingjob

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// Every mutating call of this resource is safe to repeat after a lost
// answer:
//
//   - CreateProcessingJob (name-keyed, no ClientToken): idem.Create with the
//     SDK's retries off; the creation token rides on the request as a tag,
//     and a retry's ResourceInUse is settled by finding the job with this
//     token (ownJob). A job of the name without it is refused.
//   - StopProcessingJob: a second stop of a Stopping job is refused with a
//     ValidationException, which stopJob settles by describing the job.
//   - AddTags, DeleteTags: set or remove the same keys again.
//   - PutMetricAlarm, DeleteAlarms, TagResource, UntagResource (alarms):
//     puts overwrite, CloudWatch ignores missing alarm names.
//   - CreateLogGroup, AssociateKmsKey, PutRetentionPolicy (loggroup.Ensure):
//     "already exists" reconciles the group; the others set the same value.

// sageMakerAPI is the part of the SageMaker client this resource uses.
type sageMakerAPI interface {
	CreateProcessingJob(context.Context, *sagemaker.CreateProcessingJobInput, ...func(*sagemaker.Options)) (*sagemaker.CreateProcessingJobOutput, error)
	DescribeProcessingJob(context.Context, *sagemaker.DescribeProcessingJobInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeProcessingJobOutput, error)
	ListProcessingJobs(context.Context, *sagemaker.ListProcessingJobsInput, ...func(*sagemaker.Options)) (*sagemaker.ListProcessingJobsOutput, error)
	StopProcessingJob(context.Context, *sagemaker.StopProcessingJobInput, ...func(*sagemaker.Options)) (*sagemaker.StopProcessingJobOutput, error)
	ListTags(context.Context, *sagemaker.ListTagsInput, ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error)
	AddTags(context.Context, *sagemaker.AddTagsInput, ...func(*sagemaker.Options)) (*sagemaker.AddTagsOutput, error)
	DeleteTags(context.Context, *sagemaker.DeleteTagsInput, ...func(*sagemaker.Options)) (*sagemaker.DeleteTagsOutput, error)
}

func (r *processingJobResource) configured(diags *diag.Diagnostics) bool {
	return providerdata.Ready(r.data, "sagesafe_processing_job was used", diags)
}

func (r *processingJobResource) sm() sageMakerAPI { return r.data.AWS.SageMaker }

// errNotFound is returned (wrapped) by findJob when the job does not exist.
var errNotFound = errors.New("processing job not found")

// findJob describes the job. SageMaker reports an unknown job as a
// ValidationException (the code of a malformed request too), so that is
// confirmed by listing jobs with that name before it counts as "not found";
// error messages are never parsed.
func findJob(ctx context.Context, api sageMakerAPI, name string) (*sagemaker.DescribeProcessingJobOutput, error) {
	out, err := api.DescribeProcessingJob(ctx, &sagemaker.DescribeProcessingJobInput{ProcessingJobName: aws.String(name)})
	if err == nil {
		if out == nil || aws.ToString(out.ProcessingJobArn) == "" {
			return nil, fmt.Errorf("describing processing job %s: SageMaker answered without the job", name)
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
	return nil, fmt.Errorf("describing processing job %s: %w", name, err)
}

// jobListed reports whether ListProcessingJobs knows a job of exactly this
// name.
func jobListed(ctx context.Context, api sageMakerAPI, name string) (bool, error) {
	p := sagemaker.NewListProcessingJobsPaginator(api, &sagemaker.ListProcessingJobsInput{NameContains: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, err
		}
		for _, s := range page.ProcessingJobSummaries {
			if aws.ToString(s.ProcessingJobName) == name {
				return true, nil
			}
		}
	}
	return false, nil
}

// ended reports whether a status is final.
func ended(s smtypes.ProcessingJobStatus) bool {
	switch s {
	case smtypes.ProcessingJobStatusCompleted, smtypes.ProcessingJobStatusFailed, smtypes.ProcessingJobStatusStopped:
		return true
	}
	return false
}

// nextPoll is the waiter's schedule: quick at first (short jobs and the
// emulator), then each wait half as long again, up to 30 seconds.
func nextPoll(d time.Duration) time.Duration { return min(d*3/2, 30*time.Second) }

// waitForEnd polls the job until it is Completed, Failed or Stopped, or
// until timeout, and returns the last description it saw. A job not shown
// yet right after create, and reads that fail after the SDK's retries, do
// not end the wait: the job runs on.
func waitForEnd(ctx context.Context, api sageMakerAPI, name string, timeout time.Duration) (*sagemaker.DescribeProcessingJobOutput, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last *sagemaker.DescribeProcessingJobOutput
	delay := time.Second
	for {
		job, err := findJob(ctx, api, name)
		switch {
		case err == nil:
			last = job
			if ended(job.ProcessingJobStatus) {
				return job, nil
			}
		case errors.Is(err, errNotFound) || idem.Retryable(err) || ctx.Err() != nil:
		default:
			return last, err
		}
		select {
		case <-ctx.Done():
			status := "unknown"
			if last != nil {
				status = string(last.ProcessingJobStatus)
			}
			return last, fmt.Errorf("timed out after %s waiting for processing job %s to end; it is %s", timeout, name, status)
		case <-time.After(delay):
			delay = nextPoll(delay)
		}
	}
}

// readAfterCreate bounds how long a job just created may stay unreadable
// before Create gives up reading it. A variable so that unit tests can
// shorten it.
var readAfterCreate = time.Minute

// readCreated describes a job CreateProcessingJob has just accepted: reads
// may lag the create, so "not found" and retryable failures are retried for
// readAfterCreate.
func readCreated(ctx context.Context, api sageMakerAPI, name string) (*sagemaker.DescribeProcessingJobOutput, error) {
	deadline := time.Now().Add(readAfterCreate)
	delay := time.Second
	for {
		job, err := findJob(ctx, api, name)
		if err == nil || (!errors.Is(err, errNotFound) && !idem.Retryable(err)) || time.Now().After(deadline) {
			return job, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(delay):
			delay = nextPoll(delay)
		}
	}
}

// stopJob stops a running job. A job that ended or is already stopping is
// fine: SageMaker rejects stopping it with a ValidationException, so the
// job is described again to tell that apart from a real error.
func stopJob(ctx context.Context, api sageMakerAPI, name string) error {
	_, err := api.StopProcessingJob(ctx, &sagemaker.StopProcessingJobInput{ProcessingJobName: aws.String(name)})
	if err == nil {
		return nil
	}
	var rnf *smtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return nil
	}
	if tfawserr.ErrCodeEquals(err, "ValidationException") {
		job, ferr := findJob(ctx, api, name)
		if errors.Is(ferr, errNotFound) || (ferr == nil && (ended(job.ProcessingJobStatus) || job.ProcessingJobStatus == smtypes.ProcessingJobStatusStopping)) {
			return nil
		}
	}
	return fmt.Errorf("stopping processing job %s: %w", name, err)
}

// ownerTagKey names, on every job this resource creates, the job it was
// created as (tag-on-create, next to the creation token idem.TokenTag).
const ownerTagKey = "sagesafe:processing-job"

// creationTag reports whether k is one of the tags Create writes itself.
func creationTag(k string) bool { return k == idem.TokenTag || k == ownerTagKey }

func noRetry(o *sagemaker.Options) { o.RetryMaxAttempts = 1 }

// createJob sends CreateProcessingJob with the creation token and owner tag
// through idem.Create, and returns the job's ARN. After a lost answer (the
// retry meets ResourceInUse, or the call failed in a way the SDK retries),
// the job of this name is this create's only when it carries this token.
func createJob(ctx context.Context, api sageMakerAPI, input *sagemaker.CreateProcessingJobInput, token string) (string, error) {
	name := aws.ToString(input.ProcessingJobName)
	input.Tags = append(input.Tags,
		smtypes.Tag{Key: aws.String(idem.TokenTag), Value: aws.String(token)},
		smtypes.Tag{Key: aws.String(ownerTagKey), Value: aws.String(name)})
	return idem.Create[string]{
		What: "processing job " + name,
		Do: func(ctx context.Context) (string, error) {
			out, err := api.CreateProcessingJob(ctx, input, noRetry)
			if err != nil {
				return "", err
			}
			if aws.ToString(out.ProcessingJobArn) == "" {
				return "", fmt.Errorf("CreateProcessingJob for %s answered without the job's ARN", name)
			}
			return aws.ToString(out.ProcessingJobArn), nil
		},
		Find: func(ctx context.Context) (string, bool, error) { return ownJob(ctx, api, name, token) },
		Taken: func(err error) bool {
			var inUse *smtypes.ResourceInUse
			return errors.As(err, &inUse)
		},
	}.Run(ctx)
}

// ownJob returns the ARN of the job of this name when it carries token.
func ownJob(ctx context.Context, api sageMakerAPI, name, token string) (string, bool, error) {
	job, err := findJob(ctx, api, name)
	if errors.Is(err, errNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	tags, err := listTags(ctx, api, aws.ToString(job.ProcessingJobArn))
	if err != nil {
		return "", false, err
	}
	if tags[idem.TokenTag] != token {
		return "", false, nil
	}
	return aws.ToString(job.ProcessingJobArn), true, nil
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

// syncTags makes the job's own tags (AWS's and the creation tags aside)
// tags, and returns the keys it removed.
func syncTags(ctx context.Context, api sageMakerAPI, arn string, tags map[string]string) (removed []string, err error) {
	live, err := listTags(ctx, api, arn)
	if err != nil {
		return nil, err
	}
	err = shared.ReconcileTags(withoutManagedTags(live), tags,
		func(keys []string) error {
			removed = keys
			_, err := api.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(arn), TagKeys: keys})
			return err
		},
		func(set map[string]string) error {
			_, err := api.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arn), Tags: expandTags(set)})
			return err
		})
	return removed, err
}

// withoutManagedTags drops the tags AWS manages itself (aws:*) and the
// creation tags: none is one of the resource's tags.
func withoutManagedTags(m map[string]string) map[string]string {
	out := maps.Clone(m)
	maps.DeleteFunc(out, func(k, _ string) bool { return shared.IsAWSTag(k) || creationTag(k) })
	return out
}
