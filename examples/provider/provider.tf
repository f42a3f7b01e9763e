# Real AWS: credentials and region come from the usual places (environment,
# shared config and credentials files, SSO, instance or container roles).
provider "sagesafe" {
  region = "eu-west-1"

  # Merged into every object sagesafe creates.
  default_tags = {
    team = "ml-platform"
  }

  # Every alarm sagesafe creates notifies this topic unless a resource says otherwise.
  alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:ml-alerts"]

  # The platform team's golden-path policy. It can tighten or relax only the
  # tunable controls; nothing here can turn off a forced one.
  guardrails {
    required_tags          = ["team", "cost-center"]
    allowed_instance_types = ["ml.m5.*", "ml.g5.*"]
    require_alarm_actions  = true
  }
}

# A local emulator (moto or LocalStack): plain http is accepted only for a
# loopback host (control SS-TLS-1).
provider "sagesafe" {
  alias        = "local"
  region       = "us-east-1"
  endpoint_url = "http://localhost:4566"
}
