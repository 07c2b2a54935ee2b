"""Worksheet columns and cell values over a real model, without Qt."""

from __future__ import annotations

import re

import pytest

from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import Scores
from fma_app.domain.scoring import action_priority
from fma_app.presentation.worksheet import (
    COLUMN_INDEX,
    COLUMN_KEYS,
    COLUMNS,
    action_summary,
    ap_of,
    cell_changes,
    cell_command,
    cell_value,
    revised_field,
    row_values,
)


def failure_mode(model, name: str):
    return next(fm for fm in model.failure_modes.values() if fm.failure_mode == name)


def test_columns_have_unique_keys_and_an_index_that_finds_them():
    # 18, the ID, the justification, Mitigations, Experiment
    assert len(set(COLUMN_KEYS)) == len(COLUMNS) == 22
    assert all(COLUMNS[COLUMN_INDEX[key]].key == key for key in COLUMN_KEYS)
    computed = [c.key for c in COLUMNS if c.kind == "computed"]
    assert computed == [
        "rpn",
        "ap",
        "actions",
        "revised_rpn",
        "revised_ap",
        "id",
        "mitigations",
        "experiment",
    ]


def test_ap_of_matches_the_handbook_table_for_every_score():
    for s in range(1, 11):
        for o in range(1, 11):
            for d in range(1, 11):
                assert ap_of(Scores(s, o, d)) is action_priority(s, o, d)


def test_row_values_are_the_cells_in_column_order(small_model):
    counts = {fm_id: (0, 0, 0) for fm_id in small_model.failure_modes}
    for fm in small_model.failure_modes.values():
        row = row_values(small_model, fm, counts[fm.id])
        assert list(row) == [cell_value(small_model, fm, k, counts[fm.id]) for k in COLUMN_KEYS]


def test_cells_show_names_scores_computed_values_and_empty_revised(small_model):
    timeout = failure_mode(small_model, "Timeout")  # S 8, L 5, D 4, no revised scores
    cells = dict(zip(COLUMN_KEYS, row_values(small_model, timeout, (2, 1, 0)), strict=True))
    assert cells["component"] == "api"
    assert (cells["rpn"], cells["ap"]) == (160, "M")
    assert cells["actions"] == "2 open / 1 done"
    assert [cells[k] for k in COLUMN_KEYS if k.startswith("revised_")] == [""] * 5
    crash = failure_mode(small_model, "Crash loop")  # revised 9, 1, 2
    assert cell_value(small_model, crash, "revised_rpn", (0, 0, 0)) == 18
    assert cell_value(small_model, crash, "revised_ap", (0, 0, 0)) == "L"
    assert cell_value(small_model, crash, "revised_likelihood", (0, 0, 0)) == 1


def test_action_summary_names_cancelled_only_when_there_are_some():
    assert action_summary((0, 0, 0)) == ""
    assert action_summary((1, 0, 0)) == "1 open / 0 done"
    assert action_summary((0, 2, 3)) == "0 open / 2 done / 3 cancelled"


def test_revised_field_strips_the_prefix_only():
    assert revised_field("revised_detection") == "detection"
    assert revised_field("detection") == "detection"


def test_cell_changes_turn_a_typed_value_into_fields(small_model):
    timeout = failure_mode(small_model, "Timeout")
    database = small_model.component_by_name("database")
    assert cell_changes(small_model, timeout, "severity", " 3 ") == {"severity": 3}
    assert cell_changes(small_model, timeout, "effect", None) == {"effect": ""}
    assert cell_changes(small_model, timeout, "component", "database") == {
        "component_id": database.id
    }
    # The first revised score starts from the current scores: all three or none.
    assert cell_changes(small_model, timeout, "revised_detection", "2") == {
        "revised": Scores(8, 5, 2)
    }
    crash = failure_mode(small_model, "Crash loop")
    assert cell_changes(small_model, crash, "revised_severity", "4") == {"revised": Scores(4, 1, 2)}
    assert cell_changes(small_model, crash, "revised_severity", "") == {"revised": None}


@pytest.mark.parametrize(
    ("key", "value", "error", "message"),
    [
        ("rpn", 5, ValidationError, "RPN is computed and cannot be edited"),
        ("severity", "11", ValidationError, "severity '11' is not a whole number from 1 to 10"),
        ("revised_detection", 0, ValidationError, "revised detection 0 is not a whole number"),
        ("component", "nowhere", ModelError, "there is no component named 'nowhere'"),
    ],
)
def test_bad_cell_values_are_refused_with_a_message(small_model, key, value, error, message):
    timeout = failure_mode(small_model, "Timeout")
    with pytest.raises(error, match=re.escape(message)):
        cell_changes(small_model, timeout, key, value)


def test_cell_command_is_one_set_fields_step_or_none_when_nothing_changes(small_model):
    fm = failure_mode(small_model, "Timeout")
    assert cell_command(small_model, fm.id, "severity", "8") is None  # already 8: no undo step
    assert cell_command(small_model, fm.id, "effect", fm.effect) is None
    command = cell_command(small_model, fm.id, "detection", "")  # emptied: not rated yet
    assert command is not None
    assert fm.detection == 4  # built, not done
    command.do(small_model)
    assert (fm.detection, fm.rpn) == (None, None)
    command.undo(small_model)
    assert fm.detection == 4
    command.do(small_model)
    with pytest.raises(ValidationError, match="rate severity, likelihood and detection first"):
        cell_command(small_model, fm.id, "revised_severity", "3")
