# The permissions of the CI role that plans, applies and destroys the
# golden path: nothing more than the provider calls for these types.
data "sagesafe_deployer_policy" "ci" {
  resource_types = [
    "sagesafe_kms_key",
    "sagesafe_network",
    "sagesafe_execution_role",
    "sagesafe_training_job",
    "sagesafe_endpoint",
  ]

  # Every name in the stack starts with "churn-": roles and SageMaker
  # objects are granted under that prefix only.
  name_prefix = "churn-"

  # The roles the pipeline may hand to SageMaker (iam:PassRole, limited by
  # iam:PassedToService). Without it: the roles named churn-*.
  pass_role_arns = [
    "arn:aws:iam::123456789012:role/churn-training",
    "arn:aws:iam::123456789012:role/churn-inference",
    "arn:aws:iam::123456789012:role/churn-flow-logs-eu-west-1",
  ]

  # Every role the pipeline makes or changes must carry this boundary, and
  # the pipeline can neither remove it nor edit the policy. Without it the
  # pipeline could make a churn-* role that trusts itself and grants "*".
  # The sagesafe provider's guardrails.role_permissions_boundary_arn must
  # name the same policy, so that sagesafe sets it on every role it makes.
  permissions_boundary_arn = "arn:aws:iam::123456789012:policy/churn-role-boundary"
}

# One managed policy per 6,144-character part, all attached to the CI role.
resource "aws_iam_policy" "deployer" {
  count  = length(data.sagesafe_deployer_policy.ci.managed_policies_json)
  name   = "churn-deployer-${count.index}"
  policy = data.sagesafe_deployer_policy.ci.managed_policies_json[count.index]
}

resource "aws_iam_role_policy_attachment" "deployer" {
  count      = length(aws_iam_policy.deployer)
  role       = "churn-ci"
  policy_arn = aws_iam_policy.deployer[count.index].arn
}
