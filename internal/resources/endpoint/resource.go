// Package endpoint is the sagesafe_endpoint resource: a secure real-time
// SageMaker inference endpoint (log group, model, endpoint configuration,
// alarms and endpoint) managed as one object, with guarded blue/green
// updates.
package endpoint

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

var (
	_ resource.Resource                   = (*endpointResource)(nil)
	_ resource.ResourceWithConfigure      = (*endpointResource)(nil)
	_ resource.ResourceWithImportState    = (*endpointResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*endpointResource)(nil)
	_ resource.ResourceWithValidateConfig = (*endpointResource)(nil)
)

// NewResource returns the sagesafe_endpoint resource.
func NewResource() resource.Resource { return &endpointResource{} }

type endpointResource struct {
	data *providerdata.Data
}

func (r *endpointResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_endpoint"
}

func (r *endpointResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, err := providerdata.From(req.ProviderData)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected provider data", err.Error())
		return
	}
	r.data = data
}

func (r *endpointResource) configured(diags *diag.Diagnostics) bool {
	return providerdata.Ready(r.data, "sagesafe_endpoint was used", diags)
}

// ValidateConfig checks combinations the schema cannot express.
func (r *endpointResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m endpointModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	n, diags := m.nested(ctx)
	resp.Diagnostics.Append(diags...)

	if !m.Deployment.IsNull() && !m.Deployment.IsUnknown() {
		d := n.Deployment
		dp := path.Root("deployment")
		strategy := stringOrDefault(d.Strategy, DefaultStrategy)
		if !d.Strategy.IsUnknown() {
			need := func(v types.Int64, attr, want string) {
				switch {
				case want == strategy && v.IsNull():
					resp.Diagnostics.AddAttributeError(dp.AtName(attr), "Missing "+attr,
						fmt.Sprintf("deployment.%s is required when deployment.strategy is %q.", attr, strategy))
				case want != strategy && !v.IsNull():
					resp.Diagnostics.AddAttributeError(dp.AtName(attr), "Unexpected "+attr,
						fmt.Sprintf("deployment.%s applies only to strategy %q; the strategy is %q.", attr, want, strategy))
				}
			}
			need(d.CanaryPercent, "canary_percent", strategyCanary)
			need(d.LinearStepPercent, "linear_step_percent", strategyLinear)
		}
		known := !d.Strategy.IsUnknown() && !d.BakeSeconds.IsUnknown() && !d.TerminationWaitSeconds.IsUnknown() &&
			!d.LinearStepPercent.IsUnknown() && !d.MaxExecutionSeconds.IsUnknown()
		if known && !d.MaxExecutionSeconds.IsNull() {
			ds := deploymentSpec{
				Strategy: strategy, LinearStepPercent: d.LinearStepPercent.ValueInt64(),
				BakeSeconds:            int64OrDefault(d.BakeSeconds, DefaultBakeSeconds),
				TerminationWaitSeconds: d.TerminationWaitSeconds.ValueInt64(),
			}
			if minSec := ds.minExecutionSeconds(); d.MaxExecutionSeconds.ValueInt64() <= minSec {
				resp.Diagnostics.AddAttributeError(dp.AtName("max_execution_seconds"), "max_execution_seconds too small",
					fmt.Sprintf("SageMaker requires the deployment's maximum execution time to exceed its waits: with strategy %q, "+
						"bake_seconds %d and termination_wait_seconds %d they total %d seconds, but max_execution_seconds is %d.",
						strategy, ds.BakeSeconds, ds.TerminationWaitSeconds, minSec, d.MaxExecutionSeconds.ValueInt64()))
			}
		}
	}
	if !m.DataCapture.IsNull() && !m.DataCapture.IsUnknown() {
		c := n.DataCapture
		if c.Enabled.ValueBool() && c.S3URI.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("data_capture").AtName("s3_uri"), "Missing data_capture.s3_uri",
				"data_capture.s3_uri is required when data capture is enabled.")
		}
	}
}

// ModifyPlan fills the computed values that are known at plan time and runs
// the guardrails on the plan: an error finding refuses the plan with the
// control's ID.
func (r *endpointResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.AWS == nil {
		return // destroy, or the provider is not configured yet (validation)
	}
	var plan endpointModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if !plan.Name.IsUnknown() {
		name := plan.Name.ValueString()
		plan.ID = types.StringValue(name)
		plan.LogGroupName = types.StringValue(logGroupName(name))
		plan.AlarmNames = alarmNamesValue(alarms.EndpointAlarmNames(name))
	}
	known := fullyKnown(plan)
	plan.ModelName, plan.EndpointConfigName = types.StringUnknown(), types.StringUnknown()
	if known {
		s, diags := expandSpec(ctx, plan, r.data)
		resp.Diagnostics.Append(diags...)
		plan.ModelName = types.StringValue(s.versionName())
		plan.EndpointConfigName = plan.ModelName
	}

	nvme := facts.Unknown[bool]()
	if !plan.InstanceType.IsUnknown() {
		fact, ok, err := instanceFact(ctx, r.data.Posture, plan.InstanceType.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Checking the endpoint's guardrails failed", "Looking up instance type "+plan.InstanceType.ValueString()+": "+err.Error())
			return
		}
		if ok {
			nvme = facts.Known(fact.Found && fact.InstanceStorageSupported)
		}
	}
	subject, diags := planSubject(ctx, plan, r.data, nvme)
	resp.Diagnostics.Append(diags...)
	findings, err := evaluate.Run(ctx, fetcher{f: r.data.Posture}, r.data.Policy, subject)
	if err != nil {
		resp.Diagnostics.AddError("Checking the endpoint's guardrails failed",
			"sagesafe could not read the posture of the subnets, security groups, key or role it must check: "+err.Error())
		return
	}
	resp.Diagnostics.Append(findingDiagnostics(findings, subject)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Controls = types.ListUnknown(types.StringType)
	if known {
		plan.Controls = satisfiedList(subject, r.data.Policy, findings)
	}

	plan.InvokePolicyJSON = types.StringUnknown()
	if !plan.ARN.IsUnknown() && !plan.ARN.IsNull() && valueFullyKnown(plan.PrivateInvokeVPCEndpointIDs) {
		var vpce []string
		resp.Diagnostics.Append(plan.PrivateInvokeVPCEndpointIDs.ElementsAs(ctx, &vpce, false)...)
		doc, err := invokePolicy(plan.ARN.ValueString(), vpce)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("private_invoke_vpc_endpoint_ids"), "Cannot build the invoke policy", err.Error())
			return
		}
		plan.InvokePolicyJSON = types.StringValue(doc)
	}

	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	// A Failed endpoint cannot be updated: SageMaker only lets it be deleted.
	if !req.State.Raw.IsNull() {
		var status types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &status)...)
		if status.ValueString() == string(smtypes.EndpointStatusFailed) {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringValue(string(smtypes.EndpointStatusInService)))...)
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
			return
		}
	}
	// Any change ends with the endpoint InService again, but which status a
	// refresh sees is only known after the apply.
	// (The framework marks it unknown itself when a number differs only in
	// precision, which is no change.)
	if !req.State.Raw.IsNull() {
		status := types.StringUnknown()
		var prior types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("status"), &prior)...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), prior)...)
		if !planChanges(resp.Plan.Raw, req.State.Raw) {
			status = prior
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), status)...)
	}
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

func (r *endpointResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !nameRE.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import a sagesafe_endpoint by its endpoint name (1 to %d letters, digits and hyphens); got %q.", MaxNameLength, req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

func (r *endpointResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan endpointModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	limit, d := plan.Timeouts.Create(ctx, DefaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	s, diags := expandSpec(ctx, plan, r.data)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Values unknown at plan time are known now: run the guardrails again.
	nvme, subject, findings, ok := r.applyGuardrails(ctx, plan, s, &resp.Diagnostics)
	if !ok {
		return
	}
	version := s.versionName()
	tags := s.allTags(r.data)
	c := &cleanup{r: r, name: s.Name}

	// 1. The log group, encrypted, before SageMaker would create it.
	lg, err := loggroup.Ensure(ctx, r.data.AWS.Logs, loggroup.Spec{
		Name: logGroupName(s.Name), KMSKeyARN: s.KMSKeyARN, RetentionDays: int32(s.LogRetentionDays), Tags: tags,
	})
	if err != nil {
		resp.Diagnostics.AddError("Creating the endpoint's log group failed", err.Error())
		return
	}
	c.logGroup = lg.Created && !s.RetainLogs

	// 2-3. Model and endpoint configuration.
	createdModel, _, err := r.ensureModel(ctx, s, version, tags)
	c.models = appendIf(c.models, version, createdModel)
	if err != nil {
		c.fail(ctx, &resp.Diagnostics, "Creating the model failed", err)
		return
	}
	createdConfig, _, err := r.ensureConfig(ctx, s, version, nvme, tags)
	c.configs = appendIf(c.configs, version, createdConfig)
	if err != nil {
		c.fail(ctx, &resp.Diagnostics, "Creating the endpoint configuration failed", err)
		return
	}

	// 4. Alarms.
	vcpus := r.vcpus(ctx, s.InstanceType, resp.Private, &resp.Diagnostics)
	c.alarms = true
	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, s.alarmSpecs(vcpus, tags)); err != nil {
		c.fail(ctx, &resp.Diagnostics, "Creating the endpoint's alarms failed", err)
		return
	}

	// 5. The endpoint.
	ep, err := r.createOrAdopt(ctx, s, version, tags, c)
	if err != nil {
		c.fail(ctx, &resp.Diagnostics, "Creating the endpoint failed", err)
		return
	}
	// Persist what exists before the long wait: if the wait is interrupted,
	// the next run knows about the endpoint.
	state := plan
	state.ARN = types.StringValue(aws.ToString(ep.EndpointArn))
	state.Status = types.StringValue(string(ep.EndpointStatus))
	state.ModelName, state.EndpointConfigName = types.StringValue(version), types.StringValue(version)
	r.fillComputed(&state, s, subject, findings, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)

	ep, err = waitSettled(ctx, r.data.AWS.SageMaker, s.Name)
	switch {
	case errors.Is(err, errTimeout):
		resp.Diagnostics.AddError("Endpoint not in service in time",
			fmt.Sprintf("%v.\nThe endpoint is kept in the state (tainted): the next apply replaces it, or raise timeouts.create.", err))
		return
	case err != nil:
		resp.Diagnostics.AddError("Waiting for the endpoint failed", err.Error())
		return
	case ep.EndpointStatus == smtypes.EndpointStatusFailed:
		reason := orNone(aws.ToString(ep.FailureReason))
		c.endpoint = true
		c.subnets, c.groups = s.SubnetIDs, s.SecurityGroupIDs
		var done diag.Diagnostics
		c.run(ctx, &done)
		resp.State.RemoveResource(ctx)
		detail := fmt.Sprintf("SageMaker reports endpoint %s as Failed: %s\n\nsagesafe deleted what this apply created "+
			"(the endpoint, model %s, configuration %s and the alarms).", s.Name, reason, version, version)
		if lg.Created && s.RetainLogs {
			detail += fmt.Sprintf(" The log group %s was kept (retain_logs_on_destroy) with the container's logs.", logGroupName(s.Name))
		}
		resp.Diagnostics.AddError("Endpoint creation failed: "+reason, detail)
		resp.Diagnostics.Append(done...)
		return
	case ep.EndpointStatus != smtypes.EndpointStatusInService:
		resp.Diagnostics.AddError("Endpoint not in service",
			fmt.Sprintf("Endpoint %s is %s after creation (failure reason: %s).", s.Name, ep.EndpointStatus, orNone(aws.ToString(ep.FailureReason))))
		return
	}
	state.Status = types.StringValue(string(ep.EndpointStatus))
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *endpointResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state endpointModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	name := state.Name.ValueString()
	live, err := r.readLive(ctx, name)
	if IsNotFound(err) {
		tflog.Warn(ctx, "endpoint no longer exists, removing it from the state", map[string]any{"endpoint": name})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading endpoint "+name+" failed", err.Error())
		return
	}
	next, diags := r.refresh(ctx, state, live, req.Private, resp.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
}

func (r *endpointResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior endpointModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	limit, d := plan.Timeouts.Update(ctx, DefaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	s, diags := expandSpec(ctx, plan, r.data)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	nvme, subject, findings, ok := r.applyGuardrails(ctx, plan, s, &resp.Diagnostics)
	if !ok {
		return
	}
	old, diags := expandSpec(ctx, prior, r.data)
	resp.Diagnostics.Append(diags...)
	version := s.versionName()
	tags := s.allTags(r.data)
	oldTags := old.allTags(r.data)

	// In place: log group key, retention and tags; alarms.
	if err := r.updateLogGroup(ctx, s, tags, oldTags); err != nil {
		resp.Diagnostics.AddError("Updating the endpoint's log group failed", err.Error())
		return
	}
	vcpus := r.vcpus(ctx, s.InstanceType, resp.Private, &resp.Diagnostics)
	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, s.alarmSpecs(vcpus, tags)); err != nil {
		resp.Diagnostics.AddError("Updating the endpoint's alarms failed", err.Error())
		return
	}
	if err := r.retagAlarms(ctx, s.Name, tags, oldTags); err != nil {
		resp.Diagnostics.AddError("Tagging the endpoint's alarms failed", err.Error())
		return
	}

	ep, err := waitSettled(ctx, r.data.AWS.SageMaker, s.Name)
	if err != nil {
		resp.Diagnostics.AddError("Endpoint "+s.Name+" is not ready for an update", err.Error())
		return
	}
	if ep.EndpointStatus == smtypes.EndpointStatusFailed {
		resp.Diagnostics.AddError("Endpoint "+s.Name+" has failed",
			fmt.Sprintf("SageMaker cannot update a Failed endpoint (failure reason: %s). Replace it: terraform apply -replace=<address>.",
				orNone(aws.ToString(ep.FailureReason))))
		return
	}

	// The model and configuration for this spec always exist afterwards, even
	// when nothing rolls (one of them may have been deleted out of band).
	createdModel, modelARN, err := r.ensureModel(ctx, s, version, tags)
	if err != nil {
		resp.Diagnostics.AddError("Creating the model failed", err.Error())
		return
	}
	createdConfig, configARN, err := r.ensureConfig(ctx, s, version, nvme, tags)
	if err != nil {
		if createdModel && aws.ToString(ep.EndpointConfigName) != version {
			r.deleteVersions(ctx, s.Name, []string{version}, nil, &resp.Diagnostics)
		}
		resp.Diagnostics.AddError("Creating the endpoint configuration failed", err.Error())
		return
	}

	previous := aws.ToString(ep.EndpointConfigName)
	if previous != version {
		countChanged := prior.InstanceCount.ValueInt64() != plan.InstanceCount.ValueInt64()
		ep, err = r.rollout(ctx, s, version, countChanged)
		var rb *rollbackError
		switch {
		case errors.As(err, &rb):
			// Nothing of the new version serves: remove it, and record what does.
			var created []string
			if createdConfig || createdModel {
				created = []string{version}
			}
			r.deleteVersions(ctx, s.Name, created, created, &resp.Diagnostics)
			r.recordTruth(ctx, plan, resp)
			resp.Diagnostics.AddError(rb.summary(), rb.detail(logGroupName(s.Name)))
			return
		case err != nil:
			resp.Diagnostics.AddError("Updating endpoint "+s.Name+" failed", err.Error())
			if !errors.Is(err, errTimeout) {
				r.recordTruth(ctx, plan, resp)
			}
			return
		}
		// The switch is confirmed: the old version can go.
		stale := []string{previous}
		if p := prior.EndpointConfigName.ValueString(); p != previous {
			stale = append(stale, p)
		}
		models := append([]string{prior.ModelName.ValueString()}, stale...)
		r.deleteVersions(ctx, s.Name, filterOwn(s.Name, version, stale), filterOwn(s.Name, version, models), &resp.Diagnostics)
	}
	if err := r.retagSageMaker(ctx, []string{aws.ToString(ep.EndpointArn), modelARN, configARN}, tags, oldTags); err != nil {
		resp.Diagnostics.AddError("Tagging the endpoint failed", err.Error())
		return
	}

	state := plan
	state.ARN = types.StringValue(aws.ToString(ep.EndpointArn))
	state.Status = types.StringValue(string(ep.EndpointStatus))
	state.ModelName, state.EndpointConfigName = types.StringValue(version), types.StringValue(version)
	r.fillComputed(&state, s, subject, findings, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *endpointResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state endpointModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	limit, d := state.Timeouts.Delete(ctx, DefaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	name := state.Name.ValueString()
	n, diags := state.nested(ctx)
	resp.Diagnostics.Append(diags...)
	c := &cleanup{r: r, name: name, endpoint: true, alarms: true, logGroup: !state.RetainLogsOnDestroy.ValueBool()}
	resp.Diagnostics.Append(n.VPC.SubnetIDs.ElementsAs(ctx, &c.subnets, false)...)
	resp.Diagnostics.Append(n.VPC.SecurityGroupIDs.ElementsAs(ctx, &c.groups, false)...)
	for _, v := range []string{state.EndpointConfigName.ValueString(), state.ModelName.ValueString()} {
		if ownVersion(name, v) {
			c.configs = appendUnique(c.configs, v)
			c.models = appendUnique(c.models, v)
		}
	}
	c.run(ctx, &resp.Diagnostics)
}

// applyGuardrails evaluates the (now fully known) plan at apply time and
// reports error findings. It returns whether the instance type has NVMe
// storage and whether the apply may go on.
func (r *endpointResource) applyGuardrails(ctx context.Context, plan endpointModel, s spec, diags *diag.Diagnostics) (bool, *guardrail.Subject, []guardrail.Finding, bool) {
	fact, known, err := instanceFact(ctx, r.data.Posture, s.InstanceType)
	if err != nil {
		diags.AddError("Checking the endpoint's guardrails failed", "Looking up instance type "+s.InstanceType+": "+err.Error())
		return false, nil, nil, false
	}
	nvme := known && fact.Found && fact.InstanceStorageSupported
	subject, d := planSubject(ctx, plan, r.data, facts.Known(nvme))
	diags.Append(d...)
	findings, err := evaluate.Run(ctx, fetcher{f: r.data.Posture}, r.data.Policy, subject)
	if err != nil {
		diags.AddError("Checking the endpoint's guardrails failed", err.Error())
		return false, nil, nil, false
	}
	if guardrail.HasErrors(findings) {
		var errs []guardrail.Finding
		for _, f := range findings {
			if f.Severity != guardrail.SeverityWarning {
				errs = append(errs, f)
			}
		}
		diags.Append(findingDiagnostics(errs, subject)...)
		return false, nil, nil, false
	}
	return nvme, subject, findings, !diags.HasError()
}

// fillComputed sets the computed values that follow from the spec.
func (r *endpointResource) fillComputed(m *endpointModel, s spec, subject *guardrail.Subject, findings []guardrail.Finding, diags *diag.Diagnostics) {
	m.ID = types.StringValue(s.Name)
	m.LogGroupName = types.StringValue(logGroupName(s.Name))
	m.AlarmNames = alarmNamesValue(alarms.EndpointAlarmNames(s.Name))
	if m.Controls.IsUnknown() || m.Controls.IsNull() {
		m.Controls = satisfiedList(subject, r.data.Policy, findings)
	}
	doc, err := invokePolicy(m.ARN.ValueString(), s.VPCEndpointIDs)
	if err != nil {
		diags.AddError("Building the invoke policy failed", err.Error())
		return
	}
	m.InvokePolicyJSON = types.StringValue(doc)
}

// recordTruth refreshes the state from AWS after a failed rollout, so that
// it describes what really serves.
func (r *endpointResource) recordTruth(ctx context.Context, plan endpointModel, resp *resource.UpdateResponse) {
	live, err := r.readLive(ctx, plan.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddWarning("Could not refresh the endpoint after the failed update", err.Error())
		return
	}
	next, diags := r.refresh(ctx, plan, live, nil, resp.Private)
	for _, d := range diags {
		if d.Severity() == diag.SeverityError {
			resp.Diagnostics.AddWarning(d.Summary(), d.Detail())
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &next)...)
}

func invokePolicy(endpointARN string, vpce []string) (string, error) {
	doc, err := iampolicy.InvokePolicy(endpointARN, sorted(vpce))
	if err != nil {
		return "", err
	}
	return doc.JSON(), nil
}

func alarmNamesValue(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func orNone(s string) string {
	if s == "" {
		return "(none given)"
	}
	return s
}

func appendIf(list []string, v string, ok bool) []string {
	if ok {
		return appendUnique(list, v)
	}
	return list
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// filterOwn keeps the names this resource generated, other than keep.
func filterOwn(endpoint, keep string, names []string) []string {
	var out []string
	for _, n := range names {
		if n != keep && ownVersion(endpoint, n) {
			out = appendUnique(out, n)
		}
	}
	return out
}
