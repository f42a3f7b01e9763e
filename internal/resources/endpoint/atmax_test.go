package endpoint

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// The at-maximum alarm is among the endpoint's alarms, names and expected
// guardrail alarms exactly when it autoscales, with the threshold of its
// maximum.
func TestAtMaxAlarmFollowsAutoscaling(t *testing.T) {
	atMax := alarms.EndpointAlarmName("churn", alarms.EndpointAtMaxInstances)
	has := func(specs []alarms.Spec) (float64, bool) {
		for _, s := range specs {
			if s.Name == atMax {
				return s.Threshold, true
			}
		}
		return 0, false
	}
	if _, ok := has(spec{Name: "churn"}.alarmSpecs(1, nil)); ok {
		t.Error("an endpoint without autoscaling has an at-maximum alarm")
	}
	if th, ok := has(spec{Name: "churn", Scaling: &scalingSpec{Min: 2, Max: 5}}.alarmSpecs(1, nil)); !ok || th != 4.5 {
		t.Errorf("with max 5: alarm %v, threshold %v; want 4.5", ok, th)
	}
	if th, ok := has(expectedAlarmSpecs("churn", alarmsModel{}, nil, 1, 7)); !ok || th != 6.5 {
		t.Errorf("refresh with max 7: alarm %v, threshold %v; want 6.5", ok, th)
	}
	if _, ok := alarmNameMap("churn", false)[alarms.EndpointAtMaxInstances]; ok {
		t.Error("alarm_names without autoscaling lists the at-maximum alarm")
	}
	if got := alarmNameMap("churn", true)[alarms.EndpointAtMaxInstances]; got != atMax {
		t.Errorf("alarm_names with autoscaling: %q", got)
	}

	sc := scalingSpec{Min: 2, Max: 5, TargetInvocations: 70, ScaleInCooldownSeconds: 300, ScaleOutCooldownSeconds: 60}
	var diags diag.Diagnostics
	if got := maxInstancesOf(context.Background(), flattenScaling(sc), &diags); got != 5 || diags.HasError() {
		t.Errorf("maxInstancesOf = %d, %v", got, diags)
	}
	expected := func(l *liveObjects) bool {
		for _, a := range liveAlarms("churn", l, nil, alarms.EndpointThresholds{}) {
			if a.Name == atMax {
				return !a.Exists
			}
		}
		return false
	}
	if !expected(&liveObjects{scaling: liveScalingOf(sc)}) {
		t.Error("a registered endpoint without its at-maximum alarm does not report it missing")
	}
	if expected(&liveObjects{}) {
		t.Error("an endpoint without autoscaling expects an at-maximum alarm")
	}
}

// An alarm counts as there (SS-MON-1) only when it watches as specified:
// the at-maximum alarm changed outside Terraform (not in alarm_names as
// refreshed) and a 5xx alarm whose live threshold its metric can never
// cross exist in CloudWatch but hold nothing (red team: a muted alarm
// counted as held).
func TestLiveAlarmsAsSpecified(t *testing.T) {
	sc := scalingSpec{Min: 2, Max: 5, TargetInvocations: 70, ScaleInCooldownSeconds: 300, ScaleOutCooldownSeconds: 60}
	l := &liveObjects{scaling: liveScalingOf(sc), alarms: map[string]cwtypes.MetricAlarm{}}
	names := alarmNameMap("churn", true)
	for _, n := range names {
		l.alarms[n] = cwtypes.MetricAlarm{AlarmName: aws.String(n), ActionsEnabled: aws.Bool(true)}
	}
	asSpecified := maps.Clone(names)
	delete(asSpecified, alarms.EndpointAtMaxInstances)
	th := alarms.EndpointThresholds{ErrorRate5XX: 1e9, ErrorRate4XX: 0.1, ModelLatencyP99Millis: 1000, CPUPercent: 90, MemoryPercent: 90, DiskPercent: 90}
	got := map[string]guardrail.Alarm{}
	for _, a := range liveAlarms("churn", l, asSpecified, th) {
		got[a.Kind] = a
	}
	for _, k := range []string{alarms.EndpointAtMaxInstances, alarms.EndpointErrorRate5XX} {
		if a := got[k]; a.Exists || a.ActionsEnabled || a.Unlike == "" {
			t.Errorf("%s: exists %v, actions %v, unlike %q; want not there, with why", k, a.Exists, a.ActionsEnabled, a.Unlike)
		}
	}
	if a := got[alarms.EndpointErrorRate4XX]; !a.Exists || a.Unlike != "" {
		t.Errorf("4xx alarm as specified: %+v", a)
	}
	if !strings.Contains(got[alarms.EndpointErrorRate5XX].Unlike, "can never be crossed") {
		t.Errorf("5xx: %q", got[alarms.EndpointErrorRate5XX].Unlike)
	}
}
