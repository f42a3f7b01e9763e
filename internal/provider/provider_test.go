package provider_test

import (
	"context"
	"fmt"
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

// A hashicorp/aws provider block's auth and tag settings, with the provider
// renamed sagesafe, are accepted as they are: the role chain (with every
// assume_role field), the account guard, retries, STS region, metadata and
// proxy settings, default_tags and ignore_tags blocks. The emulator serves
// the AssumeRole calls. forbidden_account_ids stops the provider before any
// read, and an assume_role block without a role is an error.
func TestAccProvider_awsBlockAccepted(t *testing.T) {
	acctest.PreCheck(t)
	awsBlock := `
  access_key = "testing"
  secret_key = "testing"
  allowed_account_ids         = ["123456789012"]
  max_retries                 = 5
  retry_mode                  = "standard"
  sts_region                  = "us-east-1"
  skip_metadata_api_check     = true
  skip_credentials_validation = false
  skip_requesting_account_id  = false
  use_fips_endpoint           = false
  use_dualstack_endpoint      = false
  no_proxy                    = "localhost,127.0.0.1"

  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/platform"
    session_name = "ci"
  }
  assume_role {
    role_arn        = "arn:aws:iam::123456789012:role/deployer"
    session_name    = "deploy"
    external_id     = "ext-1"
    duration        = "1h"
    source_identity = "pipeline"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "sagemaker:*", Resource = "*" }]
    })
    policy_arns = ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"]
    tags = {
      pipeline = "ml"
    }
    transitive_tag_keys = ["pipeline"]
  }

  default_tags {
    tags = {
      team        = "ml-platform"
      cost-center = "cc-1"
    }
  }

  ignore_tags {
    keys         = ["owner"]
    key_prefixes = ["kubernetes.io/"]
  }
`
	data := `data "sagesafe_guardrail_policy" "test" {}`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      acctest.ProviderConfig(`forbidden_account_ids = ["123456789012"]`) + data,
				ExpectError: regexp.MustCompile(`AWS account ID not allowed: 123456789012`),
			},
			{
				Config:      acctest.ProviderConfig("assume_role {\n    session_name = \"ci\"\n  }") + data,
				ExpectError: regexp.MustCompile(`Missing role_arn in assume_role`),
			},
			{
				Config: acctest.ProviderConfig(awsBlock) + data,
			},
		},
	})
}

// alarm_actions and default_tags may refer to an object created in the same
// apply (here a terraform_data standing in for an SNS topic): the provider is
// configured while they are unknown (before issue 15 this failed with
// "Provider configuration is not known at plan time"). An unknown region is
// still an error that names it.
func TestAccProvider_unknownValuesOfTheSameApply(t *testing.T) {
	acctest.PreCheck(t)
	topic := `
resource "terraform_data" "topic" {
  input = "arn:aws:sns:us-east-1:123456789012:oncall"
}
`
	data := `data "sagesafe_guardrail_policy" "test" {}`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		// The region step comes first: the topic does not exist yet, so its
		// output is unknown in both steps' plans.
		Steps: []resource.TestStep{
			{
				Config: topic + fmt.Sprintf(`
provider "sagesafe" {
  region       = terraform_data.topic.output == "" ? "us-east-1" : "us-east-1"
  endpoint_url = %q
}
`, acctest.Endpoint()) + data,
				ExpectError: regexp.MustCompile(`(?s)not known until apply: region`),
			},
			{
				Config: topic + acctest.ProviderConfig(`
  alarm_actions = [terraform_data.topic.output]
  default_tags {
    tags = {
      topic = terraform_data.topic.output
    }
  }
`) + data,
			},
		},
	})
}
