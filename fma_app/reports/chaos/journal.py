"""Read the journal that `chaos run` (Chaos Toolkit) writes, and turn it into an experiment record.

The journal holds the experiment it ran, with the tags our draft gave it: the model's identity
and the failure mode's id. A deviated run is a failed experiment; an aborted, interrupted or
failed one did not conclude, and neither did one that found the system unhealthy before the
fault: chaoslib 1.44 ends that run "completed", not deviated, without running the method (seen
on a real run), so only its `steady_states.before` tells it apart. A completed run whose steady
state held before the fault, without deviation, passed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from fma_app.domain.model import Model
from fma_app.domain.resilience import ExperimentRecord, ExperimentStatus
from fma_app.reports.chaos.common import FAILURE_MODE_TAG, MODEL_TAG

CHAOS_STATUSES = ("completed", "failed", "aborted", "interrupted")


class JournalError(Exception):
    """The journal cannot be recorded; one line that says why."""


@dataclass(frozen=True)
class JournalRun:
    model_uuid: str
    failure_mode_id: int
    chaos_status: str
    deviated: bool
    date: dt.date | None
    healthy_before: bool | None = None  # steady_states.before.steady_state_met, if recorded

    @property
    def status(self) -> ExperimentStatus:
        if self.deviated:
            return ExperimentStatus.FAILED
        if self.chaos_status == "completed" and self.healthy_before is not False:
            return ExperimentStatus.PASSED
        return ExperimentStatus.NOT_CONCLUDED


def read_journal(path: Path) -> JournalRun:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise JournalError(f"no such journal: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise JournalError(f"cannot read the journal {path}: {error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        # A journal is one JSON object: one that stops before its closing brace was cut off.
        cut = "" if text.rstrip().endswith("}") else " (the file looks truncated)"
        where = f"line {error.lineno} column {error.colno}"
        raise JournalError(f"{path} is not valid JSON{cut}: {error.msg} ({where})") from None
    return parse_journal(data, path)


def parse_journal(data: object, path: Path) -> JournalRun:
    if not isinstance(data, dict) or not isinstance(data.get("experiment"), dict):
        raise JournalError(f"{path} is not a Chaos Toolkit journal (it holds no experiment)")
    status = data.get("status")
    if status not in CHAOS_STATUSES:
        raise JournalError(
            f"{path} is not a Chaos Toolkit journal (status {status!r} is not one of: "
            f"{', '.join(CHAOS_STATUSES)})"
        )
    deviated = data.get("deviated", False)
    if not isinstance(deviated, bool):
        raise JournalError(f"{path}: deviated {deviated!r} is not true or false")
    tags = data["experiment"].get("tags")
    tags = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    model_uuid = _tag(tags, MODEL_TAG)
    failure_mode = _tag(tags, FAILURE_MODE_TAG)
    if model_uuid is None or failure_mode is None or not failure_mode.isdigit():
        title = data["experiment"].get("title", "")
        raise JournalError(
            f"{path} names an experiment FMA Workbench did not draft ({title!r} has no "
            f"{MODEL_TAG} and {FAILURE_MODE_TAG} tags)"
        )
    return JournalRun(
        model_uuid, int(failure_mode), status, deviated, _date(data), _healthy_before(data)
    )


def _healthy_before(data: dict[str, object]) -> bool | None:
    states = data.get("steady_states")
    before = states.get("before") if isinstance(states, dict) else None
    met = before.get("steady_state_met") if isinstance(before, dict) else None
    return met if isinstance(met, bool) else None


def _tag(tags: list[str], name: str) -> str | None:
    for tag in tags:
        key, colon, value = tag.partition(":")
        if colon and key == name:
            return value.strip()
    return None


def _date(data: dict[str, object]) -> dt.date | None:
    for key in ("end", "start"):
        value = data.get(key)
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            except ValueError:
                continue
    return None


def record_for(model: Model, run: JournalRun, result: str) -> ExperimentRecord:
    """The record to store on the run's failure mode, after checking it belongs to `model`."""
    if run.model_uuid != model.uuid:
        raise JournalError(
            f"the journal comes from another model (identity {run.model_uuid}; "
            f"this model is {model.uuid})"
        )
    if run.failure_mode_id not in model.failure_modes:
        raise JournalError(
            f"the journal names failure mode {run.failure_mode_id}, which this model does not have"
        )
    return ExperimentRecord(run.status, run.date, result)
