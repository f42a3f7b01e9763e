package budget_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// preCheck is acctest.PreCheck and the topics the budgets tell (testTopic,
// otherTopic), made once per run with a policy that lets AWS Budgets
// publish for this account; they are fixtures shared by the tests, like
// the provider's alarm_actions, so no test deletes them.
func preCheck(t *testing.T) {
	acctest.PreCheck(t)
	for _, topic := range []string{testTopic, otherTopic} {
		makeTopic(t, topic, budgetsPolicy(topic, acctest.AWS(t).AccountID))
	}
}

// budgetsPolicy lets AWS Budgets publish to topic for account's budgets.
func budgetsPolicy(topic, account string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"budgets","Effect":"Allow","Principal":{"Service":"budgets.amazonaws.com"},`+
		`"Action":"SNS:Publish","Resource":%q,"Condition":{"StringEquals":{"aws:SourceAccount":%q}}}]}`, topic, account)
}

// makeTopic creates topic (CreateTopic is idempotent by name) and sets its
// policy ("" keeps SNS's default policy, which does not let AWS Budgets
// publish).
func makeTopic(t *testing.T, topic, policy string) {
	ctx, c := context.Background(), acctest.AWS(t)
	a, err := arn.Parse(topic)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(a.Resource)}); err != nil {
		t.Fatal(err)
	}
	if policy == "" {
		return
	}
	if _, err := c.SNS.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic),
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	got, err := c.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Attributes["Policy"], "budgets.amazonaws.com") {
		t.Fatalf("the emulator did not keep the policy of topic %s: %q", topic, got.Attributes["Policy"])
	}
}

// TestAccBudget_topicRefusals: a budget telling a topic that does not
// exist, or whose policy (SNS's default) does not let AWS Budgets publish,
// is refused with SS-COST-1 before anything is created (a warning at plan,
// since the same apply could make the topic; an error at apply). A topic
// whose policy is changed outside Terraform to SNS's default fails
// SS-COST-1 at the next refresh, and the next apply is refused.
func TestAccBudget_topicRefusals(t *testing.T) {
	name := acctest.RandomName("budget")
	missing := "arn:aws:sns:us-east-1:123456789012:" + acctest.RandomName("nobody")
	closed := "arn:aws:sns:us-east-1:123456789012:" + acctest.RandomName("closed")
	later := "arn:aws:sns:us-east-1:123456789012:" + acctest.RandomName("later")
	sealed := "arn:aws:sns:us-east-1:123456789012:" + acctest.RandomName("sealed")
	locked := "arn:aws:sns:us-east-1:123456789012:" + acctest.RandomName("locked")
	nothing := func() {
		if err := checkDestroyed(t, name)(nil); err != nil {
			t.Fatal(err)
		}
	}
	cfg := func(topic string) string {
		return budgetConfig{name: name, limit: 500, body: fmt.Sprintf("  topic_arn = %q", topic)}.hcl()
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, name),
		Steps: []resource.TestStep{{
			PreConfig:   nothing,
			Config:      cfg(missing),
			ExpectError: regexpMatch(`SS-COST-1[\s\S]*does not exist`),
		}, {
			PreConfig:   func() { nothing(); makeTopic(t, closed, "") },
			Config:      cfg(closed),
			ExpectError: regexpMatch(`SS-COST-1[\s\S]*does not let AWS Budgets publish`),
		}, {
			// A policy that lets AWS Budgets publish, under SNS's AWS
			// managed key, which AWS Budgets cannot use.
			PreConfig: func() {
				nothing()
				makeTopic(t, sealed, budgetsPolicy(sealed, acctest.AWS(t).AccountID))
				if _, err := acctest.AWS(t).SNS.SetTopicAttributes(context.Background(), &sns.SetTopicAttributesInput{TopicArn: aws.String(sealed),
					AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("alias/aws/sns")}); err != nil {
					t.Fatal(err)
				}
			},
			Config:      cfg(sealed),
			ExpectError: regexpMatch(`SS-COST-1[\s\S]*alias/aws/sns`),
		}, {
			// A customer managed key whose policy lets only the account
			// use it: SNS cannot encrypt AWS Budgets' message.
			PreConfig: func() {
				nothing()
				makeTopic(t, locked, budgetsPolicy(locked, acctest.AWS(t).AccountID))
				encryptTopic(t, locked, topicKey(t, false))
			},
			Config:      cfg(locked),
			ExpectError: regexpMatch(`SS-COST-1[\s\S]*does not let budgets.amazonaws.com call kms:GenerateDataKey and kms:Decrypt`),
		}, {
			// Under a key that lets AWS Budgets use it, the topic holds.
			PreConfig: func() {
				nothing()
				makeTopic(t, later, budgetsPolicy(later, acctest.AWS(t).AccountID))
				encryptTopic(t, later, topicKey(t, true))
			},
			Config: cfg(later),
			Check:  resource.ComposeTestCheckFunc(resource.TestCheckResourceAttr(addr, "control_states.SS-COST-1", "held"), checkLive(t, name, 500, later, "ACTUAL@80", "FORECASTED@100")),
		}, {
			PreConfig: func() {
				ctx, c := context.Background(), acctest.AWS(t)
				if _, err := c.SNS.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(later), AttributeName: aws.String("Policy"),
					AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"SNS:Publish","Resource":"` + later + `","Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}}]}`)}); err != nil {
					t.Fatal(err)
				}
			},
			RefreshState:       true,
			ExpectNonEmptyPlan: true,
			Check:              resource.TestCheckResourceAttr(addr, "control_states.SS-COST-1", "failed"),
		}, {
			// The apply that would restore the budget is refused: it
			// cannot fix the topic's policy.
			Config:      cfg(later),
			ExpectError: regexpMatch(`SS-COST-1[\s\S]*does not let AWS Budgets publish`),
		}},
	})
}

func regexpMatch(re string) *regexp.Regexp { return regexp.MustCompile(re) }

// topicKey creates a customer managed key for an SNS topic, whose policy
// lets the account administer it and, with budgets, AWS Budgets use it.
func topicKey(t *testing.T, budgets bool) string {
	c := acctest.AWS(t)
	stmts := `{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + c.AccountID + `:root"},"Action":"kms:*","Resource":"*"}`
	if budgets {
		stmts += `,{"Sid":"budgets","Effect":"Allow","Principal":{"Service":"budgets.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],` +
			`"Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"` + c.AccountID + `"}}}`
	}
	out, err := c.KMS.CreateKey(context.Background(), &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + stmts + `]}`)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// encryptTopic sets topic's KMS key.
func encryptTopic(t *testing.T, topic, key string) {
	if _, err := acctest.AWS(t).SNS.SetTopicAttributes(context.Background(), &sns.SetTopicAttributesInput{TopicArn: aws.String(topic),
		AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
}

// TestAccBudget_providerValuesOfTheSameApply: the provider's alarm_actions
// and default_tags name an object of the same apply (a terraform_data
// standing in for the topic a hashicorp/aws resource would create), with
// require_alarm_actions on. The plan leaves topic_arn and tags_all unknown
// instead of refusing "no alarm actions" or planning tags it cannot know;
// the apply judges the topic (SS-COST-1) and tags the budget.
func TestAccBudget_providerValuesOfTheSameApply(t *testing.T) {
	name := acctest.RandomName("budget")
	providerX := `  alarm_actions = [terraform_data.topic.output]
  default_tags {
    tags = { topic-name = terraform_data.topic.output }
  }
  guardrails {
    require_alarm_actions = true
  }`
	cfg := fmt.Sprintf(`
resource "terraform_data" "topic" {
  input = %q
}
`, testTopic) + budgetConfig{name: name, limit: 500, providerX: &providerX}.hcl()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { preCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroyed(t, name),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("topic_arn")),
				plancheck.ExpectUnknownValue(addr, tfjsonpath.New("tags_all")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("topic_arn"), knownvalue.StringExact(testTopic)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
					"topic-name": knownvalue.StringExact(testTopic)})),
				heldCost,
			},
			Check: checkLive(t, name, 500, testTopic, "ACTUAL@80", "FORECASTED@100"),
		}},
	})
}
