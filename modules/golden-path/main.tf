# The sagesafe golden path: a private, encrypted, least-privilege and
# monitored SageMaker stack — train a model, then serve it — built with the
# sagesafe provider alone.
#
# The module declares no provider block: the caller configures sagesafe
# (region, credentials, default_tags, alarm_actions, guardrails), so one
# provider configuration governs every stack, and the module can be called
# with count or for_each. See README.md for what the caller must set.

# One customer-managed key for volumes, artifacts, data capture and logs.
# It rotates; CloudWatch Logs may use it for this account's log groups,
# including the network's flow logs.
resource "sagesafe_kms_key" "ml" {
  alias                    = "alias/${var.name}"
  description              = "${var.name}: SageMaker volumes, artifacts and logs"
  allow_flow_logs_delivery = true
}

# A VPC that cannot reach the internet but reaches every AWS service
# SageMaker needs over PrivateLink, with encrypted flow logs.
resource "sagesafe_network" "ml" {
  name        = var.name
  cidr_block  = var.cidr_block
  kms_key_arn = sagesafe_kms_key.ml.arn
}

# Least-privilege roles: trust only SageMaker with confused-deputy
# conditions, S3 only under the given prefixes, the key only through
# SageMaker and S3, network interfaces only in this network.
resource "sagesafe_execution_role" "training" {
  name                   = "${var.name}-training"
  purpose                = "training"
  s3_read_uris           = ["s3://${var.data_bucket}/training/"]
  s3_write_uris          = ["s3://${var.data_bucket}/models/"]
  kms_key_arns           = [sagesafe_kms_key.ml.arn]
  vpc_subnet_ids         = sagesafe_network.ml.subnet_ids
  vpc_security_group_ids = [sagesafe_network.ml.workload_security_group_id]

  permissions_boundary_arn = var.role_permissions_boundary_arn
}

resource "sagesafe_execution_role" "inference" {
  name                   = "${var.name}-inference"
  purpose                = "inference"
  s3_read_uris           = ["s3://${var.data_bucket}/models/"]
  s3_write_uris          = ["s3://${var.data_bucket}/capture/"]
  kms_key_arns           = [sagesafe_kms_key.ml.arn]
  vpc_subnet_ids         = sagesafe_network.ml.subnet_ids
  vpc_security_group_ids = [sagesafe_network.ml.workload_security_group_id]

  permissions_boundary_arn = var.role_permissions_boundary_arn
}

# Processing jobs (baselines, drift checks) get their own role: SageMaker
# may assume it only for processing jobs of this account and region.
resource "sagesafe_execution_role" "processing" {
  name                   = "${var.name}-processing"
  purpose                = "processing"
  s3_read_uris           = ["s3://${var.data_bucket}/training/", "s3://${var.data_bucket}/capture/"]
  s3_write_uris          = ["s3://${var.data_bucket}/monitoring/"]
  kms_key_arns           = [sagesafe_kms_key.ml.arn]
  vpc_subnet_ids         = sagesafe_network.ml.subnet_ids
  vpc_security_group_ids = [sagesafe_network.ml.workload_security_group_id]

  permissions_boundary_arn = var.role_permissions_boundary_arn
}

# The audit trail: who changed an endpoint, a key, a role or the network, and
# who was denied. Its own key (CloudTrail may use it), a private TLS-only
# bucket, an encrypted log group, and CIS metric-filter alarms that page the
# on-call topic.
resource "sagesafe_kms_key" "audit" {
  alias            = "alias/${var.name}-audit"
  description      = "${var.name}: the audit trail's logs"
  allow_cloudtrail = true
}

resource "sagesafe_audit_trail" "ml" {
  name           = "${var.name}-audit"
  kms_key_arn    = sagesafe_kms_key.audit.arn
  retention_days = 365
}

# People: the roles data scientists and model reviewers assume (with MFA).
# A data scientist may start jobs and create models only in this network,
# with this key, isolated and encrypted, passing only the training role:
# anything else is denied by IAM, from the console or the CLI as well.
resource "sagesafe_persona_role" "data_scientists" {
  name               = "${var.name}-data-scientists"
  persona            = "data_scientist"
  account_principals = var.people_principals

  subnet_ids          = sagesafe_network.ml.subnet_ids
  security_group_ids  = [sagesafe_network.ml.workload_security_group_id]
  kms_key_arn         = sagesafe_kms_key.ml.arn
  execution_role_arns = [sagesafe_execution_role.training.arn]

  s3_read_uris  = ["s3://${var.data_bucket}/training/"]
  s3_write_uris = ["s3://${var.data_bucket}/experiments/"]

  permissions_boundary_arn = var.role_permissions_boundary_arn
}

# Reviewers approve or reject model versions and read their reports; they
# launch nothing.
resource "sagesafe_persona_role" "model_reviewers" {
  name               = "${var.name}-model-reviewers"
  persona            = "model_reviewer"
  account_principals = var.people_principals
  s3_read_uris       = ["s3://${var.data_bucket}/models/"]

  permissions_boundary_arn = var.role_permissions_boundary_arn
}

# Train: network isolation, inter-container encryption and the CMK on
# output and volume are not options. Runtime is bounded.
resource "sagesafe_training_job" "model" {
  name_prefix         = "${var.name}-"
  role_arn            = sagesafe_execution_role.training.arn
  image               = var.training_image
  instance_type       = "ml.m5.xlarge"
  kms_key_arn         = sagesafe_kms_key.ml.arn
  max_runtime_seconds = 3600

  input_channels = [
    {
      name         = "train"
      s3_uri       = "s3://${var.data_bucket}/training/"
      content_type = "text/csv"
    },
  ]
  output_s3_uri = "s3://${var.data_bucket}/models/"

  vpc = {
    subnet_ids         = sagesafe_network.ml.subnet_ids
    security_group_ids = [sagesafe_network.ml.workload_security_group_id]
  }
}

# The baseline for drift monitoring: statistics and suggested constraints of
# the training data, computed in the same sandbox as training (isolated,
# encrypted, private, bounded).
resource "sagesafe_processing_job" "baseline" {
  name_prefix         = "${var.name}-baseline-"
  role_arn            = sagesafe_execution_role.processing.arn
  image               = var.monitoring_image
  arguments           = ["--mode", "baseline"]
  instance_type       = "ml.m5.xlarge"
  kms_key_arn         = sagesafe_kms_key.ml.arn
  max_runtime_seconds = 3600

  inputs = [{
    name       = "baseline_dataset"
    s3_uri     = "s3://${var.data_bucket}/training/"
    local_path = "/opt/ml/processing/input/baseline_dataset"
  }]
  outputs = [{
    name       = "baseline"
    s3_uri     = "s3://${var.data_bucket}/monitoring/baseline/"
    local_path = "/opt/ml/processing/output"
  }]

  vpc = {
    subnet_ids         = sagesafe_network.ml.subnet_ids
    security_group_ids = [sagesafe_network.ml.workload_security_group_id]
  }
}

# Serve the trained model: two instances across two zones, alarms on
# errors, latency and saturation, and blue/green updates that roll back on
# the endpoint's own alarms.
resource "sagesafe_endpoint" "model" {
  name          = "${var.name}-serving"
  role_arn      = sagesafe_execution_role.inference.arn
  instance_type = "ml.m5.xlarge"
  kms_key_arn   = sagesafe_kms_key.ml.arn

  model = {
    image             = var.serving_image
    model_data_s3_uri = sagesafe_training_job.model.model_artifacts_s3_uri
  }

  vpc = {
    subnet_ids         = sagesafe_network.ml.subnet_ids
    security_group_ids = [sagesafe_network.ml.workload_security_group_id]
  }

  # Scale on traffic between two instances (the availability floor) and
  # four (below the guardrails' max_endpoint_instances cap).
  autoscaling = {
    min_capacity                    = 2
    max_capacity                    = 4
    target_invocations_per_instance = 100
  }

  deployment = {
    strategy       = "canary"
    canary_percent = 50
    bake_seconds   = 600
  }

  # Requests and responses are captured (encrypted with the key) for drift
  # monitoring.
  data_capture = {
    enabled = true
    s3_uri  = "s3://${var.data_bucket}/capture/"
  }

  retain_logs_on_destroy = var.retain_logs_on_destroy

  # Callers may invoke it only through the network's sagemaker.runtime
  # PrivateLink endpoint.
  private_invoke_vpc_endpoint_ids = [sagesafe_network.ml.vpc_endpoint_ids["sagemaker.runtime"]]
}

# Drift: every hour, a run in the same sandbox compares what the endpoint
# received with the baseline and publishes a drift metric per feature;
# alarms fire on drift and when a run publishes nothing. Refused unless the
# endpoint captures its traffic under a key (SS-MON-7). EventBridge
# Scheduler starts the runs as a role sagesafe makes for this monitor only.
resource "sagesafe_model_monitor" "drift" {
  name          = "${var.name}-drift"
  endpoint_name = sagesafe_endpoint.model.name

  schedule_expression = "rate(1 hour)"
  role_arn            = sagesafe_execution_role.processing.arn
  image               = var.monitoring_image
  instance_type       = "ml.m5.xlarge"
  kms_key_arn         = sagesafe_kms_key.ml.arn
  max_runtime_seconds = 1800

  vpc = {
    subnet_ids         = sagesafe_network.ml.subnet_ids
    security_group_ids = [sagesafe_network.ml.workload_security_group_id]
  }

  # What the baseline job wrote.
  baseline_constraints_uri = "s3://${var.data_bucket}/monitoring/baseline/constraints.json"
  baseline_statistics_uri  = "s3://${var.data_bucket}/monitoring/baseline/statistics.json"
  output_s3_uri            = "s3://${var.data_bucket}/monitoring/reports/"

  features        = var.monitored_features
  drift_threshold = 0.2

  depends_on = [sagesafe_processing_job.baseline]
}

# Cost: once per account, a monthly budget for SageMaker spending that tells
# the on-call topic at 80% of the limit and when the month's forecast passes
# it. (On AWS the topic's policy must let budgets.amazonaws.com publish.)
resource "sagesafe_budget" "sagemaker" {
  name      = "${var.name}-sagemaker"
  limit_usd = var.monthly_budget_usd
}

# The same guardrails at the API layer, for the organisation's SCP: no one
# can create an insecure job or endpoint, even outside Terraform.
data "sagesafe_guardrail_policy" "org" {
  allowed_instance_types       = var.allowed_instance_types
  max_training_runtime_seconds = 86400
}
