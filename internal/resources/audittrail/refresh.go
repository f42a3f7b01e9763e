package audittrail

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// refresh reads the live trail into m and re-checks SS-AUD-1..5 on it
// (shared.Refresh). m keeps the configured tags; everything else is what
// AWS says, so a setting weakened outside Terraform shows as a diff.
func (r *trailResource) refresh(ctx context.Context, m *model) (found bool, drift, diags diag.Diagnostics) {
	name := m.ID.ValueString()
	imported := m.RetentionDays.IsNull()
	o, found, err := observe(ctx, r.clients(), name, r.alarmActions(ctx, m, &diags).V)
	if own := importedActions(o, r.data.AlarmActions); err == nil && imported && m.AlarmActions.IsNull() && own != nil {
		// Alarms that notify others than the provider's alarm_actions
		// were given their own: read them again against those.
		m.AlarmActions = tfval.List(own)
		o, found, err = observe(ctx, r.clients(), name, own)
	}
	if err != nil {
		diags.AddError("Reading the audit trail failed", "trail "+name+": "+err.Error())
		return found, nil, diags
	}
	if !found {
		return false, nil, nil
	}
	m.Name = types.StringValue(name)
	fact := posture.AssessTrail(o.TrailObservation)
	// An imported trail was given nothing yet: its own key and retention
	// are what it was given.
	if m.KMSKeyARN.IsNull() {
		m.KMSKeyARN = types.StringValue(fact.KMSKeyARN)
	}
	if m.RetentionDays.IsNull() {
		m.RetentionDays = types.Int64Value(fact.LogGroupRetentionDays)
	}
	a, err := r.assess(ctx, m, o, fact)
	if err != nil {
		diags.AddError("Checking the audit trail against the guardrails failed", err.Error())
		return true, nil, diags
	}
	flatten(m, o, a.fact, r.data)
	m.Controls = tfval.List(a.states.Held())
	m.ControlStates = tfval.Map(a.states.Strings())
	return true, a.drift, nil
}

// flatten writes what was observed into m.
func flatten(m *model, o observed, f facts.TrailFact, settings shared.TagSettings) {
	m.ARN = types.StringValue(aws.ToString(o.Trail.TrailARN))
	m.Bucket = types.StringValue(f.Bucket)
	m.KMSKeyARN = types.StringValue(f.KMSKeyARN)
	m.LogGroupName = types.StringValue(f.LogGroup)
	m.CloudTrailRoleARN = types.StringValue(aws.ToString(o.Trail.CloudWatchLogsRoleArn))
	m.Logging = types.BoolValue(f.Logging)
	if f.LogGroupRetentionDays != 0 || m.RetentionDays.IsNull() || m.RetentionDays.IsUnknown() {
		m.RetentionDays = types.Int64Value(f.LogGroupRetentionDays)
	}
	m.MetricFilterNames = tfval.List(sagesafeFilters(m.Name.ValueString(), f))
	var kept []string
	for _, n := range watchNames(m.Name.ValueString()) {
		if a, ok := o.alarms[n]; ok && len(a.diff) == 0 {
			kept = append(kept, n)
		}
	}
	m.AlarmNames = tfval.List(kept)
	tags := maps.Clone(o.tags)
	delete(tags, idem.TokenTag)
	m.TagsAll = shared.TagsAll(settings, tags)
}

// sagesafeFilters are the names of the trail's filters that are as sagesafe
// put them: the class's exact pattern into the class's metric.
func sagesafeFilters(trail string, f facts.TrailFact) []string {
	var out []string
	for _, c := range guardrail.AuditEventClasses {
		n := watchName(trail, c)
		if slices.ContainsFunc(f.MetricFilters, func(mf facts.MetricFilterFact) bool {
			return mf.Name == n && mf.Pattern == c.Pattern && mf.Namespace == guardrail.AuditNamespace && mf.Metric == n
		}) {
			out = append(out, n)
		}
	}
	return out
}
