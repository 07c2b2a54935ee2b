"""TSV both ways and the paste command: one undo step, or refused whole with every problem."""

from __future__ import annotations

import pytest

from fma_app.domain.model import Scores
from fma_app.presentation.clipboard import (
    PasteRefusedError,
    PasteTarget,
    build_paste,
    parse_tsv,
    to_tsv,
)
from fma_app.presentation.worksheet import COLUMN_INDEX

C = COLUMN_INDEX


def test_tsv_round_trip_keeps_tabs_newlines_and_quotes():
    rows = [["plain", 'say "hi"', "two\nlines", "tab\there", ""], ["x", 7, None, "", "end"]]
    text = to_tsv(rows)
    assert text.endswith("\n")
    assert parse_tsv(text) == [
        ["plain", 'say "hi"', "two\nlines", "tab\there", ""],
        ["x", "7", "", "", "end"],
    ]


def test_copy_stops_spreadsheets_running_formulas_and_paste_restores_the_text():
    rows = [['=HYPERLINK("http://x")', "+1", "-retries", "@SUM(A1)", "a=b", "'quoted"]]
    text = to_tsv(rows)
    cells = text.rstrip("\n").split("\t")
    assert cells[0] == '"\'=HYPERLINK(""http://x"")"'  # quoted because of the inner quotes
    assert cells[1:5] == ["'+1", "'-retries", "'@SUM(A1)", "a=b"]
    assert cells[5] == "'quoted"  # not formula-like: left alone
    assert parse_tsv(text) == [[str(c) for c in rows[0]]]


def test_parse_excel_clipboard_with_crlf_and_trailing_empty_line():
    assert parse_tsv("a\tb\r\nc\td\r\n\r\n") == [["a", "b"], ["c", "d"]]
    assert parse_tsv("") == []
    assert parse_tsv('"multi\r\nline"\tx\n') == [["multi\r\nline", "x"]]


def ids_of(model) -> list[int]:
    return list(model.failure_modes)


def test_paste_updates_existing_rows_as_one_macro(small_model, snapshot):
    before = snapshot(small_model)
    ids = ids_of(small_model)
    block = [["Slow", "7", "Cause A"], ["Fast", "", "Cause B"]]
    command = build_paste(small_model, block, PasteTarget.from_column(ids[:2], C["effect"], None))
    assert snapshot(small_model) == before  # building tries and undoes
    assert command.text == "Paste 2 Rows"
    command.do(small_model)
    first, second = (small_model.failure_modes[i] for i in ids[:2])
    assert (first.effect, first.severity, first.cause) == ("Slow", 7, "Cause A")
    # An empty score cell pasted clears the score: not rated yet (issue 11), not "keep 9".
    assert (second.effect, second.severity, second.cause) == ("Fast", None, "Cause B")
    assert (second.rpn, second.ap) == (None, None)
    command.undo(small_model)
    assert snapshot(small_model) == before


def test_paste_skips_computed_columns_so_whole_rows_paste_back(small_model):
    ids = ids_of(small_model)
    row = [
        "api",
        "F",
        "FM",
        "E",
        "2",
        "C",
        "3",
        "P",
        "D",
        "4",
        "999",
        "H",
        "9 open",
        "",
        "",
        "",
        "",
        "",
    ]
    command = build_paste(small_model, [row], PasteTarget.from_column(ids[:1], 0, None))
    command.do(small_model)
    fm = small_model.failure_modes[ids[0]]
    assert (fm.function, fm.severity, fm.likelihood, fm.detection) == ("F", 2, 3, 4)
    assert fm.revised is None


def test_rows_beyond_the_end_become_new_failure_modes(small_model):
    ids = ids_of(small_model)
    cache = small_model.component_by_name("cache").id
    block = [["Evict", "Hit rate drops", "5"], ["Warm up", "Cold start", "6"]]
    command = build_paste(small_model, block, PasteTarget.from_column([], C["failure_mode"], cache))
    command.do(small_model)
    new = [f for f in small_model.failure_modes.values() if f.id not in ids]
    assert [(f.component_id, f.failure_mode, f.effect, f.severity) for f in new] == [
        (cache, "Evict", "Hit rate drops", 5),
        (cache, "Warm up", "Cold start", 6),
    ]


def test_pasted_component_names_are_used_and_created(small_model, snapshot):
    before = snapshot(small_model)
    block = [["queue", "Deliver", "Backlog"], ["api", "Serve", "Overload"]]
    command = build_paste(small_model, block, PasteTarget.from_column([], 0, None))
    assert snapshot(small_model) == before
    command.do(small_model)
    queue = small_model.component_by_name("queue")
    assert queue is not None
    by_name = {f.failure_mode: f for f in small_model.failure_modes.values()}
    assert by_name["Backlog"].component_id == queue.id
    assert by_name["Overload"].component_id == small_model.component_by_name("api").id
    command.undo(small_model)
    assert snapshot(small_model) == before


def test_revised_scores_stay_all_or_none(small_model):
    ids = ids_of(small_model)
    # first fm has no revised scores: one pasted revised score fills the others from S/L/D
    command = build_paste(
        small_model, [["3"]], PasteTarget.from_column(ids[:1], C["revised_likelihood"], None)
    )
    command.do(small_model)
    assert small_model.failure_modes[ids[0]].revised == Scores(8, 3, 4)
    clear = build_paste(
        small_model, [["", "", ""]], PasteTarget.from_column(ids[:1], C["revised_severity"], None)
    )
    clear.do(small_model)
    assert small_model.failure_modes[ids[0]].revised is None


def test_bad_scores_refuse_the_whole_paste_listing_every_cell(small_model, snapshot):
    before = snapshot(small_model)
    ids = ids_of(small_model)
    block = [["ok", "5"], ["fine", "11"], ["also", "x"]]
    with pytest.raises(PasteRefusedError) as refused:
        build_paste(small_model, block, PasteTarget.from_column(ids, C["effect"], None))
    assert refused.value.problems == [
        "row 2, S: severity '11' is not a whole number from 1 to 10",
        "row 3, S: severity 'x' is not a whole number from 1 to 10",
    ]
    assert snapshot(small_model) == before


def test_too_wide_and_componentless_pastes_are_refused(small_model, snapshot):
    before = snapshot(small_model)
    with pytest.raises(PasteRefusedError) as wide:
        build_paste(
            small_model, [["a", "b", "c"]], PasteTarget.from_column([], C["mitigations"], 1)
        )
    # From the second-to-last column (the resilience columns of issue 16 come last).
    assert wide.value.problems == [
        "the pasted block is 3 columns wide but only 2 fit from column Mitigations"
    ]
    with pytest.raises(PasteRefusedError) as wide:
        build_paste(
            small_model,
            [["a", "b", "c", "d", "e", "f"]],
            PasteTarget.from_column([], C["revised_rpn"], 1),
        )
    # Rev. RPN, Rev. AP, Justification, Mitigations and Experiment (the ID is left out)
    assert wide.value.problems == [
        "the pasted block is 6 columns wide but only 5 fit from column Rev. RPN"
    ]
    with pytest.raises(PasteRefusedError) as nowhere:
        build_paste(small_model, [["Lost row"]], PasteTarget.from_column([], C["function"], None))
    assert nowhere.value.problems == [
        "row 1: new rows need a component: select one first, or paste a Component column"
    ]
    assert snapshot(small_model) == before
