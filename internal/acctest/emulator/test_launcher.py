"""Self-test for launcher.py: starts it on a free port and drives it with boto3.

    cd internal/acctest/emulator && python3 -m unittest test_launcher -v
    python3 internal/acctest/emulator/test_launcher.py

Periods are kept around a second so the whole file runs in well under 60 s.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import uuid

import boto3
import botocore.exceptions
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
ROLE = "arn:aws:iam::123456789012:role/sagemaker"

_proc: subprocess.Popen | None = None
_tmp: tempfile.TemporaryDirectory | None = None
_log = None
URL = ""


def setUpModule() -> None:
    global _proc, _tmp, _log, URL
    _tmp = tempfile.TemporaryDirectory()
    port_file = os.path.join(_tmp.name, "port")
    log = _log = open(os.path.join(_tmp.name, "launcher.log"), "w")
    _proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "launcher.py"), "--port", "0", "--port-file", port_file],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 30
    while not os.path.exists(port_file):
        if _proc.poll() is not None or time.time() > deadline:
            log.close()
            raise RuntimeError("launcher did not start:\n" + open(log.name).read())
        time.sleep(0.05)
    with open(port_file) as f:
        URL = f"http://127.0.0.1:{f.read().strip()}"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


def tearDownModule() -> None:
    if _proc is not None:
        _proc.terminate()  # SIGTERM: the launcher must exit cleanly
        try:
            code = _proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _proc.kill()
            raise
        assert code == 0, f"launcher exited with {code}"
    if _log is not None:
        _log.close()
    if _tmp is not None:
        _tmp.cleanup()


def control(method: str, path: str, body: object | None = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def client(service: str):
    return boto3.client(service, endpoint_url=URL, region_name="us-east-1")


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wait_until(fn, timeout: float = 10.0, interval: float = 0.1):
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > deadline:
            return value
        time.sleep(interval)


class EmulatorTest(unittest.TestCase):
    def setUp(self) -> None:
        self.assertEqual(control("POST", "/_sagesafe/reset-behaviour")[0], 200)
        self.sm = client("sagemaker")

    def behave(self, **kwargs) -> None:
        status, body = control("POST", "/_sagesafe/behaviour", kwargs)
        self.assertEqual(status, 200, body)

    def model_and_configs(self, n: int = 2, **model_kwargs) -> tuple[str, list[str]]:
        model = uid("model")
        self.sm.create_model(
            ModelName=model,
            ExecutionRoleArn=ROLE,
            PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"},
            **model_kwargs,
        )
        configs = []
        for _ in range(n):
            name = uid("cfg")
            self.sm.create_endpoint_config(
                EndpointConfigName=name,
                ProductionVariants=[
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": model,
                        "InitialInstanceCount": 1,
                        "InstanceType": "ml.g5.xlarge",  # moto alone rejects g5
                    }
                ],
            )
            configs.append(name)
        return model, configs

    def describe(self, name: str) -> dict:
        return self.sm.describe_endpoint(EndpointName=name)

    # --- control API ------------------------------------------------------

    def test_control_api(self) -> None:
        status, health = control("GET", "/_sagesafe/health")
        self.assertEqual((status, health["status"]), (200, "ok"))
        self.assertIn("sagemaker:UpdateEndpoint (new)", health["patches"])
        self.behave(endpoint_updating_seconds=3, rollback_endpoints=["x-*"])
        status, got = control("GET", "/_sagesafe/behaviour")
        self.assertEqual(got["endpoint_updating_seconds"], 3)
        self.assertEqual(got["rollback_endpoints"], ["x-*"])
        self.assertEqual(got["endpoint_creating_seconds"], 0)  # omitted -> default
        self.assertEqual(control("POST", "/_sagesafe/behaviour", {"nope": 1})[0], 400)
        self.assertEqual(control("POST", "/_sagesafe/behaviour", {"fail_endpoints": ["x"]})[0], 400)
        self.assertEqual(control("POST", "/_sagesafe/behaviour", {"endpoint_creating_seconds": -1})[0], 400)
        self.assertEqual(control("GET", "/_sagesafe/reset-behaviour")[0], 405)
        self.assertEqual(control("GET", "/_sagesafe/nothing")[0], 404)
        status, got = control("POST", "/_sagesafe/reset-behaviour")
        self.assertEqual(got["endpoint_updating_seconds"], 0)

    def test_merge_behaviour_keeps_other_keys(self) -> None:
        self.behave(endpoint_updating_seconds=3)
        status, got = control("POST", "/_sagesafe/behaviour/merge", {"training_in_progress_seconds": 5})
        self.assertEqual(status, 200)
        self.assertEqual((got["endpoint_updating_seconds"], got["training_in_progress_seconds"]), (3, 5))
        status, got = control("POST", "/_sagesafe/behaviour/merge", {"endpoint_updating_seconds": None})
        self.assertEqual((got["endpoint_updating_seconds"], got["training_in_progress_seconds"]), (0, 5))
        self.assertEqual(control("POST", "/_sagesafe/behaviour/merge", {"nope": 1})[0], 400)
        self.assertEqual(control("GET", "/_sagesafe/behaviour/merge")[0], 405)
        control("POST", "/_sagesafe/reset-behaviour")

    def test_calls_counter(self) -> None:
        self.assertEqual(control("POST", "/_sagesafe/calls/reset")[0], 200)
        self.sm.list_endpoints()
        self.sm.list_endpoints()
        client("ec2").describe_vpcs()  # ec2 query protocol
        client("sts").get_caller_identity()  # query protocol
        client("logs").describe_log_groups()  # JSON, X-Amz-Target
        client("cloudwatch").describe_alarms()  # rpc-v2-cbor path
        s3 = client("s3")
        bucket = uid("bucket")
        s3.create_bucket(Bucket=bucket)  # REST
        # Same URI as the deprecated PutBucketLifecycle: the current name wins.
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
            {"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1}}]})
        with self.assertRaises(ClientError):
            s3.get_bucket_encryption(Bucket=uid("missing"))
        control("GET", "/_sagesafe/health")  # not counted
        _, calls = control("GET", "/_sagesafe/calls")
        self.assertEqual(calls.get("sagemaker:ListEndpoints"), 2, calls)
        for key in (
            "ec2:DescribeVpcs",
            "sts:GetCallerIdentity",
            "logs:DescribeLogGroups",
            "cloudwatch:DescribeAlarms",
            "s3:CreateBucket",
            "s3:PutBucketLifecycleConfiguration",
            "s3:GetBucketEncryption",
        ):
            self.assertEqual(calls.get(key), 1, (key, calls))
        self.assertFalse([k for k in calls if "sagesafe" in k], calls)
        control("POST", "/_sagesafe/calls/reset")
        self.assertEqual(control("GET", "/_sagesafe/calls")[1], {})

    def raw_ec2(self, body: str, invocation: str, attempt: int, **headers: str) -> tuple[int, str]:
        """POST an EC2 query request as one attempt of an SDK invocation."""
        req = urllib.request.Request(
            URL + "/",
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, "
                "SignedHeaders=host, Signature=x",
                "amz-sdk-invocation-id": invocation,
                "amz-sdk-request": f"attempt={attempt}; max=3",
                **headers,
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def test_retry_of_answered_request_is_replayed(self) -> None:
        vpc = client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        create = f"Action=CreateSecurityGroup&Version=2016-11-15&GroupName={uid('sg')}&GroupDescription=x&VpcId={vpc}"
        inv = str(uuid.uuid4())
        first = self.raw_ec2(create, inv, 1)
        self.assertEqual(first[0], 200, first)
        control("POST", "/_sagesafe/calls/reset")
        # The SDK lost the answer and retries: the same answer, no second create.
        self.assertEqual(self.raw_ec2(create, inv, 2), first)
        self.assertEqual(control("GET", "/_sagesafe/calls")[1].get("ec2:CreateSecurityGroup"), 1)
        groups = client("ec2").describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
        self.assertEqual(len(groups["SecurityGroups"]), 2)  # the default group and ours
        # A new invocation of the same request is a real second create.
        status, text = self.raw_ec2(create, str(uuid.uuid4()), 1)
        self.assertEqual(status, 400)
        self.assertIn("InvalidGroup.Duplicate", text)
        # A client that tests its own lost-answer handling opts out: its retry reaches moto.
        status, text = self.raw_ec2(create, inv, 3, **{"X-Sagesafe-Replay-Retries": "false"})
        self.assertIn("InvalidGroup.Duplicate", text)

    def test_retry_after_error_answer_is_not_replayed(self) -> None:
        inv = str(uuid.uuid4())
        missing = "Action=DeleteSecurityGroup&Version=2016-11-15&GroupId=sg-0000000000000dead"
        self.assertEqual(self.raw_ec2(missing, inv, 1)[0], 400)
        vpc = client("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        # Same invocation id, different request: the earlier 400 is not replayed.
        create = f"Action=CreateSecurityGroup&Version=2016-11-15&GroupName={uid('sg')}&GroupDescription=x&VpcId={vpc}"
        status, text = self.raw_ec2(create, inv, 2)
        self.assertEqual(status, 200, text)
        self.assertIn("<groupId>", text)

    # --- endpoints ----------------------------------------------------------

    def test_update_endpoint_switches_config_after_updating_period(self) -> None:
        _, (old, new) = self.model_and_configs()
        name = uid("ep")
        self.sm.create_endpoint(EndpointName=name, EndpointConfigName=old)
        self.assertEqual(self.describe(name)["EndpointStatus"], "InService")  # default: no delay
        self.behave(endpoint_updating_seconds=1.5)
        deployment = {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 60},
                "TerminationWaitInSeconds": 120,
            },
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "ep-errors"}]},
        }
        control("POST", "/_sagesafe/calls/reset")
        self.sm.update_endpoint(
            EndpointName=name,
            EndpointConfigName=new,
            RetainAllVariantProperties=True,
            DeploymentConfig=deployment,
        )
        d = self.describe(name)
        self.assertEqual(d["EndpointStatus"], "Updating")
        self.assertEqual(d["EndpointConfigName"], old)
        self.assertEqual(d["PendingDeploymentSummary"]["EndpointConfigName"], new)
        with self.assertRaisesRegex(ClientError, "in-progress"):
            self.sm.update_endpoint(EndpointName=name, EndpointConfigName=old)
        d = wait_until(lambda: (x := self.describe(name))["EndpointStatus"] != "Updating" and x)
        self.assertEqual(d["EndpointStatus"], "InService")
        self.assertEqual(d["EndpointConfigName"], new)
        self.assertNotIn("PendingDeploymentSummary", d)
        self.assertNotIn("FailureReason", d)
        self.assertEqual(d["LastDeploymentConfig"], deployment)
        _, updates = control("GET", "/_sagesafe/endpoint-updates")
        self.assertEqual(len(updates), 1)
        self.assertEqual(updates[0]["RetainAllVariantProperties"], True)
        self.assertEqual(updates[0]["PreviousEndpointConfigName"], old)
        self.assertEqual(updates[0]["DeploymentConfig"], deployment)

    def test_update_endpoint_errors(self) -> None:
        _, (cfg,) = self.model_and_configs(1)
        with self.assertRaisesRegex(ClientError, "Could not find endpoint"):
            self.sm.update_endpoint(EndpointName=uid("none"), EndpointConfigName=cfg)
        name = uid("ep")
        self.sm.create_endpoint(EndpointName=name, EndpointConfigName=cfg)
        with self.assertRaisesRegex(ClientError, "Could not find endpoint configuration"):
            self.sm.update_endpoint(EndpointName=name, EndpointConfigName=uid("none"))
        with self.assertRaisesRegex(ClientError, "already existing endpoint"):
            self.sm.create_endpoint(EndpointName=name, EndpointConfigName=cfg)

    def test_forced_rollback_keeps_old_config(self) -> None:
        _, (old, new) = self.model_and_configs()
        silent, loud = uid("rb-silent"), uid("rb-loud")
        for name in (silent, loud):
            self.sm.create_endpoint(EndpointName=name, EndpointConfigName=old)
        self.behave(
            endpoint_updating_seconds=1,
            rollback_endpoints=["rb-*"],
            rollback_failure_reasons={loud: "ping health check failed"},
        )
        for name in (silent, loud):
            self.sm.update_endpoint(EndpointName=name, EndpointConfigName=new)
            self.assertEqual(self.describe(name)["EndpointStatus"], "Updating")
        time.sleep(1.1)
        d = self.describe(silent)
        self.assertEqual((d["EndpointStatus"], d["EndpointConfigName"]), ("InService", old))
        self.assertNotIn("FailureReason", d)
        d = self.describe(loud)
        self.assertEqual((d["EndpointStatus"], d["EndpointConfigName"]), ("InService", old))
        self.assertEqual(d["FailureReason"], "ping health check failed")

    def test_create_endpoint_creating_then_failed(self) -> None:
        _, (cfg,) = self.model_and_configs(1)
        good, bad = uid("ok"), uid("bad")
        self.behave(endpoint_creating_seconds=1, fail_endpoints={bad: "capacity error"})
        self.sm.create_endpoint(EndpointName=good, EndpointConfigName=cfg)
        self.sm.create_endpoint(EndpointName=bad, EndpointConfigName=cfg)
        for name in (good, bad):
            d = self.describe(name)
            self.assertEqual(d["EndpointStatus"], "Creating")
            self.assertEqual(d["PendingDeploymentSummary"]["EndpointConfigName"], cfg)
        statuses = {e["EndpointName"]: e["EndpointStatus"] for e in self.sm.list_endpoints()["Endpoints"]}
        self.assertEqual(statuses[bad], "Creating")
        time.sleep(1.1)
        self.assertEqual(self.describe(good)["EndpointStatus"], "InService")
        d = self.describe(bad)
        self.assertEqual((d["EndpointStatus"], d["FailureReason"]), ("Failed", "capacity error"))
        with self.assertRaisesRegex(ClientError, "failed endpoint"):
            self.sm.update_endpoint(EndpointName=bad, EndpointConfigName=cfg)
        self.sm.delete_endpoint(EndpointName=bad)

    def test_immediate_failure_without_delay(self) -> None:
        _, (cfg,) = self.model_and_configs(1)
        name = uid("bad")
        self.behave(fail_endpoints={name: "boom"})
        self.sm.create_endpoint(EndpointName=name, EndpointConfigName=cfg)
        self.assertEqual(self.describe(name)["EndpointStatus"], "Failed")

    # --- models, configs, tags -----------------------------------------------

    def test_model_network_isolation_and_duplicates(self) -> None:
        iso, _ = self.model_and_configs(0, EnableNetworkIsolation=True)
        plain, _ = self.model_and_configs(0)
        self.assertIs(self.sm.describe_model(ModelName=iso)["EnableNetworkIsolation"], True)
        self.assertIs(self.sm.describe_model(ModelName=plain)["EnableNetworkIsolation"], False)
        with self.assertRaisesRegex(ClientError, "already existing model"):
            self.sm.create_model(ModelName=iso, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "y"})
        self.assertIs(self.sm.describe_model(ModelName=iso)["EnableNetworkIsolation"], True)

    def test_endpoint_config_duplicates_and_instance_types(self) -> None:
        model, (cfg,) = self.model_and_configs(1)
        variant = {"VariantName": "v", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
        with self.assertRaisesRegex(ClientError, "already existing endpoint configuration"):
            self.sm.create_endpoint_config(EndpointConfigName=cfg, ProductionVariants=[variant])
        with self.assertRaisesRegex(ClientError, "instanceType"):
            self.sm.create_endpoint_config(
                EndpointConfigName=uid("cfg"), ProductionVariants=[dict(variant, InstanceType="ml.bogus.huge")]
            )

    def test_add_tags_overwrites(self) -> None:
        _, (cfg,) = self.model_and_configs(1)
        name = uid("ep")
        arn = self.sm.create_endpoint(EndpointName=name, EndpointConfigName=cfg, Tags=[{"Key": "a", "Value": "1"}])[
            "EndpointArn"
        ]
        self.sm.add_tags(ResourceArn=arn, Tags=[{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}])
        tags = sorted((t["Key"], t["Value"]) for t in self.sm.list_tags(ResourceArn=arn)["Tags"])
        self.assertEqual(tags, [("a", "2"), ("b", "3")])

    # --- training jobs --------------------------------------------------------

    def create_job(self, name: str, **extra) -> None:
        self.sm.create_training_job(
            TrainingJobName=name,
            AlgorithmSpecification={"TrainingImage": "img:1", "TrainingInputMode": "File"},
            RoleArn=ROLE,
            OutputDataConfig={"S3OutputPath": "s3://bucket/out"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
            **extra,
        )

    def job(self, name: str) -> dict:
        return self.sm.describe_training_job(TrainingJobName=name)

    def test_training_in_progress_then_completed(self) -> None:
        name = uid("job")
        self.behave(training_in_progress_seconds=1.2)
        self.create_job(name, EnableNetworkIsolation=True)
        d = self.job(name)
        self.assertEqual((d["TrainingJobStatus"], d["SecondaryStatus"]), ("InProgress", "Starting"))
        self.assertNotIn("TrainingEndTime", d)
        self.assertNotIn("TrainingTimeInSeconds", d)
        self.assertNotIn("MetricDefinitions", d["AlgorithmSpecification"])  # moto injects one
        self.assertIs(d["EnableNetworkIsolation"], True)
        with self.assertRaisesRegex(ClientError, "ResourceInUse"):
            self.create_job(name)
        time.sleep(1.3)
        d = self.job(name)
        self.assertEqual((d["TrainingJobStatus"], d["SecondaryStatus"]), ("Completed", "Completed"))
        self.assertIn("TrainingEndTime", d)
        self.assertGreaterEqual(d["TrainingTimeInSeconds"], 2)  # 1.2 s or more, rounded up
        self.assertEqual(d["BillableTimeInSeconds"], d["TrainingTimeInSeconds"])
        self.behave()
        quick = uid("job")
        self.create_job(quick)
        self.assertEqual(self.job(quick)["TrainingTimeInSeconds"], 1)  # ended at once: at least 1
        with self.assertRaisesRegex(ClientError, "status Completed"):
            self.sm.stop_training_job(TrainingJobName=name)

    def test_stop_training_job(self) -> None:
        name = uid("job")
        self.behave(training_in_progress_seconds=30, training_stopping_seconds=1)
        self.create_job(name)
        self.assertEqual(self.job(name)["TrainingJobStatus"], "InProgress")
        self.sm.stop_training_job(TrainingJobName=name)
        d = self.job(name)
        self.assertEqual((d["TrainingJobStatus"], d["SecondaryStatus"]), ("Stopping", "Stopping"))
        time.sleep(1.1)
        d = self.job(name)
        self.assertEqual((d["TrainingJobStatus"], d["SecondaryStatus"]), ("Stopped", "Stopped"))
        listed = {j["TrainingJobName"]: j["TrainingJobStatus"] for j in self.sm.list_training_jobs()["TrainingJobSummaries"]}
        self.assertEqual(listed[name], "Stopped")
        with self.assertRaises(ClientError) as ctx:
            self.sm.stop_training_job(TrainingJobName=uid("missing"))
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFound")

    def test_training_forced_failure(self) -> None:
        name = uid("fail-job")
        self.behave(training_in_progress_seconds=0.5, fail_training_jobs={"fail-job-*": "AlgorithmError: boom"})
        self.create_job(name)
        self.assertEqual(self.job(name)["TrainingJobStatus"], "InProgress")
        time.sleep(0.6)
        d = self.job(name)
        self.assertEqual((d["TrainingJobStatus"], d["FailureReason"]), ("Failed", "AlgorithmError: boom"))

    # --- processing jobs ------------------------------------------------------

    def create_processing_job(self, name: str) -> None:
        self.sm.create_processing_job(
            ProcessingJobName=name,
            AppSpecification={"ImageUri": "img:1"},
            RoleArn=ROLE,
            ProcessingResources={
                "ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10, "VolumeKmsKeyId": "key-1"}
            },
            Environment={"MODE": "baseline"},
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
        )

    def test_processing_job_kept_in_progress_and_stopped(self) -> None:
        name = uid("proc")
        self.behave(processing_in_progress_by_name={"proc-*": 30}, processing_stopping_seconds=0.5)
        self.create_processing_job(name)
        d = self.sm.describe_processing_job(ProcessingJobName=name)
        self.assertEqual(d["ProcessingJobStatus"], "InProgress")
        self.assertNotIn("ProcessingEndTime", d)
        self.assertEqual(d["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"], "key-1")  # moto drops it
        self.assertEqual(d["Environment"], {"MODE": "baseline"})
        with self.assertRaisesRegex(ClientError, "ResourceInUse"):
            self.create_processing_job(name)
        self.sm.stop_processing_job(ProcessingJobName=name)
        self.assertEqual(self.sm.describe_processing_job(ProcessingJobName=name)["ProcessingJobStatus"], "Stopping")
        time.sleep(0.6)
        d = self.sm.describe_processing_job(ProcessingJobName=name)
        self.assertEqual(d["ProcessingJobStatus"], "Stopped")
        self.assertIn("ProcessingEndTime", d)
        with self.assertRaisesRegex(ClientError, "status Stopped"):
            self.sm.stop_processing_job(ProcessingJobName=name)
        with self.assertRaises(ClientError) as ctx:
            self.sm.stop_processing_job(ProcessingJobName=uid("missing"))
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFound")

    def test_processing_job_completes_at_once_by_default(self) -> None:
        name = uid("quick")
        self.create_processing_job(name)
        d = self.sm.describe_processing_job(ProcessingJobName=name)
        self.assertEqual(d["ProcessingJobStatus"], "Completed")
        self.assertEqual(d["ProcessingResources"]["ClusterConfig"]["InstanceCount"], 1)

    # --- monitoring schedules and the scheduler --------------------------------

    def monitoring_config(self, image: str = "img:1") -> dict:
        return {
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringType": "DataQuality",
            "MonitoringJobDefinition": {
                "MonitoringInputs": [{"EndpointInput": {"EndpointName": "ep-1", "LocalPath": "/opt/ml/processing/input/endpoint"}}],
                "MonitoringOutputConfig": {
                    "KmsKeyId": "key-1",
                    "MonitoringOutputs": [{"S3Output": {"S3Uri": "s3://b/out", "LocalPath": "/opt/ml/processing/resultdata"}}],
                },
                "MonitoringResources": {
                    "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30, "VolumeKmsKeyId": "key-1"}
                },
                "MonitoringAppSpecification": {"ImageUri": image},
                "NetworkConfig": {"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True},
                "RoleArn": ROLE,
                "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
            },
        }

    def test_monitoring_schedule_lifecycle(self) -> None:
        name = uid("mon")
        self.behave(monitoring_pending_seconds=3)
        arn = self.sm.create_monitoring_schedule(
            MonitoringScheduleName=name, MonitoringScheduleConfig=self.monitoring_config(), Tags=[{"Key": "k", "Value": "v"}]
        )["MonitoringScheduleArn"]
        d = self.sm.describe_monitoring_schedule(MonitoringScheduleName=name)
        self.assertEqual(d["MonitoringScheduleStatus"], "Pending")
        self.assertEqual(d["MonitoringScheduleConfig"], self.monitoring_config())  # kept as given
        self.assertEqual(d["EndpointName"], "ep-1")
        time.sleep(3.1)
        self.assertEqual(self.sm.describe_monitoring_schedule(MonitoringScheduleName=name)["MonitoringScheduleStatus"], "Scheduled")
        with self.assertRaises(ClientError) as ctx:
            self.sm.create_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig=self.monitoring_config())
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceInUse")
        self.assertEqual(self.sm.list_tags(ResourceArn=arn)["Tags"], [{"Key": "k", "Value": "v"}])
        self.sm.add_tags(ResourceArn=arn, Tags=[{"Key": "k", "Value": "w"}])
        self.assertEqual(self.sm.list_tags(ResourceArn=arn)["Tags"], [{"Key": "k", "Value": "w"}])
        self.sm.update_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig=self.monitoring_config("img:2"))
        d = self.sm.describe_monitoring_schedule(MonitoringScheduleName=name)
        self.assertEqual(d["MonitoringScheduleStatus"], "Pending")
        self.assertEqual(d["MonitoringScheduleConfig"]["MonitoringJobDefinition"]["MonitoringAppSpecification"]["ImageUri"], "img:2")
        self.sm.stop_monitoring_schedule(MonitoringScheduleName=name)
        self.assertEqual(self.sm.describe_monitoring_schedule(MonitoringScheduleName=name)["MonitoringScheduleStatus"], "Stopped")
        self.sm.update_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig=self.monitoring_config())
        self.assertEqual(self.sm.describe_monitoring_schedule(MonitoringScheduleName=name)["MonitoringScheduleStatus"], "Stopped")
        self.sm.start_monitoring_schedule(MonitoringScheduleName=name)
        self.assertEqual(self.sm.describe_monitoring_schedule(MonitoringScheduleName=name)["MonitoringScheduleStatus"], "Scheduled")
        names = [x["MonitoringScheduleName"] for x in self.sm.list_monitoring_schedules(NameContains=name)["MonitoringScheduleSummaries"]]
        self.assertEqual(names, [name])
        self.sm.delete_monitoring_schedule(MonitoringScheduleName=name)
        for call in (self.sm.delete_monitoring_schedule, self.sm.describe_monitoring_schedule):
            with self.assertRaises(ClientError) as ctx:
                call(MonitoringScheduleName=name)
            self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFound")

    def test_scheduler_keeps_what_drift_checks_read(self) -> None:
        """moto's scheduler backend is used as it is: it keeps the target's
        input and role, the flexible window, state and description, and
        answers a duplicate and a missing schedule with the right codes."""
        sch = client("scheduler")
        name = uid("sched")
        target = {"Arn": "arn:aws:scheduler:::aws-sdk:sagemaker:createProcessingJob", "RoleArn": ROLE, "Input": '{"A":1}'}
        sch.create_schedule(Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"}, Target=target,
                            Description="d token=1", State="ENABLED", ClientToken="t1")
        got = sch.get_schedule(Name=name)
        self.assertEqual((got["Target"]["Input"], got["Target"]["RoleArn"]), ('{"A":1}', ROLE))
        self.assertEqual((got["FlexibleTimeWindow"], got["State"], got["Description"]), ({"Mode": "OFF"}, "ENABLED", "d token=1"))
        with self.assertRaises(ClientError) as ctx:
            sch.create_schedule(Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"}, Target=target)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ConflictException")
        sch.delete_schedule(Name=name)
        with self.assertRaises(ClientError) as ctx:
            sch.get_schedule(Name=name)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFoundException")

    # --- logs and kms ---------------------------------------------------------

    def test_associate_kms_key(self) -> None:
        logs, kms = client("logs"), client("kms")
        key = kms.create_key()["KeyMetadata"]["Arn"]
        group = "/sagesafe/" + uid("lg")
        logs.create_log_group(logGroupName=group)

        def kms_of() -> str | None:
            (g,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
            return g.get("kmsKeyId")

        self.assertIsNone(kms_of())
        logs.associate_kms_key(logGroupName=group, kmsKeyId=key)
        self.assertEqual(kms_of(), key)
        logs.disassociate_kms_key(logGroupName=group)
        self.assertIsNone(kms_of())
        arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{group}"
        logs.associate_kms_key(resourceIdentifier=arn, kmsKeyId=key)
        self.assertEqual(kms_of(), key)
        with self.assertRaises(ClientError) as ctx:
            logs.associate_kms_key(logGroupName=group + "-missing", kmsKeyId=key)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFoundException")

    def test_tls_only_bucket_policy_admits_the_emulators_requests(self) -> None:
        s3 = client("s3")
        bucket = uid("tls-only")
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k"}]})
        self.assertFalse(out.get("Errors"), out)
        # Other denials still hold.
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
        with self.assertRaises(ClientError):
            s3.put_object(Bucket=bucket, Key="k", Body=b"x")

    def test_create_trail_name_in_use(self) -> None:
        s3, ct = client("s3"), client("cloudtrail")
        bucket, name = uid("trail-bucket"), uid("trail")
        s3.create_bucket(Bucket=bucket)
        ct.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True)
        with self.assertRaises(ClientError) as ctx:
            ct.create_trail(Name=name, S3BucketName=bucket)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "TrailAlreadyExistsException")
        # The first trail's settings stay (moto alone would replace them).
        self.assertTrue(ct.get_trail(Name=name)["Trail"]["IsMultiRegionTrail"])
        ct.delete_trail(Name=name)

    def test_update_budget_and_subscribers(self) -> None:
        b = client("budgets")
        name = uid("budget")
        spec = {"BudgetName": name, "BudgetType": "COST", "TimeUnit": "MONTHLY",
                "BudgetLimit": {"Amount": "100", "Unit": "USD"},
                "CostFilters": {"Service": ["Amazon SageMaker"]}}
        note = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80.0, "ThresholdType": "PERCENTAGE"}
        subs = [{"SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:123456789012:ops"}]
        b.create_budget(AccountId="123456789012", Budget=spec,
                        NotificationsWithSubscribers=[{"Notification": note, "Subscribers": subs}])
        b.update_budget(AccountId="123456789012", NewBudget=dict(spec, BudgetLimit={"Amount": "250", "Unit": "USD"}))
        got = b.describe_budget(AccountId="123456789012", BudgetName=name)["Budget"]
        self.assertEqual(float(got["BudgetLimit"]["Amount"]), 250.0)
        self.assertEqual(got["CostFilters"], {"Service": ["Amazon SageMaker"]})
        self.assertEqual(len(b.describe_notifications_for_budget(AccountId="123456789012", BudgetName=name)["Notifications"]), 1)
        got_subs = b.describe_subscribers_for_notification(AccountId="123456789012", BudgetName=name, Notification=note)["Subscribers"]
        self.assertEqual(got_subs, subs)
        with self.assertRaises(ClientError) as ctx:
            b.update_budget(AccountId="123456789012", NewBudget=dict(spec, BudgetName=uid("missing")))
        self.assertEqual(ctx.exception.response["Error"]["Code"], "NotFoundException")
        # A second create of the same notification is refused, as by AWS.
        with self.assertRaises(ClientError) as ctx:
            b.create_notification(AccountId="123456789012", BudgetName=name, Notification=note, Subscribers=subs)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "DuplicateRecordException")
        self.assertEqual(len(b.describe_notifications_for_budget(AccountId="123456789012", BudgetName=name)["Notifications"]), 1)
        b.delete_budget(AccountId="123456789012", BudgetName=name)

    def test_budget_filter_expression(self) -> None:
        # moto keeps FilterExpression as sent, through CreateBudget and UpdateBudget.
        b = client("budgets")
        name = uid("budget")
        expr = {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon SageMaker"]}}
        spec = {"BudgetName": name, "BudgetType": "COST", "TimeUnit": "MONTHLY",
                "BudgetLimit": {"Amount": "100", "Unit": "USD"}, "FilterExpression": expr, "Metrics": ["UnblendedCost"]}
        b.create_budget(AccountId="123456789012", Budget=spec)
        self.assertEqual(b.describe_budget(AccountId="123456789012", BudgetName=name)["Budget"]["FilterExpression"], expr)
        other = {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Elastic Compute Cloud - Compute"]}}
        b.update_budget(AccountId="123456789012", NewBudget=dict(spec, FilterExpression=other))
        got = b.describe_budget(AccountId="123456789012", BudgetName=name)["Budget"]
        self.assertEqual(got["FilterExpression"], other)
        self.assertNotIn("CostFilters", got)
        b.delete_budget(AccountId="123456789012", BudgetName=name)

    def test_budget_metrics_form(self) -> None:
        # FilterExpression without Metrics, or Metrics with CostTypes, is
        # refused by CreateBudget and UpdateBudget (InvalidParameterException);
        # a budget on Metrics reads back without CostTypes, so a
        # describe-edit-update round trip is accepted; the legacy form
        # (CostFilters, CostTypes, no Metrics) is still accepted.
        b = client("budgets")
        name = uid("budget")
        expr = {"And": [{"Dimensions": {"Key": "SERVICE", "Values": ["Amazon SageMaker"]}},
                        {"Not": {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Credit", "Refund"]}}}]}
        spec = {"BudgetName": name, "BudgetType": "COST", "TimeUnit": "MONTHLY",
                "BudgetLimit": {"Amount": "100", "Unit": "USD"}, "FilterExpression": expr, "Metrics": ["UnblendedCost"]}
        no_metrics = {k: v for k, v in spec.items() if k != "Metrics"}
        both = dict(spec, CostTypes={"IncludeCredit": False})
        for bad in (no_metrics, both):
            with self.assertRaises(ClientError) as ctx:
                b.create_budget(AccountId="123456789012", Budget=bad)
            self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidParameterException")
        with self.assertRaises(ClientError):
            b.describe_budget(AccountId="123456789012", BudgetName=name)
        b.create_budget(AccountId="123456789012", Budget=spec)
        got = b.describe_budget(AccountId="123456789012", BudgetName=name)["Budget"]
        self.assertEqual((got["Metrics"], got["FilterExpression"]), (["UnblendedCost"], expr))
        self.assertNotIn("CostTypes", got)
        for bad in (no_metrics, both):
            with self.assertRaises(ClientError) as ctx:
                b.update_budget(AccountId="123456789012", NewBudget=bad)
            self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidParameterException")
        got.pop("CalculatedSpend")
        b.update_budget(AccountId="123456789012", NewBudget=dict(got, BudgetLimit={"Amount": "200", "Unit": "USD"}))
        legacy = {k: v for k, v in spec.items() if k not in ("Metrics", "FilterExpression")}
        legacy.update(CostFilters={"Service": ["Amazon SageMaker"]}, CostTypes={"IncludeCredit": True})
        b.update_budget(AccountId="123456789012", NewBudget=legacy)
        got = b.describe_budget(AccountId="123456789012", BudgetName=name)["Budget"]
        self.assertEqual((got["CostTypes"]["IncludeCredit"], float(got["BudgetLimit"]["Amount"])), (True, 100.0))
        self.assertNotIn("Metrics", got)
        b.delete_budget(AccountId="123456789012", BudgetName=name)

    def test_budget_tags(self) -> None:
        b = client("budgets")
        name = uid("budget")
        arn = f"arn:aws:budgets::123456789012:budget/{name}"
        spec = {"BudgetName": name, "BudgetType": "COST", "TimeUnit": "MONTHLY", "BudgetLimit": {"Amount": "100", "Unit": "USD"}}
        b.create_budget(AccountId="123456789012", Budget=spec,
                        ResourceTags=[{"Key": "sagesafe:creation-token", "Value": "t1"}, {"Key": "team", "Value": "ml"}])
        tags = lambda: {t["Key"]: t["Value"] for t in b.list_tags_for_resource(ResourceARN=arn)["ResourceTags"]}  # noqa: E731
        self.assertEqual(tags(), {"sagesafe:creation-token": "t1", "team": "ml"})
        b.tag_resource(ResourceARN=arn, ResourceTags=[{"Key": "team", "Value": "ops"}, {"Key": "cost", "Value": "42"}])
        b.untag_resource(ResourceARN=arn, ResourceTagKeys=["sagesafe:creation-token", "absent"])
        self.assertEqual(tags(), {"team": "ops", "cost": "42"})
        # A budget without tags lists none; an unknown budget is not found.
        plain = uid("budget")
        b.create_budget(AccountId="123456789012", Budget=dict(spec, BudgetName=plain))
        self.assertEqual(b.list_tags_for_resource(ResourceARN=f"arn:aws:budgets::123456789012:budget/{plain}")["ResourceTags"], [])
        b.delete_budget(AccountId="123456789012", BudgetName=plain)
        for call in (lambda: b.list_tags_for_resource(ResourceARN=f"arn:aws:budgets::123456789012:budget/{plain}"),
                     lambda: b.tag_resource(ResourceARN="arn:aws:budgets::123456789012:budget/" + uid("none"), ResourceTags=[{"Key": "k", "Value": "v"}])):
            with self.assertRaises(ClientError) as ctx:
                call()
            self.assertEqual(ctx.exception.response["Error"]["Code"], "NotFoundException")
        # Deleting the budget drops its tags: a new budget of the name has none.
        b.delete_budget(AccountId="123456789012", BudgetName=name)
        b.create_budget(AccountId="123456789012", Budget=spec)
        self.assertEqual(tags(), {})
        b.delete_budget(AccountId="123456789012", BudgetName=name)

    def test_put_metric_filter_replaces_by_name(self) -> None:
        logs = client("logs")
        group = "/" + uid("filters")
        logs.create_log_group(logGroupName=group)
        t = [{"metricName": "m", "metricNamespace": "n", "metricValue": "1"}]
        for pattern in ("{ $.a = 1 }", "{ $.a = 2 }", "{ $.a = 2 }"):
            logs.put_metric_filter(logGroupName=group, filterName="f", filterPattern=pattern, metricTransformations=t)
        logs.put_metric_filter(logGroupName=group, filterName="g", filterPattern="{ $.b = 1 }", metricTransformations=t)
        got = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
        self.assertEqual(sorted((f["filterName"], f["filterPattern"]) for f in got), [("f", "{ $.a = 2 }"), ("g", "{ $.b = 1 }")])
        logs.delete_metric_filter(logGroupName=group, filterName="f")
        logs.delete_metric_filter(logGroupName=group, filterName="g")
        self.assertEqual(logs.describe_metric_filters(logGroupName=group)["metricFilters"], [])
        logs.delete_log_group(logGroupName=group)

    def test_metric_filter_needs_group_and_delete_of_missing_is_not_found(self) -> None:
        # PutMetricFilter on a missing group and DeleteMetricFilter of a
        # missing filter are ResourceNotFoundException, as in CloudWatch Logs.
        logs = client("logs")
        group = "/" + uid("filters")
        t = [{"metricName": "m", "metricNamespace": "n", "metricValue": "1"}]
        with self.assertRaises(ClientError) as ctx:
            logs.put_metric_filter(logGroupName=group, filterName="f", filterPattern="{ $.a = 1 }", metricTransformations=t)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFoundException")
        logs.create_log_group(logGroupName=group)
        logs.put_metric_filter(logGroupName=group, filterName="f-1", filterPattern="{ $.a = 1 }", metricTransformations=t)
        for name in ("f", "g"):  # "f" is a prefix of an existing filter, not a filter
            with self.assertRaises(ClientError) as ctx:
                logs.delete_metric_filter(logGroupName=group, filterName=name)
            self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFoundException")
        logs.delete_metric_filter(logGroupName=group, filterName="f-1")
        with self.assertRaises(ClientError):
            logs.delete_metric_filter(logGroupName=group, filterName="f-1")
        logs.delete_log_group(logGroupName=group)

    def test_kms_rotation_period(self) -> None:
        kms = client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        self.assertNotIn("RotationPeriodInDays", kms.get_key_rotation_status(KeyId=key))
        kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=180)
        got = kms.get_key_rotation_status(KeyId=key)
        self.assertEqual((got["KeyRotationEnabled"], got["RotationPeriodInDays"]), (True, 180))
        kms.enable_key_rotation(KeyId=key)
        self.assertEqual(kms.get_key_rotation_status(KeyId=key)["RotationPeriodInDays"], 365)

    def test_kms_key_of_another_account_by_arn(self) -> None:
        kms, other = client("kms"), client("kms")
        other.meta.events.register(
            "before-sign.kms.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", "999999999999")
        )
        arn = other.create_key()["KeyMetadata"]["Arn"]
        self.assertIn(":999999999999:key/", arn)
        other.enable_key_rotation(KeyId=arn)
        self.assertEqual(kms.describe_key(KeyId=arn)["KeyMetadata"]["Arn"], arn)
        self.assertTrue(kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"])
        with self.assertRaises(kms.exceptions.NotFoundException):
            kms.describe_key(KeyId=arn.split("/")[-1])  # by key ID: the caller's account only

    def test_s3_expected_bucket_owner(self) -> None:
        s3, other = client("s3"), client("s3")
        other.meta.events.register(
            "before-sign.s3.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", "999999999999")
        )
        mine, theirs = uid("mine"), uid("theirs")
        s3.create_bucket(Bucket=mine)
        other.create_bucket(Bucket=theirs)
        other.put_bucket_encryption(
            Bucket=theirs,
            ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
        )
        s3.put_object(Bucket=mine, Key="k", Body=b"x", ExpectedBucketOwner="123456789012")
        with self.assertRaises(ClientError) as denied:
            s3.get_bucket_encryption(Bucket=theirs, ExpectedBucketOwner="123456789012")
        err = denied.exception.response
        self.assertEqual((err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]), ("AccessDenied", 403))
        with self.assertRaises(ClientError) as denied:
            s3.get_object(Bucket=mine, Key="k", ExpectedBucketOwner="999999999999")
        self.assertEqual(denied.exception.response["Error"]["Code"], "AccessDenied")
        # Without the header, or with the right owner, moto answers as before.
        self.assertEqual(s3.get_bucket_encryption(Bucket=theirs)["ServerSideEncryptionConfiguration"]["Rules"][0]
                         ["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "aws:kms")
        other.get_bucket_encryption(Bucket=theirs, ExpectedBucketOwner="999999999999")
        self.assertEqual(s3.get_object(Bucket=mine, Key="k", ExpectedBucketOwner="123456789012")["Body"].read(), b"x")
        with self.assertRaises(ClientError) as missing:
            s3.get_bucket_encryption(Bucket=uid("missing"), ExpectedBucketOwner="123456789012")
        self.assertEqual(missing.exception.response["Error"]["Code"], "NoSuchBucket")

    def test_rpcv2_cbor_cloudwatch(self) -> None:
        """aws-sdk-go-v2's CloudWatch client speaks only Smithy RPC v2 CBOR."""
        sys.path.insert(0, HERE)
        import launcher  # for its small CBOR codec

        def call(op: str, params: dict) -> tuple[int, bytes]:
            req = urllib.request.Request(
                f"{URL}/service/GraniteServiceVersion20100801/operation/{op}",
                data=launcher.cbor_encode(params),
                method="POST",
                headers={
                    "Content-Type": "application/cbor",
                    "Accept": "application/cbor",
                    "Smithy-Protocol": "rpc-v2-cbor",
                    "X-Amzn-Query-Mode": "true",
                    "Authorization": "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/monitoring/aws4_request, "
                    "SignedHeaders=host, Signature=0",
                },
            )
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    self.assertEqual(resp.headers["Content-Type"], "application/cbor")
                    self.assertEqual(resp.headers["Smithy-Protocol"], "rpc-v2-cbor")
                    return resp.status, resp.read()
            except urllib.error.HTTPError as err:
                return err.code, err.read()

        name = uid("alarm")
        status, _ = call(
            "PutMetricAlarm",
            {
                "AlarmName": name,
                "MetricName": "Invocation5XXErrors",
                "Namespace": "AWS/SageMaker",
                "Statistic": "Sum",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanThreshold",
                "Tags": [{"Key": "k", "Value": "v"}],
            },
        )
        self.assertEqual(status, 200)
        status, raw = call("DescribeAlarms", {"AlarmNames": [name]})
        self.assertEqual(status, 200)
        (alarm,) = launcher.cbor_decode(raw)["MetricAlarms"]
        self.assertEqual((alarm["AlarmName"], alarm["Threshold"], alarm["Period"]), (name, 1.0, 60))
        self.assertIn(b"AlarmConfigurationUpdatedTimestamp\xc1\xfb", raw)  # tag 1 + float64
        self.assertIn(b"Threshold\xfb", raw)  # double, although sent as an integer
        status, raw = call("GetDashboard", {"DashboardName": uid("none")})
        self.assertEqual(status, 404)
        self.assertIn("ResourceNotFound", launcher.cbor_decode(raw)["__type"])
        # boto3 (which picks awsJson/query for CloudWatch) still works too.
        (alarm,) = client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
        self.assertEqual(alarm["AlarmName"], name)
        # DisableAlarmActions/EnableAlarmActions (moto: NotImplementedError).
        for op, want in (("DisableAlarmActions", False), ("EnableAlarmActions", True)):
            status, raw = call(op, {"AlarmNames": [name, uid("missing")]})
            self.assertEqual(status, 200, raw)
            (alarm,) = launcher.cbor_decode(call("DescribeAlarms", {"AlarmNames": [name]})[1])["MetricAlarms"]
            self.assertIs(alarm["ActionsEnabled"], want, op)

    def test_rpcv2_cbor_tagging(self) -> None:
        """aws-sdk-go-v2's Resource Groups Tagging API client (v1.42+) speaks
        RPC v2 CBOR and signs as "tagging": GetResources lists tagged
        SageMaker endpoints, every tag of each, filtered by a tag key."""
        sys.path.insert(0, HERE)
        import launcher  # for its small CBOR codec

        sm = client("sagemaker")
        model, config = uid("m"), uid("c")
        sm.create_model(ModelName=model, ExecutionRoleArn="arn:aws:iam::123456789012:role/r", PrimaryContainer={"Image": "x"})
        sm.create_endpoint_config(EndpointConfigName=config, ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
        key = uid("token-key")
        tagged, other = uid("e"), uid("e")
        sm.create_endpoint(EndpointName=tagged, EndpointConfigName=config, Tags=[{"Key": key, "Value": "t"}, {"Key": "team", "Value": "a"}])
        sm.create_endpoint(EndpointName=other, EndpointConfigName=config, Tags=[{"Key": "team", "Value": "b"}])
        req = urllib.request.Request(
            f"{URL}/service/ResourceGroupsTaggingAPI_20170126/operation/GetResources",
            data=launcher.cbor_encode({"ResourceTypeFilters": ["sagemaker:endpoint"], "TagFilters": [{"Key": key}], "ResourcesPerPage": 100}),
            method="POST",
            headers={
                "Content-Type": "application/cbor",
                "Accept": "application/cbor",
                "Smithy-Protocol": "rpc-v2-cbor",
                "Authorization": "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/tagging/aws4_request, "
                "SignedHeaders=host, Signature=0",
            },
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            self.assertEqual((resp.status, resp.headers["Smithy-Protocol"]), (200, "rpc-v2-cbor"))
            out = launcher.cbor_decode(resp.read())
        (mapping,) = out["ResourceTagMappingList"]
        self.assertTrue(mapping["ResourceARN"].endswith(":endpoint/" + tagged), mapping)
        self.assertEqual({t["Key"]: t["Value"] for t in mapping["Tags"]}, {key: "t", "team": "a"})

    def test_sns_subscription_counts_and_confirmation(self) -> None:
        sns, sqs = client("sns"), client("sqs")
        topic = sns.create_topic(Name=uid("topic"))["TopicArn"]

        def counts() -> tuple[str, str]:
            a = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
            return a["SubscriptionsConfirmed"], a["SubscriptionsPending"]

        self.assertEqual(counts(), ("0", "0"))
        queue = sqs.create_queue(QueueName=uid("q"))["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        by_queue = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)  # AWS makes no duplicate
        self.assertEqual(counts(), ("1", "0"))
        by_mail = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")["SubscriptionArn"]
        self.assertEqual(counts(), ("1", "1"))
        attrs = sns.get_subscription_attributes(SubscriptionArn=by_mail)["Attributes"]
        self.assertEqual(attrs["PendingConfirmation"].lower(), "true")
        with self.assertRaises(ClientError) as cm:
            sns.confirm_subscription(TopicArn=topic, Token="not-a-token")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameter")
        got = sns.confirm_subscription(TopicArn=topic, Token=by_mail)["SubscriptionArn"]
        self.assertEqual(got, by_mail)
        self.assertEqual(counts(), ("2", "0"))
        attrs = sns.get_subscription_attributes(SubscriptionArn=by_mail)["Attributes"]
        self.assertEqual(attrs["PendingConfirmation"].lower(), "false")
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")  # stays confirmed
        self.assertEqual(counts(), ("2", "0"))
        sns.unsubscribe(SubscriptionArn=by_queue)
        sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://example.com/hook")
        self.assertEqual(counts(), ("1", "1"))
        other = sns.create_topic(Name=uid("topic"))["TopicArn"]
        self.assertEqual(
            sns.get_topic_attributes(TopicArn=other)["Attributes"]["SubscriptionsConfirmed"], "0"
        )

    def test_managed_policies_loaded(self) -> None:
        arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
        self.assertEqual(client("iam").get_policy(PolicyArn=arn)["Policy"]["Arn"], arn)


# --- fault injection --------------------------------------------------------

SCOPE_HEADER = "X-Sagesafe-Fault-Scope"
NO_RETRIES = Config(retries={"total_max_attempts": 1})


def scoped(service: str, scope: str | None, config: Config = NO_RETRIES):
    """A boto3 client whose requests carry the fault scope header."""
    c = boto3.client(service, endpoint_url=URL, region_name="us-east-1", config=config)
    if scope:
        c.meta.events.register(
            "before-sign.*.*", lambda request, **_: request.headers.__setitem__(SCOPE_HEADER, scope)
        )
    return c


def faults(scope: str, *rules: dict) -> list:
    status, body = control("POST", "/_sagesafe/faults", {"scope": scope, "rules": list(rules)})
    assert status == 200, body
    return body


def fault_state(scope: str) -> list:
    return control("GET", "/_sagesafe/faults")[1].get(scope, [])


class FaultTest(unittest.TestCase):
    def setUp(self) -> None:
        self.assertEqual(control("POST", "/_sagesafe/faults/clear", {})[0], 200)
        self.scope = uid("scope")

    def tearDown(self) -> None:
        control("POST", "/_sagesafe/faults/clear", {})

    def error_of(self, call) -> tuple[str, int]:
        with self.assertRaises(ClientError) as ctx:
            call()
        err = ctx.exception.response
        return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]

    def test_control_api_validates(self) -> None:
        bad = [
            [],
            {"rules": []},
            {"scope": 1, "rules": []},
            {"scope": "s", "rules": {}},
            {"scope": "s", "rules": [], "extra": 1},
            {"scope": "s", "rules": [{"action": "kms:CreateKey", "fault": "explode"}]},
            {"scope": "s", "rules": [{"action": "", "fault": "lose"}]},
            {"scope": "s", "rules": [{"action": "kms:*Key", "fault": "lose"}]},
            {"scope": "s", "rules": [{"action": "kms:CreateKey", "fault": "lose", "first": 0}]},
            {"scope": "s", "rules": [{"action": "kms:CreateKey", "fault": "lose", "every": True}]},
            {"scope": "s", "rules": [{"action": "kms:CreateKey", "fault": "lose", "first": 1, "every": 2}]},
            {"scope": "s", "rules": [{"action": "kms:CreateKey", "fault": "lose", "share": 0.5, "every": 2}]},
            {"scope": "s", "rules": [{"action": "kms:CreateKey", "fault": "lose", "share": 0}]},
            {"scope": "s", "rules": [{"action": "kms:CreateKey", "fault": "lose", "share": 1.5}]},
            {"scope": "s", "rules": [{"action": "kms:CreateKey", "fault": "lose", "seconds": 1}]},
            {"scope": "s", "rules": [{"action": "kms:CreateKey", "fault": "latency"}]},
            {"scope": "s", "rules": [{"action": "kms:CreateKey", "fault": "lose", "nope": 1}]},
        ]
        for body in bad:
            status, got = control("POST", "/_sagesafe/faults", body)
            self.assertEqual(status, 400, (body, got))
            self.assertIn("error", got)
        self.assertEqual(control("POST", "/_sagesafe/faults/clear", {"scope": 1})[0], 400)
        self.assertEqual(control("POST", "/_sagesafe/faults/clear", {"x": "y"})[0], 400)
        self.assertEqual(control("GET", "/_sagesafe/faults/clear")[0], 405)
        got = faults("a", {"action": "kms:*", "fault": "throttle"}, {"action": "*", "fault": "latency", "seconds": 0.1, "every": 2})
        self.assertEqual(got, [
            {"action": "kms:*", "fault": "throttle", "first": 1, "hits": 0, "matched": 0},
            {"action": "*", "fault": "latency", "seconds": 0.1, "every": 2, "hits": 0, "matched": 0},
        ])
        faults("b", {"action": "ec2:CreateVpc", "fault": "error", "first": 3})
        self.assertEqual(sorted(control("GET", "/_sagesafe/faults")[1]), ["a", "b"])
        self.assertEqual(control("POST", "/_sagesafe/faults/clear", {"scope": "a"})[1], {"b": fault_state("b")})
        faults("b")  # no rules: the scope is dropped
        self.assertEqual(control("GET", "/_sagesafe/faults")[1], {})
        faults("c", {"action": "*", "fault": "lose"})
        self.assertEqual(control("POST", "/_sagesafe/faults/clear", {})[1], {})

    def test_throttle_in_each_protocol(self) -> None:
        """The codes the Go SDK's retryer counts as throttles, in each service's protocol."""
        faults(self.scope, {"action": "*", "fault": "throttle", "every": 1})
        cases = [
            ("ec2", lambda c: c.describe_vpcs(), ("RequestLimitExceeded", 503)),
            ("iam", lambda c: c.list_roles(), ("Throttling", 400)),
            ("sts", lambda c: c.get_caller_identity(), ("Throttling", 400)),
            ("cloudwatch", lambda c: c.describe_alarms(), ("Throttling", 400)),
            ("kms", lambda c: c.list_keys(), ("ThrottlingException", 400)),
            ("logs", lambda c: c.describe_log_groups(), ("ThrottlingException", 400)),
            ("sagemaker", lambda c: c.list_endpoints(), ("ThrottlingException", 400)),
            ("s3", lambda c: c.list_buckets(), ("SlowDown", 503)),
            ("resourcegroupstaggingapi", lambda c: c.get_resources(), ("ThrottledException", 400)),
        ]
        for service, call, want in cases:
            with self.subTest(service=service):
                self.assertEqual(self.error_of(lambda: call(scoped(service, self.scope))), want)
        (rule,) = fault_state(self.scope)
        self.assertEqual((rule["matched"], rule["hits"]), (len(cases), len(cases)))

    def test_throttle_and_error_in_rpcv2_cbor(self) -> None:
        sys.path.insert(0, HERE)
        import launcher

        def call() -> tuple[int, dict, object]:
            req = urllib.request.Request(
                f"{URL}/service/GraniteServiceVersion20100801/operation/DescribeAlarms",
                data=launcher.cbor_encode({}),
                method="POST",
                headers={
                    "Content-Type": "application/cbor",
                    "Smithy-Protocol": "rpc-v2-cbor",
                    SCOPE_HEADER: self.scope,
                    "Authorization": "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/monitoring/aws4_request, "
                    "SignedHeaders=host, Signature=0",
                },
            )
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    return resp.status, dict(resp.headers), launcher.cbor_decode(resp.read())
            except urllib.error.HTTPError as err:
                return err.code, dict(err.headers), launcher.cbor_decode(err.read())

        faults(self.scope, {"action": "cloudwatch:DescribeAlarms", "fault": "throttle"},
               {"action": "cloudwatch:DescribeAlarms", "fault": "error"})
        status, headers, body = call()
        self.assertEqual((status, body["__type"]), (400, "Throttling"))
        self.assertEqual(headers["x-amzn-query-error"], "Throttling;Sender")
        self.assertEqual((headers["Content-Type"], headers["Smithy-Protocol"]), ("application/cbor", "rpc-v2-cbor"))
        status, headers, body = call()  # the first rule is spent; the second fires
        self.assertEqual((status, headers["x-amzn-query-error"]), (500, "InternalServiceError;Receiver"))
        status, _, body = call()
        self.assertEqual(status, 200)
        self.assertIn("MetricAlarms", body)

    def test_error(self) -> None:
        faults(self.scope, {"action": "*", "fault": "error", "first": 100})
        for service, call, want in [
            ("ec2", lambda c: c.describe_vpcs(), ("InternalError", 500)),
            ("iam", lambda c: c.list_roles(), ("ServiceFailure", 500)),
            ("kms", lambda c: c.list_keys(), ("KMSInternalException", 500)),
            ("sagemaker", lambda c: c.list_endpoints(), ("InternalFailure", 500)),
            ("s3", lambda c: c.list_buckets(), ("InternalError", 500)),
        ]:
            with self.subTest(service=service):
                self.assertEqual(self.error_of(lambda: call(scoped(service, self.scope))), want)
        # moto was not called: nothing was created.
        kms = scoped("kms", self.scope)
        before = len(client("kms").list_keys()["Keys"])
        self.assertEqual(self.error_of(kms.create_key), ("KMSInternalException", 500))
        self.assertEqual(len(client("kms").list_keys()["Keys"]), before)

    def test_lose_applies_the_request_and_drops_the_answer(self) -> None:
        faults(self.scope, {"action": "kms:CreateKey", "fault": "lose"})
        description = uid("lost")
        with self.assertRaises(botocore.exceptions.ConnectionClosedError):
            scoped("kms", self.scope).create_key(Description=description)
        keys = client("kms").list_keys()["Keys"]
        made = [k for k in keys if client("kms").describe_key(KeyId=k["KeyId"])["KeyMetadata"].get("Description") == description]
        self.assertEqual(len(made), 1, "the lost request must still have taken effect")
        # A raw client sees the connection close without a status line.
        faults(self.scope, {"action": "sts:GetCallerIdentity", "fault": "lose"})
        conn = http.client.HTTPConnection(URL.removeprefix("http://"), timeout=10)
        conn.request("POST", "/", body="Action=GetCallerIdentity&Version=2011-06-15", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            SCOPE_HEADER: self.scope,
            "Authorization": "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0",
        })
        with self.assertRaises(http.client.RemoteDisconnected):
            conn.getresponse()
        conn.close()
        self.assertEqual(fault_state(self.scope)[0]["hits"], 1)
        # The SDK's retry reaches moto (no replay) and succeeds.
        faults(self.scope, {"action": "kms:CreateKey", "fault": "lose"})
        kms = scoped("kms", self.scope, Config(retries={"total_max_attempts": 3, "mode": "standard"}))
        before = len(client("kms").list_keys()["Keys"])
        kms.create_key()
        self.assertEqual(len(client("kms").list_keys()["Keys"]), before + 2)  # kms has no token: two keys

    def test_latency(self) -> None:
        faults(self.scope, {"action": "sts:GetCallerIdentity", "fault": "latency", "seconds": 0.4})
        sts = scoped("sts", self.scope)
        t0 = time.monotonic()
        sts.get_caller_identity()
        self.assertGreaterEqual(time.monotonic() - t0, 0.4)
        t0 = time.monotonic()
        sts.get_caller_identity()  # first: 1 is spent
        self.assertLess(time.monotonic() - t0, 0.4)

    def test_scope_isolation_and_global_rules(self) -> None:
        faults(self.scope, {"action": "sts:*", "fault": "throttle", "first": 10})
        scoped("sts", None).get_caller_identity()  # no header
        scoped("sts", uid("other")).get_caller_identity()  # another scope
        self.assertEqual(self.error_of(scoped("sts", self.scope).get_caller_identity), ("Throttling", 400))
        (rule,) = fault_state(self.scope)
        self.assertEqual((rule["matched"], rule["hits"]), (1, 1))
        faults("", {"action": "sts:GetCallerIdentity", "fault": "error"})
        self.assertEqual(self.error_of(scoped("sts", None).get_caller_identity), ("InternalFailure", 500))
        faults("", {"action": "sts:GetCallerIdentity", "fault": "error"})
        self.assertEqual(self.error_of(scoped("sts", uid("other")).get_caller_identity), ("InternalFailure", 500))

    def test_first_and_every(self) -> None:
        faults(self.scope, {"action": "sts:GetCallerIdentity", "fault": "throttle", "every": 3},
               {"action": "iam:*", "fault": "throttle", "first": 2})
        sts, iam = scoped("sts", self.scope), scoped("iam", self.scope)
        outcomes = []
        for _ in range(7):
            try:
                sts.get_caller_identity()
                outcomes.append("ok")
            except ClientError:
                outcomes.append("throttled")
        self.assertEqual(outcomes, ["ok", "ok", "throttled", "ok", "ok", "throttled", "ok"])
        for want in ("throttled", "throttled", "ok", "ok"):
            try:
                iam.list_roles()
                got = "ok"
            except ClientError:
                got = "throttled"
            self.assertEqual(got, want)
        every, first = fault_state(self.scope)
        self.assertEqual((every["matched"], every["hits"]), (7, 2))
        self.assertEqual((first["matched"], first["hits"]), (4, 2))

    def test_share_is_random_but_reproducible(self) -> None:
        def run(scope: str) -> list[str]:
            faults(scope, {"action": "sts:GetCallerIdentity", "fault": "throttle", "share": 0.5})
            sts = scoped("sts", scope, Config(retries={"total_max_attempts": 1}))
            outcomes = []
            for _ in range(40):
                try:
                    sts.get_caller_identity()
                    outcomes.append("ok")
                except ClientError:
                    outcomes.append("throttled")
            return outcomes

        first, second = run(self.scope), run(uid("scope"))
        self.assertEqual(first, second)  # seeded per rule
        self.assertTrue(5 < first.count("throttled") < 35, first)
        # not a fixed period: some throttled call follows another, and some
        # ok call follows an ok one (every 2 would alternate)
        pairs = set(zip(first, first[1:]))
        self.assertIn(("throttled", "throttled"), pairs)
        self.assertIn(("ok", "ok"), pairs)

    def test_sdk_retries_through_a_throttle(self) -> None:
        faults(self.scope, {"action": "sts:GetCallerIdentity", "fault": "throttle", "first": 2})
        sts = scoped("sts", self.scope, Config(retries={"total_max_attempts": 3, "mode": "standard"}))
        self.assertEqual(sts.get_caller_identity()["Account"], "123456789012")
        self.assertEqual(fault_state(self.scope)[0]["hits"], 2)

    def raw_ec2(self, body: str, invocation: str, attempt: int, scope: str | None) -> tuple[int, str]:
        return EmulatorTest.raw_ec2(self, body, invocation, attempt, **({SCOPE_HEADER: scope} if scope else {}))

    def test_retry_replay_off_while_faults_can_apply(self) -> None:
        vpc = client("ec2").create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]

        def create() -> str:
            return f"Action=CreateSecurityGroup&Version=2016-11-15&GroupName={uid('sg')}&GroupDescription=x&VpcId={vpc}"

        def replayed(scope: str | None) -> bool:
            body, inv = create(), str(uuid.uuid4())
            self.assertEqual(self.raw_ec2(body, inv, 1, scope)[0], 200)
            status, text = self.raw_ec2(body, inv, 2, scope)
            return status == 200  # else moto ran it again: InvalidGroup.Duplicate

        # A scope without rules changes nothing: replay stays on.
        self.assertTrue(replayed(self.scope))
        faults(self.scope, {"action": "ec2:DeleteVpc", "fault": "throttle"})
        self.assertFalse(replayed(self.scope))  # rules in its scope: off
        self.assertTrue(replayed(uid("other")))  # other scopes: on
        self.assertTrue(replayed(None))
        faults("", {"action": "ec2:DeleteVpc", "fault": "throttle"})
        self.assertFalse(replayed(None))  # a global rule: off for every request
        self.assertFalse(replayed(uid("other")))

    def test_calls_per_scope(self) -> None:
        other = uid("other")
        scoped("sts", self.scope).get_caller_identity()
        scoped("sts", self.scope).get_caller_identity()
        scoped("kms", self.scope).list_keys()
        scoped("kms", other).list_keys()
        scoped("kms", None).list_keys()
        self.assertEqual(control("GET", f"/_sagesafe/calls?scope={self.scope}")[1],
                         {"sts:GetCallerIdentity": 2, "kms:ListKeys": 1})
        self.assertEqual(control("GET", f"/_sagesafe/calls?scope={other}")[1], {"kms:ListKeys": 1})
        self.assertEqual(control("GET", "/_sagesafe/calls?scope=nobody")[1], {})


class ClientTokenTest(unittest.TestCase):
    """EC2 answers a repeated ClientToken with the first answer (moto ignores it)."""

    def setUp(self) -> None:
        control("POST", "/_sagesafe/faults/clear", {})
        self.ec2 = client("ec2")
        self.vpc = self.ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]

    def tearDown(self) -> None:
        control("POST", "/_sagesafe/faults/clear", {})

    def route_tables(self) -> list[str]:
        tables = self.ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [self.vpc]}])["RouteTables"]
        return sorted(t["RouteTableId"] for t in tables)

    def test_same_token_same_answer(self) -> None:
        token = uid("tok")
        first = self.ec2.create_route_table(VpcId=self.vpc, ClientToken=token)["RouteTable"]["RouteTableId"]
        again = self.ec2.create_route_table(VpcId=self.vpc, ClientToken=token)["RouteTable"]["RouteTableId"]
        self.assertEqual(first, again)
        self.assertEqual(len(self.route_tables()), 2)  # the main table and ours
        other = self.ec2.create_route_table(VpcId=self.vpc, ClientToken=uid("tok"))["RouteTable"]["RouteTableId"]
        self.assertNotEqual(other, first)
        with self.assertRaises(ClientError) as ctx:
            self.ec2.create_route_table(
                VpcId=self.vpc, ClientToken=token,
                TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "k", "Value": "v"}]}],
            )
        self.assertEqual(ctx.exception.response["Error"]["Code"], "IdempotentParameterMismatch")

        endpoint = dict(VpcId=self.vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway",
                        RouteTableIds=[first], ClientToken=uid("tok"))
        ids = {self.ec2.create_vpc_endpoint(**endpoint)["VpcEndpoint"]["VpcEndpointId"] for _ in range(2)}
        self.assertEqual(len(ids), 1)
        bucket = uid("flow")
        client("s3").create_bucket(Bucket=bucket)
        flow = dict(ResourceIds=[self.vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                    LogDestination=f"arn:aws:s3:::{bucket}", ClientToken=uid("tok"))
        ids = {tuple(self.ec2.create_flow_logs(**flow)["FlowLogIds"]) for _ in range(2)}
        self.assertEqual(len(ids), 1)
        self.assertEqual(len(ids.pop()), 1)
        logs = [f for f in self.ec2.describe_flow_logs()["FlowLogs"] if f["ResourceId"] == self.vpc]
        self.assertEqual(len(logs), 1)

    def test_lost_answer_then_sdk_retry_creates_one(self) -> None:
        """botocore fills ClientToken itself and keeps it across retries, like the Go SDK."""
        scope = uid("scope")
        faults(scope, {"action": "ec2:CreateRouteTable", "fault": "lose"})
        ec2 = scoped("ec2", scope, Config(retries={"total_max_attempts": 3, "mode": "standard"}))
        created = ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        self.assertEqual(fault_state(scope)[0]["hits"], 1)
        tables = self.route_tables()
        self.assertEqual(len(tables), 2, tables)  # the main table and one created
        self.assertIn(created, tables)


class ShadowVariantsTest(unittest.TestCase):
    def test_shadow_production_variants_are_kept(self) -> None:
        sm = client("sagemaker")
        model = uid("model")
        sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img:1"})
        variant = {"VariantName": "main", "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}
        shadow = dict(variant, VariantName="shadow", InstanceType="ml.g5.xlarge")
        name = uid("cfg")
        sm.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[variant], ShadowProductionVariants=[shadow])
        got = sm.describe_endpoint_config(EndpointConfigName=name)
        self.assertEqual(got["ShadowProductionVariants"], [shadow])
        self.assertEqual(got["ProductionVariants"][0]["VariantName"], "main")
        plain = uid("cfg")
        sm.create_endpoint_config(EndpointConfigName=plain, ProductionVariants=[variant])
        self.assertNotIn("ShadowProductionVariants", sm.describe_endpoint_config(EndpointConfigName=plain))
        with self.assertRaisesRegex(ClientError, "Could not find model"):
            sm.create_endpoint_config(EndpointConfigName=uid("cfg"), ProductionVariants=[variant],
                                      ShadowProductionVariants=[dict(shadow, ModelName=uid("missing"))])
        with self.assertRaisesRegex(ClientError, "instanceType"):
            sm.create_endpoint_config(EndpointConfigName=uid("cfg"), ProductionVariants=[variant],
                                      ShadowProductionVariants=[dict(shadow, InstanceType="ml.bogus.huge")])


class InstanceProfileTest(unittest.TestCase):
    def test_removing_a_role_twice_is_no_such_entity(self) -> None:
        iam = client("iam")
        role, profile = uid("role"), uid("profile")
        iam.create_role(RoleName=role, AssumeRolePolicyDocument="{}")
        iam.create_instance_profile(InstanceProfileName=profile)
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
        iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
        with self.assertRaises(ClientError) as err:
            iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
        self.assertEqual(err.exception.response["Error"]["Code"], "NoSuchEntity")


class AutoScalingNotFoundTest(unittest.TestCase):
    """Deleting a missing scaling policy or target is ObjectNotFoundException, as on AWS."""

    def test_missing_policy_and_target_are_object_not_found(self) -> None:
        aas = client("application-autoscaling")
        rid = f"endpoint/{uid('ep')}/variant/AllTraffic"
        dim = "sagemaker:variant:DesiredInstanceCount"
        aas.register_scalable_target(ServiceNamespace="sagemaker", ResourceId=rid, ScalableDimension=dim, MinCapacity=1, MaxCapacity=2)
        aas.put_scaling_policy(PolicyName="p", ServiceNamespace="sagemaker", ResourceId=rid, ScalableDimension=dim,
                               PolicyType="TargetTrackingScaling",
                               TargetTrackingScalingPolicyConfiguration={"TargetValue": 70.0, "PredefinedMetricSpecification": {
                                   "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}})
        aas.delete_scaling_policy(PolicyName="p", ServiceNamespace="sagemaker", ResourceId=rid, ScalableDimension=dim)
        aas.deregister_scalable_target(ServiceNamespace="sagemaker", ResourceId=rid, ScalableDimension=dim)
        with self.assertRaises(ClientError) as err:
            aas.delete_scaling_policy(PolicyName="p", ServiceNamespace="sagemaker", ResourceId=rid, ScalableDimension=dim)
        self.assertEqual(err.exception.response["Error"]["Code"], "ObjectNotFoundException")
        with self.assertRaises(ClientError) as err:
            aas.deregister_scalable_target(ServiceNamespace="sagemaker", ResourceId=rid, ScalableDimension=dim)
        self.assertEqual(err.exception.response["Error"]["Code"], "ObjectNotFoundException")


if __name__ == "__main__":
    unittest.main()
