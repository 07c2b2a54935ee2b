"""`rank`'s table: long names shortened in the middle, the terminal's width used (COLUMNS)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import run

from fma_app.domain.model import Model
from fma_app.storage import save_model

SIMILAR = (
    "Payment authorisation gateway cluster, primary",
    "Payment authorisation gateway cluster, secondary",
)
FAILURE = "Card network answers after the client gave up, retry storm from region "


@pytest.fixture
def similar(tmp_path) -> Path:
    model = Model(name="similar")
    for number, name in enumerate(SIMILAR):
        component = model.add_component(name).id
        for region in ("eu-west", "us-east"):
            model.add_failure_mode(component, failure_mode=FAILURE + region,
                                   severity=9 - number, likelihood=5, detection=4)  # fmt: skip
    path = tmp_path / "similar.fma"
    save_model(model, path)
    return path


def table_rows(capsys, path: Path, monkeypatch, columns: int) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, _ = run(capsys, "rank", str(path))
    assert code == 0
    lines = out.splitlines()
    assert all(len(line) <= columns for line in lines), [len(line) for line in lines]
    return lines


def cells(lines: list[str], title: str, next_title: str) -> list[str]:
    start, end = lines[0].index(title), lines[0].index(next_title)
    return [row[start:end].strip() for row in lines[2:-1]]


def test_names_that_differ_only_at_the_end_stay_apart_in_a_narrow_terminal(
    capsys, similar, monkeypatch
):
    lines = table_rows(capsys, similar, monkeypatch, 100)
    components = cells(lines, "Component", "Failure mode")
    assert all("…" in name and name.startswith("Payment") for name in components)
    assert len(set(components)) == 2  # the two clusters still read differently
    assert {name[-7:] for name in components} == {"primary", "condary"}
    failure_modes = cells(lines, "Failure mode", "Revised")
    assert all("…" in text and text.startswith("Card") for text in failure_modes)
    assert {text[-7:] for text in failure_modes} == {"eu-west", "us-east"}


def test_a_wide_terminal_shows_the_names_whole(capsys, similar, monkeypatch):
    lines = table_rows(capsys, similar, monkeypatch, 200)
    assert set(cells(lines, "Component", "Failure mode")) == set(SIMILAR)
    assert set(cells(lines, "Failure mode", "Revised")) == {
        FAILURE + region for region in ("eu-west", "us-east")
    }
    assert "…" not in "\n".join(lines)


def test_the_rank_orders_are_rank_by_and_rpn_is_the_default():
    """`rank --by` lists the orders written out (so `--help` needs no ranking code): they must
    stay RankBy's, RPN first as the default."""
    from fma_app.analysis.ranking import RankBy
    from fma_app.cli.rank import RANK_ORDERS

    assert tuple(by.value for by in RankBy) == RANK_ORDERS
    assert RANK_ORDERS[0] == RankBy.RPN
