package acctest

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

// ReportEnv names the file `make test` prints at the end: tests that measure
// what the README quotes (the fault matrix, the killed applies) append
// their numbers to it.
const ReportEnv = "SAGESAFE_TEST_REPORT"

// Report prints line and appends it to the file ReportEnv names, if any.
func Report(t *testing.T, line string) {
	t.Helper()
	fmt.Println(line)
	file := os.Getenv(ReportEnv)
	if file == "" {
		return
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err == nil {
		_, err = f.WriteString(line + "\n")
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Errorf("writing the report to %s: %v", file, err)
	}
}
