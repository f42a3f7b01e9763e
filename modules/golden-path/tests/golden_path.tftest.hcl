# The golden path's own tests: `terraform test` in this directory, against
# the sagesafe emulator (AWS_ENDPOINT_URL points the provider at it; `make
# test` runs them through TestAccGoldenPathModule, which starts the emulator
# and creates the data bucket and the on-call topic the stack expects).
#
# Run by hand: `make emulator` in one terminal, export what it prints, create
# the data bucket and the SNS topic ml-oncall, then
#   terraform test -var name=NAME -var data_bucket=BUCKET

# A test file's variables win over -var: name and data_bucket, which differ
# per run, come from -var; the on-call topic is the emulator account's
# ml-oncall, which the runner creates. (alarm_topic_arn is the provider's,
# not the module's: Terraform 1.8 leaves a variable the module does not
# declare unknown unless the test file sets it.)
variables {
  retain_logs_on_destroy = false
  alarm_topic_arn        = "arn:aws:sns:us-east-1:123456789012:ml-oncall"
}

# The caller's provider configuration, as examples/golden-path writes it.
provider "sagesafe" {
  region = "us-east-1"
  default_tags {
    tags = {
      team        = "ml-platform"
      cost-center = "cc-1234"
      stack       = var.name
    }
  }
  alarm_actions = [var.alarm_topic_arn]
  guardrails {
    required_tags          = ["team", "cost-center"]
    allowed_instance_types = ["ml.m5.*", "ml.g5.*"]
    require_alarm_actions  = true
  }
}

# Insecure inputs are refused before any plan reaches AWS.
run "refuses_image_by_tag" {
  command = plan
  variables {
    training_image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost-train:latest"
  }
  expect_failures = [var.training_image]
}

run "refuses_any_instance_type" {
  command = plan
  variables {
    allowed_instance_types = ["ml.*"]
  }
  expect_failures = [var.allowed_instance_types]
}

run "refuses_anyone_as_people" {
  command = plan
  variables {
    people_principals = ["*"]
  }
  expect_failures = [var.people_principals]
}

# What the plan forces, whatever the caller sets: the values the plan
# already knows (ARNs and IDs are known only after apply).
run "refuses_every_role_of_an_account" {
  command = plan
  variables {
    people_principals = ["arn:aws:iam::123456789012:role/*"]
  }
  expect_failures = [var.people_principals]
}

run "plan_forces_secure_settings" {
  command = plan

  assert {
    condition     = sagesafe_kms_key.ml.rotation_period_days == 365 && sagesafe_kms_key.ml.allow_cloudwatch_logs && sagesafe_kms_key.ml.allow_flow_logs_delivery
    error_message = "the stack's key must rotate yearly and let CloudWatch Logs and flow logs encrypt with it"
  }
  assert {
    condition     = sagesafe_kms_key.audit.allow_cloudtrail && sagesafe_audit_trail.ml.retention_days >= 365
    error_message = "the audit trail must have a key CloudTrail may use and keep its logs a year"
  }
  assert {
    condition     = sagesafe_endpoint.model.instance_count >= 2 && sagesafe_endpoint.model.autoscaling.min_capacity >= 2
    error_message = "the endpoint must keep two instances (two Availability Zones)"
  }
  assert {
    condition     = sagesafe_endpoint.model.data_capture.enabled && sagesafe_endpoint.model.data_capture.sampling_percentage > 0
    error_message = "the endpoint must capture its traffic for drift monitoring"
  }
  assert {
    condition     = sagesafe_endpoint.model.log_retention_days >= 365 && sagesafe_endpoint.model.deployment.strategy == "canary"
    error_message = "the endpoint must keep its logs a year and deploy by canary with rollback"
  }
  assert {
    condition     = !sagesafe_training_job.model.use_spot && sagesafe_training_job.model.max_runtime_seconds <= 86400 && sagesafe_processing_job.baseline.max_runtime_seconds <= 86400
    error_message = "jobs must have a bounded runtime"
  }
  assert {
    condition     = alltrue([for uri in setunion(sagesafe_execution_role.training.s3_read_uris, sagesafe_execution_role.training.s3_write_uris) : startswith(uri, "s3://${var.data_bucket}/")])
    error_message = "the training role may reach only the data bucket"
  }
  assert {
    condition     = sagesafe_persona_role.data_scientists.persona == "data_scientist" && sagesafe_persona_role.model_reviewers.persona == "model_reviewer"
    error_message = "people get the persona roles, nothing broader"
  }
}

# Applied on the emulator: the outputs name what was made, and every
# resource holds its controls (checked on the live objects).
run "apply_outputs" {
  command = apply

  assert {
    condition     = output.endpoint_name == "${var.name}-serving"
    error_message = "endpoint_name is not the stack's endpoint"
  }
  assert {
    condition     = length(output.subnet_ids) >= 2
    error_message = "the network must have private subnets in two zones"
  }
  assert {
    condition     = startswith(output.model_artifacts, "s3://${var.data_bucket}/models/")
    error_message = "model artifacts must be written under models/ of the data bucket"
  }
  assert {
    condition     = output.baseline == "s3://${var.data_bucket}/monitoring/baseline/"
    error_message = "baseline names the wrong place"
  }
  assert {
    condition     = can(regex("^arn:aws:kms:", output.kms_key_arn)) && can(regex("^vpc-", output.vpc_id))
    error_message = "kms_key_arn and vpc_id must name the live key and VPC"
  }
  assert {
    condition     = alltrue([for name, ids in output.controls : length(ids) > 0])
    error_message = "every resource must hold controls: ${jsonencode(output.controls)}"
  }
  assert {
    condition     = alltrue([for name, states in output.control_states : !contains(values(states), "failed")])
    error_message = "no control may fail: ${jsonencode(output.control_states)}"
  }
  assert {
    condition     = length(output.alarms.endpoint) > 0 && length(output.alarms.audit_trail) > 0
    error_message = "the endpoint and the audit trail must have alarms"
  }
  assert {
    condition     = jsondecode(output.organization_scp).Version == "2012-10-17"
    error_message = "organization_scp must be a policy document"
  }
}
