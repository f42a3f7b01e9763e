package modelmonitor_test

import (
	"os"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestMain runs the monitor's acceptance tests against an emulator of their
// own: they manage /aws/sagemaker/ProcessingJobs, which the processing job's
// tests (another package, run at the same time) manage too. The alarm topic
// the configs name is created there, with a subscriber (SS-MON-2).
func TestMain(m *testing.M) { os.Exit(acctest.RunWithOwnEmulator(m, topicARN)) }
