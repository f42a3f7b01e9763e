package personapolicy_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamsim"
)

const addr = "data.sagesafe_persona_policy.test"

func config(body string) string {
	return acctest.ProviderConfig("") + fmt.Sprintf(`
data "sagesafe_persona_policy" "test" {
%s
}
`, body)
}

type fixture struct {
	account, key, role, subnet, group string
}

func newFixture(t *testing.T) fixture {
	account := acctest.AWS(t).AccountID
	return fixture{
		account: account,
		key:     fmt.Sprintf("arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab", acctest.Region, account),
		role:    fmt.Sprintf("arn:aws:iam::%s:role/ml-training", account),
		subnet:  "subnet-0123456789abcdef0",
		group:   "sg-0123456789abcdef0",
	}
}

func (f fixture) dataScientist() string {
	return fmt.Sprintf(`
  persona             = "data_scientist"
  account_principals  = [%[1]q]
  subnet_ids          = [%[2]q]
  security_group_ids  = [%[3]q]
  kms_key_arn         = %[4]q
  execution_role_arns = [%[5]q]
  s3_read_uris        = ["s3://ml-data/train/"]
  s3_write_uris       = ["s3://ml-artifacts/models/"]
`, f.account, f.subnet, f.group, f.key, f.role)
}

// TestAccPersonaPolicy_renders reads the documents for a data scientist and a model reviewer:
// the JSON is the library's, and the data scientist's policy_json, as Terraform stored it, lets
// the sagesafe-shaped CreateTrainingJob through and refuses it outside the given subnet.
func TestAccPersonaPolicy_renders(t *testing.T) {
	f := newFixture(t)
	ds := iampolicy.PersonaSpec{
		Persona: iampolicy.PersonaDataScientist, Partition: "aws", Region: acctest.Region, AccountID: f.account,
		SubnetIDs: []string{f.subnet}, SecurityGroupIDs: []string{f.group}, KMSKeyARN: f.key,
		ExecutionRoleARNs: []string{f.role}, S3ReadURIs: []string{"s3://ml-data/train/"},
		S3WriteURIs: []string{"s3://ml-artifacts/models/"}, AccountPrincipals: []string{f.account},
	}
	reviewer := iampolicy.PersonaSpec{
		Persona: iampolicy.PersonaModelReviewer, Partition: "aws", Region: acctest.Region, AccountID: f.account,
		SAMLProviderARN: fmt.Sprintf("arn:aws:iam::%s:saml-provider/IdentityCenter", f.account),
	}
	skip, err := iamsim.Unavailable()
	if err != nil {
		t.Fatal(err)
	}
	judge := judgedBySimulator(f)
	if skip != "" {
		t.Logf("policy_json is not judged: %s", skip)
		judge = nil
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:            config(f.dataScientist()),
				ConfigStateChecks: rendered(t, ds),
				Check:             judge,
			},
			{
				Config:            config(fmt.Sprintf("  persona = \"model_reviewer\"\n  saml_provider_arn = %q", reviewer.SAMLProviderARN)),
				ConfigStateChecks: rendered(t, reviewer),
			},
		},
	})
}

// rendered checks the data source's outputs against the library's documents for spec.
func rendered(t *testing.T, spec iampolicy.PersonaSpec) []statecheck.StateCheck {
	policy, controls, err := iampolicy.PersonaPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := iampolicy.PersonaTrust(spec)
	if err != nil {
		t.Fatal(err)
	}
	activities := []knownvalue.Check{} // the defaults, in policy order
	for _, id := range iampolicy.AllPersonaActivities() {
		if slices.Contains(iampolicy.PersonaActivities(spec.Persona), id) {
			activities = append(activities, knownvalue.StringExact(id))
		}
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(policy.JSON())),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("trust_policy_json"), knownvalue.StringExact(trust.JSON())),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(iampolicy.Size(policy)))),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("activities"), knownvalue.ListExact(activities)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("statement_controls"), knownvalue.ListSizeExact(len(controls))),
	}
}

// judgedBySimulator asks the IAM policy simulator about the policy_json in the state.
func judgedBySimulator(f fixture) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in the state", addr)
		}
		secure := map[string][]string{
			"sagemaker:VpcSubnets": {f.subnet}, "sagemaker:VpcSecurityGroupIds": {f.group},
			"sagemaker:VolumeKmsKeyArn": {f.key}, "sagemaker:OutputKmsKeyArn": {f.key},
			"sagemaker:NetworkIsolation": {"true"}, "sagemaker:InterContainerTrafficEncryption": {"true"},
		}
		outside := map[string][]string{}
		for k, v := range secure {
			outside[k] = v
		}
		outside["sagemaker:VpcSubnets"] = []string{"subnet-0fffffffffffffff9"}
		job := fmt.Sprintf("arn:aws:sagemaker:%s:%s:training-job/churn", acctest.Region, f.account)
		outcomes, err := iamsim.CheckPersona(context.Background(), fmt.Sprintf("arn:aws:iam::%s:role/ds", f.account),
			[]string{rs.Primary.Attributes["policy_json"]}, []iamsim.Case{
				{Name: "sagesafe-shaped CreateTrainingJob", Action: "sagemaker:CreateTrainingJob", Resource: job, Context: secure, WantAllowed: true},
				{Name: "CreateTrainingJob in another subnet", Action: "sagemaker:CreateTrainingJob", Resource: job, Context: outside},
			})
		if err != nil {
			return err
		}
		for _, o := range outcomes {
			if !o.OK {
				return fmt.Errorf("policy_json: %s", o)
			}
		}
		return nil
	}
}

// TestAccPersonaPolicy_refusals: inputs the persona role would refuse are refused here too,
// naming the control.
func TestAccPersonaPolicy_refusals(t *testing.T) {
	f := newFixture(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      config(`  persona = "data_scientist"` + "\n" + `  account_principals = ["` + f.account + `"]`),
				ExpectError: regexp.MustCompile(`SS-IAM-3: a persona that launches workloads needs the subnets`),
			},
			{
				Config: config(fmt.Sprintf("  persona = \"model_reviewer\"\n  account_principals = [%q]",
					fmt.Sprintf("arn:aws:iam::%s:*", f.account))),
				ExpectError: regexp.MustCompile(`SS-IAM-4: wildcards and policy variables are not allowed in a principal`),
			},
			{
				Config: config(fmt.Sprintf("  persona = \"model_reviewer\"\n  saml_provider_arn = %q",
					"arn:aws:iam::210987654321:saml-provider/Other")),
				ExpectError: regexp.MustCompile(`SS-IAM-4: the SAML provider is in account 210987654321`),
			},
			{
				Config:      config(`  persona = "admin"`),
				ExpectError: regexp.MustCompile(`(?s)persona.*must be one of:.*"data_scientist"`),
			},
			{
				Config:      config(`  persona = "model_reviewer"` + "\n" + `  account_principals = ["` + f.account + `"]` + "\n" + `  extra_activities = ["root_access"]`),
				ExpectError: regexp.MustCompile(`(?s)extra_activities.*must be one of`),
			},
		},
	})
}
