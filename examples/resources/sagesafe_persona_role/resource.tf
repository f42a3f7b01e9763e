# The network, key and execution role the data scientists' workloads must use.
resource "sagesafe_kms_key" "ml" {
  alias = "alias/ml-platform"
}

resource "sagesafe_network" "ml" {
  name        = "ml-platform"
  cidr_block  = "10.20.0.0/16"
  kms_key_arn = sagesafe_kms_key.ml.arn
}

resource "sagesafe_execution_role" "training" {
  name    = "churn-training"
  purpose = "training"

  s3_read_uris  = ["s3://ml-data/churn/train/"]
  s3_write_uris = ["s3://ml-artifacts/churn/"]
}

# Data scientists sign in through IAM Identity Center (its SAML provider in
# this account) or switch role from the platform account with MFA. They may
# start training, processing, tuning, AutoML and transform jobs and create
# models, but only in these subnets and security groups, with this key,
# with network isolation and inter-container encryption, and passing only
# this execution role: anything else is denied, even from the console.
resource "sagesafe_persona_role" "data_scientists" {
  name    = "data-scientists"
  persona = "data_scientist"

  saml_provider_arn  = "arn:aws:iam::123456789012:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
  account_principals = ["arn:aws:iam::123456789012:role/platform/ml-lead"]

  subnet_ids          = sagesafe_network.ml.subnet_ids
  security_group_ids  = [sagesafe_network.ml.workload_security_group_id]
  kms_key_arn         = sagesafe_kms_key.ml.arn
  execution_role_arns = [sagesafe_execution_role.training.arn]

  s3_read_uris  = ["s3://ml-data/churn/"]
  s3_write_uris = ["s3://ml-artifacts/churn/experiments/"]

  tags = {
    team = "ml-platform"
  }
}

# Reviewers approve or reject model versions and read their reports; they
# launch nothing, so they need no network, key or execution roles.
resource "sagesafe_persona_role" "reviewers" {
  name_prefix = "model-reviewers-"
  persona     = "model_reviewer"

  saml_provider_arn = "arn:aws:iam::123456789012:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
  s3_read_uris      = ["s3://ml-artifacts/churn/reports/"]
}
