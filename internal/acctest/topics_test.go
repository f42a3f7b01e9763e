package acctest

import (
	"slices"
	"strings"
	"testing"
)

func TestTopicNames(t *testing.T) {
	got, err := TopicNames([]string{
		"arn:aws:sns:us-east-1:123456789012:tfacc-ml-alerts",
		"arn:aws:sns:us-east-1:123456789012:ops.fifo",
	}, "123456789012", "us-east-1")
	if err != nil || !slices.Equal(got, []string{"tfacc-ml-alerts", "ops.fifo"}) {
		t.Fatalf("TopicNames = %v, %v", got, err)
	}
	for _, c := range []struct{ arn, want string }{
		{"arn:aws:sns:us-east-1:999999999999:x", "not of account"},
		{"arn:aws:sns:eu-west-1:123456789012:x", "not of account"},
		{"arn:aws:sqs:us-east-1:123456789012:x", "not an SNS topic"},
		{"arn:aws:sns:us-east-1:123456789012:", "not an SNS topic"},
		{"tfacc-ml-alerts", "arn: invalid prefix"},
	} {
		_, err := TopicNames([]string{c.arn}, "123456789012", "us-east-1")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("TopicNames(%q) error = %v, want it to say %q", c.arn, err, c.want)
		}
	}
}

func TestTopicsSkipReason(t *testing.T) {
	for _, c := range []struct{ tfAcc, endpoint, want string }{
		{"", "http://127.0.0.1:1", "TF_ACC is not set"},
		{"1", "", EndpointEnv + " is not set"},
		{"1", "http://127.0.0.1:1", ""},
	} {
		got := topicsSkipReason(c.tfAcc, c.endpoint)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("topicsSkipReason(%q, %q) = %q, want %q", c.tfAcc, c.endpoint, got, c.want)
		}
	}
}
