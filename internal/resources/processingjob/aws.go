// The AWS calls: the SageMaker client and the processing job type as
// internal/sagemakerjob sees it (finding, waiting for, stopping, creating,
// taking up and tagging a job live there, once for both job resources).

package processingjob

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// Every mutating call of this resource is safe to repeat after a lost
// answer: see internal/sagemakerjob (job.go). The audit a job of the name
// passes before it is taken up is jobDiffs.

// sageMakerAPI is the part of the SageMaker client this resource uses.
type sageMakerAPI interface {
	sagemakerjob.TagsAPI
	CreateProcessingJob(context.Context, *sagemaker.CreateProcessingJobInput, ...func(*sagemaker.Options)) (*sagemaker.CreateProcessingJobOutput, error)
	DescribeProcessingJob(context.Context, *sagemaker.DescribeProcessingJobInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeProcessingJobOutput, error)
	ListProcessingJobs(context.Context, *sagemaker.ListProcessingJobsInput, ...func(*sagemaker.Options)) (*sagemaker.ListProcessingJobsOutput, error)
	StopProcessingJob(context.Context, *sagemaker.StopProcessingJobInput, ...func(*sagemaker.Options)) (*sagemaker.StopProcessingJobOutput, error)
}

func (r *processingJobResource) configured(diags *diag.Diagnostics) bool {
	return providerdata.Ready(r.data, "sagesafe_processing_job was used", diags)
}

func (r *processingJobResource) sm() sageMakerAPI { return r.data.AWS.SageMaker }

func (r *processingJobResource) jobs() jobType { return jobsOf(r.sm()) }

type jobType = sagemakerjob.Jobs[sagemaker.DescribeProcessingJobOutput]

// The tags a create writes besides the token (sagemakerjob.Jobs' OwnerTag
// and PrefixTag say what for).
const (
	ownerTagKey  = "sagesafe:processing-job"
	prefixTagKey = "sagesafe:processing-job-prefix"
)

// jobsOf is the processing job type on api.
func jobsOf(api sageMakerAPI) jobType {
	return jobType{
		Noun: "processing job", OwnerTag: ownerTagKey, PrefixTag: prefixTagKey, Tags: api,
		Describe: func(ctx context.Context, name string) (*sagemaker.DescribeProcessingJobOutput, error) {
			return api.DescribeProcessingJob(ctx, &sagemaker.DescribeProcessingJobInput{ProcessingJobName: aws.String(name)})
		},
		List: func(ctx context.Context, contains string, inProgress bool) ([]sagemakerjob.Summary, error) {
			in := &sagemaker.ListProcessingJobsInput{NameContains: aws.String(contains)}
			if inProgress {
				in.StatusEquals = smtypes.ProcessingJobStatusInProgress
			}
			return sagemakerjob.Summaries(ctx, sagemaker.NewListProcessingJobsPaginator(api, in), func(page *sagemaker.ListProcessingJobsOutput) (out []sagemakerjob.Summary) {
				for _, s := range page.ProcessingJobSummaries {
					out = append(out, sagemakerjob.Summary{Name: aws.ToString(s.ProcessingJobName), ARN: aws.ToString(s.ProcessingJobArn), Status: string(s.ProcessingJobStatus)})
				}
				return out
			})
		},
		Stop: func(ctx context.Context, name string) error {
			_, err := api.StopProcessingJob(ctx, &sagemaker.StopProcessingJobInput{ProcessingJobName: aws.String(name)})
			return err
		},
		ARN:          func(j *sagemaker.DescribeProcessingJobOutput) string { return aws.ToString(j.ProcessingJobArn) },
		Status:       func(j *sagemaker.DescribeProcessingJobOutput) string { return string(j.ProcessingJobStatus) },
		CreationTime: func(j *sagemaker.DescribeProcessingJobOutput) time.Time { return aws.ToTime(j.CreationTime) },
	}
}

func noRetry(o *sagemaker.Options) { o.RetryMaxAttempts = 1 }

// createJob sends CreateProcessingJob through sagemakerjob's Create and
// returns the job's ARN; a job of the name that exists is taken up only on
// CheckAdoption's terms, audited with jobDiffs.
func createJob(ctx context.Context, api sageMakerAPI, input *sagemaker.CreateProcessingJobInput, prefix, token string) (string, error) {
	send := func(ctx context.Context) (string, error) {
		out, err := api.CreateProcessingJob(ctx, input, noRetry)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ProcessingJobArn), nil
	}
	audit := func(job *sagemaker.DescribeProcessingJobOutput) []string { return jobDiffs(input, job) }
	return jobsOf(api).Create(ctx, aws.ToString(input.ProcessingJobName), prefix, token, &input.Tags, send, audit)
}
