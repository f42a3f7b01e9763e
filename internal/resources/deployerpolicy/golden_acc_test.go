package deployerpolicy_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// goldenTypes are the resource types of examples/golden-path.
var goldenTypes = []string{
	iampolicy.TypeKMSKey, iampolicy.TypeNetwork, iampolicy.TypeExecutionRole, iampolicy.TypePersonaRole,
	iampolicy.TypeTrainingJob, iampolicy.TypeProcessingJob, iampolicy.TypeEndpoint, iampolicy.TypeModelMonitor,
	iampolicy.TypeAuditTrail, iampolicy.TypeBudget,
}

// TestAccDeployerPolicy_goldenPath applies and destroys the golden path as
// an IAM user holding only the deployer policy of its types, named by its
// name prefix, on an emulator enforcing IAM (as
// TestAccDeployerPolicy_trainingStack, with the same limits of what the
// emulator judges).
func TestAccDeployerPolicy_goldenPath(t *testing.T) {
	e := acctest.StartPrivateEmulator(t)
	b := e.Fixtures(t)
	ctx := context.Background()
	key, err := b.Key(ctx, "deployer policy: data bucket", true)
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := b.DataBucket(ctx, acctest.RandomName("data"), key)
	if err != nil {
		t.Fatal(err)
	}
	// The golden path's default alarm_topic_arn.
	if _, err := b.OnCallTopic(ctx, "ml-oncall"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { setEnforcement(t, e.URL, false) })
	name := acctest.RandomName("gp")
	var policy string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			defer setEnforcement(t, e.URL, false)
			return checkCallsListed(ctx, t, e.Emulator(), goldenTypes)
		},
		Steps: []resource.TestStep{
			{
				Config: e.ProviderConfig("") + policyConfig(name, goldenTypes),
				Check: func(s *terraform.State) error {
					policy = s.RootModule().Resources["data.sagesafe_deployer_policy.test"].Primary.Attributes["policy_json"]
					return nil
				},
			},
			{
				PreConfig: func() {
					actAsDeployer(ctx, t, e.AWS.IAM, policy, goldenTypes)
					if err := e.Emulator().ResetCalls(ctx); err != nil {
						t.Fatal(err)
					}
					setEnforcement(t, e.URL, true)
				},
				Config: goldenConfig(t),
				ConfigVariables: config.Variables{
					"name":                   config.StringVariable(name),
					"endpoint_url":           config.StringVariable(e.URL),
					"data_bucket":            config.StringVariable(bucket),
					"retain_logs_on_destroy": config.BoolVariable(false),
				},
			},
		},
	})
}

// goldenConfig is examples/golden-path's .tf files as one configuration,
// without their `terraform` block (terraform-plugin-testing declares the
// in-process provider itself).
func goldenConfig(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "examples", "golden-path", "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("reading the golden path: %v (%d files)", err, len(files))
	}
	block := regexp.MustCompile(`(?ms)^terraform \{.*?^\}\n`)
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, block.ReplaceAll(b, nil)...)
	}
	return string(all)
}
