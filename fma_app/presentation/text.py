"""Shortening text to a width without losing what tells names apart (Qt-free).

Names in a model often share a long start and differ only at the end ("Payment authorisation
primary" and "... secondary"); cutting the end would make them look the same. `elide_middle`
keeps the start and the end and drops the middle. The charts, `rank`'s table and the graph use it.
"""

from __future__ import annotations

ELLIPSIS = "\u2026"


def elide_middle(text: str, width: int, ellipsis: str = ELLIPSIS) -> str:
    """`text` if it fits in `width` characters; else its start, `ellipsis` and its end, at
    most `width` characters in all (the end gets the spare character: it is where names
    differ). A terminal that cannot show "…" passes "..."."""
    if width < 1:
        return ""
    if len(text) <= width:
        return text
    if width <= len(ellipsis):
        return ellipsis[:width]
    kept = width - len(ellipsis)
    head = kept // 2
    tail = kept - head
    return text[:head].rstrip() + ellipsis + text[len(text) - tail :].lstrip()
