// The monitoring job as sagesafe sends it, and as read back from a live
// schedule.

package modelmonitor

import (
	"context"
	"maps"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// job is the monitoring job of in, reading the captures under captureDest.
func (r *monitorResource) job(in inputs, captureDest string, nvme bool) monitorspec.Job {
	tags := sagemakerjob.MergedTags(r.data, in.Tags).V
	if tags == nil {
		tags = map[string]string{}
	}
	tags[ownerTagKey] = in.Name.V
	return monitorspec.Job{
		Monitor: in.Name.V, Endpoint: in.Endpoint.V, RoleARN: in.RoleARN.V, Image: in.Image.V,
		Instance: in.InstanceType.V, Count: int32(in.InstanceCount.V), VolumeGB: int32(in.VolumeSizeGB.V),
		KMSKeyARN: in.KMSKey.V, VolumeKey: !nvme && in.KMSKey.V != "",
		SubnetIDs: in.SubnetIDs.V, SecurityGroupIDs: in.SecurityGroupIDs.V, MaxRuntimeSeconds: int32(in.MaxRuntimeSeconds.V),
		CaptureURI: captureDest, ConstraintsURI: in.Constraints.V, StatisticsURI: in.Statistics.V, OutputURI: in.Output.V,
		Tags: tags, Quality: in.Quality,
	}
}

// flattenRequest writes a live run's request into m's attributes, so a
// setting changed outside Terraform shows in the plan.
func (r *monitorResource) flattenRequest(ctx context.Context, m *model, req *sagemaker.CreateProcessingJobInput, diags *diag.Diagnostics) {
	if ep := req.Environment["sagemaker_endpoint_name"]; ep != "" {
		m.EndpointName = types.StringValue(ep)
	}
	m.RoleARN = sagemakerjob.OptString(req.RoleArn)
	if a := req.AppSpecification; a != nil {
		m.Image = sagemakerjob.OptString(a.ImageUri)
	}
	if pr := req.ProcessingResources; pr != nil && pr.ClusterConfig != nil {
		c := pr.ClusterConfig
		m.InstanceType = types.StringValue(string(c.InstanceType))
		m.InstanceCount, m.VolumeSizeGB = sagemakerjob.OptInt(c.InstanceCount), sagemakerjob.OptInt(c.VolumeSizeInGB)
	}
	m.KMSKeyARN = types.StringNull()
	if o := req.ProcessingOutputConfig; o != nil {
		m.KMSKeyARN = sagemakerjob.OptString(o.KmsKeyId)
		if len(o.Outputs) > 0 && o.Outputs[0].S3Output != nil {
			m.OutputS3URI = sagemakerjob.OptString(o.Outputs[0].S3Output.S3Uri)
		}
	}
	m.MaxRuntimeSeconds = types.Int64Null()
	if sc := req.StoppingCondition; sc != nil {
		m.MaxRuntimeSeconds = sagemakerjob.OptInt(sc.MaxRuntimeInSeconds)
	}
	var vpc *smtypes.VpcConfig
	if nc := req.NetworkConfig; nc != nil {
		vpc = nc.VpcConfig
	}
	m.VPC = sagemakerjob.FlattenVPC(ctx, vpc, m.VPC, diags)
	for _, in := range req.ProcessingInputs {
		if in.S3Input == nil {
			continue
		}
		switch aws.ToString(in.InputName) {
		case "baseline_constraints":
			m.BaselineConstraintsURI = sagemakerjob.OptString(in.S3Input.S3Uri)
		case "baseline_statistics":
			m.BaselineStatisticsURI = sagemakerjob.OptString(in.S3Input.S3Uri)
		}
	}
	flattenQuality(m, req)
	live := map[string]string{}
	for _, t := range req.Tags {
		if k := aws.ToString(t.Key); k != ownerTagKey && !shared.IsAWSTag(k) {
			live[k] = aws.ToString(t.Value)
		}
	}
	live = shared.SeenTags(r.data, live)
	m.TagsAll = tfval.Map(live)
	own := shared.OwnTags(live, r.data.DefaultTags)
	if len(own) > 0 || !m.Tags.IsNull() {
		m.Tags, _ = types.MapValueFrom(ctx, types.StringType, own)
	}
}

// liveForced overwrites the forced settings of s with the live run's.
func liveForced(s *guardrail.Subject, req *sagemaker.CreateProcessingJobInput) {
	s.NetworkIsolation, s.InterContainerEncryption = facts.Known(false), facts.Known(false)
	if nc := req.NetworkConfig; nc != nil {
		s.NetworkIsolation = facts.Known(aws.ToBool(nc.EnableNetworkIsolation))
		s.InterContainerEncryption = facts.Known(aws.ToBool(nc.EnableInterContainerTrafficEncryption))
		if nc.VpcConfig == nil {
			s.SubnetIDs, s.SecurityGroupIDs = facts.Null[[]string](), facts.Null[[]string]()
		}
	}
	s.VolumeKMSKeyARN = facts.Null[string]()
	if pr := req.ProcessingResources; pr != nil && pr.ClusterConfig != nil && aws.ToString(pr.ClusterConfig.VolumeKmsKeyId) != "" {
		s.VolumeKMSKeyARN = facts.Known(aws.ToString(pr.ClusterConfig.VolumeKmsKeyId))
	}
}

// inputDrift names the top-level members in which the live input differs
// from the one sagesafe sends (forced settings, environment, capture input,
// paths); empty when they are the same request.
func inputDrift(want, got string) []string {
	if monitorspec.SameInput(want, got) {
		return nil
	}
	w, errW := monitorspec.ParseTargetInput(want)
	g, errG := monitorspec.ParseTargetInput(got)
	if errW != nil || errG != nil {
		return []string{"the schedule's target input is not the CreateProcessingJob request sagesafe sends"}
	}
	members := map[string][2]any{
		"NetworkConfig": {w.NetworkConfig, g.NetworkConfig}, "Environment": {w.Environment, g.Environment},
		"ProcessingInputs": {w.ProcessingInputs, g.ProcessingInputs}, "ProcessingOutputConfig": {w.ProcessingOutputConfig, g.ProcessingOutputConfig},
		"ProcessingResources": {w.ProcessingResources, g.ProcessingResources}, "ProcessingJobName": {w.ProcessingJobName, g.ProcessingJobName},
		"Tags": {w.Tags, g.Tags}, "StoppingCondition": {w.StoppingCondition, g.StoppingCondition},
		"AppSpecification": {w.AppSpecification, g.AppSpecification}, "RoleArn": {w.RoleArn, g.RoleArn},
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(members)) {
		pair := members[k]
		a, _ := monitorspec.Compact(pair[0])
		b, _ := monitorspec.Compact(pair[1])
		if a != b {
			out = append(out, "the schedule's target input has another "+k+" than sagesafe sends")
		}
	}
	if len(out) == 0 {
		out = []string{"the schedule's target input is not the CreateProcessingJob request sagesafe sends"}
	}
	sort.Strings(out)
	return out
}
