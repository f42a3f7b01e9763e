package processingjob_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

const ownerTag = "sagesafe:processing-job"

// processingJobs lists the ARNs of the processing jobs whose names contain
// name.
func processingJobs(c *awsclient.Client) func(context.Context, string) ([]*string, error) {
	return func(ctx context.Context, name string) ([]*string, error) {
		out, err := c.SageMaker.ListProcessingJobs(ctx, &sagemaker.ListProcessingJobsInput{NameContains: aws.String(name)})
		if err != nil {
			return nil, err
		}
		var arns []*string
		for _, s := range out.ProcessingJobSummaries {
			arns = append(arns, s.ProcessingJobArn)
		}
		return arns, nil
	}
}

// TestAccProcessingJob_killedApplyAdopted: an apply is killed right after
// CreateProcessingJob reached SageMaker, before Terraform saved the state
// (acctest.RunKilledApplyAdopted): the next apply records the job it left.
func TestAccProcessingJob_killedApplyAdopted(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	cfg := jobConfig{env: e, name: acctest.RandomName("prockilled")}
	acctest.RunKilledApplyAdopted(t, acctest.KilledJob{
		Action: "sagemaker:CreateProcessingJob", Addr: addr, Name: cfg.name, Config: cfg.hcl(),
		OwnerTag: ownerTag, Status: "Completed", Jobs: processingJobs(c),
		Forced: checkForced(c, e, cfg.name), CheckDestroy: checkDestroy(c, smtypes.ProcessingJobStatusCompleted),
	})
}

// TestAccProcessingJob_killedApplyWithPrefixResumed: as
// TestAccProcessingJob_killedApplyAdopted, but the name comes from
// name_prefix, so the next apply generates another name. It finds the
// running job of the killed apply by the tags Create wrote (prefix, owner,
// token) and its planned settings, and records it instead of starting a
// second, billed job.
func TestAccProcessingJob_killedApplyWithPrefixResumed(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	ctx := context.Background()
	cfg := jobConfig{env: e, prefix: acctest.RandomName("prockp") + "-", extra: "wait_for_completion = false"}
	mergeBehaviour(t, map[string]any{"processing_in_progress_by_name": map[string]any{cfg.prefix + "*": 600}, "processing_stopping_seconds": 1})
	k := &acctest.Killer{Action: "sagemaker:CreateProcessingJob"}
	running := func() ([]string, error) {
		out, err := c.SageMaker.ListProcessingJobs(ctx, &sagemaker.ListProcessingJobsInput{NameContains: aws.String(cfg.prefix)})
		if err != nil {
			return nil, err
		}
		var names []string
		for _, s := range out.ProcessingJobSummaries {
			if strings.HasPrefix(aws.ToString(s.ProcessingJobName), cfg.prefix) && s.ProcessingJobStatus == smtypes.ProcessingJobStatusInProgress {
				names = append(names, aws.ToString(s.ProcessingJobName))
			}
		}
		return names, nil
	}
	var first []string
	resource.Test(t, resource.TestCase{
		PreCheck:     func() { acctest.PreCheck(t) },
		CheckDestroy: checkDestroy(c, smtypes.ProcessingJobStatusStopped),
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: k.Wrap}),
				Config:                   cfg.hcl(),
				ExpectError:              regexp.MustCompile(`AccessDenied`),
			},
			{
				PreConfig: func() {
					var err error
					if first, err = running(); err != nil || len(first) != 1 || !k.Done() {
						t.Fatalf("the killed apply should have left one running job, have %v (%v, killed %v)", first, err, k.Done())
					}
				},
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Config:                   cfg.hcl(),
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						names, err := running()
						if err != nil || len(names) != 1 || names[0] != first[0] {
							return fmt.Errorf("running jobs %v after the second apply, want only %v (%v)", names, first, err)
						}
						return nil
					},
					func(s *terraform.State) error { return resource.TestCheckResourceAttr(addr, "name", first[0])(s) },
					func(s *terraform.State) error { return checkForced(c, e, first[0])(s) },
				),
			},
		},
	})
}

// TestAccProcessingJob_squattedNameRefused: a job of the configured name
// that carries sagesafe's tags (creation token, owner) but not the planned
// settings (here: no VPC, another input) is not taken up: the apply fails
// with an error that names the job and the differences, before anything is
// created, and the job stays the only one of its name.
func TestAccProcessingJob_squattedNameRefused(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	ctx := context.Background()
	cfg := jobConfig{env: e, name: acctest.RandomName("procsquat")}
	_, err := c.SageMaker.CreateProcessingJob(ctx, &sagemaker.CreateProcessingJobInput{
		ProcessingJobName: aws.String(cfg.name), RoleArn: aws.String(e.role),
		AppSpecification: &smtypes.AppSpecification{ImageUri: aws.String(e.image)},
		ProcessingResources: &smtypes.ProcessingResources{ClusterConfig: &smtypes.ProcessingClusterConfig{
			InstanceType: smtypes.ProcessingInstanceTypeMlM5Xlarge, InstanceCount: aws.Int32(1), VolumeSizeInGB: aws.Int32(40)}},
		ProcessingInputs: []smtypes.ProcessingInput{{InputName: aws.String("captured"), S3Input: &smtypes.ProcessingS3Input{
			S3Uri: aws.String("s3://" + e.bucket + "/elsewhere/"), LocalPath: aws.String("/opt/ml/processing/input"),
			S3DataType: smtypes.ProcessingS3DataTypeS3Prefix}}},
		ProcessingOutputConfig: &smtypes.ProcessingOutputConfig{Outputs: []smtypes.ProcessingOutput{{OutputName: aws.String("baseline"),
			S3Output: &smtypes.ProcessingS3Output{S3Uri: aws.String("s3://" + e.bucket + "/baseline/"), LocalPath: aws.String("/opt/ml/processing/output"),
				S3UploadMode: smtypes.ProcessingS3UploadModeEndOfJob}}}},
		StoppingCondition: &smtypes.ProcessingStoppingCondition{MaxRuntimeInSeconds: aws.Int32(3600)},
		Tags:              []smtypes.Tag{{Key: aws.String(idem.TokenTag), Value: aws.String("forged")}, {Key: aws.String(ownerTag), Value: aws.String(cfg.name)}},
	})
	if err != nil {
		t.Fatalf("creating the squatting job: %v", err)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if n := jobsNamed(t, cfg.name); n != 1 {
				return fmt.Errorf("%d jobs named %s, want only the squatting one", n, cfg.name)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			ExpectError: wrapped("processing job "+cfg.name+" exists and carries sagesafe's tags, but was not created by this apply and its settings differ from the plan:",
				"the VPC is", "input 0 (captured) differs from the plan's"),
		}},
	})
}

// wrapped matches the phrases, in order, however Terraform wraps the
// error's lines.
func wrapped(phrases ...string) *regexp.Regexp {
	var parts []string
	for _, p := range phrases {
		parts = append(parts, strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`))
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, ".*"))
}
