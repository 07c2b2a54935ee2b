"""Ranking failure modes by RPN or by Action Priority."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from fma_app.domain.model import FailureMode, Model
from fma_app.domain.scoring import ActionPriority, action_priority, rpn


class RankBy(StrEnum):
    RPN = "rpn"
    AP = "ap"


class RankedFailureMode(NamedTuple):
    """One place in a ranking. A NamedTuple (immutable like the frozen dataclass it was, and
    made in a third of the time: `rank` makes 20,000 of them in one go)."""

    rank: int
    component: str
    failure_mode: FailureMode

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


SortKey = tuple[int, str, str, int]


# Each key is (urgency, component name folded, failure mode name folded, id), ascending. The
# urgency packs the scores into one int, most significant first, so comparing two keys usually
# ends at their first element instead of at the fifth: scores are 1-10 (0 for not rated) and fit
# base 11, an RPN (at most 1,000) fits base 1,001. Rated failure modes get urgencies below 0.
# Not rated yet sorts after every rated failure mode, in both rankings: an unknown risk is
# neither high nor low. Among themselves: what is rated so far, highest first, then names.
def _unrated_key(fm: FailureMode, component: str) -> SortKey:
    rated_so_far = (fm.severity or 0) * 121 + (fm.likelihood or 0) * 11 + (fm.detection or 0)
    return (1331 - rated_so_far, component, fm.failure_mode.casefold(), fm.id)


def _rpn_key(fm: FailureMode, component: str) -> SortKey:
    """RPN, severity, likelihood, detection: each highest first."""
    severity, likelihood, detection = fm.severity, fm.likelihood, fm.detection
    if severity is None or likelihood is None or detection is None:
        return _unrated_key(fm, component)
    scores = rpn(severity, likelihood, detection) * 1331 + severity * 121 + likelihood * 11
    return (-(scores + detection), component, fm.failure_mode.casefold(), fm.id)


_AP_RANK = {ActionPriority.HIGH: 2, ActionPriority.MEDIUM: 1, ActionPriority.LOW: 0}


def _ap_key(fm: FailureMode, component: str) -> SortKey:
    """H, M, L, then severity, then RPN: each highest first."""
    severity, likelihood, detection = fm.severity, fm.likelihood, fm.detection
    if severity is None or likelihood is None or detection is None:
        return _unrated_key(fm, component)
    ap = _AP_RANK[action_priority(severity, likelihood, detection)]
    scores = ap * 11011 + severity * 1001 + rpn(severity, likelihood, detection)
    return (-scores, component, fm.failure_mode.casefold(), fm.id)


def rank_failure_modes(model: Model, by: RankBy | str = RankBy.RPN) -> list[RankedFailureMode]:
    """All failure modes, most urgent first, numbered from 1.

    rpn: RPN desc, then severity, likelihood, detection desc, then component and failure mode names.
    ap:  H, M, L, then severity desc, then RPN desc, then names.
    Both: failure modes not rated yet come last, by severity, likelihood, detection desc (blank
    counts as lowest), then names.
    """
    key = _rpn_key if RankBy(by) is RankBy.RPN else _ap_key
    names = {c.id: c.name for c in model.components.values()}
    folded = {c.id: c.name.casefold() for c in model.components.values()}
    ordered = sorted(model.failure_modes.values(), key=lambda fm: key(fm, folded[fm.component_id]))
    return [
        RankedFailureMode(rank, names[fm.component_id], fm)
        for rank, fm in enumerate(ordered, start=1)
    ]
