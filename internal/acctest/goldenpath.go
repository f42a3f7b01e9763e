package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

// GoldenPathModule is the golden-path module, relative to the repository
// root. Tests that apply the golden path use it as their root module, with
// GoldenPathProvider added, so its resources keep root addresses
// (sagesafe_endpoint.model) and a test can rewrite its resource blocks.
const GoldenPathModule = "modules/golden-path"

// goldenPathExample calls the module with the provider configuration
// GoldenPathProvider takes from it.
const goldenPathExample = "examples/golden-path"

var (
	providerBlock = regexp.MustCompile(`(?ms)^provider "sagesafe" \{.*?^\}\n`)
	variableBlock = regexp.MustCompile(`(?ms)^variable "(\w+)" \{.*?^\}\n`)
)

// GoldenPathProvider is the provider block of examples/golden-path with the
// example's variables it reads that the module does not declare (region,
// endpoint_url, the tags, the alarm topic): what the module needs around it
// to be a root module configured as the example configures it. Read from
// the example, so the tests apply what users copy.
func GoldenPathProvider(t *testing.T) string {
	t.Helper()
	read := func(dir, file string) string {
		b, err := os.ReadFile(filepath.Join(RepoRoot(t), dir, file))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	provider := providerBlock.FindString(read(goldenPathExample, "main.tf"))
	if provider == "" {
		t.Fatalf("no provider \"sagesafe\" block in %s/main.tf", goldenPathExample)
	}
	declared := map[string]bool{}
	for _, m := range variableBlock.FindAllStringSubmatch(read(GoldenPathModule, "variables.tf"), -1) {
		declared[m[1]] = true
	}
	out := provider
	for _, m := range variableBlock.FindAllStringSubmatch(read(goldenPathExample, "variables.tf"), -1) {
		if !declared[m[1]] {
			out += "\n" + m[0]
		}
	}
	return out
}

// GoldenPathConfig is the golden-path module as the root module, with the
// provider configuration examples/golden-path gives it (GoldenPathProvider),
// without the module's `terraform` block (terraform-plugin-testing declares
// the in-process provider itself).
func GoldenPathConfig(t *testing.T) string {
	t.Helper()
	module := filepath.Join(RepoRoot(t), GoldenPathModule)
	files, err := filepath.Glob(filepath.Join(module, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("reading %s: %v (%d files)", module, err, len(files))
	}
	block := regexp.MustCompile(`(?ms)^terraform \{.*?^\}\n`)
	all := []byte(GoldenPathProvider(t))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, block.ReplaceAll(b, nil)...)
	}
	return string(all)
}

// RepoRoot is the repository root, two levels above this file.
func RepoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate internal/acctest: runtime.Caller failed")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// BuildProvider builds the provider binary into a directory of the test's
// own and returns that directory, for a dev_overrides CLI configuration
// (DevOverrides): tests that run the Terraform CLI itself use the provider
// as users get it, a separate plugin process (built with the release tags,
// GOTAGS in GNUmakefile).
func BuildProvider(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-tags", "grpcnotrace", "-o", filepath.Join(dir, "terraform-provider-sagesafe"), ".")
	cmd.Dir = RepoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as released (.goreleaser.yml)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	return dir
}

// DevOverrides writes a Terraform CLI configuration into dir that takes
// sagesafe/sagesafe from pluginDir (no registry is asked) and returns its
// path, for TF_CLI_CONFIG_FILE.
func DevOverrides(t *testing.T, dir, pluginDir string) string {
	t.Helper()
	path := filepath.Join(dir, ".terraformrc")
	cli := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sagesafe/sagesafe\" = %q\n  }\n  direct {}\n}\n", pluginDir)
	if err := os.WriteFile(path, []byte(cli), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
