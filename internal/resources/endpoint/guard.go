package endpoint

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// fieldModelData is the Subject field of the model artifacts' S3 location.
const fieldModelData guardrail.Field = "model_data_s3_uri"

// instanceFact returns the posture facts of an instance type (cached per
// provider process). known is false when it could not be looked up.
func instanceFact(ctx context.Context, f evaluate.Fetcher, instanceType string) (fact facts.InstanceTypeFact, known bool, err error) {
	found, err := f.Fetch(ctx, facts.Request{InstanceTypes: []string{instanceType}})
	fact, known = found.InstanceTypes[instanceType]
	return fact, known, err
}

// subjectBase is the part of a Subject that does not depend on the values.
func subjectBase(name string, data *providerdata.Data) *guardrail.Subject {
	return data.Subject(guardrail.KindEndpoint, name)
}

// plannedLogGroup answers for the endpoint's own log group at plan and apply
// time instead of a DescribeLogGroups: the apply creates it or brings it to
// the planned key and retention (loggroup.Ensure) before anything writes to
// it, so the planned settings are its facts. (The checks take a group's
// facts only for settings the subject leaves null, and a plan sets both;
// the call would change nothing.)
func plannedLogGroup(s *guardrail.Subject) facts.Facts {
	groups := map[string]facts.LogGroupFact{}
	for _, lg := range s.LogGroups {
		groups[lg.Name] = facts.LogGroupFact{Name: lg.Name, Found: true, KMSKeyARN: lg.KMSKeyARN.V, RetentionDays: lg.RetentionDays.V}
	}
	return facts.Facts{LogGroups: groups}
}

// planSubject builds the Subject of a plan. Unknown values stay unknown
// (their checks run again at apply). nvme says whether the instance type has
// local NVMe storage, when that is known.
func planSubject(ctx context.Context, m endpointModel, data *providerdata.Data, nvme facts.Value[bool]) (*guardrail.Subject, diag.Diagnostics) {
	var diags diag.Diagnostics
	n, d := m.nested(ctx)
	diags.Append(d...)
	s := subjectBase(m.Name.ValueString(), data)

	vpcUnknown, modelUnknown := m.VPC.IsUnknown(), m.Model.IsUnknown()
	s.SubnetIDs = setValue(ctx, n.VPC.SubnetIDs, vpcUnknown, &diags)
	s.SecurityGroupIDs = setValue(ctx, n.VPC.SecurityGroupIDs, vpcUnknown, &diags)
	s.KMSKeyARN = tfval.String(m.KMSKeyARN)
	s.RoleARN = tfval.String(m.RoleARN)
	s.InstanceType = tfval.String(m.InstanceType)
	s.InstanceCount = tfval.Int64(m.InstanceCount)
	s.Autoscaling = planScaling(m, n)
	if modelUnknown {
		s.Image = facts.Unknown[string]()
	} else {
		s.Image = tfval.String(n.Model.Image)
		if !n.Model.ModelDataS3URI.IsNull() {
			s.S3 = append(s.S3, guardrail.S3Location{URI: tfval.String(n.Model.ModelDataS3URI), Field: fieldModelData, Role: "model"})
		}
	}
	s.NetworkIsolation = facts.Known(true) // always set by createModelInput

	switch {
	case !nvme.IsKnown():
		s.VolumeKMSKeyARN = facts.Unknown[string]()
	case nvme.V:
		s.VolumeKMSKeyARN = facts.Null[string]()
	default:
		s.VolumeKMSKeyARN = s.KMSKeyARN
	}
	planCapture(s, m, n)
	planMonitoring(ctx, s, m, n, data, &diags)
	s.Tags = facts.Unknown[map[string]string]()
	if valueFullyKnown(m.Tags) {
		var own map[string]string
		diags.Append(m.Tags.ElementsAs(ctx, &own, false)...)
		merged := own
		if data != nil {
			merged = data.MergeTags(own)
		}
		s.Tags = facts.Known(merged)
	}
	return s, diags
}

// planCapture fills the planned data capture, encrypted with the workload
// key.
func planCapture(s *guardrail.Subject, m endpointModel, n nestedModels) {
	if m.DataCapture.IsUnknown() || n.DataCapture.Enabled.IsUnknown() {
		s.DataCapture = guardrail.DataCapture{Enabled: facts.Unknown[bool](), KMSKeyARN: s.KMSKeyARN}
		return
	}
	enabled := n.DataCapture.Enabled.ValueBool()
	s.DataCapture = guardrail.DataCapture{Enabled: facts.Known(enabled), KMSKeyARN: s.KMSKeyARN}
	if enabled && !n.DataCapture.S3URI.IsNull() {
		s.S3 = append(s.S3, guardrail.S3Location{URI: tfval.String(n.DataCapture.S3URI), Field: guardrail.FieldDataCapture, Role: "data_capture"})
	}
}

// planMonitoring fills the planned log group, alarms and deployment, which
// are named after the endpoint.
func planMonitoring(ctx context.Context, s *guardrail.Subject, m endpointModel, n nestedModels, data *providerdata.Data, diags *diag.Diagnostics) {
	if m.Name.IsUnknown() {
		s.Alarms = facts.Unknown[[]guardrail.Alarm]()
		s.Deployment = guardrail.Deployment{BlueGreen: facts.Known(true), RollbackAlarms: facts.Unknown[[]string]()}
		return
	}
	name := m.Name.ValueString()
	s.LogGroups = []guardrail.LogGroup{{Name: logGroupName(name), KMSKeyARN: s.KMSKeyARN, RetentionDays: tfval.Int64(m.LogRetentionDays)}}
	actions := facts.Unknown[[]string]()
	if !m.Alarms.IsUnknown() && valueFullyKnown(n.Alarms.Actions) {
		// The endpoint's own alarms.actions, else the provider's (Unknown
		// while those name objects of the same apply).
		actions = shared.EffectiveActions(tfval.Strings(ctx, n.Alarms.Actions, diags), data.ProviderAlarmActions())
	}
	var list []guardrail.Alarm
	kinds := alarms.EndpointKinds()
	if !m.Autoscaling.IsNull() && !m.Autoscaling.IsUnknown() {
		kinds = append(kinds, alarms.EndpointScalingKinds()...)
	}
	for _, k := range kinds {
		list = append(list, guardrail.Alarm{Name: alarms.EndpointAlarmName(name, k), Kind: k, Exists: true, ActionsEnabled: true, Actions: actions,
			AnomalyOf: alarms.EndpointAnomalyKinds()[k]})
	}
	s.Alarms = facts.Known(list)
	s.Deployment = guardrail.Deployment{BlueGreen: facts.Known(true), RollbackAlarms: facts.Known(rollbackAlarmNames(name))}
	if m.ARN.IsUnknown() || m.ARN.IsNull() {
		s.Deployment.Unverified = notUpdatedYet // a new endpoint: its deployment config is used by updates
	}
}

// notUpdatedYet is why SS-MON-4 is not checked on an endpoint that was never
// updated: its deployment configuration governs updates only, and SageMaker
// reports it (LastDeploymentConfig) once an update has used it.
const notUpdatedYet = "the endpoint has not been updated since it was created: its deployment configuration takes effect, " +
	"and SageMaker reports it, at the first update (sagesafe sends a blue/green update with automatic rollback on its alarms with every update)"

// priorDeployment carries a not-checked SS-MON-4 from the state the plan
// starts from (prior: its control_states as refreshed): a plan that updates
// nothing leaves the live endpoint without a deployment configuration to
// check. (A plan that updates the endpoint carries it too; the refresh after
// the update reads the configuration it sent, and SS-MON-4 is held from then
// on.)
func priorDeployment(ctx context.Context, s *guardrail.Subject, prior types.Map) {
	if prior.IsNull() || prior.IsUnknown() {
		return
	}
	var states map[string]string
	if d := prior.ElementsAs(ctx, &states, false); d.HasError() {
		return
	}
	if reason, ok := strings.CutPrefix(states["SS-MON-4"], guardrail.StateNotChecked+": "); ok {
		s.Deployment.Unverified = reason
	}
}

// deploysVersion reports whether the plan deploys a new version to an
// existing endpoint: UpdateEndpoint then sends the blue/green deployment
// configuration, SageMaker reports it, and SS-MON-4 is checked on the live
// endpoint from then on. Without this, a plan would carry the prior
// "not updated yet" reason into a state that the next refresh contradicts.
func deploysVersion(plan endpointModel, prior *endpointModel) bool {
	return prior != nil && !plan.ModelName.IsUnknown() && !prior.ModelName.IsNull() && plan.ModelName.ValueString() != prior.ModelName.ValueString()
}

// planGuardrails runs the guardrails on the plan and fills controls with
// what the plan satisfies once every setting is known. The findings are
// reported by planChecked.report once the plan is known to change the
// endpoint or not. It returns false when the plan could not be checked.
func (r *endpointResource) planGuardrails(ctx context.Context, plan *endpointModel, prior types.Map, known bool, diags *diag.Diagnostics) (planChecked, bool) {
	nvme := facts.Unknown[bool]()
	if !plan.InstanceType.IsUnknown() {
		fact, ok, err := instanceFact(ctx, r.data.Posture, plan.InstanceType.ValueString())
		if err != nil {
			diags.AddError("Checking the endpoint's guardrails failed", "Looking up instance type "+plan.InstanceType.ValueString()+": "+err.Error())
			return planChecked{}, false
		}
		if ok {
			nvme = facts.Known(fact.Found && fact.InstanceStorageSupported)
		}
	}
	subject, d := planSubject(ctx, *plan, r.data, nvme)
	diags.Append(d...)
	priorDeployment(ctx, subject, prior)
	findings, err := evaluate.Run(ctx, evaluate.Observed(r.data.Posture, plannedLogGroup(subject)), r.data.Policy, subject)
	if err != nil {
		diags.AddError("Checking the endpoint's guardrails failed",
			"sagesafe could not read the posture of the subnets, security groups, key or role it must check: "+err.Error())
		return planChecked{}, false
	}
	findings, repaired := r.data.Repairs.Apply(findings)
	plan.Controls, plan.ControlStates = types.ListUnknown(types.StringType), types.MapUnknown(types.StringType)
	if known && !repaired {
		states := guardrail.States(subject, r.data.Policy, findings, nil).Forecast()
		plan.Controls, plan.ControlStates = tfval.List(states.Held()), tfval.Map(states.Strings())
	}
	return planChecked{subject: subject, findings: findings}, !diags.HasError()
}

// planChecked is what the guardrails found in a plan.
type planChecked struct {
	subject  *guardrail.Subject
	findings []guardrail.Finding
}

// report adds the findings to diags. An error finding refuses a plan that
// creates, changes or replaces the endpoint. A plan that leaves the endpoint
// unchanged only warns: its error findings are about live objects sagesafe
// does not own (the subnets, groups, key or role it was given; what it owns
// is planned back to the secure state, which is a change), the failing
// controls are already missing from the refreshed `controls`, and the fix,
// such as a companion provider removing an internet route, may be in this
// very plan.
func (c planChecked) report(changes bool, diags *diag.Diagnostics) {
	workload := "endpoint " + c.subject.Name
	diags.Append(findingDiagnostics(guardrail.ForPlan(c.findings, changes, workload), c.subject)...)
}

// applyGuardrails evaluates the (now fully known) plan at apply time and
// reports error findings. It returns whether the instance type has NVMe
// storage and whether the apply may go on.
func (r *endpointResource) applyGuardrails(ctx context.Context, plan endpointModel, s spec, diags *diag.Diagnostics) (bool, *guardrail.Subject, []guardrail.Finding, bool) {
	fact, known, err := instanceFact(ctx, r.data.Posture, s.InstanceType)
	if err != nil {
		diags.AddError("Checking the endpoint's guardrails failed", "Looking up instance type "+s.InstanceType+": "+err.Error())
		return false, nil, nil, false
	}
	nvme := known && fact.Found && fact.InstanceStorageSupported
	subject, d := planSubject(ctx, plan, r.data, facts.Known(nvme))
	diags.Append(d...)
	subject.Stage = guardrail.StageApply
	findings, err := evaluate.Run(ctx, evaluate.Observed(r.data.Posture, plannedLogGroup(subject)), r.data.Policy, subject)
	if err != nil {
		diags.AddError("Checking the endpoint's guardrails failed", err.Error())
		return false, nil, nil, false
	}
	if guardrail.HasErrors(findings) {
		var errs []guardrail.Finding
		for _, f := range findings {
			if f.Severity != guardrail.SeverityWarning {
				errs = append(errs, f)
			}
		}
		diags.Append(findingDiagnostics(errs, subject)...)
		return false, nil, nil, false
	}
	return nvme, subject, findings, !diags.HasError()
}

// findingDiagnostics turns findings into diagnostics on the attribute that
// caused each one.
func findingDiagnostics(findings []guardrail.Finding, s *guardrail.Subject) diag.Diagnostics {
	return guardrail.Diagnostics(findings, paths(s).For)
}

// paths maps findings to the endpoint's attributes. Set elements are
// addressed by value, from the subject's (sorted) lists. The log group's
// findings name the key (SS-ENC-5) or the retention (SS-MON-3).
func paths(s *guardrail.Subject) guardrail.Paths {
	return guardrail.Paths{
		ByControl: map[string]path.Path{"SS-MON-3": path.Root("log_retention_days")},
		Each: map[guardrail.Field][]path.Path{
			guardrail.FieldSubnetIDs:        setElements(path.Root("vpc").AtName("subnet_ids"), s.SubnetIDs),
			guardrail.FieldSecurityGroupIDs: setElements(path.Root("vpc").AtName("security_group_ids"), s.SecurityGroupIDs),
		},
		Attr: map[guardrail.Field]path.Path{
			guardrail.FieldSubnetIDs:        path.Root("vpc").AtName("subnet_ids"),
			guardrail.FieldSecurityGroupIDs: path.Root("vpc").AtName("security_group_ids"),
			guardrail.FieldKMSKey:           path.Root("kms_key_arn"),
			guardrail.FieldVolumeKMSKey:     path.Root("kms_key_arn"),
			guardrail.FieldLogGroups:        path.Root("kms_key_arn"),
			guardrail.FieldRoleARN:          path.Root("role_arn"),
			guardrail.FieldInstanceType:     path.Root("instance_type"),
			guardrail.FieldInstanceCount:    path.Root("instance_count"),
			guardrail.FieldImage:            path.Root("model").AtName("image"),
			fieldModelData:                  path.Root("model").AtName("model_data_s3_uri"),
			guardrail.FieldDataCapture:      path.Root("data_capture"),
			guardrail.FieldAlarms:           path.Root("alarms"),
			guardrail.FieldDeployment:       path.Root("deployment"),
			guardrail.FieldAutoscaling:      path.Root("autoscaling"),
			guardrail.FieldTags:             path.Root("tags"),
		},
	}
}

// setElements addresses each element of a set attribute by its value.
func setElements(p path.Path, ids facts.Value[[]string]) []path.Path {
	if !ids.IsKnown() {
		return nil
	}
	out := make([]path.Path, len(ids.V))
	for i, id := range ids.V {
		out[i] = p.AtSetValue(types.StringValue(id))
	}
	return out
}

// setValue converts a set of strings; parentUnknown marks the whole object
// unknown. The elements are sorted, so finding indexes are stable.
func setValue(ctx context.Context, v types.Set, parentUnknown bool, diags *diag.Diagnostics) facts.Value[[]string] {
	switch {
	case parentUnknown || !valueFullyKnown(v):
		return facts.Unknown[[]string]()
	case v.IsNull():
		return facts.Null[[]string]()
	}
	var out []string
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	slices.Sort(out)
	return facts.Known(out)
}

// liveGuardrails runs the guardrails on the live objects: error findings
// become warnings (drift). It returns `controls` (the held controls) and
// `control_states`: a control with a finding is warned or failed, and one
// whose posture lookup failed is not checked, never held.
func (r *endpointResource) liveGuardrails(ctx context.Context, m endpointModel, l *liveObjects, diags *diag.Diagnostics) (types.List, types.Map) {
	name := m.Name.ValueString()
	subject, observed := liveSubject(ctx, m, l, r.data, diags)
	findings, err := evaluate.Run(ctx, evaluate.Observed(r.data.Posture, observed), r.data.Policy, subject)
	if err == nil {
		findings, err = variantFindings(ctx, evaluate.Observed(r.data.Posture, observed), r.data.Policy, subject, l, findings)
	}
	if err != nil {
		diags.AddWarning("Could not check the guardrails of endpoint "+name,
			"The controls that need the posture it could not read are not checked (control_states says which): "+err.Error())
	}
	diags.Append(findingDiagnostics(guardrail.AsWarnings(findings), subject)...)
	states := guardrail.States(subject, r.data.Policy, findings, err)
	return tfval.List(states.Held()), tfval.Map(states.Strings())
}

// liveSubject builds the Subject of the live objects (m is the refreshed
// state), and the facts of the log group the refresh has already described,
// so that the guardrails do not describe it again: the group costs one
// DescribeLogGroups per refresh.
func liveSubject(ctx context.Context, m endpointModel, l *liveObjects, data *providerdata.Data, diags *diag.Diagnostics) (*guardrail.Subject, facts.Facts) {
	name := m.Name.ValueString()
	s := subjectBase(name, data)
	s.Stage = guardrail.StageLive
	n, d := m.nested(ctx)
	diags.Append(d...)
	s.SubnetIDs = setValue(ctx, n.VPC.SubnetIDs, false, diags)
	s.SecurityGroupIDs = setValue(ctx, n.VPC.SecurityGroupIDs, false, diags)
	s.KMSKeyARN = tfval.String(m.KMSKeyARN)
	s.RoleARN = tfval.String(m.RoleARN)
	s.InstanceType = tfval.String(m.InstanceType)
	// The count the variant runs, not the configuration's initial count:
	// autoscaling or UpdateEndpointWeightsAndCapacities change it in place.
	s.InstanceCount = liveInstanceCount(l.ep)
	if s.InstanceCount.State == facts.StateNull {
		s.InstanceCount = tfval.Int64(m.InstanceCount)
	}
	s.Image = tfval.String(n.Model.Image)
	if !n.Model.ModelDataS3URI.IsNull() {
		s.S3 = append(s.S3, guardrail.S3Location{URI: tfval.String(n.Model.ModelDataS3URI), Field: fieldModelData, Role: "model"})
	}
	s.NetworkIsolation = facts.Unknown[bool]()
	if l.model != nil {
		s.NetworkIsolation = facts.Known(aws.ToBool(l.model.EnableNetworkIsolation))
	}
	liveConfig(s, l)
	lg, fact := liveLogGroup(logGroupName(name), l)
	if data != nil && data.Posture != nil {
		lg.KMSKeyARN = inWorkloadTerms(ctx, data.Posture, lg.KMSKeyARN, s.KMSKeyARN)
	}
	s.LogGroups = []guardrail.LogGroup{lg}
	asSpecified := map[string]string{}
	if !m.AlarmNames.IsNull() && !m.AlarmNames.IsUnknown() {
		diags.Append(m.AlarmNames.ElementsAs(ctx, &asSpecified, false)...)
	}
	s.Alarms = facts.Known(liveAlarms(name, l, asSpecified, thresholdsOf(n.Alarms)))
	s.Autoscaling = l.scaling.bounds()
	var last *smtypes.DeploymentConfig
	if l.ep != nil {
		last = l.ep.LastDeploymentConfig
	}
	s.Deployment = liveDeployment(last)
	tags := map[string]string{}
	for k, v := range l.tags {
		if !reservedKey(k) {
			tags[k] = v
		}
	}
	s.Tags = facts.Known(tags)
	return s, facts.Facts{LogGroups: map[string]facts.LogGroupFact{lg.Name: fact}}
}

// variantFindings adds to the findings of main (the live subject of the
// variant the state describes) those of every other production and shadow
// variant of the live configuration, each checked as the endpoint runs it:
// its instance type and count, its model's network (subnets, security
// groups, isolation), role, image and artifacts, and the configuration's
// volume key with the NVMe rule of its instance type. What the variants
// share with main (the key, data capture, log group, alarms, tags) is
// reported once; a variant's own findings name it.
func variantFindings(ctx context.Context, f evaluate.Fetcher, p guardrail.Policy, main *guardrail.Subject, l *liveObjects, findings []guardrail.Finding) ([]guardrail.Finding, error) {
	out := findings
	for _, v := range otherVariants(l.cfg) {
		s := variantSubject(main, v, l.models[aws.ToString(v.v.ModelName)])
		found, err := evaluate.Run(ctx, f, p, s)
		if err != nil {
			return out, err
		}
		for _, fd := range found {
			if slices.Contains(findings, fd) {
				continue
			}
			fd.Summary = v.label() + ": " + fd.Summary
			fd.Index = -1 // the variant's objects are not elements of the endpoint's attributes
			out = append(out, fd)
		}
	}
	return out, nil
}

// variantSubject is main as variant v of the live configuration runs it,
// with model (nil when it is missing: its settings are not known).
func variantSubject(main *guardrail.Subject, v liveVariant, model *sagemaker.DescribeModelOutput) *guardrail.Subject {
	s := *main
	s.Facts = facts.Facts{}
	s.InstanceType = optionalValue(string(v.v.InstanceType))
	s.InstanceCount = facts.Null[int64]()
	if n := v.v.InitialInstanceCount; n != nil {
		s.InstanceCount = facts.Known(int64(*n))
	}
	s.S3 = slices.DeleteFunc(slices.Clone(main.S3), func(loc guardrail.S3Location) bool { return loc.Field == fieldModelData })
	if model == nil {
		s.SubnetIDs, s.SecurityGroupIDs = facts.Unknown[[]string](), facts.Unknown[[]string]()
		s.RoleARN, s.Image, s.NetworkIsolation = facts.Unknown[string](), facts.Unknown[string](), facts.Unknown[bool]()
		return &s
	}
	s.SubnetIDs, s.SecurityGroupIDs = facts.Null[[]string](), facts.Null[[]string]()
	if vpc := model.VpcConfig; vpc != nil {
		s.SubnetIDs = facts.Known(slices.Sorted(slices.Values(vpc.Subnets)))
		s.SecurityGroupIDs = facts.Known(slices.Sorted(slices.Values(vpc.SecurityGroupIds)))
	}
	s.RoleARN = optionalValue(aws.ToString(model.ExecutionRoleArn))
	s.NetworkIsolation = facts.Known(aws.ToBool(model.EnableNetworkIsolation))
	s.Image = facts.Null[string]()
	c := model.PrimaryContainer
	if c == nil && len(model.Containers) > 0 {
		c = &model.Containers[0]
	}
	if c != nil {
		s.Image = optionalValue(aws.ToString(c.Image))
		if uri := aws.ToString(c.ModelDataUrl); uri != "" {
			s.S3 = append(s.S3, guardrail.S3Location{URI: facts.Known(uri), Field: fieldModelData, Role: "model"})
		}
	}
	return &s
}

// liveConfig fills the volume key and data capture from the live endpoint
// configuration (unknown when it is missing).
func liveConfig(s *guardrail.Subject, l *liveObjects) {
	if l.cfg == nil {
		s.VolumeKMSKeyARN = facts.Unknown[string]()
		s.DataCapture = guardrail.DataCapture{Enabled: facts.Unknown[bool](), KMSKeyARN: facts.Unknown[string]()}
		return
	}
	s.VolumeKMSKeyARN = optionalValue(cfgKey(l.cfg))
	dc := l.cfg.DataCaptureConfig
	enabled := dc != nil && aws.ToBool(dc.EnableCapture)
	s.DataCapture = guardrail.DataCapture{Enabled: facts.Known(enabled), KMSKeyARN: optionalValue(captureKey(l.cfg))}
	if enabled && aws.ToString(dc.DestinationS3Uri) != "" {
		s.S3 = append(s.S3, guardrail.S3Location{URI: facts.Known(aws.ToString(dc.DestinationS3Uri)), Field: guardrail.FieldDataCapture, Role: "data_capture"})
	}
}

// liveDeployment describes the deployment configuration of the endpoint's
// last update as DescribeEndpoint reports it; an endpoint never updated has
// none, and SS-MON-4 is then not checked.
func liveDeployment(dc *smtypes.DeploymentConfig) guardrail.Deployment {
	if dc == nil {
		return guardrail.Deployment{Unverified: notUpdatedYet}
	}
	var names []string
	if rb := dc.AutoRollbackConfiguration; rb != nil {
		for _, a := range rb.Alarms {
			names = append(names, aws.ToString(a.AlarmName))
		}
	}
	return guardrail.Deployment{BlueGreen: facts.Known(dc.BlueGreenUpdatePolicy != nil), RollbackAlarms: facts.Known(names)}
}

// liveLogGroup describes the endpoint's log group as read, and its facts,
// assessed as the posture fetcher assesses any log group.
func liveLogGroup(name string, l *liveObjects) (guardrail.LogGroup, facts.LogGroupFact) {
	if l.logGroup == nil {
		return guardrail.LogGroup{Name: name, KMSKeyARN: facts.Null[string](), RetentionDays: facts.Null[int64]()}, facts.LogGroupFact{Name: name}
	}
	fact := posture.AssessLogGroup(*l.logGroup)
	return guardrail.LogGroup{Name: name, KMSKeyARN: optionalValue(fact.KMSKeyARN), RetentionDays: facts.Known(fact.RetentionDays)}, fact
}

// inWorkloadTerms names the log group's key as kms_key_arn names it when
// both are the same key. CloudWatch Logs reports the key's ARN; kms_key_arn
// may be an alias or key ID, resolved by the guardrails' own (cached) key
// lookup, the one the apply took the ARN from. A failed lookup leaves the
// group's key as read: SS-ENC-5 then reports it.
func inWorkloadTerms(ctx context.Context, f evaluate.Fetcher, groupKey, workloadKey facts.Value[string]) facts.Value[string] {
	if !groupKey.IsKnown() || !workloadKey.IsKnown() || groupKey.V == "" || groupKey.V == workloadKey.V {
		return groupKey
	}
	found, err := f.Fetch(ctx, facts.Request{KeyRefs: []string{workloadKey.V}})
	if k, ok := found.Keys[workloadKey.V]; err == nil && ok && k.Found && k.ARN == groupKey.V {
		return workloadKey
	}
	return groupKey
}

// fixedThresholdKinds are the endpoint alarms with a threshold of their own
// in the alarms block.
var fixedThresholdKinds = []string{alarms.EndpointErrorRate5XX, alarms.EndpointErrorRate4XX, alarms.EndpointModelLatencyP99,
	alarms.EndpointCPU, alarms.EndpointMemory, alarms.EndpointDisk}

// liveAlarms describes the endpoint's alarms as read; the autoscaling ones
// are expected while sagesafe's scaling policy is registered. asSpecified
// is alarm_names as refreshed: the alarms that exist as sagesafe specifies
// them (alarms.Diff, thresholds and actions aside). An anomaly alarm counts
// for SS-MON-6 only when it is one of them and its band, namespace and
// dimensions can fire for this endpoint: an alarm that exists but can never
// fire (another metric's comparison, another endpoint) holds nothing.
// Nor does any alarm that is not as specified, or whose threshold (live,
// as refreshed into thresholds) its metric can never cross: it exists but
// watches nothing (SS-MON-1).
func liveAlarms(name string, l *liveObjects, asSpecified map[string]string, thresholds alarms.EndpointThresholds) []guardrail.Alarm {
	var list []guardrail.Alarm
	kinds := alarms.EndpointKinds()
	if _, scaled := l.scaling.specOf(); scaled {
		kinds = append(kinds, alarms.EndpointScalingKinds()...)
	}
	dims := map[string]string{"EndpointName": name, "VariantName": VariantName}
	for _, k := range kinds {
		an := alarms.EndpointAlarmName(name, k)
		a, ok := l.alarms[an]
		var anomalyOf string
		if asSpecified[k] == an {
			anomalyOf = alarms.AnomalyMetric(a, alarms.EndpointInvocationNamespace, dims)
		}
		unlike := ""
		switch {
		case !ok:
		case asSpecified[k] != an:
			unlike = "its metric, statistic, period, comparison or missing-data treatment is not sagesafe's"
		case slices.Contains(fixedThresholdKinds, k):
			if err := alarms.ThresholdOf(k).Check(alarms.EndpointThreshold(thresholds, k)); err != nil {
				unlike = "its threshold can never be crossed (" + err.Error() + ")"
			}
		}
		exists := ok && unlike == ""
		list = append(list, guardrail.Alarm{Name: an, Kind: k, Exists: exists, Unlike: unlike, ActionsEnabled: exists && aws.ToBool(a.ActionsEnabled),
			Actions: facts.Known(a.AlarmActions), AnomalyOf: anomalyOf})
	}
	return list
}
