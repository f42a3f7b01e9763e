package kmskey_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// TestAccKMSKey_lostAnswers loses the first answer of CreateKey and
// CreateAlias after KMS applied them, and, during destroy, of DeleteAlias
// and ScheduleKeyDeletion. The apply must succeed with one key (not a
// second one made by the retried CreateKey) and its alias (not fail on its
// own alias), the next plan must be empty, and destroy must leave no key
// that is not pending deletion and no alias.
func TestAccKMSKey_lostAnswers(t *testing.T) {
	c := acctest.AWS(t)
	user := acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true))
	alias := "alias/" + acctest.RandomName("key")
	description := acctest.RandomName("lost-answers")
	l := acctest.LoseFirstAnswers(t, "kms:CreateKey", "kms:CreateAlias", "kms:DeleteAlias", "kms:ScheduleKeyDeletion")
	var keyID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy: resource.ComposeTestCheckFunc(
			testAccCheckKMSKeyDestroy(t),
			func(*terraform.State) error {
				if missed := l.Missed(); len(missed) > 0 {
					return fmt.Errorf("the test did not lose the answers of %v", missed)
				}
				keys, err := keysDescribed(t, description)
				if err != nil {
					return err
				}
				for _, k := range keys {
					if k.KeyState != kmstypes.KeyStatePendingDeletion {
						return fmt.Errorf("key %s is %s after destroy, want PendingDeletion", aws.ToString(k.KeyId), k.KeyState)
					}
				}
				return nil
			},
		),
		Steps: []resource.TestStep{{
			Config: testAccKMSKeyConfig_basic(alias, description, 365, "", user),
			Check: resource.ComposeTestCheckFunc(
				captureID(&keyID),
				func(*terraform.State) error {
					if l.Lost("kms:CreateKey") != 1 || l.Lost("kms:CreateAlias") != 1 {
						return fmt.Errorf("answers lost: CreateKey %d, CreateAlias %d; want 1 each", l.Lost("kms:CreateKey"), l.Lost("kms:CreateAlias"))
					}
					keys, err := keysDescribed(t, description)
					if err != nil {
						return err
					}
					if len(keys) != 1 || aws.ToString(keys[0].KeyId) != keyID {
						ids := make([]string, len(keys))
						for i, k := range keys {
							ids[i] = aws.ToString(k.KeyId) + " (" + string(k.KeyState) + ")"
						}
						return fmt.Errorf("keys made by the apply: %v, want only %s", ids, keyID)
					}
					return checkLiveKey(t, keyID, 365, alias, map[string]string{"team": "ml"}, keyPolicy(t, iampolicy.KeySpec{Users: []string{user}, AllowCloudWatchLogs: true}))
				},
			),
		}},
	})
}

// keysDescribed asks the emulator for every key with the description (the
// test's random one), whatever its state.
func keysDescribed(t *testing.T, description string) ([]kmstypes.KeyMetadata, error) {
	ctx := context.Background()
	kc := acctest.AWS(t).KMS
	var out []kmstypes.KeyMetadata
	p := kms.NewListKeysPaginator(kc, &kms.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			d, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
			if err != nil {
				return nil, err
			}
			if aws.ToString(d.KeyMetadata.Description) == description {
				out = append(out, *d.KeyMetadata)
			}
		}
	}
	return out, nil
}
