# A processing job is imported by its name. A job created without network
# isolation, inter-container encryption or the customer's key is replaced by
# the next apply: SageMaker cannot change a job.
terraform import sagesafe_processing_job.baseline churn-baseline-20260105093000abcd
