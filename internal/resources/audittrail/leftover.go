package audittrail

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// After a killed apply (see internal/idem, "After a killed apply") the
// trail, its delivery role and its bucket may exist while no state records
// them. A create takes them up, instead of refusing the names or making a
// second bucket, only when each proves it was made by sagesafe's create for
// this trail:
//
//   - the trail (found by its name) carries a creation token tag, delivers
//     to a bucket that passes the bucket rule below, and is encrypted with
//     the planned key;
//   - the role (found by its name) carries a creation token tag and sits on
//     sagesafe's path;
//   - a bucket is named sagesafe-audit-<account>-<16 hex>, belongs to this
//     account, and carries the tag sagesafe:audit-trail=<trail> and a
//     creation token tag equal to its name's hex part (written right after
//     CreateBucket). Without the trail it is found among this account's
//     buckets by that name prefix and those tags.
//
// Everything taken up is then converged like a fresh create's objects
// (every bucket setting, the role's trust and policy, the trail's
// settings), so the result is what an uninterrupted apply gives. An object
// of one of these names that fails its rule is refused with an error naming
// it. One window stays: a kill between CreateBucket and the tagging call
// right after it leaves an empty, untagged bucket that cannot be told from
// someone else's; it is reported by name prefix in the docs.

// leftover is what a killed apply of this trail left.
type leftover struct {
	bucket string // "" when there is none
}

// bucketToken is the creation token tag value of a trail bucket: the hex
// part of its name, so every later tagging can write it again.
func bucketToken(account, bucket string) (string, bool) {
	hex, ok := strings.CutPrefix(bucket, "sagesafe-audit-"+account+"-")
	return hex, ok && len(hex) == 16
}

// ownBucketTags are the tags that mark bucket as made by sagesafe for trail.
func ownBucketTags(account, bucket, trail string) map[string]string {
	token, _ := bucketToken(account, bucket)
	return map[string]string{tagBucketOf: trail, idem.TokenTag: token}
}

// bucketIsLeftover applies the bucket rule to a bucket's name and tags.
func bucketIsLeftover(account, bucket, trail string, tags map[string]string) error {
	token, ok := bucketToken(account, bucket)
	if !ok {
		return fmt.Errorf("its name is not sagesafe-audit-%s-<16 hex>", account)
	}
	if err := idem.Leftover(tags, map[string]string{tagBucketOf: trail}); err != nil {
		return err
	}
	if tags[idem.TokenTag] != token {
		return fmt.Errorf("its tag %s is %q, not the hex part of its name", idem.TokenTag, tags[idem.TokenTag])
	}
	return nil
}

// bucketTags reads a bucket's tags, asking S3 to check that this account
// owns it; a bucket without tags has none.
func bucketTags(ctx context.Context, c clients, bucket string) (map[string]string, error) {
	out, err := c.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket), ExpectedBucketOwner: aws.String(c.account)})
	switch {
	case tfawserr.ErrCodeEquals(err, codeNoSuchTagSet):
		return map[string]string{}, nil
	case err != nil:
		return nil, fmt.Errorf("GetBucketTagging %s: %w", bucket, err)
	}
	tags := map[string]string{}
	for _, t := range out.TagSet {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// findLeftover looks for what a killed apply of trail name left and
// applies the rules above; an object of one of these names that fails
// them is refused.
func findLeftover(ctx context.Context, c clients, name, key string) (leftover, error) {
	if err := checkLeftoverRole(ctx, c, roleName(name)); err != nil {
		return leftover{}, err
	}
	t, err := findTrail(ctx, c, name)
	switch {
	case isTrailNotFound(err):
		bucket, err := findLeftoverBucket(ctx, c, name)
		return leftover{bucket: bucket}, err
	case err != nil:
		return leftover{}, err
	}
	refuse := func(why error) error {
		return fmt.Errorf("trail %s already exists and was not left by an interrupted sagesafe apply of this trail (%w); "+
			"import it (terraform import), delete it, or choose another name", name, why)
	}
	tags, err := trailTags(ctx, c, aws.ToString(t.TrailARN))
	if err != nil {
		return leftover{}, err
	}
	if err := idem.Leftover(tags, nil); err != nil {
		return leftover{}, refuse(err)
	}
	if got := aws.ToString(t.KmsKeyId); got != key {
		return leftover{}, refuse(fmt.Errorf("it is encrypted with %q, not %q", got, key))
	}
	bucket := aws.ToString(t.S3BucketName)
	btags, err := bucketTags(ctx, c, bucket)
	if err != nil {
		return leftover{}, refuse(fmt.Errorf("its bucket %s: %w", bucket, err))
	}
	if err := bucketIsLeftover(c.account, bucket, name, btags); err != nil {
		return leftover{}, refuse(fmt.Errorf("its bucket %s: %w", bucket, err))
	}
	return leftover{bucket: bucket}, nil
}

// findLeftoverBucket finds a bucket made for trail by an interrupted apply
// that did not get as far as the trail.
func findLeftoverBucket(ctx context.Context, c clients, trail string) (string, error) {
	prefix := "sagesafe-audit-" + c.account + "-"
	out, err := c.s3.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String(prefix)})
	if err != nil {
		return "", fmt.Errorf("ListBuckets: %w", err)
	}
	for _, b := range out.Buckets {
		name := aws.ToString(b.Name)
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		tags, err := bucketTags(ctx, c, name)
		if isS3NotFound(err) {
			continue
		}
		if err != nil {
			return "", err
		}
		if bucketIsLeftover(c.account, name, trail, tags) == nil {
			return name, nil
		}
	}
	return "", nil
}

// checkLeftoverRole refuses a delivery role of this name that sagesafe's
// create did not make.
func checkLeftoverRole(ctx context.Context, c clients, role string) error {
	got, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
	switch {
	case tfawserr.ErrCodeEquals(err, codeIAMNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("GetRole %s: %w", role, err)
	case got.Role == nil:
		return fmt.Errorf("GetRole %s: empty answer", role)
	}
	tags := shared.TagMap(got.Role.Tags, func(t iamtypes.Tag) (*string, *string) { return t.Key, t.Value })
	why := idem.Leftover(tags, nil)
	if why == nil && aws.ToString(got.Role.Path) != rolePath {
		why = fmt.Errorf("its path is %q, not %q", aws.ToString(got.Role.Path), rolePath)
	}
	if why != nil {
		return fmt.Errorf("role %s already exists and was not left by an interrupted sagesafe apply of this trail (%w); delete it or choose another trail name", role, why)
	}
	return nil
}
