# What sagesafe refuses: the same endpoint, but in public subnets, behind a
# security group open to the internet and with a key that does not rotate.
# `make demo` plans this and expects it to fail at plan time with SS-NET-2,
# SS-NET-3 and SS-KMS-2 — before anything is created. The preflight data
# source asks the same question without a resource: its findings are
# reported as warnings (set enforce = true to make them errors).

terraform {
  required_providers {
    sagesafe = {
      source = "sagesafe/sagesafe"
    }
  }
}

variable "endpoint_url" {
  type    = string
  default = null
}

variable "public_subnet_ids" {
  description = "Subnets whose route table sends 0.0.0.0/0 to an internet gateway."
  type        = list(string)
}

variable "security_group_id" {
  type = string
}

variable "static_key_arn" {
  description = "A customer-managed key without automatic rotation."
  type        = string
}

variable "role_arn" {
  type = string
}

provider "sagesafe" {
  region       = "us-east-1"
  endpoint_url = var.endpoint_url
}

resource "sagesafe_endpoint" "insecure" {
  name          = "insecure-variant"
  role_arn      = var.role_arn
  instance_type = "ml.m5.xlarge"
  kms_key_arn   = var.static_key_arn

  model = {
    image             = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost-serve@sha256:0b2a4e3c4f1d5e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"
    model_data_s3_uri = "s3://example-models/model.tar.gz"
  }

  vpc = {
    subnet_ids         = var.public_subnet_ids
    security_group_ids = [var.security_group_id]
  }

  alarms = {
    actions = ["arn:aws:sns:us-east-1:123456789012:ml-oncall"]
  }
}

data "sagesafe_preflight" "insecure" {
  subnet_ids         = var.public_subnet_ids
  security_group_ids = [var.security_group_id]
  kms_key_arn        = var.static_key_arn
  role_arn           = var.role_arn
}
