package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/endpoint"
)

const (
	endpointAddress    = "sagesafe_endpoint.model"
	baselineJobAddress = "sagesafe_processing_job.baseline"
	budgetAddress      = "sagesafe_budget.sagemaker"
	monitorAddress     = "sagesafe_model_monitor.drift"
)

// watchLines reads, from the emulator rather than from the state, what
// watches the model and its cost: the endpoint's scaling target and policy,
// its data capture, the baseline processing job and the budget. Each line is one fact;
// a missing object is an error.
func watchLines(ctx context.Context, c *awsclient.Client, show []byte) ([]string, error) {
	var out []string
	ep, err := resourceAt(show, endpointAddress)
	if err != nil {
		return nil, err
	}
	var name, config string
	for attr, v := range map[string]*string{"name": &name, "endpoint_config_name": &config} {
		if err := decodeValue(ep, attr, v); err != nil {
			return nil, err
		}
	}
	scaling, err := scalingLine(ctx, c, name)
	if err != nil {
		return nil, err
	}
	out = append(out, scaling)
	cfg, err := c.SageMaker.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String(config)})
	if err != nil {
		return nil, fmt.Errorf("reading endpoint config %s: %w", config, err)
	}
	dc := cfg.DataCaptureConfig
	if dc == nil || !aws.ToBool(dc.EnableCapture) {
		return nil, fmt.Errorf("endpoint %s does not capture its traffic", name)
	}
	out = append(out, fmt.Sprintf("capture: %d%% of requests and responses to %s, encrypted with %s",
		aws.ToInt32(dc.InitialSamplingPercentage), aws.ToString(dc.DestinationS3Uri), aws.ToString(dc.KmsKeyId)))

	job, err := resourceAt(show, baselineJobAddress)
	if err != nil {
		return nil, err
	}
	var jobName string
	if err := decodeValue(job, "name", &jobName); err != nil {
		return nil, err
	}
	pj, err := c.SageMaker.DescribeProcessingJob(ctx, &sagemaker.DescribeProcessingJobInput{ProcessingJobName: aws.String(jobName)})
	if err != nil {
		return nil, fmt.Errorf("reading processing job %s: %w", jobName, err)
	}
	var outputs []string
	if pj.ProcessingOutputConfig != nil {
		for _, o := range pj.ProcessingOutputConfig.Outputs {
			if o.S3Output != nil {
				outputs = append(outputs, aws.ToString(o.S3Output.S3Uri))
			}
		}
	}
	isolated := pj.NetworkConfig != nil && aws.ToBool(pj.NetworkConfig.EnableNetworkIsolation) &&
		aws.ToBool(pj.NetworkConfig.EnableInterContainerTrafficEncryption) && pj.NetworkConfig.VpcConfig != nil
	if !isolated {
		return nil, fmt.Errorf("processing job %s is not isolated and encrypted in the private network: %+v", jobName, pj.NetworkConfig)
	}
	out = append(out, fmt.Sprintf("baseline job %s: %s, network-isolated, inter-container traffic encrypted, in the private subnets; wrote %s",
		jobName, pj.ProcessingJobStatus, strings.Join(outputs, ", ")))
	monitor, err := monitorLine(ctx, c, show)
	if err != nil {
		return nil, err
	}
	budget, err := budgetLine(ctx, c, show)
	if err != nil {
		return nil, err
	}
	return append(out, monitor, budget), nil
}

// monitorLine describes the drift monitor's schedule, the role it runs as,
// what each run starts, and its alarms.
func monitorLine(ctx context.Context, c *awsclient.Client, show []byte) (string, error) {
	r, err := resourceAt(show, monitorAddress)
	if err != nil {
		return "", err
	}
	var name string
	var alarmNames map[string]string
	for attr, v := range map[string]any{"name": &name, "alarm_names": &alarmNames} {
		if err := decodeValue(r, attr, v); err != nil {
			return "", err
		}
	}
	s, err := c.Scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name)})
	if err != nil || s.Target == nil {
		return "", fmt.Errorf("reading schedule %s: %v", name, err)
	}
	var run struct {
		NetworkConfig struct{ EnableNetworkIsolation, EnableInterContainerTrafficEncryption bool }
	}
	if err := json.Unmarshal([]byte(aws.ToString(s.Target.Input)), &run); err != nil {
		return "", fmt.Errorf("reading the input of schedule %s: %w", name, err)
	}
	if !run.NetworkConfig.EnableNetworkIsolation || !run.NetworkConfig.EnableInterContainerTrafficEncryption {
		return "", fmt.Errorf("schedule %s starts runs without isolation or encryption", name)
	}
	return fmt.Sprintf("drift monitor %s: %s, %s as %s, each run isolated and encrypted; %d alarms (drift per feature, silent monitor)",
		name, aws.ToString(s.ScheduleExpression), aws.ToString(s.Target.Arn), aws.ToString(s.Target.RoleArn), len(alarmNames)), nil
}

// budgetLine describes the account's SageMaker budget and who it tells.
func budgetLine(ctx context.Context, c *awsclient.Client, show []byte) (string, error) {
	r, err := resourceAt(show, budgetAddress)
	if err != nil {
		return "", err
	}
	var name string
	if err := decodeValue(r, "name", &name); err != nil {
		return "", err
	}
	got, err := c.Budgets.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(c.AccountID), BudgetName: aws.String(name)})
	if err != nil || got.Budget == nil || got.Budget.BudgetLimit == nil {
		return "", fmt.Errorf("reading budget %s: %v", name, err)
	}
	notes, err := c.Budgets.DescribeNotificationsForBudget(ctx, &budgets.DescribeNotificationsForBudgetInput{AccountId: aws.String(c.AccountID), BudgetName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("reading the notifications of budget %s: %w", name, err)
	}
	var when []string
	for _, n := range notes.Notifications {
		when = append(when, fmt.Sprintf("%s > %g%%", n.NotificationType, n.Threshold))
	}
	if len(when) == 0 {
		return "", fmt.Errorf("budget %s tells nobody", name)
	}
	return fmt.Sprintf("budget %s: %s %s a month on SageMaker; notifies the on-call topic when %s",
		name, aws.ToString(got.Budget.BudgetLimit.Amount), aws.ToString(got.Budget.BudgetLimit.Unit), strings.Join(when, ", ")), nil
}

// scalingLine describes the endpoint's registered scalable target and its
// target-tracking policy.
func scalingLine(ctx context.Context, c *awsclient.Client, name string) (string, error) {
	id := "endpoint/" + name + "/variant/" + endpoint.VariantName
	targets, err := c.AutoScaling.DescribeScalableTargets(ctx, &applicationautoscaling.DescribeScalableTargetsInput{
		ServiceNamespace: aastypes.ServiceNamespaceSagemaker, ResourceIds: []string{id},
	})
	if err != nil {
		return "", fmt.Errorf("reading the scalable target %s: %w", id, err)
	}
	if len(targets.ScalableTargets) != 1 {
		return "", fmt.Errorf("endpoint %s has %d scalable targets, want 1", name, len(targets.ScalableTargets))
	}
	t := targets.ScalableTargets[0]
	policies, err := c.AutoScaling.DescribeScalingPolicies(ctx, &applicationautoscaling.DescribeScalingPoliciesInput{
		ServiceNamespace: aastypes.ServiceNamespaceSagemaker, ResourceId: aws.String(id),
	})
	if err != nil {
		return "", fmt.Errorf("reading the scaling policies of %s: %w", id, err)
	}
	if len(policies.ScalingPolicies) != 1 || policies.ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration == nil {
		return "", fmt.Errorf("endpoint %s has %d scaling policies, want 1 target-tracking policy", name, len(policies.ScalingPolicies))
	}
	p := policies.ScalingPolicies[0]
	return fmt.Sprintf("autoscaling: %s between %d and %d instances, policy %s tracking %.0f invocations per instance",
		id, aws.ToInt32(t.MinCapacity), aws.ToInt32(t.MaxCapacity), aws.ToString(p.PolicyName),
		aws.ToFloat64(p.TargetTrackingScalingPolicyConfiguration.TargetValue)), nil
}
