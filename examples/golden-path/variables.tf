variable "name" {
  description = "Name of the stack; prefixes every object."
  type        = string
  default     = "golden-path"
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "endpoint_url" {
  description = "One endpoint for every AWS service (an emulator such as the one `make emulator` runs); null for real AWS."
  type        = string
  default     = null
}

variable "team" {
  description = "Owning team (a required tag)."
  type        = string
  default     = "ml-platform"
}

variable "cost_center" {
  description = "Cost center (a required tag)."
  type        = string
  default     = "cc-1234"
}

variable "alarm_topic_arn" {
  description = "SNS topic every alarm and the budget notify."
  type        = string
  default     = "arn:aws:sns:us-east-1:123456789012:ml-oncall"
}

variable "allowed_instance_types" {
  description = "Instance type patterns the platform team approves (the provider's guardrails and the module's organisation SCP)."
  type        = list(string)
  default     = ["ml.m5.*", "ml.g5.*"]
}

variable "data_bucket" {
  description = "S3 bucket (SSE-KMS default encryption, TLS-only policy) with training/ data; models are written under models/."
  type        = string
}

variable "serving_image" {
  description = "Serving image from ECR, pinned by digest."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost-serve@sha256:0b2a4e3c4f1d5e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"
}

variable "retain_logs_on_destroy" {
  description = "Keep the endpoint's log group when the stack is destroyed (the demo sets false to prove nothing is left)."
  type        = bool
  default     = true
}
