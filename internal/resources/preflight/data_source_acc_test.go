package preflight_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

const addr = "data.sagesafe_preflight.test"

// goodAndBad builds a VPC with a private subnet (own route table, S3
// gateway) in two AZs, a public subnet, closed and open security groups, a
// rotating and a non-rotating key, and roles with and without
// confused-deputy conditions.
type fixtures struct {
	private1, private2, public string
	closedSG, openSG           string
	rotatingKey, staticKey     string
	goodRole, looseRole        string
}

func makeFixtures(t *testing.T) fixtures {
	c := acctest.AWS(t)
	vpc := acctest.VPC(t, "10.40.0.0/16")
	return fixtures{
		private1:    acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.40.1.0/24", AZ: acctest.Region + "a", S3Gateway: true}),
		private2:    acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.40.2.0/24", AZ: acctest.Region + "b", S3Gateway: true}),
		public:      acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.40.3.0/24", InternetRoute: true, MapPublicIP: true}),
		closedSG:    acctest.SecurityGroup(t, vpc, false),
		openSG:      acctest.SecurityGroup(t, vpc, true),
		rotatingKey: acctest.Key(t, true),
		staticKey:   acctest.Key(t, false),
		goodRole:    acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true)),
		looseRole:   acctest.Role(t, acctest.SageMakerTrust(c.AccountID, false)),
	}
}

func config(body string) string {
	return acctest.ProviderConfig("") + fmt.Sprintf(`
data "sagesafe_preflight" "test" {
%s
}
`, body)
}

func TestAccPreflight_compliant(t *testing.T) {
	f := makeFixtures(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: config(fmt.Sprintf(`
  subnet_ids         = [%q, %q]
  security_group_ids = [%q]
  kms_key_arn        = %q
  role_arn           = %q
  instance_type      = "ml.m5.xlarge"
`, f.private1, f.private2, f.closedSG, f.rotatingKey, f.goodRole)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("compliant"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("subnets"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.StringExact(f.private1), "availability_zone": knownvalue.StringExact("us-east-1a"),
						"private": knownvalue.Bool(true), "reasons": knownvalue.ListExact([]knownvalue.Check{}),
					}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.StringExact(f.private2), "availability_zone": knownvalue.StringExact("us-east-1b"),
						"private": knownvalue.Bool(true), "reasons": knownvalue.ListExact([]knownvalue.Check{}),
					}),
				})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("account_id"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{12}$`))),
			},
		}},
	})
}

func TestAccPreflight_nonCompliant(t *testing.T) {
	f := makeFixtures(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: config(fmt.Sprintf(`
  subnet_ids         = [%q, %q]
  security_group_ids = [%q, %q]
  kms_key_arn        = %q
  role_arn           = %q
`, f.private1, f.public, f.closedSG, f.openSG, f.staticKey, f.looseRole)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("compliant"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("subnets").AtSliceIndex(0).AtMapKey("private"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("subnets").AtSliceIndex(1).AtMapKey("private"), knownvalue.Bool(false)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckTypeSetElemNestedAttrs(addr, "findings.*", map[string]string{"control": "SS-NET-2", "severity": "error", "subject": f.public}),
				resource.TestCheckTypeSetElemNestedAttrs(addr, "findings.*", map[string]string{"control": "SS-NET-3", "severity": "error", "subject": f.openSG}),
				resource.TestCheckTypeSetElemNestedAttrs(addr, "findings.*", map[string]string{"control": "SS-KMS-2", "severity": "error"}),
				resource.TestCheckTypeSetElemNestedAttrs(addr, "findings.*", map[string]string{"control": "SS-IAM-1", "severity": "error"}),
				resource.TestMatchTypeSetElemNestedAttrs(addr, "findings.*", map[string]*regexp.Regexp{
					"control": regexp.MustCompile(`^SS-NET-2$`),
					"message": regexp.MustCompile(`igw-`),
					"fix":     regexp.MustCompile(`sagesafe_network`),
				}),
			),
		}},
	})
}

func TestAccPreflight_enforce(t *testing.T) {
	f := makeFixtures(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: config(fmt.Sprintf(`
  subnet_ids  = [%q]
  kms_key_arn = %q
  enforce     = true
`, f.public, f.staticKey)),
			ExpectError: regexp.MustCompile(`SS-KMS-2: `),
		}, {
			Config: config(fmt.Sprintf(`
  subnet_ids  = [%q]
  enforce     = true
`, f.public)),
			ExpectError: regexp.MustCompile(`SS-NET-2: subnet ` + f.public + ` is not private`),
		}},
	})
}

// A role whose trust conditions name another account, and a role with a
// customer-managed policy that reads every bucket's objects without saying
// "*": both refused at plan time, with the statement and account named.
func TestAccPreflight_foreignTrustAndBroadManagedPolicy(t *testing.T) {
	c := acctest.AWS(t)
	readAll := acctest.Policy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*/*"}]}`)
	foreignTrust := acctest.Role(t, acctest.SageMakerTrust("999999999999", true))
	broad := acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true), readAll)
	good := acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true))
	role := func(arn string) string { return config(fmt.Sprintf("  role_arn = %q\n  enforce  = true", arn)) }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      role(foreignTrust),
			ExpectError: regexp.MustCompile(`(?s)SS-IAM-1: role .*confused-deputy conditions.*aws:SourceAccount\s+"999999999999"`),
		}, {
			Config:      role(broad),
			ExpectError: regexp.MustCompile(`(?s)SS-IAM-2: role .*broad permissions.*` + regexp.QuoteMeta(readAll) + `.*s3:GetObject.*arn:aws:s3:::\*/\*`),
		}, {
			Config: role(good),
			Check:  resource.TestCheckResourceAttr(addr, "compliant", "true"),
		}},
	})
}

// A rotating customer-managed key of another account: refused with SS-KMS-1
// naming the account, unless guardrails.allowed_key_accounts lists it.
func TestAccPreflight_keyOfAnotherAccount(t *testing.T) {
	foreign := acctest.KeyInAccount(t, "999999999999")
	key := func(guardrails string) string {
		return acctest.ProviderConfig(guardrails) + fmt.Sprintf(`
data "sagesafe_preflight" "test" {
  kms_key_arn = %q
  enforce     = true
}
`, foreign)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      key(""),
			ExpectError: regexp.MustCompile(`(?s)SS-KMS-1: KMS key .*belongs to\s+account\s+999999999999.*allowed_key_accounts`),
		}, {
			Config: key(`guardrails { allowed_key_accounts = ["999999999999"] }`),
			Check:  resource.TestCheckResourceAttr(addr, "compliant", "true"),
		}},
	})
}

func TestAccPreflight_badInput(t *testing.T) {
	vpc := acctest.VPC(t, "10.41.0.0/16")
	sn := acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.41.1.0/24"})
	missingKey := fmt.Sprintf("arn:aws:kms:%s:123456789012:key/00000000-0000-0000-0000-000000000000", acctest.Region)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		// The refusals come first: terraform-plugin-testing destroys with the
		// last step's configuration, which must therefore be valid.
		Steps: []resource.TestStep{
			{ // plaintext to a non-loopback host: SS-TLS-1 at validation
				Config: `
provider "sagesafe" {
  region       = "us-east-1"
  endpoint_url = "http://sagemaker.example.com:4566"
}
data "sagesafe_preflight" "test" {}
`,
				ExpectError: regexp.MustCompile(`SS-TLS-1`),
			},
			{ // malformed ARN: refused by validation before any AWS call
				Config:      config(`role_arn = "not-an-arn"`),
				ExpectError: regexp.MustCompile(`not a valid ARN`),
			},
			{ // a key that does not exist and a subnet that does not exist: findings, never a panic
				Config: config(fmt.Sprintf(`
  subnet_ids  = [%q, "subnet-0000000000000dead"]
  kms_key_arn = %q
`, sn, missingKey)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "compliant", "false"),
					resource.TestMatchTypeSetElemNestedAttrs(addr, "findings.*", map[string]*regexp.Regexp{
						"subject": regexp.MustCompile(`^subnet-0000000000000dead$`),
						"message": regexp.MustCompile(`does not exist`),
					}),
					resource.TestMatchTypeSetElemNestedAttrs(addr, "findings.*", map[string]*regexp.Regexp{
						"control": regexp.MustCompile(`^SS-KMS-1$`),
						"message": regexp.MustCompile(`does not exist`),
					}),
				),
			},
		},
	})
}

// TestAccPreflight_subnetWithoutS3GatewayRoute: a private subnet whose route
// table has no route from the S3 prefix list to a gateway endpoint is
// reported under SS-NET-6 as a warning naming the subnet and its routes, and
// the control is `warned`, not held. SS-NET-6 is a warning the guardrails
// cannot raise (it is not tunable), so even with enforce = true it refuses
// nothing; with the S3 route present the control is held.
func TestAccPreflight_subnetWithoutS3GatewayRoute(t *testing.T) {
	vpc := acctest.VPC(t, "10.42.0.0/16")
	routed := acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.42.1.0/24", AZ: acctest.Region + "a", S3Gateway: true})
	unrouted := acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.42.2.0/24", AZ: acctest.Region + "b"})
	subnets := func(extra string, ids ...string) string {
		list := ""
		for _, id := range ids {
			list += fmt.Sprintf("%q, ", id)
		}
		return config(fmt.Sprintf("  subnet_ids = [%s]\n%s", list, extra))
	}
	state := func(id, want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey(id), knownvalue.StringExact(want))
	}
	warned := []statecheck.StateCheck{
		state("SS-NET-6", "warned"),
		state("SS-NET-2", "held"),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("compliant"), knownvalue.Bool(true)),
	}
	finding := resource.TestMatchTypeSetElemNestedAttrs(addr, "findings.*", map[string]*regexp.Regexp{
		"control":  regexp.MustCompile(`^SS-NET-6$`),
		"severity": regexp.MustCompile(`^warning$`),
		"subject":  regexp.MustCompile(`^` + unrouted + `$`),
		"message":  regexp.MustCompile(`(?s)subnet ` + unrouted + ` has no route to an S3 gateway endpoint.*its routes are 10\.42\.0\.0/16 -> local`),
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:            subnets("", routed, unrouted),
			ConfigStateChecks: warned,
			Check:             finding,
		}, {
			Config:            subnets("  enforce = true\n", routed, unrouted),
			ConfigStateChecks: warned,
			Check:             finding,
		}, {
			Config: subnets("  enforce = true\n", routed),
			ConfigStateChecks: []statecheck.StateCheck{
				state("SS-NET-6", "held"),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}
