# Real AWS: credentials and region come from the usual places (environment,
# shared config and credentials files, SSO, instance or container roles),
# exactly as for the hashicorp/aws provider. Its auth and tag settings paste
# in under the same names.
provider "sagesafe" {
  region = "eu-west-1"

  # Refuse to run against any other account, before anything is read.
  allowed_account_ids = ["123456789012"]

  # CI on OIDC: exchange the pipeline's token for the deployer role, then
  # chain into the workload account's role.
  assume_role_with_web_identity {
    role_arn                = "arn:aws:iam::111111111111:role/ci-deployer"
    session_name            = "ci"
    web_identity_token_file = "/var/run/ci/oidc-token"
  }
  assume_role {
    role_arn        = "arn:aws:iam::123456789012:role/sagesafe-deployer"
    source_identity = "ci-pipeline"
    tags = {
      pipeline = "ml-platform"
    }
    transitive_tag_keys = ["pipeline"]
  }

  # Merged into every object sagesafe creates.
  default_tags {
    tags = {
      team = "ml-platform"
    }
  }

  # Tags other tools add: never reported as drift, never removed.
  ignore_tags {
    key_prefixes = ["kubernetes.io/"]
  }

  # Every alarm sagesafe creates notifies this topic unless a resource says
  # otherwise. It may also refer to a topic created in the same apply.
  alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:ml-alerts"]

  # The platform team's golden-path policy. It can tighten or relax only the
  # tunable controls; nothing here can turn off a forced one.
  guardrails {
    required_tags          = ["team", "cost-center"]
    allowed_instance_types = ["ml.m5.*", "ml.g5.*"]
    require_alarm_actions  = true

    # Every IAM role sagesafe makes carries this boundary (SS-IAM-5); the
    # deployer policy's permissions_boundary_arn names the same policy.
    role_permissions_boundary_arn = "arn:aws:iam::123456789012:policy/ml-boundary"
  }
}

# A local emulator (moto or LocalStack): plain http is accepted only for a
# loopback host (control SS-TLS-1).
provider "sagesafe" {
  alias        = "local"
  region       = "us-east-1"
  endpoint_url = "http://localhost:4566"
}
