package iampolicy

import (
	"regexp"
	"slices"
)

// The statements that keep a person to their own objects, added after the
// issue-13 review showed a person acting as someone else through the Role
// Manager grants. Condition keys per the Service Authorization Reference,
// "Actions, resources, and condition keys for Amazon SageMaker AI"
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html);
// the IAM policy simulator tests (internal/iamsim) refuse a key an action
// does not take.

// PersonaOwnerTag marks an object as a persona role's own: its value is the
// role's ARN (aws:PrincipalArn of everyone who assumed it, which the caller
// cannot choose). A persona sets it only at creation
// (DenyOwnerTagAfterCreation), so only on objects its denies guard; it may change, run or delete only pipelines
// that carry it (OwnPipelines) and deploy only endpoint configs that carry
// it or were made by sagesafe (DenyForeignEndpointConfigs). Ownership is
// per role, not per person: the people of one persona role share it.
const PersonaOwnerTag = "sagesafe-owner"

// PersonaStudioUserTag is the principal tag naming the caller's Studio user
// profile: a session tag the SAML IdP sends (attribute
// https://aws.amazon.com/SAML/Attributes/PrincipalTag:sagesafe-studio-user),
// or a tag on the role itself. Account principals cannot set session tags
// (the trust allows them sts:AssumeRole only), so without the role tag they
// get no Studio access; without the tag at all the policy variable does not
// resolve and the statement matches nothing.
const PersonaStudioUserTag = "sagesafe-studio-user"

// reservedTagKeys are the tag keys sagesafe's own objects carry (the
// creation token idem.TokenTag, the identity tags): a persona never sets
// them, or it could pass off its object as sagesafe's, which sagesafe
// trusts (it uses only objects that carry its token). PersonaOwnerTag is
// outside them on purpose: a persona sets it, at creation only.
var reservedTagKeys = []string{"sagesafe:*"}

const (
	actAddTags       = "sagemaker:AddTags"
	principalARNVar  = "${aws:PrincipalArn}"
	creationTokenTag = "sagesafe:creation-token" // idem.TokenTag; iampolicy does not import idem
)

var studioDomainRE = regexp.MustCompile(`^d-[a-z0-9]{12}$`)

// studioStatements scope run_studio_apps to the caller's own user profile
// in StudioDomainID: a presigned URL only for the profile named by the
// caller's PersonaStudioUserTag (CreatePresignedDomainUrl takes no
// condition key, so the resource ARN does it), and CreateApp/DeleteApp only
// in spaces that profile owns (sagemaker:OwnerUserProfileArn; a shared
// space has no owner and is refused), with images and lifecycle configs of
// this account only (ForAllValues: each one named; true when none is).
// sagemaker:ImageVersionArns is not tested: a version belongs to its
// image, and SageMaker fills ImageArns from the version too.
// SageMaker's own distribution images live in AWS accounts; a request
// that names one in ImageArns is refused.
func studioStatements(sc scope, spec PersonaSpec) []Statement {
	if spec.StudioDomainID == "" {
		return nil
	}
	profile := sc.arn("sagemaker", "user-profile/"+spec.StudioDomainID+"/${aws:PrincipalTag/"+PersonaStudioUserTag+"}")
	return []Statement{
		{Sid: "StudioOwnProfile", Effect: EffectAllow, Action: sm("CreatePresignedDomainUrl"), Resource: []string{profile}},
		{Sid: "StudioOwnApps", Effect: EffectAllow, Action: sm("CreateApp", "DeleteApp"),
			Resource: []string{sc.arn("sagemaker", "app/"+spec.StudioDomainID+"/*")},
			Condition: Condition{
				"StringEquals": {"sagemaker:OwnerUserProfileArn": {profile}},
				"ForAllValues:ArnLike": {
					"sagemaker:ImageArns":                 {sc.arn("sagemaker", "image/*")},
					"sagemaker:StudioLifecycleConfigArns": {sc.arn("sagemaker", "studio-lifecycle-config/*")},
				},
			}},
	}
}

// pipelineStatements let manage_pipelines create pipelines only tagged as
// the persona role's own, and change, run, retry, stop or delete only
// those: a pipeline runs as its own role, so running another team's is
// acting as that role. UpdatePipeline cannot be made to require RoleArn
// (no condition key); a persona's own pipeline was created with a role it
// may pass (CreatePipeline requires RoleArn, hence iam:PassRole).
// RetryPipelineExecution and StopPipelineExecution act on the execution,
// whose aws:ResourceTag the reference lists.
func pipelineStatements(sc scope, _ PersonaSpec) []Statement {
	all := []string{sc.arn("sagemaker", "*")}
	return []Statement{
		{Sid: "CreateOwnPipelines", Effect: EffectAllow, Action: sm("CreatePipeline"), Resource: all,
			Condition: Condition{"StringEquals": {"aws:RequestTag/" + PersonaOwnerTag: {principalARNVar}}}},
		{Sid: "OwnPipelines", Effect: EffectAllow, Action: sm("DeletePipeline", "RetryPipelineExecution",
			"StartPipelineExecution", "StopPipelineExecution", "UpdatePipeline"), Resource: all,
			Condition: Condition{"StringEquals": {"aws:ResourceTag/" + PersonaOwnerTag: {principalARNVar}}}},
	}
}

// tagStatement allows AddTags only as part of a create call
// (sagemaker:TaggingAction is present only then; SageMaker authorizes tags
// given at creation as sagemaker:AddTags), never on an existing object.
func tagStatement(sc scope) Statement {
	return Statement{Sid: "TagOnCreate", Effect: EffectAllow, Action: []string{actAddTags},
		Resource: []string{sc.arn("sagemaker", "*")}, Condition: Condition{"Null": {"sagemaker:TaggingAction": {"false"}}}}
}

// personaMisuseDenies adds the denies beyond the guard keys, each over the
// actions the persona allows only (a Deny of an action not allowed adds
// nothing here; the guardrail SCP covers other policies):
//   - DenyRemoteDebug: sagemaker:EnableRemoteDebug opens a shell in the
//     training container, which runs as the execution role. Bool, not
//     BoolIfExists: the key is absent when remote debugging is off.
//   - DenyFileSystems: an EFS or FSx file system (sagemaker:FileSystemId)
//     is data outside the S3 locations the persona is given.
//   - DenySelfApproval: without review_models, a persona may not set a
//     model version's status to Approved (separation of duties).
//   - DenyReservedTagKeys: never sagesafe's own tags.
//   - DenyOwnerTagAfterCreation: PersonaOwnerTag only on an object being
//     created (which the persona's denies guard), never added to an
//     existing one, which may be unguarded.
//   - DenyForeignEndpointConfigs: CreateEndpoint and UpdateEndpoint are
//     authorized on the endpoint config too; only one sagesafe made (its
//     creation token) or the persona role tagged as its own may be
//     deployed, since a config made elsewhere may lack the guard (the
//     request carries no guard key). Configs made by other roles are the
//     guardrail SCP's. The model a config or transform job names is not
//     checked: sagemaker:ModelArn is only its ARN, and neither action is
//     authorized on the model, so IAM cannot see the model's tags. A
//     config's VPC and isolation keys come from its models (Service
//     Authorization Reference), so the guard denies refuse a config of a
//     model without them; a transform job carries no such key, so a
//     persona can run a transform job on an existing model made elsewhere.
func (g *guardrailBuilder) personaMisuseDenies(sc scope, acts []activity, allowed []string) {
	only := func(actions ...string) []string {
		return slices.DeleteFunc(sm(actions...), func(a string) bool { return !slices.Contains(allowed, a) })
	}
	g.deny("DenyRemoteDebug", controlPersonaLaunch, only("CreateTrainingJob", "UpdateTrainingJob"),
		Condition{"Bool": {"sagemaker:EnableRemoteDebug": {"true"}}})
	g.deny("DenyFileSystems", controlPersonaLaunch, only("CreateHyperParameterTuningJob", "CreateTrainingJob"),
		Condition{"Null": {"sagemaker:FileSystemId": {"false"}}})
	if !anyActivity(acts, func(a activity) bool { return a.id == ActivityReviewModels }) {
		g.deny("DenySelfApproval", controlPersonaLaunch, only("CreateModelPackage", "UpdateModelPackage"),
			Condition{"StringEquals": {"sagemaker:ModelApprovalStatus": {"Approved"}}})
	}
	tags := only("AddTags")
	g.deny("DenyReservedTagKeys", controlPersonaLaunch, tags,
		Condition{"ForAnyValue:StringLike": {"aws:TagKeys": reservedTagKeys}})
	g.deny("DenyOwnerTagAfterCreation", controlPersonaLaunch, tags, Condition{
		"ForAnyValue:StringEquals": {"aws:TagKeys": {PersonaOwnerTag}},
		"Null":                     {"sagemaker:TaggingAction": {"true"}},
	})
	g.denyOn("DenyForeignEndpointConfigs", controlPersonaLaunch, only("CreateEndpoint", "UpdateEndpoint"),
		[]string{sc.arn("sagemaker", "endpoint-config/*")}, Condition{
			"Null":                    {"aws:ResourceTag/" + creationTokenTag: {"true"}},
			"StringNotEqualsIfExists": {"aws:ResourceTag/" + PersonaOwnerTag: {principalARNVar}},
		})
}

// validateStudioDomain checks StudioDomainID, which only run_studio_apps
// reads.
func (spec PersonaSpec) validateStudioDomain(acts []activity) error {
	if spec.StudioDomainID == "" {
		return nil
	}
	if !anyActivity(acts, func(a activity) bool { return a.id == ActivityRunStudioApps }) {
		return invalidSpec("StudioDomainID", spec.StudioDomainID, "the persona's activities do not include run_studio_apps")
	}
	if !studioDomainRE.MatchString(spec.StudioDomainID) {
		return invalidSpec("StudioDomainID", spec.StudioDomainID, "expected a Studio domain ID (d- and 12 lowercase letters or digits)")
	}
	return nil
}
