package modelmonitor_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// TestAccModelMonitor_runsLogGroup runs on a private emulator: it changes
// /aws/sagemaker/ProcessingJobs, which every processing job of an account
// shares, so on the shared emulator it could break (or be broken by) other
// packages' tests. The group exists before the monitor under another team's
// key that does not rotate: the monitor is refused (SS-KMS-2 on the runs'
// log group) before anything is created. Once that key is taken off, the
// group (unencrypted, a week's retention, as SageMaker leaves it) gets the
// monitor's key and a year's retention, and SS-ENC-5 and SS-MON-3 are held.
func TestAccModelMonitor_runsLogGroup(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test runs it against the emulator)")
	}
	emu := acctest.StartPrivateEmulator(t)
	ctx := context.Background()
	b := emu.Fixtures(t)
	must := func(id string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %v", err)
		}
		return id
	}
	c := emu.AWS
	vpc := must(b.VPC(ctx, "10.72.0.0/16"))
	key := must(b.Key(ctx, "tfacc monitor", true))
	staleKey := must(b.Key(ctx, "tfacc another team's key, not rotating", false))
	e := env{
		subnet: must(b.Subnet(ctx, vpc, fixtures.SubnetOpts{CIDR: "10.72.1.0/24", S3Gateway: true})),
		sg:     must(b.SecurityGroup(ctx, vpc, acctest.RandomName("sg"), false)),
		key:    key,
		role:   must(b.Role(ctx, acctest.RandomName("role"), fixtures.SageMakerTrust("aws", acctest.Region, c.AccountID, true))),
		bucket: must(b.DataBucket(ctx, acctest.RandomName("data"), key)),
		image:  c.AccountID + ".dkr.ecr." + acctest.Region + ".amazonaws.com/tfacc-analyzer@" + digest,
	}
	e.endpoint = endpoint(t, c, e, true)
	if err := b.UnencryptedLogGroup(ctx, runsLogGroup, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Logs.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{LogGroupName: aws.String(runsLogGroup), KmsKeyId: aws.String(staleKey)}); err != nil {
		t.Fatal(err)
	}
	cfg := monitorConfig{env: e, name: acctest.RandomName("mon"), provider: emu.ProviderConfig}
	nothingCreated := func() {
		if _, err := c.Scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(cfg.name)}); err == nil {
			t.Errorf("the refused monitor's schedule %s exists", cfg.name)
		}
		if err := checkNoFilters(c, cfg.name)(nil); err != nil {
			t.Error(err)
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: resource.ComposeTestCheckFunc(checkDestroy(c, cfg.name), func(*terraform.State) error {
			// Shared: never deleted, and left encrypted.
			return checkRunsLogGroup(c)(nil)
		}),
		Steps: []resource.TestStep{{
			Config:      cfg.hcl(),
			ExpectError: regexp.MustCompile(`(?s)(SS-KMS-2.*ProcessingJobs|ProcessingJobs.*SS-KMS-2)`),
		}, {
			PreConfig: func() {
				nothingCreated()
				if _, err := c.Logs.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{LogGroupName: aws.String(runsLogGroup)}); err != nil {
					t.Fatal(err)
				}
			},
			Config: cfg.hcl(),
			Check: resource.ComposeTestCheckFunc(checkRunsLogGroup(c), func(*terraform.State) error {
				out, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(runsLogGroup)})
				if err != nil || len(out.LogGroups) != 1 {
					return fmt.Errorf("log groups %v: %v", out, err)
				}
				if g := out.LogGroups[0]; !strings.HasSuffix(aws.ToString(g.KmsKeyId), key[strings.LastIndex(key, "/"):]) || aws.ToInt32(g.RetentionInDays) != 365 {
					return fmt.Errorf("log group key %s retention %d, want %s and 365", aws.ToString(g.KmsKeyId), aws.ToInt32(g.RetentionInDays), key)
				}
				return nil
			}),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial([]knownvalue.Check{
					knownvalue.StringExact("SS-ENC-5"), knownvalue.StringExact("SS-MON-3")})),
			},
		}},
	})
}
