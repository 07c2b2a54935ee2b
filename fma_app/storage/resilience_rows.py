"""Rows of the resilience tables (model_identity, chaos_targets, resilience) and back.

Only components with a chaos target and failure modes with some resilience get a row, so a model
without any costs nothing on open or save. Reading goes through the domain's `checked`
constructors: a row that breaks a domain rule is refused naming its table and id.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from fma_app.domain.errors import ValidationError
from fma_app.domain.model import Component, FailureMode, Model
from fma_app.domain.resilience import (
    ChaosTarget,
    ExperimentRecord,
    Fault,
    Mitigation,
    Resilience,
    SteadyStateProbe,
    checked_uuid,
    format_mitigations,
    parse_mitigations,
)
from fma_app.storage import compiled_sql
from fma_app.storage.checks import RowProblemError


def identity_rows(model: Model) -> list[tuple[object, ...]]:
    return [(1, model.uuid)]


def target_rows(components: list[Component]) -> list[tuple[object, ...]]:
    return [
        (
            c.id,
            t.platform.value,
            t.namespace,
            t.selector,
            t.deployment,
            t.cluster,
            None if t.resource_type is None else t.resource_type.value,
            ",".join(t.resource_ids),
            t.proxy,
        )
        for c in components
        if (t := c.chaos_target) is not None
    ]


def resilience_rows(failure_modes: list[FailureMode]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for fm in failure_modes:
        r = fm.resilience
        if r.is_empty:
            continue
        fault, probe, record = r.fault, r.probe, r.experiment
        rows.append(
            (
                fm.id,
                None if fault is None else fault.kind.value,
                None if fault is None else fault.duration_s,
                None if fault is None else fault.magnitude,
                r.hypothesis,
                None if probe is None else probe.kind.value,
                "" if probe is None else probe.url,
                None if probe is None else probe.expected_status,
                None if probe is None else probe.timeout_s,
                "" if probe is None else probe.query,
                None if probe is None else probe.threshold,
                format_mitigations(r.mitigations),
                r.runbook,
                record.status.value,
                None if record.date is None else record.date.isoformat(),
                record.result,
            )
        )
    return rows


def apply_identity(model: Model, rows: list[Any]) -> None:
    if len(rows) != 1:
        raise RowProblemError(f"the model_identity table holds {len(rows)} rows instead of one")
    if rows[0][0] != 1:
        raise RowProblemError(f"model_identity row {rows[0][0]!r}: id is not 1")
    try:
        model.uuid = checked_uuid(rows[0][1])
    except ValidationError as error:
        raise RowProblemError(f"model_identity row 1: {error}") from None


def apply_targets(model: Model, rows: list[Any]) -> None:
    for row in rows:
        row_id = row[0]
        component = model.components.get(row_id)
        if component is None:
            raise RowProblemError(f"chaos_targets row {row_id}: id names no component")
        try:
            component.chaos_target = ChaosTarget.checked(
                row[1],
                namespace=row[2],
                selector=row[3],
                deployment=row[4],
                cluster=row[5],
                resource_type=row[6],
                resource_ids=row[7],
                proxy=row[8],
            )
        except ValidationError as error:
            raise RowProblemError(f"chaos_targets row {row_id}: {error}") from None


def apply_resilience(model: Model, rows: list[Any]) -> None:
    # The checked constructors cost about 0.25 ms a row; the same probe, fault, mitigations and
    # record recur across many failure modes, so each distinct one is built once per open.
    cache: dict[tuple[object, ...], Resilience] = {}
    for row in rows:
        row_id = row[0]
        failure_mode = model.failure_modes.get(row_id)
        if failure_mode is None:
            raise RowProblemError(f"resilience row {row_id}: id names no failure mode")
        key = tuple(row[1:])
        try:
            resilience = cache.get(key)
            if resilience is None:
                resilience = cache[key] = _resilience(row)
        except ValidationError as error:
            raise RowProblemError(f"resilience row {row_id}: {error}") from None
        failure_mode.resilience = resilience


def _resilience(row: Any) -> Resilience:
    (_id, fault, duration, magnitude, hypothesis, probe, url, status, timeout, query,
     threshold, mitigations, runbook, experiment, date, result) = row  # fmt: skip
    return Resilience.checked(
        fault=None if fault is None else _fault(fault, duration, magnitude),
        hypothesis=hypothesis,
        probe=None if probe is None else _probe(probe, url, status, timeout, query, threshold),
        mitigations=_mitigations(mitigations),
        runbook=runbook,
        experiment=_record(experiment, date, result),
    )


@functools.lru_cache(maxsize=4096)
def _fault(kind: str, duration: object, magnitude: object) -> Fault:
    return Fault.checked(kind, duration, magnitude)


@functools.lru_cache(maxsize=4096)
def _probe(
    kind: str, url: str, status: object, timeout: object, query: str, threshold: object
) -> SteadyStateProbe:
    return SteadyStateProbe.checked(
        kind, url, expected_status=status, timeout_s=timeout, query=query, threshold=threshold
    )


@functools.lru_cache(maxsize=4096)
def _mitigations(text: str) -> tuple[Mitigation, ...]:
    return parse_mitigations(text)


@functools.lru_cache(maxsize=4096)
def _record(status: str, date: str | None, result: str) -> ExperimentRecord:
    return ExperimentRecord.checked(
        status, None if date is None else dt.date.fromisoformat(date), result
    )


def check_resilience_rows(conn: Any) -> None:
    """The domain rules of the resilience tables, for readers that do not build the model
    (read_info): a file that open refuses is not called fine by info."""
    rows = conn.execute("SELECT id, uuid FROM model_identity").fetchall()
    scratch = Model()
    apply_identity(scratch, rows)
    for row in conn.execute(compiled_sql.SELECT_SQL["chaos_targets"]).fetchall():
        scratch.components[row[0]] = Component(row[0], "probe")
        apply_targets(scratch, [row])
    for row in conn.execute(compiled_sql.SELECT_SQL["resilience"]).fetchall():
        scratch.failure_modes[row[0]] = FailureMode(row[0], 0)
        apply_resilience(scratch, [row])
