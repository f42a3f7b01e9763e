// Mapping the live job to the state.

package processingjob

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// clusterOf is the job's cluster, nil when SageMaker reports none.
func clusterOf(job *sagemaker.DescribeProcessingJobOutput) *smtypes.ProcessingClusterConfig {
	if job.ProcessingResources == nil {
		return nil
	}
	return job.ProcessingResources.ClusterConfig
}

// flattenStatus writes the job's computed status attributes into m.
func flattenStatus(m *model, job *sagemaker.DescribeProcessingJobOutput) {
	m.Name = types.StringValue(aws.ToString(job.ProcessingJobName))
	m.ID = m.Name
	m.ARN = types.StringValue(aws.ToString(job.ProcessingJobArn))
	m.Status = types.StringValue(string(job.ProcessingJobStatus))
	m.FailureReason = optString(job.FailureReason)
	m.ExitMessage = optString(job.ExitMessage)
	m.LogGroupName = types.StringValue(LogGroupName)
}

// flattenJob writes the live job into m, so that a changed job shows as a
// difference. Attributes the API does not return (wait_for_completion,
// timeouts, alarm settings, name_prefix) keep their prior values.
func flattenJob(ctx context.Context, m *model, job *sagemaker.DescribeProcessingJobOutput, liveTags, defaultTags map[string]string) diag.Diagnostics {
	var diags diag.Diagnostics
	flattenStatus(m, job)
	m.RoleARN = optString(job.RoleArn)
	if a := job.AppSpecification; a != nil {
		m.Image = optString(a.ImageUri)
		m.Entrypoint = optList(ctx, a.ContainerEntrypoint, &diags)
		m.Arguments = optList(ctx, a.ContainerArguments, &diags)
	}
	if len(job.Environment) > 0 || !m.Environment.IsNull() {
		m.Environment = types.MapNull(types.StringType)
		if len(job.Environment) > 0 {
			v, d := types.MapValueFrom(ctx, types.StringType, job.Environment)
			diags.Append(d...)
			m.Environment = v
		}
	}
	var ins, outs []attr.Value
	for _, in := range job.ProcessingInputs {
		if s := in.S3Input; s != nil {
			ins = append(ins, locationValue(aws.ToString(in.InputName), aws.ToString(s.S3Uri), aws.ToString(s.LocalPath)))
		}
	}
	m.KMSKeyARN = types.StringNull()
	if o := job.ProcessingOutputConfig; o != nil {
		m.KMSKeyARN = optString(o.KmsKeyId)
		for _, out := range o.Outputs {
			if s := out.S3Output; s != nil {
				outs = append(outs, locationValue(aws.ToString(out.OutputName), aws.ToString(s.S3Uri), aws.ToString(s.LocalPath)))
			}
		}
	}
	m.Inputs = types.ListNull(locationObjectType)
	if len(ins) > 0 {
		m.Inputs = types.ListValueMust(locationObjectType, ins)
	}
	m.Outputs = types.ListValueMust(locationObjectType, outs)
	if c := clusterOf(job); c != nil {
		m.InstanceType = types.StringValue(string(c.InstanceType))
		m.InstanceCount = optInt(c.InstanceCount)
		m.VolumeSizeGB = optInt(c.VolumeSizeInGB)
	}
	var vpc *smtypes.VpcConfig
	if job.NetworkConfig != nil {
		vpc = job.NetworkConfig.VpcConfig
	}
	m.VPC = sagemakerjob.FlattenVPC(ctx, vpc, m.VPC, &diags)
	m.MaxRuntimeSeconds = types.Int64Null()
	if sc := job.StoppingCondition; sc != nil {
		m.MaxRuntimeSeconds = optInt(sc.MaxRuntimeInSeconds)
	}
	m.Tags = flattenTags(ctx, liveTags, defaultTags, m.Tags, &diags)
	m.TagsAll = shared.TagsAll(nil, jobsOf(nil).WithoutManagedTags(liveTags))
	if m.WaitForCompletion.IsNull() || m.WaitForCompletion.IsUnknown() {
		m.WaitForCompletion = types.BoolValue(true)
	}
	return diags
}

func locationValue(name, uri, local string) attr.Value {
	return types.ObjectValueMust(locationAttrTypes, map[string]attr.Value{
		"name": types.StringValue(name), "s3_uri": types.StringValue(uri), "local_path": types.StringValue(local),
	})
}

// flattenTags returns the resource's own tags from the live tags (see
// shared.OwnTags), keeping a default tag the resource sets itself.
func flattenTags(ctx context.Context, live, defaults map[string]string, prior types.Map, diags *diag.Diagnostics) types.Map {
	var own map[string]string
	if !prior.IsNull() && !prior.IsUnknown() {
		diags.Append(prior.ElementsAs(ctx, &own, false)...)
	}
	out := shared.OwnTags(jobsOf(nil).WithoutManagedTags(live), defaults)
	for k := range own {
		if v, ok := live[k]; ok {
			out[k] = v
		}
	}
	if len(out) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.MapNull(types.StringType)
	}
	m, d := types.MapValueFrom(ctx, types.StringType, out)
	diags.Append(d...)
	return m
}

func optList(ctx context.Context, v []string, diags *diag.Diagnostics) types.List {
	if len(v) == 0 {
		return types.ListNull(types.StringType)
	}
	l, d := types.ListValueFrom(ctx, types.StringType, v)
	diags.Append(d...)
	return l
}
