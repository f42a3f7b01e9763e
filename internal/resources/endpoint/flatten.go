package endpoint

import (
	"context"
	"maps"
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
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// flattenAlarms reads the alarm settings back. A threshold or the actions
// changed outside Terraform become the attribute's value (a diff); an alarm
// that is missing or differs in anything else drops out of alarm_names.
// The at-maximum alarm (maxInstances above 0) has no attribute of its own:
// its threshold follows autoscaling.max_capacity, so one changed outside
// Terraform drops it out of alarm_names.
func (r *endpointResource) flattenAlarms(ctx context.Context, name string, baseObj types.Object, base alarmsModel, live map[string]cwtypes.MetricAlarm, vcpus int, maxInstances int64, diags *diag.Diagnostics) (types.Object, types.Map) {
	if baseObj.IsNull() || baseObj.IsUnknown() {
		base = alarmsModel{}
		d := defaultAlarms()
		diags.Append(d.As(ctx, &base, objectAsOptions)...)
	}
	thresholds := map[string]float64{}
	var actions []string
	var actionsFound bool
	names := map[string]string{}
	want := expectedAlarmSpecs(name, base, r.effectiveActionsOf(ctx, base, diags), vcpus, maxInstances)
	for _, spec := range want {
		a, ok := live[spec.Name]
		if !ok {
			continue
		}
		if spec.IsAnomaly() {
			// A band width changed outside Terraform shows as a diff of
			// anomaly_band_width (the first one that differs).
			if w, ok := alarms.BandWidth(a); ok {
				if _, seen := thresholds[bandWidthKey]; !seen && w != spec.AnomalyBandWidth {
					thresholds[bandWidthKey] = w
				}
				spec.AnomalyBandWidth = w
			}
		} else if !spec.IsMath() {
			thresholds[spec.Kind] = alarms.EndpointThresholdFromAlarm(spec.Kind, aws.ToFloat64(a.Threshold), vcpus)
		}
		if !actionsFound {
			actions, actionsFound = a.AlarmActions, true
		}
		// Compare everything but the threshold and actions, which show as
		// attribute diffs.
		if !spec.IsMath() {
			spec.Threshold = aws.ToFloat64(a.Threshold)
		}
		spec.Actions = a.AlarmActions
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
		"anomaly_band_width":         f(bandWidthKey, base.AnomalyBandWidth),
	}, diags)
	return obj, tfval.Map(names)
}

// bandWidthKey is where flattenAlarms notes a live band width that differs.
const bandWidthKey = "anomaly_band_width"

// effectiveActionsOf is the actions the alarms should have per base.
func (r *endpointResource) effectiveActionsOf(ctx context.Context, base alarmsModel, diags *diag.Diagnostics) []string {
	return effectiveActions(ctx, base.Actions, r.data, diags)
}

// expectedAlarmSpecs are the alarm specs per the settings in base.
func expectedAlarmSpecs(name string, base alarmsModel, actions []string, vcpus int, maxInstances int64) []alarms.Spec {
	s := spec{Name: name, Actions: actions, Thresholds: alarms.EndpointThresholds{
		ErrorRate5XX:          float64OrDefault(base.ErrorRate5XX, DefaultErrorRate5XX),
		ErrorRate4XX:          float64OrDefault(base.ErrorRate4XX, DefaultErrorRate4XX),
		ModelLatencyP99Millis: float64(int64OrDefault(base.ModelLatencyP99Ms, DefaultLatencyP99Millis)),
		CPUPercent:            float64OrDefault(base.CPUUtilizationPercent, DefaultUtilizationPctMax),
		MemoryPercent:         float64OrDefault(base.MemoryUtilizationPercent, DefaultUtilizationPctMax),
		DiskPercent:           float64OrDefault(base.DiskUtilizationPercent, DefaultUtilizationPctMax),
		AnomalyBandWidth:      float64OrDefault(base.AnomalyBandWidth, alarms.DefaultBandWidth),
	}}
	if maxInstances > 0 {
		s.Scaling = &scalingSpec{Max: maxInstances}
	}
	return s.alarmSpecs(vcpus, nil)
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
// flattenTagsAll is tags_all read back: the live tags, sagesafe's reserved
// ones aside.
func flattenTagsAll(live map[string]string) types.Map {
	all := maps.Clone(live)
	maps.DeleteFunc(all, func(k, _ string) bool { return reservedKey(k) })
	return tfval.Map(all)
}

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
