"""`read_ranking` (the `rank` command's read path, no Model built) against the ranking of the
fully opened model: the same order, the same fields, the same refusals."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from fma_app.analysis.ranking import RankBy, rank_failure_modes
from fma_app.domain.model import Model
from fma_app.storage import ModelFileError, compiled_sql, open_model, read_ranking, save_model

# Names that tie once folded ("Straße"/"STRASSE", "db"/"DB") and a non-ASCII one, so the tie
# breaks by folded name and then id are exercised as well as the scores.
COMPONENT_NAMES = ["api", "DB", "Straße", "queue", "Ünit", "cache"]
FAILURE_MODE_NAMES = ["Timeout", "timeout", "STRASSE down", "straße down", "", "Crash"]


def generated_model(seed: int, failure_modes: int = 400) -> Model:
    """Failure modes rated fully, partly or not at all, some revised, many tying on scores."""
    chance = random.Random(seed)
    model = Model(name="generated")
    component_ids = [model.add_component(name).id for name in COMPONENT_NAMES]
    for _ in range(failure_modes):
        scores = [chance.choice([None, 1, 2, 5, 9, 10]) for _ in range(3)]
        rated = None not in scores
        model.add_failure_mode(
            chance.choice(component_ids),
            severity=scores[0],
            likelihood=scores[1],
            detection=scores[2],
            revised=[chance.randint(1, 10) for _ in range(3)] if chance.random() < 0.3 else None,
            function=chance.choice(["serve", "store", ""]),
            failure_mode=chance.choice(FAILURE_MODE_NAMES),
            effect=chance.choice(["outage", "slow", "data loss"]) if rated else "",
        )
    return model


@pytest.mark.parametrize("by", list(RankBy))
@pytest.mark.parametrize("seed", [1, 2])
def test_agrees_with_the_ranking_of_the_opened_model(tmp_path: Path, by: RankBy, seed: int):
    path = tmp_path / "generated.fma"
    save_model(generated_model(seed), path)
    expected = rank_failure_modes(open_model(path), by)
    found = read_ranking(path, by)
    assert [entry.as_record() for entry in found] == [entry.as_record() for entry in expected]
    statuses = {(e.failure_mode.severity is None, e.failure_mode.revised is None) for e in found}
    assert statuses == {(True, True), (True, False), (False, True), (False, False)}


def test_refuses_a_file_open_refuses_with_the_same_message(tmp_path: Path):
    path = tmp_path / "bad.fma"
    model = generated_model(3, failure_modes=20)
    save_model(model, path)
    # an action of a failure mode that is not there: a row rank does not read
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(
            "INSERT INTO actions (id, failure_mode_id, description, owner, status, action_taken)"
            " VALUES (9999, 8888, 'fix', '', 'open', '')"
        )
    conn.close()
    with pytest.raises(ModelFileError) as opening:
        open_model(path)
    with pytest.raises(ModelFileError) as ranking:
        read_ranking(path)
    assert str(ranking.value) == str(opening.value)
    assert "8888" in str(ranking.value)


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE failure_modes SET severity = 11 WHERE id = (SELECT max(id) FROM failure_modes)",
        "UPDATE failure_modes SET revised_severity = 3, revised_likelihood = NULL,"
        " revised_detection = NULL WHERE id = (SELECT min(id) FROM failure_modes)",
        "UPDATE actions SET status = 'someday'",
    ],
    ids=["score out of range", "revised scores not all or none", "action status"],
)
def test_refuses_a_row_that_breaks_a_check_rule_as_open_does(tmp_path: Path, change: str):
    path = tmp_path / "bad.fma"
    model = generated_model(4, failure_modes=20)
    model.add_action(next(iter(model.failure_modes)), description="fix")
    save_model(model, path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute(change)
    conn.close()
    with pytest.raises(ModelFileError) as opening:
        open_model(path)
    with pytest.raises(ModelFileError) as ranking:
        read_ranking(path)
    assert str(ranking.value) == str(opening.value)
    assert " row " in str(ranking.value)


@pytest.mark.parametrize("column", ["notes", "failure_mode", "name"])
def test_refuses_a_value_over_the_length_limit_as_open_does(tmp_path: Path, column: str):
    """In a column rank shows, one it does not show (its length is read in the same scan), and
    another table's."""
    path = tmp_path / "huge.fma"
    save_model(generated_model(3, failure_modes=20), path)
    table = "components" if column == "name" else "failure_modes"
    huge = compiled_sql.MAX_VALUE_BYTES + 1
    with sqlite3.connect(path) as conn:
        conn.execute(
            f"UPDATE {table} SET {column} = CAST(zeroblob({huge}) AS TEXT)"
            f" WHERE id = (SELECT max(id) FROM {table})"
        )
    conn.close()
    with pytest.raises(ModelFileError) as opening:
        open_model(path)
    with pytest.raises(ModelFileError) as ranking:
        read_ranking(path)
    assert str(ranking.value) == str(opening.value)
    assert ranking.value.reason == opening.value.reason == "too-large"
