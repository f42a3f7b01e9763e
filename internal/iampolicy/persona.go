package iampolicy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Persona documents: the permission and trust policies of a role that a
// person (not a workload) assumes to work in SageMaker.
//
// The personas and their ML activities follow SageMaker Role Manager
// (Developer Guide, "Role Manager personas" and "ML activities"; policy
// content from the cdklabs/cdk-aws-sagemaker-role-manager templates; see
// the reference notes (personas-audit-monitoring.md) section 1 and
// controls-catalog.md section 7). Role Manager is closed to new customers,
// so the templates live here. Unlike Role Manager, every workload a persona
// may launch is forced through the guardrail: see PersonaPolicy.

// Control IDs of the persona controls (catalog rows in package guardrail).
const (
	controlPersonaLaunch = "SS-IAM-3" // a persona launches only guarded workloads
	controlPersonaTrust  = "SS-IAM-4" // a persona is assumed only with MFA or through SAML
)

// Persona is a kind of person working in SageMaker.
type Persona string

// Personas. PersonaDataScientist and PersonaMLEngineer are Role Manager's
// "Data Scientist" and "MLOps" personas. PersonaModelReviewer is not a Role
// Manager persona: sagesafe defines it from the model registry actions, for
// the person who approves or rejects model versions; it launches nothing.
const (
	PersonaDataScientist Persona = "data_scientist"
	PersonaMLEngineer    Persona = "ml_engineer"
	PersonaModelReviewer Persona = "model_reviewer"
)

// PersonaValues lists the valid personas, for schema validators and docs.
func PersonaValues() []string {
	return []string{string(PersonaDataScientist), string(PersonaMLEngineer), string(PersonaModelReviewer)}
}

// Activity IDs. All but ActivityReviewModels are Role Manager ML activities
// (snake_case of their names); Role Manager's "Manage Model Monitoring",
// "S3 Full Access", Athena, Glue, Canvas and MLflow activities are not
// offered: Model Monitor is closed to new customers and the others grant
// beyond named buckets or outside SageMaker.
const (
	ActivityRunStudioApps     = "run_studio_apps"
	ActivityManageMLJobs      = "manage_ml_jobs"
	ActivityManageModels      = "manage_models"
	ActivityManageEndpoints   = "manage_endpoints"
	ActivityManagePipelines   = "manage_pipelines"
	ActivityManageExperiments = "manage_experiments"
	ActivitySearchExperiments = "search_experiments"
	ActivityS3BucketAccess    = "s3_bucket_access"
	ActivityReviewModels      = "review_models"
)

// personaDefaults are the activities each persona has by default, as Role
// Manager preselects them.
var personaDefaults = map[Persona][]string{
	PersonaDataScientist: {ActivityRunStudioApps, ActivityManageMLJobs, ActivityManageModels,
		ActivityManageExperiments, ActivitySearchExperiments, ActivityS3BucketAccess},
	PersonaMLEngineer: {ActivityRunStudioApps, ActivityManageModels, ActivityManageEndpoints,
		ActivityManagePipelines, ActivitySearchExperiments},
	PersonaModelReviewer: {ActivityReviewModels, ActivityS3BucketAccess},
}

// PersonaActivities returns a persona's default activities (nil for an
// unknown persona).
func PersonaActivities(p Persona) []string { return slices.Clone(personaDefaults[p]) }

// AllPersonaActivities returns every supported activity ID, in the order
// their statements appear in a policy.
func AllPersonaActivities() []string {
	ids := make([]string, len(activities))
	for i, a := range activities {
		ids[i] = a.id
	}
	return ids
}

// Validate returns an ErrInvalidSpec *Error for an unknown persona.
func (p Persona) Validate() error {
	if _, ok := personaDefaults[p]; ok {
		return nil
	}
	return invalidSpec("Persona", string(p), "persona must be one of "+strings.Join(PersonaValues(), ", "))
}

// PersonaSpec describes a persona role.
type PersonaSpec struct {
	Persona                      Persona
	Partition, Region, AccountID string
	// SubnetIDs and SecurityGroupIDs are the only ones the persona's
	// workloads may use; required when an activity launches workloads.
	SubnetIDs, SecurityGroupIDs []string
	// KMSKeyARN is the only key (a full key ARN in Region) for volumes and
	// outputs; required when an activity launches workloads.
	KMSKeyARN string
	// ExecutionRoleARNs are the only roles the persona may pass to
	// SageMaker; required when an activity passes a role.
	ExecutionRoleARNs []string
	// S3ReadURIs and S3WriteURIs (s3://bucket[/prefix]) for s3_bucket_access.
	S3ReadURIs, S3WriteURIs []string
	// ExtraActivities are activity IDs beyond the persona's defaults.
	ExtraActivities []string
	// AccountPrincipals may assume the role, with MFA: account IDs or IAM
	// ARNs (arn:<partition>:iam::<account>:root|role/...|user/...).
	AccountPrincipals []string
	// SAMLProviderARN is an IAM SAML provider of this account (IAM Identity
	// Center or another IdP) whose users may assume the role.
	SAMLProviderARN string
	// StudioDomainID (d-xxxxxxxxxxxx) is the only Studio domain whose apps
	// run_studio_apps may open and run. Without it, run_studio_apps only
	// reads (Describe and List): no presigned URL and no app.
	StudioDomainID string
}

// activity is one ML activity: the statements it allows, and what it needs.
type activity struct {
	id string
	// grants are Allow statements on the SageMaker resources of this
	// partition, region and account (arn:<partition>:sagemaker:<region>:<account>:*).
	// Naming each resource type would add nothing: an action applies only
	// to its own type, and the account-wide ARN keeps the policy within
	// IAM's size limit.
	grants []grant
	// list are the List and Search calls, which IAM authorizes only on "*";
	// all activities' list calls share one statement, SageMakerList.
	list []string
	// launches: it creates workloads that run in a VPC with a KMS key, so
	// subnets, security groups and a key are required and the guard denies
	// are added.
	launches bool
	// passesRole: it passes an execution role to SageMaker (iam:PassRole).
	passesRole bool
	// s3: it grants the S3ReadURIs and S3WriteURIs.
	s3 bool
	// tags: it creates objects that may be tagged at creation (tagStatement).
	tags bool
	// scoped are Allow statements whose resources or conditions depend on
	// the spec (Studio's domain, the caller's identity); nil when none.
	scoped func(sc scope, spec PersonaSpec) []Statement
}

// sidPlainGrants is the Sid of the statement holding every activity's
// unconditioned grants.
const sidPlainGrants = "SageMaker"

// grant is a group of actions an activity allows; sid names it in the
// policy only when it has a condition (the others share sidPlainGrants),
// and RecoverPersonaSpec finds an unconditioned one by its actions.
type grant struct {
	sid       string
	actions   []string
	condition Condition
}

func sm(actions ...string) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = "sagemaker:" + a
	}
	return out
}

// activities, in the order their statements appear. The actions follow the
// Role Manager templates (CDK), narrowed where a template's grant let a
// person act as someone else (issue 13's review): Studio is scoped to the
// caller's own user profile (studioStatements), pipelines to the persona
// role's own (pipelineStatements), and AddTags is granted once, at creation
// only (tagStatement), instead of in every activity. The guard denies cover
// every create action among them that carries the guard keys.
var activities = []activity{
	{id: ActivityRunStudioApps, grants: []grant{
		{"StudioRead", sm("DescribeApp", "DescribeDomain", "DescribeSpace", "DescribeUserProfile"), nil},
	}, list: sm("ListApps", "ListDomains", "ListSpaces", "ListUserProfiles"), scoped: studioStatements},
	{id: ActivityManageMLJobs, launches: true, passesRole: true, tags: true, grants: []grant{
		{"MLJobs", sm("CreateAutoMLJob", "CreateAutoMLJobV2", "CreateHyperParameterTuningJob",
			"CreateProcessingJob", "CreateTrainingJob", "CreateTransformJob", "DescribeAutoMLJob",
			"DescribeAutoMLJobV2", "DescribeHyperParameterTuningJob", "DescribeProcessingJob",
			"DescribeTrainingJob", "DescribeTransformJob", "StopAutoMLJob", "StopHyperParameterTuningJob",
			"StopProcessingJob", "StopTrainingJob", "StopTransformJob", "UpdateTrainingJob"), nil},
	}, list: sm("ListAutoMLJobs", "ListCandidatesForAutoMLJob", "ListHyperParameterTuningJobs",
		"ListProcessingJobs", "ListTrainingJobs", "ListTrainingJobsForHyperParameterTuningJob", "ListTransformJobs")},
	{id: ActivityManageModels, launches: true, passesRole: true, tags: true, grants: []grant{
		{"Models", sm("CreateModel", "CreateModelPackage", "CreateModelPackageGroup", "DeleteModel",
			"DeleteModelPackage", "DeleteModelPackageGroup", "DescribeModel", "DescribeModelPackage",
			"DescribeModelPackageGroup", "UpdateModelPackage"), nil},
	}, list: sm("ListModelPackageGroups", "ListModelPackages", "ListModels")},
	{id: ActivityManageEndpoints, launches: true, tags: true, grants: []grant{
		{"Endpoints", sm("CreateEndpoint", "CreateEndpointConfig", "DeleteEndpoint",
			"DeleteEndpointConfig", "DescribeEndpoint", "DescribeEndpointConfig", "UpdateEndpoint",
			"UpdateEndpointWeightsAndCapacities"), nil},
	}, list: sm("ListEndpointConfigs", "ListEndpoints")},
	// A pipeline's steps call SageMaker as the pipeline's (passed) role, not
	// as the persona, so the persona's denies do not reach them: what those
	// steps may launch is the execution role's policy and the guardrail SCP.
	{id: ActivityManagePipelines, passesRole: true, tags: true, grants: []grant{
		{"PipelinesRead", sm("DescribePipeline", "DescribePipelineDefinitionForExecution", "DescribePipelineExecution",
			"ListPipelineExecutionSteps", "ListPipelineExecutions"), nil},
	}, list: sm("ListPipelines"), scoped: pipelineStatements},
	{id: ActivityManageExperiments, tags: true, grants: []grant{
		{"Experiments", sm("AssociateTrialComponent", "BatchPutMetrics", "CreateExperiment",
			"CreateTrial", "CreateTrialComponent", "DeleteExperiment", "DeleteTrial", "DeleteTrialComponent",
			"DisassociateTrialComponent", "UpdateExperiment", "UpdateTrial", "UpdateTrialComponent"), nil},
	}},
	{id: ActivitySearchExperiments, grants: []grant{
		{"ExperimentsRead", sm("BatchGetMetrics", "DescribeExperiment", "DescribeTrial", "DescribeTrialComponent"), nil},
	}, list: sm("GetSearchSuggestions", "ListExperiments", "ListTrialComponents", "ListTrials", "Search")},
	{id: ActivityS3BucketAccess, s3: true},
	// review_models is sagesafe's own: read the registry and set a model
	// version's approval status. IAM cannot limit which fields an
	// UpdateModelPackage call changes; the grant requires the call to set
	// sagemaker:ModelApprovalStatus (StringEquals fails when the key is
	// absent). Metrics and reports are read from S3 (s3_bucket_access).
	// Only a persona with this activity may set "Approved" (DenySelfApproval).
	{id: ActivityReviewModels, grants: []grant{
		{"ModelRegistryRead", sm("DescribeModelPackage", "DescribeModelPackageGroup"), nil},
		{"ModelApproval", sm("UpdateModelPackage"), Condition{
			"StringEquals": {"sagemaker:ModelApprovalStatus": {"Approved", "PendingManualApproval", "Rejected"}},
		}},
	}, list: sm("ListModelPackageGroups", "ListModelPackages")},
}

func findActivity(id string) (activity, bool) {
	i := slices.IndexFunc(activities, func(a activity) bool { return a.id == id })
	if i < 0 {
		return activity{}, false
	}
	return activities[i], true
}

// guardKey is a setting a persona's denies force on a create action.
type guardKey int

const (
	guardSubnets guardKey = iota
	guardSecurityGroups
	guardVolumeKey
	guardOutputKey
	guardIsolation
	guardInterContainer
	guardInternetAccess
	guardRootAccess
)

// personaCreateGuards are the SageMaker create actions that accept the guard
// condition keys, with the settings each one carries (Service Authorization
// Reference, table "Which Create* actions support which condition keys" in
// personas-audit-monitoring.md section 1). PersonaPolicy's denies and
// PersonaLaunchProblems both read it.
var personaCreateGuards = func() map[string][]guardKey {
	job := []guardKey{guardSubnets, guardSecurityGroups, guardVolumeKey, guardOutputKey, guardIsolation, guardInterContainer}
	m := map[string][]guardKey{}
	for _, a := range []string{"CreateTrainingJob", "CreateProcessingJob", "CreateHyperParameterTuningJob",
		"CreateDataQualityJobDefinition", "CreateModelQualityJobDefinition", "CreateModelBiasJobDefinition",
		"CreateModelExplainabilityJobDefinition"} {
		m["sagemaker:"+a] = job
	}
	for _, a := range []string{"CreateAutoMLJob", "CreateAutoMLJobV2"} {
		m["sagemaker:"+a] = []guardKey{guardSubnets, guardSecurityGroups, guardVolumeKey, guardOutputKey, guardInterContainer}
	}
	for _, a := range []string{"CreateTransformJob", "CreateLabelingJob"} {
		m["sagemaker:"+a] = []guardKey{guardVolumeKey, guardOutputKey}
	}
	m[actModel] = []guardKey{guardSubnets, guardSecurityGroups, guardIsolation}
	m[actEndpointConfig] = []guardKey{guardSubnets, guardSecurityGroups, guardVolumeKey, guardIsolation}
	m["sagemaker:CreateNotebookInstance"] = []guardKey{guardSubnets, guardSecurityGroups, guardVolumeKey,
		guardInternetAccess, guardRootAccess}
	m["sagemaker:CreateDomain"] = []guardKey{guardSubnets, guardSecurityGroups, guardVolumeKey}
	return m
}()

// guardedBy lists the create actions that carry k, sorted.
func guardedBy(k guardKey) []string {
	var out []string
	for a, keys := range personaCreateGuards {
		if slices.Contains(keys, k) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

var (
	personaNotebookActions = guardedBy(guardInternetAccess)

	// Monitoring schedules carry the keys only when they define their job
	// inline; one that names a job definition carries none, so they are
	// denied only on a wrong value, never on absence (as in GuardrailPolicy).
	personaScheduleActions = sm("CreateMonitoringSchedule", "UpdateMonitoringSchedule")

	personaGuarded = guardedActions{
		vpc:            guardedBy(guardSubnets),
		isolation:      guardedBy(guardIsolation),
		interContainer: guardedBy(guardInterContainer),
		volumeKMS:      guardedBy(guardVolumeKey),
		outputKMS:      guardedBy(guardOutputKey),
	}
)

func concat(lists ...[]string) []string { return slices.Concat(lists...) }

// PersonaPolicy builds a persona role's one inline permission policy:
//
//   - The Allow statements of the persona's activities (defaults plus
//     ExtraActivities) on the SageMaker resources of this partition, region
//     and account (the unconditioned ones share the statement SageMaker),
//     the scoped Studio and pipeline statements (persona_scoped.go),
//     TagOnCreate, and SageMakerList for the List and Search calls, which
//     IAM authorizes only on "*". A create action no activity allows is
//     simply not allowed.
//   - When an activity launches workloads (manage_ml_jobs, manage_models,
//     manage_endpoints), explicit Deny statements, which hold even when the
//     person has another policy that allows the same calls, on every create
//     action the activities allow that carries a guard key (the table
//     personaGuarded): GuardrailPolicy's VPC, isolation and inter-container
//     denies (same builder), only the given subnets and security groups,
//     volume and output key equal to KMSKeyARN (deprecated ...KmsKey and
//     current ...KmsKeyArn forms), and for notebooks DirectInternetAccess
//     and RootAccess Disabled.
//   - The misuse denies over the allowed actions (personaMisuseDenies):
//     remote debugging, file systems, self-approval, reserved tags, and
//     endpoint configs made elsewhere.
//   - PassExecutionRoles: iam:PassRole only on ExecutionRoleARNs and only
//     to sagemaker.amazonaws.com (iam:PassedToService).
//   - The key: use through SageMaker and S3 only (kms:ViaService) and
//     kms:CreateGrant only with kms:GrantIsForAWSResource, the statements
//     the execution role and key policy use.
//   - s3_bucket_access: the execution role's S3 statements over S3ReadURIs
//     and S3WriteURIs (buckets of this account only).
//
// The denies cover the allowed actions only, not the whole table: they do
// not fit in IAM's inline size limit next to the allows. A person who also
// holds another policy can call the other create actions unguarded; the
// guarantee beyond the persona's own actions is the guardrail SCP's
// (sagesafe_guardrail_policy), and the resource descriptions say so.
//
// No "*" action, no NotAction or NotResource.
//
// Size: IAM limits a role's inline policies to RolePolicyMaxChars in total.
// The policy is one document. Since the issue-13 denies, each default
// persona with a Studio domain, two execution roles and three buckets fits
// (data_scientist's golden file is about 10,100 characters, so about one
// bucket more), and so does ml_engineer with manage_ml_jobs; wider sets
// (data_scientist with manage_endpoints and a Studio domain, every
// activity at once) are refused. Inputs that push it over are refused with an
// ErrPolicyTooLarge *Error rather than split: a split would need managed
// policies (6,144 characters each), which other principals could be given
// and which make drift harder to see.
//
// The StatementControl list maps each Deny, PassExecutionRoles and
// AllowGrantsForAWSResources to its control.
func PersonaPolicy(spec PersonaSpec) (Document, []StatementControl, error) {
	doc, controls, err := personaPolicyUnchecked(spec)
	if err != nil {
		return Document{}, nil, asControl(err, controlPersonaLaunch)
	}
	if err := checkSize(doc, RolePolicyMaxChars, "persona role policy"); err != nil {
		return Document{}, nil, err
	}
	return doc, controls, nil
}

// asControl names control in a refusal the shared builders made with the
// execution role's least-privilege control (SS-IAM-2): a persona role is
// judged by its own controls, and SS-IAM-2 does not apply to it.
func asControl(err error, control string) error {
	var e *Error
	if !errors.As(err, &e) || e.Control != controlLeastPrivilege {
		return err
	}
	c := *e
	c.Control = control
	return &c
}

func personaPolicyUnchecked(spec PersonaSpec) (Document, []StatementControl, error) {
	sc, acts, err := spec.validate()
	if err != nil {
		return Document{}, nil, err
	}
	// The activities' unconditioned grants share one statement, SageMaker
	// (one Sid, Effect and Resource instead of one per activity keeps the
	// policy within the size limit); a conditioned grant keeps its own.
	plain := Statement{Sid: sidPlainGrants, Effect: EffectAllow, Resource: []string{sc.arn("sagemaker", "*")}}
	allows := []Statement{}
	var allowed, list []string
	for _, a := range acts {
		for _, gr := range a.grants {
			allowed = append(allowed, gr.actions...)
			if gr.condition == nil {
				plain.Action = append(plain.Action, gr.actions...)
				continue
			}
			allows = append(allows, Statement{Sid: gr.sid, Effect: EffectAllow, Action: gr.actions,
				Resource: []string{sc.arn("sagemaker", "*")}, Condition: gr.condition})
		}
		if a.scoped != nil {
			for _, st := range a.scoped(sc, spec) {
				allows = append(allows, st)
				allowed = append(allowed, st.Action...)
			}
		}
		list = append(list, a.list...)
	}
	if anyActivity(acts, func(a activity) bool { return a.tags }) {
		allows = append(allows, tagStatement(sc))
		allowed = append(allowed, actAddTags)
	}
	if len(plain.Action) > 0 {
		slices.Sort(plain.Action)
		plain.Action = slices.Compact(plain.Action)
		allows = append([]Statement{plain}, allows...)
	}
	if len(list) > 0 {
		allows = append(allows, Statement{Sid: "SageMakerList", Effect: EffectAllow, Action: list, Resource: []string{"*"}})
	}
	g := guardrailBuilder{}
	if launchesAny(acts) {
		g.personaDenies(spec, allowed)
	}
	g.personaMisuseDenies(sc, acts, allowed)
	g.stmts = append(g.stmts, allows...)
	if anyActivity(acts, func(a activity) bool { return a.passesRole }) {
		g.stmts = append(g.stmts, passRoleStatement(spec.ExecutionRoleARNs))
		g.controls = append(g.controls, StatementControl{Sid: "PassExecutionRoles", Control: controlPersonaLaunch})
	}
	if spec.KMSKeyARN != "" {
		keys := []string{spec.KMSKeyARN}
		g.stmts = append(g.stmts, kmsUseStatement(sc, nil, keys))
		if launchesAny(acts) {
			g.stmts = append(g.stmts, kmsGrantStatement(sc, nil, keys))
			g.controls = append(g.controls, StatementControl{Sid: "AllowGrantsForAWSResources", Control: controlPersonaLaunch})
		}
	}
	if anyActivity(acts, func(a activity) bool { return a.s3 }) {
		s3, err := s3Statements(sc, spec.S3ReadURIs, spec.S3WriteURIs)
		if err != nil {
			return Document{}, nil, err
		}
		g.stmts = append(g.stmts, s3...)
	}
	return Document{Version: PolicyVersion, Statement: g.stmts}, g.controls, nil
}

// personaDenies adds the guard denies over the create actions the persona
// allows (see PersonaPolicy).
func (g *guardrailBuilder) personaDenies(spec PersonaSpec, allowed []string) {
	only := func(actions []string) []string {
		return slices.DeleteFunc(slices.Clone(actions), func(a string) bool { return !slices.Contains(allowed, a) })
	}
	guarded := guardedActions{
		vpc: only(personaGuarded.vpc), isolation: only(personaGuarded.isolation),
		interContainer: only(personaGuarded.interContainer),
		volumeKMS:      only(personaGuarded.volumeKMS), outputKMS: only(personaGuarded.outputKMS),
	}
	g.denyUnguardedNetwork(guarded)
	vpc := concat(guarded.vpc, only(personaScheduleActions))
	g.denyUnapproved("DenyUnapprovedSubnets", "sagemaker:VpcSubnets", vpc, spec.SubnetIDs)
	g.denyUnapproved("DenyUnapprovedSecurityGroups", "sagemaker:VpcSecurityGroupIds", vpc, spec.SecurityGroupIDs)
	// The volume key, in two statements. ArnNotEqualsIfExists on both forms
	// (deprecated ...KmsKey and current ...KmsKeyArn) denies a request
	// unless one form is present and is KMSKeyARN: each ...IfExists clause
	// is true when its form is absent, and the clauses are ANDed. The
	// local-storage exemption (no key for those types) applies only when
	// every instance type has local storage: DenyOtherVolumeKmsKey fires
	// when any type does not (ForAnyValue), DenyOtherVolumeKmsKeyNoTypes
	// when the request names none. (A single ForAllValues statement let one
	// local-storage type among several switch the key check off: issue 13.)
	// The one request left to SageMaker is a key on instances that all have
	// local storage: SageMaker refuses any volume key there (API Reference,
	// ResourceConfig.VolumeKmsKeyId, ProcessingClusterConfig,
	// TransformResources, CreateEndpointConfig KmsKeyId), and the guardrail
	// SCP's unapproved-key deny has no exemption. Separate "missing" and
	// "other key" denies per form, as GuardrailPolicy has, would close it in
	// IAM too but do not fit the inline size limit next to the allows.
	for _, d := range []struct {
		sid   string
		types Condition
	}{
		{"DenyOtherVolumeKmsKey", Condition{"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": localStorageInstanceTypes}}},
		{"DenyOtherVolumeKmsKeyNoTypes", Condition{"Null": {"sagemaker:InstanceTypes": {"true"}}}},
	} {
		c := Condition{"ArnNotEqualsIfExists": {"sagemaker:VolumeKmsKey": {spec.KMSKeyARN}, "sagemaker:VolumeKmsKeyArn": {spec.KMSKeyARN}}}
		maps.Copy(c, d.types)
		g.deny(d.sid, controlVolumeKMS, guarded.volumeKMS, c)
	}
	// The output key has no exemption, so one statement does it (as above).
	g.deny("DenyOtherOutputKmsKey", controlOutputKMS, guarded.outputKMS, Condition{
		"ArnNotEqualsIfExists": {"sagemaker:OutputKmsKey": {spec.KMSKeyARN}, "sagemaker:OutputKmsKeyArn": {spec.KMSKeyARN}},
	})
	// Monitoring schedules carry the keys only with an inline job, so they
	// are denied only on a key that is present and wrong.
	if sched := only(personaScheduleActions); len(sched) > 0 {
		g.denyUnapprovedKMSKeys(sched, sched, []string{spec.KMSKeyARN})
	}
	// DirectInternetAccess and RootAccess default to Enabled when a request
	// leaves them out, so on create anything but an explicit "Disabled" is
	// denied (...IfExists is true when the key is absent). An update that
	// does not mention RootAccess leaves it as it was.
	g.deny("DenyNotebookInternetAccess", controlPersonaLaunch, only(personaNotebookActions),
		Condition{"StringNotEqualsIfExists": {"sagemaker:DirectInternetAccess": {"Disabled"}}})
	g.deny("DenyNotebookRootAccess", controlPersonaLaunch, only(personaNotebookActions),
		Condition{"StringNotEqualsIfExists": {"sagemaker:RootAccess": {"Disabled"}}})
	g.deny("DenyNotebookRootAccessUpdate", controlPersonaLaunch, only(sm("UpdateNotebookInstance")),
		Condition{"StringNotEquals": {"sagemaker:RootAccess": {"Disabled"}}})
}

func passRoleStatement(roles []string) Statement {
	return Statement{
		Sid:       "PassExecutionRoles",
		Effect:    EffectAllow,
		Action:    []string{"iam:PassRole"},
		Resource:  roles,
		Condition: Condition{"StringEquals": {"iam:PassedToService": {servicePrincipal("sagemaker")}}},
	}
}

func launchesAny(acts []activity) bool {
	return anyActivity(acts, func(a activity) bool { return a.launches })
}

func anyActivity(acts []activity, pred func(activity) bool) bool {
	return slices.ContainsFunc(acts, pred)
}

// activities returns the spec's activities (defaults and extras, each
// once) in the order of the activities table.
func (spec PersonaSpec) activities() ([]activity, error) {
	want := map[string]bool{}
	for _, id := range personaDefaults[spec.Persona] {
		want[id] = true
	}
	for i, id := range spec.ExtraActivities {
		if _, ok := findActivity(id); !ok {
			return nil, at(newError(ErrInvalidSpec, "", id,
				"unknown activity; expected one of "+strings.Join(AllPersonaActivities(), ", ")), "ExtraActivities", i)
		}
		want[id] = true
	}
	var out []activity
	for _, a := range activities {
		if want[a.id] {
			out = append(out, a)
		}
	}
	return out, nil
}

// validate checks the permission inputs and returns the scope and the
// activities. A launching persona without its network, key or roles is an
// SS-IAM-3 refusal: its denies would otherwise refuse every launch, or a
// PassRole grant would have nothing to name.
func (spec PersonaSpec) validate() (scope, []activity, error) {
	sc, err := newScope(spec.Partition, spec.Region, spec.AccountID)
	if err != nil {
		return scope{}, nil, err
	}
	if err := spec.Persona.Validate(); err != nil {
		return scope{}, nil, err
	}
	acts, err := spec.activities()
	if err != nil {
		return scope{}, nil, err
	}
	if launchesAny(acts) {
		if err := spec.validateLaunch(); err != nil {
			return scope{}, nil, err
		}
	} else if err := spec.validateNoLaunch(); err != nil {
		return scope{}, nil, err
	}
	if anyActivity(acts, func(a activity) bool { return a.passesRole }) {
		if len(spec.ExecutionRoleARNs) == 0 {
			return scope{}, nil, launchRefusal("ExecutionRoleARNs",
				"name the execution roles this persona may pass to SageMaker")
		}
		if err := eachAt("ExecutionRoleARNs", spec.ExecutionRoleARNs, sc.checkExecutionRoleARN); err != nil {
			return scope{}, nil, err
		}
	}
	if spec.KMSKeyARN != "" {
		if err := sc.checkKMSKeyARN(spec.KMSKeyARN); err != nil {
			return scope{}, nil, at(err, "KMSKeyARN", -1)
		}
	}
	if err := spec.validateStudioDomain(acts); err != nil {
		return scope{}, nil, err
	}
	return sc, acts, nil
}

func (spec PersonaSpec) validateLaunch() error {
	switch {
	case len(spec.SubnetIDs) == 0:
		return launchRefusal("SubnetIDs", "a persona that launches workloads needs the subnets they must run in")
	case len(spec.SecurityGroupIDs) == 0:
		return launchRefusal("SecurityGroupIDs", "a persona that launches workloads needs the security groups they must use")
	case spec.KMSKeyARN == "":
		return launchRefusal("KMSKeyARN", "a persona that launches workloads needs the KMS key their volumes and outputs must use")
	}
	if err := eachAt("SubnetIDs", spec.SubnetIDs, checkSubnetID); err != nil {
		return err
	}
	return eachAt("SecurityGroupIDs", spec.SecurityGroupIDs, checkSecurityGroupID)
}

// validateNoLaunch refuses network inputs on a persona that launches
// nothing: they would suggest a guard that is not there.
func (spec PersonaSpec) validateNoLaunch() error {
	if len(spec.SubnetIDs) > 0 || len(spec.SecurityGroupIDs) > 0 {
		return invalidSpec("SubnetIDs", "", "this persona's activities launch no workloads; leave out subnets and security groups")
	}
	return nil
}

func launchRefusal(field, reason string) error {
	e := newError(ErrInvalidSpec, controlPersonaLaunch, "", reason)
	return at(e, field, -1)
}

// checkExecutionRoleARN accepts an IAM role ARN of this partition and
// account: a persona passes only its own account's execution roles.
func (s scope) checkExecutionRoleARN(value string) error {
	if err := s.checkPrincipalARN(value); err != nil {
		return err
	}
	a, _ := arn.Parse(value) // checkPrincipalARN has parsed it
	if !strings.HasPrefix(a.Resource, "role/") {
		return newError(ErrInvalidPrincipal, "", value, "expected an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)")
	}
	if a.AccountID != s.account {
		return newError(ErrInvalidPrincipal, controlPersonaLaunch, value,
			fmt.Sprintf("the role is in account %s; a persona passes only roles of account %s", a.AccountID, s.account))
	}
	return nil
}
