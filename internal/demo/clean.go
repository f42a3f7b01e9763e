package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
)

// stackMarker is in the name or tags of everything the demo makes.
const stackMarker = "golden-path"

// verifyClean asks the emulator, service by service, for anything the demo
// made. KMS keys cannot be deleted at once (they must be pending deletion),
// SageMaker keeps training-job records, and the account-wide
// /aws/sagemaker/TrainingJobs log group is shared by every job, so it is
// kept by design; everything else must be gone.
func verifyClean(ctx context.Context, c *awsclient.Client) error {
	var left []string
	note := func(format string, a ...any) { left = append(left, fmt.Sprintf(format, a...)) }

	vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		return err
	}
	for _, v := range vpcs.Vpcs {
		for _, t := range v.Tags {
			if strings.Contains(aws.ToString(t.Value), stackMarker) {
				note("VPC %s (tag %s=%s)", aws.ToString(v.VpcId), aws.ToString(t.Key), aws.ToString(t.Value))
				break
			}
		}
	}
	sgs, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
	if err != nil {
		return err
	}
	for _, g := range sgs.SecurityGroups {
		for _, t := range g.Tags {
			if strings.Contains(aws.ToString(t.Value), stackMarker) {
				note("security group %s", aws.ToString(g.GroupId))
				break
			}
		}
	}
	eps, err := c.SageMaker.ListEndpoints(ctx, &sagemaker.ListEndpointsInput{NameContains: aws.String(stackMarker)})
	if err != nil {
		return err
	}
	for _, e := range eps.Endpoints {
		note("endpoint %s", aws.ToString(e.EndpointName))
	}
	cfgs, err := c.SageMaker.ListEndpointConfigs(ctx, &sagemaker.ListEndpointConfigsInput{NameContains: aws.String(stackMarker)})
	if err != nil {
		return err
	}
	for _, e := range cfgs.EndpointConfigs {
		note("endpoint config %s", aws.ToString(e.EndpointConfigName))
	}
	models, err := c.SageMaker.ListModels(ctx, &sagemaker.ListModelsInput{NameContains: aws.String(stackMarker)})
	if err != nil {
		return err
	}
	for _, m := range models.Models {
		note("model %s", aws.ToString(m.ModelName))
	}
	alarms, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil {
		return err
	}
	for _, a := range alarms.MetricAlarms {
		if strings.Contains(aws.ToString(a.AlarmName), stackMarker) {
			note("alarm %s", aws.ToString(a.AlarmName))
		}
	}
	roles, err := c.IAM.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		return err
	}
	for _, r := range roles.Roles {
		if strings.Contains(aws.ToString(r.RoleName), stackMarker) || strings.Contains(aws.ToString(r.RoleName), "insecure-variant") {
			note("role %s", aws.ToString(r.RoleName))
		}
	}
	groups, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil {
		return err
	}
	shared := 0
	for _, g := range groups.LogGroups {
		name := aws.ToString(g.LogGroupName)
		switch {
		case name == "/aws/sagemaker/TrainingJobs":
			shared++
		case strings.Contains(name, stackMarker):
			note("log group %s", name)
		}
	}
	buckets, err := c.S3.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		return err
	}
	for _, bk := range buckets.Buckets {
		if strings.Contains(aws.ToString(bk.Name), stackMarker) {
			note("bucket %s", aws.ToString(bk.Name))
		}
	}
	aliases, err := c.KMS.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil {
		return err
	}
	for _, a := range aliases.Aliases {
		if strings.Contains(aws.ToString(a.AliasName), stackMarker) {
			note("key alias %s", aws.ToString(a.AliasName))
		}
	}
	keys, err := c.KMS.ListKeys(ctx, &kms.ListKeysInput{})
	if err != nil {
		return err
	}
	pending := 0
	for _, k := range keys.Keys {
		d, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
		if err != nil {
			return err
		}
		if !strings.Contains(aws.ToString(d.KeyMetadata.Description), stackMarker) {
			continue
		}
		if d.KeyMetadata.KeyState != "PendingDeletion" {
			note("key %s is %s, not pending deletion", aws.ToString(k.KeyId), d.KeyMetadata.KeyState)
			continue
		}
		pending++
	}
	if len(left) > 0 {
		return fmt.Errorf("left in the emulator after destroy:\n  %s", strings.Join(left, "\n  "))
	}
	fmt.Println("    no VPC, subnet, security group, endpoint, endpoint config, model, alarm, role, log group, bucket or alias left")
	fmt.Printf("    %d key(s) pending deletion (KMS never deletes at once); training-job records stay in SageMaker by design\n", pending)
	if shared > 0 {
		fmt.Println("    /aws/sagemaker/TrainingJobs kept by design: the account's shared training log group (encrypted, with retention)")
	}
	return nil
}
