"""Shortening text to a width without losing what tells names apart (Qt-free).

Names in a model often share a long start and differ only at the end ("Payment authorisation
primary" and "... secondary"); cutting the end would make them look the same. `elide_middle`
keeps the start and the end and drops the middle. The charts, `rank`'s table and the graph use it.
"""

from __future__ import annotations

ELLIPSIS = "\u2026"


def elide_middle(text: str, width: int) -> str:
    """`text` if it fits in `width` characters; else its start, "…" and its end, `width`
    characters in all (the end gets the spare character: it is where names differ)."""
    if width < 1:
        return ""
    if len(text) <= width:
        return text
    if width == 1:
        return ELLIPSIS
    kept = width - 1
    head = kept // 2
    tail = kept - head
    return text[:head].rstrip() + ELLIPSIS + text[len(text) - tail :].lstrip()
