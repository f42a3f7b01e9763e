package sagemakerjob

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// TestLiveAlarmsChangedAlarmIsNotHeld: an alarm of the right name that no
// longer watches what it should (a monitor's silent alarm overwritten with
// one on another metric that treats missing data as fine, so it never fires
// when runs stop) is not counted as existing: SS-MON-1 fails. An alarm that
// only notifies nobody stays SS-MON-2's. (Red-team review, issue 14.)
func TestLiveAlarmsChangedAlarmIsNotHeld(t *testing.T) {
	specs := alarms.MonitorSpecs(alarms.MonitorInput{Monitor: "churn-drift", Endpoint: "ep", Features: []string{"x"},
		DriftThreshold: 0.1, IntervalSeconds: 3600, Actions: []string{"arn:aws:sns:us-east-1:123456789012:oncall"}})
	silent := alarms.MonitorAlarmName("churn-drift", alarms.MonitorSilent)
	asPut := map[string]cwtypes.MetricAlarm{}
	for _, s := range specs {
		asPut[s.Name] = alarms.AsPut(s)
	}
	judge := func(live map[string]cwtypes.MetricAlarm) map[string]bool {
		s := &guardrail.Subject{Kind: guardrail.KindModelMonitor, Stage: guardrail.StageLive, Region: "us-east-1", AccountID: "123456789012", Alarms: LiveAlarms(specs, live)}
		failed := map[string]bool{}
		for _, f := range guardrail.Evaluate(s, guardrail.DefaultPolicy()) {
			failed[f.Control] = true
		}
		return failed
	}
	if f := judge(asPut); f["SS-MON-1"] || f["SS-MON-2"] {
		t.Fatalf("the alarms as sagesafe puts them fail %v", f)
	}
	replaced := map[string]cwtypes.MetricAlarm{}
	for k, v := range asPut {
		replaced[k] = v
	}
	muted := replaced[silent]
	muted.MetricName, muted.TreatMissingData = aws.String("feature_baseline_drift_silent"), aws.String("notBreaching")
	replaced[silent] = muted
	if f := judge(replaced); !f["SS-MON-1"] {
		t.Errorf("SS-MON-1 finds nothing although alarm %s no longer watches the monitor's runs", silent)
	}
	silenced := map[string]cwtypes.MetricAlarm{}
	for k, v := range asPut {
		silenced[k] = v
	}
	off := silenced[silent]
	off.AlarmActions = nil
	silenced[silent] = off
	if f := judge(silenced); f["SS-MON-1"] || !f["SS-MON-2"] {
		t.Errorf("an alarm that notifies nobody: want SS-MON-2, not SS-MON-1; got %v", f)
	}
}
