package kmskey_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/kmskey"
)

const addr = "sagesafe_kms_key.test"

// keyPolicy is the policy the resource must generate, built independently
// with the same library call and the emulator's account.
func keyPolicy(t *testing.T, spec iampolicy.KeySpec) string {
	t.Helper()
	c := acctest.AWS(t)
	spec.Partition, spec.Region, spec.AccountID = "aws", acctest.Region, c.AccountID
	doc, err := iampolicy.KeyPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	return doc.JSON()
}

var allControls = knownvalue.ListExact([]knownvalue.Check{
	knownvalue.StringExact("SS-KMS-1"), knownvalue.StringExact("SS-KMS-2"),
})

func TestAccKMSKey_basic(t *testing.T) {
	c := acctest.AWS(t)
	user := acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true))
	admin := acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true))
	alias := "alias/" + acctest.RandomName("key")
	alias2 := alias + "-renamed"
	var keyID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckKMSKeyDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccKMSKeyConfig_basic(alias, "first", 365, admin, user),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					// The policy is known at plan time, so reviewers see it.
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(
						keyPolicy(t, iampolicy.KeySpec{Administrators: []string{admin}, Users: []string{user}, AllowCloudWatchLogs: true}))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_state"), knownvalue.StringExact("Enabled")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_period_days"), knownvalue.Int64Exact(365)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("deletion_window_days"), knownvalue.Int64Exact(7)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("alias"), knownvalue.StringExact(alias)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("arn"), knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:kms:us-east-1:\d{12}:key/`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("ml"),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(
						keyPolicy(t, iampolicy.KeySpec{Administrators: []string{admin}, Users: []string{user}, AllowCloudWatchLogs: true}))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					captureID(&keyID),
					func(*terraform.State) error {
						return checkLiveKey(t, keyID, 365, alias, map[string]string{"team": "ml"},
							keyPolicy(t, iampolicy.KeySpec{Administrators: []string{admin}, Users: []string{user}, AllowCloudWatchLogs: true}))
					},
				),
			},
			{
				// Update in place: rotation period, description, alias, tags,
				// users removed, CloudWatch Logs off, flow logs on.
				Config: testAccKMSKeyConfig_updated(alias2, 180),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_period_days"), knownvalue.Int64Exact(180)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("second")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("alias"), knownvalue.StringExact(alias2)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(
						keyPolicy(t, iampolicy.KeySpec{AllowFlowLogsDelivery: true}))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				},
				Check: func(*terraform.State) error {
					if err := checkLiveKey(t, keyID, 180, alias2, map[string]string{"team": "ml", "stage": "prod"},
						keyPolicy(t, iampolicy.KeySpec{AllowFlowLogsDelivery: true})); err != nil {
						return err
					}
					// The old alias was removed, not left behind.
					_, err := acctest.AWS(t).KMS.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(alias)})
					var nf *kmstypes.NotFoundException
					if !errors.As(err, &nf) {
						return fmt.Errorf("old alias %s still resolves (err %v)", alias, err)
					}
					return nil
				},
			},
			{
				// A sagesafe_preflight of the key reports no findings.
				Config: testAccKMSKeyConfig_updated(alias2, 180) + `
data "sagesafe_preflight" "test" {
  kms_key_arn = sagesafe_kms_key.test.arn
  enforce     = true
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sagesafe_preflight.test", tfjsonpath.New("compliant"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.sagesafe_preflight.test", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
		},
	})
}

func TestAccKMSKey_driftRotationDisabled(t *testing.T) {
	var keyID string
	alias := "alias/" + acctest.RandomName("key")
	cfg := testAccKMSKeyConfig_updated(alias, 180)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckKMSKeyDestroy(t),
		Steps: []resource.TestStep{
			{Config: cfg, Check: captureID(&keyID)},
			{
				PreConfig: func() {
					kc := acctest.AWS(t).KMS
					if _, err := kc.DisableKeyRotation(context.Background(), &kms.DisableKeyRotationInput{KeyId: aws.String(keyID)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBefore(addr, "rotation_enabled", false),
					expectBefore(addr, "controls", []any{"SS-KMS-1"}),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_enabled"), knownvalue.Bool(true)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("rotation_enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				},
				Check: func(*terraform.State) error {
					return checkLiveKey(t, keyID, 180, alias, nil, keyPolicy(t, iampolicy.KeySpec{AllowFlowLogsDelivery: true}))
				},
			},
			{
				// Disabled outside Terraform: drift, then re-enabled.
				PreConfig: func() {
					if _, err := acctest.AWS(t).KMS.DisableKey(context.Background(), &kms.DisableKeyInput{KeyId: aws.String(keyID)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBefore(addr, "key_state", "Disabled"),
					expectBefore(addr, "controls", []any{"SS-KMS-2"}),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("key_state"), knownvalue.StringExact("Enabled")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_state"), knownvalue.StringExact("Enabled")),
				},
				Check: func(*terraform.State) error { return checkKeyState(t, keyID, kmstypes.KeyStateEnabled) },
			},
			{
				// Scheduled for deletion outside Terraform: drift, then the
				// deletion is cancelled and the key re-enabled.
				PreConfig: func() {
					if _, err := acctest.AWS(t).KMS.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBefore(addr, "key_state", "PendingDeletion"),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("key_state"), knownvalue.StringExact("Enabled")),
				}},
				Check: func(*terraform.State) error { return checkKeyState(t, keyID, kmstypes.KeyStateEnabled) },
			},
		},
	})
}

func TestAccKMSKey_driftPolicyEdited(t *testing.T) {
	c := acctest.AWS(t)
	user := acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true))
	var keyID string
	alias := "alias/" + acctest.RandomName("key")
	cfg := testAccKMSKeyConfig_basic(alias, "edited", 365, "", user)
	want := keyPolicy(t, iampolicy.KeySpec{Users: []string{user}, AllowCloudWatchLogs: true})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckKMSKeyDestroy(t),
		Steps: []resource.TestStep{
			{Config: cfg, Check: captureID(&keyID)},
			{
				// Someone adds a statement that lets every principal decrypt,
				// and deletes the alias.
				PreConfig: func() {
					doc, err := iampolicy.Parse(want)
					if err != nil {
						t.Fatal(err)
					}
					doc.Statement = append(doc.Statement, iampolicy.Statement{
						Sid: "Oops", Effect: "Allow", Principal: iampolicy.Principal{"AWS": {"*"}},
						Action: []string{"kms:Decrypt"}, Resource: []string{"*"},
					})
					kc := acctest.AWS(t).KMS
					if _, err := kc.PutKeyPolicy(context.Background(), &kms.PutKeyPolicyInput{KeyId: aws.String(keyID), PolicyName: aws.String("default"), Policy: aws.String(doc.JSON())}); err != nil {
						t.Fatal(err)
					}
					if _, err := kc.DeleteAlias(context.Background(), &kms.DeleteAliasInput{AliasName: aws.String(alias)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBeforeMatches(addr, "policy_json", regexp.MustCompile(`"Sid":"Oops"`)),
					expectBefore(addr, "alias", nil),
					expectBefore(addr, "controls", []any{"SS-KMS-2"}),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(want)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(want)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				},
				Check: func(*terraform.State) error { return checkLiveKey(t, keyID, 365, alias, nil, want) },
			},
		},
	})
}

func TestAccKMSKey_import(t *testing.T) {
	c := acctest.AWS(t)
	user := acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true))
	admin := acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true))
	alias := "alias/" + acctest.RandomName("key")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckKMSKeyDestroy(t),
		Steps: []resource.TestStep{
			{Config: testAccKMSKeyConfig_basic(alias, "imported", 400, admin, user)},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
				// Not stored in AWS: it only matters at destroy.
				ImportStateVerifyIgnore: []string{"deletion_window_days"},
			},
			{
				ResourceName: addr,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources[addr].Primary.Attributes["arn"], nil
				},
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"deletion_window_days"},
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: alias,
				ExpectError:   regexp.MustCompile(`not a KMS key ID or key ARN`),
			},
			{
				// An AWS managed key cannot be adopted.
				ResourceName: addr,
				ImportState:  true,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					d, err := acctest.AWS(t).KMS.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
					if err != nil {
						return "", err
					}
					return aws.ToString(d.KeyMetadata.KeyId), nil
				},
				ExpectError: regexp.MustCompile(`(?s)cannot be a sagesafe_kms_key.*AWS managed key`),
			},
		},
	})
}

func TestAccKMSKey_refusals(t *testing.T) {
	c := acctest.AWS(t)
	role := acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true))
	alias := "alias/" + acctest.RandomName("key")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckKMSKeyDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      testAccKMSKeyConfig_users(fmt.Sprintf("arn:aws:iam::%s:role/*", c.AccountID)),
				ExpectError: regexp.MustCompile(`SS-IAM-2: .*wildcards`),
			},
			{
				Config:      testAccKMSKeyConfig_basic(alias, "both", 365, role, role),
				ExpectError: regexp.MustCompile(`administer the key or use it, not both`),
			},
			{
				Config:      testAccKMSKeyConfig_aliasAndPeriod("alias/aws/sagemaker", 365),
				ExpectError: regexp.MustCompile(`reserved`),
			},
			{
				Config:      testAccKMSKeyConfig_aliasAndPeriod(alias, 30),
				ExpectError: regexp.MustCompile(`rotation_period_days.*between 90 and 2560|between 90 and 2560`),
			},
			{
				// The provider's required_tags guardrail applies to keys (SS-GOV-1).
				Config:      testAccKMSKeyConfig_requiredTags(alias, ""),
				ExpectError: regexp.MustCompile(`SS-GOV-1: KMS key .* lacks required tags cost-center`),
			},
			{Config: testAccKMSKeyConfig_requiredTags(alias, `cost-center = "ml"`)},
		},
	})
}

func testAccKMSKeyConfig_basic(alias, description string, period int, admin, user string) string {
	admins := ""
	if admin != "" {
		admins = fmt.Sprintf("administrators = [%q]", admin)
	}
	return acctest.ProviderConfig("") + fmt.Sprintf(`
resource "sagesafe_kms_key" "test" {
  alias                = %[1]q
  description          = %[2]q
  rotation_period_days = %[3]d
  deletion_window_days = 7
  %[4]s
  users                = [%[5]q]
  tags = {
    team = "ml"
  }
}
`, alias, description, period, admins, user)
}

func testAccKMSKeyConfig_updated(alias string, period int) string {
	return acctest.ProviderConfig("") + fmt.Sprintf(`
resource "sagesafe_kms_key" "test" {
  alias                    = %[1]q
  description              = "second"
  rotation_period_days     = %[2]d
  deletion_window_days     = 7
  allow_cloudwatch_logs    = false
  allow_flow_logs_delivery = true
  tags = {
    team  = "ml"
    stage = "prod"
  }
}
`, alias, period)
}

func testAccKMSKeyConfig_users(user string) string {
	return acctest.ProviderConfig("") + fmt.Sprintf(`
resource "sagesafe_kms_key" "test" {
  deletion_window_days = 7
  users                = [%q]
}
`, user)
}

func testAccKMSKeyConfig_aliasAndPeriod(alias string, period int) string {
	return acctest.ProviderConfig("") + fmt.Sprintf(`
resource "sagesafe_kms_key" "test" {
  alias                = %q
  rotation_period_days = %d
  deletion_window_days = 7
}
`, alias, period)
}

func testAccKMSKeyConfig_requiredTags(alias, tags string) string {
	return acctest.ProviderConfig(`
  guardrails {
    required_tags = ["cost-center"]
  }
`) + fmt.Sprintf(`
resource "sagesafe_kms_key" "test" {
  alias                = %q
  deletion_window_days = 7
  tags = {
    %s
  }
}
`, alias, tags)
}

func captureID(id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		*id = rs.Primary.ID
		return nil
	}
}

// checkLiveKey asks the emulator directly for the key's posture.
func checkLiveKey(t *testing.T, id string, period int32, alias string, tags map[string]string, policy string) error {
	ctx := context.Background()
	kc := acctest.AWS(t).KMS
	d, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		return err
	}
	m := d.KeyMetadata
	if m.KeyState != kmstypes.KeyStateEnabled || m.KeySpec != kmstypes.KeySpecSymmetricDefault || m.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt || m.KeyManager != kmstypes.KeyManagerTypeCustomer {
		return fmt.Errorf("key %s: state %s spec %s usage %s manager %s", id, m.KeyState, m.KeySpec, m.KeyUsage, m.KeyManager)
	}
	rot, err := kc.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if err != nil {
		return err
	}
	if !rot.KeyRotationEnabled || aws.ToInt32(rot.RotationPeriodInDays) != period {
		return fmt.Errorf("key %s: rotation %v every %d days, want every %d", id, rot.KeyRotationEnabled, aws.ToInt32(rot.RotationPeriodInDays), period)
	}
	pol, err := kc.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default")})
	if err != nil {
		return err
	}
	if same, err := iampolicy.Equivalent(aws.ToString(pol.Policy), policy); err != nil || !same {
		return fmt.Errorf("key %s: live policy %s, want %s (%v)", id, aws.ToString(pol.Policy), policy, err)
	}
	byAlias, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err != nil || aws.ToString(byAlias.KeyMetadata.KeyId) != id {
		return fmt.Errorf("alias %s does not point at key %s (err %v)", alias, id, err)
	}
	if tags != nil {
		got, err := kc.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
		if err != nil {
			return err
		}
		have := map[string]string{}
		for _, tg := range got.Tags {
			have[aws.ToString(tg.TagKey)] = aws.ToString(tg.TagValue)
		}
		// The creation token the resource writes with CreateKey: there,
		// and not part of the configured tags.
		if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(have[idem.TokenTag]) {
			return fmt.Errorf("key %s: creation token tag %s is %q", id, idem.TokenTag, have[idem.TokenTag])
		}
		delete(have, idem.TokenTag)
		// The identity tag: the alias the key was made for, by which a
		// create after a killed apply finds it.
		if have[kmskey.TagAlias] != alias {
			return fmt.Errorf("key %s: identity tag %s is %q, want %q", id, kmskey.TagAlias, have[kmskey.TagAlias], alias)
		}
		delete(have, kmskey.TagAlias)
		if !reflect.DeepEqual(have, tags) {
			return fmt.Errorf("key %s: tags %v, want %v", id, have, tags)
		}
	}
	return nil
}

func checkKeyState(t *testing.T, id string, want kmstypes.KeyState) error {
	d, err := acctest.AWS(t).KMS.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		return err
	}
	if d.KeyMetadata.KeyState != want {
		return fmt.Errorf("key %s is %s, want %s", id, d.KeyMetadata.KeyState, want)
	}
	return nil
}

// testAccCheckKMSKeyDestroy asks the emulator that every key the test
// created is pending deletion and has no alias left.
func testAccCheckKMSKeyDestroy(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		kc := acctest.AWS(t).KMS
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "sagesafe_kms_key" {
				continue
			}
			d, err := kc.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(rs.Primary.ID)})
			var nf *kmstypes.NotFoundException
			if errors.As(err, &nf) {
				continue
			}
			if err != nil {
				return err
			}
			if d.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
				return fmt.Errorf("key %s is %s after destroy, want PendingDeletion", rs.Primary.ID, d.KeyMetadata.KeyState)
			}
			aliases, err := kc.ListAliases(context.Background(), &kms.ListAliasesInput{KeyId: aws.String(rs.Primary.ID)})
			if err != nil {
				return err
			}
			for _, a := range aliases.Aliases {
				if !strings.HasPrefix(aws.ToString(a.AliasName), "alias/aws/") {
					return fmt.Errorf("alias %s of key %s left after destroy", aws.ToString(a.AliasName), rs.Primary.ID)
				}
			}
		}
		return nil
	}
}

// expectBefore checks an attribute of the refreshed state the plan starts
// from (the plan's "before"), which is where drift shows.
func expectBefore(address, attribute string, want any) plancheck.PlanCheck {
	return beforeCheck{address: address, attribute: attribute, match: func(got any) bool {
		return reflect.DeepEqual(got, want)
	}, want: fmt.Sprint(want)}
}

func expectBeforeMatches(address, attribute string, re *regexp.Regexp) plancheck.PlanCheck {
	return beforeCheck{address: address, attribute: attribute, match: func(got any) bool {
		s, ok := got.(string)
		return ok && re.MatchString(s)
	}, want: "a match for " + re.String()}
}

type beforeCheck struct {
	address, attribute, want string
	match                    func(any) bool
}

func (c beforeCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		if got := before[c.attribute]; !c.match(got) {
			b, _ := json.Marshal(got)
			resp.Error = fmt.Errorf("%s: before-plan %s is %s, want %s", c.address, c.attribute, b, c.want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.address)
}
