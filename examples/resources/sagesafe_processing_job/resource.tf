# A processing job (here: the baseline statistics and constraints of an
# endpoint's captured data, for drift monitoring) held to the training job's
# sandbox: network isolation, inter-container traffic encryption and the
# customer-managed key on every output and the volume are always on.
resource "sagesafe_processing_job" "baseline" {
  # A job name can never be reused, so every new job gets
  # "<prefix><UTC time><4 characters>".
  name_prefix = "churn-baseline-"

  # Trust scoped to SageMaker with aws:SourceAccount/aws:SourceArn, no
  # broad permissions (a sagesafe_execution_role).
  role_arn = "arn:aws:iam::123456789012:role/churn-processing"
  # From ECR, pinned by digest.
  image     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/model-monitor-analyzer@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
  arguments = ["--mode", "baseline"]
  environment = {
    dataset_format = "{\"csv\": {\"header\": true}}"
  }
  instance_type = "ml.m5.xlarge"
  # Enabled, rotating, customer managed (a sagesafe_kms_key). Encrypts the
  # outputs, the ML storage volume and, when sagesafe creates or first
  # encrypts it, the shared log group /aws/sagemaker/ProcessingJobs.
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  # Bounded by the provider's guardrails.max_training_runtime_seconds.
  max_runtime_seconds = 3600

  # s3:// only, in buckets of this account with SSE-KMS default encryption
  # and a TLS-only bucket policy.
  inputs = [{
    name       = "baseline_dataset"
    s3_uri     = "s3://ml-data/churn/train/"
    local_path = "/opt/ml/processing/input/baseline_dataset"
  }]
  outputs = [{
    name       = "monitoring_output"
    s3_uri     = "s3://ml-models/churn/baseline/"
    local_path = "/opt/ml/processing/output"
  }]

  # Private subnets routed to S3 through a gateway endpoint, and a security
  # group closed to the internet (a sagesafe_network).
  vpc = {
    subnet_ids         = ["subnet-0123456789abcdef0"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }

  # Disk and memory per instance.
  alarms = {
    actions = ["arn:aws:sns:eu-west-1:123456789012:ml-oncall"]
  }

  tags = {
    team = "ml"
  }
}
