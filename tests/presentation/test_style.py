"""The style tokens, and the rule that keeps them the only palette: no other module of the
package defines an Action Priority colour or copies a token's value."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from fma_app.domain.scoring import ActionPriority
from fma_app.presentation import style
from fma_app.presentation.style import (
    AP_NAMES,
    AP_STYLES,
    NOT_RATED,
    OVERDUE,
    RPN_SCALE_POINTS,
    ansi,
    ap_style,
    mix,
    rgb,
    rpn_shade,
)

PACKAGE = Path(style.__file__).resolve().parents[1]
STYLE_FILE = Path(style.__file__).resolve()
HEX_COLOUR = re.compile(r"#([0-9A-Fa-f]{6})\b")
BARE_HEX = re.compile(r"[0-9A-Fa-f]{6}")  # openpyxl's spelling, a whole string
AP_KEYS = {"H", "M", "L", "HIGH", "MEDIUM", "LOW"}
COLOUR_NAME = re.compile(r"(^|_)(COLOU?RS?|FILLS?|PALETTE|SHADES?)(_|$)")
AP_NAME = re.compile(r"(^|_)(AP|H|M|L|HIGH|MEDIUM|LOW)(_|$)")


# ---- the tokens ----------------------------------------------------------------------------


def test_every_priority_has_a_distinct_swatch_of_hex_colours():
    assert set(AP_STYLES) == set(ActionPriority)
    swatches = [*AP_STYLES.values(), NOT_RATED]
    for swatch in swatches:
        assert HEX_COLOUR.fullmatch(swatch.fill), swatch
        assert HEX_COLOUR.fullmatch(swatch.text), swatch
    assert len({s.fill for s in swatches}) == len(swatches)
    assert AP_NAMES == {ActionPriority.HIGH: "High", ActionPriority.MEDIUM: "Medium",
                        ActionPriority.LOW: "Low"}  # fmt: skip


def test_not_rated_is_a_neutral_grey_with_its_label():
    red, green, blue = (int(rgb(NOT_RATED.fill)[i : i + 2], 16) for i in (0, 2, 4))
    assert red == green == blue
    assert NOT_RATED.label == "not rated"


def test_ap_style_takes_letters_the_enum_and_nothing():
    assert ap_style("H") is ap_style(ActionPriority.HIGH) is AP_STYLES[ActionPriority.HIGH]
    assert ap_style(None) is NOT_RATED
    assert ap_style("") is NOT_RATED
    assert AP_NAMES["M"] == "Medium"  # StrEnum keys answer to the letter
    with pytest.raises(ValueError, match="'X' is not a valid ActionPriority"):
        ap_style("X")


def test_overdue_wears_the_high_alarm():
    high = AP_STYLES[ActionPriority.HIGH]
    assert (OVERDUE.fill, OVERDUE.text) == (high.fill, high.text)


def test_rpn_shade_runs_from_white_to_salmon_and_grows_with_the_rpn():
    assert rpn_shade(1) == rpn_shade(-5) == "#FFFBFB"  # RPN 1: a breath of colour
    assert rpn_shade(1000) == style.RPN_SHADE_HIGH == rpn_shade(5000)
    greens = [int(rgb(rpn_shade(r))[2:4], 16) for r in (1, 10, 100, 250, 500, 1000)]
    assert greens == sorted(greens, reverse=True)
    assert len(set(greens)) == len(greens)
    assert rpn_shade(250) == mix(style.RPN_SHADE_LOW, style.RPN_SHADE_HIGH, 0.5)
    assert [rpn for rpn, _ in RPN_SCALE_POINTS] == [1, 250, 1000]


def test_colour_helpers():
    assert rgb("#ffc7ce") == "FFC7CE"
    assert mix("#000000", "#FF8040", 0.5) == "#804020"
    assert ansi(AP_STYLES[ActionPriority.LOW], "L") == "\033[32mL\033[0m"


# ---- one palette: a scan of the package's source -------------------------------------------


def token_colours() -> set[str]:
    """Every colour the tokens define, as "RRGGBB"; white and black are nobody's token."""
    colours = {rgb(c) for s in (*AP_STYLES.values(), NOT_RATED, OVERDUE) for c in (s.fill, s.text)}
    colours |= {rgb(style.CLOSED_TEXT), rgb(style.RPN_TEXT), rgb(style.RPN_SHADE_HIGH)}
    colours |= {rgb(colour) for _, colour in RPN_SCALE_POINTS}
    return colours - {"FFFFFF", "000000"}


def colours_in(node: ast.AST) -> list[str]:
    """Hex colours written in string literals under `node` ("#RRGGBB", or a bare "RRGGBB")."""
    found = []
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            found += [m.upper() for m in HEX_COLOUR.findall(child.value)]
            if BARE_HEX.fullmatch(child.value):
                found.append(child.value.upper())
    return found


def is_colour_value(node: ast.AST) -> bool:
    """A literal colour: hex (also inside a call such as QColor("#...")) or a terminal escape."""
    if colours_in(node):
        return True
    return any(
        isinstance(child, ast.Constant) and isinstance(child.value, str) and "\033[" in child.value
        for child in ast.walk(node)
    )


def ap_key(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in AP_KEYS
    return isinstance(node, ast.Attribute) and node.attr in AP_KEYS


def palette_problems(source: str, tokens: set[str]) -> list[str]:
    """Where `source` defines its own AP colours or copies a token's colour."""
    problems = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keyed_by_ap = sum(ap_key(key) for key in node.keys) >= 2
            if keyed_by_ap and any(is_colour_value(v) for v in node.values):
                problems.append(f"line {node.lineno}: colours keyed by Action Priority")
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            colour_named = any(COLOUR_NAME.search(n) and AP_NAME.search(n) for n in names)
            if colour_named and node.value is not None and is_colour_value(node.value):
                problems.append(f"line {node.lineno}: {names[0]} is an AP colour constant")
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for colour in colours_in(node):
                if colour in tokens:
                    problems.append(f"line {node.lineno}: #{colour} copies a style token")
    return problems


def test_no_module_but_style_defines_an_ap_colour_or_copies_a_token():
    tokens = token_colours()
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.resolve() == STYLE_FILE:
            continue
        for problem in palette_problems(path.read_text(encoding="utf-8"), tokens):
            problems.append(f"{path.relative_to(PACKAGE.parent)} {problem}")
    assert problems == [], "use fma_app.presentation.style instead:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        'AP_COLOURS = {"H": "#f4a6a6", "M": "#f9d77e", "L": "#b9e4b0"}',
        'FILLS = {ActionPriority.HIGH: QColor("#ef9a9a"), ActionPriority.LOW: QColor("#a5d6a7")}',
        'AP_FILLS = {"H": ("FFC7CE", "9C0006"), "M": ("FFEB9C", "7F6000")}',
        'AP_COLOURS = {"H": "\\033[1;31m", "M": "\\033[33m", "L": "\\033[32m"}',
        'HIGH_COLOUR = "#c0392b"',
        "LEGEND = \"<span style='background:#FFC7CE'>H</span>\"",
        'fill = PatternFill("solid", fgColor="C6EFCE")',
    ],
)
def test_the_scan_finds_a_palette_of_its_own(source):
    assert palette_problems(source, token_colours())


def test_the_scan_leaves_other_colours_and_token_use_alone():
    source = (
        'SELECT_COLOR = QColor("#1e88e5")\n'
        'HEADER = {"fill": "44546A", "font": "FFFFFF"}\n'
        "FILLS = {ap: QColor(s.fill) for ap, s in AP_STYLES.items()}\n"
        'NAMES = {"H": "High", "M": "Medium", "L": "Low"}\n'
    )
    assert palette_problems(source, token_colours()) == []
