package acctest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// RunWithTopics is a TestMain for an acceptance package whose configs name
// alarm topics by ARN without creating them: it creates them in the
// emulator the package runs against (the shared one of with-emulator.sh),
// each with a confirmed subscriber, then runs the tests. SS-MON-2 checks
// the live topic, so a topic that does not exist would fail the apply.
func RunWithTopics(m *testing.M, topicARNs ...string) int {
	if err := ensureTopicsForRun(topicARNs); err != nil {
		fmt.Fprintln(os.Stderr, "acctest: alarm topics:", err)
		return 1
	}
	return m.Run()
}

// ensureTopicsForRun creates the topics when acceptance tests will run
// against an emulator; otherwise it says on stderr why it did nothing.
func ensureTopicsForRun(topicARNs []string) error {
	if len(topicARNs) == 0 {
		return nil
	}
	if reason := topicsSkipReason(os.Getenv("TF_ACC"), os.Getenv(EndpointEnv)); reason != "" {
		fmt.Fprintf(os.Stderr, "acctest: alarm topics not created: %s\n", reason)
		return nil
	}
	ctx := context.Background()
	c, diags := awsclient.New(ctx, awsclient.Config{
		Region: Region, EndpointURL: Endpoint(), AccessKey: "testing", SecretKey: "testing", MaxRetries: 3,
		// As AWS(t): one connection per request to the emulator.
		WrapTransport: closeEachConnection,
	})
	if diags.HasError() {
		return fmt.Errorf("AWS clients for the emulator: %v", diags)
	}
	if err := EnsureAlarmTopics(ctx, c, topicARNs...); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "acctest: alarm topics ready, each with a confirmed subscriber: %s\n", strings.Join(topicARNs, ", "))
	return nil
}

// topicsSkipReason says why topics are not created: no acceptance run, or
// no emulator to create them in. "" means create them.
func topicsSkipReason(tfAcc, endpoint string) string {
	switch {
	case tfAcc == "":
		return "TF_ACC is not set (no acceptance tests run)"
	case endpoint == "":
		return EndpointEnv + " is not set (no emulator)"
	}
	return ""
}

// EnsureAlarmTopics creates each topic (an ARN of c's account and region)
// as fixtures.Builder.OnCallTopic does, with its subscriber queue. They are
// kept: packages sharing an emulator may name the same topic, and every
// call is idempotent, so a second package's run finds them in place.
func EnsureAlarmTopics(ctx context.Context, c *awsclient.Client, topicARNs ...string) error {
	names, err := TopicNames(topicARNs, c.AccountID, c.Region)
	if err != nil {
		return err
	}
	b := fixtures.New(c, nil) // never torn down: see above
	for _, name := range names {
		if _, err := b.OnCallTopic(ctx, name); err != nil {
			return fmt.Errorf("topic %s: %w", name, err)
		}
	}
	return nil
}

// TopicNames returns the topic names of SNS topic ARNs, which must all be of
// account and region: CreateTopic makes a topic in the caller's account and
// region, so another one's ARN could never be made to exist.
func TopicNames(topicARNs []string, account, region string) ([]string, error) {
	names := make([]string, 0, len(topicARNs))
	for _, s := range topicARNs {
		a, err := arn.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("alarm topic %q: %w", s, err)
		}
		if a.Service != "sns" || a.Resource == "" {
			return nil, fmt.Errorf("alarm topic %q is not an SNS topic ARN", s)
		}
		if a.AccountID != account || a.Region != region {
			return nil, fmt.Errorf("alarm topic %q is not of account %s in %s, where the tests run", s, account, region)
		}
		names = append(names, a.Resource)
	}
	return names, nil
}
