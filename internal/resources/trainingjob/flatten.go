// Mapping the live job to the state.

package trainingjob

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// flattenStatus writes the job's computed status attributes into m.
func flattenStatus(m *model, job *sagemaker.DescribeTrainingJobOutput) {
	m.Name = types.StringValue(aws.ToString(job.TrainingJobName))
	m.ID = m.Name
	m.ARN = types.StringValue(aws.ToString(job.TrainingJobArn))
	m.Status = types.StringValue(string(job.TrainingJobStatus))
	m.SecondaryStatus = types.StringValue(string(job.SecondaryStatus))
	m.FailureReason = optString(job.FailureReason)
	m.ModelArtifactsS3URI = types.StringNull()
	// The emulator (and SageMaker for some stopped jobs) names an artifact
	// before one exists; it is only reported once the job has completed.
	if job.TrainingJobStatus == smtypes.TrainingJobStatusCompleted && job.ModelArtifacts != nil {
		m.ModelArtifactsS3URI = optString(job.ModelArtifacts.S3ModelArtifacts)
	}
	m.TrainingSeconds = optInt(job.TrainingTimeInSeconds)
	m.BillableSeconds = optInt(job.BillableTimeInSeconds)
	m.LogGroupName = types.StringValue(LogGroupName)
}

// flattenJob writes the live job into m: its inputs as SageMaker reports
// them, normalised so that a plan right after apply is empty (server-filled
// defaults and extras are not differences), plus its status. Attributes the
// API does not return (wait_for_completion, timeouts, alarm settings, an
// environment the API omits) keep their prior values.
func flattenJob(ctx context.Context, m *model, job *sagemaker.DescribeTrainingJobOutput, liveTags, defaultTags map[string]string) diag.Diagnostics {
	var diags diag.Diagnostics
	flattenStatus(m, job)
	m.RoleARN = optString(job.RoleArn)
	if as := job.AlgorithmSpecification; as != nil {
		m.Image = optString(as.TrainingImage)
	}
	m.InputChannels = flattenChannels(job, &diags)

	m.OutputS3URI, m.KMSKeyARN = types.StringNull(), types.StringNull()
	if o := job.OutputDataConfig; o != nil {
		m.OutputS3URI = optString(o.S3OutputPath)
		m.KMSKeyARN = optString(o.KmsKeyId)
	}
	m.CheckpointS3URI = types.StringNull()
	if c := job.CheckpointConfig; c != nil {
		m.CheckpointS3URI = optString(c.S3Uri)
	}
	if rc := job.ResourceConfig; rc != nil {
		m.InstanceType = types.StringValue(string(rc.InstanceType))
		m.InstanceCount = optInt(rc.InstanceCount)
		m.VolumeSizeGB = optInt(rc.VolumeSizeInGB)
	}
	m.VPC = flattenVPC(ctx, job.VpcConfig, m.VPC, &diags)

	spot := aws.ToBool(job.EnableManagedSpotTraining)
	m.UseSpot = types.BoolValue(spot)
	m.MaxRuntimeSeconds, m.MaxWaitSeconds = types.Int64Null(), types.Int64Null()
	if sc := job.StoppingCondition; sc != nil {
		m.MaxRuntimeSeconds = optInt(sc.MaxRuntimeInSeconds)
		if spot {
			m.MaxWaitSeconds = optInt(sc.MaxWaitTimeInSeconds)
		}
	}
	m.Hyperparameters = flattenStringMap(ctx, job.HyperParameters, m.Hyperparameters, true, &diags)
	m.Environment = flattenStringMap(ctx, job.Environment, m.Environment, false, &diags)
	m.Tags = flattenTags(ctx, liveTags, defaultTags, m.Tags, &diags)
	m.TagsAll = shared.TagsAll(nil, jobsOf(nil).WithoutManagedTags(liveTags))
	if m.WaitForCompletion.IsNull() || m.WaitForCompletion.IsUnknown() {
		m.WaitForCompletion = types.BoolValue(true)
	}
	return diags
}

// flattenChannels reads the input channels, with the job's input mode and
// the default distribution where a channel reports none.
func flattenChannels(job *sagemaker.DescribeTrainingJobOutput, diags *diag.Diagnostics) types.List {
	defaultMode := DefaultInputMode
	if as := job.AlgorithmSpecification; as != nil && as.TrainingInputMode != "" {
		defaultMode = string(as.TrainingInputMode)
	}
	chans := make([]attr.Value, 0, len(job.InputDataConfig))
	for _, c := range job.InputDataConfig {
		uri, dist := "", DefaultDistribution
		if c.DataSource != nil && c.DataSource.S3DataSource != nil {
			uri = aws.ToString(c.DataSource.S3DataSource.S3Uri)
			if d := c.DataSource.S3DataSource.S3DataDistributionType; d != "" {
				dist = string(d)
			}
		}
		mode := defaultMode
		if c.InputMode != "" {
			mode = string(c.InputMode)
		}
		obj, d := types.ObjectValue(channelAttrTypes, map[string]attr.Value{
			"name":         types.StringValue(aws.ToString(c.ChannelName)),
			"s3_uri":       types.StringValue(uri),
			"content_type": optString(c.ContentType),
			"input_mode":   types.StringValue(mode),
			"distribution": types.StringValue(dist),
		})
		diags.Append(d...)
		chans = append(chans, obj)
	}
	list, d := types.ListValue(channelObjectType, chans)
	diags.Append(d...)
	return list
}

// flattenStringMap reads a map the API returns. An empty live map keeps an
// empty prior value. With serverExtras (hyperparameters), keys SageMaker
// adds on its own, as built-in algorithms do, are not a difference when
// every configured key is there with its value; an empty live map with a
// non-empty prior is read as empty (drift). Without serverExtras
// (environment), an empty live map keeps the prior value: the API may omit
// the map (the emulator does not store environments).
func flattenStringMap(ctx context.Context, live map[string]string, prior types.Map, serverExtras bool, diags *diag.Diagnostics) types.Map {
	var p map[string]string
	priorKnown := !prior.IsNull() && !prior.IsUnknown()
	if priorKnown {
		diags.Append(prior.ElementsAs(ctx, &p, false)...)
	}
	if len(live) == 0 {
		if priorKnown && (len(p) == 0 || !serverExtras) {
			// Nothing to compare with (an API that does not return the map)
			// or an empty map in both: keep what was configured.
			return prior
		}
		return types.MapNull(types.StringType)
	}
	if priorKnown && serverExtras {
		subset := true
		for k, v := range p {
			if lv, ok := live[k]; !ok || lv != v {
				subset = false
				break
			}
		}
		if subset {
			return prior
		}
	}
	m, d := types.MapValueFrom(ctx, types.StringType, live)
	diags.Append(d...)
	return m
}

// flattenTags returns the resource's own tags from the live tags: AWS's own
// (aws:*) are dropped, and so are default_tags that the resource does not
// set itself.
func flattenTags(ctx context.Context, live, defaults map[string]string, prior types.Map, diags *diag.Diagnostics) types.Map {
	var own map[string]string
	if !prior.IsNull() && !prior.IsUnknown() {
		diags.Append(prior.ElementsAs(ctx, &own, false)...)
	}
	out := map[string]string{}
	for k, v := range jobsOf(nil).WithoutManagedTags(live) {
		if dv, isDefault := defaults[k]; isDefault && dv == v {
			if _, mine := own[k]; !mine {
				continue
			}
		}
		out[k] = v
	}
	if len(out) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.MapNull(types.StringType)
	}
	m, d := types.MapValueFrom(ctx, types.StringType, out)
	diags.Append(d...)
	return m
}
