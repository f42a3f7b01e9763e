variable "name" {
  description = "Name of the stack; prefixes every object (key alias, network, roles, jobs, endpoint, trail, budget). Lower-case letters, digits and hyphens, 3 to 32 characters, starting with a letter: the baseline job's name is `<name>-baseline-` plus the 18 characters a generated job name adds, and SageMaker job names are at most 63 characters."
  type        = string
  default     = "golden-path"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3 to 32 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "data_bucket" {
  description = "S3 bucket with the training data under training/; models are written under models/, captured traffic under capture/, the drift baseline and reports under monitoring/. It must exist, with SSE-KMS default encryption and a TLS-only bucket policy (the resources check both: SS-DATA-1, SS-TLS-2)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.data_bucket))
    error_message = "data_bucket must be an S3 bucket name (3 to 63 lower-case letters, digits, dots or hyphens), not a URI."
  }
}

variable "allowed_instance_types" {
  description = "Instance type patterns the platform team approves, e.g. `ml.m5.*` (one family) or `ml.g5.xlarge` (one size). Goes into the organisation SCP output; the provider's `guardrails.allowed_instance_types` should list the same."
  type        = list(string)
  default     = ["ml.m5.*", "ml.g5.*"]

  validation {
    condition     = length(var.allowed_instance_types) > 0 && alltrue([for p in var.allowed_instance_types : can(regex("^ml\\.[a-z0-9-]+\\.([a-z0-9-]+|\\*)$", p))])
    error_message = "allowed_instance_types must name at least one pattern, each an instance family (ml.m5.*) or a size (ml.m5.xlarge): a bare * or ml.* would approve every instance type."
  }
}

variable "cidr_block" {
  description = "CIDR of the ML network (a /16 to /24 range, normally private: RFC 1918; the network splits it into subnets across Availability Zones and routes nothing to the internet)."
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 24
    error_message = "cidr_block must be an IPv4 CIDR with a prefix length from /16 to /24."
  }
}

variable "training_image" {
  description = "Training image from Amazon ECR, pinned by digest (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex>`)."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost-train@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$", var.training_image))
    error_message = "training_image must be an Amazon ECR image pinned by digest (repository@sha256:<64 hex>): a tag can be moved to another image after review, a digest cannot (SS-SUP-1; the provider only warns, this module refuses)."
  }
}

variable "serving_image" {
  description = "Serving image from Amazon ECR, pinned by digest (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex>`)."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost-serve@sha256:0b2a4e3c4f1d5e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$", var.serving_image))
    error_message = "serving_image must be an Amazon ECR image pinned by digest (repository@sha256:<64 hex>): a tag can be moved to another image after review, a digest cannot (SS-SUP-1; the provider only warns, this module refuses)."
  }
}

variable "monitoring_image" {
  description = "The drift-monitoring analyzer (baseline and checks) from Amazon ECR, pinned by digest (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex>`)."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model-monitor-analyzer@sha256:9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5"

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$", var.monitoring_image))
    error_message = "monitoring_image must be an Amazon ECR image pinned by digest (repository@sha256:<64 hex>): a tag can be moved to another image after review, a digest cannot (SS-SUP-1; the provider only warns, this module refuses)."
  }
}

variable "monitored_features" {
  description = "The model's input features watched for drift (one alarm each)."
  type        = list(string)
  default     = ["tenure_months", "monthly_charges"]

  validation {
    condition     = length(var.monitored_features) > 0
    error_message = "monitored_features must name at least one feature: a drift monitor that watches nothing raises no alarm."
  }
}

variable "monthly_budget_usd" {
  description = "The account's monthly SageMaker spending limit, in USD (sagesafe_budget)."
  type        = number
  default     = 2000

  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be above 0."
  }
}

variable "retain_logs_on_destroy" {
  description = "Keep the endpoint's log group when the stack is destroyed (tests and the demo set false to prove nothing is left)."
  type        = bool
  default     = true
}

variable "people_principals" {
  description = "Who may assume the persona roles (with MFA): 12-digit account IDs or IAM ARNs, e.g. the account your people sign in to."
  type        = list(string)
  default     = ["123456789012"]

  validation {
    condition     = length(var.people_principals) > 0 && alltrue([for p in var.people_principals : can(regex("^([0-9]{12}|arn:aws[a-z-]*:iam::[0-9]{12}:(root|(role|user)/[A-Za-z0-9+=,.@_/-]+))$", p))])
    error_message = "people_principals must list 12-digit account IDs or IAM ARNs (no wildcard: anyone could assume the roles)."
  }
}

variable "role_permissions_boundary_arn" {
  description = "The organisation's permissions boundary: the same ARN as the caller's provider `guardrails { role_permissions_boundary_arn }`. The execution and persona roles name it, so the module says which cap its roles carry; the roles the provider makes itself (flow logs, CloudTrail delivery, the monitor's scheduler) take the provider's. Null: the roles take the provider's boundary, or none when the provider sets none (SS-IAM-5 is then not checked). Another ARN than the provider's is refused at plan (SS-IAM-5)."
  type        = string
  default     = null

  validation {
    condition     = var.role_permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.role_permissions_boundary_arn))
    error_message = "role_permissions_boundary_arn must be null or the ARN of a customer managed policy of the stack's account (arn:aws:iam::<account>:policy/<name>)."
  }
}
