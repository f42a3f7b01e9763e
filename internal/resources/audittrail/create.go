package audittrail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// Every call this resource makes that changes something, and why each is
// safe to send again after its answer was lost:
//
//   - s3:CreateBucket: the bucket's name carries 64 random bits of this
//     create's token, so a bucket of that name owned by this account
//     (HeadBucket with ExpectedBucketOwner) is the one this create made;
//     idem.Create looks for it before sending again, and
//     BucketAlreadyOwnedByYou leads to the same look.
//   - iam:CreateRole and cloudtrail:CreateTrail: names are unique, so a
//     retry answers EntityAlreadyExists / TrailAlreadyExistsException;
//     both carry a creation token tag, and the object of that name is used
//     only when it carries this create's token.
//   - every s3:Put*, iam:PutRolePolicy, iam:UpdateAssumeRolePolicy,
//     iam:TagRole, cloudtrail:UpdateTrail, PutEventSelectors, StartLogging,
//     AddTags, RemoveTags, logs:PutMetricFilter, cloudwatch:PutMetricAlarm:
//     set a value; a repeat leaves the same result.
//   - deletes (DeleteTrail, DeleteAlarms, DeleteLogGroup, DeleteRolePolicy,
//     DeleteRole, DeleteObjects, DeleteBucket): "not found" is success.

func noCTRetry(o *cloudtrail.Options) { o.RetryMaxAttempts = 1 }
func noS3Retry(o *s3.Options)         { o.RetryMaxAttempts = 1 }
func noIAMRetry(o *iam.Options)       { o.RetryMaxAttempts = 1 }

// bucketName makes the name of a new trail bucket from a creation token:
// "sagesafe-audit-<account>-<16 hex digits of the token>" (44 characters).
func bucketName(account, token string) string {
	return "sagesafe-audit-" + account + "-" + token[:16]
}

// createBucket creates the trail's bucket (ACLs disabled from the start).
func createBucket(ctx context.Context, c clients, bucket string) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket), ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}
	if c.region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.region)}
	}
	_, err := idem.Create[bool]{
		What: "creating bucket " + bucket,
		Do: func(ctx context.Context) (bool, error) {
			_, err := c.s3.CreateBucket(ctx, in, noS3Retry)
			return err == nil, err
		},
		Find: func(ctx context.Context) (bool, bool, error) {
			_, err := c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(c.account)})
			if isS3NotFound(err) {
				return false, false, nil
			}
			return err == nil, err == nil, err
		},
		Taken: func(err error) bool { return tfawserr.ErrCodeEquals(err, codeBucketOwnedByYou) },
	}.Run(ctx)
	return err
}

// newBucket creates a bucket for trail under a fresh token and tags it at
// once with the tags that let a later apply take it up after a kill
// (leftover.go).
func newBucket(ctx context.Context, c clients, trail string) (string, error) {
	token, err := idem.NewToken()
	if err != nil {
		return "", err
	}
	bucket := bucketName(c.account, token)
	if err := createBucket(ctx, c, bucket); err != nil {
		return "", err
	}
	if _, err := c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket),
		Tagging: &s3types.Tagging{TagSet: s3Tags(ownBucketTags(c.account, bucket, trail))}}); err != nil {
		return "", fmt.Errorf("tagging bucket %s: %w", bucket, err)
	}
	return bucket, nil
}

// createRole creates CloudTrail's delivery role with a creation token.
// boundary, when set, is the role's permissions boundary (SS-IAM-5).
func createRole(ctx context.Context, c clients, name, trust, boundary string, tags map[string]string) (string, error) {
	token, err := idem.NewToken()
	if err != nil {
		return "", err
	}
	in := &iam.CreateRoleInput{
		RoleName: aws.String(name), Path: aws.String(rolePath), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("CloudTrail writes the sagesafe audit trail's events to its log group."),
		Tags:        append(iamTags(tags), iamtypes.Tag{Key: aws.String(idem.TokenTag), Value: aws.String(token)}),
	}
	if boundary != "" {
		in.PermissionsBoundary = aws.String(boundary)
	}
	return idem.Create[string]{
		What: "creating role " + name,
		Do: func(ctx context.Context) (string, error) {
			out, err := c.iam.CreateRole(ctx, in, noIAMRetry)
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Role.Arn), nil
		},
		Find: func(ctx context.Context) (string, bool, error) {
			got, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
			if tfawserr.ErrCodeEquals(err, codeIAMNotFound) || (err == nil && got.Role == nil) {
				return "", false, nil
			}
			if err != nil {
				return "", false, err
			}
			mine := shared.TagMap(got.Role.Tags, func(t iamtypes.Tag) (*string, *string) { return t.Key, t.Value })[idem.TokenTag] == token
			return aws.ToString(got.Role.Arn), mine, nil
		},
		Taken: func(err error) bool { return tfawserr.ErrCodeEquals(err, codeIAMEntityExists) },
	}.Run(ctx)
}

func iamTags(m map[string]string) []iamtypes.Tag {
	return shared.TagList(m, func(k, v *string) iamtypes.Tag { return iamtypes.Tag{Key: k, Value: v} })
}

// roleWaits are the pauses while CloudTrail does not yet see a role IAM has
// just created (InvalidCloudWatchLogsRoleArnException): IAM is eventually
// consistent, and CloudTrail checks that it can assume the role.
var roleWaits = []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}

// createTrail creates the trail with a creation token tag. A retry after a
// lost answer gets TrailAlreadyExistsException; the trail of that name is
// used only when it carries this create's token.
func createTrail(ctx context.Context, c clients, in cloudtrail.CreateTrailInput) (string, error) {
	token, err := idem.NewToken()
	if err != nil {
		return "", err
	}
	in.TagsList = append(in.TagsList, cttypes.Tag{Key: aws.String(idem.TokenTag), Value: aws.String(token)})
	name := aws.ToString(in.Name)
	return idem.Create[string]{
		What: "creating trail " + name,
		Do: func(ctx context.Context) (string, error) {
			out, err := c.ct.CreateTrail(ctx, &in, noCTRetry)
			for _, wait := range roleWaits {
				if !tfawserr.ErrCodeEquals(err, codeInvalidLogsRole) {
					break
				}
				select {
				case <-ctx.Done():
					return "", ctx.Err()
				case <-time.After(wait):
				}
				out, err = c.ct.CreateTrail(ctx, &in, noCTRetry)
			}
			if err != nil {
				return "", err
			}
			return aws.ToString(out.TrailARN), nil
		},
		Find: func(ctx context.Context) (string, bool, error) {
			t, err := findTrail(ctx, c, name)
			if err != nil {
				return "", false, ignoreTrailNotFound(err)
			}
			tags, err := trailTags(ctx, c, aws.ToString(t.TrailARN))
			if err != nil {
				return "", false, err
			}
			return aws.ToString(t.TrailARN), tags[idem.TokenTag] == token, nil
		},
		Taken: func(err error) bool { return tfawserr.ErrCodeEquals(err, codeTrailExists) },
	}.Run(ctx)
}

func ignoreTrailNotFound(err error) error {
	if err != nil && isTrailNotFound(err) {
		return nil
	}
	return err
}

func isTrailNotFound(err error) bool { return err != nil && errors.Is(err, errTrailNotFound) }

// errAdopt explains a trail name in use by a trail this create did not make.
func errAdopt(name string, err error) error {
	return fmt.Errorf("trail %s already exists and was not created by this apply (it does not carry this create's token in tag %s); "+
		"import it, delete it, or choose another name: %w", name, idem.TokenTag, err)
}
