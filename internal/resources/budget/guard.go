package budget

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// paths: SS-COST-1's finding is about the limit, the notifications or who
// they tell; it is reported on notifications, the attribute most often at
// fault (the limit's own validator names the limit).
// SS-GOV-1's on tags.
var paths = guardrail.Paths{Attr: map[guardrail.Field]path.Path{
	guardrail.FieldBudget: path.Root("notifications"),
	guardrail.FieldTags:   path.Root("tags"),
}}

// subject is the budget as the guardrails see it: its settings and the
// topics it tells (SS-COST-1) and its tags with the provider's
// default_tags (SS-GOV-1);
// stage is when it is judged: a topic missing (or not open to AWS Budgets)
// at plan may be made by the same apply.
func (r *budgetResource) subject(b facts.Value[guardrail.Budget], tags facts.Value[map[string]string], name string, stage guardrail.Stage) *guardrail.Subject {
	s := r.data.Subject(guardrail.KindBudget, name)
	s.Budget, s.Tags, s.Stage = b, tags, stage
	return s
}

// planned is the planned budget, Unknown while any of its inputs is (a
// topic made in the same plan): the apply checks it again.
func planned(ctx context.Context, m *model, diags *diag.Diagnostics) facts.Value[guardrail.Budget] {
	if m.Name.IsUnknown() || m.LimitUSD.IsUnknown() || m.Notifications.IsUnknown() || m.TopicARN.IsUnknown() {
		return facts.Unknown[guardrail.Budget]()
	}
	var ns []notificationModel
	diags.Append(m.Notifications.ElementsAs(ctx, &ns, true)...)
	for _, n := range ns {
		if n.Type.IsUnknown() || n.ThresholdPercent.IsUnknown() {
			return facts.Unknown[guardrail.Budget]()
		}
	}
	return facts.Known(specOf(ctx, m, diags).guarded())
}

// check evaluates the guardrails on b and its tags.
// The topics b tells are looked up first.
func (r *budgetResource) check(ctx context.Context, b facts.Value[guardrail.Budget], tags facts.Value[map[string]string], name string,
	stage guardrail.Stage) (guardrail.ControlStates, []guardrail.Finding, error) {
	if b.IsKnown() {
		topics, err := budgetTopics(ctx, r.clients(), b.V)
		if err != nil {
			return nil, nil, fmt.Errorf("reading the topics budget %s tells: %w", name, err)
		}
		b.V.Topics = topics
	}
	s := r.subject(b, tags, name, stage)
	findings, err := evaluate.Run(ctx, r.data.Posture, r.data.Policy, s)
	if err != nil {
		return nil, nil, err
	}
	return guardrail.States(s, r.data.Policy, findings, nil), findings, nil
}

// planGuard refuses a budget that would tell nobody or cap nothing before
// anything is created, and plans the controls the apply holds.
func (r *budgetResource) planGuard(ctx context.Context, plan *model) diag.Diagnostics {
	known, states, diags := r.checkPlan(ctx, plan, guardrail.StagePlan)
	switch {
	case diags.HasError():
	case !known:
		plan.Controls, plan.ControlStates = types.ListUnknown(types.StringType), types.MapUnknown(types.StringType)
	default:
		states = states.Forecast()
		plan.Controls, plan.ControlStates = tfval.List(states.Held()), tfval.Map(states.Strings())
	}
	return diags
}

// applyGuard checks the plan again at apply, when every value is known.
func (r *budgetResource) applyGuard(ctx context.Context, plan *model) diag.Diagnostics {
	_, _, diags := r.checkPlan(ctx, plan, guardrail.StageApply)
	return diags
}

// checkPlan evaluates the planned budget and tags; its findings are
// diagnostics. known is false while either is unknown (the controls then
// are too).
func (r *budgetResource) checkPlan(ctx context.Context, plan *model, stage guardrail.Stage) (known bool, states guardrail.ControlStates, diags diag.Diagnostics) {
	b := planned(ctx, plan, &diags)
	tags := facts.Unknown[map[string]string]()
	if t, ok := tfval.Tags(ctx, plan.TagsAll, &diags); ok {
		tags = facts.Known(t)
	}
	if diags.HasError() {
		return false, nil, diags
	}
	states, findings, err := r.check(ctx, b, tags, plan.Name.ValueString(), stage)
	if err != nil {
		diags.AddError("Checking the budget against the guardrails failed", err.Error())
		return false, nil, diags
	}
	diags.Append(guardrail.Diagnostics(findings, paths.For)...)
	return b.IsKnown() && tags.IsKnown(), states, diags
}

// planned reads the plan of a Create or Update and checks it again (every
// value is known now); ok is false when it is refused or unreadable.
func (r *budgetResource) planned(ctx context.Context, p tfsdk.Plan, diags *diag.Diagnostics) (model, spec, bool) {
	var plan model
	if diags.Append(p.Get(ctx, &plan)...); diags.HasError() {
		return plan, spec{}, false
	}
	if diags.Append(r.applyGuard(ctx, &plan)...); diags.HasError() {
		return plan, spec{}, false
	}
	s := specOf(ctx, &plan, diags)
	return plan, s, !diags.HasError()
}
