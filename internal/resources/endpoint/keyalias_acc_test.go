package endpoint_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/endpoint"
)

// TestAccEndpoint_keyAlias: kms_key_arn given as an alias applies; the log
// group, which CloudWatch Logs encrypts only with a key ARN, gets the key's
// ARN (on create and on an in-place update), and the refresh sees the group
// encrypted with the workload key (no drift, SS-ENC-5 held).
func TestAccEndpoint_keyAlias(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	alias := "alias/" + acctest.RandomName("ep-key")
	ctx := context.Background()
	k := acctest.AWS(t).KMS
	if _, err := k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(env.KeyARN)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = k.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(alias)}) })

	aliased := cfg{name: name, env: env, kms: alias}
	retained := aliased
	retained.extra = "log_retention_days = 400"
	controlsHoldENC5 := statecheck.ExpectKnownValue(address, tfjsonpath.New("controls"), acctest.ControlsWithout("SS-ENC-5", ""))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config:            aliased.render(),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(address, tfjsonpath.New("kms_key_arn"), knownvalue.StringExact(alias)), controlsHoldENC5},
				Check:             logGroupKey(t, name, env.KeyARN, 365),
			},
			{
				// The refresh reads the group's key ARN and recognises the
				// alias's key: SS-ENC-5 still holds, nothing to change.
				Config:   aliased.render(),
				PlanOnly: true,
			},
			{
				// An in-place update of the log group passes the ARN too.
				Config: retained.render(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
				}},
				Check: logGroupKey(t, name, env.KeyARN, 400),
			},
		},
	})
}

// logGroupKey checks that the endpoint's log group is encrypted with keyARN
// and keeps events for days.
func logGroupKey(t *testing.T, name, keyARN string, days int32) resource.TestCheckFunc {
	return func(*terraform.State) error {
		out, err := acctest.AWS(t).Logs.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(endpoint.LogGroupPrefix + name)})
		if err != nil {
			return err
		}
		if len(out.LogGroups) != 1 {
			return fmt.Errorf("%d log groups named %s%s", len(out.LogGroups), endpoint.LogGroupPrefix, name)
		}
		g := out.LogGroups[0]
		if got := aws.ToString(g.KmsKeyId); got != keyARN || aws.ToInt32(g.RetentionInDays) != days {
			return fmt.Errorf("log group key %q, retention %d; want %q, %d", got, aws.ToInt32(g.RetentionInDays), keyARN, days)
		}
		return nil
	}
}
