output "secure_compliant" {
  description = "True when sagesafe would accept the secure inputs."
  value       = data.sagesafe_preflight.secure.compliant
}

output "secure_findings" {
  description = "Findings for the secure inputs (expected: none)."
  value       = data.sagesafe_preflight.secure.findings
}

output "secure_subnets" {
  description = "Per-subnet privacy verdicts."
  value       = data.sagesafe_preflight.secure.subnets
}

output "insecure_compliant" {
  description = "Whether sagesafe would accept the insecure inputs (expected: false)."
  value       = one(data.sagesafe_preflight.insecure[*].compliant)
}

output "insecure_findings" {
  description = "Findings for the insecure inputs, each with its control ID and fix."
  value       = one(data.sagesafe_preflight.insecure[*].findings)
}
