package audittrail_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccAuditTrail_interruptedApplyTakenUp: a trail's objects exist but no
// state records them, as after a killed apply (here: the resource is
// forgotten with a `removed` block that keeps its objects). The next apply
// takes up the trail, its role and its bucket, which carry sagesafe's
// creation tags for this trail, instead of refusing the names or making a
// second bucket; the destroy then leaves nothing.
func TestAccAuditTrail_interruptedApplyTakenUp(t *testing.T) {
	cfg := trailConfig{name: acctest.RandomName("resume"), retention: 365}
	before := trailBuckets(t)
	var firstBucket string
	forget := strings.Replace(cfg.hcl(), `resource "sagesafe_audit_trail" "test" {`, `removed {
  from = sagesafe_audit_trail.test
  lifecycle {
    destroy = false
  }
}

resource "terraform_data" "unused" {`, 1)
	// The forgetting config keeps the key; everything inside the removed
	// resource's body is dropped by cutting it to the key resource.
	forget = forget[:strings.Index(forget, `resource "terraform_data" "unused" {`)]
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, cfg.name),
		Steps: []resource.TestStep{
			{
				Config: cfg.hcl(),
				Check: func(s *terraform.State) error {
					firstBucket = s.RootModule().Resources[addr].Primary.Attributes["bucket"]
					return nil
				},
			},
			{Config: forget},
			{
				Config: cfg.hcl(),
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources[addr].Primary.Attributes["bucket"]; got != firstBucket {
						return fmt.Errorf("the second apply delivers to %s, not the bucket the first one made (%s)", got, firstBucket)
					}
					if made := newBuckets(t, before, cfg.name); len(made) != 1 {
						return fmt.Errorf("buckets for the trail: %v, want exactly one", made)
					}
					return nil
				},
			},
		},
	})
}
