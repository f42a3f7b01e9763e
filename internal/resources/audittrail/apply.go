package audittrail

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// desired is the trail as the plan wants it, with its documents rendered.
type desired struct {
	name, bucket, key string
	retention         int32
	tags              map[string]string // merged with default_tags
	actions           []string

	bucketPolicy, roleTrust, rolePolicy string
	// boundary is the permissions boundary the delivery role must carry:
	// the provider's role_permissions_boundary_arn (SS-IAM-5); "" requires
	// none (a boundary the role has is then left alone).
	boundary string
}

// render builds desired from a plan whose values are known (apply time).
func render(c clients, m *model, tags map[string]string, actions []string) (desired, error) {
	d := desired{
		name: m.Name.ValueString(), bucket: m.Bucket.ValueString(), key: m.KMSKeyARN.ValueString(),
		retention: int32(m.RetentionDays.ValueInt64()), tags: tags, actions: actions, boundary: c.boundary,
	}
	policy, err := iampolicy.TrailBucketPolicy(c.partition, c.region, c.account, d.bucket, d.name)
	if err != nil {
		return d, err
	}
	trust, err := iampolicy.TrailLogsTrustPolicy(c.partition, c.region, c.account, d.name)
	if err != nil {
		return d, err
	}
	role, err := iampolicy.TrailLogsPolicy(c.partition, c.region, c.account, logGroupName(d.name))
	if err != nil {
		return d, err
	}
	d.bucketPolicy, d.roleTrust, d.rolePolicy = policy.JSON(), trust.JSON(), role.JSON()
	return d, nil
}

// converge brings every object of the trail to d, creating the role and the
// trail when they are missing. Create runs it after making the bucket;
// Update runs it to restore whatever was changed outside Terraform. Every
// step is a put or an idempotent create, so a retried apply converges.
func converge(ctx context.Context, c clients, d desired) error {
	if err := ensureBucket(ctx, c, d); err != nil {
		return err
	}
	groupARN, err := ensureLogGroup(ctx, c, d)
	if err != nil {
		return err
	}
	roleARN, err := ensureRole(ctx, c, d)
	if err != nil {
		return err
	}
	if err := ensureTrail(ctx, c, d, groupARN, roleARN); err != nil {
		return err
	}
	return ensureWatches(ctx, c, d)
}

// ensureBucket sets every security setting of the bucket (SS-AUD-3), its
// encryption with the key, its lifecycle and tags.
func ensureBucket(ctx context.Context, c clients, d desired) error {
	b := aws.String(d.bucket)
	on := aws.Bool(true)
	days := aws.Int32(d.retention)
	steps := []struct {
		what string
		do   func() error
	}{
		{"ownership controls", func() error {
			_, err := c.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &s3types.OwnershipControls{
				Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}})
			return err
		}},
		{"public access block", func() error {
			_, err := c.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: on, IgnorePublicAcls: on, BlockPublicPolicy: on, RestrictPublicBuckets: on}})
			return err
		}},
		{"versioning", func() error {
			_, err := c.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
			return err
		}},
		{"default encryption", func() error {
			_, err := c.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
				Rules: []s3types.ServerSideEncryptionRule{{BucketKeyEnabled: on, ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
					SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(d.key)}}}}})
			return err
		}},
		{"lifecycle", func() error {
			_, err := c.s3.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
				LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
					ID: aws.String("sagesafe-retention"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{},
					Expiration:                  &s3types.LifecycleExpiration{Days: days},
					NoncurrentVersionExpiration: &s3types.NoncurrentVersionExpiration{NoncurrentDays: days},
				}}}})
			return err
		}},
		{"policy", func() error {
			_, err := c.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(d.bucketPolicy)})
			return err
		}},
		{"tags", func() error {
			tags := maps.Clone(d.tags)
			if tags == nil {
				tags = map[string]string{}
			}
			maps.Copy(tags, ownBucketTags(c.account, d.bucket, d.name))
			// PutBucketTagging replaces the whole set: the keys ignore_tags
			// names are sent back as they are.
			live, err := bucketTags(ctx, c, d.bucket)
			if err != nil {
				return err
			}
			for k, v := range shared.IgnoredTags(c.tags, live) {
				if _, set := tags[k]; !set {
					tags[k] = v
				}
			}
			_, err = c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: s3Tags(tags)}})
			return err
		}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("setting the %s of bucket %s: %w", s.what, d.bucket, err)
		}
	}
	return nil
}

// tagBucketOf names the trail a bucket was made for (with the creation
// token in its name, how a leftover bucket is recognised by hand).
const tagBucketOf = "sagesafe:audit-trail"

// ensureLogGroup makes the encrypted log group with retention (SS-AUD-4)
// and returns its ARN as CloudTrail wants it (ending in :*).
func ensureLogGroup(ctx context.Context, c clients, d desired) (string, error) {
	name := logGroupName(d.name)
	if _, err := loggroup.Ensure(ctx, c.logs, loggroup.Spec{Name: name, KMSKeyARN: d.key, RetentionDays: d.retention, Tags: d.tags, ExactTags: true}); err != nil {
		return "", err
	}
	g, err := loggroup.Find(ctx, c.logs, name)
	if err != nil {
		return "", err
	}
	return aws.ToString(g.Arn), nil
}

// ensureRole makes CloudTrail's delivery role when it is missing, and sets
// its trust, policy and tags.
func ensureRole(ctx context.Context, c clients, d desired) (string, error) {
	name := roleName(d.name)
	got, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	var roleARN string
	switch {
	case tfawserr.ErrCodeEquals(err, codeIAMNotFound):
		if roleARN, err = createRole(ctx, c, name, d.roleTrust, d.boundary, d.tags); err != nil {
			return "", err
		}
	case err != nil:
		return "", fmt.Errorf("GetRole %s: %w", name, err)
	default:
		roleARN = aws.ToString(got.Role.Arn)
		// SS-IAM-5: put back the boundary someone removed or changed.
		if err := iamrole.PutBoundary(ctx, c.iam, name, roleBoundary(got.Role), d.boundary); err != nil {
			return "", fmt.Errorf("restoring the permissions boundary of role %s: %w", name, err)
		}
		if _, err := c.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(d.roleTrust)}); err != nil {
			return "", fmt.Errorf("restoring the trust policy of role %s: %w", name, err)
		}
		if len(d.tags) > 0 {
			if _, err := c.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: iamTags(d.tags)}); err != nil {
				return "", fmt.Errorf("tagging role %s: %w", name, err)
			}
		}
	}
	if _, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(rolePolicyName),
		PolicyDocument: aws.String(d.rolePolicy)}); err != nil {
		return "", fmt.Errorf("putting the policy of role %s: %w", name, err)
	}
	return roleARN, nil
}

// rolePolicyName is the delivery role's only inline policy.
const rolePolicyName = "sagesafe-cloudtrail-logs"

// ensureTrail creates the trail when it is missing, else restores its
// settings (SS-AUD-1, SS-AUD-2, SS-AUD-4); then records every management
// event, starts logging and sets its tags.
func ensureTrail(ctx context.Context, c clients, d desired, groupARN, roleARN string) error {
	name := aws.String(d.name)
	live, err := findTrail(ctx, c, d.name)
	switch {
	case isTrailNotFound(err):
		_, err = createTrail(ctx, c, cloudtrail.CreateTrailInput{
			Name: name, S3BucketName: aws.String(d.bucket), IsMultiRegionTrail: aws.Bool(true),
			IncludeGlobalServiceEvents: aws.Bool(true), EnableLogFileValidation: aws.Bool(true), KmsKeyId: aws.String(d.key),
			CloudWatchLogsLogGroupArn: aws.String(groupARN), CloudWatchLogsRoleArn: aws.String(roleARN), TagsList: ctTags(d.tags),
		})
		if tfawserr.ErrCodeEquals(err, codeTrailExists) {
			return errAdopt(d.name, err)
		}
	case err == nil:
		_, err = c.ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{
			Name: name, S3BucketName: aws.String(d.bucket), IsMultiRegionTrail: aws.Bool(true),
			IncludeGlobalServiceEvents: aws.Bool(true), EnableLogFileValidation: aws.Bool(true), KmsKeyId: aws.String(d.key),
			CloudWatchLogsLogGroupArn: aws.String(groupARN), CloudWatchLogsRoleArn: aws.String(roleARN),
		})
		if err == nil {
			err = reconcileTrailTags(ctx, c, aws.ToString(live.TrailARN), d.tags)
		}
	}
	if err != nil {
		return fmt.Errorf("trail %s: %w", d.name, err)
	}
	if _, err := c.ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: name, EventSelectors: []cttypes.EventSelector{{
		IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll, ExcludeManagementEventSources: []string{},
	}}}); err != nil {
		return fmt.Errorf("setting the event selectors of trail %s: %w", d.name, err)
	}
	if _, err := c.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: name}); err != nil {
		return fmt.Errorf("starting trail %s: %w", d.name, err)
	}
	return nil
}

// reconcileTrailTags makes the trail's tags d.tags, keeping its creation
// token and the keys ignore_tags names.
func reconcileTrailTags(ctx context.Context, c clients, trailARN string, want map[string]string) error {
	have, err := trailTags(ctx, c, trailARN)
	if err != nil {
		return err
	}
	delete(have, idem.TokenTag)
	return shared.UpdateTags(c.tags, have, want,
		func(keys []string) error {
			tags := make([]cttypes.Tag, len(keys))
			for i, k := range keys {
				tags[i] = cttypes.Tag{Key: aws.String(k)}
			}
			_, err := c.ct.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: aws.String(trailARN), TagsList: tags})
			return err
		},
		func(set map[string]string) error {
			_, err := c.ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(trailARN), TagsList: ctTags(set)})
			return err
		})
}

// ensureWatches puts one metric filter and one alarm per event class
// (SS-AUD-5). Both are puts by name: a repeat overwrites with the same.
func ensureWatches(ctx context.Context, c clients, d desired) error {
	group := logGroupName(d.name)
	filters := make([]loggroup.MetricFilter, len(guardrail.AuditEventClasses))
	for i, cl := range guardrail.AuditEventClasses {
		n := watchName(d.name, cl)
		filters[i] = loggroup.MetricFilter{Group: group, Name: n, Pattern: cl.Pattern,
			Namespace: guardrail.AuditNamespace, Metric: n, Value: "1", Default: aws.Float64(0)}
	}
	if err := loggroup.PutMetricFilters(ctx, c.logs, filters); err != nil {
		return err
	}
	return alarms.Put(ctx, c.cw, alarmSpecs(d.name, d.actions, d.tags))
}
