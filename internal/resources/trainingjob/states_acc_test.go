package trainingjob_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccTrainingJob_warnedControlIsNotHeld: at default settings a data
// bucket without SSE-KMS default encryption is a warning (SS-DATA-1), and a
// warned control is not held: control_states says "warned" and `controls`
// does not list it.
func TestAccTrainingJob_warnedControlIsNotHeld(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	if _, err := c.S3.DeleteBucketEncryption(context.Background(), &s3.DeleteBucketEncryptionInput{Bucket: aws.String(e.bucket)}); err != nil {
		t.Fatalf("removing the bucket's default encryption: %v", err)
	}
	prefix := acctest.RandomName("warn")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{{
			Config: testAccTrainingJobConfig_prefixed(e, prefix, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-DATA-1"), knownvalue.StringExact("warned")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-NET-4"), knownvalue.StringExact("held")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), acctest.ControlsWithout("SS-NET-4", "SS-DATA-1")),
			},
			Check: resource.TestMatchResourceAttr(addr, "control_states.SS-ENC-1", regexp.MustCompile(`^held$`)),
		}},
	})
}
