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

variable "role_permissions_boundary_arn" {
  description = "ARN of the organisation's permissions boundary (`arn:aws:iam::<account>:policy/<name>`): a customer managed policy of the stack's account that the platform team owns. It is an allow-list cap, not a grant: every role sagesafe makes carries it (SS-IAM-5) and may do only what both its own policy and the boundary allow, so the boundary must allow what the roles do (S3, the key, logs, ECR, CloudWatch metrics, SageMaker's network interfaces, the personas' SageMaker actions) and nothing that escapes it (making or changing roles, users or groups, removing a boundary, rewriting a policy, sts:AssumeRole). Its `iam:PassRole` must be limited to the stack's roles (`arn:aws:iam::<account>:role/<name>-*`), else SS-IAM-5 fails with \"caps nothing\", and every role that already exists under that prefix must carry the boundary too (sagesafe reads them), else SS-IAM-5 fails naming them. Required and never null: a stack without a boundary reports SS-IAM-5 as not checked, and a deployer that may create roles without one can make a role beyond any cap. On AWS, create the policy first (the document `make demo` creates is a starting point) and name the same ARN in `sagesafe_deployer_policy`'s `permissions_boundary_arn`."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.role_permissions_boundary_arn))
    error_message = "role_permissions_boundary_arn must be the ARN of a customer managed policy of the stack's account (arn:aws:iam::<account>:policy/<name>)."
  }
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
