"""Cell values as a person reads them, and cell references as Excel writes them."""

from __future__ import annotations

import datetime as dt
import re

# Cell text that means "nothing here" in action and revised-score columns.
PLACEHOLDERS = frozenset({"-", "--", "\u2013", "\u2014", "n/a", "na", "none", "nil", "/"})
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def column_letter(column: int) -> str:
    """1 -> "A", 28 -> "AB"."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = _LETTERS[remainder] + letters
    return letters


def column_index(letters: str) -> int:
    """ "A" -> 1, "AB" -> 28."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + _LETTERS.index(letter) + 1
    return index


def quoted_title(title: str) -> str:
    """A sheet name as a cell reference writes it: quoted when it has spaces or punctuation."""
    if re.fullmatch(r"\w+", title):
        return title
    return "'" + title.replace("'", "''") + "'"


def cell_ref(title: str, row: int, column: int) -> str:
    """`DFMEA!F7`, quoted the way Excel does when the sheet name has spaces or punctuation."""
    return f"{quoted_title(title)}!{column_letter(column)}{row}"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """Text of a cell as a person reads it: numbers without a spurious ".0", dates as ISO."""
    if value is None:
        return ""
    if type(value) is str and "\r" not in value and "\n" not in value:
        return value.strip()  # the common case, kept fast for large sheets
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def name_text(value: object) -> str:
    """A component name: one line, single spaces."""
    return " ".join(cell_text(value).split())


def is_placeholder(value: object) -> bool:
    return is_blank(value) or cell_text(value).casefold() in PLACEHOLDERS


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def whole_score(value: object) -> int | None:
    """The value as a whole number 1-10 (a number cell or its text), else None."""
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit() or len(text) > 2:
            return None
        value = int(text)
    if not is_number(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    if number.is_integer() and 1 <= number <= 10:
        return int(number)
    return None
