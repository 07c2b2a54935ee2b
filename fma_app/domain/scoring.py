"""RPN and AIAG-VDA Action Priority.

The Action Priority table is kept as data, transcribed row by row as the AIAG-VDA FMEA Handbook
(1st edition, 2019) prints it for DFMEA and PFMEA: severity band x occurrence band, with one
column per detection band. AP is not a function of RPN, so it is never derived from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from fma_app.domain.errors import ValidationError

SCORE_MIN = 1
SCORE_MAX = 10
# ASCII digits only and few of them: str.isdigit() also accepts "²", which int() refuses, and
# int() refuses strings of over 4,300 digits; both raised ValueError instead of the message.
_WHOLE = re.compile(r"[+-]?[0-9]{1,20}")


class ActionPriority(StrEnum):
    HIGH = "H"
    MEDIUM = "M"
    LOW = "L"

    @property
    def order(self) -> int:
        """0 for H, 1 for M, 2 for L: sort key, most urgent first."""
        return "HML".index(self.value)


# Bands as the handbook prints them (inclusive ranges).
SEVERITY_BANDS: tuple[tuple[int, int], ...] = ((9, 10), (7, 8), (4, 6), (2, 3), (1, 1))
OCCURRENCE_BANDS: tuple[tuple[int, int], ...] = ((8, 10), (6, 7), (4, 5), (2, 3), (1, 1))
DETECTION_BANDS: tuple[tuple[int, int], ...] = ((7, 10), (5, 6), (2, 4), (1, 1))

# One string per (severity band, occurrence band) row; its letters are the AP for the
# detection bands D 7-10, 5-6, 2-4, 1 in that order.
ACTION_PRIORITY_TABLE: dict[tuple[int, int], str] = {
    (0, 0): "HHHH", (0, 1): "HHHH", (0, 2): "HHHM", (0, 3): "HMLL", (0, 4): "LLLL",
    (1, 0): "HHHH", (1, 1): "HHHM", (1, 2): "HMMM", (1, 3): "MMLL", (1, 4): "LLLL",
    (2, 0): "HHMM", (2, 1): "MMML", (2, 2): "MLLL", (2, 3): "LLLL", (2, 4): "LLLL",
    (3, 0): "MMLL", (3, 1): "LLLL", (3, 2): "LLLL", (3, 3): "LLLL", (3, 4): "LLLL",
    (4, 0): "LLLL", (4, 1): "LLLL", (4, 2): "LLLL", (4, 3): "LLLL", (4, 4): "LLLL",
}  # fmt: skip


def validate_score(field: str, value: object) -> int:
    """Return value as an int 1-10, or raise ValidationError naming the field and value."""
    if isinstance(value, bool):
        raise ValidationError(f"{field} {value!r} is not a whole number from 1 to 10")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None or not SCORE_MIN <= number <= SCORE_MAX:
        shown = str(value) if isinstance(value, int | float) else repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."  # a 5,000-digit cell
        raise ValidationError(f"{field} {shown} is not a whole number from 1 to 10")
    return number


def validate_optional_score(field: str, value: object) -> int | None:
    """Like `validate_score`, but None or blank text means "not rated yet" and gives None.

    A failure mode may be analysed before anyone rates it (AIAG-VDA separates failure analysis
    from risk analysis), so an empty score is a state, not an error; anything else that is not a
    whole number 1-10 still is."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return validate_score(field, value)


def _band_index(bands: tuple[tuple[int, int], ...], score: int) -> int:
    for index, (low, high) in enumerate(bands):
        if low <= score <= high:
            return index
    raise ValidationError(f"score {score} is not a whole number from 1 to 10")


def rpn(severity: int, likelihood: int, detection: int) -> int:
    return severity * likelihood * detection


# Ranking and `rank`'s records ask for 20,000+ APs; three band searches each were a tenth of
# `rank`'s time. 1,000 valid score triples fit; invalid ones raise and are never cached.
@lru_cache(maxsize=1024)
def action_priority(severity: int, likelihood: int, detection: int) -> ActionPriority:
    """AIAG-VDA Action Priority for one set of scores (likelihood is the handbook's occurrence)."""
    row = ACTION_PRIORITY_TABLE[
        (_band_index(SEVERITY_BANDS, severity), _band_index(OCCURRENCE_BANDS, likelihood))
    ]
    return ActionPriority(row[_band_index(DETECTION_BANDS, detection)])


@dataclass(frozen=True)
class Scores:
    severity: int
    likelihood: int
    detection: int

    @staticmethod
    def checked(
        severity: object, likelihood: object, detection: object, prefix: str = ""
    ) -> Scores:
        """All three scores, each a whole number 1-10 (revised scores are all-or-none)."""
        return Scores(
            validate_score(f"{prefix}severity", severity),
            validate_score(f"{prefix}likelihood", likelihood),
            validate_score(f"{prefix}detection", detection),
        )

    @property
    def rpn(self) -> int:
        return rpn(self.severity, self.likelihood, self.detection)

    @property
    def ap(self) -> ActionPriority:
        return action_priority(self.severity, self.likelihood, self.detection)
