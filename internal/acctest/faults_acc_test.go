package acctest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
)

// TestAccFaults_throttledKMSKeyApplies runs a key's whole life with every
// second KMS call and the first CreateKey throttled: the apply, the refresh
// and the destroy must
// still succeed, with exactly one key made. It fails when the faults never
// reach the provider's requests (no hits), so it also checks the harness.
func TestAccFaults_throttledKMSKeyApplies(t *testing.T) {
	acctest.PreCheck(t)
	f := acctest.InjectFaults(t,
		emulator.FaultRule{Action: "kms:*", Fault: emulator.FaultThrottle, Every: 2},
		// The create is the first KMS call, which "every 2" spares; it is
		// sent with the SDK's retries off (idem.Create) and retried by the
		// provider itself.
		emulator.FaultRule{Action: "kms:CreateKey", Fault: emulator.FaultThrottle, First: 1},
	)
	description := acctest.RandomName("faults")
	var keyID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(f.Options()),
		CheckDestroy: func(*terraform.State) error {
			return checkKeyPendingDeletion(t, keyID)
		},
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig("") + fmt.Sprintf(`
resource "sagesafe_kms_key" "test" {
  description          = %[1]q
  deletion_window_days = 7
}
`, description),
			Check: resource.ComposeAggregateTestCheckFunc(
				func(s *terraform.State) error {
					keyID = s.RootModule().Resources["sagesafe_kms_key.test"].Primary.ID
					return nil
				},
				func(*terraform.State) error { return checkThrottled(t, f) },
				func(*terraform.State) error { return checkOneKey(t, description, keyID) },
			),
		}},
	})
}

// checkThrottled fails unless each rule throttled some of the provider's
// calls and the throttled create was sent again.
func checkThrottled(t *testing.T, f *acctest.Faults) error {
	ctx := context.Background()
	rules, err := f.Rules(ctx)
	if err != nil {
		return err
	}
	calls, err := f.Calls(ctx)
	if err != nil {
		return err
	}
	t.Logf("scope %s: rules %+v; calls %v", f.Scope, rules, calls)
	if len(rules) == 0 {
		return fmt.Errorf("no rules registered in scope %s", f.Scope)
	}
	for _, r := range rules {
		if r.Hits == 0 {
			return fmt.Errorf("rule %+v throttled nothing (calls %v): the faults did not reach the provider", r.FaultRule, calls)
		}
	}
	if calls["kms:CreateKey"] < 2 {
		return fmt.Errorf("kms:CreateKey sent %d times, want a retry after the throttle", calls["kms:CreateKey"])
	}
	return nil
}

// checkOneKey fails unless keyID is the only key with this description
// (a throttled create retried must not leave a second key).
func checkOneKey(t *testing.T, description, keyID string) error {
	ctx := context.Background()
	kc := acctest.AWS(t).KMS
	var found []string
	pages := kms.NewListKeysPaginator(kc, &kms.ListKeysInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			d, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
			if err != nil {
				return err
			}
			if d.KeyMetadata != nil && aws.ToString(d.KeyMetadata.Description) == description {
				found = append(found, aws.ToString(k.KeyId))
			}
		}
	}
	if len(found) != 1 || found[0] != keyID {
		return fmt.Errorf("keys with description %q: %v, want only %s", description, found, keyID)
	}
	return nil
}

func checkKeyPendingDeletion(t *testing.T, keyID string) error {
	if keyID == "" {
		return errors.New("no key was created")
	}
	d, err := acctest.AWS(t).KMS.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	var nf *kmstypes.NotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
		return fmt.Errorf("key %s is %s after destroy, want PendingDeletion", keyID, d.KeyMetadata.KeyState)
	}
	return nil
}
