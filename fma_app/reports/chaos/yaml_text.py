"""A small YAML writer for the drafts: block mappings and sequences, every string quoted.

Strings are written as JSON strings (double quotes, escapes), which YAML 1.1 and 1.2 read the
same way, so "true", "0100" or "a: b" never change meaning; PyYAML is not needed to write.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence


def to_yaml(value: object) -> str:
    return "".join(_lines(value, 0)) or "{}\n"


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _is_block(value: object) -> bool:
    return isinstance(value, Mapping | list | tuple) and len(value) > 0


def _lines(value: object, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping):
        out: list[str] = []
        for key, item in value.items():
            if _is_block(item):
                out.append(f"{pad}{_scalar(key) if _needs_quotes(key) else key}:\n")
                out += _lines(item, indent + 2)
            else:
                out.append(f"{pad}{_scalar(key) if _needs_quotes(key) else key}: {_empty(item)}\n")
        return out
    if isinstance(value, Sequence) and not isinstance(value, str):
        out = []
        for item in value:
            if _is_block(item):
                inner = _lines(item, indent + 2)
                out.append(f"{pad}- {inner[0].lstrip()}")
                out += inner[1:]
            else:
                out.append(f"{pad}- {_empty(item)}\n")
        return out
    return [f"{pad}{_scalar(value)}\n"]


def _empty(value: object) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list | tuple):
        return "[]"
    return _scalar(value)


def _needs_quotes(key: object) -> bool:
    text = str(key)
    return not text or not all(ch.isalnum() or ch in "-_./" for ch in text)
