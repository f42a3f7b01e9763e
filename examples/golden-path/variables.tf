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

variable "instance_type" {
  description = "SageMaker instance type for the workloads."
  type        = string
  default     = "ml.m5.xlarge"
}

variable "private_subnet_ids" {
  description = "Private subnets in at least two Availability Zones."
  type        = list(string)
}

variable "closed_security_group_id" {
  description = "A security group with no ingress from the internet."
  type        = string
}

variable "rotating_key_arn" {
  description = "A customer-managed KMS key with automatic rotation."
  type        = string
}

variable "check_insecure" {
  description = "Also ask about the insecure inputs below (the demo shows what sagesafe says about them)."
  type        = bool
  default     = false
}

variable "public_subnet_id" {
  description = "A public subnet (insecure example)."
  type        = string
  default     = null
}

variable "open_security_group_id" {
  description = "A security group open to 0.0.0.0/0 (insecure example)."
  type        = string
  default     = null
}

variable "static_key_arn" {
  description = "A key without rotation (insecure example)."
  type        = string
  default     = null
}
