"""The `Group Needs` cells of a Dependencies sheet: how many members of a redundancy group its
component needs, written on each member's row (the report writes it on all of them).

Shared by the report import and the FMEA workbook import: cells are collected while the rows
are read, and applied once every dependency exists, so a group's size is known. Every bad cell
is a problem naming it; the rows of one group must agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import Model

HEADER = "Group Needs"
ALIASES = frozenset({"group needs", "needs", "k of n"})
_K_OF_N = re.compile(r"^\s*(\d+)(?:\s*(?:of|/)\s*\d+)?\s*$", re.IGNORECASE)


def parse_needs(value: object) -> int | None:
    """A whole number from 1 up, or "k of n" (k is kept; n is the group's own size); blank is
    None (the group's default, any one). Raises ValidationError naming the value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str):
        text = value
    match = _K_OF_N.match(text) if text is not None else None
    if match is None or int(match.group(1)) < 1:
        raise ValidationError(
            f"group needs {value!r} is not a whole number of members from 1 up (or 'k of n')"
        )
    return int(match.group(1))


@dataclass
class GroupNeedsCells:
    """What the rows said per (component id, group), with the cell that said it first."""

    said: dict[tuple[int, str], tuple[int, str]] = field(default_factory=dict)

    def add(self, source_id: int, group: str, value: object, ref: str, problems: list[str]) -> None:
        try:
            needs = parse_needs(value)
        except ValidationError as error:
            problems.append(f"{ref}: {error}")
            return
        if needs is None:
            return
        if not group:
            problems.append(f"{ref}: group needs {needs} given for a dependency in no group")
            return
        earlier = self.said.setdefault((source_id, group), (needs, ref))
        if earlier[0] != needs:
            problems.append(
                f"{ref}: group {group!r} needs {needs} here but {earlier[0]} at {earlier[1]}"
            )

    def apply(self, model: Model, problems: list[str]) -> None:
        """Set each group's needs on the model (checked against the group's size)."""
        for (source_id, group), (needs, ref) in self.said.items():
            try:
                count = model.check_group_needs(source_id, group, needs)
            except (ModelError, ValidationError) as error:
                problems.append(f"{ref}: {error}")
                continue
            if count > 1:
                model.group_needs[(source_id, group)] = count
