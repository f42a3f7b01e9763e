# Import a persona role by its name (or its ARN). The persona and the inputs
# are read back from the role's sagesafe-persona and trust policies; account
# IDs in account_principals come back as arn:<partition>:iam::<id>:root, and
# S3 locations in the normalized form s3://bucket/prefix/.
terraform import sagesafe_persona_role.data_scientists data-scientists
