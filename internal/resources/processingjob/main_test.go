package processingjob_test

import (
	"os"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestMain creates the alarm topics the acceptance configs name (with a
// confirmed subscriber) in the emulator, since SS-MON-2 checks them live.
func TestMain(m *testing.M) { os.Exit(acctest.RunWithTopics(m, topicARN)) }
