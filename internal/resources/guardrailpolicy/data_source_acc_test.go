package guardrailpolicy_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

const addr = "data.sagesafe_guardrail_policy.test"

// expected renders the policy with the library for comparison.
func expected(t *testing.T, spec iampolicy.GuardrailSpec) (string, int, []knownvalue.Check) {
	t.Helper()
	doc, controls, err := iampolicy.GuardrailPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []knownvalue.Check
	for _, sc := range controls {
		stmts = append(stmts, knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"sid": knownvalue.StringExact(sc.Sid), "control": knownvalue.StringExact(sc.Control),
			"title": knownvalue.StringRegexp(regexp.MustCompile(`.`)),
		}))
	}
	return doc.JSON(), iampolicy.Size(doc), stmts
}

func testAccGuardrailPolicyConfig(body string) string {
	return acctest.ProviderConfig("") + fmt.Sprintf(`
data "sagesafe_guardrail_policy" "test" {
%s
}
`, body)
}

func TestAccGuardrailPolicy_basic(t *testing.T) {
	key := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	full := iampolicy.GuardrailSpec{
		AllowedInstanceTypes:      []string{"ml.m5.*", "ml.g5.2xlarge"},
		MaxTrainingRuntimeSeconds: 86400,
		AllowedKMSKeyARNs:         []string{key},
		AllowedSubnetIDs:          []string{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"},
	}
	defJSON, defSize, defStmts := expected(t, iampolicy.GuardrailSpec{})
	fullJSON, fullSize, fullStmts := expected(t, full)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: testAccGuardrailPolicyConfig(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("json"), knownvalue.StringExact(defJSON)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(defSize))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("statements"), knownvalue.ListExact(defStmts)),
				},
			},
			{
				Config: testAccGuardrailPolicyConfig(fmt.Sprintf(`
  allowed_instance_types       = ["ml.m5.*", "ml.g5.2xlarge"]
  max_training_runtime_seconds = 86400
  allowed_kms_key_arns         = [%q]
  allowed_subnet_ids           = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
`, key)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("json"), knownvalue.StringExact(fullJSON)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(fullSize))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("statements"), knownvalue.ListExact(fullStmts)),
				},
			},
		},
	})
}

func TestAccGuardrailPolicy_refusals(t *testing.T) {
	var keys []string
	for i := range 14 {
		keys = append(keys, fmt.Sprintf("%q", fmt.Sprintf("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-%012d", i)))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      testAccGuardrailPolicyConfig("allowed_kms_key_arns = [" + strings.Join(keys, ", ") + "]"),
				ExpectError: regexp.MustCompile(`(?s)too large for an SCP.*over\s+the\s+5120-character\s+limit`),
			},
			{
				Config:      testAccGuardrailPolicyConfig(`allowed_kms_key_arns = ["arn:aws:kms:us-east-1:111122223333:alias/ml"]`),
				ExpectError: regexp.MustCompile(`(?s)allowed_kms_key_arns\[0\]\s+"arn:aws:kms:us-east-1:111122223333:alias/ml":.*not\s+an\s+alias`),
			},
			{
				Config:      testAccGuardrailPolicyConfig(`allowed_instance_types = ["m5.large"]`),
				ExpectError: regexp.MustCompile(`expected\s+an\s+instance\s+type\s+or\s+pattern`),
			},
			{
				Config:      testAccGuardrailPolicyConfig(`max_training_runtime_seconds = 0`),
				ExpectError: regexp.MustCompile(`at least 1`),
			},
		},
	})
}
