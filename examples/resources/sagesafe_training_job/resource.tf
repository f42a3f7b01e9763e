# A training job that can only run in a private, encrypted, isolated and
# monitored sandbox: network isolation, inter-container traffic encryption
# and the customer-managed key on the output and volume are always on.
resource "sagesafe_training_job" "churn" {
  # A job name can never be reused, so every new job gets
  # "<prefix><UTC time><4 characters>".
  name_prefix = "churn-"

  # Trust scoped to SageMaker with aws:SourceAccount/aws:SourceArn, no
  # broad permissions (a sagesafe_execution_role).
  role_arn = "arn:aws:iam::123456789012:role/churn-training"
  # From ECR, pinned by digest.
  image         = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/xgboost@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
  instance_type = "ml.m5.xlarge"
  # Enabled, rotating, customer managed (a sagesafe_kms_key). Encrypts the
  # model artifacts, the ML storage volume and, when sagesafe creates or
  # first encrypts it, the shared log group /aws/sagemaker/TrainingJobs.
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  # Bounded by the provider's guardrails.max_training_runtime_seconds.
  max_runtime_seconds = 14400

  # s3:// only, in buckets with SSE-KMS default encryption and a TLS-only
  # bucket policy.
  input_channels = [
    {
      name         = "train"
      s3_uri       = "s3://ml-data/churn/train/"
      content_type = "text/csv"
    },
    {
      name         = "validation"
      s3_uri       = "s3://ml-data/churn/validation/"
      content_type = "text/csv"
    },
  ]
  output_s3_uri     = "s3://ml-models/churn/"
  checkpoint_s3_uri = "s3://ml-checkpoints/churn/"

  # Private subnets routed to S3 through a gateway endpoint, and a security
  # group closed to the internet (a sagesafe_network).
  vpc = {
    subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }

  hyperparameters = {
    objective = "binary:logistic"
    num_round = "200"
  }

  # Disk and memory per instance; GPU idleness on GPU instance types.
  alarms = {
    actions      = ["arn:aws:sns:eu-west-1:123456789012:ml-oncall"]
    disk_percent = 85
  }

  tags = {
    team = "ml"
  }

  timeouts {
    create = "5h"
  }
}

# Deploy the artifacts with a sagesafe_endpoint:
#   model = { model_data_s3_uri = sagesafe_training_job.churn.model_artifacts_s3_uri, ... }
output "churn_model_artifacts" {
  value = sagesafe_training_job.churn.model_artifacts_s3_uri
}
