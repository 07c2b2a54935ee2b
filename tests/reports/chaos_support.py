"""A model with a failure mode for every fault on every kind of target, and the lists of the real
tool actions the drafts may use (what the validators cannot check themselves).

The lists are written from the tools' documentation, independently of the writers: LitmusChaos's
generic experiments (litmuschaos/chaos-charts) with the environment variables each reads, and the
AWS FIS action ids with their documented parameters (FIS "actions reference").
"""

from __future__ import annotations

from fma_app.domain.model import Model
from fma_app.domain.resilience import (
    MAGNITUDES,
    ChaosTarget,
    Fault,
    FaultKind,
    Resilience,
    SteadyStateProbe,
)

# Litmus experiment -> the environment variables it reads (chaos-charts, generic/*).
LITMUS_EXPERIMENTS: dict[str, set[str]] = {
    "pod-delete": {"TOTAL_CHAOS_DURATION", "CHAOS_INTERVAL", "FORCE", "PODS_AFFECTED_PERC",
                   "TARGET_PODS", "RAMP_TIME", "SEQUENCE"},
    "pod-network-latency": {"TOTAL_CHAOS_DURATION", "NETWORK_LATENCY", "JITTER",
                            "NETWORK_INTERFACE", "TARGET_CONTAINER", "PODS_AFFECTED_PERC",
                            "DESTINATION_IPS", "DESTINATION_HOSTS", "RAMP_TIME", "SEQUENCE"},
    "pod-network-loss": {"TOTAL_CHAOS_DURATION", "NETWORK_PACKET_LOSS_PERCENTAGE",
                         "NETWORK_INTERFACE", "TARGET_CONTAINER", "PODS_AFFECTED_PERC",
                         "DESTINATION_IPS", "DESTINATION_HOSTS", "RAMP_TIME", "SEQUENCE"},
    "pod-cpu-hog": {"TOTAL_CHAOS_DURATION", "CPU_CORES", "CPU_LOAD", "PODS_AFFECTED_PERC",
                    "TARGET_CONTAINER", "RAMP_TIME", "SEQUENCE"},
    "disk-fill": {"TOTAL_CHAOS_DURATION", "FILL_PERCENTAGE", "EPHEMERAL_STORAGE_MEBIBYTES",
                  "DATA_BLOCK_SIZE", "TARGET_CONTAINER", "PODS_AFFECTED_PERC", "RAMP_TIME"},
    "pod-dns-error": {"TOTAL_CHAOS_DURATION", "TARGET_HOSTNAMES", "MATCH_SCHEME",
                      "TARGET_CONTAINER", "PODS_AFFECTED_PERC", "RAMP_TIME", "SEQUENCE"},
}  # fmt: skip

# FIS action id -> (target resource type, its target key, the parameters it takes).
FIS_ACTIONS: dict[str, tuple[str, str, set[str]]] = {
    "aws:ec2:stop-instances": ("aws:ec2:instance", "Instances",
                               {"startInstancesAfterDuration", "completeIfInstancesTerminated"}),
    "aws:ssm:send-command": ("aws:ec2:instance", "Instances",
                             {"documentArn", "documentParameters", "duration"}),
    "aws:ecs:stop-task": ("aws:ecs:task", "Tasks", set()),
    "aws:ecs:task-cpu-stress": ("aws:ecs:task", "Tasks",
                                {"duration", "percent", "workers", "installDependencies"}),
    "aws:ecs:task-io-stress": ("aws:ecs:task", "Tasks",
                               {"duration", "percent", "workers", "installDependencies"}),
    "aws:ecs:task-network-latency": ("aws:ecs:task", "Tasks",
                                     {"duration", "delayMilliseconds", "jitterMilliseconds",
                                      "sources", "installDependencies"}),
    "aws:ecs:task-network-packet-loss": ("aws:ecs:task", "Tasks",
                                         {"duration", "lossPercent", "sources",
                                          "installDependencies"}),
    "aws:rds:failover-db-cluster": ("aws:rds:cluster", "Clusters", set()),
    "aws:eks:pod-delete": ("aws:eks:pod", "Pods",
                           {"kubernetesServiceAccount", "gracePeriodSeconds", "maxErrorsPercent",
                            "fisPodContainerImage"}),
    "aws:eks:pod-network-latency": ("aws:eks:pod", "Pods",
                                    {"duration", "delayMilliseconds", "jitterMilliseconds",
                                     "sources", "interface", "kubernetesServiceAccount",
                                     "maxErrorsPercent", "fisPodContainerImage"}),
    "aws:eks:pod-network-packet-loss": ("aws:eks:pod", "Pods",
                                        {"duration", "lossPercent", "sources", "interface",
                                         "kubernetesServiceAccount", "maxErrorsPercent",
                                         "fisPodContainerImage"}),
    "aws:eks:pod-cpu-stress": ("aws:eks:pod", "Pods",
                               {"duration", "percent", "workers", "kubernetesServiceAccount",
                                "maxErrorsPercent", "fisPodContainerImage"}),
    "aws:eks:pod-memory-stress": ("aws:eks:pod", "Pods",
                                  {"duration", "percent", "workers", "kubernetesServiceAccount",
                                   "maxErrorsPercent", "fisPodContainerImage"}),
    "aws:eks:pod-io-stress": ("aws:eks:pod", "Pods",
                              {"duration", "percent", "workers", "kubernetesServiceAccount",
                               "maxErrorsPercent", "fisPodContainerImage"}),
}  # fmt: skip
# The AWS-owned SSM documents FIS runs on EC2 instances, with the parameters each takes.
FIS_SSM_DOCUMENTS: dict[str, set[str]] = {
    "AWSFIS-Run-CPU-Stress": {"DurationSeconds", "CPU", "LoadPercent", "InstallDependencies"},
    "AWSFIS-Run-Memory-Stress": {"DurationSeconds", "Workers", "Percent", "InstallDependencies"},
    "AWSFIS-Run-Disk-Fill": {"DurationSeconds", "Percent", "InstallDependencies"},
    "AWSFIS-Run-Network-Latency": {"DurationSeconds", "DelayMilliseconds", "Interface",
                                   "InstallDependencies"},
    "AWSFIS-Run-Network-Packet-Loss": {"DurationSeconds", "LossPercent", "Interface",
                                       "InstallDependencies"},
}  # fmt: skip

TARGETS: dict[str, ChaosTarget] = {
    "k8s": ChaosTarget.checked("kubernetes", namespace="shop", selector="app=checkout",
                               deployment="checkout", cluster="shop-eks"),
    "k8s-no-cluster": ChaosTarget.checked("kubernetes", namespace="shop", selector="app=cart"),
    "ec2": ChaosTarget.checked("aws", resource_type="ec2-instance", selector="service=search"),
    "ec2-ids": ChaosTarget.checked("aws", resource_type="ec2-instance",
                                   resource_ids="i-0abc,i-0def"),
    "ecs": ChaosTarget.checked("aws", resource_type="ecs-task", selector="service=orders",
                               cluster="shop", deployment="orders"),
    "rds": ChaosTarget.checked("aws", resource_type="rds-cluster", resource_ids="orders-db"),
    "toxiproxy": ChaosTarget.checked("toxiproxy", proxy="payments"),
}  # fmt: skip
HTTP = SteadyStateProbe.checked("http", "https://shop.example/health", timeout_s=3)
PROMETHEUS = SteadyStateProbe.checked(
    "prometheus", "http://prometheus:9090", query="sum(rate(http_errors_total[1m]))", threshold=5
)


def fault_of(kind: FaultKind) -> Fault:
    spec = MAGNITUDES.get(kind)
    return Fault.checked(kind, 120, None if spec is None else min(spec[3], 300))


def matrix_model() -> Model:
    """One component per target, each with one failure mode per fault; the probe alternates
    between HTTP and Prometheus. Failure mode names are "TARGET / FAULT"."""
    model = Model(name="Chaos matrix")
    for index, (name, target) in enumerate(TARGETS.items()):
        component = model.add_component(name, chaos_target=target)
        for kind in FaultKind:
            model.add_failure_mode(
                component.id,
                failure_mode=f"{name} / {kind.value}",
                effect="Checkout fails",
                resilience=Resilience.checked(
                    fault=fault_of(kind),
                    hypothesis=f"Checkout survives {kind.value} on {name}.",
                    probe=HTTP if (index + len(kind.value)) % 2 else PROMETHEUS,
                    mitigations="timeout (in place); circuit breaker (planned)",
                ),
            )
    return model
