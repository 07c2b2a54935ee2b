"""Action Priority against the AIAG-VDA FMEA Handbook (2019) table, all 1,000 combinations.

The expected grid below is a second, independent transcription of the printed table, laid out as
the handbook prints it: a block per severity band, a line per occurrence band, and the AP for the
detection bands D 7-10, 5-6, 2-4, 1 left to right.
"""

import itertools

import pytest

from fma_app.domain.errors import ValidationError
from fma_app.domain.scoring import action_priority, rpn, validate_score

PRINTED_TABLE = """
S 9-10 | O 8-10 | H H H H
S 9-10 | O 6-7  | H H H H
S 9-10 | O 4-5  | H H H M
S 9-10 | O 2-3  | H M L L
S 9-10 | O 1    | L L L L
S 7-8  | O 8-10 | H H H H
S 7-8  | O 6-7  | H H H M
S 7-8  | O 4-5  | H M M M
S 7-8  | O 2-3  | M M L L
S 7-8  | O 1    | L L L L
S 4-6  | O 8-10 | H H M M
S 4-6  | O 6-7  | M M M L
S 4-6  | O 4-5  | M L L L
S 4-6  | O 2-3  | L L L L
S 4-6  | O 1    | L L L L
S 2-3  | O 8-10 | M M L L
S 2-3  | O 6-7  | L L L L
S 2-3  | O 4-5  | L L L L
S 2-3  | O 2-3  | L L L L
S 2-3  | O 1    | L L L L
S 1    | O 1-10 | L L L L
"""
DETECTION_COLUMNS = [range(7, 11), range(5, 7), range(2, 5), range(1, 2)]


def _span(text: str) -> range:
    low, _, high = text.partition("-")
    return range(int(low), int(high or low) + 1)


def expected_grid() -> dict[tuple[int, int, int], str]:
    grid: dict[tuple[int, int, int], str] = {}
    for line in PRINTED_TABLE.strip().splitlines():
        s_part, o_part, letters = (part.strip() for part in line.split("|"))
        for s, o in itertools.product(_span(s_part[2:]), _span(o_part[2:])):
            for detections, letter in zip(DETECTION_COLUMNS, letters.split(), strict=True):
                for d in detections:
                    grid[(s, o, d)] = letter
    return grid


def test_printed_table_covers_every_combination_once():
    assert len(expected_grid()) == 1000


@pytest.mark.parametrize("severity", range(1, 11))
def test_all_combinations_match_the_printed_table(severity):
    grid = expected_grid()
    for likelihood, detection in itertools.product(range(1, 11), repeat=2):
        got = action_priority(severity, likelihood, detection).value
        assert got == grid[(severity, likelihood, detection)], (severity, likelihood, detection)


def test_ap_is_not_a_function_of_rpn():
    # Same RPN, different AP: severity drives the priority.
    assert rpn(10, 2, 5) == rpn(5, 4, 5) == 100
    assert action_priority(10, 2, 5).value == "M"
    assert action_priority(5, 4, 5).value == "L"


def test_high_severity_is_not_always_high():
    assert action_priority(10, 1, 10).value == "L"
    assert action_priority(9, 3, 2).value == "L"


@pytest.mark.parametrize("bad", [0, 11, -1, 2.5, "abc", "", None, True])
def test_scores_outside_one_to_ten_are_refused_with_field_and_value(bad):
    with pytest.raises(ValidationError) as caught:
        validate_score("likelihood", bad)
    assert "likelihood" in str(caught.value)
    assert "not a whole number from 1 to 10" in str(caught.value)


def test_whole_number_forms_are_accepted():
    assert validate_score("severity", 7.0) == 7
    assert validate_score("severity", " 10 ") == 10
