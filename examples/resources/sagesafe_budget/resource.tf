# Once per account: cap SageMaker spending at 2,000 USD a month. The provider's
# first alarm_actions topic is told when spending passes 80% of the limit and
# when the month's forecast passes the limit (the defaults). The topic must let
# AWS Budgets publish to it: a statement allowing budgets.amazonaws.com
# SNS:Publish with aws:SourceAccount = this account (SNS's default topic policy
# does not); otherwise the budget is refused (SS-COST-1). The budget counts
# SageMaker's gross unblended cost (Metrics = UnblendedCost, credits and refunds
# filtered out), so credits cannot hide spending; cost_types shows it.
resource "sagesafe_budget" "sagemaker" {
  name      = "sagemaker-monthly"
  limit_usd = 2000
}

# Other thresholds, to a FinOps topic (with the same policy). ACTUAL thresholds
# are at most 100%, FORECASTED at most 200%.
resource "sagesafe_budget" "research" {
  name      = "sagemaker-research"
  limit_usd = 500
  topic_arn = "arn:aws:sns:us-east-1:123456789012:finops-alerts"
  notifications = [
    { type = "ACTUAL", threshold_percent = 50 },
    { type = "ACTUAL", threshold_percent = 100 },
    { type = "FORECASTED", threshold_percent = 120 },
  ]
  tags = {
    team = "research"
  }
}
