"""The spreadsheet importer against hostile workbooks: random cells, headers built from random
alias mixes, random merged ranges and sheet names, reports edited at random, corrupted zips, and
workbooks built to exhaust (a stray cell in the last row, a merged range over the whole sheet).

The promise checked on every example: a model that keeps every rule (and survives a save and
open), or `ImportProblemsError` whose every line is one line starting with a cell reference
(`Sheet!F7: ...`), a sheet name or the file name.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hostile_support import (
    PEAK_MEMORY_SOURCE,
    assert_model_keeps_the_rules,
    child_env,
    folder_listing,
    hostile,
    note_event,
    run_cli,
    sample_model,
)
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell

from fma_app.reports import headers as h
from fma_app.reports.errors import ImportProblemsError, one_line
from fma_app.reports.workbook_import import import_workbook
from fma_app.reports.xlsx_report import write_report
from fma_app.storage import open_model, save_model

SOURCE = "hostile.xlsx"
# A failing example shows the module's report bytes; hypothesis warns that repr is long.
# openpyxl warns about parts of a damaged workbook it skips; the CLI silences those warnings.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
    pytest.mark.filterwarnings("ignore::UserWarning:openpyxl.*"),
]


def _where_patterns(titles: list[str]) -> list[re.Pattern[str]]:
    patterns = [re.compile(re.escape(SOURCE) + ": ")]
    for title in titles:
        quoted = title if re.fullmatch(r"\w+", title) else "'" + title.replace("'", "''") + "'"
        for shown in {one_line(title), one_line(quoted)}:  # control characters escaped
            # Sheet!F7 for a cell, Sheet!1 for a whole row (the report's header row).
            patterns.append(re.compile(re.escape(shown) + r"(![A-Z]{0,3}\d+)?: \S"))
    return patterns


def _sheet_titles(path: Path) -> list[str]:
    """The sheet names, for checking cell references; none for a damaged file."""
    # Our own handle: openpyxl leaves its file open when a damaged workbook fails to load.
    with open(path, "rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True)
        except Exception:  # any damage: only the file name may be referred to
            return []
        workbook.close()
        return workbook.sheetnames


def _assert_located_one_line_problems(problems: list[str], path: Path) -> None:
    assert problems, "ImportProblemsError without a problem"
    titles = _sheet_titles(path)
    patterns = _where_patterns(titles)
    for problem in problems:
        assert isinstance(problem, str)
        assert problem.strip()
        assert "\n" not in problem, repr(problem)
        assert "\r" not in problem, repr(problem)
        assert any(p.match(problem) for p in patterns), (problem, titles)


def import_outcome(path: Path, sheet: str | None = None) -> str:
    """Import and check the promise; returns "ok" or "problems"."""
    try:
        model = import_workbook(path, sheet=sheet)
    except ImportProblemsError as problems:
        _assert_located_one_line_problems(problems.problems, path)
        note_event("outcome: problems")
        return "problems"
    assert_model_keeps_the_rules(model)
    saved = path.with_suffix(".fma")
    save_model(model, saved)
    assert open_model(saved).content() == model.content()
    saved.unlink()
    note_event("outcome: model")
    return "ok"


# ---- random FMEA forms -------------------------------------------------------------------------
class LongText(str):
    """A long cell text with a short repr, so a failing example prints readably."""

    def __repr__(self) -> str:
        return f"LongText({self[:12]!r}... {len(self)} characters)"


legal_text = st.text(max_size=40).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t))
cells = st.one_of(
    st.none(),
    st.integers(-5, 15),
    st.integers(-(2**62), 2**62),
    st.floats(allow_nan=False, allow_infinity=False),
    legal_text,
    st.sampled_from(["", " ", "-", "n/a", "5", " 7 ", "10.0", "²", "+-5", "1e3",
                     "open", "Done", "WIP", "2026-02-30", "31/12/2026", "2026-1-5", "NaN"]),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)),
    st.booleans(),
    st.sampled_from(["=1/0", "=A1", "=SUM(1,2)", '=HYPERLINK("http://x","y")']),
    st.integers(30000, 40000).map(lambda n: LongText("long " * (n // 5))),
    st.just(LongText("9" * 5000)),
)  # fmt: skip
ALIASES = {name: sorted(aliases) for name, aliases in h._ALIASES.items()}
header_texts = st.one_of(
    st.sampled_from(sorted(ALIASES)).flatmap(lambda f: st.sampled_from(ALIASES[f])).flatmap(
        lambda alias: st.sampled_from(
            [alias, alias.upper(), alias.title(), f"Potential\n{alias}", f"{alias} (S)",
             f"2. {alias}", f"{alias}:", f" {alias} "]
        )
    ),
    legal_text,
    st.none(),
)  # fmt: skip
sheet_titles = st.text(
    alphabet=st.characters(blacklist_characters="[]:*?/\\", blacklist_categories=["Cs"]).filter(
        lambda c: c in "\t\n" or not ILLEGAL_CHARACTERS_RE.match(c)
    ),
    min_size=1,
    max_size=31,
).filter(lambda t: t.strip("'") == t and t.strip() and t.lower() != "history")


@st.composite
def forms(draw):
    width = draw(st.integers(3, 14))
    header = draw(st.lists(header_texts, min_size=width, max_size=width))
    # Most forms name the required columns somewhere: put some in at random places.
    required = st.sets(st.sampled_from(h.REQUIRED_FIELDS))
    wanted = draw(st.sampled_from([set(h.REQUIRED_FIELDS)] * 3 + [None]) | required)
    places = draw(st.permutations(range(width)))
    for field, column in zip(sorted(wanted or draw(required)), places, strict=False):
        header[column] = draw(st.sampled_from(ALIASES[field]))
    above = draw(st.lists(st.lists(cells, max_size=3), max_size=3))  # a title block
    second = draw(st.none() | st.lists(header_texts | cells, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=8))
    height = len(above) + 1 + (second is not None) + len(rows)
    merges = draw(
        st.lists(
            st.tuples(st.integers(1, height + 1), st.integers(1, width), st.integers(0, 3),
                      st.integers(0, 2)),
            max_size=4,
        )
    )  # fmt: skip
    titles = draw(st.lists(sheet_titles, min_size=1, max_size=3, unique_by=str.casefold))
    dependencies = draw(
        st.none() | st.lists(st.lists(cells | st.sampled_from(["api", "db"]), min_size=3,
                                      max_size=3), max_size=4)
    )  # fmt: skip
    return above, header, second, rows, merges, titles, dependencies


def _write_form(path: Path, form) -> None:
    above, header, second, rows, merges, titles, dependencies = form
    workbook = openpyxl.Workbook()
    sheets = [workbook.active] + [workbook.create_sheet() for _ in titles[1:]]
    for sheet, title in zip(sheets, titles, strict=True):
        sheet.title = title
    form_sheet = sheets[-1]  # not always the first sheet
    for row in [*above, header, *([second] if second else []), *rows]:
        form_sheet.append(row)
    for row, column, down, right in merges:
        form_sheet.merge_cells(start_row=row, start_column=column, end_row=row + down,
                               end_column=column + right)  # fmt: skip
    if dependencies is not None:
        deps = workbook.create_sheet("Dependencies")
        deps.append(["Component", "Depends On", "Strength"])
        for row in dependencies:
            deps.append(row)
    workbook.save(path)


@hostile(150)
@given(form=forms())
def test_random_forms_import_or_name_every_problem(tmp_path, form):
    path = tmp_path / SOURCE
    _write_form(path, form)
    import_outcome(path)


@hostile(40)
@given(form=forms(), pick=st.integers(0, 3))
def test_random_forms_with_a_named_sheet(tmp_path, form, pick):
    path = tmp_path / SOURCE
    _write_form(path, form)
    titles = form[5] + ["Dependencies", "no such sheet"]
    import_outcome(path, sheet=titles[pick % len(titles)])


def test_a_real_form_still_imports(tmp_path):
    """The generator can make a good form: the property above is not all refusals."""
    path = tmp_path / SOURCE
    header = ["Item", "Function", "Failure Mode", "Effect", "S", "Cause", "O", "D",
              "Recommended Action", "Responsibility", "Target Date"]  # fmt: skip
    rows = [["api", "serve", "timeout", "slow", 7, "load", 3, 2, "cache", "ana", "2026-05-01"]]
    _write_form(path, ([], header, None, rows, [], ["FMEA"], [["api", "api", None]]))
    with pytest.raises(ImportProblemsError) as refused:  # api depends on itself
        import_workbook(path)
    assert refused.value.problems == ["Dependencies!B2: component 'api' cannot depend on itself"]
    _write_form(path, ([], header, None, rows, [], ["FMEA"], None))
    assert import_outcome(path) == "ok"


# ---- reports edited at random ------------------------------------------------------------------
@pytest.fixture(scope="module")
def report_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("report") / "report.xlsx"
    write_report(sample_model(), path, today=dt.date(2026, 1, 15))
    return path.read_bytes()


report_edits = st.lists(
    st.tuples(
        st.sampled_from(["Summary", "Worksheet", "Actions", "Components", "Dependencies"]),
        st.integers(1, 6),
        st.integers(1, 22),
        cells,
    ),
    min_size=1,
    max_size=5,
)


@hostile(80)
@given(edits=report_edits)
def test_reports_edited_at_random(tmp_path, report_bytes, edits):
    workbook = openpyxl.load_workbook(io.BytesIO(report_bytes))
    for sheet, row, column, value in edits:
        cell = workbook[sheet].cell(row, column)
        if not isinstance(cell, MergedCell):  # covered by a merge: only its first cell is
            cell.value = value
    path = tmp_path / SOURCE
    workbook.save(path)
    import_outcome(path)


# ---- corrupted zips ----------------------------------------------------------------------------
@hostile(120)
@given(
    how=st.one_of(
        st.tuples(st.just("cut"), st.floats(0, 1, exclude_max=True)),
        st.tuples(st.just("flip"), st.lists(st.tuples(st.integers(0, 1 << 16),
                                                      st.integers(0, 7)), min_size=1)),
        st.tuples(st.just("member"), st.integers(0, 40), st.binary(max_size=200)),
        st.tuples(st.just("drop"), st.integers(0, 40)),
    )
)  # fmt: skip
def test_corrupted_workbook_zips(tmp_path, report_bytes, how):
    data = report_bytes
    if how[0] == "cut":
        data = data[: int(len(data) * how[1])]
    elif how[0] == "flip":
        buffer = bytearray(data)
        for offset, bit in how[1]:
            buffer[offset % len(buffer)] ^= 1 << bit
        data = bytes(buffer)
    else:
        source = zipfile.ZipFile(io.BytesIO(data))
        names = source.namelist()
        victim = names[how[1] % len(names)]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name in names:
                if name != victim:
                    target.writestr(name, source.read(name))
                elif how[0] == "member":
                    target.writestr(name, how[2])
        data = out.getvalue()
    path = tmp_path / SOURCE
    path.write_bytes(data)
    import_outcome(path)


# ---- workbooks built to exhaust ----------------------------------------------------------------
MEMORY_BOUND_MB = 500
IMPORTER = (
    PEAK_MEMORY_SOURCE
    + """
import json, sys
from fma_app.reports.errors import ImportProblemsError, one_line
from fma_app.reports.workbook_import import import_workbook
try:
    model = import_workbook(sys.argv[1])
    outcome = ["ok", len(model.failure_modes)]
except ImportProblemsError as problems:
    outcome = ["problems", problems.problems[:3]]
rss = peak_mb()
print(json.dumps({"outcome": outcome, "maxrss_mb": rss}))
"""
)


def import_in_child(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTER, str(path)],
        capture_output=True, text=True, env=child_env(), timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["maxrss_mb"] < MEMORY_BOUND_MB, result
    return result


def _small_form() -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "FMEA"
    sheet.append(["Item", "Failure Mode", "Effect", "Severity", "Cause", "Occurrence",
                  "Detection", "Recommended Action"])  # fmt: skip
    sheet.append(["api", "timeout", "slow", 5, "load", 3, 2, "add a cache"])
    return workbook


def test_a_stray_cell_in_the_last_row_and_column(tmp_path):
    """Excel's last row (1,048,576) and column (XFD): one typed cell there must not make the
    importer walk a billion empty positions."""
    workbook = _small_form()
    workbook["FMEA"].cell(1_048_576, 1).value = "stray"
    workbook["FMEA"].cell(3, 16_384).value = "far right"
    deps = workbook.create_sheet("Dependencies")
    deps.append(["Component", "Depends On"])
    deps.cell(1_048_576, 16_384).value = "x"
    path = tmp_path / SOURCE
    workbook.save(path)
    result = import_in_child(path)
    assert result["outcome"] == ["ok", 1], result


def test_a_report_with_a_stray_cell_in_the_last_row_and_column(tmp_path, report_bytes):
    """The report path streams its sheets: the stray cell must not widen every row."""
    workbook = openpyxl.load_workbook(io.BytesIO(report_bytes))
    workbook["Worksheet"].cell(1_048_576, 16_384).value = "stray"
    path = tmp_path / SOURCE
    workbook.save(path)
    result = import_in_child(path)
    assert result["outcome"] == ["ok", len(sample_model().failure_modes)], result


def test_a_merged_range_over_the_whole_sheet_is_refused_before_loading(tmp_path):
    """openpyxl makes a cell object per covered cell on load: 17 billion here."""
    workbook = _small_form()
    workbook["FMEA"].merge_cells("A3:B4")  # openpyxl itself cannot write the big one
    small = io.BytesIO()
    workbook.save(small)
    path = tmp_path / SOURCE
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b'ref="A3:B4"', b'ref="A3:XFD1048576"')
            target.writestr(name, data)
    result = import_in_child(path)
    assert result["outcome"] == ["problems", [
        f"{SOURCE}: its merged cells cover 17,179,836,416 cells; FMA Workbench reads workbooks "
        "whose merged cells cover at most 2,000,000"]], result  # fmt: skip


def test_many_merged_ranges_of_a_real_form_still_import(tmp_path):
    """Forms merge the Item cell over each component's rows: 2,000 such ranges are fine."""
    workbook = _small_form()
    sheet = workbook["FMEA"]
    for index in range(2000):
        first = 3 + index * 3
        for offset in range(3):
            sheet.append([None, f"mode {index}.{offset}", "slow", 5, "load", 3, 2, None])
        sheet.cell(first, 1).value = f"component {index}"
        sheet.merge_cells(start_row=first, start_column=1, end_row=first + 2, end_column=1)
    path = tmp_path / SOURCE
    workbook.save(path)
    model = import_workbook(path)
    assert len(model.components) == 2001
    assert len(model.failure_modes) == 6001
    assert {fm.component_id for fm in model.failure_modes.values()} == set(model.components)


# ---- the command never leaves a partly written output ------------------------------------------
def test_import_command_on_a_corrupt_workbook_writes_nothing(tmp_path, report_bytes):
    bad = tmp_path / "damaged report.xlsx"
    bad.write_bytes(report_bytes[: len(report_bytes) // 2])
    existing = tmp_path / "existing.fma"
    save_model(sample_model("Existing"), existing)
    before = existing.read_bytes()
    listing = folder_listing(tmp_path)
    result = run_cli("import", str(bad), "-o", str(existing), "--force")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("fma-app: error: damaged report.xlsx: not a readable")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert existing.read_bytes() == before
    assert folder_listing(tmp_path) == listing
    result = run_cli("import", str(bad), "-o", str(tmp_path / "new.fma"))
    assert result.returncode == 2
    assert not (tmp_path / "new.fma").exists()
    assert folder_listing(tmp_path) == listing


def test_import_command_killed_while_saving_leaves_no_model_file(tmp_path):
    """The save behind `import` is atomic: killing the command at random moments leaves either
    no output or a complete model, and never a partial file named like the output."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Item", "Failure Mode", "Severity", "Occurrence", "Detection", "Effect"])
    for index in range(6000):
        sheet.append([f"c{index % 300}", f"mode {index}", 5, 3, 2, "effect " * 5])
    source = tmp_path / "big.xlsx"
    workbook.save(source)
    output = tmp_path / "out.fma"
    rng = random.Random(7)
    for _attempt in range(4):
        output.unlink(missing_ok=True)
        child = subprocess.Popen(
            [sys.executable, "-m", "fma_app", "import", str(source), "-o", str(output)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env(),
        )  # fmt: skip
        try:
            child.wait(timeout=rng.uniform(1.0, 6.0))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if output.exists():
            assert len(open_model(output).failure_modes) == 6000
        stray = [n for n in folder_listing(tmp_path) if n not in ("big.xlsx", "out.fma")]
        assert all(n.startswith(".out.fma.save-") for n in stray), stray


def test_a_sheet_name_with_a_newline_keeps_each_problem_on_one_line(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "bad\nname"  # Excel never writes this; openpyxl and hostile files can
    sheet.append(["Item", "Failure Mode", "Severity", "Occurrence", "Detection"])
    sheet.append(["api", "timeout", 11, 2, "x"])
    path = tmp_path / "two lines.xlsx"
    workbook.save(path)
    result = run_cli("import", str(path), "-o", str(tmp_path / "out.fma"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "fma-app: error: 2 problems in two lines.xlsx; nothing was written",
        "fma-app: error: 'bad\\nname'!C2: severity 11 is not a whole number from 1 to 10",
        "fma-app: error: 'bad\\nname'!E2: detection 'x' is not a whole number from 1 to 10",
    ]
    assert not (tmp_path / "out.fma").exists()
