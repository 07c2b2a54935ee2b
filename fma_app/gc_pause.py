"""Pause Python's cyclic garbage collector while a whole model's objects are built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Building tens of thousands of objects at once (opening a model, rebuilding the worksheet
    caches) triggers many collections that scan the whole model and free nothing, since none of
    these objects form cycles: measured as 15% of open time and a quarter second per rebuild."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
