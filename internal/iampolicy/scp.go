package iampolicy

import (
	"fmt"
	"regexp"
)

// SCPMaxChars is the AWS Organizations limit on a service control policy:
// 5,120 characters of minified JSON (see Size).
const SCPMaxChars = 5120

// GuardrailSpec tunes sagesafe_guardrail_policy. Zero values mean "not
// enforced".
type GuardrailSpec struct {
	// AllowedInstanceTypes are sagemaker:InstanceTypes patterns ("ml.m5.*").
	AllowedInstanceTypes []string
	// MaxTrainingRuntimeSeconds caps StoppingCondition.MaxRuntimeInSeconds of
	// training and tuning jobs; a job that omits it is refused too.
	MaxTrainingRuntimeSeconds int64
	// AllowedKMSKeyARNs are the only keys (ARNs or ARN patterns) that may
	// encrypt volumes and outputs. Callers must then pass full key ARNs:
	// key IDs and aliases do not match.
	AllowedKMSKeyARNs []string
	// AllowedSubnetIDs are the only subnets jobs and models may use.
	AllowedSubnetIDs []string
}

// StatementControl maps a guardrail statement to the control it enforces.
type StatementControl struct {
	Sid     string
	Control string
}

// SageMaker actions the guardrail covers, per the condition keys each
// supports (controls catalog section 5).
//
// Monitoring schedules and job definitions are deliberately not covered: a
// schedule that names a job definition carries none of these keys, so
// denying on their absence would refuse every such schedule. sagesafe does
// not manage model monitoring; cover it separately when it does.
//
// CreateEndpointConfig carries sagemaker:NetworkIsolation, VpcSubnets and
// VpcSecurityGroupIds according to the Service Authorization Reference,
// derived from its models (the request itself has no such fields).
const (
	actTraining       = "sagemaker:CreateTrainingJob"
	actUpdateTraining = "sagemaker:UpdateTrainingJob"
	actTuning         = "sagemaker:CreateHyperParameterTuningJob"
	actModel          = "sagemaker:CreateModel"
	actEndpointConfig = "sagemaker:CreateEndpointConfig"
	actProcessing     = "sagemaker:CreateProcessingJob"
	actTransform      = "sagemaker:CreateTransformJob"
)

var (
	vpcActions          = []string{actTraining, actTuning, actModel, actEndpointConfig, actProcessing}
	isolationActions    = []string{actTraining, actTuning, actModel, actEndpointConfig, actProcessing}
	interContainerActs  = []string{actTraining, actTuning, actProcessing}
	volumeKMSActions    = []string{actTraining, actTuning, actEndpointConfig, actProcessing, actTransform}
	outputKMSActions    = []string{actTraining, actTuning, actProcessing, actTransform}
	instanceTypeActions = []string{actTraining, actUpdateTraining, actTuning, actEndpointConfig, actProcessing, actTransform}
	runtimeActions      = []string{actTraining, actTuning}
)

// localStorageInstanceTypes are instance families with local NVMe storage
// (controls catalog section 8). SageMaker refuses a volume KMS key for them
// because their volumes are hardware-encrypted, so the "volume key required"
// deny exempts requests that use only these types; the unapproved-key
// denies have no exemption (a key that is given must be an approved one).
var localStorageInstanceTypes = []string{
	"ml.c5d.*", "ml.g4dn.*", "ml.g5.*", "ml.g6.*", "ml.g6e.*", "ml.m5d.*", "ml.p3dn.*", "ml.p4d.*",
	"ml.p4de.*", "ml.p5.*", "ml.p5e.*", "ml.p5en.*", "ml.r5d.*", "ml.trn1.*", "ml.trn1n.*", "ml.trn2.*",
}

var (
	instanceTypePatternRE = regexp.MustCompile(`^ml\.[a-z0-9*?]+(\.[a-z0-9*?-]+)*$`)
	kmsKeyPatternRE       = regexp.MustCompile(`^arn:(aws|aws-us-gov):kms:[a-z0-9*?-]+:[0-9*?]+:key/[a-z0-9*?-]+$`)
)

// GuardrailPolicy renders the deny-only policy behind
// sagesafe_guardrail_policy, for use as an SCP (not as a permissions
// boundary: a boundary caps what is allowed, so a deny-only one allows
// nothing). It
// enforces the catalog at the API, so nobody can create an insecure job,
// model or endpoint config even outside Terraform.
//
// Each statement tests one setting, because keys inside one condition
// operator are ANDed (the whitepaper's single Null block on VpcSubnets and
// VpcSecurityGroupIds fires only when both are missing). An absent key is
// denied too: Null "true" for the VPC and KMS keys, and the ...IfExists form
// of Bool and NumericGreaterThan, which is true when the key is absent.
// For KMS, the deprecated sagemaker:VolumeKmsKey / OutputKmsKey and their
// ...Arn replacements sit in one Null block on purpose: the deny fires only
// when neither is present, whichever one SageMaker fills in.
//
// The returned StatementControl list maps every Sid to its control. A
// document over SCPMaxChars is returned together with an ErrPolicyTooLarge
// *Error (with Size and Limit), so callers can still report its size.
func GuardrailPolicy(spec GuardrailSpec) (Document, []StatementControl, error) {
	if err := spec.validate(); err != nil {
		return Document{}, nil, err
	}
	g := guardrailBuilder{}
	g.denyUnguarded(scpGuarded)
	if len(spec.AllowedSubnetIDs) > 0 {
		g.denyUnapproved("DenyUnapprovedSubnets", "sagemaker:VpcSubnets", vpcActions, spec.AllowedSubnetIDs)
	}
	if len(spec.AllowedKMSKeyARNs) > 0 {
		g.denyUnapprovedKMSKeys(volumeKMSActions, outputKMSActions, spec.AllowedKMSKeyARNs)
	}
	if len(spec.AllowedInstanceTypes) > 0 {
		g.deny("DenyUnapprovedInstanceTypes", controlInstanceTypes, instanceTypeActions,
			Condition{"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": spec.AllowedInstanceTypes}})
	}
	if spec.MaxTrainingRuntimeSeconds > 0 {
		g.deny("DenyExcessiveTrainingRuntime", controlMaxRuntime, runtimeActions, Condition{
			"NumericGreaterThanIfExists": {"sagemaker:MaxRuntimeInSeconds": {fmt.Sprint(spec.MaxTrainingRuntimeSeconds)}},
		})
	}
	doc := Document{Version: PolicyVersion, Statement: g.stmts}
	return doc, g.controls, checkSize(doc, SCPMaxChars, "guardrail policy")
}

type guardrailBuilder struct {
	stmts    []Statement
	controls []StatementControl
}

// guardedActions are the SageMaker actions each of the "setting missing"
// denies covers: the guardrail SCP's set (scpGuarded) or a persona's
// (personaGuarded).
type guardedActions struct {
	vpc, isolation, interContainer, volumeKMS, outputKMS []string
}

var scpGuarded = guardedActions{
	vpc: vpcActions, isolation: isolationActions, interContainer: interContainerActs,
	volumeKMS: volumeKMSActions, outputKMS: outputKMSActions,
}

// denyUnguarded adds the denies of a request that leaves out the VPC, the
// network isolation, the inter-container encryption or a KMS key (see
// GuardrailPolicy for why each setting has its own statement).
func (g *guardrailBuilder) denyUnguarded(a guardedActions) {
	g.denyUnguardedNetwork(a)
	g.denyMissingKMSKeys(a)
}

// denyUnguardedNetwork adds the VPC, isolation and inter-container denies.
func (g *guardrailBuilder) denyUnguardedNetwork(a guardedActions) {
	g.deny("DenyMissingVpcSubnets", controlVPC, a.vpc,
		Condition{"Null": {"sagemaker:VpcSubnets": {"true"}}})
	g.deny("DenyMissingVpcSecurityGroups", controlVPC, a.vpc,
		Condition{"Null": {"sagemaker:VpcSecurityGroupIds": {"true"}}})
	g.deny("DenyWithoutNetworkIsolation", controlNetworkIsolation, a.isolation,
		Condition{"BoolIfExists": {"sagemaker:NetworkIsolation": {"false"}}})
	g.deny("DenyWithoutInterContainerEncryption", controlInterContainer, a.interContainer,
		Condition{"BoolIfExists": {"sagemaker:InterContainerTrafficEncryption": {"false"}}})
}

// denyMissingKMSKeys adds the denies of a request without a volume or
// output key.
func (g *guardrailBuilder) denyMissingKMSKeys(a guardedActions) {
	g.denyMissingVolumeKey(a.volumeKMS)
	g.deny("DenyMissingOutputKmsKey", controlOutputKMS, a.outputKMS, Condition{
		"Null": {"sagemaker:OutputKmsKey": {"true"}, "sagemaker:OutputKmsKeyArn": {"true"}},
	})
}

// denyMissingVolumeKey denies a request without a volume key (in either
// form) unless every instance type it names has local storage, for which
// SageMaker refuses a volume key. ForAnyValue:StringNotLike is true when
// any type is not a local-storage one; it is false when the request names
// no types, so a second statement denies that case (ForAnyValue...IfExists
// is not relied on: evaluators differ on it for a missing key). (The earlier ForAllValues:StringNotLike was true only when
// no type had local storage: one local-storage variant or tuning
// definition among several exempted the whole request.)
func (g *guardrailBuilder) denyMissingVolumeKey(actions []string) {
	g.deny("DenyMissingVolumeKmsKey", controlVolumeKMS, actions, Condition{
		"Null":                      {"sagemaker:VolumeKmsKey": {"true"}, "sagemaker:VolumeKmsKeyArn": {"true"}},
		"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": localStorageInstanceTypes},
	})
	g.deny("DenyMissingVolumeKmsKeyNoTypes", controlVolumeKMS, actions, Condition{
		"Null": {"sagemaker:VolumeKmsKey": {"true"}, "sagemaker:VolumeKmsKeyArn": {"true"}, "sagemaker:InstanceTypes": {"true"}},
	})
}

// denyUnapproved denies a request in which any value of the multivalued VPC
// key is not one of allowed. ForAnyValue on an absent key is false, so this
// fires only when the key is present; absence is denyUnguarded's.
func (g *guardrailBuilder) denyUnapproved(sid, key string, actions, allowed []string) {
	g.deny(sid, controlVPC, actions, Condition{"ForAnyValue:StringNotEquals": {key: allowed}})
}

// denyUnapprovedKMSKeys denies a volume or output key other than keys, in
// both the deprecated (...KmsKey) and the current (...KmsKeyArn) form.
func (g *guardrailBuilder) denyUnapprovedKMSKeys(volumeActions, outputActions, keys []string) {
	for _, k := range []struct {
		sid, key string
		actions  []string
	}{
		{"DenyUnapprovedVolumeKmsKey", "sagemaker:VolumeKmsKey", volumeActions},
		{"DenyUnapprovedVolumeKmsKeyArn", "sagemaker:VolumeKmsKeyArn", volumeActions},
		{"DenyUnapprovedOutputKmsKey", "sagemaker:OutputKmsKey", outputActions},
		{"DenyUnapprovedOutputKmsKeyArn", "sagemaker:OutputKmsKeyArn", outputActions},
	} {
		// Null "false": only when this form of the key is present; the
		// Missing* statements handle absence.
		g.deny(k.sid, controlApprovedKMSKeys, k.actions, Condition{
			"Null":       {k.key: {"false"}},
			"ArnNotLike": {k.key: keys},
		})
	}
}

// deny adds a statement; a deny of no actions is left out (a persona
// allows only some of the guarded actions).
func (g *guardrailBuilder) deny(sid, control string, actions []string, c Condition) {
	g.denyOn(sid, control, actions, []string{"*"}, c)
}

// denyOn is deny on the given resources only.
func (g *guardrailBuilder) denyOn(sid, control string, actions, resources []string, c Condition) {
	if len(actions) == 0 {
		return
	}
	g.stmts = append(g.stmts, Statement{
		Sid: sid, Effect: EffectDeny, Action: actions, Resource: resources, Condition: c,
	})
	g.controls = append(g.controls, StatementControl{Sid: sid, Control: control})
}

func (spec GuardrailSpec) validate() error {
	if spec.MaxTrainingRuntimeSeconds < 0 {
		return invalidSpec("MaxTrainingRuntimeSeconds", fmt.Sprint(spec.MaxTrainingRuntimeSeconds),
			"the maximum training runtime must be positive (0 = not enforced)")
	}
	if err := eachAt("AllowedInstanceTypes", spec.AllowedInstanceTypes,
		matches(instanceTypePatternRE, "an instance type or pattern such as ml.m5.xlarge or ml.m5.*")); err != nil {
		return err
	}
	if err := eachAt("AllowedKMSKeyARNs", spec.AllowedKMSKeyARNs,
		matches(kmsKeyPatternRE, "a KMS key ARN or ARN pattern (arn:aws:kms:<region>:<account>:key/<id>), not an alias")); err != nil {
		return err
	}
	return eachAt("AllowedSubnetIDs", spec.AllowedSubnetIDs, checkSubnetID)
}

func matches(re *regexp.Regexp, what string) func(string) error {
	return func(v string) error {
		if !re.MatchString(v) {
			return newError(ErrInvalidSpec, "", v, "expected "+what)
		}
		return nil
	}
}
