"""Ranking failure modes by RPN or by Action Priority."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Generic, NamedTuple, Protocol, TypeVar

from fma_app.domain.scoring import ActionPriority, action_priority, rpn

if TYPE_CHECKING:  # names only: `--help` lists `rank --by` without building the model classes
    from fma_app.domain.model import FailureMode, Model, Scores


class RankBy(StrEnum):
    RPN = "rpn"
    AP = "ap"


class Rankable(Protocol):
    """What a ranking reads of a failure mode: a `FailureMode`, or a `RankRow` read straight
    from a model file."""

    @property
    def id(self) -> int: ...
    @property
    def component_id(self) -> int: ...
    @property
    def function(self) -> str: ...
    @property
    def failure_mode(self) -> str: ...
    @property
    def effect(self) -> str: ...
    @property
    def severity(self) -> int | None: ...
    @property
    def likelihood(self) -> int | None: ...
    @property
    def detection(self) -> int | None: ...
    @property
    def revised(self) -> Scores | None: ...


class RankRow(NamedTuple):
    """The fields of a failure mode that a ranking reads and `rank` prints, and no more: `rank`
    reads these from the file instead of building the whole model (a quarter of its time)."""

    id: int
    component_id: int
    function: str
    failure_mode: str
    effect: str
    severity: int | None
    likelihood: int | None
    detection: int | None
    revised: Scores | None


F = TypeVar("F", bound=Rankable)
F_co = TypeVar("F_co", bound=Rankable, covariant=True)  # a tuple is read only


class RankedFailureMode(NamedTuple, Generic[F_co]):
    """One place in a ranking. A NamedTuple (immutable like the frozen dataclass it was, and
    made in a third of the time: `rank` makes 20,000 of them in one go)."""

    rank: int
    component: str
    failure_mode: F_co

    def as_record(self) -> dict[str, object]:
        """The flat record `rank` prints as JSON/CSV (None where not rated or not revised)."""
        fm = self.failure_mode
        # The scores read once, RPN and AP computed here rather than through four properties
        # that each read them again: `rank` makes a record for every failure mode.
        severity, likelihood, detection = fm.severity, fm.likelihood, fm.detection
        risk: int | None = None
        priority: str | None = None
        if not (severity is None or likelihood is None or detection is None):
            risk = rpn(severity, likelihood, detection)
            priority = action_priority(severity, likelihood, detection).value
        record: dict[str, object] = {
            "rank": self.rank,
            "id": fm.id,
            "component": self.component,
            "function": fm.function,
            "failure_mode": fm.failure_mode,
            "effect": fm.effect,
            "severity": severity,
            "likelihood": likelihood,
            "detection": detection,
            "rpn": risk,
            "ap": priority,
        }
        revised = fm.revised
        if revised is None:
            record.update(_NOT_REVISED)
            return record
        severity, likelihood, detection = revised.severity, revised.likelihood, revised.detection
        record["revised_severity"] = severity
        record["revised_likelihood"] = likelihood
        record["revised_detection"] = detection
        record["revised_rpn"] = rpn(severity, likelihood, detection)
        record["revised_ap"] = action_priority(severity, likelihood, detection).value
        return record


_NOT_REVISED: dict[str, object] = dict.fromkeys(
    ("revised_severity", "revised_likelihood", "revised_detection", "revised_rpn", "revised_ap")
)


# Each sort key is (urgency, component name folded, failure mode name folded, id), ascending.
# The urgency packs the scores into one int, most significant first, so comparing two keys
# usually ends at their first element instead of at the fifth: scores are 1-10 (0 for not rated)
# and fit base 11, an RPN (at most 1,000) fits base 1,001. Rated failure modes get urgencies
# below 0. Not rated yet sorts after every rated failure mode, in both rankings: an unknown risk
# is neither high nor low. Among themselves: what is rated so far, highest first, then names.
def _rpn_urgency(severity: int, likelihood: int, detection: int) -> int:
    """RPN, severity, likelihood, detection: each highest first."""
    scores = rpn(severity, likelihood, detection) * 1331 + severity * 121 + likelihood * 11
    return -(scores + detection)


_AP_RANK = {ActionPriority.HIGH: 2, ActionPriority.MEDIUM: 1, ActionPriority.LOW: 0}


def _ap_urgency(severity: int, likelihood: int, detection: int) -> int:
    """H, M, L, then severity, then RPN: each highest first."""
    ap = _AP_RANK[action_priority(severity, likelihood, detection)]
    return -(ap * 11011 + severity * 1001 + rpn(severity, likelihood, detection))


@cache
def _urgencies(by: RankBy) -> tuple[int, ...]:
    """The urgency of every score triple, by its base-11 code (0 for not rated): a ranking
    looks each failure mode's up instead of computing RPN and AP again for each of 20,000."""
    urgency = _rpn_urgency if by is RankBy.RPN else _ap_urgency
    table = []
    for code in range(1331):
        severity, likelihood, detection = code // 121, code // 11 % 11, code % 11
        rated = severity and likelihood and detection
        table.append(urgency(severity, likelihood, detection) if rated else 1331 - code)
    return tuple(table)


def rank_failure_modes(
    model: Model, by: RankBy | str = RankBy.RPN
) -> list[RankedFailureMode[FailureMode]]:
    """All failure modes, most urgent first, numbered from 1.

    rpn: RPN desc, then severity, likelihood, detection desc, then component and failure mode names.
    ap:  H, M, L, then severity desc, then RPN desc, then names.
    Both: failure modes not rated yet come last, by severity, likelihood, detection desc (blank
    counts as lowest), then names.
    """
    names = {c.id: c.name for c in model.components.values()}
    return rank(model.failure_modes.values(), names, by)


def rank(
    failure_modes: Iterable[F], component_names: Mapping[int, str], by: RankBy | str = RankBy.RPN
) -> list[RankedFailureMode[F]]:
    """`rank_failure_modes` of failure modes whose components have these names."""
    urgencies = _urgencies(RankBy(by))
    folded = {component_id: name.casefold() for component_id, name in component_names.items()}

    def key(fm: F) -> tuple[int, str, str, int]:
        code = (fm.severity or 0) * 121 + (fm.likelihood or 0) * 11 + (fm.detection or 0)
        return (urgencies[code], folded[fm.component_id], fm.failure_mode.casefold(), fm.id)

    ordered = sorted(failure_modes, key=key)
    # tuple.__new__ makes the same tuple as the NamedTuple's own __new__, which is a Python
    # function call per entry: a third of the cost for the 20,000 entries of a large model.
    make = tuple.__new__
    return [
        make(RankedFailureMode, (place, component_names[fm.component_id], fm))
        for place, fm in enumerate(ordered, start=1)
    ]
