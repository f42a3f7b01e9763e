# The execution roles must exist before the key policy names them, so refer
# to them by resource and Terraform creates them first.
resource "sagesafe_execution_role" "training" {
  name         = "churn-training"
  purpose      = "training"
  s3_read_uris = ["s3://ml-data/churn/train/"]
}

resource "sagesafe_kms_key" "ml" {
  alias       = "alias/churn-ml"
  description = "Churn model: training volumes, artifacts and logs"

  # Manage (rotate, disable, edit the policy) but never decrypt.
  administrators = ["arn:aws:iam::123456789012:role/platform-key-admin"]

  # Use only through SageMaker and S3; grants only for AWS resources.
  users = [sagesafe_execution_role.training.arn]

  rotation_period_days = 180
  deletion_window_days = 30

  # CloudWatch Logs in this region may encrypt this account's log groups
  # (the default); set allow_flow_logs_delivery for a sagesafe_network.
  allow_cloudwatch_logs = true

  tags = {
    team = "ml-platform"
  }
}

output "key_policy" {
  value = sagesafe_kms_key.ml.policy_json
}
