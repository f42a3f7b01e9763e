package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// liveObjects is everything a refresh reads: six calls (DescribeEndpoint,
// DescribeEndpointConfig, DescribeModel, one DescribeAlarms, one
// DescribeLogGroups, ListTags). A nil config, model or log group was not
// found.
type liveObjects struct {
	ep       *sagemaker.DescribeEndpointOutput
	cfg      *sagemaker.DescribeEndpointConfigOutput
	model    *sagemaker.DescribeModelOutput
	alarms   map[string]cwtypes.MetricAlarm
	logGroup *logstypes.LogGroup
	tags     map[string]string
}

// readLive reads the endpoint and what it uses. A missing endpoint is a
// *NotFoundError.
func (r *endpointResource) readLive(ctx context.Context, name string) (*liveObjects, error) {
	a := r.data.AWS
	ep, err := findEndpoint(ctx, a.SageMaker, name)
	if err != nil {
		return nil, err
	}
	l := &liveObjects{ep: ep}
	if cfgName := aws.ToString(ep.EndpointConfigName); cfgName != "" {
		l.cfg, err = findEndpointConfig(ctx, a.SageMaker, cfgName)
		if IsNotFound(err) {
			l.cfg, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	if v := variant(l.cfg); v != nil {
		l.model, err = findModel(ctx, a.SageMaker, aws.ToString(v.ModelName))
		if IsNotFound(err) {
			l.model, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	if l.alarms, err = alarms.Describe(ctx, a.CloudWatch, alarmNames(name)); err != nil {
		return nil, err
	}
	l.logGroup, err = loggroup.Find(ctx, a.Logs, logGroupName(name))
	if errors.Is(err, loggroup.ErrNotFound) {
		l.logGroup, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	out, err := a.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: ep.EndpointArn, MaxResults: aws.Int32(100)})
	if err != nil {
		return nil, fmt.Errorf("listing the tags of endpoint %s: %w", name, err)
	}
	l.tags = tagMap(out.Tags)
	return l, nil
}

// refresh turns the live objects into the next state, starting from base
// (the prior state, or the plan after a failed update) for what AWS does not
// say, and re-runs the guardrails on the live objects: error findings become
// warnings (drift), and the controls they break drop out of `controls`.
func (r *endpointResource) refresh(ctx context.Context, base endpointModel, l *liveObjects, getPriv, setPriv privateState) (endpointModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	n, d := base.nested(ctx)
	diags.Append(d...)
	out := base
	name := aws.ToString(l.ep.EndpointName)
	out.ID, out.Name = types.StringValue(name), types.StringValue(name)
	out.ARN = types.StringValue(aws.ToString(l.ep.EndpointArn))
	out.Status = types.StringValue(string(l.ep.EndpointStatus))
	out.EndpointConfigName = types.StringValue(aws.ToString(l.ep.EndpointConfigName))
	if out.RetainLogsOnDestroy.IsNull() {
		out.RetainLogsOnDestroy = types.BoolValue(true)
	}

	// Endpoint configuration: the variant and data capture.
	v := variant(l.cfg)
	if v == nil {
		diags.AddWarning("Endpoint configuration of "+name+" is missing",
			fmt.Sprintf("Endpoint %s serves configuration %s, which no longer exists (it was deleted outside Terraform). "+
				"The next apply creates the configuration sagesafe expects and switches the endpoint to it.", name, aws.ToString(l.ep.EndpointConfigName)))
		if out.ModelName.IsNull() || out.ModelName.IsUnknown() {
			out.ModelName = types.StringValue("")
		}
	} else {
		out.ModelName = types.StringValue(aws.ToString(v.ModelName))
		out.InstanceType = types.StringValue(string(v.InstanceType))
		out.InstanceCount = types.Int64Value(int64(aws.ToInt32(v.InitialInstanceCount)))
		out.DataCapture = flattenDataCapture(l.cfg.DataCaptureConfig, n.DataCapture, base.DataCapture.IsNull())
	}

	// Model: image, artifacts, environment, role, network.
	if l.model != nil {
		c := l.model.PrimaryContainer
		if c == nil && len(l.model.Containers) > 0 {
			c = &l.model.Containers[0]
		}
		mm := modelSpecModel{Image: n.Model.Image, ModelDataS3URI: n.Model.ModelDataS3URI, Environment: n.Model.Environment}
		if c != nil {
			mm.Image = types.StringValue(aws.ToString(c.Image))
			mm.ModelDataS3URI = optionalString(aws.ToString(c.ModelDataUrl))
			mm.Environment = types.MapNull(types.StringType)
			if len(c.Environment) > 0 || (!n.Model.Environment.IsNull() && len(n.Model.Environment.Elements()) == 0) {
				mm.Environment = tfval.Map(c.Environment)
			}
		}
		out.Model = objectOf(modelAttrTypes, map[string]attr.Value{
			"image": mm.Image, "model_data_s3_uri": mm.ModelDataS3URI, "environment": mm.Environment,
		}, &diags)
		out.RoleARN = types.StringValue(aws.ToString(l.model.ExecutionRoleArn))
		var subnets, groups []string
		if l.model.VpcConfig != nil {
			subnets, groups = l.model.VpcConfig.Subnets, l.model.VpcConfig.SecurityGroupIds
		}
		out.VPC = objectOf(vpcAttrTypes, map[string]attr.Value{
			"subnet_ids": tfval.Set(subnets), "security_group_ids": tfval.Set(groups),
		}, &diags)
	} else if v != nil {
		diags.AddWarning("Model of "+name+" is missing",
			fmt.Sprintf("Model %s, which endpoint %s serves, no longer exists (it was deleted outside Terraform). The next apply creates it again.",
				aws.ToString(v.ModelName), name))
	}

	// The workload key: kept from the configuration; on import, taken from
	// the objects it encrypts.
	if out.KMSKeyARN.IsNull() {
		for _, k := range []string{cfgKey(l.cfg), captureKey(l.cfg), logGroupKey(l.logGroup)} {
			if k != "" {
				out.KMSKeyARN = types.StringValue(k)
				break
			}
		}
	}

	// Log group.
	out.LogGroupName = types.StringValue("")
	if lg := l.logGroup; lg != nil {
		out.LogGroupName = types.StringValue(aws.ToString(lg.LogGroupName))
		out.LogRetentionDays = types.Int64Value(int64(aws.ToInt32(lg.RetentionInDays)))
	} else if out.LogRetentionDays.IsNull() {
		out.LogRetentionDays = types.Int64Value(DefaultLogRetentionDays)
	}

	// Alarms: thresholds and actions as they are; alarm_names lists the
	// alarms that exist as specified.
	instanceType := out.InstanceType.ValueString()
	vcpus := 1
	if instanceType != "" {
		vcpus = r.vcpusCached(ctx, instanceType, getPriv, setPriv, &diags)
	}
	out.Alarms, out.AlarmNames = r.flattenAlarms(ctx, name, base.Alarms, n.Alarms, l.alarms, vcpus, &diags)

	if base.Deployment.IsNull() || base.Deployment.IsUnknown() {
		out.Deployment = flattenDeployment(l.ep.LastDeploymentConfig)
	}
	out.Tags = flattenTags(l.tags, base.Tags, r.data.DefaultTags)

	// Invoke policy.
	var vpce []string
	diags.Append(base.PrivateInvokeVPCEndpointIDs.ElementsAs(ctx, &vpce, false)...)
	if doc, err := invokePolicy(out.ARN.ValueString(), vpce); err == nil {
		out.InvokePolicyJSON = types.StringValue(doc)
	} else {
		out.InvokePolicyJSON = types.StringValue("")
		diags.AddWarning("Cannot build the invoke policy of "+name, err.Error())
	}

	// Guardrails on the live objects.
	subject, lgFacts := liveSubject(out, l, r, name, &diags)
	findings, err := evaluate.Run(ctx, fetcher{f: r.data.Posture, logGroups: lgFacts}, r.data.Policy, subject)
	if err != nil {
		diags.AddWarning("Could not check the guardrails of endpoint "+name, err.Error())
	}
	diags.Append(findingDiagnostics(guardrail.AsWarnings(findings), subject)...)
	out.Controls = satisfiedList(subject, r.data.Policy, findings)
	return out, diags
}

// liveSubject builds the Subject of the live objects, and the log-group
// facts the refresh already read.
func liveSubject(m endpointModel, l *liveObjects, r *endpointResource, name string, diags *diag.Diagnostics) (*guardrail.Subject, map[string]facts.LogGroupFact) {
	ctx := context.Background()
	s := subjectBase(name, r.data)
	n, d := m.nested(ctx)
	diags.Append(d...)
	s.SubnetIDs = setValue(ctx, n.VPC.SubnetIDs, false, diags)
	s.SecurityGroupIDs = setValue(ctx, n.VPC.SecurityGroupIDs, false, diags)
	s.KMSKeyARN = tfval.String(m.KMSKeyARN)
	s.RoleARN = tfval.String(m.RoleARN)
	s.InstanceType = tfval.String(m.InstanceType)
	s.InstanceCount = tfval.Int64(m.InstanceCount)
	s.Image = tfval.String(n.Model.Image)
	if !n.Model.ModelDataS3URI.IsNull() {
		s.S3 = append(s.S3, guardrail.S3Location{URI: tfval.String(n.Model.ModelDataS3URI), Field: fieldModelData, Role: "model"})
	}
	if l.model != nil {
		s.NetworkIsolation = facts.Known(aws.ToBool(l.model.EnableNetworkIsolation))
	} else {
		s.NetworkIsolation = facts.Unknown[bool]()
	}

	if l.cfg != nil {
		s.VolumeKMSKeyARN = optionalValue(cfgKey(l.cfg))
		dc := l.cfg.DataCaptureConfig
		enabled := dc != nil && aws.ToBool(dc.EnableCapture)
		s.DataCapture = guardrail.DataCapture{Enabled: facts.Known(enabled), KMSKeyARN: optionalValue(captureKey(l.cfg))}
		if enabled && aws.ToString(dc.DestinationS3Uri) != "" {
			s.S3 = append(s.S3, guardrail.S3Location{URI: facts.Known(aws.ToString(dc.DestinationS3Uri)), Field: guardrail.FieldDataCapture, Role: "data_capture"})
		}
	} else {
		s.VolumeKMSKeyARN = facts.Unknown[string]()
		s.DataCapture = guardrail.DataCapture{Enabled: facts.Unknown[bool](), KMSKeyARN: facts.Unknown[string]()}
	}

	lgName := logGroupName(name)
	groups := map[string]facts.LogGroupFact{}
	if lg := l.logGroup; lg != nil {
		groups[lgName] = facts.LogGroupFact{Name: lgName, Found: true, KMSKeyARN: aws.ToString(lg.KmsKeyId), RetentionDays: int64(aws.ToInt32(lg.RetentionInDays))}
		s.LogGroups = []guardrail.LogGroup{{Name: lgName, KMSKeyARN: optionalValue(aws.ToString(lg.KmsKeyId)), RetentionDays: facts.Known(int64(aws.ToInt32(lg.RetentionInDays)))}}
	} else {
		groups[lgName] = facts.LogGroupFact{Name: lgName}
		s.LogGroups = []guardrail.LogGroup{{Name: lgName, KMSKeyARN: facts.Null[string](), RetentionDays: facts.Null[int64]()}}
	}

	var list []guardrail.Alarm
	for _, k := range alarms.EndpointKinds() {
		an := alarms.EndpointAlarmName(name, k)
		a, ok := l.alarms[an]
		list = append(list, guardrail.Alarm{Name: an, Kind: k, Exists: ok, ActionsEnabled: ok && aws.ToBool(a.ActionsEnabled), Actions: facts.Known(a.AlarmActions)})
	}
	s.Alarms = facts.Known(list)
	// The deployment settings are sagesafe's own: every update it makes sends
	// a blue/green policy with rollback on these alarms.
	s.Deployment = guardrail.Deployment{BlueGreen: facts.Known(true), RollbackAlarms: facts.Known(rollbackAlarmNames(name))}
	tags := map[string]string{}
	for k, v := range l.tags {
		if !reservedKey(k) {
			tags[k] = v
		}
	}
	s.Tags = facts.Known(tags)
	return s, groups
}

// flattenAlarms reads the alarm settings back. A threshold or the actions
// changed outside Terraform become the attribute's value (a diff); an alarm
// that is missing or differs in anything else drops out of alarm_names.
func (r *endpointResource) flattenAlarms(ctx context.Context, name string, baseObj types.Object, base alarmsModel, live map[string]cwtypes.MetricAlarm, vcpus int, diags *diag.Diagnostics) (types.Object, types.Map) {
	if baseObj.IsNull() || baseObj.IsUnknown() {
		base = alarmsModel{}
		d := defaultAlarms()
		diags.Append(d.As(ctx, &base, objectAsOptions)...)
	}
	thresholds := map[string]float64{}
	var actions []string
	var actionsFound bool
	names := map[string]string{}
	want := expectedAlarmSpecs(name, base, r.effectiveActionsOf(ctx, base, diags), vcpus)
	for _, spec := range want {
		a, ok := live[spec.Name]
		if !ok {
			continue
		}
		thresholds[spec.Kind] = alarms.EndpointThresholdFromAlarm(spec.Kind, aws.ToFloat64(a.Threshold), vcpus)
		if !actionsFound {
			actions, actionsFound = a.AlarmActions, true
		}
		// Compare everything but the threshold and actions, which show as
		// attribute diffs.
		spec.Threshold, spec.Actions = aws.ToFloat64(a.Threshold), a.AlarmActions
		if len(alarms.Diff(spec, a)) == 0 {
			names[spec.Kind] = spec.Name
		}
	}

	f := func(kind string, cur types.Float64) types.Float64 {
		if v, ok := thresholds[kind]; ok && (cur.IsNull() || math.Abs(cur.ValueFloat64()-v) > 1e-9) {
			return types.Float64Value(v)
		}
		return cur
	}
	latency := base.ModelLatencyP99Ms
	if v, ok := thresholds[alarms.EndpointModelLatencyP99]; ok && (latency.IsNull() || float64(latency.ValueInt64()) != v) {
		latency = types.Int64Value(int64(math.Round(v)))
	}
	acts := base.Actions
	if actionsFound {
		want := sorted(r.effectiveActionsOf(ctx, base, diags))
		if !slices.Equal(sorted(actions), want) {
			if len(actions) == 0 {
				acts = types.ListValueMust(types.StringType, []attr.Value{})
			} else {
				acts = tfval.List(actions)
			}
		}
	}
	obj := objectOf(alarmsAttrTypes, map[string]attr.Value{
		"actions":                    acts,
		"error_rate_5xx":             f(alarms.EndpointErrorRate5XX, base.ErrorRate5XX),
		"error_rate_4xx":             f(alarms.EndpointErrorRate4XX, base.ErrorRate4XX),
		"model_latency_p99_ms":       latency,
		"cpu_utilization_percent":    f(alarms.EndpointCPU, base.CPUUtilizationPercent),
		"memory_utilization_percent": f(alarms.EndpointMemory, base.MemoryUtilizationPercent),
		"disk_utilization_percent":   f(alarms.EndpointDisk, base.DiskUtilizationPercent),
	}, diags)
	return obj, alarmNamesValue(names)
}

// effectiveActionsOf is the actions the alarms should have per base.
func (r *endpointResource) effectiveActionsOf(ctx context.Context, base alarmsModel, diags *diag.Diagnostics) []string {
	return effectiveActions(ctx, base.Actions, r.data, diags)
}

// expectedAlarmSpecs are the alarm specs per the settings in base.
func expectedAlarmSpecs(name string, base alarmsModel, actions []string, vcpus int) []alarms.Spec {
	s := spec{Name: name, Actions: actions, Thresholds: alarms.EndpointThresholds{
		ErrorRate5XX:          float64OrDefault(base.ErrorRate5XX, DefaultErrorRate5XX),
		ErrorRate4XX:          float64OrDefault(base.ErrorRate4XX, DefaultErrorRate4XX),
		ModelLatencyP99Millis: float64(int64OrDefault(base.ModelLatencyP99Ms, DefaultLatencyP99Millis)),
		CPUPercent:            float64OrDefault(base.CPUUtilizationPercent, DefaultUtilizationPctMax),
		MemoryPercent:         float64OrDefault(base.MemoryUtilizationPercent, DefaultUtilizationPctMax),
		DiskPercent:           float64OrDefault(base.DiskUtilizationPercent, DefaultUtilizationPctMax),
	}}
	return s.alarmSpecs(vcpus, nil)
}

// vcpusCached is vcpus for a refresh: from the private state when it has
// the type (no AWS call), else looked up once and stored.
func (r *endpointResource) vcpusCached(ctx context.Context, instanceType string, getPriv, setPriv privateState, diags *diag.Diagnostics) int {
	if getPriv != nil {
		if b, d := getPriv.GetKey(ctx, vcpusKey); !d.HasError() && len(b) > 0 {
			var rec vcpusRecord
			if json.Unmarshal(b, &rec) == nil && rec.InstanceType == instanceType && rec.VCPUs > 0 {
				if setPriv != nil {
					diags.Append(setPriv.SetKey(ctx, vcpusKey, b)...)
				}
				return rec.VCPUs
			}
		}
	}
	return r.vcpus(ctx, instanceType, setPriv, diags)
}

func flattenDataCapture(dc *smtypes.DataCaptureConfig, base dataCaptureModel, baseNull bool) types.Object {
	if baseNull {
		var diags diag.Diagnostics
		d := defaultDataCapture()
		diags.Append(d.As(context.Background(), &base, objectAsOptions)...)
	}
	if dc == nil || !aws.ToBool(dc.EnableCapture) {
		base.Enabled = types.BoolValue(false)
	} else {
		base.Enabled = types.BoolValue(true)
		base.S3URI = types.StringValue(aws.ToString(dc.DestinationS3Uri))
		base.SamplingPercentage = types.Int64Value(int64(aws.ToInt32(dc.InitialSamplingPercentage)))
		var in, out bool
		for _, o := range dc.CaptureOptions {
			switch o.CaptureMode {
			case smtypes.CaptureModeInput:
				in = true
			case smtypes.CaptureModeOutput:
				out = true
			case smtypes.CaptureModeInputAndOutput:
				in, out = true, true
			}
		}
		switch {
		case in && !out:
			base.Capture = types.StringValue(captureInput)
		case out && !in:
			base.Capture = types.StringValue(captureOutput)
		default:
			base.Capture = types.StringValue(captureBoth)
		}
	}
	if base.SamplingPercentage.IsNull() {
		base.SamplingPercentage = types.Int64Value(DefaultSamplingPercentage)
	}
	if base.Capture.IsNull() {
		base.Capture = types.StringValue(DefaultCapture)
	}
	return types.ObjectValueMust(dataCaptureAttrTypes, map[string]attr.Value{
		"enabled": base.Enabled, "s3_uri": base.S3URI, "sampling_percentage": base.SamplingPercentage, "capture": base.Capture,
	})
}

// flattenDeployment reads the deployment settings of the last update (on
// import); an endpoint never updated has the defaults.
func flattenDeployment(dc *smtypes.DeploymentConfig) types.Object {
	if dc == nil || dc.BlueGreenUpdatePolicy == nil || dc.BlueGreenUpdatePolicy.TrafficRoutingConfiguration == nil {
		return defaultDeployment()
	}
	bg := dc.BlueGreenUpdatePolicy
	tr := bg.TrafficRoutingConfiguration
	vals := map[string]attr.Value{
		"strategy":                 types.StringValue(strategyAllAtOnce),
		"canary_percent":           types.Int64Null(),
		"linear_step_percent":      types.Int64Null(),
		"bake_seconds":             types.Int64Value(int64(aws.ToInt32(tr.WaitIntervalInSeconds))),
		"termination_wait_seconds": types.Int64Value(int64(aws.ToInt32(bg.TerminationWaitInSeconds))),
		"max_execution_seconds":    types.Int64Null(),
	}
	if bg.MaximumExecutionTimeoutInSeconds != nil {
		vals["max_execution_seconds"] = types.Int64Value(int64(aws.ToInt32(bg.MaximumExecutionTimeoutInSeconds)))
	}
	switch tr.Type {
	case smtypes.TrafficRoutingConfigTypeCanary:
		vals["strategy"] = types.StringValue(strategyCanary)
		if tr.CanarySize != nil {
			vals["canary_percent"] = types.Int64Value(int64(aws.ToInt32(tr.CanarySize.Value)))
		}
	case smtypes.TrafficRoutingConfigTypeLinear:
		vals["strategy"] = types.StringValue(strategyLinear)
		if tr.LinearStepSize != nil {
			vals["linear_step_percent"] = types.Int64Value(int64(aws.ToInt32(tr.LinearStepSize.Value)))
		}
	}
	return types.ObjectValueMust(deploymentAttrTypes, vals)
}

// flattenTags returns the endpoint's tags as the resource's `tags`: without
// reserved keys, and without provider default_tags unless the resource sets
// the same key.
func flattenTags(live map[string]string, base types.Map, defaults map[string]string) types.Map {
	own := map[string]bool{}
	for k := range base.Elements() {
		own[k] = true
	}
	elems := map[string]attr.Value{}
	for k, v := range live {
		if reservedKey(k) {
			continue
		}
		if dv, isDefault := defaults[k]; isDefault && dv == v && !own[k] {
			continue
		}
		elems[k] = types.StringValue(v)
	}
	if len(elems) == 0 && base.IsNull() {
		return types.MapNull(types.StringType)
	}
	return types.MapValueMust(types.StringType, elems)
}

func cfgKey(cfg *sagemaker.DescribeEndpointConfigOutput) string {
	if cfg == nil {
		return ""
	}
	return aws.ToString(cfg.KmsKeyId)
}

func captureKey(cfg *sagemaker.DescribeEndpointConfigOutput) string {
	if cfg == nil || cfg.DataCaptureConfig == nil {
		return ""
	}
	return aws.ToString(cfg.DataCaptureConfig.KmsKeyId)
}

func logGroupKey(lg *logstypes.LogGroup) string {
	if lg == nil {
		return ""
	}
	return aws.ToString(lg.KmsKeyId)
}

func optionalValue(s string) facts.Value[string] {
	if s == "" {
		return facts.Null[string]()
	}
	return facts.Known(s)
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func objectOf(t map[string]attr.Type, v map[string]attr.Value, diags *diag.Diagnostics) types.Object {
	o, d := types.ObjectValue(t, v)
	diags.Append(d...)
	return o
}
