# The provider's alarm_actions receive every audit alarm; the trail is
# refused while it is empty (SS-AUD-5).
provider "sagesafe" {
  region        = "eu-west-1"
  alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:security-alerts"]
}

# The key must let CloudTrail (allow_cloudtrail) and CloudWatch Logs
# (allow_cloudwatch_logs, the default) encrypt with it.
resource "sagesafe_kms_key" "audit" {
  alias            = "alias/ml-audit"
  allow_cloudtrail = true
}

resource "sagesafe_audit_trail" "ml" {
  name        = "ml-audit"
  kms_key_arn = sagesafe_kms_key.audit.arn

  # Bucket lifecycle expiry and log group retention; at least the
  # guardrails' min_log_retention_days (365 unless set).
  retention_days = 400

  tags = {
    team = "security"
  }
}

output "audit_alarms" {
  value = sagesafe_audit_trail.ml.alarm_names
}
