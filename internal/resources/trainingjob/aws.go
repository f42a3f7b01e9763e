// The AWS calls: the SageMaker client and the training job type as
// internal/sagemakerjob sees it (finding, waiting for, stopping, creating,
// taking up and tagging a job live there, once for both job resources).

package trainingjob

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
	CreateTrainingJob(context.Context, *sagemaker.CreateTrainingJobInput, ...func(*sagemaker.Options)) (*sagemaker.CreateTrainingJobOutput, error)
	DescribeTrainingJob(context.Context, *sagemaker.DescribeTrainingJobInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeTrainingJobOutput, error)
	ListTrainingJobs(context.Context, *sagemaker.ListTrainingJobsInput, ...func(*sagemaker.Options)) (*sagemaker.ListTrainingJobsOutput, error)
	StopTrainingJob(context.Context, *sagemaker.StopTrainingJobInput, ...func(*sagemaker.Options)) (*sagemaker.StopTrainingJobOutput, error)
}

func (r *trainingJobResource) configured(diags *diag.Diagnostics) bool {
	return providerdata.Ready(r.data, "sagesafe_training_job was used", diags)
}

func (r *trainingJobResource) sm() sageMakerAPI { return r.data.AWS.SageMaker }

func (r *trainingJobResource) jobs() jobType { return jobsOf(r.sm()) }

type jobType = sagemakerjob.Jobs[sagemaker.DescribeTrainingJobOutput]

// The tags a create writes besides the token (sagemakerjob.Jobs' OwnerTag
// and PrefixTag say what for).
const (
	ownerTagKey  = "sagesafe:training-job"
	prefixTagKey = "sagesafe:training-job-prefix"
)

// tokenPrivateKey is the private state key of the creation token.
const tokenPrivateKey = "creation_token"

// jobsOf is the training job type on api.
func jobsOf(api sageMakerAPI) jobType {
	return jobType{
		Noun: "training job", OwnerTag: ownerTagKey, PrefixTag: prefixTagKey, Tags: api,
		Describe: func(ctx context.Context, name string) (*sagemaker.DescribeTrainingJobOutput, error) {
			return api.DescribeTrainingJob(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: aws.String(name)})
		},
		List: func(ctx context.Context, contains string, inProgress bool) ([]sagemakerjob.Summary, error) {
			in := &sagemaker.ListTrainingJobsInput{NameContains: aws.String(contains)}
			if inProgress {
				in.StatusEquals = smtypes.TrainingJobStatusInProgress
			}
			return sagemakerjob.Summaries(ctx, sagemaker.NewListTrainingJobsPaginator(api, in), func(page *sagemaker.ListTrainingJobsOutput) (out []sagemakerjob.Summary) {
				for _, s := range page.TrainingJobSummaries {
					out = append(out, sagemakerjob.Summary{Name: aws.ToString(s.TrainingJobName), ARN: aws.ToString(s.TrainingJobArn), Status: string(s.TrainingJobStatus)})
				}
				return out
			})
		},
		Stop: func(ctx context.Context, name string) error {
			_, err := api.StopTrainingJob(ctx, &sagemaker.StopTrainingJobInput{TrainingJobName: aws.String(name)})
			return err
		},
		ARN:          func(j *sagemaker.DescribeTrainingJobOutput) string { return aws.ToString(j.TrainingJobArn) },
		Status:       func(j *sagemaker.DescribeTrainingJobOutput) string { return string(j.TrainingJobStatus) },
		Detail:       func(j *sagemaker.DescribeTrainingJobOutput) string { return string(j.SecondaryStatus) },
		CreationTime: func(j *sagemaker.DescribeTrainingJobOutput) time.Time { return aws.ToTime(j.CreationTime) },
	}
}

func noRetry(o *sagemaker.Options) { o.RetryMaxAttempts = 1 }

// createJob sends CreateTrainingJob through sagemakerjob's Create and
// returns the job's ARN; a job of the name that exists is taken up only on
// CheckAdoption's terms, audited with jobDiffs.
func createJob(ctx context.Context, api sageMakerAPI, input *sagemaker.CreateTrainingJobInput, prefix, token string) (string, error) {
	send := func(ctx context.Context) (string, error) {
		out, err := api.CreateTrainingJob(ctx, input, noRetry)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.TrainingJobArn), nil
	}
	audit := func(job *sagemaker.DescribeTrainingJobOutput) []string { return jobDiffs(input, job) }
	return jobsOf(api).Create(ctx, aws.ToString(input.TrainingJobName), prefix, token, &input.Tags, send, audit)
}
