package budget

import (
	"context"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// refresh reads the live budget into m and checks the guardrails on it:
// the limit, filter, notifications sagesafe sets, their topic and the tags
// are what AWS says, so one changed outside Terraform shows as a diff (and
// a warning naming the control when one no longer holds).
func (r *budgetResource) refresh(ctx context.Context, m *model) (found bool, drift, diags diag.Diagnostics) {
	c, name := r.clients(), m.ID.ValueString()
	b, err := findBudget(ctx, c, name)
	if errors.Is(err, errBudgetNotFound) {
		return false, nil, nil
	}
	var live []liveNotification
	var tags map[string]string
	if err == nil {
		live, err = notifications(ctx, c, name)
	}
	if err == nil {
		tags, err = budgetTags(ctx, c, name)
	}
	if err != nil {
		diags.AddError("Reading the budget failed", err.Error())
		return true, nil, diags
	}
	delete(tags, idem.TokenTag)
	g, ours := guardedLive(b, live)
	m.Name = types.StringValue(name)
	m.LimitUSD = types.Float64Value(g.LimitUSD)
	sortNotifications(ours)
	m.Notifications = notificationsValue(ours)
	m.TopicARN = types.StringValue(commonTopic(live, m.TopicARN.ValueString()))
	m.Service = types.StringValue(serviceShown(b))
	m.CostTypes = types.StringValue(countsShown(b))
	m.TagsAll = shared.TagsAll(r.data, tags)
	states, findings, err := r.check(ctx, facts.Known(g), facts.Known(tags), name, guardrail.StageLive)
	if err != nil {
		diags.AddError("Checking the budget against the guardrails failed", err.Error())
		return true, nil, diags
	}
	for _, f := range findings {
		summary, detail := guardrail.FormatFinding(f)
		drift.AddWarning(summary, guardrail.DriftNote(f)+"\n"+detail)
	}
	m.Controls, m.ControlStates = tfval.List(states.Held()), tfval.Map(states.Strings())
	return true, drift, diags
}

// guardedLive is the live budget as the guardrails see it, and the
// notifications among live that sagesafe sets.
func guardedLive(b btypes.Budget, live []liveNotification) (guardrail.Budget, []notification) {
	services, _, _ := liveFilter(b)
	if services == nil {
		services = []string{formOther}
	}
	g := guardrail.Budget{Name: aws.ToString(b.BudgetName), Services: services, LimitUSD: limitUSD(b), Offsets: offsets(b),
		Now: time.Now(), AutoAdjust: b.AutoAdjustData != nil}
	if p := b.TimePeriod; p != nil {
		g.Start, g.End = aws.ToTime(p.Start), aws.ToTime(p.End)
	}
	if b.BudgetType != btypes.BudgetTypeCost || b.TimeUnit != btypes.TimeUnitMonthly {
		g.Services = append([]string{"(another type or period)"}, g.Services...)
	}
	if math.IsNaN(g.LimitUSD) {
		g.LimitUSD = 0
	}
	var ours []notification
	for _, l := range live {
		n, ok := l.ours()
		if ok && !slices.Contains(ours, n) {
			ours = append(ours, n)
		}
		g.Notifications = append(g.Notifications, l.guarded())
	}
	return g, ours
}

// commonTopic is the topic every notification tells, and nothing else;
// "" when they differ (one was changed outside Terraform), so the plan,
// which names the topic, shows a diff and the apply restores them. A
// notification sagesafe does not set (not a percentage, not GREATER_THAN)
// also makes it "" so that the apply removes it.
func commonTopic(live []liveNotification, prior string) string {
	topic := ""
	for i, l := range live {
		if _, ours := l.ours(); !ours || len(l.subscribers) != 1 || l.subscribers[0].SubscriptionType != "SNS" {
			return ""
		}
		t := aws.ToString(l.subscribers[0].Address)
		if i > 0 && t != topic {
			return ""
		}
		topic = t
	}
	if len(live) == 0 {
		return prior
	}
	return topic
}
