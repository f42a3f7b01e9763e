package iamsim_test

import (
	"context"
	"maps"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamsim"
)

// TestSchedulerRolePolicy judges the scheduler role of a model monitor: the runs it starts
// carry the monitor's settings and nothing weaker is allowed, whatever the schedule's target
// is edited to send.
func TestSchedulerRolePolicy(t *testing.T) {
	requireSimulator(t)
	spec := iampolicy.SchedulerRoleSpec{
		Partition: "aws", Region: region, AccountID: account,
		ScheduleName: "churn-drift", JobNamePrefix: "churn-drift-",
		ExecutionRoleARN: ourRole, SubnetIDs: []string{ourSubnet}, SecurityGroupIDs: []string{ourGroup}, KMSKeyARN: ourKey,
		InstanceType: "ml.m5.xlarge",
	}
	doc, err := iampolicy.SchedulerPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	run := "arn:aws:sagemaker:" + region + ":" + account + ":processing-job/churn-drift-d32c5kddcf5bb8c3"
	secure := map[string][]string{
		"sagemaker:VpcSubnets": {ourSubnet}, "sagemaker:VpcSecurityGroupIds": {ourGroup},
		"sagemaker:VolumeKmsKeyArn": {ourKey}, "sagemaker:OutputKmsKeyArn": {ourKey},
		"sagemaker:NetworkIsolation": {"true"}, "sagemaker:InterContainerTrafficEncryption": {"true"},
		"sagemaker:InstanceTypes": {"ml.m5.xlarge"},
	}
	with := func(key string, values ...string) map[string][]string {
		c := maps.Clone(secure)
		if values == nil {
			delete(c, key)
		} else {
			c[key] = values
		}
		return c
	}
	create := func(name string, resource string, ctx map[string][]string, allowed bool) iamsim.Case {
		return iamsim.Case{Name: name, Action: "sagemaker:CreateProcessingJob", Resource: resource, Context: ctx, WantAllowed: allowed}
	}
	cases := []iamsim.Case{
		create("a run with the monitor's settings", run, secure, true),
		create("a job of another name", "arn:aws:sagemaker:"+region+":"+account+":processing-job/other-job", secure, false),
		create("network isolation off", run, with("sagemaker:NetworkIsolation", "false"), false),
		create("network isolation left out", run, with("sagemaker:NetworkIsolation"), false),
		create("inter-container encryption off", run, with("sagemaker:InterContainerTrafficEncryption", "false"), false),
		create("no VPC", run, with("sagemaker:VpcSubnets"), false),
		create("another subnet", run, with("sagemaker:VpcSubnets", ourSubnet, "subnet-0bbbbbbbbbbbbbbb2"), false),
		create("another security group", run, with("sagemaker:VpcSecurityGroupIds", "sg-0bbbbbbbbbbbbbbb2"), false),
		create("another volume key", run, with("sagemaker:VolumeKmsKeyArn", otherKey), false),
		create("another output key", run, with("sagemaker:OutputKmsKeyArn", otherKey), false),
		create("no output key", run, with("sagemaker:OutputKmsKeyArn"), false),
		create("no key at all", run, func() map[string][]string {
			c := with("sagemaker:OutputKmsKeyArn")
			delete(c, "sagemaker:VolumeKmsKeyArn")
			return c
		}(), false),
		create("another instance type", run, with("sagemaker:InstanceTypes", "ml.p4d.24xlarge"), false),
		create("no instance type", run, with("sagemaker:InstanceTypes"), false),
		{Name: "a run naming its keys in the deprecated form", Action: "sagemaker:CreateProcessingJob", Resource: run, WantAllowed: true,
			Unlisted: map[string][]string{"sagemaker:VolumeKmsKey": {ourKey}, "sagemaker:OutputKmsKey": {ourKey}},
			Context: func() map[string][]string {
				c := with("sagemaker:OutputKmsKeyArn")
				delete(c, "sagemaker:VolumeKmsKeyArn")
				return c
			}()},
		{Name: "tag a run", Action: "sagemaker:AddTags", Resource: run, WantAllowed: true},
		{Name: "pass the execution role to SageMaker", Action: "iam:PassRole", Resource: ourRole,
			Context: map[string][]string{"iam:PassedToService": {"sagemaker.amazonaws.com"}}, WantAllowed: true},
		{Name: "pass another role", Action: "iam:PassRole", Resource: "arn:aws:iam::" + account + ":role/admin",
			Context: map[string][]string{"iam:PassedToService": {"sagemaker.amazonaws.com"}}},
		{Name: "pass the execution role to another service", Action: "iam:PassRole", Resource: ourRole,
			Context: map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}}},
		{Name: "start a training job", Action: "sagemaker:CreateTrainingJob", Resource: "arn:aws:sagemaker:" + region + ":" + account + ":training-job/churn-drift-x", Context: secure},
	}
	outcomes, err := iamsim.CheckPersona(context.Background(), "arn:aws:iam::"+account+":role/churn-drift-scheduler", []string{doc.JSON()}, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		if !o.OK {
			t.Error(o)
		}
	}
}
