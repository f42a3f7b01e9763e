package endpoint

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// This file is the update sequence: what changes in place (log group,
// alarms, tags), then the blue/green switch to a new model and endpoint
// configuration, its rollback and the retirement of the old version.

// updateInPlace applies what changes without a rollout: the log group's
// key, retention and tags, and the alarms and their tags.
func (r *endpointResource) updateInPlace(ctx context.Context, a applyInput, oldTags map[string]string, priv privateState, diags *diag.Diagnostics) bool {
	s := a.spec
	if err := r.updateLogGroup(ctx, a, oldTags); err != nil {
		diags.AddError("Updating the endpoint's log group failed", err.Error())
		return false
	}
	vcpus := r.vcpus(ctx, s.InstanceType, priv, diags)
	r.data.Reads.ForgetAlarms(alarmNames(s.Name)...) // reads in this command ask AWS again
	if err := alarms.Put(ctx, r.data.AWS.CloudWatch, s.alarmSpecs(vcpus, a.tags)); err != nil {
		diags.AddError("Updating the endpoint's alarms failed", err.Error())
		return false
	}
	if s.Scaling == nil {
		// Without autoscaling the count is instance_count, fixed: an
		// at-maximum alarm left from before would call it a maximum reached.
		if err := alarms.Delete(ctx, r.data.AWS.CloudWatch, scalingAlarmNames(s.Name)); err != nil {
			diags.AddError("Deleting the endpoint's autoscaling alarms failed", err.Error())
			return false
		}
	}
	if err := r.retagAlarms(ctx, s, a.tags, oldTags); err != nil {
		diags.AddError("Tagging the endpoint's alarms failed", err.Error())
		return false
	}
	return true
}

// readyForUpdate waits until the endpoint is out of any transition. A Failed
// endpoint cannot be updated: it must be replaced.
func (r *endpointResource) readyForUpdate(ctx context.Context, name string, diags *diag.Diagnostics) (*sagemaker.DescribeEndpointOutput, bool) {
	ep, err := waitSettled(ctx, r.data.AWS.SageMaker, name)
	if err != nil {
		diags.AddError("Endpoint "+name+" is not ready for an update", err.Error())
		return nil, false
	}
	if ep.EndpointStatus == smtypes.EndpointStatusFailed {
		diags.AddError("Endpoint "+name+" has failed",
			fmt.Sprintf("SageMaker cannot update a Failed endpoint (failure reason: %s). Replace it: terraform apply -replace=<address>.",
				orNone(aws.ToString(ep.FailureReason))))
		return nil, false
	}
	return ep, true
}

// versionObjects are the model and endpoint configuration of a version, and
// whether this apply created them.
type versionObjects struct {
	createdModel, createdConfig bool
	modelARN, configARN         string
}

// ensureVersion makes sure the model and configuration of the spec exist,
// even when nothing rolls (one of them may have been deleted out of band).
// serving is the configuration the endpoint serves now.
func (r *endpointResource) ensureVersion(ctx context.Context, a applyInput, serving string, diags *diag.Diagnostics) (versionObjects, bool) {
	var v versionObjects
	var err error
	v.createdModel, v.modelARN, err = r.ensureModel(ctx, a.spec, a.version, a.key, a.tags)
	if err != nil {
		diags.AddError("Creating the model failed", err.Error())
		return v, false
	}
	v.createdConfig, v.configARN, err = r.ensureConfig(ctx, a.spec, a.version, a.nvme, a.key, a.tags)
	if err != nil {
		if v.createdModel && serving != a.version {
			// The configuration was not created: only the model this apply
			// just made is left, and it serves nothing.
			r.deleteVersions(ctx, a.spec.Name, &a.key, nil, []string{a.version}, diags)
		}
		diags.AddError("Creating the endpoint configuration failed", err.Error())
		return v, false
	}
	return v, true
}

// rollForward switches the endpoint from the previous configuration to the
// spec's version. When SageMaker rolls back, nothing of the new version
// serves: it is removed and the state records what does. Once the switch is
// confirmed the old version is deleted.
func (r *endpointResource) rollForward(ctx context.Context, a applyInput, v versionObjects, previous string, prior, plan endpointModel, resp *resource.UpdateResponse) (*sagemaker.DescribeEndpointOutput, bool) {
	s, version := a.spec, a.version
	countChanged := prior.InstanceCount.ValueInt64() != plan.InstanceCount.ValueInt64()
	ep, err := r.rollout(ctx, s, version, countChanged)
	var rb *rollbackError
	switch {
	case errors.As(err, &rb):
		// Nothing of the new version serves: remove it, and record what does.
		var created []string
		if v.createdConfig || v.createdModel {
			created = []string{version}
		}
		r.deleteVersions(ctx, s.Name, &a.key, created, created, &resp.Diagnostics)
		r.recordTruth(ctx, plan, resp)
		resp.Diagnostics.AddError(rb.summary(), rb.detail(logGroupName(s.Name)))
		return nil, false
	case err != nil:
		resp.Diagnostics.AddError("Updating endpoint "+s.Name+" failed", err.Error())
		if !errors.Is(err, errTimeout) {
			r.recordTruth(ctx, plan, resp)
		}
		return nil, false
	}
	// The switch is confirmed: the old version can go.
	stale := []string{previous}
	if p := prior.EndpointConfigName.ValueString(); p != previous {
		stale = append(stale, p)
	}
	models := append([]string{prior.ModelName.ValueString()}, stale...)
	r.deleteVersions(ctx, s.Name, &a.key, filterOwn(s.Name, version, stale), filterOwn(s.Name, version, models), &resp.Diagnostics)
	return ep, true
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
		// the endpoint is updating to this version, or (a quick update) is
		// refused as a no-op because it already serves it: either way the
		// update is ours.
		ep, ferr := findEndpoint(ctx, sm, s.Name)
		pendingOurs := ferr == nil && ep.PendingDeploymentSummary != nil && aws.ToString(ep.PendingDeploymentSummary.EndpointConfigName) == version
		if ferr != nil || !pendingOurs && aws.ToString(ep.EndpointConfigName) != version {
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
	ep, err := waitDeployed(ctx, sm, s.Name, version)
	if err != nil {
		return ep, err
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

// waitDeployed polls the endpoint until the deployment has ended: its
// status is no longer a transition and no deployment is pending.
//
// This is not the SDK's EndpointInService waiter: InService does not mean the
// update worked. A rollback also ends InService, on the previous
// configuration, and the caller tells the two apart by the configuration that
// serves; on Failed the waiter drops the description, and with it the
// FailureReason the caller reports verbatim; and the poll also waits for
// PendingDeploymentSummary to clear.
func waitDeployed(ctx context.Context, api SageMakerAPI, name, version string) (*sagemaker.DescribeEndpointOutput, error) {
	var b backoff
	for {
		ep, err := findEndpoint(ctx, api, name)
		if err != nil {
			return nil, err
		}
		if !pending(ep.EndpointStatus) && ep.PendingDeploymentSummary == nil {
			return ep, nil
		}
		if err := b.wait(ctx); err != nil {
			return ep, fmt.Errorf("endpoint %s is still %s after the update to %s: %w; the update goes on in SageMaker, and the next apply checks its result",
				name, ep.EndpointStatus, version, err)
		}
	}
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

// recordTruth refreshes the state from AWS after a failed rollout, so that
// it describes what really serves.
func (r *endpointResource) recordTruth(ctx context.Context, plan endpointModel, resp *resource.UpdateResponse) {
	// Read directly: this follows the update's own writes.
	live, err := r.readLive(ctx, plan.Name.ValueString(), nil)
	if err == nil {
		live.scaling, err = r.readScaling(ctx, plan.Name.ValueString(), nil)
	}
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

// updateLogGroup brings the log group's key, retention and tags to the spec.
func (r *endpointResource) updateLogGroup(ctx context.Context, a applyInput, oldTags map[string]string) error {
	name := logGroupName(a.spec.Name)
	r.data.Reads.ForgetLogGroup(name)
	if _, err := loggroup.Ensure(ctx, r.data.AWS.Logs, a.logGroupSpec()); err != nil {
		return err
	}
	if removed := shared.RemovedTagKeys(r.data, oldTags, a.tags); len(removed) > 0 {
		logGroupARN := r.arn("logs", "log-group:"+name)
		if _, err := r.data.AWS.Logs.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(logGroupARN), TagKeys: removed}); err != nil {
			return fmt.Errorf("untagging log group %s: %w", name, err)
		}
	}
	return nil
}

// retagAlarms applies tag changes to existing alarms (PutMetricAlarm ignores
// the tags of an alarm that exists).
func (r *endpointResource) retagAlarms(ctx context.Context, s spec, tags, oldTags map[string]string) error {
	if maps.Equal(tags, oldTags) {
		return nil
	}
	cw := r.data.AWS.CloudWatch
	removed := shared.RemovedTagKeys(r.data, oldTags, tags)
	cwTags := shared.TagList(tags, func(k, v *string) cwtypes.Tag { return cwtypes.Tag{Key: k, Value: v} })
	for _, name := range slices.Sorted(maps.Values(alarmNameMap(s.Name, s.Scaling != nil))) {
		alarmARN := r.arn("cloudwatch", "alarm:"+name)
		if _, err := cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(alarmARN), Tags: cwTags}); err != nil {
			return fmt.Errorf("tagging alarm %s: %w", name, err)
		}
		if len(removed) > 0 {
			if _, err := cw.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String(alarmARN), TagKeys: removed}); err != nil {
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
	removed := shared.RemovedTagKeys(r.data, oldTags, tags)
	for _, resourceARN := range arns {
		if resourceARN == "" {
			continue
		}
		r.data.Reads.ForgetEndpointTags(resourceARN) // the endpoint's tag reads in this command call ListTags (a no-op for the model and config)
		if _, err := sm.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(resourceARN), Tags: sageMakerTags(tags)}); err != nil {
			return fmt.Errorf("tagging %s: %w", resourceARN, err)
		}
		if len(removed) > 0 {
			if _, err := sm.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: aws.String(resourceARN), TagKeys: removed}); err != nil {
				return fmt.Errorf("untagging %s: %w", resourceARN, err)
			}
		}
	}
	return nil
}

// arn is the ARN of an object of this account and region (the alarms and the
// log group, whose tagging calls want an ARN).
func (r *endpointResource) arn(service, resource string) string {
	a := r.data.AWS
	return arn.ARN{Partition: a.Partition, Service: service, Region: a.Region, AccountID: a.AccountID, Resource: resource}.String()
}
