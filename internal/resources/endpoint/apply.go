package endpoint

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// applyInput is what Create and Update build from: the plan's spec, the name
// of its model and configuration, the tags every object gets, and the
// guardrails' verdict on it.
type applyInput struct {
	spec    spec
	version string
	key     nameKey // the salt of the version name and the creation token
	// adopted: the endpoint exists, left by an interrupted apply, and this
	// create takes it up (see adoptInterrupted).
	adopted bool
	tags    map[string]string
	nvme    bool // the instance type has local NVMe storage
	// logKeyARN is the workload key's ARN for the log group: CloudWatch
	// Logs takes no alias or key ID, which kms_key_arn may be.
	logKeyARN string
	subject   *guardrail.Subject
	findings  []guardrail.Finding
}

// prepareApply expands the plan and runs the guardrails again: values
// unknown at plan time are known now. k is the resource's name key, prior
// the prior state (nil on create). It returns false when the apply must not
// go on.
func (r *endpointResource) prepareApply(ctx context.Context, plan endpointModel, k nameKey, prior *endpointModel, diags *diag.Diagnostics) (applyInput, bool) {
	s, d := expandSpec(ctx, plan, r.data)
	diags.Append(d...)
	if diags.HasError() {
		return applyInput{}, false
	}
	nvme, subject, findings, ok := r.applyGuardrails(ctx, plan, s, diags)
	if !ok {
		return applyInput{}, false
	}
	logKey, err := loggroup.KeyARN(s.KMSKeyARN, resolvedKey(subject, s.KMSKeyARN))
	if err != nil {
		diags.AddAttributeError(path.Root("kms_key_arn"), "Cannot encrypt the endpoint's log group with kms_key_arn", err.Error())
		return applyInput{}, false
	}
	version := r.versionOf(ctx, s, k, prior)
	return applyInput{spec: s, version: version, key: k, tags: s.allTags(r.data), nvme: nvme, logKeyARN: logKey, subject: subject, findings: findings}, true
}

// versionOf is the version name of s under k, given the prior state (nil
// on create; see spec.versionName).
func (r *endpointResource) versionOf(ctx context.Context, s spec, k nameKey, prior *endpointModel) string {
	if prior == nil || !fullyKnown(*prior) {
		return s.versionName(k, nil, "")
	}
	ps, d := expandSpec(ctx, *prior, r.data)
	if d.HasError() {
		return s.versionName(k, nil, "")
	}
	return s.versionName(k, &ps, prior.EndpointConfigName.ValueString())
}

// resolvedKey is the ARN the guardrails' key lookup found for ref ("" when
// it was not looked up or not found): the same lookup that checked the key.
func resolvedKey(s *guardrail.Subject, ref string) string {
	if k, ok := s.Facts.Keys[ref]; ok && k.Found {
		return k.ARN
	}
	return ""
}

// logGroupSpec is the endpoint's log group as an apply makes it.
func (a applyInput) logGroupSpec() loggroup.Spec {
	s := a.spec
	return loggroup.Spec{Name: logGroupName(s.Name), KMSKeyARN: a.logKeyARN, RetentionDays: int32(s.LogRetentionDays), Tags: a.tags}
}

// provision creates, in order, the log group, model, endpoint configuration,
// alarms and the endpoint, recording in c what it made so that a failure
// removes it again.
func (r *endpointResource) provision(ctx context.Context, a applyInput, c *cleanup, priv privateState, diags *diag.Diagnostics) (loggroup.Result, *sagemaker.DescribeEndpointOutput, bool) {
	s, version := a.spec, a.version

	// 1. The log group, encrypted, before SageMaker would create it.
	r.data.Reads.ForgetLogGroup(logGroupName(s.Name)) // reads in this command ask AWS again
	lg, err := loggroup.Ensure(ctx, r.data.AWS.Logs, a.logGroupSpec())
	if err != nil {
		diags.AddError("Creating the endpoint's log group failed", err.Error())
		return lg, nil, false
	}
	c.logGroup = lg.Created && !s.RetainLogs

	// 2-3. Model and endpoint configuration.
	createdModel, _, err := r.ensureModel(ctx, s, version, a.key, a.tags)
	c.models = appendIf(c.models, version, createdModel)
	if err != nil {
		c.fail(ctx, diags, "Creating the model failed", err)
		return lg, nil, false
	}
	createdConfig, _, err := r.ensureConfig(ctx, s, version, a.nvme, a.key, a.tags)
	c.configs = appendIf(c.configs, version, createdConfig)
	if err != nil {
		c.fail(ctx, diags, "Creating the endpoint configuration failed", err)
		return lg, nil, false
	}

	// 4. Alarms.
	vcpus := r.vcpus(ctx, s.InstanceType, priv, diags)
	c.alarms = true
	r.data.Reads.ForgetAlarms(alarmNames(s.Name)...)
	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, s.alarmSpecs(vcpus, a.tags)); err != nil {
		c.fail(ctx, diags, "Creating the endpoint's alarms failed", err)
		return lg, nil, false
	}

	// 5. The endpoint.
	ep, err := r.createOrAdopt(ctx, a, c)
	if err != nil {
		c.fail(ctx, diags, "Creating the endpoint failed", err)
		return lg, nil, false
	}
	return lg, ep, true
}

// awaitInService waits for a new endpoint to leave Creating. When SageMaker
// reports it Failed, it deletes what this apply created, removes the
// resource from the state and reports SageMaker's FailureReason verbatim; on
// timeout the endpoint stays in the state (tainted).
func (r *endpointResource) awaitInService(ctx context.Context, a applyInput, c *cleanup, logGroupCreated bool, resp *resource.CreateResponse) (*sagemaker.DescribeEndpointOutput, bool) {
	s, version := a.spec, a.version
	ep, err := waitAfterCreate(ctx, r.data.AWS.SageMaker, s.Name)
	switch {
	case errors.Is(err, errTimeout):
		resp.Diagnostics.AddError("Endpoint not in service in time",
			fmt.Sprintf("%v.\nThe endpoint is kept in the state (tainted): the next apply replaces it, or raise timeouts.create.", err))
		return nil, false
	case err != nil:
		// Not an error: the endpoint exists (CreateEndpoint succeeded), and
		// an error would taint it, so the next apply would recreate it.
		resp.Diagnostics.AddWarning("Reading endpoint "+s.Name+" after creation failed",
			err.Error()+"\nThe endpoint was created and is recorded in the state; the next refresh reads it.")
		return nil, false
	case ep.EndpointStatus == smtypes.EndpointStatusFailed:
		reason := orNone(aws.ToString(ep.FailureReason))
		c.endpoint = true
		c.subnets, c.groups = s.SubnetIDs, s.SecurityGroupIDs
		var done diag.Diagnostics
		c.run(ctx, &done)
		resp.State.RemoveResource(ctx)
		detail := fmt.Sprintf("SageMaker reports endpoint %s as Failed: %s\n\nsagesafe deleted what this apply created "+
			"(the endpoint, model %s, configuration %s and the alarms).", s.Name, reason, version, version)
		if logGroupCreated && s.RetainLogs {
			detail += fmt.Sprintf(" The log group %s was kept (retain_logs_on_destroy) with the container's logs.", logGroupName(s.Name))
		}
		resp.Diagnostics.AddError("Endpoint creation failed: "+reason, detail)
		resp.Diagnostics.Append(done...)
		return nil, false
	case ep.EndpointStatus != smtypes.EndpointStatusInService:
		resp.Diagnostics.AddError("Endpoint not in service",
			fmt.Sprintf("Endpoint %s is %s after creation (failure reason: %s).", s.Name, ep.EndpointStatus, orNone(aws.ToString(ep.FailureReason))))
		return nil, false
	}
	return ep, true
}

// appliedState is the state an apply ends with: the plan, what AWS assigned,
// and the computed values that follow from the spec.
func (r *endpointResource) appliedState(plan endpointModel, a applyInput, ep *sagemaker.DescribeEndpointOutput, diags *diag.Diagnostics) endpointModel {
	state := plan
	state.ARN = types.StringValue(aws.ToString(ep.EndpointArn))
	state.Status = types.StringValue(string(ep.EndpointStatus))
	state.ModelName, state.EndpointConfigName = types.StringValue(a.version), types.StringValue(a.version)
	r.fillComputed(&state, a.spec, a.subject, a.findings, diags)
	return state
}

// fillComputed sets the computed values that follow from the spec.
func (r *endpointResource) fillComputed(m *endpointModel, s spec, subject *guardrail.Subject, findings []guardrail.Finding, diags *diag.Diagnostics) {
	m.ID = types.StringValue(s.Name)
	m.TagsAll = tfval.Map(r.data.MergeTags(s.Tags))
	m.LogGroupName = types.StringValue(logGroupName(s.Name))
	m.AlarmNames = tfval.Map(alarmNameMap(s.Name, s.Scaling != nil))
	m.ScalingRegistered = types.BoolValue(s.Scaling != nil)
	if m.Controls.IsUnknown() || m.Controls.IsNull() || m.ControlStates.IsUnknown() || m.ControlStates.IsNull() {
		states := guardrail.States(subject, r.data.Policy, findings, nil).Forecast()
		m.Controls, m.ControlStates = tfval.List(states.Held()), tfval.Map(states.Strings())
	}
	doc, err := invokePolicy(m.ARN.ValueString(), s.VPCEndpointIDs)
	if err != nil {
		diags.AddError("Building the invoke policy failed", err.Error())
		return
	}
	m.InvokePolicyJSON = types.StringValue(doc)
}
