"""Ranking failure modes by RPN or by Action Priority."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fma_app.domain.model import FailureMode, Model


class RankBy(StrEnum):
    RPN = "rpn"
    AP = "ap"


@dataclass(frozen=True)
class RankedFailureMode:
    rank: int
    component: str
    failure_mode: FailureMode

    def as_record(self) -> dict[str, object]:
        """The flat record `rank` prints as JSON/CSV (None where not rated or not revised)."""
        fm, revised = self.failure_mode, self.failure_mode.revised
        ap = fm.ap
        return {
            "rank": self.rank,
            "id": fm.id,
            "component": self.component,
            "function": fm.function,
            "failure_mode": fm.failure_mode,
            "effect": fm.effect,
            "severity": fm.severity,
            "likelihood": fm.likelihood,
            "detection": fm.detection,
            "rpn": fm.rpn,
            "ap": ap.value if ap else None,
            "revised_severity": revised.severity if revised else None,
            "revised_likelihood": revised.likelihood if revised else None,
            "revised_detection": revised.detection if revised else None,
            "revised_rpn": fm.revised_rpn,
            "revised_ap": fm.revised_ap.value if fm.revised_ap else None,
        }


# Not rated yet sorts after every rated failure mode, in both rankings: an unknown risk is
# neither high nor low. Among themselves: what is rated so far, highest first, then names.
def _unrated_key(fm: FailureMode, component: str) -> tuple:
    return (1, -(fm.severity or 0), -(fm.likelihood or 0), -(fm.detection or 0),
            component.casefold(), fm.failure_mode.casefold(), fm.id)  # fmt: skip


def _rpn_key(fm: FailureMode, component: str) -> tuple:
    rpn = fm.rpn
    if rpn is None:
        return _unrated_key(fm, component)
    return (0, -rpn, -fm.severity, -fm.likelihood, -fm.detection,  # type: ignore[operator]
            component.casefold(), fm.failure_mode.casefold(), fm.id)  # fmt: skip


def _ap_key(fm: FailureMode, component: str) -> tuple:
    ap, rpn = fm.ap, fm.rpn
    if ap is None or rpn is None:
        return _unrated_key(fm, component)
    return (0, ap.order, -fm.severity, -rpn, component.casefold(),  # type: ignore[operator]
            fm.failure_mode.casefold(), fm.id)  # fmt: skip


def rank_failure_modes(model: Model, by: RankBy | str = RankBy.RPN) -> list[RankedFailureMode]:
    """All failure modes, most urgent first, numbered from 1.

    rpn: RPN desc, then severity, likelihood, detection desc, then component and failure mode names.
    ap:  H, M, L, then severity desc, then RPN desc, then names.
    Both: failure modes not rated yet come last, by severity, likelihood, detection desc (blank
    counts as lowest), then names.
    """
    key = _rpn_key if RankBy(by) is RankBy.RPN else _ap_key
    names = {c.id: c.name for c in model.components.values()}
    ordered = sorted(model.failure_modes.values(), key=lambda fm: key(fm, names[fm.component_id]))
    return [
        RankedFailureMode(rank, names[fm.component_id], fm)
        for rank, fm in enumerate(ordered, start=1)
    ]
