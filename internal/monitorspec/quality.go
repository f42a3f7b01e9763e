// Model quality, where ground truth is given: the problem types and the
// metrics Model Monitor's model-quality analysis publishes for each (the
// names under aws/sagemaker/Endpoints/model-metrics, as in the Model Monitor
// guide's "Model quality metrics" page), which way each one worsens, and
// the scheduled engine's contract line for it.

package monitorspec

import (
	"fmt"
	"slices"
	"strings"
)

// Problem types of model_quality (Model Monitor's ProblemType values).
const (
	ProblemBinary     = "BinaryClassification"
	ProblemMulticlass = "MulticlassClassification"
	ProblemRegression = "Regression"
)

// ProblemTypes lists the problem types.
var ProblemTypes = []string{ProblemBinary, ProblemMulticlass, ProblemRegression}

// higherIsWorse are the metrics that grow as the model gets worse (errors
// and false rates); every other metric of QualityMetrics shrinks.
var higherIsWorse = []string{"mae", "mse", "rmse", "false_positive_rate", "false_negative_rate"}

// QualityMetrics are the metrics sagesafe alarms on per problem type.
var QualityMetrics = map[string][]string{
	ProblemBinary: {"accuracy", "precision", "recall", "f0_5", "f1", "f2", "auc",
		"true_positive_rate", "true_negative_rate", "false_positive_rate", "false_negative_rate"},
	ProblemMulticlass: {"accuracy", "weighted_precision", "weighted_recall", "weighted_f0_5", "weighted_f1", "weighted_f2"},
	ProblemRegression: {"mae", "mse", "rmse", "r2"},
}

// HigherIsWorse reports whether metric grows as the model worsens: the
// quality alarm then fires above the threshold, else below it.
func HigherIsWorse(metric string) bool { return slices.Contains(higherIsWorse, metric) }

// ModelQuality is the model_quality block: the run also reads the ground
// truth and computes metric, and an alarm watches it.
type ModelQuality struct {
	GroundTruthURI       string
	ProblemType          string
	Metric               string
	Threshold            float64
	InferenceAttribute   string // optional
	ProbabilityAttribute string // optional
}

// ValidateQuality names what is wrong with q: a metric not published for
// its problem type, a probability attribute for a regression, a threshold
// outside the metric's range. Empty when q is valid.
func ValidateQuality(q ModelQuality) []string {
	var out []string
	metrics, ok := QualityMetrics[q.ProblemType]
	switch {
	case !ok:
		out = append(out, fmt.Sprintf("problem_type %q is not one of %s", q.ProblemType, strings.Join(ProblemTypes, ", ")))
	case !slices.Contains(metrics, q.Metric):
		out = append(out, fmt.Sprintf("metric %q is not a %s metric; use one of %s", q.Metric, q.ProblemType, strings.Join(metrics, ", ")))
	}
	if q.ProblemType == ProblemRegression && q.ProbabilityAttribute != "" {
		out = append(out, "probability_attribute applies to classification only")
	}
	// Classification metrics are rates between 0 and 1; a threshold outside
	// would make an alarm that never or always fires.
	if q.ProblemType != ProblemRegression && ok && (q.Threshold <= 0 || q.Threshold >= 1) {
		out = append(out, fmt.Sprintf("threshold %g: a %s metric is between 0 and 1, the threshold must be strictly inside", q.Threshold, q.ProblemType))
	}
	if q.ProblemType == ProblemRegression && HigherIsWorse(q.Metric) && q.Threshold <= 0 {
		out = append(out, fmt.Sprintf("threshold %g: %s is never negative, the threshold must be above 0", q.Threshold, q.Metric))
	}
	return out
}

// Environment variables and container path of a model-quality run (the
// Model Monitor model-quality container contract's names, plus sagesafe's
// metric).
const (
	EnvProblemType          = "problem_type"
	EnvInferenceAttribute   = "inference_attribute"
	EnvProbabilityAttribute = "probability_attribute"
	EnvGroundTruthSource    = "ground_truth_source"
	EnvQualityMetric        = "sagesafe_quality_metric"
	GroundTruthDir          = "/opt/ml/processing/groundtruth"
	GroundTruthInputName    = "ground_truth"
)

// environment adds q's variables to env.
func (q ModelQuality) environment(env map[string]string) {
	env[EnvProblemType] = q.ProblemType
	env[EnvQualityMetric] = q.Metric
	env[EnvGroundTruthSource] = GroundTruthDir
	if q.InferenceAttribute != "" {
		env[EnvInferenceAttribute] = q.InferenceAttribute
	}
	if q.ProbabilityAttribute != "" {
		env[EnvProbabilityAttribute] = q.ProbabilityAttribute
	}
}
