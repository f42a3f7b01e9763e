package kmskey_test

import (
	"context"
	"fmt"
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
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/kmskey"
)

// TestAccKMSKey_ignoredTagIsNotDrift: a tag added outside Terraform under
// the provider's ignore_tags is not drift (the plan after every apply is
// empty, tags_all leaves it out), and a tag update in place does not remove
// it.
func TestAccKMSKey_ignoredTagIsNotDrift(t *testing.T) {
	alias := "alias/" + acctest.RandomName("ignore")
	var id string
	tagged := func(tags map[string]string) resource.TestCheckFunc {
		return func(*terraform.State) error { return checkKeyTags(t, id, tags) }
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckKMSKeyDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: testAccKMSKeyConfig_ignoreTags(alias, "ml"),
				Check:  captureID(&id),
			},
			{
				// Added out of band: the refresh and plan do not see it.
				PreConfig: func() {
					_, err := acctest.AWS(t).KMS.TagResource(context.Background(), &kms.TagResourceInput{KeyId: aws.String(id),
						Tags: []kmstypes.Tag{{TagKey: aws.String("ops:owner"), TagValue: aws.String("alice")}}})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccKMSKeyConfig_ignoreTags(alias, "ml"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{
				// A tag update in place keeps it.
				Config: testAccKMSKeyConfig_ignoreTags(alias, "ai"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("ai")})),
				},
				Check: tagged(map[string]string{"team": "ai", "ops:owner": "alice"}),
			},
		},
	})
}

func testAccKMSKeyConfig_ignoreTags(alias, team string) string {
	return acctest.ProviderConfig(`
  ignore_tags {
    key_prefixes = ["ops:"]
  }`) + fmt.Sprintf(`
resource "sagesafe_kms_key" "test" {
  alias = %[1]q
  tags  = { team = %[2]q }
}
`, alias, team)
}

// checkKeyTags asks the emulator for the key's tags, sagesafe's own aside.
func checkKeyTags(t *testing.T, id string, want map[string]string) error {
	out, err := acctest.AWS(t).KMS.ListResourceTags(context.Background(), &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	if err != nil {
		return err
	}
	got := map[string]string{}
	for _, tg := range out.Tags {
		if k := aws.ToString(tg.TagKey); k != idem.TokenTag && k != kmskey.TagAlias {
			got[k] = aws.ToString(tg.TagValue)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("key tags %v, want %v", got, want)
	}
	return nil
}
