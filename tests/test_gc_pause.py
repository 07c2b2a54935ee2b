"""paused_gc: no collection while a model is built, none right after, and nothing kept for good."""

from __future__ import annotations

import gc
import weakref

from fma_app.gc_pause import paused_gc


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_objects_built_while_paused_join_the_oldest_generation_without_a_scan():
    gc.collect()
    with paused_gc():
        assert not gc.isenabled()
        built = [[n] for n in range(5000)]
    assert gc.isenabled()
    assert gc.get_count()[0] < 10  # the young count starts again: no collection is due
    assert gc.get_freeze_count() == 0  # nothing left frozen
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in built)


def test_a_cycle_made_while_paused_is_still_collected():
    with paused_gc():
        first, second = Node(), Node()
        first.other, second.other = second, first
        watch = weakref.ref(first)
    del first, second
    gc.collect()
    assert watch() is None


def test_a_nested_pause_leaves_the_collector_off_until_the_outer_one_ends():
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
