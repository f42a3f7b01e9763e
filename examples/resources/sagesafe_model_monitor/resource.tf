# Drift monitoring of an endpoint's captured data. The endpoint must capture
# its requests to an s3:// location under a KMS key (SS-MON-7); the monitor
# is refused before anything is created otherwise.
resource "sagesafe_model_monitor" "churn" {
  name          = "churn-drift"
  endpoint_name = "churn"

  # Every account: EventBridge Scheduler starts one processing job per
  # period. engine = "model_monitor" uses a SageMaker Model Monitor schedule
  # instead, where the account still has Model Monitor (cron schedules only).
  engine              = "scheduled_processing_job"
  schedule_expression = "rate(1 hour)"
  # Trusted only by scheduler.amazonaws.com; may only
  # sagemaker:CreateProcessingJob, sagemaker:AddTags and iam:PassRole of
  # role_arn.
  scheduler_role_arn = "arn:aws:iam::123456789012:role/churn-monitor-scheduler"

  # The execution role every run has (a sagesafe_execution_role).
  role_arn = "arn:aws:iam::123456789012:role/churn-processing"
  # With this engine a run is network isolated and cannot call CloudWatch:
  # the image must print, per feature, one JSON line such as
  #   {"sagesafe_monitor":"churn-drift","endpoint":"churn","feature":"age","baseline_drift":0.04,"data":5210}
  # (names from the environment variables sagemaker_monitoring_schedule_name
  # and sagemaker_endpoint_name), which sagesafe's metric filters on
  # /aws/sagemaker/ProcessingJobs turn into the metrics the alarms watch.
  # SageMaker's analyzer does not print it: use a thin wrapper image that runs
  # the analyzer and prints the lines from what it wrote. Pinned by digest.
  image               = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/model-monitor-analyzer-lines@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
  instance_type       = "ml.m5.xlarge"
  kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  max_runtime_seconds = 1800
  vpc = {
    subnet_ids         = ["subnet-0123456789abcdef0"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }

  # The baseline a sagesafe_processing_job suggested.
  baseline_constraints_uri = "s3://ml-models/churn/baseline/constraints.json"
  baseline_statistics_uri  = "s3://ml-models/churn/baseline/statistics.json"
  output_s3_uri            = "s3://ml-models/churn/monitoring/"

  # One drift alarm per feature; the first also carries the "silent" alarm
  # that fires when no run publishes metrics for two periods.
  features        = ["age", "tenure_months", "monthly_charges"]
  drift_threshold = 0.1
  alarm_actions   = ["arn:aws:sns:eu-west-1:123456789012:ml-oncall"]

  # Optional, where ground truth is given: each run also reads the labels
  # (at /opt/ml/processing/groundtruth, problem_type and the metric in its
  # environment) and prints one more line,
  #   {"sagesafe_monitor":"churn-drift","endpoint":"churn","quality_metric":"auc","value":0.87}
  # and the "quality" alarm fires when auc falls below 0.8 (an error metric
  # such as rmse fires above its threshold).
  model_quality = {
    ground_truth_s3_uri = "s3://ml-models/churn/ground-truth/"
    problem_type        = "BinaryClassification"
    metric              = "auc"
    threshold           = 0.8
    inference_attribute = "churned"
  }

  tags = {
    team = "ml"
  }
}
