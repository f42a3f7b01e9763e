package acctest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// confirmedSubscribers is what SS-MON-2 reads of a topic.
func confirmedSubscribers(t *testing.T, c *awsclient.Client, topic string) string {
	t.Helper()
	out, err := c.SNS.GetTopicAttributes(context.Background(), &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	if err != nil {
		t.Fatalf("GetTopicAttributes %s: %v", topic, err)
	}
	return out.Attributes["SubscriptionsConfirmed"]
}

// TestAccAlarmTopics_ensuredWithAConfirmedSubscriber: the topics a
// package's TestMain names exist afterwards with one confirmed subscriber,
// also when ensured a second time (packages sharing an emulator).
func TestAccAlarmTopics_ensuredWithAConfirmedSubscriber(t *testing.T) {
	c := acctest.AWS(t)
	ctx := context.Background()
	name := acctest.RandomName("alerts")
	topic := "arn:aws:sns:" + acctest.Region + ":" + c.AccountID + ":" + name
	for range 2 {
		if err := acctest.EnsureAlarmTopics(ctx, c, topic); err != nil {
			t.Fatalf("EnsureAlarmTopics: %v", err)
		}
		if got := confirmedSubscribers(t, c, topic); got != "1" {
			t.Fatalf("SubscriptionsConfirmed = %q, want 1", got)
		}
	}
	// EnsureAlarmTopics keeps what it makes; OnCallTopic of the same name
	// finds it all and removes it on Teardown.
	b := fixtures.New(c, nil)
	if _, err := b.OnCallTopic(ctx, name); err != nil {
		t.Fatalf("OnCallTopic: %v", err)
	}
	if err := b.Teardown(ctx); err != nil {
		t.Fatalf("Teardown: %v", err)
	}
}

// TestAccAlarmTopics_onCallTopicUndone: the fixture topic has one confirmed
// subscriber, and Teardown removes the topic and its queue.
func TestAccAlarmTopics_onCallTopicUndone(t *testing.T) {
	c := acctest.AWS(t)
	ctx := context.Background()
	name := acctest.RandomName("oncall")
	b := fixtures.New(c, nil)
	topic, err := b.OnCallTopic(ctx, name)
	if err != nil {
		t.Fatalf("OnCallTopic: %v", err)
	}
	if got := confirmedSubscribers(t, c, topic); got != "1" {
		t.Errorf("SubscriptionsConfirmed = %q, want 1", got)
	}
	if err := b.Teardown(ctx); err != nil {
		t.Fatalf("Teardown: %v", err)
	}
	_, err = c.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	if _, gone := errors.AsType[*snstypes.NotFoundException](err); !gone {
		t.Errorf("topic after Teardown: %v, want NotFound", err)
	}
	q := sqs.NewFromConfig(c.AWSConfig, func(o *sqs.Options) { o.BaseEndpoint = aws.String(acctest.Endpoint()) })
	_, err = q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(fixtures.SubscriberQueueName(name))})
	if _, gone := errors.AsType[*sqstypes.QueueDoesNotExist](err); !gone {
		t.Errorf("queue after Teardown: %v, want QueueDoesNotExist", err)
	}
}
