"""`rank --format json` writes with the C encoder; its text must stay exactly json.dumps'."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from fma_app.cli.rank import format_json, json_pieces

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
