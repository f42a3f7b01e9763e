// Package audittrail is the sagesafe_audit_trail resource: a multi-region
// CloudTrail trail with the encrypted, private bucket, the encrypted log
// group, the delivery role and the metric filters and alarms it needs,
// checked against SS-AUD-1..5 on every plan and refresh.
package audittrail

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

var (
	_ resource.ResourceWithConfigure   = (*trailResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*trailResource)(nil)
	_ resource.ResourceWithImportState = (*trailResource)(nil)
)

// NewResource returns the sagesafe_audit_trail resource.
func NewResource() resource.Resource { return &trailResource{} }

type trailResource struct {
	data *providerdata.Data
}

func (r *trailResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_audit_trail"
}

func (r *trailResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerdata.From(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	r.data = data
}

// ModifyPlan plans the secure trail (logging, every filter and alarm) so
// that anything weakened outside Terraform shows as a diff, and refuses
// insecure inputs with their control before anything is created.
func (r *trailResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.AWS == nil {
		return
	}
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	planNames(r.clients(), &plan)
	var tags facts.Value[map[string]string]
	plan.TagsAll, tags = shared.PlanTags(ctx, r.data, plan.Tags, &resp.Diagnostics)
	resp.Diagnostics.Append(r.planGuard(ctx, &plan, tags)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *trailResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if resp.Diagnostics.Append(r.applyGuard(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	c, name := r.clients(), plan.Name.ValueString()
	left, err := findLeftover(ctx, c, name, plan.KMSKeyARN.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Creating the audit trail failed", err.Error())
		return
	}
	bucket := left.bucket
	if bucket == "" {
		if bucket, err = newBucket(ctx, c, name); err != nil {
			resp.Diagnostics.AddError("Creating the audit trail's bucket failed", err.Error())
			return
		}
	} else {
		tflog.Info(ctx, "taking up what an interrupted apply of this audit trail left", map[string]any{"trail": name, "bucket": bucket})
	}
	// Persist at once so a failure below leaves the bucket in state
	// (tainted, destroyed by the next apply) rather than leaked.
	plan.ID, plan.Bucket = types.StringValue(name), types.StringValue(bucket)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("bucket"), bucket)...)
	tflog.Info(ctx, "created audit trail bucket", map[string]any{"trail": name, "bucket": bucket})
	if !r.apply(ctx, &plan, &resp.Diagnostics) {
		return
	}
	shared.SaveCreated(ctx, &plan, r.readBack, shared.ReadBackWaits, "audit trail "+name, &resp.State, &resp.Diagnostics)
}

func (r *trailResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if providerdata.Ready(r.data, "sagesafe_audit_trail was read", &resp.Diagnostics) {
		shared.Read(ctx, req, resp, r.refresh, "audit trail")
	}
}

func (r *trailResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID, plan.Bucket = state.ID, state.Bucket
	if resp.Diagnostics.Append(r.applyGuard(ctx, &plan)...); resp.Diagnostics.HasError() {
		return
	}
	if r.apply(ctx, &plan, &resp.Diagnostics) {
		shared.SaveRefreshed(ctx, &plan, r.refresh, &resp.State, &resp.Diagnostics)
	}
}

func (r *trailResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state model
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := teardown(ctx, r.clients(), state.ID.ValueString(), state.Bucket.ValueString()); err != nil {
		resp.Diagnostics.AddError("Deleting the audit trail failed", err.Error())
	}
}

// ImportState accepts a trail name or ARN; the refresh reads the rest, and
// the first plan shows whatever differs from sagesafe's trail.
func (r *trailResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name := req.ID
	if i := strings.LastIndex(name, ":trail/"); i >= 0 {
		name = name[i+len(":trail/"):]
	}
	if !nameRE.MatchString(name) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%q is not the name or ARN of a trail sagesafe can manage (3-48 letters, digits, . _ -).", req.ID))
		return
	}
	if !providerdata.Ready(r.data, "the import", &resp.Diagnostics) {
		return
	}
	c := r.clients()
	t, err := findTrail(ctx, c, name)
	var tags map[string]string
	if err == nil {
		tags, err = trailTags(ctx, c, *t.TrailARN)
	}
	if err != nil {
		resp.Diagnostics.AddError("Importing the audit trail failed", err.Error())
		return
	}
	delete(tags, idem.TokenTag)
	m := importedModel(name)
	if own := shared.OwnTags(shared.SeenTags(r.data, tags), r.data.DefaultTags); len(own) > 0 {
		m.Tags = tfval.Map(own)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// apply renders the plan and converges every object of the trail to it.
func (r *trailResource) apply(ctx context.Context, plan *model, diags *diag.Diagnostics) bool {
	tags, _ := tfval.Tags(ctx, plan.TagsAll, diags)
	c := r.clients()
	d, err := render(c, plan, tags, r.alarmActions(ctx, plan, diags).V)
	if err == nil {
		err = converge(ctx, c, d)
	}
	if err != nil {
		diags.AddError("Applying the audit trail failed", "trail "+plan.Name.ValueString()+": "+err.Error())
		return false
	}
	return true
}

// readBack is refresh for shared.SaveCreated.
func (r *trailResource) readBack(ctx context.Context, m *model) (bool, error) {
	found, _, diags := r.refresh(ctx, m)
	if diags.HasError() {
		return found, errors.New(diags.Errors()[0].Detail())
	}
	return found, nil
}

// importedModel is the state of an imported trail before its first refresh:
// its name, and typed nulls for the rest.
func importedModel(name string) model {
	nullList, nullMap := types.ListNull(types.StringType), types.MapNull(types.StringType)
	return model{
		ID: types.StringValue(name), Name: types.StringValue(name), RetentionDays: types.Int64Null(),
		MetricFilterNames: nullList, AlarmNames: nullList, AlarmActions: nullList, Controls: nullList,
		Tags: nullMap, TagsAll: nullMap, ControlStates: nullMap,
	}
}
