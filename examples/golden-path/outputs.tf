output "endpoint_name" {
  description = "The serving endpoint."
  value       = module.golden_path.endpoint_name
}

output "endpoint_invoke_policy" {
  description = "Attach to callers: InvokeEndpoint on this endpoint only, only through the private endpoint."
  value       = module.golden_path.endpoint_invoke_policy
}

output "model_artifacts" {
  description = "What the training job produced and the endpoint serves."
  value       = module.golden_path.model_artifacts
}

output "baseline" {
  description = "Where the drift baseline (statistics.json, constraints.json) was written."
  value       = module.golden_path.baseline
}

output "subnet_ids" {
  description = "The private subnets."
  value       = module.golden_path.subnet_ids
}

output "alarms" {
  description = "Every alarm the stack created, by workload."
  value       = module.golden_path.alarms
}

output "controls" {
  description = "The controls each resource reports as held (checked on its live objects, no finding); control_states has the others."
  value       = module.golden_path.controls
}

output "control_states" {
  description = "The state of every control of each resource: held, warned, failed, or not_checked with the reason."
  value       = module.golden_path.control_states
}

output "organization_scp" {
  description = "Deny-only policy enforcing the guardrails at the API layer. Attach it as an SCP; as a permissions boundary (an allow-list cap) it would remove every permission."
  value       = module.golden_path.organization_scp
}
