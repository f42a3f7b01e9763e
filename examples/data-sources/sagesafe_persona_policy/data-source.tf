# The policies sagesafe_persona_role would create for a data scientist, for a
# role you manage with hashicorp/aws or an IAM Identity Center permission set.
data "sagesafe_persona_policy" "data_scientist" {
  persona = "data_scientist"

  # Who may assume the role: people of this account, with MFA.
  account_principals = ["123456789012"]

  # Every job, model or endpoint config the role creates must use these.
  subnet_ids          = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
  security_group_ids  = ["sg-0123456789abcdef0"]
  kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  execution_role_arns = ["arn:aws:iam::123456789012:role/churn-training"]

  s3_read_uris  = ["s3://ml-data/churn/"]
  s3_write_uris = ["s3://ml-artifacts/churn/"]
}

resource "aws_iam_role" "data_scientist" {
  name               = "data-scientist"
  assume_role_policy = data.sagesafe_persona_policy.data_scientist.trust_policy_json
}

resource "aws_iam_role_policy" "data_scientist" {
  role   = aws_iam_role.data_scientist.id
  name   = "sagesafe-persona"
  policy = data.sagesafe_persona_policy.data_scientist.policy_json
}

# The same permissions for people who sign in through IAM Identity Center
# (Identity Center writes the role's trust itself).
resource "aws_ssoadmin_permission_set_inline_policy" "data_scientist" {
  instance_arn       = "arn:aws:sso:::instance/ssoins-0123456789abcdef"
  permission_set_arn = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef"
  inline_policy      = data.sagesafe_persona_policy.data_scientist.policy_json
}
