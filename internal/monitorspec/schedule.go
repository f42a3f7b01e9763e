package monitorspec

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// IsCron reports whether expr is one of the cron forms Model Monitor
// accepts (it takes no rate expressions).
func IsCron(expr string) bool { return cronHourly.MatchString(expr) || cronDaily.MatchString(expr) }

// MonitoringSchedule is the Model Monitor engine's schedule: a DataQuality
// schedule with an inline job definition that carries the forced settings,
// reading the endpoint's captured data itself (Model Monitor finds it from
// the endpoint). Only publish_cloudwatch_metrics is set in its environment:
// Model Monitor fills in the analyzer's other variables.
func (j Job) MonitoringSchedule(expr string) *smtypes.MonitoringScheduleConfig {
	return &smtypes.MonitoringScheduleConfig{
		MonitoringType: smtypes.MonitoringTypeDataQuality,
		ScheduleConfig: &smtypes.ScheduleConfig{ScheduleExpression: aws.String(expr)},
		MonitoringJobDefinition: &smtypes.MonitoringJobDefinition{
			BaselineConfig: &smtypes.MonitoringBaselineConfig{
				ConstraintsResource: &smtypes.MonitoringConstraintsResource{S3Uri: aws.String(j.ConstraintsURI)},
				StatisticsResource:  &smtypes.MonitoringStatisticsResource{S3Uri: aws.String(j.StatisticsURI)},
			},
			MonitoringAppSpecification: &smtypes.MonitoringAppSpecification{ImageUri: aws.String(j.Image)},
			MonitoringInputs: []smtypes.MonitoringInput{{EndpointInput: &smtypes.EndpointInput{
				EndpointName: aws.String(j.Endpoint), LocalPath: aws.String(captureDir),
				S3InputMode: smtypes.ProcessingS3InputModeFile, S3DataDistributionType: smtypes.ProcessingS3DataDistributionTypeFullyreplicated,
			}}},
			MonitoringOutputConfig: &smtypes.MonitoringOutputConfig{
				KmsKeyId: aws.String(j.KMSKeyARN),
				MonitoringOutputs: []smtypes.MonitoringOutput{{S3Output: &smtypes.MonitoringS3Output{
					S3Uri: aws.String(j.OutputURI), LocalPath: aws.String(outputDir), S3UploadMode: smtypes.ProcessingS3UploadModeEndOfJob,
				}}},
			},
			MonitoringResources: &smtypes.MonitoringResources{ClusterConfig: &smtypes.MonitoringClusterConfig{
				InstanceType: smtypes.ProcessingInstanceType(j.Instance), InstanceCount: aws.Int32(j.Count),
				VolumeSizeInGB: aws.Int32(j.VolumeGB), VolumeKmsKeyId: j.volumeKey(),
			}},
			NetworkConfig:     j.network(),
			RoleArn:           aws.String(j.RoleARN),
			StoppingCondition: &smtypes.MonitoringStoppingCondition{MaxRuntimeInSeconds: aws.Int32(j.MaxRuntimeSeconds)},
			Environment:       map[string]string{"publish_cloudwatch_metrics": "Enabled"},
		},
	}
}
