package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamsim"
)

// The people step: the data scientists' role, as it is live in the emulator,
// judged by an IAM policy simulator (@cloud-copilot/iam-simulate, see
// internal/iamsim). moto's IAM enforcement ignores conditions, so it cannot
// judge these documents; real AWS remains the final judge.

const (
	dataScientistsAddress = "sagesafe_persona_role.data_scientists"
	trainingJobAddress    = "sagesafe_training_job.model"
	trainingRoleAddress   = "sagesafe_execution_role.training"
	inferenceRoleAddress  = "sagesafe_execution_role.inference"
)

// judgeDataScientists builds the request the golden path's training job
// made (from the live job) and weaker forms of it, and shows that the data
// scientists' live role allows the first and denies every other, and that
// the permissions boundary the role carries (boundary, its document) lets
// the allowed requests through (judgeBoundary).
func judgeDataScientists(ctx context.Context, c *awsclient.Client, show []byte, boundary string) ([]iamsim.Outcome, error) {
	role, err := resourceAt(show, dataScientistsAddress)
	if err != nil {
		return nil, err
	}
	var roleName string
	if err := decodeValue(role, "name", &roleName); err != nil || roleName == "" {
		return nil, fmt.Errorf("%s has no name in the state (%v)", dataScientistsAddress, err)
	}
	policies, err := livePolicies(ctx, c, roleName)
	if err != nil {
		return nil, err
	}
	secure, jobARN, err := trainingJobRequest(ctx, c, show)
	if err != nil {
		return nil, err
	}
	roles := map[string]string{}
	for _, addr := range []string{trainingRoleAddress, inferenceRoleAddress} {
		r, err := resourceAt(show, addr)
		if err != nil {
			return nil, err
		}
		var arn string
		if err := decodeValue(r, "arn", &arn); err != nil {
			return nil, err
		}
		roles[addr] = arn
	}
	cases := trainingCases(secure, jobARN, c.AccountID, c.Partition, c.Region)
	toSageMaker := map[string][]string{"iam:PassedToService": {"sagemaker.amazonaws.com"}}
	cases = append(cases,
		iamsim.Case{Name: "iam:PassRole of the training execution role to SageMaker", Action: "iam:PassRole",
			Resource: roles[trainingRoleAddress], Context: toSageMaker, WantAllowed: true},
		iamsim.Case{Name: "iam:PassRole of the inference role (not given to data scientists)", Action: "iam:PassRole",
			Resource: roles[inferenceRoleAddress], Context: toSageMaker},
	)
	principal := fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/data-scientist", c.Partition, c.AccountID, roleName)
	outcomes, err := iamsim.CheckPersona(ctx, principal, policies, cases)
	if err != nil {
		return nil, err
	}
	capped, err := judgeBoundary(ctx, principal, boundary, cases, c.Partition, c.AccountID)
	if err != nil {
		return nil, err
	}
	return append(outcomes, capped...), nil
}

// judgeBoundary judges requests against the permissions boundary alone. A
// boundary is a cap: a request is allowed only when both the role's policy
// and the boundary allow it. So each request the role must be able to make
// must pass the boundary too (a boundary that denied it would break the
// golden path), and passing a role outside the stack must not (SS-IAM-5).
// The simulator takes no boundary itself; judging the boundary as the only
// policy is the other half of that intersection.
func judgeBoundary(ctx context.Context, principal, boundary string, cases []iamsim.Case, partition, account string) ([]iamsim.Outcome, error) {
	var under []iamsim.Case
	for _, c := range cases {
		if c.WantAllowed {
			c.Name = "boundary lets through: " + c.Name
			under = append(under, c)
		}
	}
	under = append(under, iamsim.Case{
		Name:   "boundary stops: iam:PassRole of a role outside the stack (AdminAccessRole) to SageMaker",
		Action: "iam:PassRole", Resource: fmt.Sprintf("arn:%s:iam::%s:role/AdminAccessRole", partition, account),
		Context: map[string][]string{"iam:PassedToService": {"sagemaker.amazonaws.com"}},
	})
	return iamsim.CheckPersona(ctx, principal, []string{boundary}, under)
}

// trainingCases: the request as sagesafe made it, allowed; each weakening
// a person might try from the console or the CLI, denied.
func trainingCases(secure map[string][]string, jobARN, account, partition, region string) []iamsim.Case {
	with := func(key string, values ...string) map[string][]string {
		out := map[string][]string{}
		for k, v := range secure {
			out[k] = v
		}
		out[key] = values
		return out
	}
	withoutVPC := with("sagemaker:VpcSubnets")
	delete(withoutVPC, "sagemaker:VpcSubnets")
	delete(withoutVPC, "sagemaker:VpcSecurityGroupIds")
	otherKey := fmt.Sprintf("arn:%s:kms:%s:%s:key/11111111-2222-3333-4444-555555555555", partition, region, account)
	return []iamsim.Case{
		{Name: "CreateTrainingJob as sagesafe made it (live job's subnets, group, key, isolation, encryption)",
			Action: "sagemaker:CreateTrainingJob", Resource: jobARN, Context: secure, WantAllowed: true},
		{Name: "CreateTrainingJob without a VPC", Action: "sagemaker:CreateTrainingJob", Resource: jobARN,
			Context: withoutVPC},
		{Name: "CreateTrainingJob in a subnet outside the network", Action: "sagemaker:CreateTrainingJob", Resource: jobARN,
			Context: with("sagemaker:VpcSubnets", "subnet-0fffffffffffffff9")},
		{Name: "CreateTrainingJob with volumes under another key", Action: "sagemaker:CreateTrainingJob", Resource: jobARN,
			Context: with("sagemaker:VolumeKmsKeyArn", otherKey)},
		{Name: "CreateTrainingJob without network isolation", Action: "sagemaker:CreateTrainingJob", Resource: jobARN,
			Context: with("sagemaker:NetworkIsolation", "false")},
		{Name: "CreateTrainingJob without inter-container encryption", Action: "sagemaker:CreateTrainingJob", Resource: jobARN,
			Context: with("sagemaker:InterContainerTrafficEncryption", "false")},
	}
}

// trainingJobRequest reads the golden path's training job from the emulator
// and returns the condition keys its CreateTrainingJob request carried.
func trainingJobRequest(ctx context.Context, c *awsclient.Client, show []byte) (map[string][]string, string, error) {
	job, err := resourceAt(show, trainingJobAddress)
	if err != nil {
		return nil, "", err
	}
	var name string
	if err := decodeValue(job, "name", &name); err != nil || name == "" {
		return nil, "", fmt.Errorf("%s has no name in the state (%v)", trainingJobAddress, err)
	}
	out, err := c.SageMaker.DescribeTrainingJob(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: aws.String(name)})
	if err != nil {
		return nil, "", fmt.Errorf("describing training job %s: %w", name, err)
	}
	if out.VpcConfig == nil || out.ResourceConfig == nil || out.OutputDataConfig == nil {
		return nil, "", fmt.Errorf("training job %s: the emulator's answer lacks its VPC, resource or output configuration", name)
	}
	keys := map[string][]string{
		"sagemaker:VpcSubnets":                      out.VpcConfig.Subnets,
		"sagemaker:VpcSecurityGroupIds":             out.VpcConfig.SecurityGroupIds,
		"sagemaker:VolumeKmsKeyArn":                 {aws.ToString(out.ResourceConfig.VolumeKmsKeyId)},
		"sagemaker:OutputKmsKeyArn":                 {aws.ToString(out.OutputDataConfig.KmsKeyId)},
		"sagemaker:NetworkIsolation":                {strconv.FormatBool(aws.ToBool(out.EnableNetworkIsolation))},
		"sagemaker:InterContainerTrafficEncryption": {strconv.FormatBool(aws.ToBool(out.EnableInterContainerTrafficEncryption))},
		"sagemaker:InstanceTypes":                   {string(out.ResourceConfig.InstanceType)},
	}
	return keys, aws.ToString(out.TrainingJobArn), nil
}

// livePolicies returns the role's inline policy documents as the emulator
// holds them: what a person assuming the role would get.
func livePolicies(ctx context.Context, c *awsclient.Client, role string) ([]string, error) {
	names, err := c.IAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		return nil, fmt.Errorf("listing the inline policies of %s: %w", role, err)
	}
	var docs []string
	for _, n := range names.PolicyNames {
		p, err := c.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(n)})
		if err != nil {
			return nil, fmt.Errorf("reading policy %s of %s: %w", n, role, err)
		}
		doc, err := url.QueryUnescape(aws.ToString(p.PolicyDocument))
		if err != nil {
			return nil, fmt.Errorf("decoding policy %s of %s: %w", n, role, err)
		}
		if !json.Valid([]byte(doc)) {
			return nil, fmt.Errorf("policy %s of %s is not JSON", n, role)
		}
		docs = append(docs, doc)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("role %s has no inline policy: the persona's permissions are missing", role)
	}
	return docs, nil
}

// resourceAt finds a managed resource of the root module by address.
func resourceAt(show []byte, address string) (stateResource, error) {
	var st struct {
		Values struct {
			RootModule module `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(show, &st); err != nil {
		return stateResource{}, fmt.Errorf("reading terraform show -json: %w", err)
	}
	for _, r := range st.Values.RootModule.all() {
		if strings.TrimPrefix(r.Address, stackModule) == address {
			return r, nil
		}
	}
	return stateResource{}, fmt.Errorf("%s is not in the state", address)
}
