"""Dates as the model's users write them: one reading for the model's key date, action due dates,
experiment dates and a review policy's expiry, so each says the same about a bad one."""

from __future__ import annotations

import datetime as dt

from fma_app.domain.errors import ValidationError


def parse_date(label: str, value: object) -> dt.date | None:
    """A date, an ISO text "YYYY-MM-DD", or None/blank for no date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(f"{label} {value!r} is not a date written YYYY-MM-DD")
