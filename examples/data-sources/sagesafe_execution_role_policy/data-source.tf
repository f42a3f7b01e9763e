# The policies sagesafe_execution_role would create, for a role you manage
# with hashicorp/aws.
data "sagesafe_execution_role_policy" "training" {
  purpose = "training"

  s3_read_uris  = ["s3://ml-data/churn/train/"]
  s3_write_uris = ["s3://ml-artifacts/churn/"]
  kms_key_arns  = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]

  vpc_subnet_ids         = ["subnet-0123456789abcdef0"]
  vpc_security_group_ids = ["sg-0123456789abcdef0"]
}

resource "aws_iam_role" "training" {
  name               = "churn-training"
  assume_role_policy = data.sagesafe_execution_role_policy.training.trust_policy_json
}

resource "aws_iam_role_policy" "training" {
  role   = aws_iam_role.training.id
  name   = data.sagesafe_execution_role_policy.training.policy_name
  policy = data.sagesafe_execution_role_policy.training.policy_json
}
