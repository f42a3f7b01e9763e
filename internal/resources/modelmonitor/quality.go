// The model_quality block: its schema, its decoding into the run's
// monitorspec.ModelQuality and the alarm's input, and its reading back
// from a live run.

package modelmonitor

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// fieldGroundTruth is the subject field of the ground truth's S3 location.
const fieldGroundTruth guardrail.Field = "model_quality.ground_truth_s3_uri"

// qualityModel is the model_quality block.
type qualityModel struct {
	GroundTruthS3URI     types.String  `tfsdk:"ground_truth_s3_uri"`
	ProblemType          types.String  `tfsdk:"problem_type"`
	Metric               types.String  `tfsdk:"metric"`
	Threshold            types.Float64 `tfsdk:"threshold"`
	InferenceAttribute   types.String  `tfsdk:"inference_attribute"`
	ProbabilityAttribute types.String  `tfsdk:"probability_attribute"`
}

var qualityAttrTypes = map[string]attr.Type{
	"ground_truth_s3_uri": types.StringType, "problem_type": types.StringType, "metric": types.StringType,
	"threshold": types.Float64Type, "inference_attribute": types.StringType, "probability_attribute": types.StringType,
}

func qualityAttribute() schema.Attribute {
	metrics := make([]string, 0, len(monitorspec.ProblemTypes))
	for _, p := range monitorspec.ProblemTypes {
		metrics = append(metrics, p+": "+shared.Backticked(monitorspec.QualityMetrics[p]))
	}
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Model-quality monitoring where ground truth is given (engine `" + monitorspec.EngineScheduledProcessingJob +
			"` only): each run also reads the ground truth and computes `metric`, and an alarm (`" + alarms.MonitorQuality + "` in " +
			"`alarm_names`) fires when it is worse than `threshold`. Remove the block to stop it: the alarm and its metric filter are deleted.",
		Attributes: map[string]schema.Attribute{
			"ground_truth_s3_uri": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "`s3://` prefix of the ground-truth labels, in a TLS-only bucket of this account (SS-TLS-2, SS-DATA-1/2); " +
					"each run reads it at `" + monitorspec.GroundTruthDir + "`.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 1024)},
			},
			"problem_type": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The model's problem: " + shared.Backticked(monitorspec.ProblemTypes) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(monitorspec.ProblemTypes...)},
			},
			"metric": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The metric alarmed on, under the name Model Monitor publishes it in `" + alarms.QualityNamespace +
					"`, one of the problem type's: " + strings.Join(metrics, "; ") + ".",
			},
			"threshold": schema.Float64Attribute{
				Required: true,
				MarkdownDescription: "The alarm fires when a run's `metric` is below this (scores: accuracy, precision, recall, f-scores, " +
					"auc, true rates, r2) or above it (errors: mae, mse, rmse, false rates). Classification thresholds are strictly between 0 and 1.",
			},
			"inference_attribute": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The attribute of the endpoint's output that is the prediction, when the container needs it.",
			},
			"probability_attribute": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Classification only: the attribute of the endpoint's output that is the probability, when the container needs it.",
			},
		},
	}
}

// decodeQuality reads the block: nil when it is left out; known is false
// while any of its values is unknown.
func decodeQuality(ctx context.Context, o types.Object, diags *diag.Diagnostics) (q *monitorspec.ModelQuality, known bool) {
	if o.IsNull() {
		return nil, true
	}
	if o.IsUnknown() {
		return nil, false
	}
	var m qualityModel
	diags.Append(o.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	for _, v := range []attr.Value{m.GroundTruthS3URI, m.ProblemType, m.Metric, m.Threshold, m.InferenceAttribute, m.ProbabilityAttribute} {
		if v.IsUnknown() {
			known = false
			return nil, known
		}
	}
	return &monitorspec.ModelQuality{
		GroundTruthURI: m.GroundTruthS3URI.ValueString(), ProblemType: m.ProblemType.ValueString(), Metric: m.Metric.ValueString(),
		Threshold: m.Threshold.ValueFloat64(), InferenceAttribute: m.InferenceAttribute.ValueString(),
		ProbabilityAttribute: m.ProbabilityAttribute.ValueString(),
	}, true
}

// validateQuality reports a block the engine cannot run or whose metric,
// problem type and threshold do not go together.
func validateQuality(ctx context.Context, m model, diags *diag.Diagnostics) {
	q, known := decodeQuality(ctx, m.ModelQuality, diags)
	if !m.ModelQuality.IsNull() && m.Engine.ValueString() == monitorspec.EngineModelMonitor {
		// Model Monitor's model quality needs its own ModelQuality job
		// definition and schedule, which sagesafe does not make (Model
		// Monitor is closed to new customers): refused rather than
		// silently ignored.
		diags.AddAttributeError(path.Root("model_quality"), "model_quality needs engine \""+monitorspec.EngineScheduledProcessingJob+"\"",
			"sagesafe does not make Model Monitor's ModelQuality schedules. Keep this monitor for data quality and add a second "+
				"sagesafe_model_monitor of the same endpoint with engine = \""+monitorspec.EngineScheduledProcessingJob+"\" and the model_quality block.")
	}
	if q == nil || !known {
		return
	}
	for _, p := range monitorspec.ValidateQuality(*q) {
		diags.AddAttributeError(path.Root("model_quality"), "Invalid model_quality", p)
	}
}

// qualityAlarm is the alarm input of q.
func qualityAlarm(q *monitorspec.ModelQuality) *alarms.QualityAlarm {
	if q == nil {
		return nil
	}
	return &alarms.QualityAlarm{Metric: q.Metric, Threshold: q.Threshold, HigherIsWorse: monitorspec.HigherIsWorse(q.Metric)}
}

// flattenQuality writes the live run's model quality into m: the ground
// truth input and environment; the threshold, which only the alarm has,
// stays m's (an import reads it from the alarm, importQualityThreshold).
func flattenQuality(m *model, req *sagemaker.CreateProcessingJobInput) {
	gt := ""
	for _, in := range req.ProcessingInputs {
		if aws.ToString(in.InputName) == monitorspec.GroundTruthInputName && in.S3Input != nil {
			gt = aws.ToString(in.S3Input.S3Uri)
		}
	}
	env := req.Environment
	if gt == "" && env[monitorspec.EnvProblemType] == "" {
		m.ModelQuality = types.ObjectNull(qualityAttrTypes)
		return
	}
	threshold := types.Float64Null()
	if !m.ModelQuality.IsNull() && !m.ModelQuality.IsUnknown() {
		if t, ok := m.ModelQuality.Attributes()["threshold"].(types.Float64); ok {
			threshold = t
		}
	}
	opt := func(k string) attr.Value {
		if v, ok := env[k]; ok {
			return types.StringValue(v)
		}
		return types.StringNull()
	}
	m.ModelQuality = types.ObjectValueMust(qualityAttrTypes, map[string]attr.Value{
		"ground_truth_s3_uri": types.StringValue(gt), "problem_type": types.StringValue(env[monitorspec.EnvProblemType]),
		"metric": types.StringValue(env[monitorspec.EnvQualityMetric]), "threshold": threshold,
		"inference_attribute": opt(monitorspec.EnvInferenceAttribute), "probability_attribute": opt(monitorspec.EnvProbabilityAttribute),
	})
}

// importQualityThreshold sets the threshold of an imported monitor's
// model_quality from its quality alarm.
func (r *monitorResource) importQualityThreshold(ctx context.Context, m *model) {
	if m.ModelQuality.IsNull() || m.ModelQuality.IsUnknown() {
		return
	}
	name := alarms.MonitorAlarmName(m.Name.ValueString(), alarms.MonitorQuality)
	live, err := alarms.Describe(ctx, r.data.AWS.CloudWatch, []string{name})
	al, ok := live[name]
	if err != nil || !ok {
		return
	}
	a := m.ModelQuality.Attributes()
	a["threshold"] = types.Float64Value(aws.ToFloat64(al.Threshold))
	m.ModelQuality = types.ObjectValueMust(qualityAttrTypes, a)
}
