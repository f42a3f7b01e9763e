package audittrail_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// createActions are the mutating calls of a create, whose first answer the
// test loses after the emulator applied them; updateActions those of an
// update (tags and retention changed) and destroyActions those of destroy
// (of a bucket CloudTrail wrote to).
var (
	createActions = []string{
		"s3:CreateBucket", "s3:PutBucketOwnershipControls", "s3:PutPublicAccessBlock", "s3:PutBucketVersioning",
		"s3:PutBucketEncryption", "s3:PutBucketLifecycleConfiguration", "s3:PutBucketPolicy", "s3:PutBucketTagging",
		"iam:CreateRole", "cloudtrail:CreateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StartLogging", "logs:PutMetricFilter",
	}
	updateActions  = []string{"cloudtrail:UpdateTrail", "cloudtrail:AddTags", "cloudtrail:RemoveTags"}
	destroyActions = []string{"cloudtrail:DeleteTrail", "logs:DeleteMetricFilter", "s3:DeleteObjects", "s3:DeleteBucket", "iam:DeleteRole"}
)

// TestAccAuditTrail_lostAnswers loses the first answer of each create (and,
// during destroy, of each delete) after the emulator applied it. The apply
// must succeed with exactly one trail and one bucket (not fail with
// TrailAlreadyExistsException on its own trail, nor leave a second bucket),
// the next plan must be empty, and destroy must leave nothing.
func TestAccAuditTrail_lostAnswers(t *testing.T) {
	cfg := trailConfig{name: acctest.RandomName("lost"), retention: 365}
	retagged := cfg
	retagged.retention, retagged.tags = 400, `env = "prod"`
	l := acctest.LoseFirstAnswers(t, append(append(append([]string{}, createActions...), updateActions...), destroyActions...)...)
	before := trailBuckets(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkDestroyed(t, cfg.name),
			func(*terraform.State) error {
				if missed := l.Missed(); len(missed) > 0 {
					return fmt.Errorf("the test did not lose the answers of %v", missed)
				}
				if left := newBuckets(t, before, cfg.name); len(left) > 0 {
					return fmt.Errorf("buckets left after destroy: %v", left)
				}
				return nil
			},
		),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check: func(s *terraform.State) error {
				for _, a := range createActions {
					if l.Lost(a) != 1 {
						return fmt.Errorf("the answer of %s was lost %d times, want 1", a, l.Lost(a))
					}
				}
				if made := newBuckets(t, before, cfg.name); len(made) != 1 {
					return fmt.Errorf("buckets made by the apply: %v, want one", made)
				}
				trails, err := acctest.AWS(t).CloudTrail.DescribeTrails(context.Background(), &cloudtrail.DescribeTrailsInput{})
				if err != nil {
					return err
				}
				n := 0
				for _, tr := range trails.TrailList {
					if aws.ToString(tr.Name) == cfg.name {
						n++
					}
				}
				if n != 1 {
					return fmt.Errorf("%d trails named %s", n, cfg.name)
				}
				return checkLive(t, s, cfg)
			},
		}, {
			// CloudTrail has written a log file (the emulator's does not, so
			// the test does): destroy must delete its versions too.
			PreConfig: func() { putLogFile(t, cfg.name) },
			Config:    retagged.hcl(),
			Check: func(s *terraform.State) error {
				for _, a := range updateActions {
					if l.Lost(a) != 1 {
						return fmt.Errorf("the answer of %s was lost %d times, want 1", a, l.Lost(a))
					}
				}
				return checkLive(t, s, retagged)
			},
		}},
	})
}

// putLogFile writes an object where CloudTrail writes its log files.
func putLogFile(t *testing.T, name string) {
	c, ctx, bucket := acctest.AWS(t), context.Background(), bucketOf(t, name)
	key := "AWSLogs/" + c.AccountID + "/CloudTrail/" + acctest.Region + "/log.json.gz"
	if _, err := c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("{}")}); err != nil {
		t.Fatal(err)
	}
}

// trailBuckets lists the emulator's sagesafe audit buckets.
func trailBuckets(t *testing.T) map[string]bool {
	out, err := acctest.AWS(t).S3.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, b := range out.Buckets {
		if strings.HasPrefix(aws.ToString(b.Name), "sagesafe-audit-") {
			names[aws.ToString(b.Name)] = true
		}
	}
	return names
}

// newBuckets are the audit buckets that were not there before and are not
// another trail's (tests of other packages may make theirs meanwhile): a
// second bucket of this trail's create would carry no trail tag.
func newBuckets(t *testing.T, before map[string]bool, name string) []string {
	ctx, c := context.Background(), acctest.AWS(t)
	var out []string
	for n := range trailBuckets(t) {
		if before[n] {
			continue
		}
		owner := ""
		if tags, err := c.S3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(n)}); err == nil {
			for _, tag := range tags.TagSet {
				if aws.ToString(tag.Key) == "sagesafe:audit-trail" {
					owner = aws.ToString(tag.Value)
				}
			}
		}
		if owner == "" || owner == name {
			out = append(out, n)
		}
	}
	return out
}
