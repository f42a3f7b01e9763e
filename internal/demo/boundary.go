package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// The organisation's permissions boundary, as a platform team would create
// it before the first apply: a customer managed policy that every role
// sagesafe makes in the golden path carries (SS-IAM-5). The demo makes it
// in the emulator; on AWS the platform team owns it.

// stackName is the golden path's name (examples/golden-path's default,
// which the demo keeps): it prefixes every role the stack makes.
const stackName = "golden-path"

// boundaryName is the boundary policy's name: fixed per stack, so a re-run
// or a retried create finds the policy instead of making a second one.
const boundaryName = stackName + "-role-boundary"

// Actions the boundary allows, by what needs them. A boundary grants
// nothing: each role still gets only what its own policy allows, so these
// are "*" on resources; the roles' policies scope them. None of them lets
// a role make, change or become another principal (posture.AssessBoundary).
var (
	// Execution roles: the data bucket, the stack's key, their log
	// streams, the images, their metrics, and the network interfaces
	// SageMaker creates in the VPC. Personas read and write the bucket and
	// use the key too.
	boundaryS3   = []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:AbortMultipartUpload"}
	boundaryKMS  = []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"}
	boundaryLogs = []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:DescribeLogGroups"}
	boundaryECR  = []string{"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"}
	boundaryCW   = []string{"cloudwatch:PutMetricData", "cloudwatch:DescribeAlarms"}
	boundaryENI  = []string{
		"ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
		"ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs",
		"ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
	}
	// The personas' SageMaker work (data scientists: jobs, experiments and
	// models; reviewers: model packages) and the monitor's scheduler
	// (CreateProcessingJob, AddTags). Their own policies decide which
	// network, key and role each call may name.
	boundarySageMaker = []string{
		"sagemaker:Describe*", "sagemaker:List*", "sagemaker:Search", "sagemaker:GetSearchSuggestions",
		"sagemaker:BatchGetMetrics", "sagemaker:BatchPutMetrics", "sagemaker:AddTags",
		"sagemaker:CreateTrainingJob", "sagemaker:StopTrainingJob", "sagemaker:UpdateTrainingJob",
		"sagemaker:CreateProcessingJob", "sagemaker:StopProcessingJob",
		"sagemaker:CreateTransformJob", "sagemaker:StopTransformJob",
		"sagemaker:CreateHyperParameterTuningJob", "sagemaker:StopHyperParameterTuningJob",
		"sagemaker:CreateAutoMLJob", "sagemaker:CreateAutoMLJobV2", "sagemaker:StopAutoMLJob",
		"sagemaker:CreateModel", "sagemaker:DeleteModel",
		"sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage", "sagemaker:DeleteModelPackage",
		"sagemaker:CreateModelPackageGroup", "sagemaker:DeleteModelPackageGroup",
		"sagemaker:CreateExperiment", "sagemaker:UpdateExperiment", "sagemaker:DeleteExperiment",
		"sagemaker:CreateTrial", "sagemaker:UpdateTrial", "sagemaker:DeleteTrial",
		"sagemaker:CreateTrialComponent", "sagemaker:UpdateTrialComponent", "sagemaker:DeleteTrialComponent",
		"sagemaker:AssociateTrialComponent", "sagemaker:DisassociateTrialComponent",
	}
)

// boundaryPolicy is the golden path's boundary document for the stack
// named stack in account: the actions above, and iam:PassRole only of the
// stack's own roles (which carry this boundary) and only to SageMaker. A
// role under it may pass no other role: one that passed an uncapped role
// to a job would act as that role (SS-IAM-5, "caps nothing").
func boundaryPolicy(partition, account, stack string) iampolicy.Document {
	allow := func(sid string, actions []string) iampolicy.Statement {
		return iampolicy.Statement{Sid: sid, Effect: iampolicy.EffectAllow, Action: actions, Resource: []string{"*"}}
	}
	return iampolicy.Document{Version: "2012-10-17", Statement: []iampolicy.Statement{
		allow("WorkloadData", boundaryS3),
		allow("StackKeyUse", boundaryKMS),
		allow("Logs", boundaryLogs),
		allow("PullImages", boundaryECR),
		allow("Metrics", boundaryCW),
		allow("VpcNetworkInterfaces", boundaryENI),
		allow("SageMakerWork", boundarySageMaker),
		{
			Sid: "PassStackRolesToSageMaker", Effect: iampolicy.EffectAllow, Action: []string{"iam:PassRole"},
			Resource:  []string{fmt.Sprintf("arn:%s:iam::%s:role/%s-*", partition, account, stack)},
			Condition: iampolicy.Condition{"StringEquals": {"iam:PassedToService": {"sagemaker.amazonaws.com"}}},
		},
	}}
}

// ensureBoundary returns the ARN of the boundary policy named name with
// document doc, creating it when it is not there. Find before create, and
// find again when CreatePolicy says the name is taken: a re-run, or a
// retry after a lost answer, uses the policy instead of failing. A policy
// of that name with another document is refused, not adopted.
func ensureBoundary(ctx context.Context, c *awsclient.Client, name, doc string) (string, error) {
	policyARN := fmt.Sprintf("arn:%s:iam::%s:policy/%s", c.Partition, c.AccountID, name)
	found, err := boundaryMatches(ctx, c, policyARN, doc)
	if err != nil || found {
		return policyARN, err
	}
	_, err = c.IAM.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String(name),
		PolicyDocument: aws.String(doc),
		Description:    aws.String("The golden path's permissions boundary (sagesafe demo): an allow-list cap every role of the stack carries."),
	})
	if tfawserr.ErrCodeEquals(err, iamErrEntityAlreadyExists) {
		found, err = boundaryMatches(ctx, c, policyARN, doc)
		if err == nil && !found {
			err = fmt.Errorf("policy %s vanished after CreatePolicy said it exists", policyARN)
		}
	}
	if err != nil {
		return "", fmt.Errorf("creating the boundary policy %s: %w", name, err)
	}
	return policyARN, nil
}

// IAM's error codes (aws-sdk-go-v2 types name them; tfawserr compares codes).
const (
	iamErrEntityAlreadyExists = "EntityAlreadyExists"
	iamErrNoSuchEntity        = "NoSuchEntity"
)

// boundaryMatches reports whether the policy exists; it is an error when it
// does with a default version other than doc.
func boundaryMatches(ctx context.Context, c *awsclient.Client, policyARN, doc string) (bool, error) {
	p, err := c.IAM.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if tfawserr.ErrCodeEquals(err, iamErrNoSuchEntity) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading policy %s: %w", policyARN, err)
	}
	v, err := c.IAM.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: p.Policy.DefaultVersionId})
	if err != nil {
		return false, fmt.Errorf("reading the default version of %s: %w", policyARN, err)
	}
	// Equivalent decodes IAM's URL-encoded document itself.
	same, err := iampolicy.Equivalent(aws.ToString(v.PolicyVersion.Document), doc)
	if err != nil {
		return false, fmt.Errorf("comparing policy %s with the demo's boundary: %w", policyARN, err)
	}
	if !same {
		return false, fmt.Errorf("policy %s exists with another document: delete it, or run the demo on a fresh emulator", policyARN)
	}
	return true, nil
}

// deleteBoundary deletes the boundary policy once no role carries it (after
// destroy); already gone is success.
func deleteBoundary(ctx context.Context, c *awsclient.Client, policyARN string) error {
	_, err := c.IAM.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)})
	if err != nil && !tfawserr.ErrCodeEquals(err, iamErrNoSuchEntity) {
		return fmt.Errorf("deleting the boundary policy %s: %w", policyARN, err)
	}
	return nil
}
