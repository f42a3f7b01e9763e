package endpoint_test

import (
	"os"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// oncallTopic is the topic TestAccEndpoint_updateAlarmsInPlace's changed alarms
// block notifies (written out in that config and its check).
const oncallTopic = "arn:aws:sns:us-east-1:123456789012:tfacc-oncall"

// TestMain creates the alarm topics the acceptance configs name (with a
// confirmed subscriber) in the emulator, since SS-MON-2 checks them live.
func TestMain(m *testing.M) { os.Exit(acctest.RunWithTopics(m, testTopic, oncallTopic)) }
