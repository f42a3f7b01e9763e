# The sagesafe golden path, called as a module: a private, encrypted,
# least-privilege and monitored SageMaker stack — train a model, then serve
# it. The provider block is the caller's: region, credentials, default tags,
# where alarms go and the platform team's guardrails apply to every stack.
#
# Outside this repository, use the module from a registry or a Git address
# instead of the relative path, e.g.
#   source = "git::https://github.com/sagesafe/terraform-provider-sagesafe.git//modules/golden-path?ref=<release tag>"

terraform {
  required_version = ">= 1.8"
  required_providers {
    sagesafe = {
      source = "sagesafe/sagesafe"
    }
  }
}

provider "sagesafe" {
  region = var.region
  # null on real AWS; `make demo` points it at the local emulator.
  endpoint_url = var.endpoint_url

  # Every object carries these, so cost and ownership are never unknown.
  default_tags {
    tags = {
      team        = var.team
      cost-center = var.cost_center
      stack       = var.name
    }
  }

  # Every alarm pages the on-call topic unless a resource says otherwise.
  alarm_actions = [var.alarm_topic_arn]

  # The platform team's policy: tags are mandatory, only approved instance
  # families, an alarm that notifies nobody is an error, not a warning, and
  # every role sagesafe makes carries the organisation's permissions
  # boundary (SS-IAM-5), which must itself cap (see the variable).
  guardrails {
    required_tags                 = ["team", "cost-center"]
    allowed_instance_types        = var.allowed_instance_types
    require_alarm_actions         = true
    role_permissions_boundary_arn = var.role_permissions_boundary_arn
  }
}

module "golden_path" {
  source = "../../modules/golden-path"

  name                   = var.name
  data_bucket            = var.data_bucket
  allowed_instance_types = var.allowed_instance_types
  serving_image          = var.serving_image
  retain_logs_on_destroy = var.retain_logs_on_destroy

  role_permissions_boundary_arn = var.role_permissions_boundary_arn
}
