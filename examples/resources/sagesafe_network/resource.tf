# A private network for SageMaker: two private subnets, PrivateLink endpoints
# for every service SageMaker needs, an S3 gateway endpoint, closed security
# groups and encrypted flow logs. Nothing in it can reach the internet.
# The key's policy lets CloudWatch Logs use it for the flow-log group.
resource "sagesafe_kms_key" "ml" {
  alias = "alias/ml-platform"
}

resource "sagesafe_network" "ml" {
  name        = "ml-platform"
  cidr_block  = "10.20.0.0/16"
  kms_key_arn = sagesafe_kms_key.ml.arn

  # Optional: defaults are the region's first two zones, 365 days and
  # sagemaker.api, sagemaker.runtime, sts, logs, monitoring, ecr.api, ecr.dkr, kms.
  availability_zones      = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  flow_log_retention_days = 400
  interface_endpoints = [
    "sagemaker.api", "sagemaker.runtime", "sts", "logs", "monitoring",
    "ecr.api", "ecr.dkr", "kms", "secretsmanager",
  ]

  tags = {
    team = "ml-platform"
  }
}

# Training jobs and endpoints run in the private subnets, in the workload
# security group.
output "subnet_ids" {
  value = sagesafe_network.ml.subnet_ids
}

output "security_group_id" {
  value = sagesafe_network.ml.workload_security_group_id
}

# Empty unless someone weakened the network outside Terraform; the next
# apply restores it.
output "network_drift" {
  value = sagesafe_network.ml.drift
}
