# A training job is imported by its name. SageMaker does not return every
# input of every job (the environment, for example, may be missing), so
# check the first plan after an import. A job created without network
# isolation, inter-container encryption or the volume key is replaced by the
# next apply: SageMaker cannot change a job.
terraform import sagesafe_training_job.churn churn-20260105093000abcd
