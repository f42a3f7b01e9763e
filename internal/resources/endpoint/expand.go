package endpoint

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// spec is the fully known desired state of an endpoint: what the API calls
// are built from.
type spec struct {
	Name             string
	RoleARN          string
	Image            string
	ModelDataURL     string
	Environment      map[string]string
	InstanceType     string
	InstanceCount    int64
	KMSKeyARN        string
	SubnetIDs        []string // sorted
	SecurityGroupIDs []string // sorted
	Capture          captureSpec
	Thresholds       alarms.EndpointThresholds
	Actions          []string // effective: the resource's, else the provider's alarm_actions
	Deployment       deploymentSpec
	Scaling          *scalingSpec // nil: no autoscaling
	LogRetentionDays int64
	RetainLogs       bool
	VPCEndpointIDs   []string
	Tags             map[string]string // the resource's own tags
}

type captureSpec struct {
	Enabled  bool
	S3URI    string
	Sampling int64
	Mode     string // input, output, both
}

type deploymentSpec struct {
	Strategy               string
	CanaryPercent          int64
	LinearStepPercent      int64
	BakeSeconds            int64
	TerminationWaitSeconds int64
	MaxExecutionSeconds    int64 // 0: SageMaker's default
}

// expandSpec converts a plan into a spec. It reports an error when a value
// the API needs is still unknown (that only happens if called at plan time).
func expandSpec(ctx context.Context, m endpointModel, data *providerdata.Data) (spec, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !m.Name.IsNull() && !fullyKnown(m) {
		diags.AddError("Endpoint settings are not known", "Some settings of the endpoint are still unknown at apply time. This is a bug in the sagesafe provider.")
		return spec{}, diags
	}
	n, d := m.nested(ctx)
	diags.Append(d...)
	s := spec{
		Name:             m.Name.ValueString(),
		RoleARN:          m.RoleARN.ValueString(),
		Image:            n.Model.Image.ValueString(),
		ModelDataURL:     n.Model.ModelDataS3URI.ValueString(),
		InstanceType:     m.InstanceType.ValueString(),
		InstanceCount:    m.InstanceCount.ValueInt64(),
		KMSKeyARN:        m.KMSKeyARN.ValueString(),
		LogRetentionDays: m.LogRetentionDays.ValueInt64(),
		RetainLogs:       m.RetainLogsOnDestroy.IsNull() || m.RetainLogsOnDestroy.ValueBool(),
		Capture: captureSpec{
			Enabled:  n.DataCapture.Enabled.ValueBool(),
			S3URI:    n.DataCapture.S3URI.ValueString(),
			Sampling: int64OrDefault(n.DataCapture.SamplingPercentage, DefaultSamplingPercentage),
			Mode:     stringOrDefault(n.DataCapture.Capture, DefaultCapture),
		},
		Thresholds: thresholdsOf(n.Alarms),
		Deployment: deploymentSpec{
			Strategy:               stringOrDefault(n.Deployment.Strategy, DefaultStrategy),
			CanaryPercent:          n.Deployment.CanaryPercent.ValueInt64(),
			LinearStepPercent:      n.Deployment.LinearStepPercent.ValueInt64(),
			BakeSeconds:            int64OrDefault(n.Deployment.BakeSeconds, DefaultBakeSeconds),
			TerminationWaitSeconds: n.Deployment.TerminationWaitSeconds.ValueInt64(),
			MaxExecutionSeconds:    n.Deployment.MaxExecutionSeconds.ValueInt64(),
		},
	}
	if m.InstanceCount.IsNull() {
		s.InstanceCount = DefaultInstanceCount
	}
	if m.LogRetentionDays.IsNull() {
		s.LogRetentionDays = DefaultLogRetentionDays
	}
	diags.Append(n.Model.Environment.ElementsAs(ctx, &s.Environment, false)...)
	diags.Append(n.VPC.SubnetIDs.ElementsAs(ctx, &s.SubnetIDs, false)...)
	diags.Append(n.VPC.SecurityGroupIDs.ElementsAs(ctx, &s.SecurityGroupIDs, false)...)
	diags.Append(m.PrivateInvokeVPCEndpointIDs.ElementsAs(ctx, &s.VPCEndpointIDs, false)...)
	diags.Append(m.Tags.ElementsAs(ctx, &s.Tags, false)...)
	slices.Sort(s.SubnetIDs)
	slices.Sort(s.SecurityGroupIDs)
	slices.Sort(s.VPCEndpointIDs)
	s.Actions = effectiveActions(ctx, n.Alarms.Actions, data, &diags)
	if !m.Autoscaling.IsNull() && !m.Autoscaling.IsUnknown() {
		s.Scaling = expandScaling(n.Autoscaling)
	}
	return s, diags
}

// effectiveActions is the resource's alarm actions, or the provider's
// alarm_actions when the resource sets none.
func effectiveActions(ctx context.Context, l types.List, data *providerdata.Data, diags *diag.Diagnostics) []string {
	own := facts.Null[[]string]()
	if !l.IsNull() && !l.IsUnknown() {
		own = tfval.Strings(ctx, l, diags)
	}
	return shared.EffectiveActions(own, data.ProviderAlarmActions()).V
}

// hashInput is everything that requires a new model or endpoint config.
// Its JSON encoding is stable (struct fields in order, map keys sorted).
type hashInput struct {
	Image            string            `json:"image"`
	ModelDataURL     string            `json:"model_data_url,omitempty"`
	Environment      map[string]string `json:"environment,omitempty"`
	RoleARN          string            `json:"role_arn"`
	SubnetIDs        []string          `json:"subnet_ids"`
	SecurityGroupIDs []string          `json:"security_group_ids"`
	NetworkIsolation bool              `json:"network_isolation"`
	InstanceType     string            `json:"instance_type"`
	InstanceCount    int64             `json:"instance_count"`
	KMSKeyARN        string            `json:"kms_key_arn"`
	Capture          *captureSpec      `json:"capture,omitempty"`
}

// fingerprint is the canonical JSON of the model and variant settings: two
// specs with the same fingerprint need the same model and configuration.
func (s spec) fingerprint() []byte {
	in := hashInput{
		Image: s.Image, ModelDataURL: s.ModelDataURL, Environment: s.Environment, RoleARN: s.RoleARN,
		SubnetIDs: sorted(s.SubnetIDs), SecurityGroupIDs: sorted(s.SecurityGroupIDs), NetworkIsolation: true,
		InstanceType: s.InstanceType, InstanceCount: s.InstanceCount, KMSKeyARN: s.KMSKeyARN,
	}
	if s.Capture.Enabled { // settings of a disabled capture do not matter
		c := s.Capture
		in.Capture = &c
	}
	b, err := json.Marshal(in)
	if err != nil { // cannot happen for these types
		panic(err)
	}
	return b
}

// hash is a short keyed hash of the model and variant settings: an
// HMAC-SHA256 under the resource's own salt. The settings include the
// sensitive environment, and the name is shown in every plan; an unkeyed
// hash would let anyone who sees a plan confirm a guessed secret offline,
// and would let anyone who can create SageMaker objects know the name of
// the next version before it exists. Under a random salt that never leaves
// the private state, the name changes whenever a setting (an environment
// value included) changes, but says nothing about the settings and cannot
// be computed in advance. Secrets are not left out of the hash instead:
// a changed secret must still roll a new model, and the salt does that
// with no second mechanism.
func (s spec) hash(salt []byte) string {
	mac := hmac.New(sha256.New, salt)
	mac.Write(s.fingerprint())
	return hex.EncodeToString(mac.Sum(nil))[:hashLen]
}

// versionName is the name of the model and of the endpoint config for this
// spec under key: "<name>-<keyed hash>", or the version the resource adopted
// (import, or state written before the salt existed) while the endpoint
// still serves it and the settings are still those it was adopted with.
// prior is the spec of the prior state, which a refresh fills from the live
// objects, and priorVersion the configuration the endpoint serves; both are
// empty on create.
func (s spec) versionName(k nameKey, prior *spec, priorVersion string) string {
	if k.Adopted != "" && priorVersion == k.Adopted && prior != nil && bytes.Equal(s.fingerprint(), prior.fingerprint()) {
		return k.Adopted
	}
	return versionName(s.Name, s.hash(k.Salt))
}

func versionName(name, hash string) string { return name + "-" + hash }

// nameKey is what only this resource knows about its versions, kept in the
// resource's private state (never in an attribute, so never in a plan):
//
//   - Salt keys the hash in the version names (see spec.hash).
//   - Token is the creation token: every model and endpoint configuration
//     the resource creates carries it as a tag from the moment it is created
//     (tag-on-create), so that an object of the planned name is recognised
//     as this resource's own (a retry after a lost answer, an apply after a
//     failed one) and any other is refused (see checkExisting).
//   - Adopted is the configuration the endpoint served when the key was
//     made for an endpoint that already existed: after terraform import, or
//     for a state written before the key existed. Its objects carry no token,
//     or the token of a resource whose state was lost; they are used only
//     while the endpoint still serves them, only after the audit, and are
//     then tagged with this token (see checkExisting).
//
// Create makes the key before it creates anything; ModifyPlan makes one for
// an existing endpoint that has none, and the apply keeps it. It is the same
// for the life of the resource, so names change only when settings do.
type nameKey struct {
	Salt    []byte `json:"salt"`
	Token   string `json:"token"`
	Adopted string `json:"adopted,omitempty"`
}

// nameKeyPrivateKey is the private state key of the nameKey.
const nameKeyPrivateKey = "name_key"

// newNameKey makes a key with a fresh salt and token.
func newNameKey(adopted string) (nameKey, error) {
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nameKey{}, fmt.Errorf("making the name salt: %w", err)
	}
	token, err := idem.NewToken()
	if err != nil {
		return nameKey{}, err
	}
	return nameKey{Salt: salt, Token: token, Adopted: adopted}, nil
}

// loadNameKey reads the key from the private state; ok is false when there
// is none.
func loadNameKey(ctx context.Context, priv privateState) (nameKey, bool) {
	if priv == nil {
		return nameKey{}, false
	}
	b, d := priv.GetKey(ctx, nameKeyPrivateKey)
	if d.HasError() || len(b) == 0 {
		return nameKey{}, false
	}
	var k nameKey
	if json.Unmarshal(b, &k) != nil || len(k.Salt) == 0 || k.Token == "" {
		return nameKey{}, false
	}
	return k, true
}

// storeNameKey writes the key into the private state.
func storeNameKey(ctx context.Context, priv privateState, k nameKey, diags *diag.Diagnostics) {
	b, err := json.Marshal(k)
	if err != nil {
		diags.AddError("Storing the endpoint's name key failed", err.Error())
		return
	}
	diags.Append(priv.SetKey(ctx, nameKeyPrivateKey, b)...)
}

// withToken is tags plus the creation token tag.
func withToken(tags map[string]string, token string) map[string]string {
	out := maps.Clone(tags)
	if out == nil {
		out = map[string]string{}
	}
	out[idem.TokenTag] = token
	return out
}

// ownVersion reports whether a model or config name was generated by this
// resource for the endpoint name (only those are ever deleted).
// (A prefix and hex-suffix test: compiling a regexp per call cost 1 GB of
// garbage in a 500-endpoint apply, issue 16.)
func ownVersion(endpointName, objectName string) bool {
	suffix, ok := strings.CutPrefix(objectName, endpointName+"-")
	return ok && len(suffix) == hashLen && strings.Trim(suffix, "0123456789abcdef") == ""
}

func logGroupName(name string) string { return LogGroupPrefix + name }

// allTags is default_tags + the resource's tags + the owner tag.
func (s spec) allTags(data *providerdata.Data) map[string]string {
	out := map[string]string{}
	if data != nil {
		out = data.MergeTags(s.Tags)
	} else {
		maps.Copy(out, s.Tags)
	}
	out[ownerTagKey] = s.Name
	return out
}

func (s spec) createModelInput(name string, tags map[string]string) *sagemaker.CreateModelInput {
	c := &smtypes.ContainerDefinition{Image: aws.String(s.Image)}
	if s.ModelDataURL != "" {
		c.ModelDataUrl = aws.String(s.ModelDataURL)
	}
	if len(s.Environment) > 0 {
		c.Environment = s.Environment
	}
	return &sagemaker.CreateModelInput{
		ModelName:              aws.String(name),
		ExecutionRoleArn:       aws.String(s.RoleARN),
		PrimaryContainer:       c,
		VpcConfig:              &smtypes.VpcConfig{Subnets: sorted(s.SubnetIDs), SecurityGroupIds: sorted(s.SecurityGroupIDs)},
		EnableNetworkIsolation: aws.Bool(true),
		Tags:                   sageMakerTags(tags),
	}
}

// createConfigInput builds the endpoint config. nvme is true when the
// instance type has local NVMe storage: SageMaker rejects a volume key for
// those (they are encrypted in hardware), so KmsKeyId is left out (SS-ENC-2).
func (s spec) createConfigInput(name, model string, nvme bool, tags map[string]string) *sagemaker.CreateEndpointConfigInput {
	in := &sagemaker.CreateEndpointConfigInput{
		EndpointConfigName: aws.String(name),
		ProductionVariants: []smtypes.ProductionVariant{{
			VariantName:          aws.String(VariantName),
			ModelName:            aws.String(model),
			InstanceType:         smtypes.ProductionVariantInstanceType(s.InstanceType),
			InitialInstanceCount: aws.Int32(int32(s.InstanceCount)),
			InitialVariantWeight: aws.Float32(1),
		}},
		Tags: sageMakerTags(tags),
	}
	if !nvme {
		in.KmsKeyId = aws.String(s.KMSKeyARN)
	}
	if s.Capture.Enabled {
		in.DataCaptureConfig = &smtypes.DataCaptureConfig{
			EnableCapture:             aws.Bool(true),
			DestinationS3Uri:          aws.String(s.Capture.S3URI),
			InitialSamplingPercentage: aws.Int32(int32(s.Capture.Sampling)),
			KmsKeyId:                  aws.String(s.KMSKeyARN),
			CaptureOptions:            captureOptions(s.Capture.Mode),
		}
	}
	return in
}

func captureOptions(mode string) []smtypes.CaptureOption {
	var out []smtypes.CaptureOption
	if mode != captureOutput {
		out = append(out, smtypes.CaptureOption{CaptureMode: smtypes.CaptureModeInput})
	}
	if mode != captureInput {
		out = append(out, smtypes.CaptureOption{CaptureMode: smtypes.CaptureModeOutput})
	}
	return out
}

// rollbackAlarmNames are the alarms wired to AutoRollbackConfiguration.
func rollbackAlarmNames(endpoint string) []string {
	var out []string
	for _, k := range alarms.EndpointRollbackKinds() {
		out = append(out, alarms.EndpointAlarmName(endpoint, k))
	}
	return out
}

// deploymentConfig is the blue/green DeploymentConfig of an update, with
// automatic rollback on the endpoint's own alarms (SS-MON-4).
func (s spec) deploymentConfig() *smtypes.DeploymentConfig {
	d := s.Deployment
	tr := &smtypes.TrafficRoutingConfig{WaitIntervalInSeconds: aws.Int32(int32(d.BakeSeconds))}
	switch d.Strategy {
	case strategyCanary:
		tr.Type = smtypes.TrafficRoutingConfigTypeCanary
		tr.CanarySize = &smtypes.CapacitySize{Type: smtypes.CapacitySizeTypeCapacityPercent, Value: aws.Int32(int32(d.CanaryPercent))}
	case strategyLinear:
		tr.Type = smtypes.TrafficRoutingConfigTypeLinear
		tr.LinearStepSize = &smtypes.CapacitySize{Type: smtypes.CapacitySizeTypeCapacityPercent, Value: aws.Int32(int32(d.LinearStepPercent))}
	default:
		tr.Type = smtypes.TrafficRoutingConfigTypeAllAtOnce
	}
	bg := &smtypes.BlueGreenUpdatePolicy{
		TrafficRoutingConfiguration: tr,
		TerminationWaitInSeconds:    aws.Int32(int32(d.TerminationWaitSeconds)),
	}
	if d.MaxExecutionSeconds > 0 {
		bg.MaximumExecutionTimeoutInSeconds = aws.Int32(int32(d.MaxExecutionSeconds))
	}
	var rb []smtypes.Alarm
	for _, n := range rollbackAlarmNames(s.Name) {
		rb = append(rb, smtypes.Alarm{AlarmName: aws.String(n)})
	}
	return &smtypes.DeploymentConfig{
		BlueGreenUpdatePolicy:     bg,
		AutoRollbackConfiguration: &smtypes.AutoRollbackConfig{Alarms: rb},
	}
}

// minExecutionSeconds is the total of the waits of a deployment; SageMaker
// requires MaximumExecutionTimeoutInSeconds to exceed it. A canary bakes
// after the canary and after the rest; a linear rollout after every step.
func (d deploymentSpec) minExecutionSeconds() int64 {
	steps := int64(1)
	switch d.Strategy {
	case strategyCanary:
		steps = 2
	case strategyLinear:
		if d.LinearStepPercent > 0 {
			steps = int64(math.Ceil(100 / float64(d.LinearStepPercent)))
		}
	}
	return steps*d.BakeSeconds + d.TerminationWaitSeconds
}

// alarmSpecs are the endpoint's alarms; with autoscaling, they include the
// at-maximum alarm, whose threshold follows max_capacity.
func (s spec) alarmSpecs(vcpus int, tags map[string]string) []alarms.Spec {
	in := alarms.EndpointInput{
		EndpointName: s.Name,
		VariantName:  VariantName,
		VCPUs:        vcpus,
		Thresholds:   s.Thresholds,
		Actions:      s.Actions,
		Tags:         tags,
	}
	if s.Scaling != nil {
		in.MaxInstances = s.Scaling.Max
	}
	return alarms.EndpointSpecs(in)
}

// alarmNames are the names of every alarm the endpoint may have, the
// autoscaling ones included: what a refresh reads and a destroy deletes
// (missing ones cost nothing in either).
func alarmNames(endpoint string) []string {
	kinds := append(alarms.EndpointKinds(), alarms.EndpointScalingKinds()...)
	names := make([]string, 0, len(kinds))
	for _, k := range kinds {
		names = append(names, alarms.EndpointAlarmName(endpoint, k))
	}
	return names
}

// alarmNameMap is alarm_names of an endpoint with or without autoscaling.
func alarmNameMap(endpoint string, scaled bool) map[string]string {
	m := alarms.EndpointAlarmNames(endpoint)
	if scaled {
		for _, k := range alarms.EndpointScalingKinds() {
			m[k] = alarms.EndpointAlarmName(endpoint, k)
		}
	}
	return m
}

// scalingAlarmNames are the alarms that exist only with autoscaling.
func scalingAlarmNames(endpoint string) []string {
	var names []string
	for _, k := range alarms.EndpointScalingKinds() {
		names = append(names, alarms.EndpointAlarmName(endpoint, k))
	}
	return names
}

// fullyKnown reports whether every configurable value of m is known.
func fullyKnown(m endpointModel) bool {
	for _, v := range []attr.Value{
		m.Name, m.RoleARN, m.Model, m.InstanceType, m.InstanceCount, m.KMSKeyARN, m.VPC, m.DataCapture,
		m.Alarms, m.Deployment, m.Autoscaling, m.LogRetentionDays, m.RetainLogsOnDestroy, m.PrivateInvokeVPCEndpointIDs, m.Tags,
	} {
		if !valueFullyKnown(v) {
			return false
		}
	}
	return true
}

// valueFullyKnown reports whether v and everything inside it is known.
func valueFullyKnown(v attr.Value) bool {
	if v == nil || v.IsUnknown() {
		return false
	}
	if v.IsNull() {
		return true
	}
	var inner []attr.Value
	switch x := v.(type) {
	case types.Object:
		for _, e := range x.Attributes() {
			inner = append(inner, e)
		}
	case types.Set:
		inner = x.Elements()
	case types.List:
		inner = x.Elements()
	case types.Map:
		for _, e := range x.Elements() {
			inner = append(inner, e)
		}
	}
	for _, e := range inner {
		if !valueFullyKnown(e) {
			return false
		}
	}
	return true
}

func sorted(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}

func int64OrDefault(v types.Int64, def int64) int64 {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueInt64()
}

func float64OrDefault(v types.Float64, def float64) float64 {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueFloat64()
}

func stringOrDefault(v types.String, def string) string {
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	return v.ValueString()
}

// invokePolicy is the IAM policy that allows invoking the endpoint, only
// through vpce when set.
func invokePolicy(endpointARN string, vpce []string) (string, error) {
	doc, err := iampolicy.InvokePolicy(endpointARN, sorted(vpce))
	if err != nil {
		return "", err
	}
	return doc.JSON(), nil
}

// thresholdsOf are the alarm thresholds of a, the defaults where unset.
func thresholdsOf(a alarmsModel) alarms.EndpointThresholds {
	return alarms.EndpointThresholds{
		ErrorRate5XX:          float64OrDefault(a.ErrorRate5XX, DefaultErrorRate5XX),
		ErrorRate4XX:          float64OrDefault(a.ErrorRate4XX, DefaultErrorRate4XX),
		ModelLatencyP99Millis: float64(int64OrDefault(a.ModelLatencyP99Ms, DefaultLatencyP99Millis)),
		CPUPercent:            float64OrDefault(a.CPUUtilizationPercent, DefaultUtilizationPctMax),
		MemoryPercent:         float64OrDefault(a.MemoryUtilizationPercent, DefaultUtilizationPctMax),
		DiskPercent:           float64OrDefault(a.DiskUtilizationPercent, DefaultUtilizationPctMax),
		AnomalyBandWidth:      float64OrDefault(a.AnomalyBandWidth, alarms.DefaultBandWidth),
	}
}
