package main

import (
	"fmt"
	"strings"
)

// stackConfig is the measured stack: one key, one network, one inference
// role and n endpoints sharing them, with their model data in bucket.
func stackConfig(endpoint, bucket string, n int, suffix string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `
terraform {
  required_providers {
    sagesafe = {
      source = "sagesafe/sagesafe"
    }
  }
}

provider "sagesafe" {
  region       = %[1]q
  endpoint_url = %[2]q
}

resource "sagesafe_kms_key" "bench" {
  description              = "bench %[3]s"
  allow_flow_logs_delivery = true
}

resource "sagesafe_network" "bench" {
  name        = "bench-%[3]s"
  cidr_block  = "10.77.0.0/16"
  kms_key_arn = sagesafe_kms_key.bench.arn
}

resource "sagesafe_execution_role" "bench" {
  name         = "bench-%[3]s"
  purpose      = "inference"
  s3_read_uris = ["s3://%[6]s/"]
  kms_key_arns = [sagesafe_kms_key.bench.arn]
}

resource "sagesafe_endpoint" "bench" {
  count         = %[4]d
  name          = "bench-${count.index}-%[3]s"
  role_arn      = sagesafe_execution_role.bench.arn
  instance_type = "ml.m5.xlarge"
  kms_key_arn   = sagesafe_kms_key.bench.arn

  model = {
    image             = "123456789012.dkr.ecr.%[1]s.amazonaws.com/serve@sha256:%[5]s"
    model_data_s3_uri = "s3://%[6]s/model.tar.gz"
  }

  vpc = {
    subnet_ids         = sagesafe_network.bench.subnet_ids
    security_group_ids = [sagesafe_network.bench.workload_security_group_id]
  }

  alarms = {
    actions = ["arn:aws:sns:%[1]s:123456789012:%[7]s"]
  }
}
`, region, endpoint, suffix, n, strings.Repeat("ab", 32), bucket, benchTopic)
	return b.String()
}

// benchTopic is the SNS topic the stack's alarms notify (dataBucket makes
// it).
const benchTopic = "bench-alerts"
