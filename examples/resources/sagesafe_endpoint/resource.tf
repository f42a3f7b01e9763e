# A secure real-time endpoint: network isolation, the VPC and the
# customer-managed key are always on; alarms and blue/green rollback are
# created with it.
resource "sagesafe_endpoint" "churn" {
  name          = "churn"
  role_arn      = "arn:aws:iam::123456789012:role/churn-inference"
  instance_type = "ml.m5.xlarge"
  # At least min_endpoint_instances (2 by default), spread across zones.
  instance_count = 2
  # Encrypts the ML storage volume, data capture and the log group.
  kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

  model = {
    # From ECR, pinned by digest. A new image rolls the endpoint blue/green.
    image             = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
    model_data_s3_uri = "s3://ml-models/churn/model.tar.gz"
    environment = {
      MODEL_SERVER_WORKERS = "2"
    }
  }

  # Private subnets in two Availability Zones and a closed security group.
  vpc = {
    subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }

  data_capture = {
    enabled             = true
    s3_uri              = "s3://ml-capture/churn/"
    sampling_percentage = 10
  }

  alarms = {
    # Default: the provider's alarm_actions.
    actions              = ["arn:aws:sns:eu-west-1:123456789012:ml-oncall"]
    error_rate_5xx       = 0.02
    model_latency_p99_ms = 300
    # Anomaly-detection bands on invocations and latency (SS-MON-6), in
    # standard deviations. Each anomaly alarm is billed as three metrics.
    anomaly_band_width = 2
  }

  # Application Auto Scaling (free; the instances it adds are billed):
  # between min_endpoint_instances and max_endpoint_instances (SS-AVL-2).
  # The alarm at_max_instances fires when the variant sits at max_capacity
  # for 15 minutes (while it has traffic).
  autoscaling = {
    min_capacity                    = 2
    max_capacity                    = 6
    target_invocations_per_instance = 100
  }

  # Shift 10% of capacity first, bake 10 minutes, then the rest; the
  # endpoint's 5XX and latency alarms roll the update back.
  deployment = {
    strategy       = "canary"
    canary_percent = 10
    bake_seconds   = 600
  }

  # Callers may invoke the endpoint only through this sagemaker.runtime
  # interface endpoint (see invoke_policy_json).
  private_invoke_vpc_endpoint_ids = ["vpce-0123456789abcdef0"]

  tags = {
    team = "ml"
  }

  timeouts {
    update = "2h"
  }
}

# Attach the invoke policy to the callers' role.
output "churn_invoke_policy" {
  value = sagesafe_endpoint.churn.invoke_policy_json
}
