# Import by endpoint name. The serving model and configuration, the alarms
# and the log group are adopted by name; the next plan shows anything that
# differs from the configuration, including every weakened security setting.
terraform import sagesafe_endpoint.churn churn
