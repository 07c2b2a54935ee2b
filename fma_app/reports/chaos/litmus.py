"""LitmusChaos `ChaosEngine` drafts (YAML, litmuschaos.io/v1alpha1) for Kubernetes targets.

One engine per failure mode: `appinfo` from the target (namespace, label selector), one generic
Litmus experiment with its documented environment variables (`TOTAL_CHAOS_DURATION` and the
fault's magnitude), and the steady state as an httpProbe or promProbe run continuously. The
engine names the model and failure mode in its labels and annotations.
"""

from __future__ import annotations

from typing import Any

from fma_app.domain.resilience import FaultKind, Platform, ProbeKind, SteadyStateProbe
from fma_app.reports.chaos.common import (
    FAILURE_MODE_TAG,
    MODEL_TAG,
    CannotDraftError,
    DraftInput,
    slug,
)

FORMAT = "litmus"
SUFFIX = ".yaml"
API_VERSION = "litmuschaos.io/v1alpha1"


def _experiment(draft: DraftInput) -> tuple[str, dict[str, str]]:
    """(Litmus experiment name, its env) for the fault, or CannotDraftError."""
    fault = draft.fault
    duration = {"TOTAL_CHAOS_DURATION": str(fault.duration_s)}
    magnitude = str(fault.magnitude)
    if fault.kind == FaultKind.INSTANCE_KILLED:
        return "pod-delete", {**duration, "CHAOS_INTERVAL": str(fault.duration_s), "FORCE": "false"}
    if fault.kind == FaultKind.DEPENDENCY_UNREACHABLE:
        return "pod-network-loss", {**duration, "NETWORK_PACKET_LOSS_PERCENTAGE": "100"}
    if fault.kind == FaultKind.LATENCY:
        return "pod-network-latency", {**duration, "NETWORK_LATENCY": magnitude}
    if fault.kind == FaultKind.CPU_EXHAUSTED:
        return "pod-cpu-hog", {**duration, "CPU_LOAD": magnitude}
    if fault.kind == FaultKind.DISK_EXHAUSTED:
        return "disk-fill", {**duration, "FILL_PERCENTAGE": magnitude}
    if fault.kind == FaultKind.DNS_FAILURE:
        return "pod-dns-error", duration
    reasons = {
        FaultKind.SCALED_TO_ZERO: "Litmus has no experiment that scales a deployment to zero",
        FaultKind.ERRORS: "Litmus pod-http-status-code needs the service port, which the "
        "target does not hold",
        FaultKind.MEMORY_EXHAUSTED: "Litmus pod-memory-hog takes megabytes, not a memory share",
    }
    raise CannotDraftError(reasons[fault.kind])


def litmus_probe(probe: SteadyStateProbe) -> dict[str, Any]:
    run = {"probeTimeout": f"{probe.timeout_s}s", "interval": "5s", "retry": 1}
    if probe.kind == ProbeKind.HTTP:
        return {
            "name": "steady-state",
            "type": "httpProbe",
            "mode": "Continuous",
            "httpProbe/inputs": {
                "url": probe.url,
                "method": {"get": {"criteria": "==", "responseCode": str(probe.expected_status)}},
            },
            "runProperties": run,
        }
    return {
        "name": "steady-state",
        "type": "promProbe",
        "mode": "Continuous",
        "promProbe/inputs": {
            "endpoint": probe.url,
            "query": probe.query,
            "comparator": {"type": "float", "criteria": "<=", "value": f"{probe.threshold:g}"},
        },
        "runProperties": run,
    }


def write_draft(draft: DraftInput) -> dict[str, Any]:
    target = draft.target
    if target.platform != Platform.KUBERNETES:
        raise CannotDraftError(
            f"Litmus runs on Kubernetes, and the target is {target.platform.value}"
        )
    if not target.selector:
        raise CannotDraftError("Litmus needs the target's label selector (appinfo.applabel)")
    name, env = _experiment(draft)
    engine_name = f"{slug(draft.component.name, 30)}-{name}-{draft.failure_mode.id}"[:63]
    return {
        "apiVersion": API_VERSION,
        "kind": "ChaosEngine",
        "metadata": {
            "name": engine_name.rstrip("-"),
            "namespace": target.namespace,
            "labels": {
                "app.kubernetes.io/managed-by": "fma-workbench",
                f"fma-workbench/{FAILURE_MODE_TAG}": str(draft.failure_mode.id),
            },
            "annotations": {
                f"fma-workbench/{MODEL_TAG}": draft.model.uuid,
                "fma-workbench/title": draft.title,
                "fma-workbench/description": draft.description,
            },
        },
        "spec": {
            "engineState": "active",
            "appinfo": {
                "appns": target.namespace,
                "applabel": target.selector,
                "appkind": "deployment",
            },
            "chaosServiceAccount": f"{name}-sa",
            "jobCleanUpPolicy": "retain",
            "experiments": [
                {
                    "name": name,
                    "spec": {
                        "components": {
                            "env": [{"name": key, "value": value} for key, value in env.items()]
                        },
                        "probe": [litmus_probe(draft.probe)],
                    },
                }
            ],
        },
    }
