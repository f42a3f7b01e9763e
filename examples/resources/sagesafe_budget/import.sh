# Import a budget by its name. The refresh reads its limit, notifications and
# topic; the first plan shows whatever differs from the configuration, and the
# apply restores it (a budget filtered to other services is put back to
# SageMaker only).
terraform import sagesafe_budget.sagemaker sagemaker-monthly
