"""Chaos targets and resilience as JSON-ready data, and back (the model's JSON form and storage).

Only what is set is written, so a failure mode without resilience has no `resilience` key and
the example model stays readable. Reading goes through the `checked` constructors, so bad data is
refused with the same messages as any other input.
"""

from __future__ import annotations

from typing import Any

from fma_app.domain.errors import ValidationError
from fma_app.domain.resilience import (
    NO_RESILIENCE,
    ChaosTarget,
    ExperimentRecord,
    Fault,
    Resilience,
    SteadyStateProbe,
    format_mitigations,
)

TARGET_KEYS = ("platform", "namespace", "selector", "deployment", "cluster", "resource_type",
               "resource_ids", "proxy")  # fmt: skip
RESILIENCE_KEYS = ("fault", "hypothesis", "probe", "mitigations", "runbook", "experiment")
FAULT_KEYS = ("kind", "duration_s", "magnitude")
PROBE_KEYS = ("kind", "url", "expected_status", "timeout_s", "query", "threshold")
EXPERIMENT_KEYS = ("status", "date", "result")


def target_to_data(target: ChaosTarget) -> dict[str, Any]:
    data: dict[str, Any] = {"platform": target.platform.value}
    for key in ("namespace", "selector", "deployment", "cluster", "proxy"):
        if getattr(target, key):
            data[key] = getattr(target, key)
    if target.resource_type is not None:
        data["resource_type"] = target.resource_type.value
    if target.resource_ids:
        data["resource_ids"] = list(target.resource_ids)
    return data


def target_from_data(data: object) -> ChaosTarget:
    item = _mapping(data, "chaos_target", TARGET_KEYS)
    if "platform" not in item:
        raise ValidationError("chaos_target: needs a platform")
    return ChaosTarget.checked(
        item["platform"], **{key: item[key] for key in TARGET_KEYS[1:] if key in item}
    )


def resilience_to_data(resilience: Resilience) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if resilience.fault is not None:
        fault = resilience.fault
        data["fault"] = {"kind": fault.kind.value, "duration_s": fault.duration_s}
        if fault.magnitude is not None:
            data["fault"]["magnitude"] = fault.magnitude
    if resilience.hypothesis:
        data["hypothesis"] = resilience.hypothesis
    if resilience.probe is not None:
        probe = resilience.probe
        data["probe"] = {
            "kind": probe.kind.value,
            "url": probe.url,
            "expected_status": probe.expected_status,
            "timeout_s": probe.timeout_s,
        }
        if probe.query:
            data["probe"]["query"] = probe.query
        if probe.threshold is not None:
            data["probe"]["threshold"] = probe.threshold
    if resilience.mitigations:
        data["mitigations"] = format_mitigations(resilience.mitigations).split("; ")
    if resilience.runbook:
        data["runbook"] = resilience.runbook
    if resilience.experiment != ExperimentRecord():
        record = resilience.experiment
        data["experiment"] = {
            "status": record.status.value,
            "date": record.date.isoformat() if record.date else None,
            "result": record.result,
        }
    return data


def resilience_from_data(data: object) -> Resilience:
    if data is None:
        return NO_RESILIENCE
    item = _mapping(data, "resilience", RESILIENCE_KEYS)
    fault = probe = experiment = None
    if item.get("fault") is not None:
        values = _mapping(item["fault"], "resilience.fault", FAULT_KEYS)
        if "kind" not in values:
            raise ValidationError("resilience.fault: needs a kind")
        fault = Fault.checked(values["kind"], values.get("duration_s", 60), values.get("magnitude"))
    if item.get("probe") is not None:
        values = _mapping(item["probe"], "resilience.probe", PROBE_KEYS)
        if "kind" not in values or "url" not in values:
            raise ValidationError("resilience.probe: needs a kind and a url")
        probe = SteadyStateProbe.checked(
            values["kind"],
            values["url"],
            **{key: values[key] for key in PROBE_KEYS[2:] if key in values},
        )
    if item.get("experiment") is not None:
        values = _mapping(item["experiment"], "resilience.experiment", EXPERIMENT_KEYS)
        experiment = ExperimentRecord.checked(
            values.get("status", "not planned"), values.get("date"), values.get("result", "")
        )
    return Resilience.checked(
        fault=fault,
        hypothesis=item.get("hypothesis", ""),
        probe=probe,
        mitigations=item.get("mitigations", ()),
        runbook=item.get("runbook", ""),
        experiment=experiment,
    )


def _mapping(data: object, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationError(f"{where} must be an object, not {type(data).__name__}")
    unknown = sorted(set(map(str, data)) - set(allowed))
    if unknown:
        raise ValidationError(f"{where}: unknown field(s): {', '.join(unknown)}")
    return data
