// Package goldenpath runs the golden-path module's own `terraform test`
// files (modules/golden-path/tests) against an emulator of their own, the
// way a platform team tests its modules offline: the Terraform CLI, the
// provider binary from a dev_overrides CLI configuration, and
// AWS_ENDPOINT_URL pointing the provider at the emulator. A failing run
// block fails `make test`.
package goldenpath

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

func TestAccGoldenPathModule(t *testing.T) {
	acctest.PreCheck(t)
	tfBin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tfBin == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set: run with `make test`, or point it at a Terraform binary")
	}
	pluginDir := acctest.BuildProvider(t)
	// Its own emulator: the stack schedules its key for deletion on destroy,
	// and the account-wide job log groups take the key of the last job.
	emu := acctest.StartPrivateEmulator(t)
	ctx := context.Background()
	b := emu.Fixtures(t)
	key, err := b.Key(ctx, "golden-path module test: data bucket key", true)
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := b.DataBucket(ctx, acctest.RandomName("data"), key)
	if err != nil {
		t.Fatal(err)
	}
	// The test files notify the emulator account's ml-oncall topic.
	if _, err := b.OnCallTopic(ctx, "ml-oncall"); err != nil {
		t.Fatal(err)
	}

	dir := copyModule(t, filepath.Join(acctest.RepoRoot(t), acctest.GoldenPathModule))
	name := acctest.RandomName("gp")
	cmd := exec.Command(tfBin, "-chdir="+dir, "test", "-no-color",
		"-var", "name="+name, "-var", "data_bucket="+bucket)
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+acctest.DevOverrides(t, t.TempDir(), pluginDir),
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"AWS_ENDPOINT_URL="+emu.URL, "AWS_REGION="+acctest.Region,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("terraform test of %s failed: %v\n%s", acctest.GoldenPathModule, err, out)
	}
	// A run block that was skipped (an earlier one failed) or a test file
	// that was not found would still exit 0 on some versions: require the
	// summary to count every run block of the test files as passed.
	want := countRuns(t, filepath.Join(dir, "tests"))
	summary := regexp.MustCompile(`Success! (\d+) passed, 0 failed`).FindStringSubmatch(string(out))
	if summary == nil || summary[1] != want {
		t.Fatalf("terraform test should pass all %s run blocks:\n%s", want, out)
	}
	t.Logf("terraform test: %s", strings.TrimSpace(summary[0]))
}

// copyModule copies the module's .tf files and its tests/*.tftest.hcl into
// a directory of the test's own, so `terraform test` leaves nothing in the
// repository.
func copyModule(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	for _, pattern := range []string{"*.tf", filepath.Join("tests", "*.tftest.hcl")} {
		files, err := filepath.Glob(filepath.Join(src, pattern))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s in %s (%v)", pattern, src, err)
		}
		for _, f := range files {
			rel, _ := filepath.Rel(src, f)
			data, err := os.ReadFile(f)
			if err == nil {
				err = os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755)
			}
			if err == nil {
				err = os.WriteFile(filepath.Join(dst, rel), data, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

// countRuns counts the run blocks of the test files in dir.
func countRuns(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.tftest.hcl"))
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n += len(regexp.MustCompile(`(?m)^run "`).FindAll(data, -1))
	}
	return strconv.Itoa(n)
}
