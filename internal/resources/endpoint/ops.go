package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

// ensureModel creates the model of a version unless it exists (a retried
// apply adopts its own model: the name carries the hash of its settings).
// A model of that name without network isolation was changed outside
// sagesafe and is recreated.
func (r *endpointResource) ensureModel(ctx context.Context, s spec, name string, tags map[string]string) (created bool, arn string, err error) {
	sm := r.data.AWS.SageMaker
	m, err := findModel(ctx, sm, name)
	switch {
	case err == nil && aws.ToBool(m.EnableNetworkIsolation):
		return false, aws.ToString(m.ModelArn), nil
	case err == nil:
		tflog.Warn(ctx, "model exists without network isolation; recreating it", map[string]any{"model": name})
		if _, err := sm.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(name)}); err != nil && !sageMakerNotFound(err) {
			return false, "", fmt.Errorf("deleting model %s (no network isolation): %w", name, err)
		}
	case !IsNotFound(err):
		return false, "", err
	}
	out, err := sm.CreateModel(ctx, s.createModelInput(name, tags))
	if err != nil {
		// A retried request whose first attempt succeeded reports that the
		// model exists: it is this apply's.
		if m, ferr := findModel(ctx, sm, name); ferr == nil && aws.ToBool(m.EnableNetworkIsolation) {
			return true, aws.ToString(m.ModelArn), nil
		}
		return false, "", fmt.Errorf("creating model %s: %w", name, err)
	}
	return true, aws.ToString(out.ModelArn), nil
}

// ensureConfig creates the endpoint configuration of a version unless it
// exists (configurations are immutable; the name carries their hash).
func (r *endpointResource) ensureConfig(ctx context.Context, s spec, name string, nvme bool, tags map[string]string) (created bool, arn string, err error) {
	sm := r.data.AWS.SageMaker
	cfg, err := findEndpointConfig(ctx, sm, name)
	switch {
	case err == nil:
		return false, aws.ToString(cfg.EndpointConfigArn), nil
	case !IsNotFound(err):
		return false, "", err
	}
	out, err := sm.CreateEndpointConfig(ctx, s.createConfigInput(name, name, nvme, tags))
	if err != nil {
		if cfg, ferr := findEndpointConfig(ctx, sm, name); ferr == nil { // a retry of a request that succeeded
			return true, aws.ToString(cfg.EndpointConfigArn), nil
		}
		return false, "", fmt.Errorf("creating endpoint configuration %s: %w", name, err)
	}
	return true, aws.ToString(out.EndpointConfigArn), nil
}

// createOrAdopt creates the endpoint. An endpoint of that name that this
// resource started creating in an apply that was killed before it could
// record it (it carries the owner tag and is still Creating) is adopted and
// waited for. Any other endpoint of that name is an error: adopting an
// InService one could hand a create_before_destroy replacement the very
// endpoint its old instance is about to delete.
func (r *endpointResource) createOrAdopt(ctx context.Context, s spec, version string, tags map[string]string, c *cleanup) (*sagemaker.DescribeEndpointOutput, error) {
	sm := r.data.AWS.SageMaker
	ep, err := findEndpoint(ctx, sm, s.Name)
	switch {
	case IsNotFound(err):
	case err != nil:
		return nil, err
	default:
		out, err := sm.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: ep.EndpointArn, MaxResults: aws.Int32(100)})
		if err != nil {
			return nil, fmt.Errorf("listing the tags of existing endpoint %s: %w", s.Name, err)
		}
		ours := tagMap(out.Tags)[ownerTagKey] == s.Name
		if ours && ep.EndpointStatus == smtypes.EndpointStatusCreating && aws.ToString(ep.EndpointConfigName) == version {
			tflog.Info(ctx, "adopting the endpoint an interrupted apply was creating", map[string]any{"endpoint": s.Name})
			c.endpoint = true
			c.subnets, c.groups = s.SubnetIDs, s.SecurityGroupIDs
			return ep, nil
		}
		return nil, fmt.Errorf("an endpoint named %s already exists (status %s); import it with terraform import <address> %s, "+
			"delete it, or choose another name", s.Name, ep.EndpointStatus, s.Name)
	}
	out, err := sm.CreateEndpoint(ctx, &sagemaker.CreateEndpointInput{
		EndpointName:       aws.String(s.Name),
		EndpointConfigName: aws.String(version),
		Tags:               sageMakerTags(tags),
	})
	if err != nil {
		// A retried request whose first attempt succeeded reports that the
		// endpoint exists. There was none a moment ago, so one serving this
		// apply's configuration is the one just asked for.
		ep, ferr := findEndpoint(ctx, sm, s.Name)
		if ferr != nil || aws.ToString(ep.EndpointConfigName) != version {
			return nil, fmt.Errorf("creating endpoint %s: %w", s.Name, err)
		}
		out = &sagemaker.CreateEndpointOutput{EndpointArn: ep.EndpointArn}
	}
	c.endpoint = true
	c.subnets, c.groups = s.SubnetIDs, s.SecurityGroupIDs
	return &sagemaker.DescribeEndpointOutput{
		EndpointName: aws.String(s.Name), EndpointArn: out.EndpointArn,
		EndpointConfigName: aws.String(version), EndpointStatus: smtypes.EndpointStatusCreating,
	}, nil
}

// rolloutSettleDelay is how long rollout waits before its first look, so
// that it never mistakes the state before the update for its result.
var rolloutSettleDelay = 5 * time.Second

// rollout switches the endpoint to a version with a blue/green deployment
// and waits for the result. It keeps all variant properties (an autoscaled
// instance count survives) except data capture, which always follows the
// configuration, and the instance count when the user changed it. When the
// endpoint ends up serving anything but the version, it returns a
// *rollbackError.
func (r *endpointResource) rollout(ctx context.Context, s spec, version string, countChanged bool) (*sagemaker.DescribeEndpointOutput, error) {
	sm := r.data.AWS.SageMaker
	exclude := []smtypes.VariantProperty{{VariantPropertyType: smtypes.VariantPropertyTypeDataCaptureConfig}}
	if countChanged {
		exclude = append(exclude, smtypes.VariantProperty{VariantPropertyType: smtypes.VariantPropertyTypeDesiredInstanceCount})
	}
	_, err := sm.UpdateEndpoint(ctx, &sagemaker.UpdateEndpointInput{
		EndpointName:                     aws.String(s.Name),
		EndpointConfigName:               aws.String(version),
		DeploymentConfig:                 s.deploymentConfig(),
		RetainAllVariantProperties:       aws.Bool(true),
		ExcludeRetainedVariantProperties: exclude,
	})
	if err != nil {
		// A retried request whose first attempt succeeded is refused because
		// the endpoint is updating: to this version, it is ours.
		ep, ferr := findEndpoint(ctx, sm, s.Name)
		if ferr != nil || ep.PendingDeploymentSummary == nil || aws.ToString(ep.PendingDeploymentSummary.EndpointConfigName) != version {
			return nil, fmt.Errorf("UpdateEndpoint to configuration %s: %w", version, err)
		}
	}
	t := time.NewTimer(rolloutSettleDelay)
	select {
	case <-ctx.Done():
		t.Stop()
		return nil, fmt.Errorf("endpoint %s update: %w", s.Name, errTimeout)
	case <-t.C:
	}
	var b backoff
	var ep *sagemaker.DescribeEndpointOutput
	for {
		ep, err = findEndpoint(ctx, sm, s.Name)
		if err != nil {
			return nil, err
		}
		if !pending(ep.EndpointStatus) && ep.PendingDeploymentSummary == nil {
			break
		}
		if err := b.wait(ctx); err != nil {
			return ep, fmt.Errorf("endpoint %s is still %s after the update to %s: %w; the update goes on in SageMaker, and the next apply checks its result",
				s.Name, ep.EndpointStatus, version, err)
		}
	}
	serving := aws.ToString(ep.EndpointConfigName)
	if serving != version {
		return ep, &rollbackError{endpoint: s.Name, requested: version, serving: serving, status: ep.EndpointStatus,
			reason: aws.ToString(ep.FailureReason), alarms: rollbackAlarmNames(s.Name)}
	}
	if ep.EndpointStatus != smtypes.EndpointStatusInService {
		return ep, fmt.Errorf("endpoint %s is %s after the update to %s (failure reason: %s)", s.Name, ep.EndpointStatus, version, orNone(aws.ToString(ep.FailureReason)))
	}
	return ep, nil
}

// rollbackError says that SageMaker did not switch to the requested
// configuration: it rolled the update back (or the update failed), and the
// endpoint serves the configuration it had.
type rollbackError struct {
	endpoint, requested, serving string
	status                       smtypes.EndpointStatus
	reason                       string
	alarms                       []string
}

func (e *rollbackError) Error() string {
	return fmt.Sprintf("endpoint %s serves configuration %s, not %s", e.endpoint, e.serving, e.requested)
}

func (e *rollbackError) summary() string {
	return fmt.Sprintf("SageMaker rolled back the update of endpoint %s", e.endpoint)
}

func (e *rollbackError) detail(logGroup string) string {
	return fmt.Sprintf("UpdateEndpoint asked for configuration %s, but when the update ended the endpoint was %s on its previous "+
		"configuration %s. SageMaker's failure reason: %s.\n\n"+
		"SageMaker rolls an update back when an alarm of its AutoRollbackConfiguration (%s) fires during the baking period, "+
		"or when the new instances do not become healthy. Nothing of the new version serves: sagesafe deleted the model and "+
		"configuration it had created for it, and the state describes what serves now. Look at those alarms and at the "+
		"container logs in %s, fix the cause and apply again.",
		e.requested, e.status, e.serving, orNone(e.reason), strings.Join(e.alarms, ", "), logGroup)
}

// deleteVersions deletes models and endpoint configurations; failures are
// warnings (the objects are left over, nothing serves from them).
func (r *endpointResource) deleteVersions(ctx context.Context, endpoint string, configs, models []string, diags *diag.Diagnostics) {
	sm := r.data.AWS.SageMaker
	for _, n := range configs {
		if _, err := sm.DeleteEndpointConfig(ctx, &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(n)}); err != nil && !sageMakerNotFound(err) {
			diags.AddWarning("Could not delete endpoint configuration "+n, fmt.Sprintf("It belongs to endpoint %s and serves nothing: %v", endpoint, err))
		}
	}
	for _, n := range models {
		if _, err := sm.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(n)}); err != nil && !sageMakerNotFound(err) {
			diags.AddWarning("Could not delete model "+n, fmt.Sprintf("It belongs to endpoint %s and serves nothing: %v", endpoint, err))
		}
	}
}

// cleanup removes what a failed create made, or everything on destroy.
type cleanup struct {
	r               *endpointResource
	name            string
	endpoint        bool
	subnets, groups []string
	configs, models []string
	alarms          bool
	logGroup        bool
}

// fail reports err and removes what was created, with a context of its own
// (the apply's may have run out).
func (c *cleanup) fail(ctx context.Context, diags *diag.Diagnostics, summary string, err error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultDeleteTimeout)
	defer cancel()
	var done diag.Diagnostics
	c.run(cctx, &done)
	diags.AddError(summary, err.Error()+"\n\nsagesafe removed what this apply had created for the endpoint.")
	diags.Append(done...)
}

func (c *cleanup) run(ctx context.Context, diags *diag.Diagnostics) {
	r := c.r
	sm := r.data.AWS.SageMaker
	if c.endpoint {
		ep, err := findEndpoint(ctx, sm, c.name)
		switch {
		case IsNotFound(err):
		case err != nil:
			diags.AddError("Deleting endpoint "+c.name+" failed", err.Error())
			return
		default:
			if aws.ToString(ep.EndpointConfigName) != "" && ownVersion(c.name, aws.ToString(ep.EndpointConfigName)) {
				c.configs = appendUnique(c.configs, aws.ToString(ep.EndpointConfigName))
				c.models = appendUnique(c.models, aws.ToString(ep.EndpointConfigName))
			}
			if pending(ep.EndpointStatus) && ep.EndpointStatus != smtypes.EndpointStatusDeleting {
				if ep, err = waitSettled(ctx, sm, c.name); err != nil {
					diags.AddError("Deleting endpoint "+c.name+" failed", "It did not leave its transition: "+err.Error())
					return
				}
			}
			instances := 0
			for _, v := range ep.ProductionVariants {
				instances += int(aws.ToInt32(v.CurrentInstanceCount))
			}
			before, err := sageMakerENIs(ctx, r.data.AWS.EC2, c.subnets, c.groups)
			if err != nil {
				diags.AddWarning("Could not list the endpoint's network interfaces", err.Error())
			}
			if _, err := sm.DeleteEndpoint(ctx, &sagemaker.DeleteEndpointInput{EndpointName: aws.String(c.name)}); err != nil && !sageMakerNotFound(err) {
				diags.AddError("Deleting endpoint "+c.name+" failed", err.Error())
				return
			}
			if err := waitGone(ctx, sm, c.name); err != nil {
				diags.AddError("Deleting endpoint "+c.name+" failed", err.Error())
				return
			}
			left, err := waitENIsReleased(ctx, r.data.AWS.EC2, before, instances, c.subnets, c.groups)
			switch {
			case len(left) > 0:
				diags.AddWarning("Network interfaces of endpoint "+c.name+" are still there",
					fmt.Sprintf("The endpoint is deleted, but SageMaker network interfaces %s in its subnets and security groups were not "+
						"released before the delete timeout. They may belong to another endpoint sharing them, or SageMaker may still be "+
						"releasing them; deleting the subnets or security groups fails with DependencyViolation until they are gone.",
						strings.Join(left, ", ")))
			case err != nil && !errors.Is(err, errTimeout):
				diags.AddWarning("Could not check the endpoint's network interfaces", err.Error())
			}
		}
	}
	r.deleteVersions(ctx, c.name, c.configs, c.models, diags)
	if c.alarms {
		if err := alarms.Delete(ctx, r.data.AWS.CloudWatch, alarmNames(c.name)); err != nil {
			diags.AddError("Deleting the alarms of endpoint "+c.name+" failed", err.Error())
		}
	}
	if c.logGroup {
		if err := loggroup.Delete(ctx, r.data.AWS.Logs, logGroupName(c.name)); err != nil {
			diags.AddError("Deleting the log group of endpoint "+c.name+" failed", err.Error())
		}
	}
}

// privateState is the part of the framework's private state used here.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

const vcpusKey = "vcpus"

type vcpusRecord struct {
	InstanceType string `json:"instance_type"`
	VCPUs        int    `json:"vcpus"`
}

// vcpus returns the vCPU count of an instance type (the CPU alarm's
// threshold scales with it). It is kept in the resource's private state, so
// a refresh does not look it up again; it falls back to 1 when EC2 does not
// know the type.
func (r *endpointResource) vcpus(ctx context.Context, instanceType string, priv privateState, diags *diag.Diagnostics) int {
	if priv != nil {
		if b, d := priv.GetKey(ctx, vcpusKey); !d.HasError() && len(b) > 0 {
			var rec vcpusRecord
			if json.Unmarshal(b, &rec) == nil && rec.InstanceType == instanceType && rec.VCPUs > 0 {
				return rec.VCPUs
			}
		}
	}
	n := 1
	out, err := r.data.AWS.EC2.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{
		InstanceTypes: []ec2types.InstanceType{ec2types.InstanceType(strings.TrimPrefix(instanceType, "ml."))},
	})
	if err == nil && len(out.InstanceTypes) == 1 && out.InstanceTypes[0].VCpuInfo != nil {
		n = int(aws.ToInt32(out.InstanceTypes[0].VCpuInfo.DefaultVCpus))
	} else {
		tflog.Warn(ctx, "vCPU count unknown; the CPU alarm assumes 1", map[string]any{"instance_type": instanceType, "error": fmt.Sprint(err)})
	}
	if n < 1 {
		n = 1
	}
	if priv != nil {
		b, _ := json.Marshal(vcpusRecord{InstanceType: instanceType, VCPUs: n})
		diags.Append(priv.SetKey(ctx, vcpusKey, b)...)
	}
	return n
}

// updateLogGroup brings the log group's key, retention and tags to the spec.
func (r *endpointResource) updateLogGroup(ctx context.Context, s spec, tags, oldTags map[string]string) error {
	name := logGroupName(s.Name)
	if _, err := loggroup.Ensure(ctx, r.data.AWS.Logs, loggroup.Spec{Name: name, KMSKeyARN: s.KMSKeyARN, RetentionDays: int32(s.LogRetentionDays), Tags: tags}); err != nil {
		return err
	}
	if removed := removedKeys(oldTags, tags); len(removed) > 0 {
		a := r.data.AWS
		arn := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", a.Partition, a.Region, a.AccountID, name)
		if _, err := a.Logs.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: removed}); err != nil {
			return fmt.Errorf("untagging log group %s: %w", name, err)
		}
	}
	return nil
}

// retagAlarms applies tag changes to existing alarms (PutMetricAlarm ignores
// the tags of an alarm that exists).
func (r *endpointResource) retagAlarms(ctx context.Context, endpoint string, tags, oldTags map[string]string) error {
	if maps.Equal(tags, oldTags) {
		return nil
	}
	a := r.data.AWS
	removed := removedKeys(oldTags, tags)
	for _, name := range alarmNames(endpoint) {
		arn := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", a.Partition, a.Region, a.AccountID, name)
		var cwTags []cwtypes.Tag
		for _, k := range sortedKeys(tags) {
			cwTags = append(cwTags, cwtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
		}
		if _, err := a.CloudWatch.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(arn), Tags: cwTags}); err != nil {
			return fmt.Errorf("tagging alarm %s: %w", name, err)
		}
		if len(removed) > 0 {
			if _, err := a.CloudWatch.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: removed}); err != nil {
				return fmt.Errorf("untagging alarm %s: %w", name, err)
			}
		}
	}
	return nil
}

// retagSageMaker applies tag changes to SageMaker objects.
func (r *endpointResource) retagSageMaker(ctx context.Context, arns []string, tags, oldTags map[string]string) error {
	if maps.Equal(tags, oldTags) {
		return nil
	}
	sm := r.data.AWS.SageMaker
	removed := removedKeys(oldTags, tags)
	for _, arn := range arns {
		if arn == "" {
			continue
		}
		if _, err := sm.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(arn), Tags: sageMakerTags(tags)}); err != nil {
			return fmt.Errorf("tagging %s: %w", arn, err)
		}
		if len(removed) > 0 {
			if _, err := sm.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(arn), TagKeys: removed}); err != nil {
				return fmt.Errorf("untagging %s: %w", arn, err)
			}
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string { return providerdata.SortedKeys(m) }

func removedKeys(old, cur map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(old) {
		if _, ok := cur[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

func tagMap(tags []smtypes.Tag) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}
