package preflight_test

import (
	"os"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// auditTopic is the topic the audit trail's alarms notify.
const auditTopic = "arn:aws:sns:us-east-1:123456789012:sagesafe-audit-alerts"

// TestMain creates the alarm topics the acceptance configs name (with a
// confirmed subscriber) in the emulator, since SS-MON-2 checks them live.
func TestMain(m *testing.M) { os.Exit(acctest.RunWithTopics(m, auditTopic)) }
