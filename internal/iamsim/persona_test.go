package iamsim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamsim"
)

// The denial tests of issue 13: a persona role can launch the sagesafe-shaped workload and
// nothing weaker, judged by the IAM policy simulator on the documents iampolicy renders. Real
// AWS stays the final judge; the simulator is what the emulator cannot be (it ignores
// conditions).

const (
	account   = "123456789012"
	region    = "us-east-1"
	principal = "arn:aws:iam::" + account + ":role/persona"
	ourKey    = "arn:aws:kms:" + region + ":" + account + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	otherKey  = "arn:aws:kms:" + region + ":" + account + ":key/99999999-12ab-34cd-56ef-1234567890ab"
	ourRole   = "arn:aws:iam::" + account + ":role/ml-training"
	ourSubnet = "subnet-0aaaaaaaaaaaaaaa1"
	ourGroup  = "sg-0aaaaaaaaaaaaaaa1"
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

// guarded lists the SageMaker actions whose requests can carry a guard key (the table "Which
// Create* actions support which condition keys" of the reference, from the Service
// Authorization Reference) with a resource of the type each acts on. Which keys each takes is
// asked of the simulator's copy of that reference, not written here, so a key AWS adds to an
// action is tested without editing this table.
var guarded = map[string]string{
	"sagemaker:CreateTrainingJob":                      "training-job/job",
	"sagemaker:CreateProcessingJob":                    "processing-job/job",
	"sagemaker:CreateHyperParameterTuningJob":          "hyper-parameter-tuning-job/job",
	"sagemaker:CreateDataQualityJobDefinition":         "data-quality-job-definition/def",
	"sagemaker:CreateModelQualityJobDefinition":        "model-quality-job-definition/def",
	"sagemaker:CreateModelBiasJobDefinition":           "model-bias-job-definition/def",
	"sagemaker:CreateModelExplainabilityJobDefinition": "model-explainability-job-definition/def",
	"sagemaker:CreateMonitoringSchedule":               "monitoring-schedule/schedule",
	"sagemaker:UpdateMonitoringSchedule":               "monitoring-schedule/schedule",
	"sagemaker:CreateAutoMLJob":                        "automl-job/job",
	"sagemaker:CreateAutoMLJobV2":                      "automl-job/job",
	"sagemaker:CreateTransformJob":                     "transform-job/job",
	"sagemaker:CreateLabelingJob":                      "labeling-job/job",
	"sagemaker:CreateModel":                            "model/model",
	"sagemaker:CreateEndpointConfig":                   "endpoint-config/config",
	"sagemaker:CreateNotebookInstance":                 "notebook-instance/notebook",
	"sagemaker:UpdateNotebookInstance":                 "notebook-instance/notebook",
	"sagemaker:CreateDomain":                           "domain/d-0123456789ab",
}

// secureValues is what a sagesafe workload's request carries for each guard key.
var secureValues = map[string][]string{
	"sagemaker:VpcSubnets":                      {ourSubnet},
	"sagemaker:VpcSecurityGroupIds":             {ourGroup},
	"sagemaker:VolumeKmsKeyArn":                 {ourKey},
	"sagemaker:OutputKmsKeyArn":                 {ourKey},
	"sagemaker:NetworkIsolation":                {"true"},
	"sagemaker:InterContainerTrafficEncryption": {"true"},
	"sagemaker:DirectInternetAccess":            {"Disabled"},
	"sagemaker:RootAccess":                      {"Disabled"},
}

// deprecatedForm maps the current KMS keys to the deprecated ones that covered the same
// actions; the Service Authorization Reference no longer lists them per action, so they travel
// as Unlisted keys.
var deprecatedForm = map[string]string{
	"sagemaker:VolumeKmsKeyArn": "sagemaker:VolumeKmsKey",
	"sagemaker:OutputKmsKeyArn": "sagemaker:OutputKmsKey",
}

// variant is one way to weaken the sagesafe-shaped request; applies to actions taking key.
// absent: the weakening is leaving a key out.
type variant struct {
	key    string
	name   string
	change func(r *request)
	absent bool
}

// absenceKeepsSetting are the actions whose requests may leave a guard key out without
// weakening anything, so leaving it out is not a denial case: a monitoring schedule that names
// a job definition carries no keys (the definition's create carried them), and an update of a
// notebook that does not mention root access leaves it as it was.
var absenceKeepsSetting = map[string]bool{
	"sagemaker:CreateMonitoringSchedule": true,
	"sagemaker:UpdateMonitoringSchedule": true,
	"sagemaker:UpdateNotebookInstance":   true,
}

type request struct {
	context, unlisted map[string][]string
}

func set(key string, values ...string) func(r *request) {
	return func(r *request) { r.context[key] = values }
}

func drop(keys ...string) func(r *request) {
	return func(r *request) {
		for _, k := range keys {
			delete(r.context, k)
		}
	}
}

// deprecated moves a KMS key to its deprecated form with the given value.
func deprecated(key, value string) func(r *request) {
	return func(r *request) {
		delete(r.context, key)
		r.unlisted[deprecatedForm[key]] = []string{value}
	}
}

var variants = []variant{
	{"sagemaker:VpcSubnets", "a subnet not given", set("sagemaker:VpcSubnets", ourSubnet, "subnet-0fffffffffffffff9"), false},
	{"sagemaker:VpcSubnets", "no subnets", drop("sagemaker:VpcSubnets"), true},
	{"sagemaker:VpcSubnets", "no VPC keys", drop("sagemaker:VpcSubnets", "sagemaker:VpcSecurityGroupIds"), true},
	{"sagemaker:VpcSecurityGroupIds", "a security group not given", set("sagemaker:VpcSecurityGroupIds", "sg-0fffffffffffffff9"), false},
	{"sagemaker:VpcSecurityGroupIds", "no security groups", drop("sagemaker:VpcSecurityGroupIds"), true},
	{"sagemaker:VolumeKmsKeyArn", "another volume key (VolumeKmsKeyArn)", set("sagemaker:VolumeKmsKeyArn", otherKey), false},
	{"sagemaker:VolumeKmsKeyArn", "another volume key (deprecated VolumeKmsKey)", deprecated("sagemaker:VolumeKmsKeyArn", otherKey), false},
	{"sagemaker:VolumeKmsKeyArn", "no volume key", drop("sagemaker:VolumeKmsKeyArn"), true},
	{"sagemaker:OutputKmsKeyArn", "another output key (OutputKmsKeyArn)", set("sagemaker:OutputKmsKeyArn", otherKey), false},
	{"sagemaker:OutputKmsKeyArn", "another output key (deprecated OutputKmsKey)", deprecated("sagemaker:OutputKmsKeyArn", otherKey), false},
	{"sagemaker:OutputKmsKeyArn", "no output key", drop("sagemaker:OutputKmsKeyArn"), true},
	{"sagemaker:NetworkIsolation", "network isolation false", set("sagemaker:NetworkIsolation", "false"), false},
	{"sagemaker:NetworkIsolation", "network isolation absent", drop("sagemaker:NetworkIsolation"), true},
	{"sagemaker:InterContainerTrafficEncryption", "inter-container encryption false", set("sagemaker:InterContainerTrafficEncryption", "false"), false},
	{"sagemaker:InterContainerTrafficEncryption", "inter-container encryption absent", drop("sagemaker:InterContainerTrafficEncryption"), true},
	{"sagemaker:DirectInternetAccess", "direct internet access Enabled", set("sagemaker:DirectInternetAccess", "Enabled"), false},
	{"sagemaker:DirectInternetAccess", "direct internet access absent (defaults to Enabled)", drop("sagemaker:DirectInternetAccess"), true},
	{"sagemaker:RootAccess", "root access Enabled", set("sagemaker:RootAccess", "Enabled"), false},
	{"sagemaker:RootAccess", "root access absent (defaults to Enabled)", drop("sagemaker:RootAccess"), true},
}

// guardKeys of an action: the keys of secureValues the reference lists for it.
func guardKeys(t *testing.T, actions []string) map[string][]string {
	t.Helper()
	all, err := iamsim.ConditionKeys(context.Background(), actions)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for action, keys := range all {
		for _, k := range keys {
			if _, ok := secureValues[k]; ok {
				out[action] = append(out[action], k)
			}
		}
	}
	return out
}

func secureRequest(keys []string) request {
	r := request{context: map[string][]string{}, unlisted: map[string][]string{}}
	for _, k := range keys {
		r.context[k] = secureValues[k]
	}
	return r
}

func arnOf(path string) string {
	return fmt.Sprintf("arn:aws:sagemaker:%s:%s:%s", region, account, path)
}

// launchCases are, for every guarded action: the sagesafe-shaped request (and the same with
// the deprecated KMS keys), allowed when the persona's activities allow the action; and every
// weakening of it, denied. The weakenings of allowed actions are also returned by name: they
// must meet a Deny statement, not merely miss an Allow, so they stay refused whatever else the
// person holds. (An action the persona does not allow is simply not allowed.)
func launchCases(t *testing.T, allowed []string) (cases []iamsim.Case, weakened map[string]bool) {
	keysOf := guardKeys(t, slices.Sorted(maps.Keys(guarded)))
	weakened = map[string]bool{}
	for _, action := range slices.Sorted(maps.Keys(guarded)) {
		keys := keysOf[action]
		if len(keys) == 0 {
			t.Fatalf("%s takes none of the guard keys per the reference: fix the table", action)
		}
		resource := arnOf(guarded[action])
		mayLaunch := slices.Contains(allowed, action)
		what := "allowed"
		if !mayLaunch {
			what = "not allowed: no activity of the persona grants it"
		}
		add := func(name string, r request, want bool) {
			cases = append(cases, iamsim.Case{Name: action + ": " + name, Action: action, Resource: resource,
				Context: r.context, Unlisted: r.unlisted, WantAllowed: want})
		}
		add("the sagesafe-shaped request is "+what, secureRequest(keys), mayLaunch)
		deprecatedOnly := secureRequest(keys)
		for current := range deprecatedForm {
			if slices.Contains(keys, current) {
				deprecated(current, ourKey)(&deprecatedOnly)
			}
		}
		if len(deprecatedOnly.unlisted) > 0 {
			add("the sagesafe-shaped request with the deprecated …KmsKey keys is "+what, deprecatedOnly, mayLaunch)
		}
		for _, v := range variants {
			if !slices.Contains(keys, v.key) || (v.absent && absenceKeepsSetting[action]) {
				continue
			}
			r := secureRequest(keys)
			v.change(&r)
			add(v.name+" is denied", r, false)
			if mayLaunch {
				weakened[cases[len(cases)-1].Name] = true
			}
		}
	}
	return cases, weakened
}

// passRoleCases: the given execution role may be passed to SageMaker only.
func passRoleCases() []iamsim.Case {
	toSageMaker := map[string][]string{"iam:PassedToService": {"sagemaker.amazonaws.com"}}
	return []iamsim.Case{
		{Name: "iam:PassRole of the given role to SageMaker is allowed", Action: "iam:PassRole", Resource: ourRole,
			Context: toSageMaker, WantAllowed: true},
		{Name: "iam:PassRole of a role not given is denied", Action: "iam:PassRole",
			Resource: "arn:aws:iam::" + account + ":role/admin", Context: toSageMaker},
		{Name: "iam:PassRole of the given role to another service is denied", Action: "iam:PassRole", Resource: ourRole,
			Context: map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}}},
		{Name: "iam:PassRole without iam:PassedToService is denied", Action: "iam:PassRole", Resource: ourRole},
	}
}

func personaSpec(p iampolicy.Persona, extra ...string) iampolicy.PersonaSpec {
	return iampolicy.PersonaSpec{
		Persona: p, Partition: "aws", Region: region, AccountID: account,
		SubnetIDs: []string{ourSubnet, "subnet-0aaaaaaaaaaaaaaa2"}, SecurityGroupIDs: []string{ourGroup},
		KMSKeyARN: ourKey, ExecutionRoleARNs: []string{ourRole}, StudioDomainID: ourDomain,
		S3ReadURIs: []string{"s3://ml-data/train/"}, S3WriteURIs: []string{"s3://ml-artifacts/models/"},
		ExtraActivities:   extra,
		AccountPrincipals: []string{account},
	}
}

func render(t *testing.T, spec iampolicy.PersonaSpec) string {
	t.Helper()
	doc, _, err := iampolicy.PersonaPolicy(spec)
	if err != nil {
		t.Fatalf("PersonaPolicy(%s): %v", spec.Persona, err)
	}
	return doc.JSON()
}

// allowedGuardedActions are the actions of the document's Allow statements that take a guard
// key per the reference: each must be in the table (so it is tested) and expected.
func allowedGuardedActions(t *testing.T, policyJSON string) []string {
	t.Helper()
	var doc struct {
		Statement []struct {
			Effect string
			Action any
		}
	}
	if err := json.Unmarshal([]byte(policyJSON), &doc); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			continue
		}
		list, _ := s.Action.([]any)
		if one, ok := s.Action.(string); ok {
			list = []any{one}
		}
		for _, a := range list {
			name, _ := a.(string)
			if strings.Contains(name, "*") {
				t.Fatalf("the persona policy allows the wildcard action %q", name)
			}
			if !slices.Contains(actions, name) {
				actions = append(actions, name)
			}
		}
	}
	var out []string
	for action, keys := range guardKeys(t, actions) {
		if len(keys) > 0 {
			out = append(out, action)
		}
	}
	slices.Sort(out)
	return out
}

// judge fails every case decided otherwise than wanted, and every case of explicit denied
// without an explicit Deny.
func judge(t *testing.T, policies []string, cases []iamsim.Case, explicit map[string]bool) {
	t.Helper()
	got, err := iamsim.CheckPersona(context.Background(), principal, policies, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range got {
		if !o.OK || (explicit[o.Case.Name] && o.Decision.Result != iamsim.ExplicitlyDenied) {
			t.Error(o)
		}
	}
	t.Logf("%d cases judged", len(got))
}

var (
	launchModels    = []string{"sagemaker:CreateModel"}
	launchJobs      = []string{"sagemaker:CreateAutoMLJob", "sagemaker:CreateAutoMLJobV2", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob", "sagemaker:CreateTransformJob"}
	launchEndpoints = []string{"sagemaker:CreateEndpointConfig"}
)

// launchingPersonas are the personas that launch workloads, each with the guarded actions its
// activities allow (Role Manager's templates: manage_ml_jobs, manage_models, manage_endpoints).
var launchingPersonas = []struct {
	name    string
	spec    iampolicy.PersonaSpec
	allowed []string
}{
	{"data_scientist", personaSpec(iampolicy.PersonaDataScientist), slices.Concat(launchJobs, launchModels)},
	{"ml_engineer", personaSpec(iampolicy.PersonaMLEngineer), slices.Concat(launchModels, launchEndpoints)},
	{"data_scientist with manage_endpoints (every guarded create)", dsWide, slices.Concat(launchJobs, launchModels, launchEndpoints)},
}

func TestPersonaDenials_launchingPersonas(t *testing.T) {
	requireSimulator(t)
	for _, c := range launchingPersonas {
		t.Run(c.name, func(t *testing.T) {
			policy := render(t, c.spec)
			slices.Sort(c.allowed)
			if got := allowedGuardedActions(t, policy); !slices.Equal(got, c.allowed) {
				t.Fatalf("the policy allows the guarded actions %v, want %v (each one allowed needs its denial cases here)", got, c.allowed)
			}
			launches, weakened := launchCases(t, c.allowed)
			judge(t, []string{policy}, slices.Concat(launches, passRoleCases()), weakened)
		})
	}
}

// The Deny statements hold even when the person also holds a policy that allows all of
// SageMaker: every weakened request of every action the persona may launch is still refused.
func TestPersonaDenials_holdNextToABroadPolicy(t *testing.T) {
	requireSimulator(t)
	broad := `{"Version":"2012-10-17","Statement":[{"Sid":"Elsewhere","Effect":"Allow","Action":"sagemaker:*","Resource":"*"}]}`
	for _, c := range launchingPersonas {
		t.Run(c.name, func(t *testing.T) {
			launches, weakened := launchCases(t, c.allowed)
			var cases []iamsim.Case
			for _, l := range launches {
				if weakened[l.Name] || slices.Contains(c.allowed, l.Action) {
					cases = append(cases, l)
				}
			}
			judge(t, []string{render(t, c.spec), broad}, cases, weakened)
		})
	}
}

func TestPersonaDenials_modelReviewer(t *testing.T) {
	requireSimulator(t)
	spec := iampolicy.PersonaSpec{
		Persona: iampolicy.PersonaModelReviewer, Partition: "aws", Region: region, AccountID: account,
		S3ReadURIs: []string{"s3://ml-artifacts/reports/"}, AccountPrincipals: []string{account},
	}
	policy := render(t, spec)
	if got := allowedGuardedActions(t, policy); len(got) != 0 {
		t.Fatalf("model_reviewer launches nothing, but its policy allows %v", got)
	}
	pkg := arnOf("model-package/churn/3")
	cases := []iamsim.Case{
		{Name: "approving a model package is allowed", Action: "sagemaker:UpdateModelPackage", Resource: pkg,
			Context: map[string][]string{"sagemaker:ModelApprovalStatus": {"Approved"}}, WantAllowed: true},
		{Name: "rejecting a model package is allowed", Action: "sagemaker:UpdateModelPackage", Resource: pkg,
			Context: map[string][]string{"sagemaker:ModelApprovalStatus": {"Rejected"}}, WantAllowed: true},
		{Name: "reading a model package is allowed", Action: "sagemaker:DescribeModelPackage", Resource: pkg, WantAllowed: true},
		{Name: "updating a model package without setting its approval status is denied", Action: "sagemaker:UpdateModelPackage", Resource: pkg},
		{Name: "iam:PassRole is denied", Action: "iam:PassRole", Resource: ourRole,
			Context: map[string][]string{"iam:PassedToService": {"sagemaker.amazonaws.com"}}},
	}
	// Even the sagesafe-shaped launch of every guarded action is refused: it launches nothing.
	launches, weakened := launchCases(t, nil)
	for _, c := range launches {
		if !weakened[c.Name] {
			cases = append(cases, c)
		}
	}
	judge(t, []string{policy}, cases, nil)
}
