package posture

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// AssessLogGroup turns a DescribeLogGroups entry into a LogGroupFact.
func AssessLogGroup(lg logstypes.LogGroup) facts.LogGroupFact {
	return facts.LogGroupFact{
		Name:          aws.ToString(lg.LogGroupName),
		Found:         true,
		KMSKeyARN:     aws.ToString(lg.KmsKeyId),
		RetentionDays: int64(aws.ToInt32(lg.RetentionInDays)),
	}
}
