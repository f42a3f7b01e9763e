package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// stackMarker is in the name or tags of everything the demo makes.
const stackMarker = "golden-path"

// insecureRole is the role the insecure variant is given (a fixture).
const insecureRole = "insecure-variant-role"

// verifyClean asks the emulator, service by service, for anything the demo
// made (fixtures.TakeCensus, the census the acceptance tests take too, plus
// the data bucket, the insecure variant's role and the permissions boundary
// policy). KMS keys cannot be
// deleted at once (they must be pending deletion), SageMaker keeps
// finished jobs' records, and the account-wide /aws/sagemaker/TrainingJobs
// and /aws/sagemaker/ProcessingJobs log groups are shared by every job, so
// they are kept by design; everything else must be gone.
func verifyClean(ctx context.Context, c *awsclient.Client, boundaryARN string) error {
	census, err := fixtures.TakeCensus(ctx, c, stackMarker)
	if err != nil {
		return err
	}
	var left []string
	for _, o := range census.Remains() {
		left = append(left, o.String())
	}
	buckets, err := c.S3.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		return err
	}
	for _, bk := range buckets.Buckets {
		if strings.Contains(aws.ToString(bk.Name), stackMarker) {
			left = append(left, "bucket "+aws.ToString(bk.Name))
		}
	}
	_, err = c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(insecureRole)})
	var gone *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		left = append(left, "role "+insecureRole)
	case !errors.As(err, &gone):
		return err
	}
	_, err = c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(boundaryARN)})
	switch {
	case err == nil:
		left = append(left, "policy "+boundaryARN)
	case !errors.As(err, &gone):
		return err
	}
	if len(left) > 0 {
		return fmt.Errorf("left in the emulator after destroy:\n  %s", strings.Join(left, "\n  "))
	}
	fmt.Println("    no VPC, subnet, security group, endpoint, endpoint config, model, alarm, role, boundary policy, log group, bucket or alias left")
	fmt.Printf("    %d key(s) pending deletion (KMS never deletes at once); finished training and processing job records stay in SageMaker by design\n",
		census.Counts()["key PendingDeletion"])
	for _, group := range []string{"/aws/sagemaker/TrainingJobs", "/aws/sagemaker/ProcessingJobs"} {
		shared, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)})
		if err != nil {
			return err
		}
		if len(shared.LogGroups) > 0 {
			fmt.Println("    " + group + " kept by design: the account's shared job log group (encrypted, with retention)")
		}
	}
	return nil
}
