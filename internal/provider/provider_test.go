package provider_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

func TestProviderSchemaIsValid(t *testing.T) {
	p := provider.New("test")()
	resp := &fwprovider.SchemaResponse{}
	p.Schema(context.Background(), fwprovider.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatalf("schema implementation: %v", diags)
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no MarkdownDescription", name)
		}
	}
}

// No credentials anywhere: the error names the sources that were tried.
func TestAccProvider_noCredentials(t *testing.T) {
	acctest.PreCheck(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      acctest.ProviderConfig("") + `data "sagesafe_preflight" "test" {}`,
			ExpectError: regexp.MustCompile(`(?s)No valid (AWS )?credential sources found.*`),
		}},
	})
}

// A plaintext endpoint that arrives through the environment (not the
// provider block, whose validator catches it earlier) is refused at
// configure with SS-TLS-1.
func TestAccProvider_plaintextEndpointFromEnvironment(t *testing.T) {
	acctest.PreCheck(t)
	t.Setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://sagemaker.example.com")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      acctest.ProviderConfig("") + `data "sagesafe_preflight" "test" {}`,
			ExpectError: regexp.MustCompile(`SS-TLS-1: endpoint "http://sagemaker.example.com" \(from AWS_ENDPOINT_URL_SAGEMAKER\) is not allowed`),
		}},
	})
}

// A plaintext endpoint_url in the shared config file (the profile's own, or
// a service's in its services section) is refused at configure with
// SS-TLS-1 naming the file and profile, before any request; the same file
// with https endpoints is accepted.
func TestAccProvider_plaintextEndpointFromSharedConfig(t *testing.T) {
	acctest.PreCheck(t)
	file := filepath.Join(t.TempDir(), "config")
	write := func(content string) func() {
		return func() {
			if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("AWS_CONFIG_FILE", file)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_DEFAULT_PROFILE", "")
	config := acctest.ProviderConfig("") + `data "sagesafe_guardrail_policy" "test" {}`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				PreConfig:   write("[default]\nendpoint_url = http://example.com\n"),
				Config:      config,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`SS-TLS-1: endpoint "http://example.com" \(from endpoint_url in profile\s+"default" of the shared config file`),
			},
			{
				PreConfig:   write("[default]\nservices = custom\n\n[services custom]\nsts =\n  endpoint_url = http://sts.example.com\n"),
				Config:      config,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`SS-TLS-1: endpoint "http://sts.example.com" \(from endpoint_url of sts in\s+\[services custom\]`),
			},
			{
				PreConfig: write("[default]\nendpoint_url = https://example.com\nservices = custom\n\n[services custom]\nsts =\n  endpoint_url = https://sts.example.com\n"),
				Config:    config,
			},
		},
	})
}

// The guardrails block tunes the policy the checks use.
func TestAccProvider_guardrailsBlock(t *testing.T) {
	acctest.PreCheck(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderConfig(`
  guardrails {
    allowed_instance_types = ["ml.g5.*"]
  }
`) + `
data "sagesafe_preflight" "test" {
  instance_type = "ml.m5.xlarge"
  enforce       = true
}`,
				ExpectError: regexp.MustCompile(`SS-GOV-2`),
			},
			{
				Config: acctest.ProviderConfig(`
  guardrails {
    allowed_instance_types = ["ml.m5.*"]
  }
`) + `
data "sagesafe_preflight" "test" {
  instance_type = "ml.m5.xlarge"
  enforce       = true
}`,
				Check: resource.TestCheckResourceAttr("data.sagesafe_preflight.test", "compliant", "true"),
			},
		},
	})
}
