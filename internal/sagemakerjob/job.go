// The AWS calls a SageMaker job resource makes, once for every job type:
// finding, waiting for, stopping, creating (and taking up a job a lost
// answer or a killed apply left), tagging and releasing a job.
//
// Every mutating call is safe to repeat after a lost answer (the SDK
// retries it, or the next apply sends it again):
//
//   - Create…Job (name-keyed, no ClientToken): Create, that is idem.Create
//     with the SDK's retries off; the creation token, owner and prefix tags
//     ride on the request, and a retry's ResourceInUse is settled by
//     CheckAdoption with the resource's audit of the job's settings. The
//     job a killed apply started is taken up on the same rule.
//   - Stop…Job: a second stop of a Stopping job is refused with a
//     ValidationException, which StopJob settles by describing the job.
//   - AddTags, DeleteTags (SyncTags, Release): set or remove the same keys
//     again; removing a missing key is no error.
//
// The job's alarms (PutMetricAlarm, DeleteAlarms, TagResource,
// UntagResource: puts overwrite, CloudWatch ignores missing names) and its
// shared log group (loggroup.Ensure: "already exists" reconciles the group)
// are as safe.

package sagemakerjob

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
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// TagsAPI is the part of the SageMaker client that tags a job: the same
// calls for every job type.
type TagsAPI interface {
	ListTags(context.Context, *sagemaker.ListTagsInput, ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error)
	AddTags(context.Context, *sagemaker.AddTagsInput, ...func(*sagemaker.Options)) (*sagemaker.AddTagsOutput, error)
	DeleteTags(context.Context, *sagemaker.DeleteTagsInput, ...func(*sagemaker.Options)) (*sagemaker.DeleteTagsOutput, error)
}

// Summary is one job of a list.
type Summary struct {
	Name, ARN, Status string
}

// Pager is an SDK paginator of List…Jobs.
type Pager[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*sagemaker.Options)) (*O, error)
}

// Summaries reads every page of p, each page's jobs by jobs.
func Summaries[O any](ctx context.Context, p Pager[O], jobs func(*O) []Summary) ([]Summary, error) {
	var out []Summary
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, jobs(page)...)
	}
	return out, nil
}

// Jobs is one SageMaker job type as the shared code sees it; D is its
// Describe…JobOutput. Each resource fills in the calls that differ by type
// (one SDK call each); everything around them is here, once.
type Jobs[D any] struct {
	Noun string // "training job", in messages
	// OwnerTag names, on every job the resource creates, the job it was
	// created as (tag-on-create, next to the creation token idem.TokenTag).
	// A destroy removes it (Release): a job without it is never adopted
	// again.
	OwnerTag string
	// PrefixTag names, on a job whose name was generated from name_prefix,
	// that prefix: after a killed apply the next apply generates another
	// name, and finds the running job of the killed one by this tag
	// (Interrupted).
	PrefixTag string
	Tags      TagsAPI
	// Describe sends one Describe…Job for name.
	Describe func(ctx context.Context, name string) (*D, error)
	// List lists the jobs whose names contain nameContains (only running
	// ones when inProgress), every page.
	List func(ctx context.Context, nameContains string, inProgress bool) ([]Summary, error)
	// Stop sends one Stop…Job for name.
	Stop func(ctx context.Context, name string) error
	// ARN, Status (InProgress, Completed, Failed, Stopping, Stopped: the
	// same values for every job type) and CreationTime of a description.
	ARN          func(*D) string
	Status       func(*D) string
	CreationTime func(*D) time.Time
	// Detail, when set, is shown after the status in messages.
	Detail func(*D) string
}

// ErrNotFound is returned (wrapped) by Find when the job does not exist.
var ErrNotFound = errors.New("job not found")

// Find describes the job. SageMaker reports an unknown job as a
// ValidationException (the same code as a malformed request), so a
// ValidationException is confirmed by listing jobs with that name before it
// is treated as "not found"; error messages are never parsed.
func (j Jobs[D]) Find(ctx context.Context, name string) (*D, error) {
	out, err := j.Describe(ctx, name)
	if err == nil {
		if out == nil || j.ARN(out) == "" {
			return nil, fmt.Errorf("describing %s %s: SageMaker answered without the job (no ARN)", j.Noun, name)
		}
		return out, nil
	}
	var rnf *smtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return nil, fmt.Errorf("%w: %s %s", ErrNotFound, j.Noun, name)
	}
	if tfawserr.ErrCodeEquals(err, "ValidationException") {
		exists, lerr := j.listed(ctx, name)
		if lerr == nil && !exists {
			return nil, fmt.Errorf("%w: %s %s", ErrNotFound, j.Noun, name)
		}
	}
	return nil, fmt.Errorf("describing %s %s: %w", j.Noun, name, err)
}

// listed reports whether the list knows a job of exactly this name.
func (j Jobs[D]) listed(ctx context.Context, name string) (bool, error) {
	jobs, err := j.List(ctx, name, false)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(jobs, func(s Summary) bool { return s.Name == name }), nil
}

// Ended reports whether a job status is final.
func Ended(status string) bool {
	return status == "Completed" || status == "Failed" || status == "Stopped"
}

// Poll is the waiters' schedule: quick at first (short jobs and the
// emulator), then each wait half as long again, up to Max while the wait is
// young and, once it has lasted 10×Max, up to a tenth of the time waited so
// far. So an end is noticed within Max or a tenth of the job's duration,
// whichever is larger, and the number of polls grows with the logarithm of
// the duration (each delay at most 1.1 times the time waited), where a flat
// cap would make it grow linearly: a wait of hours costs tens of describe
// calls, not hundreds, and N parallel waits stay far below the API's rate.
type Poll struct {
	Next, Max time.Duration
	start     time.Time
}

// NewPoll starts at one second, then up to 15 (the lateness allowed for a
// wait of less than 150 s), then a tenth of the time waited.
func NewPoll() *Poll { return &Poll{Next: time.Second, Max: 15 * time.Second} }

// Wait waits for the next poll, or until ctx ends.
func (p *Poll) Wait(ctx context.Context) error {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	t := time.NewTimer(p.Delay(time.Since(p.start)))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Delay returns the wait before the next poll of a wait that has lasted
// elapsed, and moves the schedule on.
func (p *Poll) Delay(elapsed time.Duration) time.Duration {
	d := min(p.Next, max(p.Max, elapsed/10))
	p.Next = d * 3 / 2
	return d
}

// WaitForEnd polls the job until it is Completed, Failed or Stopped, or
// until timeout. It returns the last description it saw.
//
// It is not the SDK's waiters (NewTrainingJobCompletedOrStoppedWaiter and
// the processing one): their acceptors end the wait on Failed with an error
// and no description (the FailureReason Create reports would be lost) and
// at the first ValidationException, which is how SageMaker answers for a
// job it does not show yet right after the create. A custom Retryable fixes
// those, but not their backoff: a random delay between MinDelay and
// MinDelay*2^(n-1), then MaxDelay flat from the 6th poll with today's
// 1s/30s. Measured, that made TestAccTrainingJob_waitForCompletion slower
// and more variable (8 to 19s against 10 to 12s) and notices a job ending
// after ~20s up to 30s late.
func (j Jobs[D]) WaitForEnd(ctx context.Context, name string, timeout time.Duration) (*D, error) {
	return j.WaitOn(ctx, name, timeout, NewPoll())
}

// WaitOn is WaitForEnd on schedule p.
func (j Jobs[D]) WaitOn(ctx context.Context, name string, timeout time.Duration, p *Poll) (*D, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last *D
	notFound := 0
	for {
		job, err := j.Find(ctx, name)
		switch {
		case err == nil:
			last = job
			if Ended(j.Status(job)) {
				return job, nil
			}
		case errors.Is(err, ErrNotFound) && notFound < 5:
			notFound++ // eventual consistency right after the create
		case Transient(err) && !errors.Is(err, ErrNotFound):
			// A read that failed after the SDK's retries: the job runs on,
			// so the wait goes on until its timeout.
		case ctx.Err() != nil:
		default:
			return last, err
		}
		if err := p.Wait(ctx); err != nil {
			return last, fmt.Errorf("timed out after %s waiting for %s %s to end; it is %s", timeout, j.Noun, name, j.statusText(last))
		}
	}
}

func (j Jobs[D]) statusText(job *D) string {
	switch {
	case job == nil:
		return "unknown"
	case j.Detail != nil:
		return fmt.Sprintf("%s (%s)", j.Status(job), j.Detail(job))
	}
	return j.Status(job)
}

// ReadAfterCreate bounds how long a job just created may stay unreadable
// (not shown yet, or reads failing) before Create gives up reading it. A
// variable so that unit tests can shorten it.
var ReadAfterCreate = time.Minute

// Transient reports a read failure that may pass by itself: a job not
// shown yet (SageMaker's reads lag its writes; it says so with
// ValidationException or ResourceNotFound), or what the SDK retries (lost
// connections, 5xx, throttling) after its own retries ran out.
func Transient(err error) bool {
	return errors.Is(err, ErrNotFound) || idem.Retryable(err) || tfawserr.ErrCodeEquals(err, "ValidationException")
}

// ReadCreated describes a job the create has just accepted, retrying
// transient failures for ReadAfterCreate.
func (j Jobs[D]) ReadCreated(ctx context.Context, name string) (*D, error) {
	deadline := time.Now().Add(ReadAfterCreate)
	p := NewPoll()
	for {
		job, err := j.Find(ctx, name)
		if err == nil || !Transient(err) || time.Now().After(deadline) {
			return job, err
		}
		tflog.Debug(ctx, j.Noun+" not readable yet after create; retrying", map[string]any{"name": name, "error": err.Error()})
		if werr := p.Wait(ctx); werr != nil {
			return nil, err
		}
	}
}

// StopJob stops a running job. A job that ended or is already stopping is
// fine: SageMaker rejects stopping it with a ValidationException, so the
// job is described again to tell that apart from a real error.
func (j Jobs[D]) StopJob(ctx context.Context, name string) error {
	err := j.Stop(ctx, name)
	if err == nil {
		return nil
	}
	var rnf *smtypes.ResourceNotFound
	if errors.As(err, &rnf) {
		return nil
	}
	if tfawserr.ErrCodeEquals(err, "ValidationException") {
		job, ferr := j.Find(ctx, name)
		if errors.Is(ferr, ErrNotFound) || (ferr == nil && (Ended(j.Status(job)) || j.Status(job) == "Stopping")) {
			return nil
		}
	}
	return fmt.Errorf("stopping %s %s: %w", j.Noun, name, err)
}

// Release removes the owner tag from a job the resource no longer manages
// (destroy, replacement), so that no later apply takes it up (see
// CheckAdoption). Removing a tag twice (a retry after a lost answer) is
// harmless.
func (j Jobs[D]) Release(ctx context.Context, arn string) error {
	if _, err := j.Tags.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(arn), TagKeys: []string{j.OwnerTag}}); err != nil {
		return fmt.Errorf("removing tag %s from %s: %w", j.OwnerTag, arn, err)
	}
	return nil
}

// ListTags returns the job's tags.
func (j Jobs[D]) ListTags(ctx context.Context, arn string) (map[string]string, error) {
	out := map[string]string{}
	p := sagemaker.NewListTagsPaginator(j.Tags, &sagemaker.ListTagsInput{ResourceArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing tags of %s: %w", arn, err)
		}
		maps.Copy(out, shared.TagMap(page.Tags, func(t smtypes.Tag) (*string, *string) { return t.Key, t.Value }))
	}
	return out, nil
}

// SyncTags makes the job's own tags (AWS's, the creation tags and the keys
// settings ignore aside) tags, and returns the keys it removed.
func (j Jobs[D]) SyncTags(ctx context.Context, settings shared.TagSettings, arn string, tags map[string]string) (removed []string, err error) {
	live, err := j.ListTags(ctx, arn)
	if err != nil {
		return nil, err
	}
	err = shared.UpdateTags(settings, j.WithoutManagedTags(live), tags,
		func(keys []string) error {
			removed = keys
			_, err := j.Tags.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(arn), TagKeys: keys})
			return err
		},
		func(set map[string]string) error {
			_, err := j.Tags.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arn), Tags: TagList(set)})
			return err
		})
	return removed, err
}

// TagList is the SageMaker tag list of tags, sorted by key.
func TagList(tags map[string]string) []smtypes.Tag {
	return shared.TagList(tags, func(k, v *string) smtypes.Tag { return smtypes.Tag{Key: k, Value: v} })
}

// WithoutManagedTags drops the tags AWS manages itself (aws:*) and the
// creation tags: none is one of the resource's tags.
func (j Jobs[D]) WithoutManagedTags(m map[string]string) map[string]string {
	out := maps.Clone(m)
	maps.DeleteFunc(out, func(k, _ string) bool { return shared.IsAWSTag(k) || j.CreationTag(k) })
	return out
}

// CreationTag reports whether k is one of the tags the create writes itself.
func (j Jobs[D]) CreationTag(k string) bool {
	return k == idem.TokenTag || k == j.OwnerTag || k == j.PrefixTag
}

// WithCreationTags is the request's tags plus the creation token, the owner
// tag and (for a name from name_prefix) the prefix tag, replacing any of
// the same keys.
func (j Jobs[D]) WithCreationTags(tags []smtypes.Tag, name, prefix, token string) []smtypes.Tag {
	out := slices.DeleteFunc(slices.Clone(tags), func(t smtypes.Tag) bool { return j.CreationTag(aws.ToString(t.Key)) })
	out = append(out, smtypes.Tag{Key: aws.String(idem.TokenTag), Value: aws.String(token)},
		smtypes.Tag{Key: aws.String(j.OwnerTag), Value: aws.String(name)})
	if prefix != "" {
		out = append(out, smtypes.Tag{Key: aws.String(j.PrefixTag), Value: aws.String(prefix)})
	}
	return out
}

// Retire is what a destroy does to a job, whose record SageMaker keeps: a
// running job is stopped and waited for until it has ended (timeout), and
// its owner tag is removed (Release), so that no later apply of a
// configuration with this name takes it up. A job that is gone is fine. ok
// is false when a step failed (reported in diags).
func (j Jobs[D]) Retire(ctx context.Context, name string, timeout time.Duration, diags *diag.Diagnostics) (ok bool) {
	job, err := j.Find(ctx, name)
	switch {
	case errors.Is(err, ErrNotFound):
		return true
	case err != nil:
		diags.AddError("Reading "+j.Noun+" "+name+" failed", err.Error())
		return false
	case !Ended(j.Status(job)):
		if j.Status(job) == "InProgress" {
			tflog.Info(ctx, "stopping "+j.Noun+" before removing it", map[string]any{"name": name})
			if err := j.StopJob(ctx, name); err != nil {
				diags.AddError("Stopping "+j.Noun+" "+name+" failed", err.Error())
				return false
			}
		}
		if _, err := j.WaitForEnd(ctx, name, timeout); err != nil {
			diags.AddError("Waiting for "+j.Noun+" "+name+" to stop failed", err.Error())
			return false
		}
	}
	if err := j.Release(ctx, j.ARN(job)); err != nil {
		diags.AddError("Releasing "+j.Noun+" "+name+" failed", err.Error())
		return false
	}
	return true
}
