package endpoint

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// refresh turns the live objects into the next state, starting from base
// (the prior state, or the plan after a failed update) for what AWS does not
// say, and re-runs the guardrails on the live objects: error findings become
// warnings (drift), and the controls they break drop out of `controls`.
func (r *endpointResource) refresh(ctx context.Context, base endpointModel, l *liveObjects, getPriv, setPriv privateState) (endpointModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	n, d := base.nested(ctx)
	diags.Append(d...)
	out := base
	name := aws.ToString(l.ep.EndpointName)
	out.ID, out.Name = types.StringValue(name), types.StringValue(name)
	out.ARN = types.StringValue(aws.ToString(l.ep.EndpointArn))
	out.Status = types.StringValue(string(l.ep.EndpointStatus))
	out.EndpointConfigName = types.StringValue(aws.ToString(l.ep.EndpointConfigName))
	if out.RetainLogsOnDestroy.IsNull() {
		out.RetainLogsOnDestroy = types.BoolValue(true)
	}

	refreshVariant(&out, l, n, base.DataCapture.IsNull(), &diags)
	refreshModel(&out, l, n, &diags)
	refreshKey(&out, l)
	refreshLogGroup(&out, l)
	r.refreshAlarms(ctx, &out, base, n, l, getPriv, setPriv, &diags)
	if base.Deployment.IsNull() || base.Deployment.IsUnknown() {
		out.Deployment = flattenDeployment(l.ep.LastDeploymentConfig)
	}
	out.Tags = flattenTags(l.tags, base.Tags, r.data.DefaultTags)
	refreshInvokePolicy(ctx, &out, base, &diags)
	out.Controls, out.ControlStates = r.liveGuardrails(ctx, out, l, &diags)
	return out, diags
}

// refreshVariant reads the endpoint configuration: the variant and data
// capture. A configuration deleted out of band is a warning; the next apply
// creates it again.
func refreshVariant(out *endpointModel, l *liveObjects, n nestedModels, captureNull bool, diags *diag.Diagnostics) {
	v := variant(l.cfg)
	if v == nil {
		name := out.Name.ValueString()
		diags.AddWarning("Endpoint configuration of "+name+" is missing",
			fmt.Sprintf("Endpoint %s serves configuration %s, which no longer exists (it was deleted outside Terraform). "+
				"The next apply creates the configuration sagesafe expects and switches the endpoint to it.", name, aws.ToString(l.ep.EndpointConfigName)))
		if out.ModelName.IsNull() || out.ModelName.IsUnknown() {
			out.ModelName = types.StringValue("")
		}
		return
	}
	out.ModelName = types.StringValue(aws.ToString(v.ModelName))
	out.InstanceType = types.StringValue(string(v.InstanceType))
	out.InstanceCount = types.Int64Value(int64(aws.ToInt32(v.InitialInstanceCount)))
	out.DataCapture = flattenDataCapture(l.cfg.DataCaptureConfig, n.DataCapture, captureNull)
}

// refreshModel reads the model: image, artifacts, environment, role and
// network. A model deleted out of band is a warning; the next apply creates
// it again.
func refreshModel(out *endpointModel, l *liveObjects, n nestedModels, diags *diag.Diagnostics) {
	if l.model == nil {
		if v := variant(l.cfg); v != nil {
			name := out.Name.ValueString()
			diags.AddWarning("Model of "+name+" is missing",
				fmt.Sprintf("Model %s, which endpoint %s serves, no longer exists (it was deleted outside Terraform). The next apply creates it again.",
					aws.ToString(v.ModelName), name))
		}
		return
	}
	c := l.model.PrimaryContainer
	if c == nil && len(l.model.Containers) > 0 {
		c = &l.model.Containers[0]
	}
	mm := modelSpecModel{Image: n.Model.Image, ModelDataS3URI: n.Model.ModelDataS3URI, Environment: n.Model.Environment}
	if c != nil {
		mm.Image = types.StringValue(aws.ToString(c.Image))
		mm.ModelDataS3URI = optionalString(aws.ToString(c.ModelDataUrl))
		mm.Environment = types.MapNull(types.StringType)
		if len(c.Environment) > 0 || (!n.Model.Environment.IsNull() && len(n.Model.Environment.Elements()) == 0) {
			mm.Environment = tfval.Map(c.Environment)
		}
	}
	out.Model = objectOf(modelAttrTypes, map[string]attr.Value{
		"image": mm.Image, "model_data_s3_uri": mm.ModelDataS3URI, "environment": mm.Environment,
	}, diags)
	out.RoleARN = types.StringValue(aws.ToString(l.model.ExecutionRoleArn))
	var subnets, groups []string
	if l.model.VpcConfig != nil {
		subnets, groups = l.model.VpcConfig.Subnets, l.model.VpcConfig.SecurityGroupIds
	}
	out.VPC = objectOf(vpcAttrTypes, map[string]attr.Value{
		"subnet_ids": tfval.Set(subnets), "security_group_ids": tfval.Set(groups),
	}, diags)
}

// refreshKey keeps the workload key from the configuration; on import, it
// is taken from the objects it encrypts.
func refreshKey(out *endpointModel, l *liveObjects) {
	if !out.KMSKeyARN.IsNull() {
		return
	}
	for _, k := range []string{cfgKey(l.cfg), captureKey(l.cfg), logGroupKey(l.logGroup)} {
		if k != "" {
			out.KMSKeyARN = types.StringValue(k)
			return
		}
	}
}

// refreshLogGroup reads the log group's name and retention (the name is
// empty when the group is missing).
func refreshLogGroup(out *endpointModel, l *liveObjects) {
	out.LogGroupName = types.StringValue("")
	if lg := l.logGroup; lg != nil {
		out.LogGroupName = types.StringValue(aws.ToString(lg.LogGroupName))
		out.LogRetentionDays = types.Int64Value(int64(aws.ToInt32(lg.RetentionInDays)))
	} else if out.LogRetentionDays.IsNull() {
		out.LogRetentionDays = types.Int64Value(DefaultLogRetentionDays)
	}
}

// refreshAlarms reads thresholds and actions as they are; alarm_names lists
// the alarms that exist as specified.
func (r *endpointResource) refreshAlarms(ctx context.Context, out *endpointModel, base endpointModel, n nestedModels, l *liveObjects, getPriv, setPriv privateState, diags *diag.Diagnostics) {
	vcpus := 1
	if instanceType := out.InstanceType.ValueString(); instanceType != "" {
		vcpus = r.vcpusCached(ctx, instanceType, getPriv, setPriv, diags)
	}
	out.Alarms, out.AlarmNames = r.flattenAlarms(ctx, out.Name.ValueString(), base.Alarms, n.Alarms, l.alarms, vcpus, diags)
}

// refreshInvokePolicy rebuilds the invoke policy for the endpoint's ARN.
func refreshInvokePolicy(ctx context.Context, out *endpointModel, base endpointModel, diags *diag.Diagnostics) {
	var vpce []string
	diags.Append(base.PrivateInvokeVPCEndpointIDs.ElementsAs(ctx, &vpce, false)...)
	doc, err := invokePolicy(out.ARN.ValueString(), vpce)
	if err != nil {
		out.InvokePolicyJSON = types.StringValue("")
		diags.AddWarning("Cannot build the invoke policy of "+out.Name.ValueString(), err.Error())
		return
	}
	out.InvokePolicyJSON = types.StringValue(doc)
}
