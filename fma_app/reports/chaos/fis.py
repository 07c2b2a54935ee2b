"""AWS FIS experiment template drafts (the JSON of CreateExperimentTemplate, without clientToken).

Targets: EKS pods (a Kubernetes target with its cluster), EC2 instances, ECS tasks and RDS
clusters. Fault injection on EC2 instances beyond stopping them runs the AWSFIS-Run-* SSM
documents through `aws:ssm:send-command`. FIS has no steady-state probe: the draft's stop
condition is `none` and its description and tags carry the probe for whoever adds a CloudWatch
alarm. What the user must fill in is written in capitals: ACCOUNT_ID, REGION, the role, and the
Kubernetes service account FIS uses inside the cluster.
"""

from __future__ import annotations

import json
from typing import Any

from fma_app.domain.resilience import AwsResourceType, FaultKind, Platform
from fma_app.reports.chaos.common import (
    FAILURE_MODE_TAG,
    MODEL_TAG,
    CannotDraftError,
    DraftInput,
    iso_duration,
    label_pairs,
)

FORMAT = "fis"
SUFFIX = ".json"
ROLE_PLACEHOLDER = "arn:aws:iam::ACCOUNT_ID:role/FIS_EXPERIMENT_ROLE"
SERVICE_ACCOUNT_PLACEHOLDER = "FIS_KUBERNETES_SERVICE_ACCOUNT"
DESCRIPTION_LIMIT = 512  # CreateExperimentTemplate's description
TAG_VALUE_LIMIT = 256

# fault -> (SSM document, its parameters from (duration s, magnitude)) for EC2 instances.
_SSM_DOCUMENTS = {
    FaultKind.CPU_EXHAUSTED: "AWSFIS-Run-CPU-Stress",
    FaultKind.MEMORY_EXHAUSTED: "AWSFIS-Run-Memory-Stress",
    FaultKind.DISK_EXHAUSTED: "AWSFIS-Run-Disk-Fill",
    FaultKind.LATENCY: "AWSFIS-Run-Network-Latency",
    FaultKind.DEPENDENCY_UNREACHABLE: "AWSFIS-Run-Network-Packet-Loss",
}


def _ssm_parameters(kind: FaultKind, seconds: int, magnitude: int | None) -> dict[str, str]:
    size = str(magnitude)
    extra = {
        FaultKind.CPU_EXHAUSTED: {"LoadPercent": size},
        FaultKind.MEMORY_EXHAUSTED: {"Percent": size},
        FaultKind.DISK_EXHAUSTED: {"Percent": size},
        FaultKind.LATENCY: {"DelayMilliseconds": size},
        FaultKind.DEPENDENCY_UNREACHABLE: {"LossPercent": "100"},
    }[kind]
    return {"DurationSeconds": str(seconds), **extra}


def _eks(draft: DraftInput) -> tuple[str, dict[str, Any], str, dict[str, str]]:
    target, fault = draft.target, draft.fault
    if not target.cluster:
        raise CannotDraftError(
            "AWS FIS reaches Kubernetes pods only on EKS: the target needs its cluster"
        )
    selector = (
        {"selectorType": "labelSelector", "selectorValue": target.selector}
        if target.selector
        else {"selectorType": "deploymentName", "selectorValue": target.deployment}
    )
    pods = {
        "resourceType": "aws:eks:pod",
        "selectionMode": "ALL",
        "parameters": {
            "clusterIdentifier": target.cluster,
            "namespace": target.namespace,
            **selector,
        },
    }
    account = {"kubernetesServiceAccount": SERVICE_ACCOUNT_PLACEHOLDER}
    duration = {"duration": iso_duration(fault.duration_s)}
    size = str(fault.magnitude)
    actions: dict[FaultKind, tuple[str, dict[str, str]]] = {
        FaultKind.INSTANCE_KILLED: ("aws:eks:pod-delete", account),
        FaultKind.LATENCY: (
            "aws:eks:pod-network-latency",
            {**duration, "delayMilliseconds": size, **account},
        ),
        FaultKind.DEPENDENCY_UNREACHABLE: (
            "aws:eks:pod-network-packet-loss",
            {**duration, "lossPercent": "100", **account},
        ),
        FaultKind.CPU_EXHAUSTED: (
            "aws:eks:pod-cpu-stress",
            {**duration, "percent": size, **account},
        ),
        FaultKind.MEMORY_EXHAUSTED: (
            "aws:eks:pod-memory-stress",
            {**duration, "percent": size, **account},
        ),
        FaultKind.DISK_EXHAUSTED: (
            "aws:eks:pod-io-stress",
            {**duration, "percent": size, **account},
        ),
    }
    if fault.kind not in actions:
        raise CannotDraftError(f"AWS FIS has no EKS pod action for {fault.kind.value!r}")
    action_id, parameters = actions[fault.kind]
    return "Pods", pods, action_id, parameters


def _aws_target(draft: DraftInput, resource_type: str, arn: str) -> dict[str, Any]:
    target = draft.target
    chosen: dict[str, Any] = {"resourceType": resource_type, "selectionMode": "ALL"}
    if target.resource_ids:
        chosen["resourceArns"] = [arn.format(id=one) for one in target.resource_ids]
    else:
        chosen["resourceTags"] = dict(label_pairs(target.selector))
    return chosen


def _ec2(draft: DraftInput) -> tuple[str, dict[str, Any], str, dict[str, str]]:
    fault = draft.fault
    instances = _aws_target(
        draft, "aws:ec2:instance", "arn:aws:ec2:REGION:ACCOUNT_ID:instance/{id}"
    )
    if fault.kind == FaultKind.INSTANCE_KILLED:
        parameters = {"startInstancesAfterDuration": iso_duration(fault.duration_s)}
        return "Instances", instances, "aws:ec2:stop-instances", parameters
    if fault.kind not in _SSM_DOCUMENTS:
        raise CannotDraftError(f"AWS FIS has no EC2 action for {fault.kind.value!r}")
    document = _SSM_DOCUMENTS[fault.kind]
    parameters = {
        "documentArn": f"arn:aws:ssm:REGION::document/{document}",
        "documentParameters": json.dumps(
            _ssm_parameters(fault.kind, fault.duration_s, fault.magnitude), separators=(",", ":")
        ),
        "duration": iso_duration(fault.duration_s + 60),  # the command's own start-up
    }
    return "Instances", instances, "aws:ssm:send-command", parameters


def _ecs(draft: DraftInput) -> tuple[str, dict[str, Any], str, dict[str, str]]:
    fault, target = draft.fault, draft.target
    tasks = _aws_target(draft, "aws:ecs:task", "arn:aws:ecs:REGION:ACCOUNT_ID:task/{id}")
    if target.cluster:
        tasks["parameters"] = {"cluster": target.cluster}
        if target.deployment:
            tasks["parameters"]["service"] = target.deployment
    duration = {"duration": iso_duration(fault.duration_s)}
    size = str(fault.magnitude)
    actions: dict[FaultKind, tuple[str, dict[str, str]]] = {
        FaultKind.INSTANCE_KILLED: ("aws:ecs:stop-task", {}),
        FaultKind.CPU_EXHAUSTED: ("aws:ecs:task-cpu-stress", {**duration, "percent": size}),
        FaultKind.DISK_EXHAUSTED: ("aws:ecs:task-io-stress", {**duration, "percent": size}),
        FaultKind.LATENCY: (
            "aws:ecs:task-network-latency",
            {**duration, "delayMilliseconds": size},
        ),
        FaultKind.DEPENDENCY_UNREACHABLE: (
            "aws:ecs:task-network-packet-loss",
            {**duration, "lossPercent": "100"},
        ),
    }
    if fault.kind not in actions:
        raise CannotDraftError(f"AWS FIS has no ECS task action for {fault.kind.value!r}")
    action_id, parameters = actions[fault.kind]
    return "Tasks", tasks, action_id, parameters


def _rds(draft: DraftInput) -> tuple[str, dict[str, Any], str, dict[str, str]]:
    if draft.fault.kind != FaultKind.INSTANCE_KILLED:
        raise CannotDraftError(f"AWS FIS has no RDS cluster action for {draft.fault.kind.value!r}")
    clusters = _aws_target(draft, "aws:rds:cluster", "arn:aws:rds:REGION:ACCOUNT_ID:cluster:{id}")
    return "Clusters", clusters, "aws:rds:failover-db-cluster", {}


def write_draft(draft: DraftInput) -> dict[str, Any]:
    target = draft.target
    if target.platform == Platform.TOXIPROXY:
        raise CannotDraftError("AWS FIS cannot drive a toxiproxy proxy")
    if target.platform == Platform.KUBERNETES:
        key, chosen, action_id, parameters = _eks(draft)
    elif target.resource_type == AwsResourceType.EC2_INSTANCE:
        key, chosen, action_id, parameters = _ec2(draft)
    elif target.resource_type == AwsResourceType.ECS_TASK:
        key, chosen, action_id, parameters = _ecs(draft)
    else:
        key, chosen, action_id, parameters = _rds(draft)
    action: dict[str, Any] = {
        "actionId": action_id,
        "description": draft.fault.describe(),
        "targets": {key: key},
    }
    if parameters:
        action["parameters"] = parameters
    description = draft.description
    if len(description) > DESCRIPTION_LIMIT:
        description = description[: DESCRIPTION_LIMIT - 1] + "\u2026"
    return {
        "description": description,
        "targets": {key: chosen},
        "actions": {"inject-fault": action},
        "stopConditions": [{"source": "none"}],
        "roleArn": ROLE_PLACEHOLDER,
        "tags": {
            "Name": draft.title[:TAG_VALUE_LIMIT],
            MODEL_TAG: draft.model.uuid,
            FAILURE_MODE_TAG: str(draft.failure_mode.id),
            "fma-steady-state": draft.probe.describe()[:TAG_VALUE_LIMIT],
        },
    }
