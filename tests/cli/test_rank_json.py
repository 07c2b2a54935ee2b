"""`rank --format json` writes with the C encoder; its text must stay exactly json.dumps'."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from fma_app.analysis.ranking import RankBy, rank_failure_modes
from fma_app.cli.rank import RECORD_KEYS, format_json, json_pieces, ranked_json_pieces
from fma_app.domain.model import Model

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text())
flat_records = st.lists(st.dictionaries(st.text(), scalars, min_size=1, max_size=6), max_size=6)


@given(flat_records)
def test_format_json_is_json_dumps_with_indent_2(records):
    assert format_json(records) == json.dumps(records, indent=2, ensure_ascii=False)


def test_text_that_looks_like_the_seam_between_records_stays_inside_its_string():
    records = [{"a": "},\n    {", "b": 1}, {"a": '"},\n    {"', "b": None}]
    assert format_json(records) == json.dumps(records, indent=2, ensure_ascii=False)
    assert json.loads(format_json(records)) == records


@given(flat_records, st.integers(1, 4))
def test_the_pieces_that_rank_writes_join_to_json_dumps(records, per_piece):
    text = "".join(json_pieces(records, per_piece=per_piece))
    assert text == json.dumps(records, indent=2, ensure_ascii=False)


scores = st.one_of(st.none(), st.integers(1, 10))
failure_modes = st.lists(
    st.tuples(
        st.sampled_from(["api", "db", 'quote " and \\ back', "ctl\x1b\n\u2028é"]),
        st.text(),  # function, failure mode and effect: any text, control characters too
        st.text(),
        st.text(),
        st.tuples(scores, scores, scores),
        st.one_of(st.none(), st.tuples(*[st.integers(1, 10)] * 3)),
    ),
    max_size=12,
)


@given(failure_modes, st.sampled_from(list(RankBy)), st.integers(1, 5))
def test_json_straight_from_the_ranking_is_the_json_of_its_records(rows, by, per_piece):
    model = Model()
    for component, function, name, effect, (s, lk, d), revised in rows:
        found = model.component_by_name(component) or model.add_component(component)
        model.add_failure_mode(
            found.id, function=function, failure_mode=name, effect=effect,
            severity=s, likelihood=lk, detection=d, revised=revised,
        )  # fmt: skip
    ranked = rank_failure_modes(model, by)
    records = [entry.as_record() for entry in ranked]
    assert all(tuple(record) == RECORD_KEYS for record in records)
    text = "".join(ranked_json_pieces(ranked, per_piece=per_piece))
    assert text == "".join(json_pieces(records, per_piece=per_piece))
    assert json.loads(text) == records
