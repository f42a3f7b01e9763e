package trainingjob_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccTrainingJob_foreignOutputBucket checks SS-DATA-2: a job whose
// output location is a bucket of another account is refused when it is
// planned, and no training job is created. The bucket is otherwise
// compliant (SSE-KMS, TLS-only), so nothing but its owner refuses it; the
// inputs stay in this account's bucket.
func TestAccTrainingJob_foreignOutputBucket(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	theirs := acctest.BucketInAccount(t, "999999999999", e.key)
	name := acctest.RandomName("theirs")
	cfg := jobConfig{env: e, nameLine: fmt.Sprintf("name = %q", name), inputURI: "s3://" + e.bucket + "/train/"}
	cfg.bucket = theirs // output_s3_uri = s3://<theirs>/output
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if _, err := describe(context.Background(), c, name); err == nil {
				return fmt.Errorf("training job %s was created", name)
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: cfg.render(acctest.ProviderConfig),
			ExpectError: regexp.MustCompile(`SS-DATA-2: bucket ` + theirs + ` belongs to another account(.|\n)*\(output\s+data\)\s+with\s+ExpectedBucketOwner\s+` +
				c.AccountID),
		}},
	})
}
