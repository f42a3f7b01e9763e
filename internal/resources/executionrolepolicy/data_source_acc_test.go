package executionrolepolicy_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

const addr = "data.sagesafe_execution_role_policy.test"

// inputs is the HCL body shared by the data source and the resource in
// TestAccExecutionRolePolicy_matchesResource.
func inputs(purpose, bucket, key, repo string) string {
	return fmt.Sprintf(`
  purpose                = %[1]q
  s3_read_uris           = ["s3://%[2]s/train/", "s3://%[2]s-ref"]
  s3_write_uris          = ["s3://%[2]s/models/"]
  kms_key_arns           = [%[3]q]
  ecr_repository_arns    = [%[4]q]
  vpc_subnet_ids         = ["subnet-0123456789abcdef0"]
  vpc_security_group_ids = ["sg-0123456789abcdef0"]
`, purpose, bucket, key, repo)
}

// TestAccExecutionRolePolicy_matchesResource renders the documents for
// every purpose with the data source next to a sagesafe_execution_role with
// the same inputs: the JSON is identical, and identical to the library's.
func TestAccExecutionRolePolicy_matchesResource(t *testing.T) {
	c := acctest.AWS(t)
	bucket := acctest.RandomName("data")
	key := acctest.Key(t, true)
	repo := fmt.Sprintf("arn:aws:ecr:%s:%s:repository/team/trainer", acctest.Region, c.AccountID)
	var steps []resource.TestStep
	for _, purpose := range iampolicy.PurposeValues() {
		spec := iampolicy.RoleSpec{
			Partition: "aws", Region: acctest.Region, AccountID: c.AccountID, Purpose: iampolicy.Purpose(purpose),
			S3ReadURIs: []string{"s3://" + bucket + "/train/", "s3://" + bucket + "-ref"}, S3WriteURIs: []string{"s3://" + bucket + "/models/"},
			KMSKeyARNs: []string{key}, ECRRepositoryARNs: []string{repo},
			SubnetIDs: []string{"subnet-0123456789abcdef0"}, SecurityGroupIDs: []string{"sg-0123456789abcdef0"},
		}
		trust, err := iampolicy.TrustPolicy(spec)
		if err != nil {
			t.Fatal(err)
		}
		policy, err := iampolicy.ExecutionPolicy(spec)
		if err != nil {
			t.Fatal(err)
		}
		body := inputs(purpose, bucket, key, repo)
		steps = append(steps, resource.TestStep{
			Config: acctest.ProviderConfig("") + fmt.Sprintf(`
data "sagesafe_execution_role_policy" "test" {
%[1]s
}

resource "sagesafe_execution_role" "test" {
  name = %[2]q
%[1]s
}
`, body, acctest.RandomName("exec")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("trust_policy_json"), knownvalue.StringExact(trust.JSON())),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(policy.JSON())),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_name"), knownvalue.StringExact("sagesafe-execution")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("size"), knownvalue.Int64Exact(int64(iampolicy.Size(policy)))),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrPair(addr, "trust_policy_json", "sagesafe_execution_role.test", "trust_policy_json"),
				resource.TestCheckResourceAttrPair(addr, "policy_json", "sagesafe_execution_role.test", "policy_json"),
			),
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(s *terraform.State) error {
			for _, rs := range s.RootModule().Resources {
				if rs.Type != "sagesafe_execution_role" {
					continue
				}
				_, err := acctest.AWS(t).IAM.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(rs.Primary.ID)})
				var nse *iamtypes.NoSuchEntityException
				if !errors.As(err, &nse) {
					return fmt.Errorf("role %s still exists after destroy (err %v)", rs.Primary.ID, err)
				}
			}
			return nil
		},
		Steps: steps,
	})
}

func TestAccExecutionRolePolicy_refusals(t *testing.T) {
	cfg := func(body string) string {
		return acctest.ProviderConfig("") + fmt.Sprintf(`
data "sagesafe_execution_role_policy" "test" {
%s
}
`, body)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      cfg(`purpose = "training"` + "\n" + `s3_read_uris = ["s3://my-data/*"]`),
				ExpectError: regexp.MustCompile(`SS-IAM-2: wildcards`),
			},
			{
				Config:      cfg(`purpose = "inference"` + "\n" + `s3_read_uris = ["http://my-data.s3.amazonaws.com/models/"]`),
				ExpectError: regexp.MustCompile(`SS-TLS-2: use an s3://bucket/prefix URI`),
			},
			{
				Config:      cfg(`purpose = "notebook"`),
				ExpectError: regexp.MustCompile(`(?s)must be one of:.*"training".*"inference".*"training_and_inference"`),
			},
			{
				Config: cfg(`purpose = "training"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringRegexp(regexp.MustCompile(`"Sid":"CloudWatchLogs"`))),
				},
			},
		},
	})
}
