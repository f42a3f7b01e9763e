package audittrail

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// clients are the AWS clients a trail needs, and who and where the caller is.
type clients struct {
	ct   *cloudtrail.Client
	s3   *s3.Client
	logs *cloudwatchlogs.Client
	cw   *cloudwatch.Client
	iam  *iam.Client

	partition, region, account string
	// tags are the provider's tag settings: tag updates leave the keys
	// ignore_tags names.
	tags shared.TagSettings
	// boundary is the provider's role_permissions_boundary_arn (SS-IAM-5).
	boundary string
}

func (r *trailResource) clients() clients {
	a := r.data.AWS
	return clients{ct: a.CloudTrail, s3: a.S3, logs: a.Logs, cw: a.CloudWatch, iam: a.IAM,
		partition: a.Partition, region: a.Region, account: a.AccountID, tags: r.data,
		boundary: r.data.Policy.RoleBoundaryARN}
}

// AWS error codes this package acts on (CloudTrail's and S3's SDK error
// types carry the same codes; tfawserr matches either).
const (
	codeTrailNotFound        = "TrailNotFoundException"
	codeTrailExists          = "TrailAlreadyExistsException"
	codeInvalidLogsRole      = "InvalidCloudWatchLogsRoleArnException"
	codeBucketOwnedByYou     = "BucketAlreadyOwnedByYou"
	codeNoSuchBucket         = "NoSuchBucket"
	codeNoSuchTagSet         = "NoSuchTagSet"
	codeIAMNotFound          = "NoSuchEntity"
	codeIAMEntityExists      = "EntityAlreadyExists"
	codeS3HeadBucketNotFound = "NotFound"
)

// roleBoundary is a role's permissions boundary ARN, "" for none.
func roleBoundary(r *iamtypes.Role) string {
	if r == nil || r.PermissionsBoundary == nil {
		return ""
	}
	return aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
}

// errTrailNotFound says the trail does not exist.
var errTrailNotFound = errors.New("trail not found")

// findTrail returns the trail of this name in this region.
func findTrail(ctx context.Context, c clients, name string) (cttypes.Trail, error) {
	out, err := c.ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
	switch {
	case tfawserr.ErrCodeEquals(err, codeTrailNotFound):
		return cttypes.Trail{}, fmt.Errorf("trail %s: %w", name, errTrailNotFound)
	case err != nil:
		return cttypes.Trail{}, fmt.Errorf("GetTrail %s: %w", name, err)
	case out.Trail == nil:
		return cttypes.Trail{}, fmt.Errorf("trail %s: %w", name, errTrailNotFound)
	}
	return *out.Trail, nil
}

// trailTags returns the trail's tags.
func trailTags(ctx context.Context, c clients, trailARN string) (map[string]string, error) {
	out, err := c.ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{trailARN}})
	if err != nil {
		return nil, fmt.Errorf("ListTags %s: %w", trailARN, err)
	}
	tags := map[string]string{}
	for _, r := range out.ResourceTagList {
		for _, t := range r.TagsList {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

func ctTags(m map[string]string) []cttypes.Tag {
	return shared.TagList(m, func(k, v *string) cttypes.Tag { return cttypes.Tag{Key: k, Value: v} })
}

func s3Tags(m map[string]string) []s3types.Tag {
	return shared.TagList(m, func(k, v *string) s3types.Tag { return s3types.Tag{Key: k, Value: v} })
}

// isS3NotFound: HeadBucket answers a bare 404 ("NotFound"), the others
// NoSuchBucket.
func isS3NotFound(err error) bool {
	var nf *s3types.NotFound
	return errors.As(err, &nf) || tfawserr.ErrCodeEquals(err, codeNoSuchBucket, codeS3HeadBucketNotFound)
}
