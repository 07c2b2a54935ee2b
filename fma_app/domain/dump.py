"""A stable, sorted, line-oriented text form of a whole model, for `git diff` (textconv).

One line per field, each starting with its key ("failure_modes/12/severity: 8"), so a changed
value is one changed line that names itself; records are sorted by id, fields in the domain's
order, and every value is on one line (text is quoted with its line breaks escaped).
"""

from __future__ import annotations

from collections.abc import Iterator

from fma_app.domain.model import Model
from fma_app.domain.records import (
    MODEL,
    collections,
    field_key,
    model_fields,
    model_value,
    plain,
    record_label,
    shown,
)

DUMP_HEADER = "# FMA Workbench model (fma-app dump, format 1)"


def dump_lines(model: Model) -> Iterator[str]:
    yield DUMP_HEADER
    for name in model_fields():
        yield f"{field_key(MODEL, 0, name)}: {shown(plain(model_value(model, name)))}"
    for found in collections():
        records = found.records(model)
        for record_id in sorted(records):
            record = records[record_id]
            yield ""
            key = field_key(found.name, record_id)
            yield f"[{key}] {record_label(model, found.name, record)}"
            for name in found.fields:
                yield f"{key}/{name}: {shown(plain(getattr(record, name)))}"


def dump_text(model: Model) -> str:
    return "\n".join(dump_lines(model)) + "\n"
