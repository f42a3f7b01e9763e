package budget

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// nameRE is the budget's name: AWS Budgets allows 1-100 characters without
// ':' and '\'; sagesafe allows the characters that are safe in an import ID.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.=+@-]{0,99}$`)

func (r *budgetResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{MarkdownDescription: resourceDescription, Attributes: map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The budget's name.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "The budget's name, unique in the account: 1-100 letters, digits and `_ . = + @ -`, starting with a letter or digit.",
			Validators:          []validator.String{stringvalidator.RegexMatches(nameRE, "must be 1-100 letters, digits and _ . = + @ -, starting with a letter or digit")},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"limit_usd": schema.Float64Attribute{
			Required: true,
			MarkdownDescription: fmt.Sprintf("The monthly limit of SageMaker spending, in USD: at least 0.01 and at most %.0f "+
				"(100 million; a limit of 0, or beyond any SageMaker account's spending, caps nothing, SS-COST-1).", guardrail.BudgetMaxLimitUSD),
			Validators: []validator.Float64{float64validator.Between(0.01, guardrail.BudgetMaxLimitUSD)},
		},
		"notifications": schema.SetNestedAttribute{
			Optional: true,
			Computed: true,
			Default:  setdefault.StaticValue(defaultNotifications()),
			MarkdownDescription: fmt.Sprintf("When to notify: each is a type (`%s`, spending so far this month, or `%s`, "+
				"spending forecast for the month) and a percentage of the limit that spending must pass. Default: `%s` at %d%% and "+
				"`%s` at %d%%. At least one is required (SS-COST-1).", typeActual, typeForecasted, typeActual, defaultActualPercent,
				typeForecasted, defaultForecastedPercent),
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"type": schema.StringAttribute{
					Required:            true,
					MarkdownDescription: "`" + typeActual + "` or `" + typeForecasted + "`.",
					Validators:          []validator.String{stringvalidator.OneOf(typeActual, typeForecasted)},
				},
				"threshold_percent": schema.Float64Attribute{
					Required: true,
					MarkdownDescription: fmt.Sprintf("The percentage of `limit_usd` that spending must pass, greater than 0: at most "+
						"%g for `%s` (above, the notification comes only after the limit is passed) and %g for `%s` (a forecast "+
						"may overshoot by a margin before anyone is told, but one beyond twice the limit means the limit is not the "+
						"cap: raise `limit_usd` instead).", guardrail.BudgetMaxActualPercent, typeActual, guardrail.BudgetMaxForecastPercent, typeForecasted),
					Validators: []validator.Float64{float64validator.Between(0.01, guardrail.BudgetMaxForecastPercent)},
				},
			}, Validators: []validator.Object{thresholdWithinType{}}},
		},
		"topic_arn": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "The SNS topic every notification goes to (AWS Budgets allows one topic per notification). " +
				"Default: the first of the provider's `alarm_actions`. With neither, nobody would be told, and the budget is " +
				"refused (SS-COST-1). The topic must be in the provider's account and region, exist, and have a policy that lets " +
				"`budgets.amazonaws.com` `sns:Publish` to it, scoped with `aws:SourceAccount` (or `aws:SourceArn`) to this account " +
				"(unscoped: a warning); SNS's default topic policy does not. An encrypted topic's key must let AWS Budgets use it: " +
				"an AWS managed key (`alias/aws/sns`) is refused, and a customer managed key must be enabled and its policy must allow " +
				"`budgets.amazonaws.com` `kms:GenerateDataKey*` and `kms:Decrypt` (for this account); a key whose policy cannot be read " +
				"is a warning (not held). Every plan, apply and refresh reads the topic (`sns:GetTopicAttributes`) and its key " +
				"(`kms:DescribeKey`, `kms:GetKeyPolicy`): a missing or closed topic is a warning at plan (the same apply may make it) and refuses " +
				"the apply before anything is created (SS-COST-1).",
			Validators: []validator.String{validators.ARN("sns")},
		},
		"service": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The service whose costs the budget counts: `" + guardrail.BudgetService + "` (the `SERVICE` " +
				"dimension of the budget's `FilterExpression`, which also leaves out `RECORD_TYPE` `Credit` and `Refund`; see " +
				"`cost_types`). After a refresh, a budget whose filter was changed outside Terraform, or that still uses the " +
				"deprecated `CostFilters` or a `FilterExpression` on `SERVICE` alone (made by hand or by an earlier sagesafe), " +
				"shows what it has here, and the next apply rewrites its filter.",
		},
		"cost_types": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "What the budget counts: `" + countsShownOurs + "`. sagesafe sets the budget's `Metrics` to " +
				"`UnblendedCost` (charges as billed, not spread over a reservation's term, averaged across an organization or net " +
				"of discounts) and keeps credits and refunds out with its `FilterExpression` (`Not` `RECORD_TYPE` `Credit`, " +
				"`Refund`): a budget net of credits counts SageMaker's spending as about 0 on an account with credits and never " +
				"notifies (refused, SS-COST-1). It never sends the deprecated `CostTypes`, which AWS replaced with `Metrics`. " +
				"After a refresh, a budget whose `Metrics`, exclusion or `AutoAdjustData` was changed outside Terraform, or that " +
				"is in the legacy `CostTypes` form (judged by what its `CostTypes` count), shows what differs here, and the next " +
				"apply rewrites it in sagesafe's form. So does a `TimePeriod` changed outside Terraform: a start after today (the " +
				"budget counts nothing yet) or an end other than AWS's default of 2087-06-15 (AWS deletes a budget at its end); " +
				"either fails SS-COST-1 while it keeps the budget from counting this month, as does an `AutoAdjustData` (the limit " +
				"follows spending). The apply sets the period back to the start of the current month until 2087-06-15.",
		},
		"tags": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Tags for the budget, merged with the provider's `default_tags` (the budget's own win).",
			// The creation token is sagesafe's (see createBudget).
			Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.NoneOf(idem.TokenTag))},
		},
		"tags_all": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: "The budget's tags, including the provider's `default_tags`.",
		},
		"controls": schema.ListAttribute{
			ElementType: types.StringType,
			Computed:    true,
			MarkdownDescription: "IDs of the guardrail controls the budget satisfies (SS-COST-1), from the same evaluation the " +
				"plan and every refresh run." + guardrail.ControlsHeldNote,
		},
		"control_states": schema.MapAttribute{
			ElementType:         types.StringType,
			Computed:            true,
			MarkdownDescription: guardrail.ControlStatesDescription,
		},
	}}
}

func defaultNotifications() types.Set {
	return notificationsValue([]notification{{Type: typeActual, Percent: defaultActualPercent}, {Type: typeForecasted, Percent: defaultForecastedPercent}})
}

// resourceDescription is the resource's documentation.
const resourceDescription = "A monthly AWS Budgets cost budget on Amazon SageMaker spending (`Metrics` `UnblendedCost`, " +
	"a `FilterExpression` on the `SERVICE` dimension that leaves out credits and refunds), " +
	"with notifications to an SNS topic, that platform teams set once per account (control SS-COST-1).\n\n" +
	"A budget that would notify nobody (no `topic_arn` and no provider `alarm_actions`, or no notifications) or whose " +
	"limit is not positive is refused at plan, before anything is created. Every refresh reads the live budget: a limit, " +
	"filter, tag or notification changed or removed outside Terraform shows as a diff (with a warning naming SS-COST-1 when " +
	"nobody would be told any more, or SS-GOV-1 when a required tag is gone), and the next apply restores it (UpdateBudget, the notifications, then the tags).\n\n" +
	"A budget notifies; it does not stop spending. AWS Budgets updates spending data up to three times a day, so a " +
	"notification can come hours after the spending; pair it with the endpoints' alarms and autoscaling limits.\n\n" +
	"**Cost:** the first two budgets of an account are free; each further budget costs USD 0.02 per day (AWS Billing and " +
	"Cost Management User Guide, \"Managing your costs with AWS Budgets\"). Notifications to SNS are billed as SNS messages.\n\n" +
	"The create writes a creation token tag (`" + idem.TokenTag + "`). When an apply is interrupted after AWS made the " +
	"budget but before Terraform saved it, the next apply adopts the budget only if it carries that tag and is exactly the " +
	"planned budget (limit, filter, metrics, notifications, tags); any other budget of the name is refused, naming it.\n\n" +
	"Import with the budget's name: `terraform import sagesafe_budget.spend ml-spend`."

// thresholdWithinType refuses a notification whose threshold is above what
// its type allows (guardrail.BudgetMaxPercent): an ACTUAL notification
// above 100 % tells only after the limit is passed.
type thresholdWithinType struct{}

func (thresholdWithinType) Description(context.Context) string {
	return fmt.Sprintf("threshold_percent is at most %g for %s and %g for %s", guardrail.BudgetMaxActualPercent, typeActual,
		guardrail.BudgetMaxForecastPercent, typeForecasted)
}

func (v thresholdWithinType) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v thresholdWithinType) ValidateObject(ctx context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var n notificationModel
	if resp.Diagnostics.Append(req.ConfigValue.As(ctx, &n, basetypes.ObjectAsOptions{})...); resp.Diagnostics.HasError() {
		return
	}
	if n.Type.IsUnknown() || n.ThresholdPercent.IsUnknown() || n.Type.IsNull() || n.ThresholdPercent.IsNull() {
		return
	}
	if limit := guardrail.BudgetMaxPercent(n.Type.ValueString()); n.ThresholdPercent.ValueFloat64() > limit {
		resp.Diagnostics.AddAttributeError(req.Path.AtName("threshold_percent"), "Threshold beyond reach",
			fmt.Sprintf("The %s notification at %g %% of the limit: %s.", n.Type.ValueString(), n.ThresholdPercent.ValueFloat64(), v.Description(ctx)))
	}
}
