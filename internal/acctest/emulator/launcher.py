#!/usr/bin/env python3
"""sagesafe emulator: moto 5.2.1 in-process, plus a few documented patches.

    python3 launcher.py --host 127.0.0.1 --port 0 --port-file /tmp/emu/port

Starts moto's server (every AWS service on one URL, like ``moto_server``) and
fills the gaps listed in the team's shared/emulator-notes.md by patching moto's own
response/backend classes. Every patch is listed in ``PATCHES`` and described in
README.md next to this file. The patches *extend* the emulator (missing APIs,
dropped fields, configurable time and failure); they never stand in for
checks the provider itself must make. In particular there is still no IAM
enforcement, no KMS key-policy evaluation and no real networking.

A small JSON control API lives under ``/_sagesafe/`` (S3 bucket names cannot
start with "_", so no AWS request can collide with it):

    GET  /_sagesafe/health            {"status": "ok", ...}
    GET  /_sagesafe/behaviour         current behaviour (see DEFAULT_BEHAVIOUR)
    POST /_sagesafe/behaviour         replace it (keys left out take defaults)
    POST /_sagesafe/behaviour/merge   change only the keys given (others stay), so
                                      test packages sharing one emulator and
                                      touching different keys do not clobber
                                      each other
    POST /_sagesafe/reset-behaviour   back to defaults (plain moto timing)
    GET  /_sagesafe/calls             {"service:Action": count} since reset
    GET  /_sagesafe/calls?scope=S     the same, for requests with fault scope S
    POST /_sagesafe/calls/reset       clear all counts and recorded UpdateEndpoints
    GET  /_sagesafe/endpoint-updates  every UpdateEndpoint request received
    GET  /_sagesafe/call-seconds      {"busy_seconds": wall time with a request
                                      in the emulator, "by_call": {"service:Action":
                                      seconds spent answering}} since reset
    GET  /_sagesafe/transitions       every timed state that ended since reset,
                                      with how late a read first saw it
    POST /_sagesafe/faults            {"scope": S, "rules": [rule, ...]}: replace
                                      scope S's fault rules ("" = global; [] clears)
    GET  /_sagesafe/faults            {scope: [rule + "hits", "matched"], ...}
    POST /_sagesafe/faults/clear      {"scope": S} clears S; {} clears every scope

moto's own ``POST /moto-api/reset`` still wipes all AWS state.

Fault injection: a rule is
``{"action": "kms:CreateKey", "fault": F, "first": N}``, ``..."every": K}``
or ``..."share": P}`` (action: a classify_call key, "*" at the end makes it
a prefix; first defaults to 1; every K means calls K, 2K, ...; share P a
seeded random share of the calls), with F one of

    lose      moto applies the request, then the connection is dropped
              without a byte of the answer
    error     the service's internal error (HTTP 500) in its own protocol;
              moto is not called
    throttle  the service's throttling error in its own protocol (EC2
              RequestLimitExceeded 503, S3 SlowDown 503, IAM/STS/CloudWatch
              Throttling 400, tagging ThrottledException 400, JSON services
              ThrottlingException 400); moto is not called
    latency   wait "seconds", then serve the request as usual

A scoped rule applies only to requests with the header
``X-Sagesafe-Fault-Scope: S``; a global rule to every request. Retry replay
(AttemptLog) is off for requests a rule could reach. Every applied fault is
logged to stderr as ``sagesafe-fault <service:Action> <fault> scope=<S>``.

Time is evaluated lazily: an endpoint or training job remembers when it
entered a transitional state and the configured duration, and its status is
recomputed whenever it is described or listed. There are no background threads.
"""

from __future__ import annotations

import argparse
import base64
import copy
import datetime
import functools
import io
import json
import math
import random
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import uuid
import weakref
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

# Must be set before moto is imported: makes AWS-managed IAM policies such as
# AmazonSageMakerFullAccess exist. An explicit value in the environment wins.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

try:
    import moto
    from moto.applicationautoscaling import models as as_models
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import utcnow
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.cloudtrail.models import CloudTrailBackend
    from moto.core.exceptions import JsonRESTError
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.responses import EC2Response
    from moto.iam.exceptions import NoSuchEntity
    from moto.iam.models import IAMBackend
    from moto.kms.models import kms_backends
    from moto.kms.responses import KmsResponse
    from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
    from moto.s3.exceptions import S3AccessDeniedError
    from moto.s3 import models as s3_models
    from moto.s3.models import s3_backends
    from moto.s3.responses import S3Response
    from moto.logs.responses import LogsResponse
    from moto.logs.metric_filters import MetricFilters
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        create_backend_app,
    )
    from moto.sagemaker import models as sm_models
    from moto.sagemaker.exceptions import (
        ResourceInUseException,
        ResourceNotFound,
        ValidationError,
    )
    from moto.sagemaker.responses import SageMakerResponse
except ImportError as exc:  # pragma: no cover - depends on the machine
    sys.stderr.write(
        f"sagesafe-emulator: cannot import moto with {sys.executable} ({exc}).\n"
        "Install moto[server] 5.2.1 for this interpreter, or use an interpreter "
        "where `moto_server` / `python3 -m moto.server` works.\n"
    )
    sys.exit(3)

import botocore.session
from werkzeug.serving import WSGIRequestHandler, make_server

SageMakerBackend = sm_models.SageMakerModelBackend

# ---------------------------------------------------------------------------
# Behaviour (set through the control API)
# ---------------------------------------------------------------------------

#: Defaults reproduce plain moto: no delays, no failures.
#: Name patterns (list entries and dict keys) match a resource name exactly,
#: or by prefix when the pattern ends with "*" ("canary-*").
DEFAULT_BEHAVIOUR: dict[str, Any] = {
    "endpoint_creating_seconds": 0,  # CreateEndpoint: Creating for this long
    "endpoint_updating_seconds": 0,  # UpdateEndpoint: Updating for this long
    "training_in_progress_seconds": 0,  # CreateTrainingJob: InProgress for this long
    "training_stopping_seconds": 0,  # StopTrainingJob: Stopping for this long
    # Per job name pattern, overriding training_in_progress_seconds: tests
    # that share one emulator hold only their own jobs.
    "training_in_progress_by_name": {},
    "rollback_endpoints": [],  # UpdateEndpoint on these rolls back to the old config
    "rollback_failure_reasons": {},  # optional FailureReason left after a rollback
    "fail_endpoints": {},  # CreateEndpoint ends Failed with this FailureReason
    "fail_training_jobs": {},  # training job ends Failed with this FailureReason
    "processing_in_progress_seconds": 0,  # CreateProcessingJob: InProgress for this long
    "processing_stopping_seconds": 0,  # StopProcessingJob: Stopping for this long
    "processing_in_progress_by_name": {},  # per job name pattern, as for training
    "monitoring_pending_seconds": 0,  # Create/UpdateMonitoringSchedule: Pending for this long
}

_LOCK = threading.RLock()
_behaviour: dict[str, Any] = copy.deepcopy(DEFAULT_BEHAVIOUR)
_calls: dict[str, int] = {}
_endpoint_updates: list[dict[str, Any]] = []


def validate_behaviour(body: Any) -> dict[str, Any]:
    """Return a complete behaviour dict built from ``body`` or raise ValueError."""
    if not isinstance(body, dict):
        raise ValueError("behaviour must be a JSON object")
    unknown = sorted(set(body) - set(DEFAULT_BEHAVIOUR))
    if unknown:
        raise ValueError(f"unknown behaviour keys: {unknown}")
    out = copy.deepcopy(DEFAULT_BEHAVIOUR)
    for key, value in body.items():
        if value is None:
            continue  # null means "default"
        default = DEFAULT_BEHAVIOUR[key]
        if isinstance(default, (int, float)):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
            if not ok:
                raise ValueError(f"{key} must be a non-negative number")
        elif isinstance(default, list):
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ValueError(f"{key} must be a list of strings")
        elif key.endswith("_by_name"):
            if not (
                isinstance(value, dict)
                and all(isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for k, v in value.items())
            ):
                raise ValueError(f"{key} must be an object of name pattern to non-negative number")
        elif not (
            isinstance(value, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        ):
            raise ValueError(f"{key} must be an object of string to string")
        out[key] = value
    return out


def _match(patterns: Any, name: str) -> str | None:
    """Return the pattern matching ``name``: an exact entry first, else the
    longest "prefix*" entry whose prefix ``name`` starts with."""
    if name in patterns:
        return name
    prefixes = [p for p in patterns if p.endswith("*") and name.startswith(p[:-1])]
    return max(prefixes, key=len) if prefixes else None


def _lookup(mapping: dict[str, str], name: str) -> str | None:
    pattern = _match(mapping, name)
    return None if pattern is None else mapping[pattern]


# ---------------------------------------------------------------------------
# Timing: the emulator's own share of the time, and when timed states ended
# ---------------------------------------------------------------------------

# The bench (internal/bench) reports how much of a phase's wall time the
# emulator itself spent answering, and how late the provider's waits noticed
# a timed transition. Status is evaluated lazily (at the first read after the
# configured duration), so the read that ends a timed state is the first one
# that could see it: its lateness is how long after the due time it came.
# Both are cleared by POST /_sagesafe/calls/reset with the call counts.

_call_seconds: dict[str, float] = {}
_transitions: list[dict[str, Any]] = []
# Wall time with at least one AWS request in the emulator: requests overlap
# (and share one interpreter), so the per-call sums above overstate it.
_busy: dict[str, float] = {"inflight": 0, "since": 0.0, "seconds": 0.0}


def call_started() -> float:
    """Mark an AWS request as in the emulator; returns its start time."""
    now = time.monotonic()
    with _LOCK:
        if _busy["inflight"] == 0:
            _busy["since"] = now
        _busy["inflight"] += 1
    return now


def call_ended(key: str, started: float) -> None:
    """Add the time spent answering one call of ``key``."""
    now = time.monotonic()
    with _LOCK:
        _call_seconds[key] = _call_seconds.get(key, 0.0) + now - started
        _busy["inflight"] -= 1
        if _busy["inflight"] == 0:
            _busy["seconds"] += now - _busy["since"]


def call_seconds() -> dict[str, Any]:
    """GET /_sagesafe/call-seconds."""
    busy = _busy["seconds"]
    if _busy["inflight"]:
        busy += time.monotonic() - _busy["since"]
    return {"busy_seconds": busy, "by_call": _call_seconds}


def note_transition(kind: str, name: str, st: dict[str, Any]) -> None:
    """Record that the timed state ``st`` (t0 and seconds, monotonic) of
    object ``name`` was seen ended by a read now."""
    late = time.monotonic() - (st["t0"] + st["seconds"])
    with _LOCK:
        _transitions.append({"kind": kind, "name": name, "seconds": st["seconds"], "late_seconds": round(late, 3)})


def clear_timing() -> None:
    with _LOCK:
        _call_seconds.clear()
        _transitions.clear()
        _busy["seconds"], _busy["since"] = 0.0, time.monotonic()


# ---------------------------------------------------------------------------
# SageMaker endpoints: Creating / Updating / Failed / rollback, UpdateEndpoint
# ---------------------------------------------------------------------------

# Emulator bookkeeping per moto object. Kept out of the objects themselves
# because moto serialises every attribute of its SageMaker objects; weak keys
# let moto's own reset (/moto-api/reset) drop the entries with the objects.
_endpoint_state: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()
_job_state: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


def _pending_summary(config: Any, start: Any) -> dict[str, Any]:
    """DescribeEndpoint.PendingDeploymentSummary for a deployment of ``config``."""
    variants = []
    for pv in config.production_variants:
        v: dict[str, Any] = {"VariantName": pv["VariantName"]}
        if "InitialInstanceCount" in pv:
            v["DesiredInstanceCount"] = pv["InitialInstanceCount"]
        if "InitialVariantWeight" in pv:
            v["DesiredWeight"] = pv["InitialVariantWeight"]
        if "InstanceType" in pv:
            v["InstanceType"] = pv["InstanceType"]
        variants.append(v)
    return {
        "EndpointConfigName": config.endpoint_config_name,
        "ProductionVariants": variants,
        "StartTime": start,
    }


def _advance_endpoint(ep: Any) -> None:
    """Finish a Creating/Updating phase whose configured duration has passed."""
    with _LOCK:
        st = _endpoint_state.get(ep)
        if not st or time.monotonic() - st["t0"] < st["seconds"]:
            return
        del _endpoint_state[ep]
        note_transition("endpoint-" + st["phase"], ep.endpoint_name, st)
        ep.pending_deployment_summary = None
        ep.last_modified_time = utcnow()
        if st["phase"] == "creating":
            if st["fail"] is not None:
                ep.endpoint_status = "Failed"
                ep.failure_reason = st["fail"]
            else:
                ep.endpoint_status = "InService"
            return
        # phase == "updating"
        ep.endpoint_status = "InService"
        if st["rollback"]:
            # SageMaker's auto-rollback: back in service on the OLD config. The
            # FailureReason is often empty in practice, so it is only set when
            # the test asked for one (rollback_failure_reasons).
            ep.failure_reason = st["rollback_reason"]
            return
        new_config = st["new_config"]
        ep.failure_reason = None
        ep.endpoint_config_name = new_config.endpoint_config_name
        ep.production_variants = ep._process_production_variants(new_config.production_variants)
        ep.data_capture_config = new_config.data_capture_config


def _existing_endpoint(backend: Any, name: str) -> Any:
    ep = backend.endpoints.get(name)
    if ep is None:
        arn = sm_models.FakeEndpoint.arn_formatter(name, backend.account_id, backend.region_name)
        raise ValidationError(message=f"Could not find endpoint '{arn}'.")
    _advance_endpoint(ep)
    return ep


def _wrap_advance_all(attr: str, collection: str, advance: Any) -> None:
    """Patch backend method ``attr`` to advance every object in ``collection`` first."""
    original = getattr(SageMakerBackend, attr)

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        for obj in list(getattr(self, collection).values()):
            advance(obj)
        return original(self, *args, **kwargs)

    wrapper.__name__ = original.__name__
    wrapper.__doc__ = original.__doc__
    setattr(SageMakerBackend, attr, wrapper)


_orig_create_endpoint = SageMakerResponse.create_endpoint


def _create_endpoint(self: Any) -> Any:
    """CreateEndpoint: reject duplicates; optional Creating period and failure."""
    name = self._get_param("EndpointName")
    backend = self.sagemaker_backend
    if name in backend.endpoints:
        arn = sm_models.FakeEndpoint.arn_formatter(name, backend.account_id, backend.region_name)
        raise ValidationError(message=f'Cannot create already existing endpoint "{arn}".')
    result = _orig_create_endpoint(self)
    ep = backend.endpoints[name]
    with _LOCK:
        seconds = _behaviour["endpoint_creating_seconds"]
        fail = _lookup(_behaviour["fail_endpoints"], name)
        if seconds or fail is not None:
            ep.endpoint_status = "Creating"
            ep.pending_deployment_summary = _pending_summary(
                backend.endpoint_configs[ep.endpoint_config_name], ep.creation_time
            )
            _endpoint_state[ep] = {
                "phase": "creating",
                "t0": time.monotonic(),
                "seconds": seconds,
                "fail": fail,
            }
    _advance_endpoint(ep)
    return result


def _update_endpoint(self: Any) -> Any:
    """UpdateEndpoint (moto: not implemented).

    Status Updating for endpoint_updating_seconds, then InService on the new
    config, or on the OLD config if the endpoint matches rollback_endpoints.
    While Updating, EndpointConfigName is still the old config and
    PendingDeploymentSummary names the new one, as in SageMaker.
    DeploymentConfig is echoed as LastDeploymentConfig. RetainAllVariantProperties
    and ExcludeRetainedVariantProperties are accepted and recorded only.
    """
    backend = self.sagemaker_backend
    name = self._get_param("EndpointName")
    config_name = self._get_param("EndpointConfigName")
    ep = _existing_endpoint(backend, name)
    config = backend.endpoint_configs.get(config_name)
    if config is None:
        arn = sm_models.FakeEndpointConfig.arn_formatter(
            config_name, backend.account_id, backend.region_name
        )
        raise ValidationError(message=f"Could not find endpoint configuration '{arn}'.")
    if ep.endpoint_status == "Failed":
        raise ValidationError(message=f'Cannot update failed endpoint "{ep.arn}".')
    if ep.endpoint_status != "InService":
        raise ValidationError(message=f'Cannot update in-progress endpoint "{ep.arn}".')

    deployment_config = self._get_param("DeploymentConfig")
    retain_deployment = bool(self._get_param("RetainDeploymentConfig", False))
    request = {
        "EndpointName": name,
        "EndpointConfigName": config_name,
        "PreviousEndpointConfigName": ep.endpoint_config_name,
        "RetainAllVariantProperties": self._get_param("RetainAllVariantProperties"),
        "ExcludeRetainedVariantProperties": self._get_param("ExcludeRetainedVariantProperties"),
        "DeploymentConfig": deployment_config,
        "RetainDeploymentConfig": self._get_param("RetainDeploymentConfig"),
    }
    with _LOCK:
        _endpoint_updates.append(copy.deepcopy(request))
        rollback = _match(_behaviour["rollback_endpoints"], name) is not None
        reason = _lookup(_behaviour["rollback_failure_reasons"], name) if rollback else None
        if deployment_config is not None or not retain_deployment:
            ep.last_deployment_config = deployment_config
        now = utcnow()
        ep.endpoint_status = "Updating"
        ep.failure_reason = None
        ep.last_modified_time = now
        ep.pending_deployment_summary = _pending_summary(config, now)
        _endpoint_state[ep] = {
            "phase": "updating",
            "t0": time.monotonic(),
            "seconds": _behaviour["endpoint_updating_seconds"],
            "new_config": config,
            "rollback": rollback,
            "rollback_reason": reason or None,
        }
    _advance_endpoint(ep)
    return ActionResult({"EndpointArn": ep.arn})


# ---------------------------------------------------------------------------
# SageMaker training jobs: InProgress period, forced failure, StopTrainingJob
# ---------------------------------------------------------------------------


def _advance_job(job: Any) -> None:
    """Recompute a training job's status from the time since create/stop."""
    with _LOCK:
        st = _job_state.get(job)
        if not st:
            return
        now = time.monotonic()
        if st["stop_t0"] is not None:
            if now - st["stop_t0"] < st["stop_seconds"]:
                job.training_job_status = job.secondary_status = "Stopping"
                return
            job.training_job_status = job.secondary_status = "Stopped"
        elif now - st["t0"] < st["seconds"]:
            job.training_job_status = "InProgress"
            # Starting for the first half of the period, then Training.
            half = (now - st["t0"]) < st["seconds"] / 2
            job.secondary_status = "Starting" if half else "Training"
            return
        elif st["fail"] is not None:
            note_transition("training", job.training_job_name, st)
            job.training_job_status = job.secondary_status = "Failed"
            job.failure_reason = st["fail"]
        else:
            note_transition("training", job.training_job_name, st)
            job.training_job_status = job.secondary_status = "Completed"
        del _job_state[job]
        job.training_end_time = job.last_modified_time = utcnow()
        _set_job_seconds(job)


def _set_job_seconds(job: Any) -> None:
    """TrainingTimeInSeconds/BillableTimeInSeconds of an ended job (moto
    never sets them): whole seconds from start to end, at least 1, as
    SageMaker reports. Billable equals training: nothing here models spot
    savings."""
    seconds = 1
    if job.training_start_time and job.training_end_time:
        seconds = max(1, math.ceil((job.training_end_time - job.training_start_time).total_seconds()))
    job.training_time_in_seconds = job.billable_time_in_seconds = seconds


_orig_create_training_job = SageMakerResponse.create_training_job


def _create_training_job(self: Any) -> Any:
    """CreateTrainingJob: reject duplicates, keep AlgorithmSpecification as sent
    (moto overwrites MetricDefinitions with a fake one), optional InProgress
    period and forced failure."""
    name = self._get_param("TrainingJobName")
    backend = self.sagemaker_backend
    if name in backend.training_jobs:
        arn = sm_models.FakeTrainingJob.arn_formatter(name, backend.account_id, backend.region_name)
        raise ResourceInUseException(
            message="Training job names must be unique within an AWS account and region, "
            f"and a training job with this name already exists ({arn})"
        )
    algorithm = copy.deepcopy(self._get_param("AlgorithmSpecification"))
    result = _orig_create_training_job(self)
    job = backend.training_jobs[name]
    job.algorithm_specification = algorithm
    with _LOCK:
        seconds = _behaviour["training_in_progress_seconds"]
        by_name = _match(_behaviour["training_in_progress_by_name"], name)
        if by_name is not None:
            seconds = _behaviour["training_in_progress_by_name"][by_name]
        fail = _lookup(_behaviour["fail_training_jobs"], name)
        if seconds or fail is not None:
            job.training_end_time = None
            _job_state[job] = {
                "t0": time.monotonic(),
                "seconds": seconds,
                "fail": fail,
                "stop_t0": None,
                "stop_seconds": 0,
            }
    _advance_job(job)
    with _LOCK:
        if job not in _job_state:  # ended at once (no InProgress period)
            _set_job_seconds(job)
    return result


def _stop_training_job(self: Any) -> Any:
    """StopTrainingJob (moto: not implemented): InProgress -> Stopping for
    training_stopping_seconds -> Stopped. Any other status is rejected."""
    name = self._get_param("TrainingJobName")
    job = self.sagemaker_backend.training_jobs.get(name)
    if job is None:
        raise ResourceNotFound(message="Requested resource not found.")
    _advance_job(job)
    with _LOCK:
        if job.training_job_status != "InProgress":
            raise ValidationError(
                message="The request was rejected because the training job is in status "
                f"{job.training_job_status}."
            )
        st = _job_state[job]
        st["stop_t0"] = time.monotonic()
        st["stop_seconds"] = _behaviour["training_stopping_seconds"]
    _advance_job(job)
    return EmptyResult()


# ---------------------------------------------------------------------------
# SageMaker processing jobs: ProcessingResources and Environment kept,
# duplicates refused, InProgress period, StopProcessingJob
# ---------------------------------------------------------------------------
#
# moto 5.2.1 stores a processing job without its ProcessingResources (so the
# volume key is lost) and Environment, overwrites a job of the same name, ends
# every job Completed at once, and has no StopProcessingJob (5.2.3 adds it).

_processing_state: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


def _advance_processing_job(job: Any) -> None:
    """Recompute a processing job's status from the time since create/stop."""
    with _LOCK:
        st = _processing_state.get(job)
        if not st:
            return
        now = time.monotonic()
        if st["stop_t0"] is not None:
            if now - st["stop_t0"] < st["stop_seconds"]:
                job.processing_job_status = "Stopping"
                return
            job.processing_job_status = "Stopped"
        elif now - st["t0"] < st["seconds"]:
            job.processing_job_status = "InProgress"
            return
        else:
            job.processing_job_status = "Completed"
        del _processing_state[job]
        job.processing_end_time = job.last_modified_time = utcnow()


_orig_create_processing_job = SageMakerResponse.create_processing_job


def _create_processing_job(self: Any) -> Any:
    """CreateProcessingJob: reject duplicates, keep ProcessingResources and
    Environment as sent, optional InProgress period."""
    name = self._get_param("ProcessingJobName")
    backend = self.sagemaker_backend
    if name in backend.processing_jobs:
        arn = sm_models.FakeProcessingJob.arn_formatter(name, backend.account_id, backend.region_name)
        raise ResourceInUseException(
            message="Processing job names must be unique within an AWS account and region, "
            f"and a processing job with this name already exists ({arn})"
        )
    result = _orig_create_processing_job(self)
    job = backend.processing_jobs[name]
    job.processing_resources = copy.deepcopy(self._get_param("ProcessingResources"))
    job.environment = copy.deepcopy(self._get_param("Environment"))
    job.processing_start_time = job.creation_time
    with _LOCK:
        seconds = _behaviour["processing_in_progress_seconds"]
        by_name = _match(_behaviour["processing_in_progress_by_name"], name)
        if by_name is not None:
            seconds = _behaviour["processing_in_progress_by_name"][by_name]
        if seconds:
            job.processing_end_time = None
            _processing_state[job] = {"t0": time.monotonic(), "seconds": seconds, "stop_t0": None, "stop_seconds": 0}
    _advance_processing_job(job)
    return result


def _stop_processing_job(self: Any) -> Any:
    """StopProcessingJob (moto 5.2.1: missing): InProgress -> Stopping for
    processing_stopping_seconds -> Stopped. Any other status is rejected."""
    name = self._get_param("ProcessingJobName")
    job = self.sagemaker_backend.processing_jobs.get(name)
    if job is None:
        raise ResourceNotFound(message="Requested resource not found.")
    _advance_processing_job(job)
    with _LOCK:
        if job.processing_job_status != "InProgress":
            raise ValidationError(
                message="The request was rejected because the processing job is in status "
                f"{job.processing_job_status}."
            )
        st = _processing_state[job]
        st["stop_t0"] = time.monotonic()
        st["stop_seconds"] = _behaviour["processing_stopping_seconds"]
    _advance_processing_job(job)
    return EmptyResult()


def install_processing_patches() -> None:
    """The processing-job patches above."""
    SageMakerResponse.create_processing_job = _create_processing_job
    SageMakerResponse.stop_processing_job = _stop_processing_job
    _wrap_advance_all("describe_processing_job", "processing_jobs", _advance_processing_job)
    _wrap_advance_all("list_processing_jobs", "processing_jobs", _advance_processing_job)


# ---------------------------------------------------------------------------
# SageMaker monitoring schedules (moto 5.2.1: none of the calls)
# ---------------------------------------------------------------------------
#
# Create/Describe/Update/Delete/List/Stop/StartMonitoringSchedule. The
# configuration is kept exactly as sent; a created or updated schedule is
# Pending for monitoring_pending_seconds, then Scheduled (advanced on every
# describe and list, like the other patches). Tags live on the schedule and
# are reached through SageMaker's AddTags/ListTags/DeleteTags by ARN.


class _MonitoringSchedule:
    def __init__(self, backend: Any, name: str, config: dict[str, Any], tags: list[dict[str, str]]) -> None:
        self.name = name
        self.arn = f"arn:aws:sagemaker:{backend.region_name}:{backend.account_id}:monitoring-schedule/{name}"
        self.config = copy.deepcopy(config)
        self.tags = list(tags or [])
        self.creation_time = self.last_modified_time = utcnow()
        self.status = "Pending"
        self.t0 = time.monotonic()

    def advance(self) -> None:
        with _LOCK:
            if self.status == "Pending" and time.monotonic() - self.t0 >= _behaviour["monitoring_pending_seconds"]:
                self.status = "Scheduled"

    def endpoint_name(self) -> str | None:
        for i in (self.config.get("MonitoringJobDefinition") or {}).get("MonitoringInputs") or []:
            if "EndpointInput" in i:
                return i["EndpointInput"].get("EndpointName")
        return None

    def summary(self) -> dict[str, Any]:
        out = {
            "MonitoringScheduleName": self.name,
            "MonitoringScheduleArn": self.arn,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "MonitoringScheduleStatus": self.status,
            "MonitoringType": self.config.get("MonitoringType", "DataQuality"),
        }
        if self.endpoint_name():
            out["EndpointName"] = self.endpoint_name()
        return out


def _monitoring_schedules(backend: Any) -> dict[str, _MonitoringSchedule]:
    if not hasattr(backend, "sagesafe_monitoring_schedules"):
        backend.sagesafe_monitoring_schedules = {}
    return backend.sagesafe_monitoring_schedules


def _existing_monitoring_schedule(self: Any) -> _MonitoringSchedule:
    name = self._get_param("MonitoringScheduleName")
    sched = _monitoring_schedules(self.sagemaker_backend).get(name)
    if sched is None:
        raise ResourceNotFound(message=f"Monitoring schedule {name} does not exist.")
    sched.advance()
    return sched


def _create_monitoring_schedule(self: Any) -> Any:
    """CreateMonitoringSchedule: duplicate names are ResourceInUse."""
    name = self._get_param("MonitoringScheduleName")
    store = _monitoring_schedules(self.sagemaker_backend)
    if name in store:
        raise ResourceInUseException(message=f"Monitoring schedule {name} already exists.")
    sched = _MonitoringSchedule(self.sagemaker_backend, name, self._get_param("MonitoringScheduleConfig"), self._get_param("Tags"))
    store[name] = sched
    sched.advance()
    return ActionResult({"MonitoringScheduleArn": sched.arn})


def _describe_monitoring_schedule(self: Any) -> Any:
    sched = _existing_monitoring_schedule(self)
    out = sched.summary()
    out["MonitoringScheduleConfig"] = copy.deepcopy(sched.config)
    return ActionResult(out)


def _update_monitoring_schedule(self: Any) -> Any:
    """UpdateMonitoringSchedule: replaces the configuration, Pending again;
    a stopped schedule stays Stopped until started."""
    sched = _existing_monitoring_schedule(self)
    with _LOCK:
        sched.config = copy.deepcopy(self._get_param("MonitoringScheduleConfig"))
        sched.last_modified_time = utcnow()
        if sched.status != "Stopped":
            sched.status, sched.t0 = "Pending", time.monotonic()
    sched.advance()
    return ActionResult({"MonitoringScheduleArn": sched.arn})


def _delete_monitoring_schedule(self: Any) -> Any:
    sched = _existing_monitoring_schedule(self)
    del _monitoring_schedules(self.sagemaker_backend)[sched.name]
    return EmptyResult()


def _monitoring_status_setter(status: str) -> Any:
    def handler(self: Any) -> Any:
        sched = _existing_monitoring_schedule(self)
        with _LOCK:
            sched.status = status
            sched.last_modified_time = utcnow()
        return EmptyResult()

    handler.__name__ = "start_monitoring_schedule" if status == "Scheduled" else "stop_monitoring_schedule"
    return handler


def _list_monitoring_schedules(self: Any) -> Any:
    """ListMonitoringSchedules: NameContains and EndpointName filters, one page."""
    contains = self._get_param("NameContains") or ""
    endpoint = self._get_param("EndpointName")
    out = []
    for sched in sorted(_monitoring_schedules(self.sagemaker_backend).values(), key=lambda s: s.name):
        sched.advance()
        if contains in sched.name and (endpoint is None or sched.endpoint_name() == endpoint):
            out.append(sched.summary())
    return ActionResult({"MonitoringScheduleSummaries": out})


_orig_resource_from_arn = SageMakerBackend._get_resource_from_arn


def _resource_from_arn(self: Any, arn: str) -> Any:
    """Tags by ARN reach monitoring schedules too."""
    kind, _, name = arn.split(":")[-1].partition("/")
    if kind == "monitoring-schedule":
        sched = _monitoring_schedules(self).get(name)
        if sched is None:
            raise ValidationError(message=f"Could not find monitoring schedule {arn}.")
        return sched
    return _orig_resource_from_arn(self, arn)


def install_monitoring_schedule_patches() -> None:
    """The monitoring-schedule patches above."""
    SageMakerResponse.create_monitoring_schedule = _create_monitoring_schedule
    SageMakerResponse.describe_monitoring_schedule = _describe_monitoring_schedule
    SageMakerResponse.update_monitoring_schedule = _update_monitoring_schedule
    SageMakerResponse.delete_monitoring_schedule = _delete_monitoring_schedule
    SageMakerResponse.list_monitoring_schedules = _list_monitoring_schedules
    SageMakerResponse.start_monitoring_schedule = _monitoring_status_setter("Scheduled")
    SageMakerResponse.stop_monitoring_schedule = _monitoring_status_setter("Stopped")
    SageMakerBackend._get_resource_from_arn = _resource_from_arn


# ---------------------------------------------------------------------------
# CloudWatch Logs: a metric filter needs its log group, and deleting one that
# does not exist is ResourceNotFoundException (sagesafe_model_monitor)
# ---------------------------------------------------------------------------

from moto.logs.models import LogsBackend  # noqa: E402  (moto imported above)

_orig_put_metric_filter = LogsBackend.put_metric_filter
_orig_delete_metric_filter = LogsBackend.delete_metric_filter


def _put_metric_filter_needs_group(self: Any, filter_name: str, filter_pattern: str, log_group_name: str, metric_transformations: Any) -> None:
    """PutMetricFilter (moto: accepts any group name). CloudWatch Logs
    answers ResourceNotFoundException when the log group does not exist, so
    a resource must make the group before its filters."""
    if log_group_name not in self.groups:
        raise ResourceNotFoundException("The specified log group does not exist.")
    _orig_put_metric_filter(self, filter_name, filter_pattern, log_group_name, metric_transformations)


def _delete_metric_filter_not_found(self: Any, filter_name: str | None = None, log_group_name: str | None = None) -> None:
    """DeleteMetricFilter (moto: succeeds for a filter that does not exist).
    CloudWatch Logs answers ResourceNotFoundException, which is what a delete
    retried after a lost answer meets."""
    matching = self.filters.get_matching_filters(prefix=filter_name, log_group_name=log_group_name)
    if not any(f["filterName"] == filter_name for f in matching):
        raise ResourceNotFoundException("The specified metric filter does not exist.")
    _orig_delete_metric_filter(self, filter_name, log_group_name)


def install_metric_filter_existence_patches() -> None:
    """The metric filter existence patches above."""
    LogsBackend.put_metric_filter = _put_metric_filter_needs_group
    LogsBackend.delete_metric_filter = _delete_metric_filter_not_found


# ---------------------------------------------------------------------------
# SageMaker models and endpoint configs
# ---------------------------------------------------------------------------

_orig_create_model = SageMakerResponse.create_model


def _create_model(self: Any) -> Any:
    """CreateModel: reject duplicates (moto overwrites) and store
    EnableNetworkIsolation (moto always reports false)."""
    name = self._get_param("ModelName")
    backend = self.sagemaker_backend
    if name in backend._models:
        arn = sm_models.arn_formatter("model", name, backend.account_id, backend.region_name)
        raise ValidationError(message=f'Cannot create already existing model "{arn}".')
    result = _orig_create_model(self)
    backend._models[name].enable_network_isolation = bool(
        self._get_param("EnableNetworkIsolation", False)
    )
    return result


_orig_create_endpoint_config = SageMakerResponse.create_endpoint_config


def _create_endpoint_config(self: Any) -> Any:
    """CreateEndpointConfig: reject duplicates (moto overwrites) and store
    ShadowProductionVariants (moto drops them), which DescribeEndpointConfig
    then returns like ProductionVariants. Their models must exist and their
    instance types be valid, as for ProductionVariants."""
    name = self._get_param("EndpointConfigName")
    backend = self.sagemaker_backend
    if name in backend.endpoint_configs:
        arn = sm_models.FakeEndpointConfig.arn_formatter(
            name, backend.account_id, backend.region_name
        )
        raise ValidationError(
            message=f'Cannot create already existing endpoint configuration "{arn}".'
        )
    shadows = copy.deepcopy(self._get_param("ShadowProductionVariants"))
    if shadows:
        backend.validate_production_variants(shadows)  # the models exist
        for variant in shadows:
            if "InstanceType" in variant:
                _validate_instance_type(None, variant["InstanceType"])
    result = _orig_create_endpoint_config(self)
    if shadows:
        # moto's response_object serves every attribute with "_" in CamelCase:
        # this one as "ShadowProductionVariants" (absent when never set).
        backend.endpoint_configs[name].shadow_production_variants = shadows
    return result


_INSTANCE_TYPES: frozenset[str] = frozenset(
    botocore.session.get_session()
    .get_service_model("sagemaker")
    .shape_for("ProductionVariantInstanceType")
    .enum
)


def _validate_instance_type(self: Any, instance_type: str) -> None:
    """moto hard-codes an old instance list (no ml.g5.*, ml.p4d.*, ...); use the
    ProductionVariantInstanceType enum of the installed botocore instead."""
    if instance_type not in _INSTANCE_TYPES:
        raise ValidationError(
            message=f"Value '{instance_type}' at 'instanceType' failed to satisfy "
            "constraint: Member must satisfy enum value set"
        )


def _add_tags(self: Any, arn: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
    """AddTags: an existing key gets the new value (moto appends a duplicate)."""
    resource = self._get_resource_from_arn(arn)
    new = {t["Key"]: t for t in tags}
    resource.tags = [t for t in resource.tags if t["Key"] not in new] + list(new.values())
    return resource.tags


# ---------------------------------------------------------------------------
# CloudWatch Logs: AssociateKmsKey / DisassociateKmsKey
# ---------------------------------------------------------------------------


def _log_group_for(self: Any) -> Any:
    name = self._get_param("logGroupName")
    ident = self._get_param("resourceIdentifier")
    if bool(name) == bool(ident):
        raise InvalidParameterException(
            msg="Exactly one of logGroupName or resourceIdentifier must be specified."
        )
    if ident:
        m = re.fullmatch(r"arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?", ident)
        if not m:
            raise InvalidParameterException(
                msg="resourceIdentifier must be a log group ARN in this emulator."
            )
        name = m.group(1)
    group = self.logs_backend.groups.get(name)
    if group is None:
        raise ResourceNotFoundException()
    return group


def _associate_kms_key(self: Any) -> str:
    """AssociateKmsKey (moto: not implemented). Sets the key that
    DescribeLogGroups reports; does not check that the key exists or that its
    policy lets CloudWatch Logs use it."""
    _log_group_for(self).kms_key_id = self._get_param("kmsKeyId")
    return ""


def _disassociate_kms_key(self: Any) -> str:
    """DisassociateKmsKey (moto: not implemented)."""
    _log_group_for(self).kms_key_id = None
    return ""


# ---------------------------------------------------------------------------
# CloudTrail: CreateTrail of a name in use
# ---------------------------------------------------------------------------


def _create_trail_once(original: Any) -> Any:
    """CreateTrail (moto: a second create of a name silently replaces the
    trail with the new request's settings). Real CloudTrail answers
    TrailAlreadyExistsException, which is what a retry after a lost answer
    gets, so the provider's find-before-retry is tested against that."""

    def create_trail(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if name in self.trails:
            raise JsonRESTError("TrailAlreadyExistsException", f"Trail {name} already exists for customer: {self.account_id}")
        return original(self, name, *args, **kwargs)

    create_trail.__wrapped__ = original  # type: ignore[attr-defined]
    return create_trail


# ---------------------------------------------------------------------------
# Budgets: UpdateBudget, DescribeSubscribersForNotification, CreateNotification once
# ---------------------------------------------------------------------------

from moto.budgets.exceptions import DuplicateRecordException  # noqa: E402
from moto.budgets.exceptions import NotFoundException as BudgetNotFound  # noqa: E402
from moto.budgets.models import Budget as BudgetModel  # noqa: E402
from moto.budgets.models import BudgetsBackend  # noqa: E402
from moto.budgets.responses import BudgetsResponse  # noqa: E402


def _stored_budget(self: Any, name: str) -> Any:
    budgets = self.backend.budgets[self._get_param("AccountId")]
    if name not in budgets:
        raise BudgetNotFound(f"Unable to update budget: {name} - the budget doesn't exist.")
    return budgets[name]


def _check_budget_form(budget: dict[str, Any]) -> None:
    """Refuses a budget in a form AWS documents as invalid (moto accepts any):
    FilterExpression requires Metrics, and Metrics conflicts with the
    deprecated CostTypes (terraform-provider-aws and Pulumi, aws_budgets_budget;
    the SDK deprecates CostTypes for Metrics). CreateBudget and UpdateBudget
    document InvalidParameterException for invalid parameters; the message
    is ours, not AWS's."""
    if "FilterExpression" in budget and not budget.get("Metrics"):
        raise JsonRESTError("InvalidParameterException", "FilterExpression requires Metrics")
    if budget.get("Metrics") and "CostTypes" in budget:
        raise JsonRESTError("InvalidParameterException", "Metrics cannot be combined with CostTypes")


def _create_budget_checked(original: Any) -> Any:
    """CreateBudget, refusing the forms _check_budget_form refuses."""

    def create_budget(self: Any, account_id: str, budget: dict[str, Any], notifications: list[dict[str, Any]]) -> None:
        _check_budget_form(budget)
        original(self, account_id, budget, notifications)

    create_budget.__wrapped__ = original  # type: ignore[attr-defined]
    return create_budget


def _budget_to_dict(original: Any) -> Any:
    """DescribeBudget's budget (moto adds the default CostTypes to every cost
    budget): a budget on Metrics comes back without CostTypes, which conflict
    with them, so a describe-edit-update round trip is accepted, as on AWS."""

    def to_dict(self: Any) -> dict[str, Any]:
        out = original(self)
        if self.budget.get("Metrics") and "CostTypes" not in self.budget:
            out.pop("CostTypes", None)
        return out

    to_dict.__wrapped__ = original  # type: ignore[attr-defined]
    return to_dict


def install_budget_form_patches() -> None:
    if not hasattr(BudgetsBackend.create_budget, "__wrapped__"):
        BudgetsBackend.create_budget = _create_budget_checked(BudgetsBackend.create_budget)
    if not hasattr(BudgetModel.to_dict, "__wrapped__"):
        BudgetModel.to_dict = _budget_to_dict(BudgetModel.to_dict)


def _update_budget(self: Any) -> str:
    """UpdateBudget (moto: not implemented). Replaces the budget's settings
    as AWS does, keeping its notifications and subscribers (they have their
    own calls)."""
    new = self._get_param("NewBudget")
    b = _stored_budget(self, new["BudgetName"])
    _check_budget_form(new)
    if "BudgetLimit" not in new and "PlannedBudgetLimits" not in new:
        raise JsonRESTError("InvalidParameterException", "Unable to update budget - please provide a Budget Limit")
    new.setdefault("TimePeriod", b.budget.get("TimePeriod"))
    new["LastUpdatedTime"] = time.time()
    b.budget = new
    return json.dumps({})


def _create_notification_once(original: Any) -> Any:
    """CreateNotification (moto: a second create of the same notification
    adds a duplicate). AWS answers DuplicateRecordException, which is what a
    retry after a lost answer gets."""

    def create_notification(self: Any, account_id: str, budget_name: str, notification: Any, subscribers: Any) -> None:
        budget = self.budgets[account_id].get(budget_name)
        if budget is not None and notification in budget.get_notifications():
            raise DuplicateRecordException(record_type="notification", record_name=budget_name)
        original(self, account_id, budget_name, notification, subscribers)

    create_notification.__wrapped__ = original  # type: ignore[attr-defined]
    return create_notification


def _describe_subscribers_for_notification(self: Any) -> str:
    """DescribeSubscribersForNotification (moto: not implemented; moto keeps
    the subscribers CreateBudget and CreateNotification were given)."""
    b = _stored_budget(self, self._get_param("BudgetName"))
    want = self._get_param("Notification")
    for n in b.notifications:
        if n.details == want:
            return json.dumps({"Subscribers": n.subscribers})
    raise BudgetNotFound("Unable to describe subscribers - the notification doesn't exist.")


# ---------------------------------------------------------------------------
# Budgets: tags (CreateBudget's ResourceTags, TagResource, UntagResource,
# ListTagsForResource)
# ---------------------------------------------------------------------------
#
# moto 5.2.1 drops CreateBudget's ResourceTags and has no tag calls. The
# provider writes its creation token as a tag on create and adopts a budget
# a killed apply left only when that tag is there, so the emulator keeps
# them, per budget ARN (arn:aws:budgets::<account>:budget/<name>), and drops
# them with the budget. FilterExpression needs no patch: moto stores the
# Budget structure as sent and returns it (test_budget_filter_expression).


def _budget_tags(backend: Any) -> dict[str, dict[str, str]]:
    if not hasattr(backend, "_sagesafe_tags"):
        backend._sagesafe_tags = {}
    return backend._sagesafe_tags


def _budget_arn(account: str, name: str) -> str:
    return f"arn:aws:budgets::{account}:budget/{name}"


def _tagged_budget(self: Any) -> str:
    """The ARN asked for, which must name an existing budget."""
    arn = self._get_param("ResourceARN")
    m = re.fullmatch(r"arn:aws:budgets::(\d{12}):budget/(.+)", arn or "")
    if m is None or m.group(2) not in self.backend.budgets[m.group(1)]:
        raise BudgetNotFound(f"Unable to find resource {arn}")
    return arn


def _create_budget_with_tags(original: Any) -> Any:
    """CreateBudget, keeping ResourceTags (moto drops them)."""

    def create_budget(self: Any) -> str:
        out = original(self)
        tags = self._get_param("ResourceTags") or []
        if tags:
            arn = _budget_arn(self._get_param("AccountId"), self._get_param("Budget")["BudgetName"])
            _budget_tags(self.backend)[arn] = {t["Key"]: t["Value"] for t in tags}
        return out

    create_budget.__wrapped__ = original  # type: ignore[attr-defined]
    return create_budget


def _delete_budget_with_tags(original: Any) -> Any:
    """DeleteBudget, dropping the budget's tags (a new budget of the same
    name starts without them, as on AWS)."""

    def delete_budget(self: Any) -> str:
        out = original(self)
        _budget_tags(self.backend).pop(_budget_arn(self._get_param("AccountId"), self._get_param("BudgetName")), None)
        return out

    delete_budget.__wrapped__ = original  # type: ignore[attr-defined]
    return delete_budget


def _list_budget_tags(self: Any) -> str:
    tags = _budget_tags(self.backend).get(_tagged_budget(self), {})
    return json.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]})


def _tag_budget(self: Any) -> str:
    arn = _tagged_budget(self)
    _budget_tags(self.backend).setdefault(arn, {}).update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []})
    return json.dumps({})


def _untag_budget(self: Any) -> str:
    tags = _budget_tags(self.backend).get(_tagged_budget(self), {})
    for k in self._get_param("ResourceTagKeys") or []:
        tags.pop(k, None)
    return json.dumps({})


def _wrap_once(owner: Any, attr: str, wrapper: Any) -> None:
    """Replace owner.attr by wrapper(owner.attr) unless that was done (every
    wrapper here sets __wrapped__, by functools.wraps or by hand)."""
    original = getattr(owner, attr)
    if not hasattr(original, "__wrapped__"):
        setattr(owner, attr, wrapper(original))


def install_budget_tag_patches() -> None:
    _wrap_once(BudgetsResponse, "create_budget", _create_budget_with_tags)
    _wrap_once(BudgetsResponse, "delete_budget", _delete_budget_with_tags)
    BudgetsResponse.list_tags_for_resource = _list_budget_tags
    BudgetsResponse.tag_resource = _tag_budget
    BudgetsResponse.untag_resource = _untag_budget


# ---------------------------------------------------------------------------
# CloudWatch Logs: PutMetricFilter replaces a filter of the same name
# ---------------------------------------------------------------------------


def _add_filter(self: Any, filter_name: str, filter_pattern: str, log_group_name: str, metric_transformations: str) -> None:
    """PutMetricFilter (moto: appends another filter of the same name, so a
    put that restores a filter, or a retried put, leaves duplicates that a
    delete then removes only one of). Real CloudWatch Logs creates or
    replaces the filter by log group and name."""
    _delete_filter(self, filter_name, log_group_name)
    self.metric_filters.append(
        {
            "filterName": filter_name,
            "filterPattern": filter_pattern,
            "logGroupName": log_group_name,
            "metricTransformations": metric_transformations,
        }
    )


def _delete_filter(self: Any, filter_name: str | None = None, log_group_name: str | None = None) -> list[dict[str, Any]]:
    """DeleteMetricFilter (moto: removes from the list while iterating it,
    skipping the element after each match)."""
    self.metric_filters = [
        f for f in self.metric_filters if not (f["filterName"] == filter_name and f["logGroupName"] == log_group_name)
    ]
    return self.metric_filters


# ---------------------------------------------------------------------------
# KMS: remember the rotation period
# ---------------------------------------------------------------------------

_orig_enable_key_rotation = KmsResponse.enable_key_rotation


def _enable_key_rotation(self: Any) -> str:
    """EnableKeyRotation: store RotationPeriodInDays (AWS default 365)."""
    result = _orig_enable_key_rotation(self)
    key = self.kms_backend.keys[self.kms_backend.get_key_id(self._get_param("KeyId"))]
    key.sagesafe_rotation_period_in_days = self._get_param("RotationPeriodInDays") or 365
    return result


def _get_key_rotation_status(self: Any) -> str:
    """GetKeyRotationStatus: also return KeyId and, when enabled, RotationPeriodInDays."""
    key_id = self._get_param("KeyId")
    self._validate_cmk_id(key_id)
    key = self.kms_backend.keys[self.kms_backend.get_key_id(key_id)]
    out: dict[str, Any] = {"KeyId": key.arn, "KeyRotationEnabled": key.key_rotation_status}
    if key.key_rotation_status:
        out["RotationPeriodInDays"] = getattr(key, "sagesafe_rotation_period_in_days", 365)
    return json.dumps(out)


# ---------------------------------------------------------------------------
# KMS: keys of other accounts, by key ARN
# ---------------------------------------------------------------------------
#
# Real KMS answers a request for a key of another account when the request
# names the key by its ARN (and the key policy allows it). moto looks only in
# the caller's account. With this patch a KeyId that is a key ARN is served
# from the backend of the ARN's account and region, so a test can create a
# key in another account (moto's x-moto-account-id header) and hand its ARN
# to the provider. moto does not evaluate key policies: every such request is
# allowed.

_KEY_ARN = re.compile(r"^arn:[^:]+:kms:([^:]+):([0-9]{12}):key/")


def _kms_backend(self: Any) -> Any:
    m = _KEY_ARN.match(str(self._get_param("KeyId") or ""))
    if m:
        return kms_backends[m.group(2)][m.group(1)]
    return kms_backends[self.current_account][self.region]


# ---------------------------------------------------------------------------
# s3: ExpectedBucketOwner
# ---------------------------------------------------------------------------
#
# S3 refuses a request whose x-amz-expected-bucket-owner header names an
# account other than the bucket's owner with 403 AccessDenied (S3 User Guide:
# "Verifying bucket ownership with bucket owner condition"). moto ignores the
# header, and answers every account's buckets to every caller (its bucket
# names are global). With this patch a bucket- or object-level request that
# carries the header and names a bucket of another account is refused the way
# S3 refuses it. A bucket moto does not know is left to moto (NoSuchBucket).


def _check_expected_owner(self: Any) -> None:
    expected = self.headers.get("x-amz-expected-bucket-owner")
    owner = s3_backends.bucket_accounts.get(self.bucket_name or "")
    if expected and owner is not None and owner[1] != expected:
        raise S3AccessDeniedError()


def _bucket_permission(self: Any, action: str, resource: str) -> Any:
    """FakeBucket.get_permission, with conditions evaluated against
    aws:SecureTransport = true. moto evaluates a bucket policy's conditions
    without request context and treats a statement whose condition does not
    hold as a denial, whatever its effect, so the standard TLS-only statement
    (Deny when aws:SecureTransport is false) denies every object write and
    delete. Here a statement whose condition does not hold does not apply, as
    in IAM. The emulator stands in for AWS's TLS endpoints (plain http is
    allowed to it only because it is loopback, SS-TLS-1), so its requests
    count as secure transport."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    statements = json.loads(self.policy.decode()).get("Statement", [])
    permitted = False
    for raw in statements if isinstance(statements, list) else [statements]:
        if not _holds_over_tls(raw.get("Condition") or {}):
            continue
        result = IAMPolicyStatement(raw).is_action_permitted(action, resource)
        if result == PermissionResult.DENIED:
            return result
        permitted = permitted or result == PermissionResult.PERMITTED
    return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL


def _holds_over_tls(condition: dict[str, Any]) -> bool:
    """Whether a statement's aws:SecureTransport condition (Bool or
    BoolIfExists; moto ignores both) holds for a request over TLS. Other
    conditions are left to moto."""
    for op in ("Bool", "BoolIfExists"):
        values = (condition.get(op) or {}).get("aws:SecureTransport")
        if values is None:
            continue
        values = values if isinstance(values, list) else [values]
        if "true" not in [str(v).lower() for v in values]:
            return False
    return True


def _owner_checked(original: Any) -> Any:
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        _check_expected_owner(self)
        return original(self, *args, **kwargs)

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    return wrapper


# ---------------------------------------------------------------------------
# EC2: ClientToken idempotency
# ---------------------------------------------------------------------------
#
# EC2 honours ClientToken on the creates that take one ("Ensuring
# idempotency in Amazon EC2 API requests"): a request with the token of an
# earlier successful request and the same parameters returns the earlier
# answer and creates nothing; the same token with other parameters fails
# with IdempotentParameterMismatch. moto ignores the token and creates a
# second object, so a create retried after a lost answer would leave an
# orphan here that AWS would not. The SDKs fill ClientToken in themselves
# and send the same one on every retry of an operation.

#: EC2 creates with a ClientToken (botocore's ec2 model) that the provider or
#: its fixtures use, by moto's response method name.
CLIENT_TOKEN_ACTIONS = (
    "create_vpc_endpoint",
    "create_flow_logs",
    "create_route_table",
    "create_nat_gateway",
    "create_network_interface",
)

#: (account, region, Action, token) -> (parameters, first answer); oldest first.
_client_tokens: dict[tuple[str, str, str, str], tuple[Any, Any]] = {}
_CLIENT_TOKENS_MAX = 4096


def _with_client_token(original: Any) -> Any:
    def wrapper(self: Any) -> Any:
        token = self._get_param("ClientToken")
        if not token:
            return original(self)
        params = {k: v for k, v in self.querystring.items() if k not in ("ClientToken", "Action", "Version")}
        key = (self.current_account, self.region, original.__name__, token)
        with _LOCK:  # held across the create: a racing retry waits for the first answer
            if key in _client_tokens:
                first_params, answer = _client_tokens[key]
                if first_params != params:
                    raise EC2ClientError(
                        "IdempotentParameterMismatch",
                        "The client token you have provided is associated with a resource that "
                        "has different parameters than the ones in this request.",
                    )
                return answer
            answer = original(self)  # raises on failure: nothing remembered
            _client_tokens[key] = (params, answer)
            while len(_client_tokens) > _CLIENT_TOKENS_MAX:
                _client_tokens.pop(next(iter(_client_tokens)))
            return answer

    wrapper.__name__ = original.__name__
    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    return wrapper


# ---------------------------------------------------------------------------
# Installing the patches
# ---------------------------------------------------------------------------

#: What this launcher changes in moto, reported by /_sagesafe/health.
PATCHES = [
    "sagemaker:UpdateEndpoint (new)",
    "sagemaker:StopTrainingJob (new)",
    "sagemaker:CreateEndpoint (duplicates rejected; optional Creating/Failed)",
    "sagemaker:DescribeEndpoint/ListEndpoints (lazy status transitions)",
    "sagemaker:CreateTrainingJob (duplicates rejected; AlgorithmSpecification kept; optional InProgress/Failed)",
    "sagemaker:DescribeTrainingJob/ListTrainingJobs (lazy status transitions)",
    "sagemaker:DescribeTrainingJob (TrainingTimeInSeconds/BillableTimeInSeconds once ended)",
    "sagemaker:CreateModel (duplicates rejected; EnableNetworkIsolation stored)",
    "sagemaker:CreateEndpointConfig (duplicates rejected; botocore instance-type enum; ShadowProductionVariants stored)",
    "sagemaker:AddTags (existing keys overwritten)",
    "logs:AssociateKmsKey (new)",
    "logs:DisassociateKmsKey (new)",
    "kms:EnableKeyRotation/GetKeyRotationStatus (RotationPeriodInDays kept)",
    "kms: a KeyId that is a key ARN is served from that ARN's account and region",
    "cloudwatch:DisableAlarmActions/EnableAlarmActions (new)",
    "iam:RemoveRoleFromInstanceProfile (a role not in the profile: NoSuchEntity, not a 500)",
    "s3: ExpectedBucketOwner honoured (another account's bucket: 403 AccessDenied)",
    "ec2:CreateVpcEndpoint/CreateFlowLogs/CreateRouteTable/CreateNatGateway/CreateNetworkInterface (ClientToken idempotent)",
    "sns:GetTopicAttributes (SubscriptionsConfirmed/SubscriptionsPending counted); sns:Subscribe (email/http pending); sns:ConfirmSubscription (token = subscription ARN)",
    "protocol: Smithy RPC v2 CBOR requests served through moto's awsJson (CloudWatch, Resource Groups Tagging API from aws-sdk-go-v2)",
]


def _alarm_actions_setter(enabled: bool) -> Any:
    """DisableAlarmActions/EnableAlarmActions (moto raises NotImplementedError).

    Like CloudWatch, names of alarms that do not exist are ignored.
    """

    def handler(self: Any) -> Any:
        names = self._get_param("AlarmNames", [])
        with _LOCK:
            for alarm in self.cloudwatch_backend.get_alarms_by_alarm_names(names):
                alarm.actions_enabled = enabled
        return EmptyResult()

    return handler


def _remove_role_from_instance_profile(self: Any, profile_name: str, role_name: str) -> None:
    """RemoveRoleFromInstanceProfile: moto raises ValueError (a 500) when the
    role is not in the profile, e.g. when a retry follows a lost answer; IAM
    answers NoSuchEntity."""
    profile = self.get_instance_profile(profile_name)
    role = self.get_role(role_name)
    if role not in profile.roles:
        raise NoSuchEntity(f"The role with name {role_name} cannot be found in instance profile {profile_name}.")
    profile.roles.remove(role)


# ---------------------------------------------------------------------------
# SNS: subscription counts and confirmation
# ---------------------------------------------------------------------------
#
# moto 5.2.1 never counts a topic's subscriptions (GetTopicAttributes always
# answers SubscriptionsConfirmed and SubscriptionsPending 0), stores every
# subscription as confirmed-looking (PendingConfirmation false) and its
# ConfirmSubscription confirms nothing. sagesafe judges whether alarms notify
# someone by SubscriptionsConfirmed, so the emulator derives both counts from
# the topic's current subscriptions: sqs, lambda, application, firehose and
# sms subscriptions are active at once (moto delivers to them without a
# confirmation); email, email-json, http and https wait for
# ConfirmSubscription. AWS sends the token to the endpoint; the emulator
# sends nothing, so its token is the subscription's ARN (Subscribe's answer).

from moto.sns.exceptions import SNSInvalidParameter  # noqa: E402
from moto.sns.models import SNSBackend  # noqa: E402
from moto.sns.responses import SNSResponse  # noqa: E402

SNS_CONFIRMED_PROTOCOLS = frozenset({"sqs", "lambda", "application", "firehose", "sms"})
SNS_PENDING_PROTOCOLS = frozenset({"email", "email-json", "http", "https"})


def _sns_confirmed(sub: Any) -> bool:
    return sub.protocol in SNS_CONFIRMED_PROTOCOLS or getattr(sub, "_sagesafe_confirmed", False)


def _topic_subscriptions(self: Any, topic: Any) -> list[Any]:
    """The topic's subscriptions, held by the topic's backend or (made by
    another account or region) the caller's."""
    seen: dict[str, Any] = {}
    for backend in (topic.sns_backend, self.backend):
        for sub in backend.subscriptions.values():
            if sub.topic is topic:
                seen[sub.arn] = sub
    return list(seen.values())


def _get_topic_attributes_counted(original: Any) -> Any:
    """GetTopicAttributes with SubscriptionsConfirmed/SubscriptionsPending
    counted from the topic's current subscriptions."""

    @functools.wraps(original)
    def get_topic_attributes(self: Any) -> Any:
        topic = self.backend.get_topic(self._get_param("TopicArn"))
        subs = _topic_subscriptions(self, topic)
        topic.subscriptions_confimed = sum(1 for s in subs if _sns_confirmed(s))  # moto's spelling
        topic.subscriptions_pending = sum(1 for s in subs if not _sns_confirmed(s) and s.protocol in SNS_PENDING_PROTOCOLS)
        return original(self)

    return get_topic_attributes


def _subscribe_pending(original: Any) -> Any:
    """SNSBackend.subscribe: a new email/email-json/http/https subscription
    is PendingConfirmation until ConfirmSubscription (moto: false at once).
    A repeated Subscribe returns the existing subscription unchanged."""

    @functools.wraps(original)
    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        existed = self._find_subscription(topic_arn, endpoint, protocol) is not None
        sub = original(self, topic_arn, endpoint, protocol)
        if not existed and protocol in SNS_PENDING_PROTOCOLS:
            sub.attributes["PendingConfirmation"] = True
        return sub

    return subscribe


def _confirm_subscription(self: Any) -> Any:
    """ConfirmSubscription (moto: confirms nothing and answers a made-up ARN).
    The token is the pending subscription's ARN; confirming again is
    accepted, as AWS accepts a token until it expires."""
    topic = self.backend.get_topic(self._get_param("TopicArn"))
    token = self._get_param("Token") or ""
    for sub in _topic_subscriptions(self, topic):
        if sub.arn == token:
            sub._sagesafe_confirmed = True
            sub.attributes["PendingConfirmation"] = False
            return ActionResult({"SubscriptionArn": sub.arn})
    raise SNSInvalidParameter("Invalid token")


def install_sns_patches() -> None:
    """The SNS patches above (once)."""
    _wrap_once(SNSResponse, "get_topic_attributes", _get_topic_attributes_counted)
    _wrap_once(SNSBackend, "subscribe", _subscribe_pending)
    SNSResponse.confirm_subscription = _confirm_subscription


# ---------------------------------------------------------------------------
# Application Auto Scaling: "not found" as AWS answers it (endpoint autoscaling)
# ---------------------------------------------------------------------------
# moto 5.2.1 answers DeleteScalingPolicy and DeregisterScalableTarget on a
# missing policy or target with ValidationException; Application Auto Scaling
# answers ObjectNotFoundException, which the provider treats as "already
# deleted" (a retry after a lost answer, a target removed outside Terraform).


class _ObjectNotFound(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ObjectNotFoundException", message)


def _delete_scaling_policy(original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(self: Any, policy_name: str, service_namespace: str, resource_id: str, scalable_dimension: str) -> Any:
        key = as_models.FakeApplicationAutoscalingPolicy.formulate_key(service_namespace, resource_id, scalable_dimension, policy_name)
        if key not in self.policies:
            raise _ObjectNotFound(
                f"No scaling policy found for service namespace: {service_namespace}, resource ID: {resource_id}, "
                f"scalable dimension: {scalable_dimension}, policy name: {policy_name}"
            )
        return original(self, policy_name, service_namespace, resource_id, scalable_dimension)

    return wrapper


def _deregister_scalable_target(original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(self: Any, namespace: str, r_id: str, dimension: str) -> Any:
        if not self._scalable_target_exists(r_id, dimension):
            raise _ObjectNotFound(
                f"No scalable target found for service namespace: {namespace}, resource ID: {r_id}, scalable dimension: {dimension}"
            )
        return original(self, namespace, r_id, dimension)

    return wrapper


def install_autoscaling_patches() -> None:
    """Install the Application Auto Scaling patches (once)."""
    backend = as_models.ApplicationAutoscalingBackend
    if not hasattr(backend.delete_scaling_policy, "__wrapped__"):
        backend.delete_scaling_policy = _delete_scaling_policy(backend.delete_scaling_policy)
    if not hasattr(backend.deregister_scalable_target, "__wrapped__"):
        backend.deregister_scalable_target = _deregister_scalable_target(backend.deregister_scalable_target)


def install_patches() -> None:
    """Monkeypatch moto's classes. Idempotent enough for one process."""
    SageMakerResponse.update_endpoint = _update_endpoint
    SageMakerResponse.stop_training_job = _stop_training_job
    install_processing_patches()
    install_monitoring_schedule_patches()
    install_metric_filter_existence_patches()
    SageMakerResponse.create_endpoint = _create_endpoint
    SageMakerResponse.create_training_job = _create_training_job
    SageMakerResponse.create_model = _create_model
    SageMakerResponse.create_endpoint_config = _create_endpoint_config
    sm_models.FakeEndpointConfig.validate_instance_type = _validate_instance_type
    SageMakerBackend.add_tags = _add_tags
    _wrap_advance_all("describe_endpoint", "endpoints", _advance_endpoint)
    _wrap_advance_all("list_endpoints", "endpoints", _advance_endpoint)
    _wrap_advance_all("describe_training_job", "training_jobs", _advance_job)
    _wrap_advance_all("list_training_jobs", "training_jobs", _advance_job)
    LogsResponse.associate_kms_key = _associate_kms_key
    MetricFilters.add_filter = _add_filter
    MetricFilters.delete_filter = _delete_filter
    if not hasattr(CloudTrailBackend.create_trail, "__wrapped__"):
        CloudTrailBackend.create_trail = _create_trail_once(CloudTrailBackend.create_trail)
    LogsResponse.disassociate_kms_key = _disassociate_kms_key
    BudgetsResponse.update_budget = _update_budget
    BudgetsResponse.describe_subscribers_for_notification = _describe_subscribers_for_notification
    if not hasattr(BudgetsBackend.create_notification, "__wrapped__"):
        BudgetsBackend.create_notification = _create_notification_once(BudgetsBackend.create_notification)
    KmsResponse.enable_key_rotation = _enable_key_rotation
    KmsResponse.get_key_rotation_status = _get_key_rotation_status
    KmsResponse.kms_backend = property(_kms_backend)
    IAMBackend.remove_role_from_instance_profile = _remove_role_from_instance_profile
    CloudWatchResponse.disable_alarm_actions = _alarm_actions_setter(False)
    CloudWatchResponse.enable_alarm_actions = _alarm_actions_setter(True)
    s3_models.FakeBucket.get_permission = _bucket_permission
    S3Response._bucket_response = _owner_checked(S3Response._bucket_response)
    S3Response._key_response = _owner_checked(S3Response._key_response)
    for name in CLIENT_TOKEN_ACTIONS:
        original = getattr(EC2Response, name)
        if not hasattr(original, "__wrapped__"):
            setattr(EC2Response, name, _with_client_token(original))
    install_autoscaling_patches()
    install_budget_tag_patches()
    install_sns_patches()
    install_budget_form_patches()


# ---------------------------------------------------------------------------
# Smithy RPC v2 CBOR -> JSON adapter (moto 5.2.1 does not speak CBOR)
# ---------------------------------------------------------------------------
#
# aws-sdk-go-v2's CloudWatch client (v1.75+) only speaks Smithy RPC v2 CBOR:
# POST /service/<TargetPrefix>/operation/<Op>, Content-Type application/cbor.
# moto answers such requests with a 404, so every alarm call from the
# provider would fail. CloudWatch also supports the awsJson1_0 protocol, which
# moto does implement, so the adapter rewrites the request as awsJson
# (X-Amz-Target: <TargetPrefix>.<Op>) and re-encodes moto's JSON answer as CBOR
# using the botocore output shape (timestamps become CBOR tag 1, blobs byte
# strings, numbers the declared type). Only services whose botocore model also
# lists the "json" protocol are adapted; anything else passes through.


class _Tag:
    """A CBOR tagged value."""

    def __init__(self, tag: int, value: Any) -> None:
        self.tag, self.value = tag, value


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def cbor_encode(v: Any) -> bytes:
    """Encode None/bool/int/float/str/bytes/list/dict/_Tag as CBOR."""
    if v is None:
        return b"\xf6"
    if v is True or v is False:
        return b"\xf5" if v else b"\xf4"
    if isinstance(v, int):
        return _cbor_head(0, v) if v >= 0 else _cbor_head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, str):
        data = v.encode()
        return _cbor_head(3, len(data)) + data
    if isinstance(v, (bytes, bytearray)):
        return _cbor_head(2, len(v)) + bytes(v)
    if isinstance(v, (list, tuple)):
        return _cbor_head(4, len(v)) + b"".join(cbor_encode(x) for x in v)
    if isinstance(v, dict):
        return _cbor_head(5, len(v)) + b"".join(cbor_encode(k) + cbor_encode(x) for k, x in v.items())
    if isinstance(v, _Tag):
        return _cbor_head(6, v.tag) + cbor_encode(v.value)
    raise TypeError(f"cannot CBOR-encode {type(v).__name__}")


def cbor_decode(data: bytes) -> Any:
    """Decode one CBOR item. Tags are dropped (tag 1 timestamps stay epoch
    numbers, which is what awsJson expects); byte strings become base64."""
    pos = 0
    BREAK = object()

    def arg(info: int) -> int | None:
        nonlocal pos
        if info < 24:
            return info
        if info == 31:
            return None  # indefinite length
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        pos += size
        return int.from_bytes(data[pos - size : pos], "big")

    def item() -> Any:
        nonlocal pos
        first = data[pos]
        pos += 1
        major, info = first >> 5, first & 31
        if major == 7:
            if info == 31:
                return BREAK
            simple = {20: False, 21: True, 22: None, 23: None}
            if info in simple:
                return simple[info]
            fmt, size = {25: (">e", 2), 26: (">f", 4), 27: (">d", 8)}[info]
            pos += size
            return struct.unpack(fmt, data[pos - size : pos])[0]
        n = arg(info)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major in (2, 3):
            if n is None:
                chunks = []
                while (chunk := item()) is not BREAK:
                    chunks.append(chunk)
                raw = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
            else:
                pos += n
                raw = data[pos - n : pos]
            return raw if major == 2 else raw.decode()
        if major == 4:
            out = []
            while (n is None or len(out) < n) and (x := item()) is not BREAK:
                out.append(x)
            return out
        if major == 5:
            obj = {}
            while n is None or len(obj) < n:
                k = item()
                if k is BREAK:
                    break
                obj[k] = item()
            return obj
        return item()  # major 6: tag, keep the value

    def jsonable(v: Any) -> Any:
        if isinstance(v, bytes):
            return base64.b64encode(v).decode()
        if isinstance(v, list):
            return [jsonable(x) for x in v]
        if isinstance(v, dict):
            return {k: jsonable(x) for k, x in v.items()}
        return v

    return jsonable(item()) if data else {}


def _to_cbor_shape(v: Any, shape: Any) -> Any:
    """Convert a JSON-protocol value to its CBOR form following a botocore shape."""
    t = getattr(shape, "type_name", None)
    if v is None:
        return None
    if t == "structure" and isinstance(v, dict):
        return {k: _to_cbor_shape(x, shape.members.get(k)) for k, x in v.items()}
    if t == "list" and isinstance(v, list):
        return [_to_cbor_shape(x, shape.member) for x in v]
    if t == "map" and isinstance(v, dict):
        return {k: _to_cbor_shape(x, shape.value) for k, x in v.items()}
    if t == "timestamp":
        if isinstance(v, str):
            v = datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
        return _Tag(1, float(v))
    if t == "blob" and isinstance(v, str):
        return base64.b64decode(v)
    if t in ("double", "float") and isinstance(v, (int, float)):
        return float(v)
    if t in ("integer", "long") and isinstance(v, float) and v.is_integer():
        return int(v)
    return v


_RPCV2_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")


@functools.lru_cache(maxsize=None)
def _service_model(service: str) -> Any:
    """The botocore model of service, loaded once per process (loading it
    for each request took ~85 ms of every CloudWatch call; the models are
    read-only)."""
    try:
        return botocore.session.get_session().get_service_model(service)
    except Exception:
        return None


#: Signing names whose botocore model is named otherwise.
_MODEL_NAMES = {"tagging": "resourcegroupstaggingapi"}


def _model_name(signing_name: str) -> str:
    """The botocore model of a request's signing name. The Resource Groups
    Tagging API signs as "tagging" and its model is resourcegroupstaggingapi;
    aws-sdk-go-v2's client speaks RPC v2 CBOR from v1.42.0 (tag:GetResources
    of sagesafe's endpoint refresh)."""
    return _MODEL_NAMES.get(signing_name, signing_name)


def rpcv2_cbor_adapter(app: Any, environ: dict[str, Any], start_response: Any, service: str) -> Any:
    """Serve an RPC v2 CBOR request through moto's awsJson implementation.
    Returns None when the request is not one this adapter handles."""
    m = _RPCV2_PATH.match(environ.get("PATH_INFO", ""))
    if not m or environ.get("HTTP_SMITHY_PROTOCOL", "").lower() != "rpc-v2-cbor":
        return None
    model = _service_model(_model_name(service))
    if model is None or "json" not in (model.metadata.get("protocols") or []):
        return None
    target, op = m.groups()
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.dumps(cbor_decode(environ["wsgi.input"].read(length) if length else b"")).encode()
    environ.update(
        {
            "PATH_INFO": "/",
            "CONTENT_TYPE": f"application/x-amz-json-{model.metadata.get('jsonVersion', '1.0')}",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_AMZ_TARGET": f"{target}.{op}",
            "wsgi.input": io.BytesIO(body),
        }
    )
    captured: dict[str, Any] = {}

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"], captured["headers"] = status, headers
        return lambda _data: None

    result = app(environ, capture)
    try:
        raw = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    status = captured["status"]
    try:
        obj = json.loads(raw) if raw.strip() else {}
        shape = model.operation_model(op).output_shape if status.startswith("2") else None
        out = cbor_encode(_to_cbor_shape(obj, shape) if shape is not None else obj)
    except (ValueError, TypeError):
        out = cbor_encode({"__type": "InternalFailure", "message": raw.decode("utf-8", "replace")})
    skip = {"content-type", "content-length"}
    headers = [(k, v) for k, v in captured["headers"] if k.lower() not in skip]
    headers += [
        ("Content-Type", "application/cbor"),
        ("Content-Length", str(len(out))),
        ("Smithy-Protocol", "rpc-v2-cbor"),
    ]
    start_response(status, headers)
    return [out]


# ---------------------------------------------------------------------------
# IAM enforcement: signatures checked over what was signed
# (sagesafe_deployer_policy's acceptance tests)
# ---------------------------------------------------------------------------
# With IAM enforcement on (moto's INITIAL_NO_AUTH_ACTION_COUNT, set through
# POST /moto-api/reset-auth), moto checks each request's SigV4 signature, but
# not always over what the client signed:
#   - the CBOR adapter above rewrites path, body and content type before moto
#     sees the request, so every CloudWatch call would be refused; the request
#     as the client signed it is kept for the length of the call;
#   - for a GET, HEAD or DELETE without a body moto signs its parsed
#     parameters as the payload (its `self._body or self._data`), so e.g.
#     EventBridge Scheduler's GetSchedule and DeleteSchedule would be
#     refused; their empty body is signed as empty. (A form-encoded POST,
#     whose body moto has parsed into its parameters, is left as it is.)
# The signature is still checked, over what was signed. Without enforcement
# nothing here runs.

from botocore.awsrequest import AWSRequest  # noqa: E402
from moto.iam.access_control import IAMRequestBase  # noqa: E402

_SIGNED = threading.local()
_translate_cbor = rpcv2_cbor_adapter


def _signed_headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            headers[name] = environ[key]
    return headers


def rpcv2_cbor_adapter(app: Any, environ: dict[str, Any], start_response: Any, service: str) -> Any:  # noqa: F811
    """The CBOR adapter, with the request as signed kept for moto's check."""
    if not _RPCV2_PATH.match(environ.get("PATH_INFO", "")):
        return _translate_cbor(app, environ, start_response, service)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    _SIGNED.request = {"path": environ["PATH_INFO"], "body": body, "headers": _signed_headers(environ)}
    try:
        return _translate_cbor(app, environ, start_response, service)
    finally:
        _SIGNED.request = None


def _create_signed_aws_request(self: Any) -> AWSRequest:
    """moto's IAMRequestBase._create_aws_request over the request as signed."""
    signed = getattr(_SIGNED, "request", None)
    if signed is None and not self._body and self._method in ("GET", "HEAD", "DELETE"):
        signed = {"path": self._path, "body": b"", "headers": self._headers}
    if signed is None:
        return _moto_create_aws_request(self)
    names = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
    headers = {k: v for k, v in signed["headers"].items() if k.lower() in names}
    request = AWSRequest(method=self._method, url=signed["path"], data=signed["body"], headers=headers)
    request.context["timestamp"] = headers["X-Amz-Date"]
    return request


_moto_create_aws_request = IAMRequestBase._create_aws_request
IAMRequestBase._create_aws_request = _create_signed_aws_request  # type: ignore[method-assign]
PATCHES.append("iam enforcement: signatures checked over the request as signed (CBOR requests; GET, HEAD and DELETE without a body)")


# ---------------------------------------------------------------------------
# Call counting (best effort)
# ---------------------------------------------------------------------------

#: Credential-scope signing names whose SDK service name differs.
SIGNING_NAME_ALIASES = {"monitoring": "cloudwatch"}

_rest_ops: dict[str, list[Any]] = {}


def _rest_operations(service: str) -> list[Any]:
    """(method, path regex, required query, score, name) for a REST service."""
    if service not in _rest_ops:
        ops = []
        try:
            model = botocore.session.get_session().get_service_model(service)
        except Exception:
            model = None
        for name in model.operation_names if model else []:
            http = model.operation_model(name).http
            path, _, query = http.get("requestUri", "/").partition("?")
            regex = re.sub(
                r"\\\{[^}]+\\\}",
                lambda m: ".+" if m.group(0).endswith("+\\}") else "[^/]+",
                re.escape(path.rstrip("/") or "/"),
            )
            reqs = [(k, v or None) for k, _, v in (q.partition("=") for q in query.split("&") if q)]
            literal = len(re.sub(r"\{[^}]+\}", "", path))
            # On a tie the current operation wins over the deprecated one of
            # the same URI (PutBucketLifecycleConfiguration, not
            # PutBucketLifecycle), which is what the SDKs send.
            current = not model.operation_model(name).deprecated
            ops.append((http.get("method", "POST"), re.compile(regex), reqs, (len(reqs), literal, current), name))
        _rest_ops[service] = ops
    return _rest_ops[service]


def _rest_action(service: str, environ: dict[str, Any], path: str) -> str | None:
    method = environ.get("REQUEST_METHOD", "GET")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    host = environ.get("HTTP_HOST", "").split(":")[0]
    if service == "s3" and "." in host and not re.fullmatch(r"[\d.]+", host):
        path = "/" + host.split(".")[0] + path  # virtual-hosted bucket
    path = path.rstrip("/") or "/"
    best = None
    for op_method, regex, reqs, score, name in _rest_operations(service):
        if op_method != method or not regex.fullmatch(path):
            continue
        if all(k in query and (v is None or v in query[k]) for k, v in reqs):
            if best is None or score > best[0]:
                best = (score, name)
    return best[1] if best else None


def signing_service(environ: dict[str, Any]) -> str:
    """SDK service name from the SigV4 credential scope, or "unknown"."""
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    return SIGNING_NAME_ALIASES.get(m.group(1), m.group(1)) if m else "unknown"


def classify_call(environ: dict[str, Any]) -> str:
    """Return "service:Action" for an AWS request (best effort, see README)."""
    service = signing_service(environ)
    path = environ.get("PATH_INFO", "")
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{target.split('.')[-1]}"
    m = _RPCV2_PATH.match(path)
    if m:
        return f"{service}:{m.group(2)}"
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if not action and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)  # let moto read it again
            action = parse_qs(body.decode("utf-8", "replace")).get("Action")
    if action:
        return f"{service}:{action[0]}"
    if service != "unknown":
        name = _rest_action(service, environ, path)
        if name:
            return f"{service}:{name}"
    return f"{service}:{environ.get('REQUEST_METHOD', 'GET')} {path}"


# ---------------------------------------------------------------------------
# Fault injection (rules set per test through the control API)
# ---------------------------------------------------------------------------
#
# A rule names the calls it applies to ("kms:CreateKey", "ec2:Create*", "*"),
# the fault, and which of the matching calls get it (the first N, or every
# K-th). Rules live in scopes: a scoped rule applies only to requests that
# carry X-Sagesafe-Fault-Scope: <scope> (tests add the header through the
# provider's transport hook, so tests sharing one emulator do not disturb
# each other); the global scope "" applies to every request.
#
# A call is offered to the rules of its scope, then to the global ones, in
# order. Each rule whose action matches counts the call ("matched") and
# fires when the call is one of its first N or a multiple of K ("hits").
# "latency" delays the call and lets later rules see it too; the first other
# fault that fires is applied and later rules do not see the call.

FAULT_SCOPE_HEADER = "X-Sagesafe-Fault-Scope"
FAULT_KINDS = ("lose", "error", "throttle", "latency")
_RULE_KEYS = {"action", "fault", "first", "every", "share", "seconds"}

_faults: dict[str, list[dict[str, Any]]] = {}
_scope_calls: dict[str, dict[str, int]] = {}
_rule_rngs: dict[int, random.Random] = {}  # per rule with a share (by id)


def _positive_int(rule: dict[str, Any], key: str) -> None:
    value = rule[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{key} must be an integer of at least 1")


def validate_fault_rule(rule: Any) -> dict[str, Any]:
    """Return ``rule`` with its defaults filled in, or raise ValueError."""
    if not isinstance(rule, dict):
        raise ValueError("a rule must be a JSON object")
    unknown = sorted(set(rule) - _RULE_KEYS)
    if unknown:
        raise ValueError(f"unknown rule keys: {unknown}")
    action = rule.get("action")
    if not isinstance(action, str) or not action or "*" in action[:-1]:
        raise ValueError('action must be a "service:Action" key, optionally ending with "*"')
    if rule.get("fault") not in FAULT_KINDS:
        raise ValueError(f"fault must be one of {list(FAULT_KINDS)}")
    out: dict[str, Any] = {"action": action, "fault": rule["fault"]}
    if len({"first", "every", "share"} & set(rule)) > 1:
        raise ValueError("give one of first, every and share")
    for key in ("first", "every"):
        if key in rule:
            _positive_int(rule, key)
            out[key] = rule[key]
    if "share" in rule:
        share = rule["share"]
        if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 < share <= 1:
            raise ValueError("share must be a number above 0 and at most 1")
        out["share"] = share
    if "every" not in out and "share" not in out:
        out.setdefault("first", 1)
    if rule["fault"] == "latency":
        seconds = rule.get("seconds")
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not 0 <= seconds <= 300:
            raise ValueError("latency needs seconds, a number from 0 to 300")
        out["seconds"] = seconds
    elif "seconds" in rule:
        raise ValueError("seconds is only for the latency fault")
    return out


def validate_fault_rules(body: Any) -> tuple[str, list[dict[str, Any]]]:
    """Return (scope, rules) from a POST /_sagesafe/faults body or raise ValueError."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    unknown = sorted(set(body) - {"scope", "rules"})
    if unknown:
        raise ValueError(f"unknown keys: {unknown}")
    scope, rules = body.get("scope"), body.get("rules")
    if not isinstance(scope, str):
        raise ValueError('scope must be a string ("" for the global scope)')
    if not isinstance(rules, list):
        raise ValueError("rules must be a list")
    return scope, [validate_fault_rule(r) for r in rules]


def _action_matches(pattern: str, key: str) -> bool:
    return key == pattern or (pattern.endswith("*") and key.startswith(pattern[:-1]))


def _fires(rule: dict[str, Any]) -> bool:
    n = rule["matched"]
    if "share" in rule:
        # Seeded per rule, so a run is reproducible; random rather than
        # every K-th, so that a client whose retry loop makes K calls per
        # attempt is not faulted on every attempt.
        rng = _rule_rngs.setdefault(id(rule), random.Random(f"{rule['action']}/{rule['fault']}/{rule['share']}"))
        return rng.random() < rule["share"]
    return n <= rule["first"] if "first" in rule else n % rule["every"] == 0


def replay_allowed(scope: str) -> bool:
    """AWS has no retry cache: while a fault may be injected into a request
    (a rule in its scope, or any global rule), its retries must reach moto."""
    with _LOCK:
        return not _faults.get("") and not (scope and _faults.get(scope))


def pick_faults(scope: str, key: str) -> tuple[float, dict[str, Any] | None]:
    """Offer a call to the rules; return (seconds of latency, the fault rule
    to apply or None). Counts and logs every fault that fires."""
    delay, chosen = 0.0, None
    with _LOCK:
        rules = (_faults.get(scope, []) if scope else []) + _faults.get("", [])
        for rule in rules:
            if not _action_matches(rule["action"], key):
                continue
            rule["matched"] += 1
            if not _fires(rule):
                continue
            rule["hits"] += 1
            print(f"sagesafe-fault {key} {rule['fault']} scope={scope}", file=sys.stderr, flush=True)
            if rule["fault"] == "latency":
                delay += rule["seconds"]
                continue
            chosen = rule
            break
    return delay, chosen


#: service -> fault -> (HTTP status, error code), with the codes AWS sends
#: (all throttling codes are in aws-sdk-go-v2's retry.DefaultThrottleErrorCodes,
#: so the SDK retries them as throttles). Unlisted services use the protocol's
#: usual code: ThrottlingException / Throttling, InternalFailure.
FAULT_CODES: dict[str, dict[str, tuple[int, str]]] = {
    "ec2": {"throttle": (503, "RequestLimitExceeded"), "error": (500, "InternalError")},
    "s3": {"throttle": (503, "SlowDown"), "error": (500, "InternalError")},
    "iam": {"throttle": (400, "Throttling"), "error": (500, "ServiceFailure")},
    "sts": {"throttle": (400, "Throttling"), "error": (500, "InternalFailure")},
    "cloudwatch": {"throttle": (400, "Throttling"), "error": (500, "InternalServiceError")},
    "kms": {"throttle": (400, "ThrottlingException"), "error": (500, "KMSInternalException")},
    "logs": {"throttle": (400, "ThrottlingException"), "error": (500, "ServiceUnavailableException")},
    "sagemaker": {"throttle": (400, "ThrottlingException"), "error": (500, "InternalFailure")},
    "tagging": {"throttle": (400, "ThrottledException"), "error": (500, "InternalServiceException")},
}

_FAULT_MESSAGES = {
    "throttle": "Rate exceeded (injected by the sagesafe emulator)",
    "error": "An internal error occurred (injected by the sagesafe emulator)",
}


def _request_protocol(environ: dict[str, Any], service: str) -> str:
    """The wire protocol of an AWS request: cbor, json, ec2, query, rest-xml, rest-json."""
    if _RPCV2_PATH.match(environ.get("PATH_INFO", "")) and environ.get(
        "HTTP_SMITHY_PROTOCOL", ""
    ).lower() == "rpc-v2-cbor":
        return "cbor"
    if environ.get("HTTP_X_AMZ_TARGET"):
        return "json"
    form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    if form or "Action" in parse_qs(environ.get("QUERY_STRING", "")):
        return "ec2" if service == "ec2" else "query"
    return "rest-xml" if service == "s3" else "rest-json"


def fault_answer(environ: dict[str, Any], fault: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of an injected error or throttle, in the
    request's own protocol, so the SDK decodes the code as AWS's."""
    service = signing_service(environ)
    protocol = _request_protocol(environ, service)
    default_code = "Throttling" if protocol in ("query", "ec2") else "ThrottlingException"
    defaults = {"throttle": (400, default_code), "error": (500, "InternalFailure")}
    status, code = FAULT_CODES.get(service, defaults).get(fault, defaults[fault])
    message = _FAULT_MESSAGES[fault]
    request_id = str(uuid.uuid4())
    party = "Sender" if status < 500 else "Receiver"
    headers = [("x-amzn-RequestId", request_id), ("x-amz-request-id", request_id)]
    if protocol == "cbor":
        body = cbor_encode({"__type": code, "message": message})
        headers += [
            ("Content-Type", "application/cbor"),
            ("Smithy-Protocol", "rpc-v2-cbor"),
            ("x-amzn-query-error", f"{code};{party}"),
        ]
    elif protocol in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message}).encode()
        ctype = environ.get("CONTENT_TYPE", "")
        headers += [
            ("Content-Type", ctype if ctype.startswith("application/x-amz-json") else "application/json"),
            ("X-Amzn-ErrorType", code),
            ("x-amzn-query-error", f"{code};{party}"),
        ]
    else:
        if protocol == "ec2":
            xml = (
                f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error>"
                f"</Errors><RequestID>{request_id}</RequestID></Response>"
            )
        elif protocol == "query":
            xml = (
                f"<ErrorResponse><Error><Type>{party}</Type><Code>{code}</Code><Message>{message}"
                f"</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            )
        else:  # rest-xml (S3)
            xml = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode()
        headers.append(("Content-Type", "text/xml;charset=UTF-8" if protocol != "rest-xml" else "application/xml"))
    headers.append(("Content-Length", str(len(body))))
    return f"{status} {HTTPStatus(status).phrase}", headers, body


def lose_answer(environ: dict[str, Any], forward: Any) -> Any:
    """Let moto apply the request, then drop the connection without a byte of
    the answer (no status line), as a broken network does. Raising a
    ConnectionError makes werkzeug treat the request as dropped and write
    nothing."""
    captured: dict[str, str] = {}

    def capture(status: str, headers: Any, exc_info: Any = None) -> Any:
        captured["status"] = status
        return lambda _data: None

    result = forward(capture)
    try:
        for _ in result:
            pass
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    environ["sagesafe.lost"] = captured.get("status", "?")
    raise ConnectionAbortedError(f"answer {captured.get('status')} lost on purpose (sagesafe fault)")


# ---------------------------------------------------------------------------
# WSGI: control API + counting in front of moto's dispatcher
# ---------------------------------------------------------------------------


_POST_PATHS = (
    "/_sagesafe/faults",
    "/_sagesafe/faults/clear",
    "/_sagesafe/behaviour",
    "/_sagesafe/behaviour/merge",
    "/_sagesafe/reset-behaviour",
    "/_sagesafe/calls/reset",
)


class AttemptLog:
    """Answers an SDK retry of an already answered request with that answer.

    The AWS SDKs send the same ``amz-sdk-invocation-id`` header on every
    attempt of one operation and ``amz-sdk-request: attempt=N``. Go's
    net/http client sometimes loses a complete 200 answer from this server
    (werkzeug closes every connection after one answer; under load the
    client's write loop can tear the connection down while the body is being
    read: "read tcp ...: use of closed network connection"). The SDK then
    retries the operation, and moto would run a create twice: the retry fails
    with InvalidGroup.Duplicate, InvalidSubnet.Conflict and the like, and the
    first object is orphaned.

    So an attempt after the first whose invocation was already answered with
    a 2xx gets that answer again, unchanged, and moto is not called. Earlier
    non-2xx answers (throttling, injected faults, moto errors) are not
    replayed: those retries run as real retries. Every retry is logged
    (``sagesafe-retry``) with what the earlier attempts were answered and
    whether it was replayed. A request with the header
    ``X-Sagesafe-Replay-Retries: false`` is never replayed: tests of the
    provider's own lost-answer handling send it.
    """

    MAX_BODY = 4 << 20

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.seen: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, environ: dict[str, Any], key: str, start_response: Any, app: Any) -> Any:
        inv = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not inv:
            return app(start_response)
        attempt = environ.get("HTTP_AMZ_SDK_REQUEST", "")
        with _LOCK:
            earlier = self.seen.setdefault(inv, [])
            answered = next((a for a in earlier if a.get("body") is not None), None)
            replay = answered is not None and environ.get("HTTP_X_SAGESAFE_REPLAY_RETRIES", "").lower() != "false"
            if earlier:
                statuses = [a["status"] for a in earlier]
                verdict = "replayed the 2xx answer" if replay else "sent to moto again"
                print(
                    f"sagesafe-retry {key} invocation={inv} {attempt}: earlier attempts answered {statuses}; {verdict}",
                    file=sys.stderr,
                    flush=True,
                )
            if replay:
                start_response(answered["status_line"], list(answered["headers"]))
                return [answered["body"]]
            record: dict[str, Any] = {"status": "pending", "body": None}
            earlier.append(record)
            while len(self.seen) > self.size:
                self.seen.pop(next(iter(self.seen)))

        def tracked(status: str, headers: Any, exc_info: Any = None) -> Any:
            with _LOCK:
                record["status"] = status.split(" ", 1)[0]
                record["status_line"] = status
                record["headers"] = list(headers)
            return start_response(status, headers, exc_info)

        return self._capture(app(tracked), record)

    def _capture(self, chunks: Any, record: dict[str, Any]) -> list[bytes]:
        """Read the whole answer and keep a 2xx one for replay *before* any
        of it is sent: a client that has the answer may retry at once, and
        the retry must find it recorded."""
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        if len(body) <= self.MAX_BODY and record["status"].startswith("2"):
            with _LOCK:
                record["body"] = body
        return [body]


_attempts = AttemptLog()


class SagesafeApp:
    """Serves /_sagesafe/*, counts every other AWS request, then hands it to moto."""

    def __init__(self, moto_app: Any) -> None:
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/_sagesafe" or path.startswith("/_sagesafe/"):
            status, body = self.control(environ, path)
            data = json.dumps(body, default=str, sort_keys=True).encode()
            start_response(
                status,
                [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
            )
            return [data]
        if path.startswith("/moto-api") or path == "/favicon.ico":
            return self.moto_app(environ, start_response)
        key = classify_call(environ)
        scope = environ.get("HTTP_X_SAGESAFE_FAULT_SCOPE", "")
        with _LOCK:
            _calls[key] = _calls.get(key, 0) + 1
            if scope:
                counts = _scope_calls.setdefault(scope, {})
                counts[key] = counts.get(key, 0) + 1
        if not replay_allowed(scope):
            environ["HTTP_X_SAGESAFE_REPLAY_RETRIES"] = "false"
        delay, rule = pick_faults(scope, key)
        if delay:
            time.sleep(delay)
        if rule is not None and rule["fault"] in ("error", "throttle"):
            status, headers, body = fault_answer(environ, rule["fault"])
            start_response(status, headers)
            return [body]

        def forward(sr: Any) -> Any:
            return _attempts(environ, key, sr, lambda sr2: self.dispatch(environ, sr2))

        if rule is not None:  # "lose"
            return lose_answer(environ, forward)
        started = call_started()
        try:
            return forward(start_response)
        finally:
            call_ended(key, started)

    def dispatch(self, environ: dict[str, Any], start_response: Any) -> Any:
        adapted = rpcv2_cbor_adapter(self.moto_app, environ, start_response, signing_service(environ))
        if adapted is not None:
            return adapted
        return self.moto_app(environ, start_response)

    @staticmethod
    def set_faults(environ: dict[str, Any], path: str) -> Any:
        """POST /_sagesafe/faults (replace a scope's rules) and
        /_sagesafe/faults/clear (drop one scope's rules, or all)."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) if length else b"{}")
        if path == "/_sagesafe/faults":
            scope, rules = validate_fault_rules(body)
            with _LOCK:
                if rules:
                    _faults[scope] = [dict(r, hits=0, matched=0) for r in rules]
                else:
                    _faults.pop(scope, None)
                return copy.deepcopy(_faults.get(scope, []))
        if not isinstance(body, dict) or set(body) - {"scope"}:
            raise ValueError('body must be {} (clear all) or {"scope": "<scope>"}')
        if "scope" in body and not isinstance(body["scope"], str):
            raise ValueError("scope must be a string")
        with _LOCK:
            if "scope" in body:
                _faults.pop(body["scope"], None)
            else:
                _faults.clear()
            return copy.deepcopy(_faults)

    def control(self, environ: dict[str, Any], path: str) -> tuple[str, Any]:
        global _behaviour
        method = environ.get("REQUEST_METHOD", "GET")
        routes = {
            ("GET", "/_sagesafe/health"): lambda: {
                "status": "ok",
                "moto_version": moto.__version__,
                "patches": PATCHES,
            },
            ("GET", "/_sagesafe/behaviour"): lambda: _behaviour,
            ("GET", "/_sagesafe/calls"): lambda: _calls,
            ("GET", "/_sagesafe/endpoint-updates"): lambda: _endpoint_updates,
            ("GET", "/_sagesafe/call-seconds"): call_seconds,
            ("GET", "/_sagesafe/transitions"): lambda: _transitions,
            ("GET", "/_sagesafe/faults"): lambda: _faults,
        }
        if method == "GET" and path == "/_sagesafe/calls" and environ.get("QUERY_STRING"):
            scope = parse_qs(environ["QUERY_STRING"]).get("scope", [""])[0]
            with _LOCK:
                return "200 OK", dict(_scope_calls.get(scope, {}))
        if method == "POST" and path in ("/_sagesafe/faults", "/_sagesafe/faults/clear"):
            try:
                return "200 OK", self.set_faults(environ, path)
            except ValueError as exc:  # includes JSONDecodeError
                return "400 Bad Request", {"error": str(exc)}
        with _LOCK:
            if (method, path) in routes:
                return "200 OK", copy.deepcopy(routes[(method, path)]())
            if method == "POST" and path == "/_sagesafe/behaviour":
                try:
                    length = int(environ.get("CONTENT_LENGTH") or 0)
                    raw = environ["wsgi.input"].read(length) if length else b"{}"
                    _behaviour = validate_behaviour(json.loads(raw or b"{}"))
                except ValueError as exc:  # includes JSONDecodeError
                    return "400 Bad Request", {"error": str(exc)}
                return "200 OK", copy.deepcopy(_behaviour)
            if method == "POST" and path == "/_sagesafe/behaviour/merge":
                try:
                    length = int(environ.get("CONTENT_LENGTH") or 0)
                    raw = environ["wsgi.input"].read(length) if length else b"{}"
                    body = json.loads(raw or b"{}")
                    validate_behaviour(body)  # rejects unknown keys and bad types
                    merged = copy.deepcopy(_behaviour)
                    for key, value in body.items():
                        merged[key] = copy.deepcopy(DEFAULT_BEHAVIOUR[key]) if value is None else value
                    _behaviour = merged
                except ValueError as exc:
                    return "400 Bad Request", {"error": str(exc)}
                return "200 OK", copy.deepcopy(_behaviour)
            if method == "POST" and path == "/_sagesafe/reset-behaviour":
                _behaviour = copy.deepcopy(DEFAULT_BEHAVIOUR)
                return "200 OK", copy.deepcopy(_behaviour)
            if method == "POST" and path == "/_sagesafe/calls/reset":
                _calls.clear()
                _scope_calls.clear()
                _endpoint_updates.clear()
                clear_timing()
                return "200 OK", {}
        known = {p for _, p in routes} | set(_POST_PATHS)
        if path in known:
            return "405 Method Not Allowed", {"error": f"{method} not allowed on {path}"}
        return "404 Not Found", {"error": f"no such control path {path}"}


class RequestHandler(WSGIRequestHandler):
    """werkzeug's handler, but a connection dropped mid-answer is logged."""

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        if "/_sagesafe/health" in getattr(self, "requestline", ""):
            return  # emulator.sh's probe hangs up as soon as it has the status
        if (environ or {}).get("sagesafe.lost"):
            return  # a "lose" fault: already logged as sagesafe-fault
        inv = (environ or {}).get("HTTP_AMZ_SDK_INVOCATION_ID", "-")
        print(
            f"sagesafe-dropped {getattr(self, 'requestline', '?')!r} invocation={inv}: {error!r}",
            file=sys.stderr,
            flush=True,
        )


def build_app() -> SagesafeApp:
    """Install the patches and return the WSGI app (moto's dispatcher, wrapped)."""
    install_patches()
    return SagesafeApp(DomainDispatcherApplication(create_backend_app))


def _write_port_file(path: str, port: int) -> None:
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    parser.add_argument("--port-file", help="write the bound port here once listening")
    args = parser.parse_args(argv)

    server = make_server(args.host, args.port, build_app(), threaded=True, request_handler=RequestHandler)
    port = server.server_port
    os.environ["MOTO_PORT"] = str(port)  # moto builds some self-URLs from it

    def stop(signum: int, frame: Any) -> None:
        # shutdown() waits for serve_forever() to return, so call it elsewhere.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.port_file:
        _write_port_file(args.port_file, port)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"sagesafe-emulator listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if args.port_file:
            try:
                with open(args.port_file) as f:
                    if f.read().strip() == str(port):
                        os.remove(args.port_file)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
