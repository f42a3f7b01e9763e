package preflight_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// existingTrail makes a trail the way a team might outside sagesafe:
// multi-region, logging, validated and encrypted with a rotating key, but
// with a bucket that has no public access block, no TLS-only policy and no
// versioning, and no log group. Removed when the test ends.
func existingTrail(t *testing.T, name string) {
	ctx, c := context.Background(), acctest.AWS(t)
	bucket := acctest.RandomName("trail")
	if _, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.S3.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	})
	if _, err := c.CloudTrail.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(bucket),
		IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true), KmsKeyId: aws.String(acctest.Key(t, true))}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.CloudTrail.DeleteTrail(context.Background(), &cloudtrail.DeleteTrailInput{Name: aws.String(name)})
	})
	if _, err := c.CloudTrail.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

// TestAccPreflight_existingAuditTrail judges a trail made outside sagesafe
// against SS-AUD-1..5 without changing it; without check_audit_trail the
// SS-AUD controls are not checked.
func TestAccPreflight_existingAuditTrail(t *testing.T) {
	name := acctest.RandomName("trail")
	existingTrail(t, name)
	state := func(id string, want knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey(id), want)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config(fmt.Sprintf("  check_audit_trail = true\n  audit_trail_name = %q\n", name)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("audit_trail"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("compliant"), knownvalue.Bool(false)),
					state("SS-AUD-1", knownvalue.StringExact("held")),
					state("SS-AUD-2", knownvalue.StringExact("held")),
					state("SS-AUD-3", knownvalue.StringExact("failed")),
					state("SS-AUD-4", knownvalue.StringExact("failed")),
					state("SS-AUD-5", knownvalue.StringRegexp(regexp.MustCompile(`^not_checked: nothing to check: trail .* delivers to no log group \(SS-AUD-4\)`))),
				},
				Check: func(*terraform.State) error { return unchanged(t, name) },
			},
			{
				Config: config(`  instance_type = "ml.m5.xlarge"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("audit_trail"), knownvalue.Null()),
					state("SS-AUD-1", knownvalue.StringExact("not_checked: not applicable: trail was not given")),
				},
			},
		},
	})
}

// unchanged: the preflight only read the trail.
func unchanged(t *testing.T, name string) error {
	tr, err := acctest.AWS(t).CloudTrail.GetTrail(context.Background(), &cloudtrail.GetTrailInput{Name: aws.String(name)})
	if err != nil {
		return err
	}
	if aws.ToString(tr.Trail.CloudWatchLogsLogGroupArn) != "" {
		return fmt.Errorf("the preflight changed trail %s: %+v", name, tr.Trail)
	}
	return nil
}

// TestAccPreflight_sagesafeAuditTrailMeetsEveryControl: the trail
// sagesafe_audit_trail makes is one the preflight finds meeting all of
// SS-AUD-1..5, judged the way an existing trail is.
func TestAccPreflight_sagesafeAuditTrailMeetsEveryControl(t *testing.T) {
	name := acctest.RandomName("trail")
	cfg := acctest.ProviderConfig(fmt.Sprintf("  alarm_actions = [%q]", auditTopic)) + fmt.Sprintf(`
resource "sagesafe_kms_key" "trail" {
  alias            = "alias/%[1]s"
  allow_cloudtrail = true
}

resource "sagesafe_audit_trail" "test" {
  name        = %[1]q
  kms_key_arn = sagesafe_kms_key.trail.arn
}

data "sagesafe_preflight" "test" {
  check_audit_trail = true
  audit_trail_name  = sagesafe_audit_trail.test.name
  depends_on        = [sagesafe_audit_trail.test]
}
`, name)
	held := knownvalue.StringExact("held")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("audit_trail"), knownvalue.StringExact(name)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-AUD-1"), held),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-AUD-2"), held),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-AUD-3"), held),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-AUD-4"), held),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-AUD-5"), held),
			},
		}},
	})
}
