package iampolicy

import (
	"errors"
	"testing"
)

func schedulerSpec() SchedulerRoleSpec {
	return SchedulerRoleSpec{
		Partition: testPartition, Region: testRegion, AccountID: testAccount,
		ScheduleName: "churn-drift", JobNamePrefix: "churn-drift-",
		ExecutionRoleARN: "arn:aws:iam::" + testAccount + ":role/ml-processing",
		SubnetIDs:        []string{"subnet-0aaaaaaaaaaaaaaa1"}, SecurityGroupIDs: []string{"sg-0aaaaaaaaaaaaaaa1"},
		KMSKeyARN:    "arn:aws:kms:" + testRegion + ":" + testAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab",
		InstanceType: "ml.m5.xlarge",
	}
}

func TestSchedulerTrustPolicy(t *testing.T) {
	d, err := SchedulerTrustPolicy(schedulerSpec())
	if err != nil {
		t.Fatal(err)
	}
	s := stmt(t, d, "SchedulerAssumeRole")
	assertSame(t, "Service", s.Principal["Service"], []string{"scheduler.amazonaws.com"})
	assertSame(t, "aws:SourceAccount", s.Condition["StringEquals"]["aws:SourceAccount"], []string{testAccount})
	assertSame(t, "aws:SourceArn", s.Condition["ArnLike"]["aws:SourceArn"],
		[]string{"arn:aws:scheduler:" + testRegion + ":" + testAccount + ":schedule/default/churn-drift"})
}

func TestSchedulerPolicyStatements(t *testing.T) {
	d, err := SchedulerPolicy(schedulerSpec())
	if err != nil {
		t.Fatal(err)
	}
	assertWellFormed(t, d)
	assertSame(t, "Sids", sids(d), []string{"StartMonitoringRuns", "StartMonitoringRunsDeprecatedKeys", "TagMonitoringRuns", "PassExecutionRole"})
	assertSame(t, "runs", stmt(t, d, "StartMonitoringRuns").Resource,
		[]string{"arn:aws:sagemaker:" + testRegion + ":" + testAccount + ":processing-job/churn-drift-*"})
	assertSame(t, "passed role", stmt(t, d, "PassExecutionRole").Resource, []string{schedulerSpec().ExecutionRoleARN})
}

func TestSchedulerRoleSpecRefusals(t *testing.T) {
	for name, mut := range map[string]func(*SchedulerRoleSpec){
		"no execution role":     func(s *SchedulerRoleSpec) { s.ExecutionRoleARN = "" },
		"wildcard job prefix":   func(s *SchedulerRoleSpec) { s.JobNamePrefix = "*" },
		"no subnets":            func(s *SchedulerRoleSpec) { s.SubnetIDs = nil },
		"no key":                func(s *SchedulerRoleSpec) { s.KMSKeyARN = "" },
		"no instance type":      func(s *SchedulerRoleSpec) { s.InstanceType = "" },
		"wildcard passed roles": func(s *SchedulerRoleSpec) { s.ExecutionRoleARN = "arn:aws:iam::" + testAccount + ":role/*" },
	} {
		spec := schedulerSpec()
		mut(&spec)
		if _, err := SchedulerPolicy(spec); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !errors.Is(err, ErrInvalidSpec) && !errors.Is(err, ErrWildcard) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
