"""The worksheet's columns and what each cell shows, over the domain (no Qt).

`ui.worksheet_model` serves these to the table view; the clipboard builds and parses the same
cells, so a row copied from the worksheet pastes back unchanged.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Literal, overload

from fma_app.domain.commands import Command, set_fields
from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import FailureMode, Model, Scores
from fma_app.domain.resilience import ExperimentStatus, format_mitigations
from fma_app.domain.scoring import (
    ActionPriority,
    action_priority,
    validate_optional_score,
    validate_score,
)

ColumnKind = Literal["component", "text", "score", "revised", "computed"]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: ColumnKind
    tooltip: str
    width: int  # default width in pixels, before the user resizes


COLUMNS: tuple[Column, ...] = (
    Column("component", "Component", "component", "Component the failure mode belongs to", 100),
    Column("function", "Function", "text", "What the component does", 100),
    Column("failure_mode", "Failure Mode", "text", "How the function fails", 120),
    Column("effect", "Effect", "text", "What the failure does to users and the system", 140),
    Column("severity", "S", "score", "Severity of the effect, 1-10", 36),
    Column("cause", "Cause", "text", "Why the failure happens", 120),
    Column("likelihood", "L", "score", "Likelihood of the cause, 1-10 (occurrence)", 36),
    Column("prevention_controls", "Prevention Controls", "text", "What keeps the cause away", 125),
    Column("detection_controls", "Detection Controls", "text", "What notices the failure", 120),
    Column("detection", "D", "score", "Detection: 1 certain to notice, 10 no chance", 36),
    Column("rpn", "RPN", "computed", "Risk Priority Number S x L x D (computed)", 48),
    Column("ap", "AP", "computed", "AIAG-VDA Action Priority H/M/L (computed)", 36),
    Column("actions", "Actions", "computed", "Recommended actions: open and done", 110),
    Column("revised_severity", "Rev. S", "revised", "Revised severity after actions", 48),
    Column("revised_likelihood", "Rev. L", "revised", "Revised likelihood after actions", 48),
    Column("revised_detection", "Rev. D", "revised", "Revised detection after actions", 48),
    Column("revised_rpn", "Rev. RPN", "computed", "Revised RPN (computed)", 64),
    Column("revised_ap", "Rev. AP", "computed", "Revised Action Priority (computed)", 56),
    # Last, so the other columns keep their numbers; the view shows it first when it is shown.
    Column("id", "ID", "computed", "The failure mode's stable id, as in the report and rank", 44),
    # After the ID, so every column before keeps its number (saved layouts, pasted rows).
    Column("justification", "Justification", "text",
           "Why the current controls are adequate without a further action (satisfies fma-app "
           "check's high-priority rule)", 140),
    # Resilience (hidden until View > Show Resilience Columns); edited in the details' section.
    Column("mitigations", "Mitigations", "computed", "Resiliency patterns in place or planned",
           140),
    Column("experiment", "Experiment", "computed", "Status of the last chaos experiment", 90),
)  # fmt: skip
COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
COLUMN_INDEX: dict[str, int] = {c.key: i for i, c in enumerate(COLUMNS)}
NUMERIC_KINDS = ("score", "revised")
TEXT_KEYS = tuple(c.key for c in COLUMNS if c.kind == "text")

# 1,000 score combinations: a table beats the band look-ups when 20,000 rows are painted,
# filtered and sorted by AP. A triple with a None (not rated yet) is not in it.
_SCORES = range(1, 11)
_AP_OF: dict[tuple[int | None, int | None, int | None], ActionPriority] = {
    (s, l_, d): action_priority(s, l_, d)
    for s, l_, d in itertools.product(_SCORES, _SCORES, _SCORES)
}


@overload
def ap_of(scores: Scores) -> ActionPriority: ...
@overload
def ap_of(scores: FailureMode) -> ActionPriority | None: ...
def ap_of(scores: Scores | FailureMode) -> ActionPriority | None:
    """The AP, or None for a failure mode not rated yet."""
    return _AP_OF.get((scores.severity, scores.likelihood, scores.detection))


def _blank(value: object) -> object:
    """ "" for a score, RPN or AP that does not exist yet: the cell shows empty."""
    return "" if value is None else value


def revised_field(key: str) -> str:
    return key.removeprefix("revised_")


def cell_value(model: Model, fm: FailureMode, key: str, counts: tuple[int, int, int]) -> object:
    """What a cell shows: str, int, or "" when empty."""
    if key == "component":
        return model.components[fm.component_id].name
    if key in ("severity", "likelihood", "detection", "rpn"):
        return _blank(getattr(fm, key))
    if key == "ap":
        ap = ap_of(fm)
        return ap.value if ap else ""
    if key == "actions":
        return action_summary(counts)
    if key == "id":
        return fm.id
    if key == "mitigations":
        return format_mitigations(fm.resilience.mitigations)
    if key == "experiment":
        return experiment_text(fm)
    if key.startswith("revised_"):
        if fm.revised is None:
            return ""
        if key == "revised_rpn":
            return fm.revised.rpn
        if key == "revised_ap":
            return ap_of(fm.revised).value
        return getattr(fm.revised, revised_field(key))
    return getattr(fm, key)


def row_values(model: Model, fm: FailureMode, counts: tuple[int, int, int]) -> tuple[object, ...]:
    """Every cell of a row at once, in COLUMNS order (copying 20,000 rows cell by cell through
    `cell_value` takes seconds)."""
    r, ap = fm.revised, ap_of(fm)
    return (
        model.components[fm.component_id].name, fm.function, fm.failure_mode, fm.effect,
        _blank(fm.severity), fm.cause, _blank(fm.likelihood), fm.prevention_controls,
        fm.detection_controls, _blank(fm.detection), _blank(fm.rpn), ap.value if ap else "",
        action_summary(counts),
        r.severity if r else "", r.likelihood if r else "", r.detection if r else "",
        r.severity * r.likelihood * r.detection if r else "",
        ap_of(r).value if r else "",
        fm.id, fm.justification, format_mitigations(fm.resilience.mitigations),
        experiment_text(fm),
    )  # fmt: skip


def experiment_text(fm: FailureMode) -> str:
    """ "passed 2026-11-12", "planned", or "" when no experiment is planned."""
    record = fm.resilience.experiment
    if record.status is ExperimentStatus.NOT_PLANNED:
        return ""
    return (
        f"{record.status.value} {record.date.isoformat()}" if record.date else record.status.value
    )


def action_summary(counts: tuple[int, int, int]) -> str:
    """`2 open / 1 done` (open includes in progress); cancelled only when there are some."""
    open_, done, cancelled = counts
    if not any(counts):
        return ""
    parts = [f"{open_} open", f"{done} done"]
    if cancelled:
        parts.append(f"{cancelled} cancelled")
    return " / ".join(parts)


def cell_changes(
    model: Model, fm: FailureMode, key: str, value: object, revised_base: Scores | None = None
) -> dict[str, object]:
    """The failure mode fields that setting cell `key` to `value` changes.

    Raises ValidationError/ModelError. A revised score typed where there are none starts from a
    copy of the original scores (or `revised_base`), so the three revised scores stay all or none;
    clearing one revised cell clears all three.
    """
    column = COLUMNS[COLUMN_INDEX[key]]
    if column.kind == "computed":
        raise ValidationError(f"{column.title} is computed and cannot be edited")
    if column.kind == "component":
        name = str(value).strip()
        component = model.component_by_name(name)
        if component is None:
            raise ModelError(f"there is no component named {name!r}")
        return {"component_id": component.id}
    if column.kind == "score":  # an emptied cell: not rated yet
        return {key: validate_optional_score(key, value)}
    if column.kind == "revised":
        if value is None or str(value).strip() == "":
            return {"revised": None}
        field = revised_field(key)
        score = validate_score(f"revised {field}", value)
        base = fm.revised or revised_base or fm.scores
        if base is None:
            raise ValidationError(
                "revised scores need all three: rate severity, likelihood and detection first"
            )
        return {"revised": replace(base, **{field: score})}
    return {key: "" if value is None else str(value)}


def cell_command(model: Model, fm_id: int, key: str, value: object) -> Command | None:
    """The command for setting one cell, None when the value is already there; raises
    ValidationError/ModelError for a refused value."""
    fm = model.failure_modes[fm_id]
    changes = cell_changes(model, fm, key, value)
    if all(getattr(fm, name) == new for name, new in changes.items()):
        return None  # nothing changed: no empty undo step
    return set_fields(model, "failure_mode", fm_id, **changes)
