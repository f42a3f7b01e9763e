# The sagesafe golden path.
#
# At this stage it asks sagesafe_preflight about a network, keys and a role
# that were made elsewhere (for the demo: by `make demo`, in the emulator),
# the way a team that keeps its network in hashicorp/aws would. Later stages
# build the whole stack with sagesafe resources.

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

  default_tags = {
    managed-by = "terraform"
    stack      = "golden-path"
  }
}

# The inputs a platform team would hand an ML engineer: private subnets in
# two AZs, a closed security group and a rotating customer-managed key.
data "sagesafe_preflight" "secure" {
  subnet_ids         = var.private_subnet_ids
  security_group_ids = [var.closed_security_group_id]
  kms_key_arn        = var.rotating_key_arn
  instance_type      = var.instance_type
}

# What an engineer in a hurry might pick instead: a public subnet, a
# security group open to the internet and a key that never rotates.
# sagesafe reports each with its control ID and the fix.
data "sagesafe_preflight" "insecure" {
  count              = var.check_insecure ? 1 : 0
  subnet_ids         = [var.public_subnet_id]
  security_group_ids = [var.open_security_group_id]
  kms_key_arn        = var.static_key_arn
  instance_type      = var.instance_type
}
