package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// GoldenPathModule is the golden-path module, relative to the repository
// root. Tests that apply the golden path use it as their root module, with
// GoldenPathProvider added, so its resources keep root addresses
// (sagesafe_endpoint.model) and a test can rewrite its resource blocks.
const GoldenPathModule = "modules/golden-path"

// GoldenPathProvider is the provider configuration examples/golden-path
// gives the module, with the variables it reads that the module does not
// declare (the module itself has no provider block: its caller owns one).
const GoldenPathProvider = `
variable "region" {
  type    = string
  default = "us-east-1"
}

variable "endpoint_url" {
  type    = string
  default = null
}

variable "team" {
  type    = string
  default = "ml-platform"
}

variable "cost_center" {
  type    = string
  default = "cc-1234"
}

variable "alarm_topic_arn" {
  type    = string
  default = "arn:aws:sns:us-east-1:123456789012:ml-oncall"
}

provider "sagesafe" {
  region       = var.region
  endpoint_url = var.endpoint_url

  default_tags = {
    team        = var.team
    cost-center = var.cost_center
    stack       = var.name
  }

  alarm_actions = [var.alarm_topic_arn]

  guardrails {
    required_tags          = ["team", "cost-center"]
    allowed_instance_types = var.allowed_instance_types
    require_alarm_actions  = true
  }
}
`

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
// as users get it, a separate plugin process.
func BuildProvider(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-sagesafe"), ".")
	cmd.Dir = RepoRoot(t)
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
