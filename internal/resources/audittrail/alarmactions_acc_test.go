package audittrail_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

const ownTopic = "arn:aws:sns:us-east-1:123456789012:sagesafe-trail-own"

// TestAccAuditTrail_resourceAlarmActions: a provider without alarm_actions
// and a trail whose alarm_actions come from an object of the same apply (a
// terraform_data output, unknown at plan). The plan is not refused
// (SS-AUD-5 waits for apply), every alarm notifies the trail's topic,
// tags_all is the trail's tags, and an import recovers alarm_actions from
// the alarms.
func TestAccAuditTrail_resourceAlarmActions(t *testing.T) {
	cfg := trailConfig{
		name:      acctest.RandomName("actions"),
		retention: 365,
		providerX: "  # no alarm_actions: the trail has its own",
		trailX:    "  alarm_actions = [terraform_data.topic.output]",
		resources: fmt.Sprintf("resource \"terraform_data\" \"topic\" {\n  input = %q\n}\n", ownTopic),
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, cfg.name),
		Steps: []resource.TestStep{
			{
				Config: cfg.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("alarm_actions").AtSliceIndex(0)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("security")})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_actions"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(ownTopic)})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("security")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.ListSizeExact(len(guardrail.AuditEventClasses))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				},
				Check: func(*terraform.State) error { return checkAlarmsNotify(t, cfg.name, ownTopic) },
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

// checkAlarmsNotify asks the emulator whether every alarm of the trail
// notifies exactly topic.
func checkAlarmsNotify(t *testing.T, trail, topic string) error {
	var names []string
	for _, cl := range guardrail.AuditEventClasses {
		names = append(names, trail+"-"+strings.ReplaceAll(cl.Name, "_", "-"))
	}
	al, err := acctest.AWS(t).CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: names})
	if err != nil || len(al.MetricAlarms) != len(names) {
		return fmt.Errorf("alarms: %d of %d (err %v)", len(al.MetricAlarms), len(names), err)
	}
	for _, a := range al.MetricAlarms {
		if !slices.Equal(a.AlarmActions, []string{topic}) {
			return fmt.Errorf("alarm %s notifies %v, want %s", aws.ToString(a.AlarmName), a.AlarmActions, topic)
		}
	}
	return nil
}
