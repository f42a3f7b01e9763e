# A training role: reads its data set, writes checkpoints and model artifacts,
# pulls one image, and creates network interfaces only in the private subnets.
resource "sagesafe_execution_role" "training" {
  name    = "churn-training"
  purpose = "training"

  s3_read_uris  = ["s3://ml-data/churn/train/"]
  s3_write_uris = ["s3://ml-artifacts/churn/"]

  ecr_repository_arns = ["arn:aws:ecr:eu-west-1:123456789012:repository/churn/trainer"]

  vpc_subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  vpc_security_group_ids = ["sg-0123456789abcdef0"]

  # Optional: cap what the role can ever do with a boundary.
  # permissions_boundary_arn = aws_iam_policy.sagemaker_boundary.arn

  tags = {
    team = "ml-platform"
  }
}

# An inference role for the endpoint that serves the model.
resource "sagesafe_execution_role" "inference" {
  name_prefix  = "churn-inference-"
  purpose      = "inference"
  s3_read_uris = ["s3://ml-artifacts/churn/"]
}

# The key names both roles as users, so they need no kms_key_arns: the key
# policy grants them use through SageMaker and S3 only.
resource "sagesafe_kms_key" "ml" {
  alias = "alias/churn-ml"
  users = [
    sagesafe_execution_role.training.arn,
    sagesafe_execution_role.inference.arn,
  ]
}

output "training_role_controls" {
  value = sagesafe_execution_role.training.controls # ["SS-GOV-1", "SS-IAM-1", "SS-IAM-2"]
}
