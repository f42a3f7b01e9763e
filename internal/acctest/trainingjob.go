package acctest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// DataBucket creates an S3 bucket with SSE-KMS default encryption under
// kmsKeyARN and a TLS-only bucket policy, emptied and removed when the test
// ends. It returns the bucket name.
func DataBucket(t *testing.T, kmsKeyARN string) string {
	t.Helper()
	name, err := builder(t).DataBucket(context.Background(), RandomName("data"), kmsKeyARN)
	return must(t, name, err)
}

// PrivateEmulator is an emulator started for one test only, for tests that
// change objects every other test shares (such as the account-wide log group
// /aws/sagemaker/TrainingJobs) and so must neither disturb nor be disturbed
// by the packages running against the shared emulator.
type PrivateEmulator struct {
	URL string
	AWS *awsclient.Client
}

// StartPrivateEmulator starts an emulator with emulator.sh on a free
// loopback port; it is stopped (by its PID only) when the test ends. It
// takes a few seconds, so use it only where isolation is needed.
func StartPrivateEmulator(t *testing.T) *PrivateEmulator {
	t.Helper()
	PreCheck(t)
	dir := t.TempDir()
	script := emulatorScript(t)
	var stderr bytes.Buffer
	cmd := exec.Command("bash", script, "start", dir)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Cleanup(func() {
		stop := exec.Command("bash", script, "stop", dir)
		if msg, err := stop.CombinedOutput(); err != nil {
			t.Errorf("stopping the private emulator: %v: %s", err, msg)
		}
	})
	if err != nil {
		t.Fatalf("starting a private emulator: %v: %s", err, stderr.String())
	}
	url := strings.TrimSpace(string(out))
	c, diags := awsclient.New(context.Background(), awsclient.Config{
		Region:      Region,
		EndpointURL: url,
		AccessKey:   "testing",
		SecretKey:   "testing",
		MaxRetries:  3,
		// As AWS(t): one connection per request to the emulator.
		WrapTransport: closeEachConnection,
	})
	if diags.HasError() {
		t.Fatalf("AWS clients for the private emulator: %v", diags)
	}
	return &PrivateEmulator{URL: url, AWS: c}
}

// Emulator is the control client of this emulator (behaviour, faults,
// call counts).
func (e *PrivateEmulator) Emulator() *emulator.Client {
	return &emulator.Client{BaseURL: e.URL, HTTP: http.DefaultClient}
}

// ProviderConfig is the provider block pointed at this emulator; extra is
// inserted inside the block.
func (e *PrivateEmulator) ProviderConfig(extra string) string {
	return fmt.Sprintf(`
provider "sagesafe" {
  region       = %[1]q
  endpoint_url = %[2]q
%[3]s
}
`, Region, e.URL, extra)
}

// Fixtures returns a fixtures.Builder on this emulator whose objects are
// removed when the test ends (before the emulator stops).
func (e *PrivateEmulator) Fixtures(t *testing.T) *fixtures.Builder {
	t.Helper()
	b := fixtures.New(e.AWS, map[string]string{"sagesafe-test": t.Name()})
	t.Cleanup(func() {
		if err := b.Teardown(context.Background()); err != nil {
			t.Errorf("removing fixtures: %v", err)
		}
	})
	return b
}

// emulatorScript finds emulator.sh in the repository.
func emulatorScript(t *testing.T) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "internal", "acctest", "emulator", "emulator.sh")
}

// RunWithOwnEmulator is a TestMain for an acceptance package that changes
// objects another package's tests also manage (the account-wide
// /aws/sagemaker/ProcessingJobs log group of processing jobs and model
// monitors): when the acceptance tests run, it starts an emulator for the
// package alone, points SAGESAFE_TEST_ENDPOINT at it, runs the tests and
// stops it (by its PID only). Packages run side by side; this keeps them
// from judging each other's objects. The alarm topics named (see
// RunWithTopics) are created in that emulator before the tests run.
func RunWithOwnEmulator(m *testing.M, topicARNs ...string) int {
	if os.Getenv("TF_ACC") == "" || os.Getenv(EndpointEnv) == "" {
		return RunWithTopics(m, topicARNs...)
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "emulator", "emulator.sh")
	dir, err := os.MkdirTemp("", "sagesafe-pkg-emulator-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "a package emulator:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	out, err := exec.Command("bash", script, "start", dir).Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting a package emulator:", err)
		return 1
	}
	defer func() {
		if msg, err := exec.Command("bash", script, "stop", dir).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping the package emulator: %v: %s\n", err, msg)
		}
	}()
	if err := os.Setenv(EndpointEnv, strings.TrimSpace(string(out))); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return RunWithTopics(m, topicARNs...)
}
