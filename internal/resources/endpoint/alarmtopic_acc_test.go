package endpoint_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
)

// TestAccEndpoint_alarmTopicVerified: SS-MON-2 judges the topic the alarms
// notify, not only its ARN. With require_alarm_actions, a topic that does not
// exist is refused at apply and nothing is created (at plan it is only a
// warning: the same apply may create it). Once the topic exists with nobody
// subscribed, the endpoint is made but SS-MON-2 is warned, not held; once a
// subscription is confirmed, the next refresh holds it.
func TestAccEndpoint_alarmTopicVerified(t *testing.T) {
	skipUnlessAcc(t)
	c, name, topicName, topic, config := topicTestSetup(t)
	mon2 := func(want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(address, tfjsonpath.New("control_states").AtMapKey("SS-MON-2"), knownvalue.StringExact(want))
	}
	ctx := context.Background()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)SS-MON-2: the alarms of endpoint "` + name + `" notify SNS topic\s+` + regexp.QuoteMeta(topic) + `,\s+which does not exist`),
			},
			{
				PreConfig: func() {
					if left := leftovers(t, name); len(left) > 0 {
						t.Fatalf("a refused apply left: %s", strings.Join(left, ", "))
					}
					if _, err := c.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(topicName)}); err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() {
						_, _ = c.SNS.DeleteTopic(context.Background(), &sns.DeleteTopicInput{TopicArn: aws.String(topic)})
					})
				},
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{mon2("warned")},
			},
			{
				PreConfig: func() {
					// A Lambda subscription needs no confirmation.
					fn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", acctest.Region, c.AccountID, topicName)
					if _, err := c.SNS.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("lambda"), Endpoint: aws.String(fn)}); err != nil {
						t.Fatal(err)
					}
				},
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{mon2("held")},
			},
		},
	})
}

// TestAccEndpoint_alarmTopicPolicyRefused: a topic whose access policy
// denies CloudWatch sns:Publish receives no alarm, whoever subscribed: with
// require_alarm_actions the endpoint is refused at plan, before anything is
// created, naming the statement; once the Deny is gone, SS-MON-2 holds.
func TestAccEndpoint_alarmTopicPolicyRefused(t *testing.T) {
	skipUnlessAcc(t)
	c, name, topicName, topic, config := topicTestSetup(t)
	allowOwner := `{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"*"},"Action":"SNS:Publish","Resource":"` + topic + `",` +
		`"Condition":{"StringEquals":{"AWS:SourceOwner":"` + c.AccountID + `"}}}`
	denyCloudWatch := `{"Sid":"NoAlarms","Effect":"Deny","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"SNS:Publish","Resource":"` + topic + `"}`
	ctx := context.Background()
	if _, err := c.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(topicName), Attributes: map[string]string{
		"Policy": `{"Version":"2012-10-17","Statement":[` + allowOwner + `,` + denyCloudWatch + `]}`,
	}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.SNS.DeleteTopic(context.Background(), &sns.DeleteTopicInput{TopicArn: aws.String(topic)})
	})
	// A Lambda subscription needs no confirmation: someone would be told,
	// but CloudWatch may not publish.
	fn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", acctest.Region, c.AccountID, topicName)
	if _, err := c.SNS.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("lambda"), Endpoint: aws.String(fn)}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ExpectError: regexp.MustCompile(`(?s)SS-MON-2:\s+SNS\s+topic\s+` + regexp.QuoteMeta(topic) + `:\s+CloudWatch\s+may\s+not\s+publish\s+to\s+it.*` +
					`statement\s+"NoAlarms"\s+denies\s+cloudwatch\.amazonaws\.com\s+sns:Publish`),
			},
			{
				PreConfig: func() {
					if left := leftovers(t, name); len(left) > 0 {
						t.Fatalf("a refused plan left: %s", strings.Join(left, ", "))
					}
					if _, err := c.SNS.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("Policy"),
						AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[` + allowOwner + `]}`)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("control_states").AtMapKey("SS-MON-2"), knownvalue.StringExact("held")),
				},
			},
		},
	})
}

// topicTestSetup is what the alarm topic tests share: an endpoint name, a
// topic name and ARN of this account (not created), and the configuration
// of an endpoint whose alarms notify that topic, with require_alarm_actions.
func topicTestSetup(t *testing.T) (c *awsclient.Client, name, topicName, topic, config string) {
	t.Helper()
	env := acctest.EndpointFixtures(t)
	c = acctest.AWS(t)
	name, topicName = acctest.RandomName("ep"), acctest.RandomName("oncall")
	topic = fmt.Sprintf("arn:aws:sns:%s:%s:%s", acctest.Region, c.AccountID, topicName)
	config = acctest.ProviderConfig(fmt.Sprintf("alarm_actions = [%q]\n  guardrails {\n    require_alarm_actions = true\n  }\n", topic)) +
		cfg{name: name, env: env}.resource()
	return c, name, topicName, topic, config
}
