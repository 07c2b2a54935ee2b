"""`fma-app rank MODEL [--by rpn|ap] [--format table|csv|json] [--top N]`."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from json.encoder import encode_basestring as quote  # C; what ensure_ascii=False writes
from operator import itemgetter
from typing import TYPE_CHECKING

from fma_app.cli import COMMAND_HELP
from fma_app.cli.common import CliError
from fma_app.cli.model_io import MODEL_HELP, is_url, read_shared_model
from fma_app.gc_pause import paused_gc
from fma_app.presentation.text import elide_middle

if TYPE_CHECKING:  # loaded when the command runs: `--help` only lists the orders
    from fma_app.analysis.ranking import Rankable, RankBy, RankedFailureMode, RankRow
    from fma_app.domain.model import Model

# RankBy's values and its default, written out for `--help` (test_rank_table checks them).
RANK_ORDERS = ("rpn", "ap")

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rank",
        help=COMMAND_HELP["rank"],
        description="List a model's failure modes ranked by RPN (severity x likelihood x "
        "detection) or by AIAG-VDA Action Priority. The file is only read.",
        epilog="CSV text cells that start with = + - @ (or a tab or carriage return) get a "
        "leading ' so a spreadsheet shows them as text instead of running them as formulas.",
    )
    parser.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    parser.add_argument(
        "--by",
        choices=RANK_ORDERS,
        default=RANK_ORDERS[0],
        help="rpn: RPN, then S, L, D, then names; ap: H/M/L, then severity, RPN, names "
        "(default: rpn)",
    )
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--top", metavar="N", help="only the first N failure modes")
    parser.set_defaults(handler=run)


def parse_top(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        number = int(text.strip())
    except ValueError:
        number = 0
    if number < 1:
        raise CliError(f"--top {text!r} is not a whole number of 1 or more")
    return number


def ranking_of_file(path: str, by: RankBy) -> list[RankedFailureMode[RankRow]]:
    """The ranking straight from the file's rows, without building the model; of a shared
    model (a URL), from the model pulled from the server."""
    if is_url(path):
        return ranking_of_model(read_shared_model(path), by)
    from fma_app.storage import ModelFileError, read_ranking

    try:
        return read_ranking(path, by)
    except ModelFileError as error:
        raise CliError(str(error)) from None


def ranking_of_model(model: Model, by: RankBy) -> list[RankedFailureMode[RankRow]]:
    from fma_app.analysis.ranking import RankRow, rank

    rows = (
        RankRow(f.id, f.component_id, f.function, f.failure_mode, f.effect, f.severity,
                f.likelihood, f.detection, f.revised)
        for f in model.failure_modes.values()
    )  # fmt: skip
    return rank(rows, {c.id: c.name for c in model.components.values()}, by)


def run(args: argparse.Namespace) -> int:
    from fma_app.analysis.ranking import RankBy

    top = parse_top(args.top)
    # One short process that makes tens of thousands of objects and no cycles: collections
    # would only scan the whole model again and again.
    with paused_gc():
        ranked = ranking_of_file(args.model, RankBy(args.by))
        shown = ranked if top is None else ranked[:top]
        # JSON and the table are written straight from the ranking; only CSV makes the records.
        if args.format == "json":
            for piece in ranked_json_pieces(shown):
                sys.stdout.write(piece)
            sys.stdout.write("\n")
        elif args.format == "csv":
            sys.stdout.write(format_csv([entry.as_record() for entry in shown]))
        else:
            colour = use_colour()
            print(format_table(shown, total=len(ranked), by=RankBy(args.by), colour=colour))
    return 0


# ---- json --------------------------------------------------------------------------------------
# json.dumps with indent= runs the pure-Python encoder: for 20,000 failure modes it took longer
# than opening the model. The C encoder writes the same text in one call when the indent is its
# item separator: JSON text never holds a raw newline, so in flat records "},\n    {" can only
# be the seam between two records, and it is re-indented there.
_FLAT_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": "))


def format_json(records: Sequence[dict[str, object]]) -> str:
    """Exactly `json.dumps(records, indent=2, ensure_ascii=False)` for flat records (values
    that are text, numbers, booleans or None), several times faster."""
    return "".join(json_pieces(records))


def json_pieces(records: Sequence[dict[str, object]], per_piece: int = 1000) -> Iterator[str]:
    """`format_json`'s text in pieces of `per_piece` records. Written piece by piece, the JSON
    of 20,000 failure modes (10 MB) never sits in memory whole, encoded, replaced and encoded
    again to UTF-8: each of those copies cost a fresh process thousands of page faults."""
    if not records:
        yield "[]"
        return
    before = "[\n  {\n    "
    for start in range(0, len(records), per_piece):
        text = _FLAT_ENCODER.encode(list(records[start : start + per_piece]))
        yield before + text[2:-2].replace("},\n    {", _SEAM)
        before = _SEAM
    yield "\n  }\n]"


_SEAM = "\n  },\n  {\n    "

# The text of `json_pieces` for the records of a ranking, without making the records: the C
# encoder spent most of its time on the 16 keys of each of 20,000 dicts. A record's five
# scores (S, L, D, RPN, AP) follow from its score triple and its five revised ones from its
# revised scores: at most 1,331 and 1,001 different texts, each encoded once from a real
# `as_record()`, so the JSON cannot drift from the records. Only the four text values and the
# two numbers of each failure mode's own fields are written per record.
_OWN_KEYS = ("rank", "id", "component", "function", "failure_mode", "effect")
_SCORE_KEYS = ("severity", "likelihood", "detection", "rpn", "ap")
_REVISED_KEYS = (
    "revised_severity", "revised_likelihood", "revised_detection", "revised_rpn", "revised_ap",
)  # fmt: skip
RECORD_KEYS = _OWN_KEYS + _SCORE_KEYS + _REVISED_KEYS
_RECORD = (
    '{\n    "rank": %d,\n    "id": %d,\n    "component": %s,\n    "function": %s,\n'
    '    "failure_mode": %s,\n    "effect": %s,\n    %s,\n    %s\n  }'
)


def _encoded_fields(record: dict[str, object], keys: tuple[str, ...]) -> str:
    """`"key": value` of `keys`, with the separators of a record's indented JSON."""
    return _FLAT_ENCODER.encode({key: record[key] for key in keys})[1:-1]


def ranked_json_pieces(
    ranked: Sequence[RankedFailureMode[Rankable]], per_piece: int = 1000
) -> Iterator[str]:
    """Exactly `json_pieces([entry.as_record() for entry in ranked], per_piece)`."""
    if not ranked:
        yield "[]"
        return
    components: dict[str, str] = {}
    scores: dict[tuple[int | None, int | None, int | None], str] = {}
    revisions: dict[object, str] = {}
    before = "[\n  "
    for start in range(0, len(ranked), per_piece):
        texts = []
        for entry in ranked[start : start + per_piece]:
            fm = entry.failure_mode
            triple = (fm.severity, fm.likelihood, fm.detection)
            score_text = scores.get(triple)
            revised_text = revisions.get(fm.revised)
            if score_text is None or revised_text is None:
                record = entry.as_record()  # each text encoded once, only when first met
                if score_text is None:
                    score_text = scores[triple] = _encoded_fields(record, _SCORE_KEYS)
                if revised_text is None:
                    revised_text = revisions[fm.revised] = _encoded_fields(record, _REVISED_KEYS)
            component = components.get(entry.component)
            if component is None:
                component = components[entry.component] = quote(entry.component)
            texts.append(
                _RECORD
                % (
                    entry.rank,
                    fm.id,
                    component,
                    quote(fm.function),
                    quote(fm.failure_mode),
                    quote(fm.effect),
                    score_text,
                    revised_text,
                )
            )
        yield before + ",\n  ".join(texts)
        before = ",\n  "
    yield "\n]"


# ---- csv ---------------------------------------------------------------------------------------
def safe_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; None becomes empty."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def format_csv(records: Sequence[dict[str, object]]) -> str:
    import csv  # only this format needs it

    columns = list(records[0]) if records else list(_empty_record())
    buffer = io.StringIO()
    # RFC 4180 line ends: with "\n" alone, the csv module left a field holding "\r" unquoted,
    # which split the row there (and "\r=1+1" then began a line with a formula).
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([safe_cell(record[column]) for column in columns])
    return buffer.getvalue()


def _empty_record() -> dict[str, object]:
    """The column names, for the header of an empty ranking."""
    from fma_app.analysis.ranking import RankedFailureMode
    from fma_app.domain.model import Model

    model = Model()
    component = model.add_component("x")
    return RankedFailureMode(1, "x", model.add_failure_mode(component.id)).as_record()


# ---- table -------------------------------------------------------------------------------------
def use_colour() -> bool:
    """ANSI colour only for a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _ellipsis() -> str:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "…".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "..."
    return "…"


def visible(text: str) -> str:
    """Control characters as escapes (ESC as \\x1b): text from a model file must not move the
    terminal's cursor, clear it or change its colours."""
    if text.isprintable():
        return text
    return "".join(
        repr(ch)[1:-1] if unicodedata.category(ch) == "Cc" and not ch.isspace() else ch
        for ch in text
    )


def truncate(text: str, width: int, ellipsis: str = "…") -> str:
    """One line of at most `width` characters, shortened in the middle: names that differ
    only at the end ("Payment auth…primary", "…secondary") stay apart."""
    text = visible(" ".join(text.split()))  # newlines in a cell would break the rows
    return elide_middle(text, width, ellipsis)


def component_width_cap(terminal_columns: int) -> int:
    """The component column grows with the terminal: a quarter of it, at least 12."""
    return max(12, terminal_columns // 4)


def format_table(
    ranked: Sequence[RankedFailureMode[Rankable]], *, total: int, by: RankBy, colour: bool
) -> str:
    """The ranking as a table as wide as the terminal."""
    if not ranked:
        return "no failure modes in this model"
    ellipsis = _ellipsis()
    import shutil  # only the table needs it (and it pulls in the compression modules)

    terminal = shutil.get_terminal_size((120, 24)).columns
    # Widths in C (map over the tuples) rather than a generator per entry: 20,000 entries.
    widest = max(len("Component"), max(map(len, map(itemgetter(1), ranked))))
    component_width = min(component_width_cap(terminal), widest)
    ids = [e.failure_mode.id for e in ranked]  # the longest id text is the largest's or the
    id_width = max(len("ID"), len(str(max(ids))), len(str(min(ids))))  # most negative's
    fixed = 4 + 1 + id_width + 1 + 2 + 1 + 4 + 1 + 8 + 1 + component_width + 1 + 1 + 11
    text_width = max(terminal - fixed, 24)
    header = (
        f"{'#':>4} {'ID':>{id_width}} {'AP':<2} {'RPN':>4} {' S  L  D':<8} "
        f"{'Component':<{component_width}} {'Failure mode':<{text_width}} {'Revised':<11}"
    )
    lines = [header.rstrip(), "-" * min(len(header), terminal)]
    # Cells that repeat are made once: 20,000 failure modes share about 2,000 component names
    # and at most 1,331 score triples (with not rated) and 1,001 revised ones, and making each
    # cell anew was most of the table's time; failure mode texts repeat too ("Timeout" under
    # many components). The rating cells come from a real record (`as_record()`, made only
    # for the first failure mode of its scores), as JSON and CSV do. A line ends with its
    # revised cell, stripped when made; %-formatting with the widths written into the format
    # costs half of an f-string with nested widths.
    components: dict[str, str] = {}
    texts: dict[str, str] = {}
    ratings: dict[tuple[int | None, int | None, int | None], str] = {}
    revisions: dict[object, str] = {}
    row = f"%4d %{id_width}d %s %s %s %s"
    for entry in ranked:
        place, name, fm = entry
        if (component := components.get(name)) is None:
            component = f"{truncate(name, component_width, ellipsis):<{component_width}}"
            components[name] = component
        if (text := texts.get(fm.failure_mode)) is None:
            text = f"{truncate(fm.failure_mode, text_width, ellipsis):<{text_width}}"
            texts[fm.failure_mode] = text
        scores = (fm.severity, fm.likelihood, fm.detection)
        rating, revised = ratings.get(scores), revisions.get(fm.revised)
        if rating is None or revised is None:
            record = entry.as_record()
            if rating is None:
                rating = ratings[scores] = _rating_cells(record, colour)
            if revised is None:
                revised = revisions[fm.revised] = _revised_cell(record, colour).rstrip()
        lines.append(row % (place, fm.id, rating, component, text, revised))
    order = "Action Priority" if by == "ap" else "RPN"
    lines.append(f"{len(ranked)} of {total} failure modes, ranked by {order}")
    return "\n".join(lines)


_RATING_KEYS = ("severity", "likelihood", "detection", "rpn", "ap")


def _rating_cells(record: dict[str, object], colour: bool) -> str:
    """AP, RPN, S, L and D of one record; '-' for each that is not rated yet, never a number or
    a colour."""
    shown = {key: "-" if record[key] is None else record[key] for key in _RATING_KEYS}
    ap = _paint(str(shown["ap"]), colour)
    return (
        f"{ap:<2} {shown['rpn']:>4} "
        f"{shown['severity']:>2} {shown['likelihood']:>2} {shown['detection']:>2}"
    )


def _revised_cell(record: dict[str, object], colour: bool) -> str:
    if record["revised_rpn"] is None:
        return f"{'-':>4}"
    return f"{record['revised_rpn']:>4} {_paint(str(record['revised_ap']), colour)}"


def _paint(ap: str, colour: bool) -> str:
    """The AP letter, coloured for a terminal. Padding is applied by the caller on one letter,
    so a coloured letter is padded here to keep the columns aligned."""
    if not colour:
        return ap
    from fma_app.presentation.style import AP_STYLES, ansi, ap_style

    if ap not in AP_STYLES:  # "-", not rated yet: never an AP's colour
        return ap
    return ansi(ap_style(ap), ap) + " " * (2 - len(ap))
