package iamsim

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// requireSimulator skips when the simulator is not installed, unless the run must judge
// policies (`make test` sets RequiredEnv), where a missing simulator fails.
func requireSimulator(t *testing.T) {
	t.Helper()
	skip, err := Unavailable()
	if err != nil {
		t.Fatal(err)
	}
	if skip != "" {
		t.Skip(skip)
	}
}

const (
	testPrincipal = "arn:aws:iam::123456789012:role/data-scientist"
	testJob       = "arn:aws:sagemaker:us-east-1:123456789012:training-job/job-1"
)

// tinyPolicy allows CreateTrainingJob only in subnet-a/subnet-b (present), with isolation on,
// and explicitly denies it when the volume key is absent: one StringEquals-family, Bool and
// Null condition each, so a simulator that ignored conditions would fail the cases below.
const tinyPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "LaunchInsideTheNetwork",
      "Effect": "Allow",
      "Action": "sagemaker:CreateTrainingJob",
      "Resource": "arn:aws:sagemaker:us-east-1:123456789012:training-job/*",
      "Condition": {
        "ForAllValues:StringEquals": {"sagemaker:VpcSubnets": ["subnet-a", "subnet-b"]},
        "Null": {"sagemaker:VpcSubnets": "false"},
        "Bool": {"sagemaker:NetworkIsolation": "true"}
      }
    },
    {
      "Sid": "DenyWithoutVolumeKey",
      "Effect": "Deny",
      "Action": "sagemaker:CreateTrainingJob",
      "Resource": "*",
      "Condition": {"Null": {"sagemaker:VolumeKmsKeyArn": "true"}}
    }
  ]
}`

func jobRequest(name string, context map[string][]string) Request {
	return Request{Name: name, Principal: testPrincipal, Action: "sagemaker:CreateTrainingJob", Resource: testJob, Context: context}
}

func secureContext() map[string][]string {
	return map[string][]string{
		"sagemaker:VpcSubnets":       {"subnet-a"},
		"sagemaker:NetworkIsolation": {"true"},
		"sagemaker:VolumeKmsKeyArn":  {"arn:aws:kms:us-east-1:123456789012:key/k"},
	}
}

func without(m map[string][]string, key string) map[string][]string {
	out := map[string][]string{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func with(m map[string][]string, key string, values ...string) map[string][]string {
	out := without(m, key)
	out[key] = values
	return out
}

func TestEvaluate_conditionsDecide(t *testing.T) {
	requireSimulator(t)
	secure := secureContext()
	cases := []struct {
		req  Request
		want Result
	}{
		{jobRequest("given subnet, isolation, key: allowed", secure), Allowed},
		{jobRequest("both given subnets: allowed", with(secure, "sagemaker:VpcSubnets", "subnet-a", "subnet-b")), Allowed},
		{jobRequest("a subnet not given (ForAllValues): not allowed", with(secure, "sagemaker:VpcSubnets", "subnet-a", "subnet-z")), ImplicitlyDenied},
		{jobRequest("no subnets (Null): not allowed", without(secure, "sagemaker:VpcSubnets")), ImplicitlyDenied},
		{jobRequest("isolation off (Bool): not allowed", with(secure, "sagemaker:NetworkIsolation", "false")), ImplicitlyDenied},
		{jobRequest("no volume key (Null on a Deny): denied", without(secure, "sagemaker:VolumeKmsKeyArn")), ExplicitlyDenied},
		{Request{Name: "another action: not allowed", Principal: testPrincipal, Action: "sagemaker:CreateProcessingJob",
			Resource: "arn:aws:sagemaker:us-east-1:123456789012:processing-job/p"}, ImplicitlyDenied},
	}
	in := Input{Policies: []Policy{{Name: "tiny", Document: tinyPolicy}}}
	for _, c := range cases {
		in.Requests = append(in.Requests, c.req)
	}
	got, err := Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if got[i].Result != c.want {
			t.Errorf("%s: got %s %v, want %s", c.req.Name, got[i].Result, got[i].Statements, c.want)
		}
	}
	if s := got[0].Statements; len(s) != 1 || s[0] != "tiny#LaunchInsideTheNetwork" {
		t.Errorf("allowed request: decisive statements %v, want [tiny#LaunchInsideTheNetwork]", s)
	}
	if s := got[5].Statements; len(s) != 1 || s[0] != "tiny#DenyWithoutVolumeKey" {
		t.Errorf("denied request: decisive statements %v, want [tiny#DenyWithoutVolumeKey]", s)
	}
}

// A deprecated key the action table no longer lists still reaches a policy that tests it.
func TestEvaluate_unlistedDeprecatedKey(t *testing.T) {
	requireSimulator(t)
	policy := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"sagemaker:CreateTrainingJob","Resource":"*"},
	  {"Sid":"OldKeyMustBeOurs","Effect":"Deny","Action":"sagemaker:CreateTrainingJob","Resource":"*",
	   "Condition":{"ArnNotEquals":{"sagemaker:VolumeKmsKey":"arn:aws:kms:us-east-1:123456789012:key/k"}}}]}`
	ours := jobRequest("old key ours", nil)
	ours.Unlisted = map[string][]string{"sagemaker:VolumeKmsKey": {"arn:aws:kms:us-east-1:123456789012:key/k"}}
	other := jobRequest("old key another", nil)
	other.Unlisted = map[string][]string{"sagemaker:VolumeKmsKey": {"arn:aws:kms:us-east-1:123456789012:key/other"}}
	got, err := Evaluate(context.Background(), Input{Policies: []Policy{{Name: "p", Document: policy}}, Requests: []Request{ours, other}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Result != Allowed || got[1].Result != ExplicitlyDenied {
		t.Errorf("got %s and %s, want Allowed and ExplicitlyDenied", got[0].Result, got[1].Result)
	}
}

// What the simulator cannot judge is an error, never a silent pass.
func TestEvaluate_refusesWhatItCannotJudge(t *testing.T) {
	requireSimulator(t)
	typoKey := strings.Replace(tinyPolicy, `"sagemaker:NetworkIsolation"`, `"sagemaker:NetworkIsolaton"`, 1)
	typoAction := strings.Replace(tinyPolicy, `"Action": "sagemaker:CreateTrainingJob",`, `"Action": "sagemaker:CreateTrainingJobs",`, 1)
	cases := []struct {
		name, wantErr string
		in            Input
	}{
		{"policy condition key AWS does not define", "sagemaker:NetworkIsolaton",
			Input{Policies: []Policy{{Name: "p", Document: typoKey}}, Requests: []Request{jobRequest("r", secureContext())}}},
		{"policy action AWS does not define", "sagemaker:CreateTrainingJobs",
			Input{Policies: []Policy{{Name: "p", Document: typoAction}}, Requests: []Request{jobRequest("r", secureContext())}}},
		{"request key the action does not take", "sagemaker:RootAccess",
			Input{Policies: []Policy{{Name: "p", Document: tinyPolicy}}, Requests: []Request{jobRequest("r", with(secureContext(), "sagemaker:RootAccess", "Disabled"))}}},
		{"unknown request action", "invalid.action",
			Input{Policies: []Policy{{Name: "p", Document: tinyPolicy}}, Requests: []Request{{Name: "r", Principal: testPrincipal, Action: "sagemaker:LaunchRocket", Resource: testJob}}}},
		{"invalid policy", "Effect must be present",
			Input{Policies: []Policy{{Name: "p", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:GetObject","Resource":"*"}]}`}}, Requests: []Request{jobRequest("r", nil)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Evaluate(context.Background(), c.in)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got error %v, want one naming %q", err, c.wantErr)
			}
		})
	}
}

func TestCheckPersona_marksWrongDecisions(t *testing.T) {
	requireSimulator(t)
	cases := []Case{
		{Name: "secure launch", Action: "sagemaker:CreateTrainingJob", Resource: testJob, Context: secureContext(), WantAllowed: true},
		{Name: "no subnets, wrongly expected allowed", Action: "sagemaker:CreateTrainingJob", Resource: testJob,
			Context: without(secureContext(), "sagemaker:VpcSubnets"), WantAllowed: true},
	}
	got, err := CheckPersona(context.Background(), testPrincipal, []string{tinyPolicy}, cases)
	if err != nil {
		t.Fatal(err)
	}
	if !got[0].OK || got[1].OK {
		t.Errorf("OK flags %v %v, want true false: %v; %v", got[0].OK, got[1].OK, got[0], got[1])
	}
}

func TestConditionKeys(t *testing.T) {
	requireSimulator(t)
	got, err := ConditionKeys(context.Background(), []string{"sagemaker:CreateNotebookInstance", "iam:PassRole"})
	if err != nil {
		t.Fatal(err)
	}
	for action, key := range map[string]string{"sagemaker:CreateNotebookInstance": "sagemaker:RootAccess", "iam:PassRole": "iam:PassedToService"} {
		if !slices.Contains(got[action], key) {
			t.Errorf("%s: keys %v lack %s", action, got[action], key)
		}
	}
	if _, err := ConditionKeys(context.Background(), []string{"sagemaker:CreateModl"}); err == nil || !strings.Contains(err.Error(), "unknown action sagemaker:CreateModl") {
		t.Errorf("unknown action: got error %v", err)
	}
}
