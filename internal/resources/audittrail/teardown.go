package audittrail

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
)

// teardown removes everything a trail owns, the trail first so that it
// stops writing, the bucket last with every object version CloudTrail
// wrote. Each delete treats "not found" as done, so a destroy that failed
// halfway (or lost an answer) can run again. bucket is "" when the create
// failed before making it.
func teardown(ctx context.Context, c clients, name, bucket string) error {
	if _, err := c.ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(name)}); err != nil &&
		!tfawserr.ErrCodeEquals(err, codeTrailNotFound) {
		return fmt.Errorf("deleting trail %s: %w", name, err)
	}
	if err := alarms.Delete(ctx, c.cw, watchNames(name)); err != nil {
		return err
	}
	// The filters go before the group, each on its own: an emulator (moto)
	// keeps a deleted group's filters, and a filter left behind is an
	// orphan whichever way AWS handles it.
	if err := deleteMetricFilters(ctx, c, name); err != nil {
		return err
	}
	if err := loggroup.Delete(ctx, c.logs, logGroupName(name)); err != nil {
		return err
	}
	if err := deleteRole(ctx, c, roleName(name)); err != nil {
		return err
	}
	if bucket == "" {
		return nil
	}
	return deleteBucket(ctx, c, bucket)
}

func deleteMetricFilters(ctx context.Context, c clients, trail string) error {
	return loggroup.DeleteMetricFilters(ctx, c.logs, logGroupName(trail), watchNames(trail))
}

func deleteRole(ctx context.Context, c clients, role string) error {
	_, err := c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(rolePolicyName)})
	if err != nil && !tfawserr.ErrCodeEquals(err, codeIAMNotFound) {
		return fmt.Errorf("deleting the policy of role %s: %w", role, err)
	}
	if _, err := c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(role)}); err != nil && !tfawserr.ErrCodeEquals(err, codeIAMNotFound) {
		return fmt.Errorf("deleting role %s: %w", role, err)
	}
	return nil
}

// deleteBucket deletes every object version and delete marker, then the
// bucket.
func deleteBucket(ctx context.Context, c clients, bucket string) error {
	b := aws.String(bucket)
	p := s3.NewListObjectVersionsPaginator(c.s3, &s3.ListObjectVersionsInput{Bucket: b, ExpectedBucketOwner: aws.String(c.account)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if isS3NotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("listing the objects of bucket %s: %w", bucket, err)
		}
		var ids []s3types.ObjectIdentifier
		for _, v := range page.Versions {
			ids = append(ids, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, d := range page.DeleteMarkers {
			ids = append(ids, s3types.ObjectIdentifier{Key: d.Key, VersionId: d.VersionId})
		}
		if len(ids) == 0 {
			continue
		}
		out, err := c.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("emptying bucket %s: %w", bucket, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("emptying bucket %s: %s %s: %w", bucket, aws.ToString(e.Key), aws.ToString(e.Message), errNotEmptied)
		}
	}
	if _, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b, ExpectedBucketOwner: aws.String(c.account)}); err != nil && !isS3NotFound(err) {
		return fmt.Errorf("deleting bucket %s: %w", bucket, err)
	}
	return nil
}

var errNotEmptied = errors.New("objects were not deleted")
