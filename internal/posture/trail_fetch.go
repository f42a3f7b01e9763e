package posture

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
)

// TrailClients are the clients ObserveTrail reads with, and the caller's
// account (the bucket's expected owner).
type TrailClients struct {
	CloudTrail *cloudtrail.Client
	S3         *s3.Client
	Logs       *cloudwatchlogs.Client
	Account    string
}

// ObserveTrail reads what AssessTrail needs of trail t, but its alarms
// (sagesafe_audit_trail reads its own by name; the preflight asks for the
// alarms on each filter's metric): status, event selectors, the bucket's
// settings, the log group and its metric filters. A setting or object that
// is not there stays empty.
func ObserveTrail(ctx context.Context, c TrailClients, t cttypes.Trail) (TrailObservation, error) {
	o := TrailObservation{Trail: t}
	ref := t.TrailARN // by ARN: a multi-region trail is read from any region
	var err error
	if o.Status, err = c.CloudTrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: ref}); err != nil {
		return o, fmt.Errorf("GetTrailStatus %s: %w", aws.ToString(ref), err)
	}
	if o.Selectors, err = c.CloudTrail.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: ref}); err != nil {
		return o, fmt.Errorf("GetEventSelectors %s: %w", aws.ToString(ref), err)
	}
	if err := observeBucket(ctx, c, &o, aws.ToString(t.S3BucketName)); err != nil {
		return o, err
	}
	group := TrailLogGroup(aws.ToString(t.CloudWatchLogsLogGroupArn))
	if group == "" {
		return o, nil
	}
	if o.LogGroup, err = findTrailLogGroup(ctx, c.Logs, group); err != nil || o.LogGroup == nil {
		return o, err
	}
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(c.Logs, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(group)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return o, fmt.Errorf("metric filters of %s: %w", group, err)
		}
		o.MetricFilters = append(o.MetricFilters, page.MetricFilters...)
	}
	return o, nil
}

// TrailLogGroup returns the group name in a log group ARN as CloudTrail
// reports it ("arn:...:log-group:<name>:*"), "" for none.
func TrailLogGroup(groupARN string) string {
	a, err := arn.Parse(groupARN)
	if err != nil {
		return ""
	}
	name, ok := strings.CutPrefix(a.Resource, "log-group:")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(name, ":*")
}

func findTrailLogGroup(ctx context.Context, c *cloudwatchlogs.Client, name string) (*logstypes.LogGroup, error) {
	g, err := loggroup.Find(ctx, c, name)
	if errors.Is(err, loggroup.ErrNotFound) {
		return nil, nil
	}
	return g, err
}

// observeBucket reads the bucket settings of SS-AUD-3. A bucket that is
// gone leaves them all empty.
func observeBucket(ctx context.Context, c TrailClients, o *TrailObservation, bucket string) error {
	if bucket == "" {
		return nil
	}
	b, owner := aws.String(bucket), aws.String(c.Account)
	own, err := c.S3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b, ExpectedBucketOwner: owner})
	switch {
	case bucketGone(err):
		return nil
	case err == nil:
		o.Ownership = own.OwnershipControls
	case !tfawserr.ErrCodeEquals(err, "OwnershipControlsNotFoundError"):
		return fmt.Errorf("GetBucketOwnershipControls %s: %w", bucket, err)
	}
	pab, err := c.S3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b, ExpectedBucketOwner: owner})
	switch {
	case err == nil:
		o.PublicAccessBlock = pab.PublicAccessBlockConfiguration
	case !tfawserr.ErrCodeEquals(err, "NoSuchPublicAccessBlockConfiguration"):
		return fmt.Errorf("GetPublicAccessBlock %s: %w", bucket, err)
	}
	pol, err := c.S3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b, ExpectedBucketOwner: owner})
	switch {
	case err == nil:
		o.BucketPolicy = aws.ToString(pol.Policy)
	case !tfawserr.ErrCodeEquals(err, "NoSuchBucketPolicy"):
		return fmt.Errorf("GetBucketPolicy %s: %w", bucket, err)
	}
	ver, err := c.S3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b, ExpectedBucketOwner: owner})
	if err != nil {
		return fmt.Errorf("GetBucketVersioning %s: %w", bucket, err)
	}
	o.Versioning = ver.Status
	return nil
}

func bucketGone(err error) bool {
	var nf *s3types.NoSuchBucket
	return errors.As(err, &nf) || tfawserr.ErrCodeEquals(err, "NoSuchBucket")
}
