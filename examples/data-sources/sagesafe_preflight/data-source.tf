# Would sagesafe accept the network, key and role you manage with hashicorp/aws?
data "sagesafe_preflight" "training" {
  subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  security_group_ids = ["sg-0123456789abcdef0"]
  kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  role_arn           = "arn:aws:iam::123456789012:role/ml-training"
  instance_type      = "ml.m5.xlarge"
  s3_uris            = ["s3://ml-data/training/"]

  # Fail the plan on error-severity findings instead of only warning.
  enforce = true
}

output "preflight_findings" {
  value = data.sagesafe_preflight.training.findings
}
