package audittrail_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

const (
	addr      = "sagesafe_audit_trail.test"
	testTopic = "arn:aws:sns:us-east-1:123456789012:sagesafe-audit-alerts"
)

var allControls = knownvalue.ListExact([]knownvalue.Check{
	knownvalue.StringExact("SS-AUD-1"), knownvalue.StringExact("SS-AUD-2"), knownvalue.StringExact("SS-AUD-3"),
	knownvalue.StringExact("SS-AUD-4"), knownvalue.StringExact("SS-AUD-5"),
})

// trailConfig is a trail on a sagesafe_kms_key that lets CloudTrail use it.
type trailConfig struct {
	name      string
	retention int
	providerX string // extra provider settings; alarm_actions when empty
	keyARN    string // a given key instead of the sagesafe_kms_key
	tags      string // the tags map's body; team = "security" when empty
	trailX    string // extra attributes of the trail
	resources string // extra resources
}

func (c trailConfig) hcl() string {
	extra := c.providerX
	if extra == "" {
		extra = fmt.Sprintf("  alarm_actions = [%q]", testTopic)
	}
	tags := c.tags
	if tags == "" {
		tags = `team = "security"`
	}
	key := "sagesafe_kms_key.trail.arn"
	if c.keyARN != "" {
		key = fmt.Sprintf("%q", c.keyARN)
	}
	return acctest.ProviderConfig(extra) + fmt.Sprintf(`
resource "sagesafe_kms_key" "trail" {
  alias            = "alias/%[1]s"
  allow_cloudtrail = true
}

resource "sagesafe_audit_trail" "test" {
  name           = %[1]q
  kms_key_arn    = %[2]s
  retention_days = %[3]d
  tags = {
    %[4]s
  }
%[5]s
}
%[6]s
`, c.name, key, c.retention, tags, c.trailX, c.resources)
}

// TestAccAuditTrail_basic creates a trail, checks every object on the live
// account, changes the retention, imports it, and destroys it leaving
// nothing.
func TestAccAuditTrail_basic(t *testing.T) {
	cfg := trailConfig{name: acctest.RandomName("trail"), retention: 365}
	longer := cfg
	longer.retention = 400
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, cfg.name),
		Steps: []resource.TestStep{
			{
				Config: cfg.hcl(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("logging"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("metric_filter_names"), knownvalue.ListSizeExact(len(guardrail.AuditEventClasses))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.ListSizeExact(len(guardrail.AuditEventClasses))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("log_group_name"), knownvalue.StringExact("/sagesafe/audit-trail/"+cfg.name)),
				},
				Check: func(s *terraform.State) error { return checkLive(t, s, cfg) },
			},
			{
				Config: longer.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error { return checkLive(t, s, longer) },
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// checkLive asks the emulator for every object of the trail.
func checkLive(t *testing.T, s *terraform.State, cfg trailConfig) error {
	ctx, c := context.Background(), acctest.AWS(t)
	rs := s.RootModule().Resources[addr]
	key := s.RootModule().Resources["sagesafe_kms_key.trail"].Primary.Attributes["arn"]
	bucket := rs.Primary.Attributes["bucket"]
	tr, err := c.CloudTrail.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(cfg.name)})
	if err != nil {
		return err
	}
	if tt := tr.Trail; !aws.ToBool(tt.IsMultiRegionTrail) || !aws.ToBool(tt.LogFileValidationEnabled) ||
		aws.ToString(tt.KmsKeyId) != key || aws.ToString(tt.S3BucketName) != bucket {
		return fmt.Errorf("trail is %+v", tt)
	}
	st, err := c.CloudTrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(cfg.name)})
	if err != nil || !aws.ToBool(st.IsLogging) {
		return fmt.Errorf("trail not logging (err %v)", err)
	}
	if err := checkBucket(ctx, c.S3, c.AccountID, bucket, cfg); err != nil {
		return err
	}
	groups, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/sagesafe/audit-trail/" + cfg.name)})
	if err != nil || len(groups.LogGroups) != 1 || aws.ToString(groups.LogGroups[0].KmsKeyId) != key ||
		int(aws.ToInt32(groups.LogGroups[0].RetentionInDays)) != cfg.retention {
		return fmt.Errorf("log group: %+v (err %v)", groups, err)
	}
	return checkWatches(ctx, t, cfg.name)
}

func checkBucket(ctx context.Context, c *s3.Client, account, bucket string, cfg trailConfig) error {
	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets) || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) {
		return fmt.Errorf("public access block: %+v (err %v)", pab, err)
	}
	own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(bucket)})
	if err != nil || own.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
		return fmt.Errorf("ownership: %+v (err %v)", own, err)
	}
	ver, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil || ver.Status != s3types.BucketVersioningStatusEnabled {
		return fmt.Errorf("versioning: %+v (err %v)", ver, err)
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil || int(aws.ToInt32(lc.Rules[0].Expiration.Days)) != cfg.retention {
		return fmt.Errorf("lifecycle: %+v (err %v)", lc, err)
	}
	pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil {
		return err
	}
	want, err := iampolicy.TrailBucketPolicy("aws", acctest.Region, account, bucket, cfg.name)
	if err != nil {
		return err
	}
	if ok, err := iampolicy.Equivalent(aws.ToString(pol.Policy), want.JSON()); !ok || err != nil {
		return fmt.Errorf("bucket policy %s, want %s (err %v)", aws.ToString(pol.Policy), want.JSON(), err)
	}
	return nil
}

// checkWatches: one filter with exactly the class's pattern and one alarm
// with the provider's action per event class.
func checkWatches(ctx context.Context, t *testing.T, name string) error {
	c := acctest.AWS(t)
	filters, err := c.Logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("/sagesafe/audit-trail/" + name)})
	if err != nil {
		return err
	}
	byName := map[string]string{}
	for _, f := range filters.MetricFilters {
		byName[aws.ToString(f.FilterName)] = aws.ToString(f.FilterPattern)
	}
	var alarmNames []string
	for _, cl := range guardrail.AuditEventClasses {
		n := name + "-" + strings.ReplaceAll(cl.Name, "_", "-")
		if byName[n] != cl.Pattern {
			return fmt.Errorf("filter %s has pattern %q, want %q", n, byName[n], cl.Pattern)
		}
		alarmNames = append(alarmNames, n)
	}
	al, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: alarmNames})
	if err != nil || len(al.MetricAlarms) != len(alarmNames) {
		return fmt.Errorf("alarms: %d of %d (err %v)", len(al.MetricAlarms), len(alarmNames), err)
	}
	for _, a := range al.MetricAlarms {
		if !slices.Equal(a.AlarmActions, []string{testTopic}) || !aws.ToBool(a.ActionsEnabled) {
			return fmt.Errorf("alarm %s notifies %v", aws.ToString(a.AlarmName), a.AlarmActions)
		}
	}
	return nil
}

// TestAccAuditTrail_drift stops logging, turns validation off, deletes a
// metric filter and an alarm and replaces the bucket policy outside
// Terraform: the refresh shows it (the controls drop out), and the next
// apply restores everything.
func TestAccAuditTrail_drift(t *testing.T) {
	cfg := trailConfig{name: acctest.RandomName("drift"), retention: 365}
	ctx := context.Background()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, cfg.name),
		Steps: []resource.TestStep{
			{Config: cfg.hcl()},
			{
				PreConfig: func() {
					c := acctest.AWS(t)
					must(t, func() error {
						_, err := c.CloudTrail.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(cfg.name)})
						return err
					})
					must(t, func() error {
						_, err := c.CloudTrail.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String(cfg.name), EnableLogFileValidation: aws.Bool(false)})
						return err
					})
					must(t, func() error {
						_, err := c.Logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{
							LogGroupName: aws.String("/sagesafe/audit-trail/" + cfg.name), FilterName: aws.String(cfg.name + "-kms-key-disabled")})
						return err
					})
					must(t, func() error {
						_, err := c.CloudWatch.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{cfg.name + "-unauthorized-api-calls"}})
						return err
					})
					must(t, func() error {
						bucket := bucketOf(t, cfg.name)
						_, err := c.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(
							`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`)})
						return err
					})
				},
				// The refresh sees it: logging off, and only SS-AUD-4 held.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "logging", "false"),
					resource.TestCheckResourceAttr(addr, "controls.#", "1"),
					resource.TestCheckResourceAttr(addr, "controls.0", "SS-AUD-4"),
					resource.TestCheckResourceAttr(addr, "metric_filter_names.#", fmt.Sprint(len(guardrail.AuditEventClasses)-1)),
				),
			},
			{
				Config: cfg.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("logging"), knownvalue.Bool(true)),
				},
				Check: func(s *terraform.State) error { return checkLive(t, s, cfg) },
			},
		},
	})
}

// TestAccAuditTrail_refusals: a key of another account, a retention shorter
// than the guardrails allow and a provider without alarm actions are each
// refused before anything is created.
func TestAccAuditTrail_refusals(t *testing.T) {
	name := acctest.RandomName("refused")
	foreign := trailConfig{name: name, retention: 365, keyARN: acctest.KeyInAccount(t, "444455556666")}
	short := trailConfig{name: name, retention: 365, providerX: fmt.Sprintf("  alarm_actions = [%q]\n  guardrails {\n    min_log_retention_days = 400\n  }\n", testTopic)}
	silent := trailConfig{name: name, retention: 365, providerX: " "}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, name),
		Steps: []resource.TestStep{
			{Config: foreign.hcl(), ExpectError: regexp.MustCompile(`SS-AUD-2: kms_key_arn .* belongs to account 444455556666`)},
			{Config: short.hcl(), ExpectError: regexp.MustCompile(`SS-AUD-4: retention_days 365 is too short`)},
			{Config: silent.hcl(), ExpectError: regexp.MustCompile(`SS-AUD-5: the audit alarms of .* would notify nobody`)},
			{Config: acctest.ProviderConfig(""), Check: func(*terraform.State) error { return nothingLeft(t, name, "") }},
		},
	})
}

// TestAccAuditTrail_nameTaken: a trail of the same name made elsewhere is
// refused before anything is created, and left as it was (destroying the
// failed create must not delete it by name).
func TestAccAuditTrail_nameTaken(t *testing.T) {
	cfg := trailConfig{name: acctest.RandomName("taken"), retention: 365}
	ctx, c := context.Background(), acctest.AWS(t)
	bucket := acctest.RandomName("foreign")
	before := trailBuckets(t)
	must(t, func() error {
		_, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
		return err
	})
	t.Cleanup(func() {
		_, _ = c.S3.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	})
	must(t, func() error {
		_, err := c.CloudTrail.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(cfg.name), S3BucketName: aws.String(bucket)})
		return err
	})
	t.Cleanup(func() {
		_, _ = c.CloudTrail.DeleteTrail(context.Background(), &cloudtrail.DeleteTrailInput{Name: aws.String(cfg.name)})
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(), ExpectError: regexp.MustCompile(`trail ` + cfg.name + ` already exists`)},
			{
				Config: acctest.ProviderConfig(""),
				Check: func(*terraform.State) error {
					if got := bucketOf(t, cfg.name); got != bucket {
						return fmt.Errorf("the foreign trail now delivers to %s", got)
					}
					if left := newBuckets(t, before, cfg.name); len(left) > 0 {
						return fmt.Errorf("buckets made for the refused trail: %v", left)
					}
					return nil
				},
			},
		},
	})
}

func must(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

// bucketOf is the trail's bucket, asked of the emulator.
func bucketOf(t *testing.T, name string) string {
	tr, err := acctest.AWS(t).CloudTrail.GetTrail(context.Background(), &cloudtrail.GetTrailInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(tr.Trail.S3BucketName)
}

// checkDestroyed asks the emulator that nothing of the trail is left: the
// trail, its role, log group, alarms and its bucket (named in the last state).
func checkDestroyed(t *testing.T, name string) func(*terraform.State) error {
	return func(s *terraform.State) error {
		bucket := ""
		if rs, ok := s.RootModule().Resources[addr]; ok {
			bucket = rs.Primary.Attributes["bucket"]
		}
		return nothingLeft(t, name, bucket)
	}
}

func nothingLeft(t *testing.T, name, bucket string) error {
	ctx, c := context.Background(), acctest.AWS(t)
	var left []string
	if _, err := c.CloudTrail.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)}); err == nil {
		left = append(left, "trail "+name)
	}
	if _, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name + "-cloudtrail-logs")}); err == nil {
		left = append(left, "role "+name+"-cloudtrail-logs")
	}
	if g, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/sagesafe/audit-trail/" + name)}); err != nil || len(g.LogGroups) > 0 {
		left = append(left, "log group /sagesafe/audit-trail/"+name)
	}
	if f, err := c.Logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("/sagesafe/audit-trail/" + name)}); err != nil || len(f.MetricFilters) > 0 {
		left = append(left, "metric filters on /sagesafe/audit-trail/"+name)
	}
	if a, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(name + "-")}); err != nil || len(a.MetricAlarms) > 0 {
		left = append(left, "alarms "+name+"-*")
	}
	if bucket != "" {
		if _, err := c.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err == nil {
			left = append(left, "bucket "+bucket)
		}
	}
	if len(left) > 0 {
		return errors.New("left after destroy: " + strings.Join(left, ", "))
	}
	return nil
}
