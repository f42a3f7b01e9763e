# Import a key by its key ID or key ARN (not an alias). Administrators, users
# and the CloudWatch Logs grant are read back from the key policy.
terraform import sagesafe_kms_key.ml 1234abcd-12ab-34cd-56ef-1234567890ab
