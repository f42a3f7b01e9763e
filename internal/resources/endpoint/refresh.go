package endpoint

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
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
	refreshOtherVariants(out.Name.ValueString(), base.EndpointConfigName.ValueString(), l, &diags)
	refreshModel(&out, l, n, &diags)
	refreshKey(&out, l)
	refreshLogGroup(&out, l)
	refreshScaling(&out, base, l) // before the alarms: the at-maximum alarm follows its maximum
	refreshInstanceCount(&out, l)
	warnForeignScaling(name, out.Autoscaling.IsNull(), l, &diags)
	r.refreshAlarms(ctx, &out, base, n, l, getPriv, setPriv, &diags)
	if base.Deployment.IsNull() || base.Deployment.IsUnknown() {
		out.Deployment = flattenDeployment(l.ep.LastDeploymentConfig)
	}
	seen := shared.SeenTags(r.data, l.tags)
	out.Tags = flattenTags(seen, base.Tags, r.data.DefaultTags)
	out.TagsAll = flattenTagsAll(seen)
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

// refreshInstanceCount reads the count the variant runs into
// instance_count when it does not autoscale: a count set outside Terraform
// (UpdateEndpointWeightsAndCapacities) shows as a diff, and the apply sets
// it back (restoreInstanceCount). With autoscaling the count moves with the
// traffic, and instance_count stays the configuration's initial count
// unless the variant runs a count outside min_capacity..max_capacity (set
// outside Terraform: Application Auto Scaling does not promise to move it
// back): then it is the live count too, and the apply sets it back.
func refreshInstanceCount(out *endpointModel, l *liveObjects) {
	n := liveInstanceCount(l.ep)
	if !n.IsKnown() {
		return
	}
	if !out.Autoscaling.IsNull() {
		if lo, hi, ok := scalingRangeOf(out.Autoscaling); !ok || (n.V >= lo && n.V <= hi) {
			return
		}
	}
	out.InstanceCount = types.Int64Value(n.V)
}

// scalingRangeOf is the min and max capacity of an autoscaling attribute.
func scalingRangeOf(o types.Object) (lo, hi int64, ok bool) {
	if o.IsNull() || o.IsUnknown() {
		return 0, 0, false
	}
	var m autoscalingModel
	if d := o.As(context.Background(), &m, objectAsOptions); d.HasError() || m.MinCapacity.IsNull() || m.MaxCapacity.IsNull() {
		return 0, 0, false
	}
	return m.MinCapacity.ValueInt64(), m.MaxCapacity.ValueInt64(), true
}

// warnForeignScaling says what on the variant's scalable target sagesafe
// did not make (the diff of autoscaling_registered alone would not say).
func warnForeignScaling(name string, unscaled bool, l *liveObjects, diags *diag.Diagnostics) {
	parts := l.scaling.notOurs()
	if unscaled && l.scaling.target != nil {
		parts = append([]string{"a scalable target (the endpoint has no autoscaling block)"}, parts...)
	}
	if len(parts) == 0 {
		return
	}
	diags.AddWarning("Autoscaling of endpoint "+name+" was changed outside Terraform",
		fmt.Sprintf("The variant %s of endpoint %s has %s, which sagesafe did not make. They change how many instances it runs outside "+
			"the bounds the guardrails checked (SS-AVL-2); the next apply removes them.", VariantName, name, strings.Join(parts, ", ")))
}

// refreshOtherVariants warns about the variants of the live configuration
// sagesafe did not make: it makes one production variant (AllTraffic) and no
// shadow variant. The guardrails check each of them (variantFindings).
// prior is the configuration the state recorded.
func refreshOtherVariants(name, prior string, l *liveObjects, diags *diag.Diagnostics) {
	others := otherVariants(l.cfg)
	if len(others) == 0 {
		return
	}
	cfgName := aws.ToString(l.cfg.EndpointConfigName)
	list := make([]string, len(others))
	for i, v := range others {
		list[i] = v.describe()
	}
	next := "The next apply switches the endpoint back to the configuration sagesafe makes."
	if cfgName == prior {
		next = "The configuration has the name of the one sagesafe made, so it was replaced outside Terraform: " +
			"delete it, or replace the endpoint (terraform apply -replace=<address>)."
	}
	diags.AddWarning("Endpoint "+name+" serves variants sagesafe did not make",
		fmt.Sprintf("Endpoint configuration %s, which endpoint %s serves, has %s. sagesafe makes one production variant, %s, and no shadow variant; "+
			"the guardrails check every variant, and what fails is reported below. %s", cfgName, name, strings.Join(list, "; "), VariantName, next))
}

// liveVariant is a variant of the live endpoint configuration.
type liveVariant struct {
	shadow bool
	v      smtypes.ProductionVariant
}

func (lv liveVariant) label() string {
	kind := "production variant "
	if lv.shadow {
		kind = "shadow variant "
	}
	return kind + aws.ToString(lv.v.VariantName)
}

// describe says what the variant runs: "production variant B (model m,
// 1 x ml.m5.large)".
func (lv liveVariant) describe() string {
	runs := "serverless"
	if lv.v.InstanceType != "" {
		runs = fmt.Sprintf("%d x %s", aws.ToInt32(lv.v.InitialInstanceCount), lv.v.InstanceType)
	}
	return fmt.Sprintf("%s (model %s, %s)", lv.label(), aws.ToString(lv.v.ModelName), runs)
}

// otherVariants returns every variant of cfg but variant(cfg), the one the
// state describes: the other production variants and every shadow variant.
func otherVariants(cfg *sagemaker.DescribeEndpointConfigOutput) []liveVariant {
	primary := variant(cfg)
	if primary == nil {
		return nil
	}
	var out []liveVariant
	for i := range cfg.ProductionVariants {
		if &cfg.ProductionVariants[i] != primary {
			out = append(out, liveVariant{v: cfg.ProductionVariants[i]})
		}
	}
	for _, v := range cfg.ShadowProductionVariants {
		out = append(out, liveVariant{shadow: true, v: v})
	}
	return out
}

// readVariantModels describes the model of every production and shadow
// variant of cfg, once per model; a missing model maps to nil.
func readVariantModels(ctx context.Context, api SageMakerAPI, cfg *sagemaker.DescribeEndpointConfigOutput) (map[string]*sagemaker.DescribeModelOutput, error) {
	models := map[string]*sagemaker.DescribeModelOutput{}
	if cfg == nil {
		return models, nil
	}
	for _, v := range slices.Concat(cfg.ProductionVariants, cfg.ShadowProductionVariants) {
		name := aws.ToString(v.ModelName)
		if _, done := models[name]; done || name == "" {
			continue
		}
		m, err := findModel(ctx, api, name)
		if err != nil && !IsNotFound(err) {
			return nil, err
		}
		models[name] = m
	}
	return models, nil
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
	out.Alarms, out.AlarmNames = r.flattenAlarms(ctx, out.Name.ValueString(), base.Alarms, n.Alarms, l.alarms, vcpus, maxInstancesOf(ctx, out.Autoscaling, diags), diags)
}

// maxInstancesOf is max_capacity of an autoscaling value as refreshed; 0
// without autoscaling (then the endpoint has no at-maximum alarm).
func maxInstancesOf(ctx context.Context, o types.Object, diags *diag.Diagnostics) int64 {
	if o.IsNull() || o.IsUnknown() {
		return 0
	}
	var m autoscalingModel
	diags.Append(o.As(ctx, &m, objectAsOptions)...)
	return m.MaxCapacity.ValueInt64()
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
