"""Chaos Toolkit experiment drafts (JSON), with the actions of the standard drivers.

The fault becomes one action of `chaostoolkit-kubernetes` (chaosk8s, with its Chaos Mesh module
for network and stress faults), `chaostoolkit-aws` (chaosaws) or `chaostoolkit-toxiproxy`
(chaostoxi); the probe becomes the steady-state hypothesis (an HTTP probe, or a query of
`chaostoolkit-prometheus` that returns no series while the system is healthy); a fault that can
be undone gets a rollback. `chaos validate` (chaoslib's ensure_experiment_is_valid) accepts these
drafts with those drivers installed.
"""

from __future__ import annotations

from typing import Any

from fma_app.domain.resilience import (
    AwsResourceType,
    FaultKind,
    Platform,
    ProbeKind,
    SteadyStateProbe,
)
from fma_app.reports.chaos.common import CannotDraftError, DraftInput, label_pairs, slug

FORMAT = "chaostoolkit"
SUFFIX = ".json"

Activity = dict[str, Any]


def _python(
    name: str, module: str, func: str, arguments: dict[str, Any], kind: str = "action"
) -> Activity:
    return {
        "type": kind,
        "name": name,
        "provider": {"type": "python", "module": module, "func": func, "arguments": arguments},
    }


def _restore_from(variable: str) -> dict[str, Any]:
    """The count a scale-to-zero rollback restores: the environment variable of the run (chaos
    validate refuses a draft whose variable is unset), 1 if the operator did not set it."""
    return {"type": "env", "key": variable, "default": 1}


def steady_state_probe(probe: SteadyStateProbe) -> tuple[Activity, dict[str, Any]]:
    """The hypothesis probe and the experiment configuration it needs."""
    if probe.kind == ProbeKind.HTTP:
        return {
            "type": "probe",
            "name": "service-answers",
            "tolerance": probe.expected_status,
            "provider": {
                "type": "http",
                "url": probe.url,
                "method": "GET",
                "timeout": probe.timeout_s,
            },
        }, {}
    # PromQL's comparison keeps only the series above the threshold: none means healthy.
    activity = _python(
        "metric-within-threshold",
        "chaosprometheus.probes",
        "query",
        {"query": f"({probe.query}) > {probe.threshold:g}", "timeout": probe.timeout_s},
        kind="probe",
    )
    activity["tolerance"] = {"type": "jsonpath", "path": "$.data.result[*]", "count": 0}
    return activity, {"prometheus_base_url": probe.url}


def _kubernetes(draft: DraftInput, name: str) -> tuple[Activity, list[Activity], dict[str, Any]]:
    fault, target = draft.fault, draft.target
    ns, selector = target.namespace, target.selector
    mesh = {"name": name, "ns": ns, "label_selectors": selector, "mode": "all"}
    if fault.kind == FaultKind.INSTANCE_KILLED:
        where: dict[str, Any] = (
            {"label_selector": selector} if selector else {"name_pattern": f"^{target.deployment}-"}
        )
        action = _python(
            "kill-one-pod",
            "chaosk8s.pod.actions",
            "terminate_pods",
            {**where, "ns": ns, "qty": 1, "rand": True},
        )
        return action, [], {}
    if fault.kind == FaultKind.SCALED_TO_ZERO:
        if not target.deployment:
            raise CannotDraftError("scaling to zero needs the target's deployment")
        scale = {"name": target.deployment, "ns": ns}
        action = _python(
            "scale-to-zero",
            "chaosk8s.deployment.actions",
            "scale_deployment",
            {**scale, "replicas": 0},
        )
        rollback = _python(
            "restore-replicas",
            "chaosk8s.deployment.actions",
            "scale_deployment",
            {**scale, "replicas": "${original_replicas}"},
        )
        return (
            action,
            [rollback],
            {"original_replicas": _restore_from("ORIGINAL_REPLICAS")},
        )
    if not selector:
        raise CannotDraftError("Chaos Mesh faults need the target's label selector")
    network = "chaosk8s.chaosmesh.network.actions"
    stress = "chaosk8s.chaosmesh.stress.actions"
    undo_network = _python(
        "remove-network-fault", network, "delete_network_fault", {"name": name, "ns": ns}
    )
    undo_stress = _python("remove-stressor", stress, "delete_stressor", {"name": name, "ns": ns})
    duration = f"{fault.duration_s}s"
    if fault.kind == FaultKind.DEPENDENCY_UNREACHABLE:
        action = _python("drop-all-packets", network, "set_loss", {**mesh, "loss": "100"})
        return action, [undo_network], {}
    if fault.kind == FaultKind.LATENCY:
        action = _python(
            "add-latency", network, "add_latency", {**mesh, "latency": f"{fault.magnitude}ms"}
        )
        return action, [undo_network], {}
    if fault.kind == FaultKind.CPU_EXHAUSTED:
        action = _python(
            "stress-cpu",
            stress,
            "stress_cpu",
            {**mesh, "workers": 1, "load": fault.magnitude, "duration": duration},
        )
        return action, [undo_stress], {}
    if fault.kind == FaultKind.MEMORY_EXHAUSTED:
        action = _python(
            "stress-memory",
            stress,
            "stress_memory",
            {**mesh, "workers": 1, "size": f"{fault.magnitude}%", "duration": duration},
        )
        return action, [undo_stress], {}
    raise CannotDraftError(f"chaostoolkit-kubernetes has no action for {fault.kind.value!r}")


def _aws(draft: DraftInput) -> tuple[Activity, list[Activity], dict[str, Any]]:
    fault, target = draft.fault, draft.target
    if target.resource_type == AwsResourceType.EC2_INSTANCE:
        if fault.kind != FaultKind.INSTANCE_KILLED:
            raise CannotDraftError(f"chaostoolkit-aws has no EC2 action for {fault.kind.value!r}")
        where: dict[str, Any] = (
            {"instance_ids": list(target.resource_ids)}
            if target.resource_ids
            else {"filters": _ec2_filters(target.selector)}
        )
        module = "chaosaws.ec2.actions"
        return (
            _python("stop-instances", module, "stop_instances", where),
            [_python("start-instances", module, "start_instances", where)],
            {},
        )
    if target.resource_type == AwsResourceType.ECS_TASK:
        if not (target.cluster and target.deployment):
            raise CannotDraftError("ECS faults need the target's cluster and service (deployment)")
        service = {"cluster": target.cluster, "service": target.deployment}
        module = "chaosaws.ecs.actions"
        if fault.kind == FaultKind.INSTANCE_KILLED:
            return (
                _python("stop-one-task", module, "stop_random_tasks", {**service, "task_count": 1}),
                [],
                {},
            )
        if fault.kind == FaultKind.SCALED_TO_ZERO:
            action = _python(
                "scale-to-zero", module, "update_desired_count", {**service, "desired_count": 0}
            )
            rollback = _python(
                "restore-desired-count",
                module,
                "update_desired_count",
                {**service, "desired_count": "${original_desired_count}"},
            )
            configuration = {"original_desired_count": _restore_from("ORIGINAL_COUNT")}
            return action, [rollback], configuration
        raise CannotDraftError(f"chaostoolkit-aws has no ECS action for {fault.kind.value!r}")
    # RDS cluster
    if fault.kind != FaultKind.INSTANCE_KILLED:
        raise CannotDraftError(f"chaostoolkit-aws has no RDS action for {fault.kind.value!r}")
    if not target.resource_ids:
        raise CannotDraftError("an RDS failover needs the cluster's identifier in resource ids")
    action = _python(
        "failover-db-cluster",
        "chaosaws.rds.actions",
        "failover_db_cluster",
        {"db_cluster_identifier": target.resource_ids[0]},
    )
    return action, [], {}


def _ec2_filters(selector: str) -> list[dict[str, Any]]:
    return [{"Name": f"tag:{key}", "Values": [value]} for key, value in label_pairs(selector)]


def _toxiproxy(draft: DraftInput, name: str) -> tuple[Activity, list[Activity], dict[str, Any]]:
    fault, proxy = draft.fault, draft.target.proxy
    if fault.kind == FaultKind.DEPENDENCY_UNREACHABLE:
        module = "chaostoxi.proxy.actions"
        return (
            _python("disable-proxy", module, "disable_proxy", {"proxy_name": proxy}),
            [_python("enable-proxy", module, "enable_proxy", {"proxy_name": proxy})],
            {},
        )
    module = "chaostoxi.toxic.actions"
    undo = _python("remove-toxic", module, "delete_toxic", {"for_proxy": proxy, "toxic_name": name})
    if fault.kind == FaultKind.LATENCY:
        action = _python(
            "add-latency",
            module,
            "create_latency_toxic",
            {"for_proxy": proxy, "toxic_name": name, "latency": fault.magnitude},
        )
        return action, [undo], {}
    if fault.kind == FaultKind.ERRORS:
        # reset_peer closes the share of connections given by toxicity with a TCP reset.
        action = _python(
            "reset-connections",
            module,
            "create_toxic",
            {
                "for_proxy": proxy,
                "toxic_name": name,
                "toxic_type": "reset_peer",
                "toxicity": (fault.magnitude or 100) / 100,
                "attributes": {"timeout": 0},
            },
        )
        return action, [undo], {}
    raise CannotDraftError(f"chaostoolkit-toxiproxy has no action for {fault.kind.value!r}")


def write_draft(draft: DraftInput) -> dict[str, Any]:
    """The experiment as JSON-ready data, or CannotDraftError."""
    name = f"fma-{draft.failure_mode.id}-{slug(draft.fault.kind.value, 20)}"
    builders = {
        Platform.KUBERNETES: lambda: _kubernetes(draft, name),
        Platform.AWS: lambda: _aws(draft),
        Platform.TOXIPROXY: lambda: _toxiproxy(draft, name),
    }
    action, rollbacks, configuration = builders[draft.target.platform]()
    # Hold the fault (or watch the recovery) for its duration before the steady state is
    # checked again and the rollbacks run.
    action["pauses"] = {"after": draft.fault.duration_s}
    probe, probe_configuration = steady_state_probe(draft.probe)
    experiment: dict[str, Any] = {
        "version": "1.0.0",
        "title": draft.title,
        "description": draft.description,
        "tags": draft.tags,
    }
    if configuration or probe_configuration:
        experiment["configuration"] = {**probe_configuration, **configuration}
    experiment["steady-state-hypothesis"] = {
        "title": draft.failure_mode.resilience.hypothesis or "the system stays healthy",
        "probes": [probe],
    }
    experiment["method"] = [action]
    experiment["rollbacks"] = rollbacks
    return experiment
