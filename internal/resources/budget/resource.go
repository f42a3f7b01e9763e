// Package budget is the sagesafe_budget resource: an AWS Budgets monthly
// cost budget on SageMaker spending with notifications to an SNS topic,
// checked against SS-COST-1 on every plan and refresh.
package budget

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

var (
	_ resource.ResourceWithConfigure   = (*budgetResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*budgetResource)(nil)
	_ resource.ResourceWithImportState = (*budgetResource)(nil)
)

// NewResource returns the sagesafe_budget resource.
func NewResource() resource.Resource { return &budgetResource{} }

type budgetResource struct {
	data *providerdata.Data
}

func (r *budgetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_budget"
}

func (r *budgetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerdata.From(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	r.data = data
}

// ModifyPlan plans the budget the apply leaves (the topic defaults to the
// provider's first alarm action) so that a refresh that finds less shows as
// a diff, and refuses a budget that would tell nobody or cap nothing.
func (r *budgetResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.AWS == nil {
		return
	}
	var plan model
	var topic types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("topic_arn"), &topic)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = plan.Name
	plan.Service = types.StringValue(guardrail.BudgetService)
	plan.CostTypes = types.StringValue(countsShownOurs)
	plan.TagsAll, _ = shared.PlanTags(ctx, r.data, plan.Tags, &resp.Diagnostics)
	plan.TopicARN = topic
	if topic.IsNull() {
		// The provider's first alarm action; unknown while it names a
		// topic of the same apply (SS-COST-1 then judges it at apply).
		switch provider := r.data.ProviderAlarmActions(); {
		case !provider.IsKnown():
			plan.TopicARN = types.StringUnknown()
		case len(provider.V) > 0:
			plan.TopicARN = types.StringValue(provider.V[0])
		default:
			plan.TopicARN = types.StringValue("")
		}
	}
	if resp.Diagnostics.Append(r.planGuard(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *budgetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, s, ok := r.planned(ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	c := r.clients()
	adopted, err := takeUp(ctx, c, s)
	if err == nil && !adopted {
		err = createBudget(ctx, c, s)
	}
	if err != nil {
		resp.Diagnostics.AddError("Creating the budget failed", err.Error())
		return
	}
	plan.ID = types.StringValue(s.Name)
	shared.SaveCreated(ctx, &plan, r.readBack, shared.ReadBackWaits, "budget "+s.Name, &resp.State, &resp.Diagnostics)
}

func (r *budgetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if providerdata.Ready(r.data, "sagesafe_budget was read", &resp.Diagnostics) {
		shared.Read(ctx, req, resp, r.refresh, "budget")
	}
}

// Update puts the limit and filter back and reconciles the notifications
// and tags: the same calls restore what was changed outside Terraform.
func (r *budgetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, s, ok := r.planned(ctx, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	c := r.clients()
	err := updateBudget(ctx, c, s)
	if err == nil {
		err = reconcileNotifications(ctx, c, s)
	}
	if err == nil {
		err = reconcileTags(ctx, c, s.Name, s.Tags)
	}
	if err != nil {
		resp.Diagnostics.AddError("Updating the budget failed", err.Error())
		return
	}
	shared.SaveRefreshed(ctx, &plan, r.refresh, &resp.State, &resp.Diagnostics)
}

func (r *budgetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := deleteBudget(ctx, r.clients(), state.ID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Deleting the budget failed", err.Error())
	}
}

// ImportState takes the budget's name; the refresh reads the rest, and the
// first plan shows whatever differs from the configuration. Its own tags
// are the live ones not set by default_tags.
func (r *budgetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !nameRE.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%q is not the name of a budget sagesafe can manage (1-100 letters, digits and _ . = + @ -).", req.ID))
		return
	}
	if !providerdata.Ready(r.data, "sagesafe_budget was imported", &resp.Diagnostics) {
		return
	}
	tags, err := budgetTags(ctx, r.clients(), req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Importing the budget failed", err.Error())
		return
	}
	delete(tags, idem.TokenTag)
	m := model{
		ID: types.StringValue(req.ID), Name: types.StringValue(req.ID), LimitUSD: types.Float64Null(),
		Notifications: types.SetNull(notificationType), TopicARN: types.StringNull(), Service: types.StringNull(), CostTypes: types.StringNull(),
		Tags: types.MapNull(types.StringType), TagsAll: types.MapNull(types.StringType),
		Controls: types.ListNull(types.StringType), ControlStates: types.MapNull(types.StringType),
	}
	if own := shared.OwnTags(shared.SeenTags(r.data, tags), r.data.DefaultTags); len(own) > 0 {
		m.Tags = tfval.Map(own)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// readBack is refresh for shared.SaveCreated.
func (r *budgetResource) readBack(ctx context.Context, m *model) (bool, error) {
	found, _, diags := r.refresh(ctx, m)
	if diags.HasError() {
		return found, errors.New(diags.Errors()[0].Detail())
	}
	return found, nil
}
