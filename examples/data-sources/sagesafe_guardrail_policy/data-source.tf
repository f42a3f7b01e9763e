# A service control policy that refuses insecure SageMaker jobs, models and
# endpoint configs in every account of an organizational unit, whoever
# creates them and however.
data "sagesafe_guardrail_policy" "ml" {
  allowed_instance_types       = ["ml.m5.*", "ml.g5.*", "ml.p4d.24xlarge"]
  max_training_runtime_seconds = 86400
  allowed_kms_key_arns         = ["arn:aws:kms:*:123456789012:key/*"]
}

resource "aws_organizations_policy" "sagemaker_guardrails" {
  name    = "sagemaker-guardrails"
  type    = "SERVICE_CONTROL_POLICY"
  content = data.sagesafe_guardrail_policy.ml.json
}

output "guardrail_statements" {
  # [{sid = "DenyMissingVpcSubnets", control = "SS-NET-1", ...}, ...]
  value = data.sagesafe_guardrail_policy.ml.statements
}
