package deployerpolicy_test

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// goldenTypes are the resource types of the golden path.
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
	// The golden path's default alarm_topic_arn.
	topic := func(ctx context.Context, b *fixtures.Builder) error {
		_, err := b.OnCallTopic(ctx, "ml-oncall")
		return err
	}
	d := newDeployerRun(t, goldenTypes, "gp", topic)
	resource.Test(t, d.testCase(resource.TestStep{
		Config: acctest.GoldenPathConfig(t),
		ConfigVariables: config.Variables{
			"name":                   config.StringVariable(d.name),
			"endpoint_url":           config.StringVariable(d.e.URL),
			"data_bucket":            config.StringVariable(d.bucket),
			"retain_logs_on_destroy": config.BoolVariable(false),
		},
	}))
}
