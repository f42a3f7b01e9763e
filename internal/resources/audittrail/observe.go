package audittrail

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
)

// observed is what a refresh read: the observation posture assesses, plus
// what only the resource compares (its tags, its alarms by name, the
// bucket's policy text).
type observed struct {
	posture.TrailObservation
	tags   map[string]string
	alarms map[string]alarmLive
}

// alarmLive is one of the trail's alarms as CloudWatch has it, with how it
// differs from sagesafe's spec (empty: as sagesafe set it).
type alarmLive struct {
	diff []string
}

// observe reads the trail of this name and everything it delivers to.
// found is false when the trail does not exist.
func observe(ctx context.Context, c clients, name string, actions []string) (o observed, found bool, err error) {
	o.Trail, err = findTrail(ctx, c, name)
	if isTrailNotFound(err) {
		return o, false, nil
	}
	if err != nil {
		return o, false, err
	}
	if err := observeTrail(ctx, c, &o); err != nil {
		return o, true, err
	}
	if err := observeBucket(ctx, c, &o.TrailObservation, aws.ToString(o.Trail.S3BucketName)); err != nil {
		return o, true, err
	}
	group := logGroupOf(aws.ToString(o.Trail.CloudWatchLogsLogGroupArn))
	if o.LogGroup, err = findLogGroup(ctx, c, group); err != nil {
		return o, true, err
	}
	if o.LogGroup != nil {
		if o.MetricFilters, err = metricFilters(ctx, c, group); err != nil {
			return o, true, fmt.Errorf("metric filters of %s: %w", group, err)
		}
	}
	return o, true, observeAlarms(ctx, c, &o, name, actions)
}

// observeTrail reads the trail's status, event selectors and tags.
func observeTrail(ctx context.Context, c clients, o *observed) error {
	name := o.Trail.Name
	var err error
	if o.Status, err = c.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name}); err != nil {
		return fmt.Errorf("GetTrailStatus %s: %w", aws.ToString(name), err)
	}
	if o.Selectors, err = c.ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: name}); err != nil {
		return fmt.Errorf("GetEventSelectors %s: %w", aws.ToString(name), err)
	}
	o.tags, err = trailTags(ctx, c, aws.ToString(o.Trail.TrailARN))
	return err
}

// observeBucket reads the settings of SS-AUD-3. A setting that is not there
// (no ownership controls, no public access block, no policy) stays empty;
// a bucket that is gone leaves them all empty.
func observeBucket(ctx context.Context, c clients, o *posture.TrailObservation, bucket string) error {
	if bucket == "" {
		return nil
	}
	b, owner := aws.String(bucket), aws.String(c.account)
	own, err := c.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b, ExpectedBucketOwner: owner})
	switch {
	case isS3NotFound(err):
		return nil
	case err == nil:
		o.Ownership = own.OwnershipControls
	case !tfawserr.ErrCodeEquals(err, codeNoOwnership):
		return fmt.Errorf("GetBucketOwnershipControls %s: %w", bucket, err)
	}
	pab, err := c.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b, ExpectedBucketOwner: owner})
	switch {
	case err == nil:
		o.PublicAccessBlock = pab.PublicAccessBlockConfiguration
	case !tfawserr.ErrCodeEquals(err, codeNoPublicAccessBlock):
		return fmt.Errorf("GetPublicAccessBlock %s: %w", bucket, err)
	}
	pol, err := c.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b, ExpectedBucketOwner: owner})
	switch {
	case err == nil:
		o.BucketPolicy = aws.ToString(pol.Policy)
	case !tfawserr.ErrCodeEquals(err, codeNoBucketPolicy):
		return fmt.Errorf("GetBucketPolicy %s: %w", bucket, err)
	}
	ver, err := c.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b, ExpectedBucketOwner: owner})
	if err != nil {
		return fmt.Errorf("GetBucketVersioning %s: %w", bucket, err)
	}
	o.Versioning = ver.Status
	return nil
}

// observeAlarms reads the trail's alarms by name, and compares each with
// sagesafe's spec (actions included, so alarms that notify someone else
// count as changed).
func observeAlarms(ctx context.Context, c clients, o *observed, name string, actions []string) error {
	specs := alarmSpecs(name, actions, nil)
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	live, err := alarms.Describe(ctx, c.cw, names)
	if err != nil {
		return err
	}
	o.alarms = map[string]alarmLive{}
	for _, s := range specs {
		a, ok := live[s.Name]
		if !ok {
			continue
		}
		o.Alarms = append(o.Alarms, a)
		o.alarms[s.Name] = alarmLive{diff: alarms.Diff(s, a)}
	}
	return nil
}
