package monitorspec

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
)

func TestValidateQuality(t *testing.T) {
	ok := []ModelQuality{
		{ProblemType: ProblemBinary, Metric: "auc", Threshold: 0.8, ProbabilityAttribute: "p"},
		{ProblemType: ProblemMulticlass, Metric: "weighted_f1", Threshold: 0.7},
		{ProblemType: ProblemRegression, Metric: "rmse", Threshold: 12.5},
		{ProblemType: ProblemRegression, Metric: "r2", Threshold: -0.5},
	}
	for _, q := range ok {
		if p := ValidateQuality(q); len(p) != 0 {
			t.Errorf("%+v refused: %v", q, p)
		}
	}
	bad := map[string]ModelQuality{
		"not a Regression metric":        {ProblemType: ProblemRegression, Metric: "accuracy", Threshold: 0.5},
		"not a MulticlassClassification": {ProblemType: ProblemMulticlass, Metric: "auc", Threshold: 0.5},
		"not a BinaryClassification":     {ProblemType: ProblemBinary, Metric: "rmse", Threshold: 0.5},
		"is not one of":                  {ProblemType: "Ranking", Metric: "accuracy", Threshold: 0.5},
		"classification only":            {ProblemType: ProblemRegression, Metric: "mae", Threshold: 1, ProbabilityAttribute: "p"},
		"strictly inside":                {ProblemType: ProblemBinary, Metric: "accuracy", Threshold: 1},
		"never negative":                 {ProblemType: ProblemRegression, Metric: "mae", Threshold: 0},
	}
	for want, q := range bad {
		if p := strings.Join(ValidateQuality(q), "; "); !strings.Contains(p, want) {
			t.Errorf("%+v: %q, want %q", q, p, want)
		}
	}
}

func TestHigherIsWorse(t *testing.T) {
	for _, m := range []string{"rmse", "mae", "mse", "false_positive_rate"} {
		if !HigherIsWorse(m) {
			t.Errorf("%s: higher is worse", m)
		}
	}
	for _, m := range []string{"accuracy", "f1", "auc", "r2", "weighted_f1", "true_positive_rate"} {
		if HigherIsWorse(m) {
			t.Errorf("%s: lower is worse", m)
		}
	}
}

// TestQualityJob: with model_quality a run also reads the ground truth
// and carries the problem type and metric; without it, neither.
func TestQualityJob(t *testing.T) {
	j := job()
	j.Quality = &ModelQuality{GroundTruthURI: "s3://b/gt/", ProblemType: ProblemBinary, Metric: "auc", Threshold: 0.8, InferenceAttribute: "label"}
	req := j.ProcessingJob()
	last := req.ProcessingInputs[len(req.ProcessingInputs)-1]
	if aws.ToString(last.InputName) != GroundTruthInputName || aws.ToString(last.S3Input.S3Uri) != "s3://b/gt/" ||
		aws.ToString(last.S3Input.LocalPath) != GroundTruthDir {
		t.Errorf("ground truth input %+v", last)
	}
	env := req.Environment
	if env[EnvProblemType] != ProblemBinary || env[EnvQualityMetric] != "auc" || env[EnvInferenceAttribute] != "label" ||
		env[EnvGroundTruthSource] != GroundTruthDir {
		t.Errorf("environment %v", env)
	}
	if _, ok := env[EnvProbabilityAttribute]; ok {
		t.Error("unset probability attribute sent")
	}
	plain := job().ProcessingJob()
	if len(plain.ProcessingInputs) != 3 || plain.Environment[EnvProblemType] != "" {
		t.Errorf("a data-quality run reads the ground truth: %+v", plain.ProcessingInputs)
	}
}

// TestQualityFilter: the filter makes the quality alarm's metric, in its
// namespace and dimensions, from a quality line, and its pattern is not
// one a drift line matches (it selects quality_metric) while OwnedBy still
// attributes it to its monitor.
func TestQualityFilter(t *testing.T) {
	f := QualityFilter("mon", "ep-1", "auc")
	specs := alarms.MonitorSpecs(alarms.MonitorInput{Monitor: "mon", Endpoint: "ep-1", Features: []string{"age"}, IntervalSeconds: 3600,
		Quality: &alarms.QualityAlarm{Metric: "auc", Threshold: 0.8}})
	a := specs[len(specs)-1]
	if f.Name != "sagesafe-monitor-mon-quality-auc" || f.Metric != a.Metric || f.Namespace != a.Namespace || f.Value != "$.value" {
		t.Errorf("filter %+v, alarm %+v", f, a)
	}
	c := clauses(t, f.Pattern)
	line := QualityLine{Monitor: "mon", Endpoint: "ep-1", Metric: "auc", Value: 0.9}.String()
	var fields map[string]any
	if err := json.Unmarshal([]byte(line), &fields); err != nil {
		t.Fatal(err)
	}
	for k, v := range c {
		if fields[k] != v {
			t.Errorf("pattern wants %s=%s, the line has %v", k, v, fields[k])
		}
	}
	if _, ok := fields["value"]; !ok {
		t.Error("line has no value")
	}
	for dim, sel := range f.Dimensions {
		if fields[strings.TrimPrefix(sel, "$.")] != a.Dimensions[dim] {
			t.Errorf("dimension %s from %s is not the alarm's %s", dim, sel, a.Dimensions[dim])
		}
	}
	if !OwnedBy("mon", f.Pattern) || OwnedBy("mo", f.Pattern) {
		t.Error("ownership")
	}
}
