package deployerpolicy_test

import (
	"context"
	"maps"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamsim"
)

const (
	account = "123456789012"
	region  = "us-east-1"
	arnSM   = "arn:aws:sagemaker:" + region + ":" + account + ":"
	arnIAM  = "arn:aws:iam::" + account + ":"
)

func requireSimulator(t *testing.T) {
	t.Helper()
	skip, err := iamsim.Unavailable()
	if err != nil {
		t.Fatal(err)
	}
	if skip != "" {
		t.Skip(skip)
	}
}

// TestDeployerPolicy_actionsExist: every action the policy of every type
// grants is an action of the Service Authorization Reference (as the
// pinned simulator carries it); a misspelt or API-only name (s3:HeadBucket,
// budgets:CreateBudget) is an error there.
func TestDeployerPolicy_actionsExist(t *testing.T) {
	requireSimulator(t)
	d, err := iampolicy.DeployerPolicy(iampolicy.DeployerInputs{Types: iampolicy.DeployerTypes(), NamePrefix: "churn"}, "aws", region, account)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, s := range d.Statement {
		actions = append(actions, s.Action...)
	}
	if _, err := iamsim.ConditionKeys(context.Background(), actions); err != nil {
		t.Fatalf("the policy grants actions IAM does not define: %v", err)
	}
	t.Logf("%d actions, all defined", len(actions))
}

// TestDeployerPolicy_judged judges the training stack's policy, split into
// managed policies as users attach it, with the IAM policy simulator: what
// the emulator cannot (resources, conditions).
func TestDeployerPolicy_judged(t *testing.T) {
	requireSimulator(t)
	d, err := iampolicy.DeployerPolicy(iampolicy.DeployerInputs{
		Types:      []string{iampolicy.TypeKMSKey, iampolicy.TypeNetwork, iampolicy.TypeExecutionRole, iampolicy.TypeTrainingJob},
		NamePrefix: "Churn",
	}, "aws", region, account)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, p := range iampolicy.ManagedPolicies(d, 1500) { // small parts: the split is judged too
		docs = append(docs, p.JSON())
	}
	tokenTag := map[string][]string{"aws:RequestTag/" + iampolicy.CreationTokenTag: {"tok"}}
	key := "arn:aws:kms:" + region + ":" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	guarded := map[string][]string{
		"sagemaker:VpcSubnets": {"subnet-0a1b2c3d"}, "sagemaker:VpcSecurityGroupIds": {"sg-0a1b2c3d"},
		"sagemaker:NetworkIsolation": {"true"}, "sagemaker:InterContainerTrafficEncryption": {"true"},
		"sagemaker:VolumeKmsKeyArn": {key}, "sagemaker:OutputKmsKeyArn": {key}, "sagemaker:InstanceTypes": {"ml.m5.xlarge"},
	}
	passTo := func(service string) map[string][]string {
		return map[string][]string{"iam:PassedToService": {service}}
	}
	cases := []iamsim.Case{
		// As the provider sends it: in the VPC, isolated, encrypted.
		{Name: "start a training job of the stack", Action: "sagemaker:CreateTrainingJob", Resource: arnSM + "training-job/churn-1a2b", Context: guarded, WantAllowed: true},
		// The identity itself may not start one without them (red team).
		{Name: "start an unguarded training job of the stack", Action: "sagemaker:CreateTrainingJob", Resource: arnSM + "training-job/churn-1a2b"},
		{Name: "start a training job of the stack without isolation", Action: "sagemaker:CreateTrainingJob", Resource: arnSM + "training-job/churn-1a2b",
			Context: withContext(guarded, "sagemaker:NetworkIsolation", "false")},
		{Name: "start another team's training job", Action: "sagemaker:CreateTrainingJob", Resource: arnSM + "training-job/fraud-1a2b"},
		{Name: "create an endpoint (not a type of the stack)", Action: "sagemaker:CreateEndpoint", Resource: arnSM + "endpoint/churn"},
		{Name: "describe a training job", Action: "sagemaker:DescribeTrainingJob", Resource: arnSM + "training-job/churn-1a2b", WantAllowed: true},
		{Name: "create the stack's execution role", Action: "iam:CreateRole", Resource: arnIAM + "role/Churn-training", WantAllowed: true},
		{Name: "create a role outside the prefix", Action: "iam:CreateRole", Resource: arnIAM + "role/admin"},
		{Name: "put a policy on a role outside the prefix", Action: "iam:PutRolePolicy", Resource: arnIAM + "role/admin"},
		{Name: "read any role (plan-time lookup)", Action: "iam:GetRole", Resource: arnIAM + "role/admin", WantAllowed: true},
		{Name: "pass the execution role to SageMaker", Action: "iam:PassRole", Resource: arnIAM + "role/Churn-training", Context: passTo("sagemaker.amazonaws.com"), WantAllowed: true},
		{Name: "pass the flow-logs role to VPC Flow Logs", Action: "iam:PassRole", Resource: arnIAM + "role/Churn-flow-logs-us-east-1", Context: passTo("vpc-flow-logs.amazonaws.com"), WantAllowed: true},
		{Name: "pass the execution role to EC2", Action: "iam:PassRole", Resource: arnIAM + "role/Churn-training", Context: passTo("ec2.amazonaws.com")},
		{Name: "pass an admin role to SageMaker", Action: "iam:PassRole", Resource: arnIAM + "role/admin", Context: passTo("sagemaker.amazonaws.com")},
		{Name: "read a data bucket's encryption (plan-time lookup)", Action: "s3:GetEncryptionConfiguration", Resource: "arn:aws:s3:::data", WantAllowed: true},
		{Name: "delete a bucket (no audit trail in the stack)", Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::sagesafe-audit-" + account + "-0123456789abcdef"},
		{Name: "create a VPC with the creation token tag", Action: "ec2:CreateVpc", Resource: "arn:aws:ec2:" + region + ":" + account + ":vpc/*", Context: tokenTag, WantAllowed: true},
		{Name: "create a VPC without it", Action: "ec2:CreateVpc", Resource: "arn:aws:ec2:" + region + ":" + account + ":vpc/*"},
		{Name: "create a key with the creation token tag", Action: "kms:CreateKey", Resource: "*", Context: tokenTag, WantAllowed: true},
		{Name: "create a budget (not a type of the stack)", Action: "budgets:ModifyBudget", Resource: "arn:aws:budgets::" + account + ":budget/churn"},
	}
	outcomes, err := iamsim.CheckPersona(context.Background(), arnIAM+"role/ci", docs, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		if !o.OK {
			t.Error(o)
		}
	}
}

// TestDeployerPolicy_namedWrites: the writes of services whose objects
// sagesafe names predictably reach only those (red team: DeleteTrail,
// DeleteAlarms, DeleteLogGroup, ModifyBudget and DeleteSchedule were on
// "*", so the deployer could delete or blind the organisation's own trail).
func TestDeployerPolicy_namedWrites(t *testing.T) {
	arn := func(service, resource string) string {
		return "arn:aws:" + service + ":" + region + ":" + account + ":" + resource
	}
	cases := []iamsim.Case{
		{Name: "change the stack's budget", Action: "budgets:ModifyBudget", Resource: "arn:aws:budgets::" + account + ":budget/churn-spend", WantAllowed: true},
		{Name: "change another budget", Action: "budgets:ModifyBudget", Resource: "arn:aws:budgets::" + account + ":budget/finance"},
		{Name: "delete the stack's schedule", Action: "scheduler:DeleteSchedule", Resource: arn("scheduler", "schedule/default/churn-drift"), WantAllowed: true},
		{Name: "delete another schedule", Action: "scheduler:DeleteSchedule", Resource: arn("scheduler", "schedule/default/nightly-backup")},
		{Name: "stop the stack's trail", Action: "cloudtrail:UpdateTrail", Resource: arn("cloudtrail", "trail/churn-audit"), WantAllowed: true},
		{Name: "delete the organisation's trail", Action: "cloudtrail:DeleteTrail", Resource: arn("cloudtrail", "trail/org-trail")},
		{Name: "delete an endpoint's alarm", Action: "cloudwatch:DeleteAlarms", Resource: arn("cloudwatch", "alarm:sagesafe-endpoint-churn-5xx"), WantAllowed: true},
		{Name: "delete the trail's alarm", Action: "cloudwatch:DeleteAlarms", Resource: arn("cloudwatch", "alarm:churn-audit-root-usage"), WantAllowed: true},
		{Name: "delete another alarm", Action: "cloudwatch:DeleteAlarms", Resource: arn("cloudwatch", "alarm:billing-over-budget")},
		{Name: "delete an endpoint's log group", Action: "logs:DeleteLogGroup", Resource: arn("logs", "log-group:/aws/sagemaker/Endpoints/churn"), WantAllowed: true},
		{Name: "delete a flow-log group", Action: "logs:DeleteLogGroup", Resource: arn("logs", "log-group:/sagesafe/network/churn/flow-logs"), WantAllowed: true},
		{Name: "delete another log group", Action: "logs:DeleteLogGroup", Resource: arn("logs", "log-group:/org/security")},
	}
	judge(t, iampolicy.DeployerInputs{Types: iampolicy.DeployerTypes(), NamePrefix: "churn"}, cases)
}

// withContext is ctx with key set to value.
func withContext(ctx map[string][]string, key, value string) map[string][]string {
	out := maps.Clone(ctx)
	out[key] = []string{value}
	return out
}
