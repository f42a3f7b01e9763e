# Import an execution role by its name (or its ARN). The inputs are read back
# from the role's sagesafe-execution policy; S3 locations come back in the
# normalized form s3://bucket/prefix/.
terraform import sagesafe_execution_role.training churn-training
