# A monitor on the Scheduler engine is imported by its name; one on SageMaker
# Model Monitor by model_monitor/<name>. Features, threshold and alarm actions
# are read back from its alarms.
terraform import sagesafe_model_monitor.churn churn-drift
terraform import sagesafe_model_monitor.churn model_monitor/churn-drift
