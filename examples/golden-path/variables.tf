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
  description = "One endpoint for every AWS service (an emulator such as moto or LocalStack); null for real AWS."
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
  description = "SNS topic every alarm notifies."
  type        = string
  default     = "arn:aws:sns:us-east-1:123456789012:ml-oncall"
}

variable "allowed_instance_types" {
  description = "Instance type patterns the platform team approves."
  type        = list(string)
  default     = ["ml.m5.*", "ml.g5.*"]
}

variable "cidr_block" {
  description = "CIDR of the ML network."
  type        = string
  default     = "10.42.0.0/16"
}

variable "data_bucket" {
  description = "S3 bucket (SSE-KMS default encryption, TLS-only policy) with training/ data; models are written under models/."
  type        = string
}

variable "training_image" {
  description = "Training image from ECR, pinned by digest."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost-train@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
}

variable "serving_image" {
  description = "Serving image from ECR, pinned by digest."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost-serve@sha256:0b2a4e3c4f1d5e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"
}

variable "monitoring_image" {
  description = "The drift-monitoring analyzer (baseline and checks) from ECR, pinned by digest."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model-monitor-analyzer@sha256:9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5"
}

variable "monitored_features" {
  description = "The model's input features watched for drift (one alarm each)."
  type        = list(string)
  default     = ["tenure_months", "monthly_charges"]
}

variable "monthly_budget_usd" {
  description = "The account's monthly SageMaker spending limit, in USD (sagesafe_budget)."
  type        = number
  default     = 2000
}

variable "retain_logs_on_destroy" {
  description = "Keep the endpoint's log group when the stack is destroyed (the demo sets false to prove nothing is left)."
  type        = bool
  default     = true
}

variable "people_principals" {
  description = "Who may assume the persona roles (with MFA): account IDs or IAM ARNs, e.g. the account your people sign in to."
  type        = list(string)
  default     = ["123456789012"]
}
