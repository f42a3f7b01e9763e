output "endpoint_name" {
  description = "The serving endpoint."
  value       = sagesafe_endpoint.model.name
}

output "endpoint_invoke_policy" {
  description = "Attach to callers: InvokeEndpoint on this endpoint only, only through the private endpoint."
  value       = sagesafe_endpoint.model.invoke_policy_json
}

output "model_artifacts" {
  description = "What the training job produced and the endpoint serves."
  value       = sagesafe_training_job.model.model_artifacts_s3_uri
}

output "baseline" {
  description = "Where the drift baseline (statistics.json, constraints.json) was written."
  value       = "s3://${var.data_bucket}/monitoring/baseline/"
}

output "subnet_ids" {
  description = "The private subnets."
  value       = sagesafe_network.ml.subnet_ids
}

output "alarms" {
  description = "Every alarm the stack created, by workload."
  value = {
    endpoint     = sagesafe_endpoint.model.alarm_names
    training_job = sagesafe_training_job.model.alarm_names
    baseline_job = sagesafe_processing_job.baseline.alarm_names
    drift        = sagesafe_model_monitor.drift.alarm_names
    audit_trail  = sagesafe_audit_trail.ml.alarm_names
  }
}

output "controls" {
  description = "The controls each resource reports as held (checked on its live objects, no finding); control_states has the others."
  value = {
    kms_key         = sagesafe_kms_key.ml.controls
    network         = sagesafe_network.ml.controls
    training_role   = sagesafe_execution_role.training.controls
    inference_role  = sagesafe_execution_role.inference.controls
    data_scientists = sagesafe_persona_role.data_scientists.controls
    model_reviewers = sagesafe_persona_role.model_reviewers.controls
    processing_role = sagesafe_execution_role.processing.controls
    training_job    = sagesafe_training_job.model.controls
    baseline_job    = sagesafe_processing_job.baseline.controls
    budget          = sagesafe_budget.sagemaker.controls
    drift_monitor   = sagesafe_model_monitor.drift.controls
    endpoint        = sagesafe_endpoint.model.controls
  }
}

output "control_states" {
  description = "The state of every control of each resource: held, warned, failed, or not_checked with the reason."
  value = {
    kms_key         = sagesafe_kms_key.ml.control_states
    network         = sagesafe_network.ml.control_states
    training_role   = sagesafe_execution_role.training.control_states
    inference_role  = sagesafe_execution_role.inference.control_states
    data_scientists = sagesafe_persona_role.data_scientists.control_states
    model_reviewers = sagesafe_persona_role.model_reviewers.control_states
    processing_role = sagesafe_execution_role.processing.control_states
    training_job    = sagesafe_training_job.model.control_states
    baseline_job    = sagesafe_processing_job.baseline.control_states
    budget          = sagesafe_budget.sagemaker.control_states
    drift_monitor   = sagesafe_model_monitor.drift.control_states
    endpoint        = sagesafe_endpoint.model.control_states
  }
}

output "organization_scp" {
  description = "Deny-only policy enforcing the guardrails at the API layer. Attach it as an SCP; as a permissions boundary (an allow-list cap) it would remove every permission."
  value       = data.sagesafe_guardrail_policy.org.json
}

output "kms_key_arn" {
  description = "The stack's customer-managed key (volumes, artifacts, data capture, logs); give it to other workloads of the stack."
  value       = sagesafe_kms_key.ml.arn
}

output "vpc_id" {
  description = "The private ML network."
  value       = sagesafe_network.ml.vpc_id
}

output "workload_security_group_id" {
  description = "The security group jobs and endpoints of the stack run in."
  value       = sagesafe_network.ml.workload_security_group_id
}

output "execution_role_arns" {
  description = "The execution roles SageMaker assumes, by purpose."
  value = {
    training   = sagesafe_execution_role.training.arn
    inference  = sagesafe_execution_role.inference.arn
    processing = sagesafe_execution_role.processing.arn
  }
}

output "persona_role_arns" {
  description = "The roles people assume (with MFA), by persona."
  value = {
    data_scientists = sagesafe_persona_role.data_scientists.arn
    model_reviewers = sagesafe_persona_role.model_reviewers.arn
  }
}
