package endpoint

import (
	"context"
	"math/big"
	"slices"

	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// planComputed fills the names that follow from the endpoint's name and,
// when every setting is known and the endpoint exists (key and prior are
// not nil), the version name of the model and configuration. A new
// endpoint's version name is known only after apply: it is keyed with a
// salt Create makes (see spec.hash). It reports whether every setting is
// known.
func (r *endpointResource) planComputed(ctx context.Context, plan *endpointModel, key *nameKey, prior *endpointModel, diags *diag.Diagnostics) bool {
	if !plan.Name.IsUnknown() {
		name := plan.Name.ValueString()
		plan.ID = types.StringValue(name)
		plan.LogGroupName = types.StringValue(logGroupName(name))
		plan.AlarmNames = types.MapUnknown(types.StringType)
		if !plan.Autoscaling.IsUnknown() {
			plan.AlarmNames = tfval.Map(alarmNameMap(name, !plan.Autoscaling.IsNull()))
		}
	}
	plan.TagsAll, _ = shared.PlanTags(ctx, r.data, plan.Tags, diags)
	plan.ScalingRegistered = types.BoolUnknown()
	if !plan.Autoscaling.IsUnknown() {
		plan.ScalingRegistered = types.BoolValue(!plan.Autoscaling.IsNull())
	}
	known := fullyKnown(*plan)
	plan.ModelName, plan.EndpointConfigName = types.StringUnknown(), types.StringUnknown()
	if known && key != nil {
		s, d := expandSpec(ctx, *plan, r.data)
		diags.Append(d...)
		plan.ModelName = types.StringValue(r.versionOf(ctx, s, *key, prior))
		plan.EndpointConfigName = plan.ModelName
	}
	return known
}

// planNameKey is the name key of an existing endpoint: the one in the
// private state, else (an imported endpoint, or a state written before the
// key existed) a new one that adopts the configuration the endpoint serves,
// stored in the planned private state for the apply.
func planNameKey(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, prior endpointModel) (nameKey, bool) {
	if k, ok := loadNameKey(ctx, req.Private); ok {
		return k, true
	}
	k, err := newNameKey(prior.EndpointConfigName.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Planning the endpoint's version name failed", err.Error())
		return nameKey{}, false
	}
	storeNameKey(ctx, resp.Private, k, &resp.Diagnostics)
	return k, true
}

// planInvokePolicy fills invoke_policy_json when the ARN and the VPC
// endpoints are known. It returns false when the policy cannot be built.
func planInvokePolicy(ctx context.Context, plan *endpointModel, diags *diag.Diagnostics) bool {
	plan.InvokePolicyJSON = types.StringUnknown()
	if plan.ARN.IsUnknown() || plan.ARN.IsNull() || !valueFullyKnown(plan.PrivateInvokeVPCEndpointIDs) {
		return true
	}
	var vpce []string
	diags.Append(plan.PrivateInvokeVPCEndpointIDs.ElementsAs(ctx, &vpce, false)...)
	doc, err := invokePolicy(plan.ARN.ValueString(), vpce)
	if err != nil {
		diags.AddAttributeError(path.Root("private_invoke_vpc_endpoint_ids"), "Cannot build the invoke policy", err.Error())
		return false
	}
	plan.InvokePolicyJSON = types.StringValue(doc)
	return true
}

// planStatus plans the status of an existing endpoint and reports whether
// the plan creates, changes or replaces the endpoint. A Failed endpoint
// cannot be updated: SageMaker only lets it be deleted, so the plan replaces
// it.
func planStatus(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	if req.State.Raw.IsNull() {
		return true
	}
	var status types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
	if status.ValueString() == string(smtypes.EndpointStatusFailed) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringValue(string(smtypes.EndpointStatusInService)))...)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
		return true
	}
	// Any change ends with the endpoint InService again, but which status a
	// refresh sees is only known after the apply.
	// (The framework marks it unknown itself when a number differs only in
	// precision, which is no change.)
	var prior types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &prior)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), prior)...)
	if !planChanges(resp.Plan.Raw, req.State.Raw) {
		return false
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
	return true
}

// planChanges reports whether the plan differs from the state. Numbers are
// compared by value: 0.05 parsed from configuration and 0.05 read back as a
// float64 are the same number with different precision, and equal as
// float64s.
func planChanges(plan, state tftypes.Value) bool { return !sameValue(plan, state) }

func sameValue(a, b tftypes.Value) bool {
	if !a.Type().Equal(b.Type()) || a.IsKnown() != b.IsKnown() || a.IsNull() != b.IsNull() {
		return false
	}
	if !a.IsKnown() || a.IsNull() {
		return true
	}
	switch {
	case a.Type().Is(tftypes.Number):
		var x, y big.Float
		if a.As(&x) != nil || b.As(&y) != nil {
			return false
		}
		fx, _ := x.Float64()
		fy, _ := y.Float64()
		return fx == fy
	case a.Type().Is(tftypes.List{}), a.Type().Is(tftypes.Tuple{}), a.Type().Is(tftypes.Set{}):
		var xs, ys []tftypes.Value
		if a.As(&xs) != nil || b.As(&ys) != nil || len(xs) != len(ys) {
			return false
		}
		if a.Type().Is(tftypes.Set{}) {
			for _, x := range xs {
				if !slices.ContainsFunc(ys, func(y tftypes.Value) bool { return sameValue(x, y) }) {
					return false
				}
			}
			return true
		}
		for i := range xs {
			if !sameValue(xs[i], ys[i]) {
				return false
			}
		}
		return true
	case a.Type().Is(tftypes.Map{}), a.Type().Is(tftypes.Object{}):
		var xm, ym map[string]tftypes.Value
		if a.As(&xm) != nil || b.As(&ym) != nil || len(xm) != len(ym) {
			return false
		}
		for k, x := range xm {
			y, ok := ym[k]
			if !ok || !sameValue(x, y) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}
