"""Spreadsheet import speed and memory (issue 12).

Generates its inputs: an AIAG-style form (two-row merged header, merged item cells, RPN and
revised-score columns) of 20,000 rows, and a sheet of about 12 million cells (710,000 rows of
up to 24 columns; about 85 MB compressed, as its texts are random). The sheet XML is written
directly, streamed into the zip, so generating the big sheet needs no workbook in memory.

- speed: `import_spreadsheet` on the 20,000-row form against openpyxl's read-only iteration over
  the same sheet (`iter_rows(values_only=True)`), best of --runs each, alternating.
- memory and time: a child process importing the 12-million-cell sheet (refused in one line
  before openpyxl parses the workbook: its dimension declares more rows than a form can have,
  so its rows are counted from the bytes, past form_reader.MAX_TABLE_ROWS), and the same for
  the 20,000-row form.

    .venv/bin/python -m benchmarks.bench_import [--runs 3] [--rows 20000] [--big-rows 500000]
Targets: import within 1.5x openpyxl's read-only iteration; peak memory under 1 GB on the big
sheet, answered (imported or refused) rather than running for minutes.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

HEADER_TOP = ["No.", "Item", "Function", "Potential Failure Mode", "Potential Effect(s) of Failure",
              "Sev", "Class", "Potential Cause(s)", "Current Controls Prevention", "Occ",
              "Current Controls Detection", "Det", "RPN", "Recommended Action(s)",
              "Responsibility & Target Completion Date", "Action Results", None, None, None, None,
              "Remarks", "Ref", "Area", "Line"]  # fmt: skip
HEADER_SUB = {16: "Actions Taken", 17: "Sev", 18: "Occ", 19: "Det", 20: "RPN"}
WIDTH = len(HEADER_TOP)
WORDS = [
    "pump",
    "seal",
    "valve",
    "leak",
    "crack",
    "sensor",
    "drift",
    "timeout",
    "overload",
    "corrosion",
    "wear",
    "fatigue",
    "misaligned",
    "contamination",
    "vibration",
    "pressure",
    "thermal",
    "firmware",
    "connector",
    "short",
]


def _letters(column: int) -> str:
    text = ""
    while column:
        column, rest = divmod(column - 1, 26)
        text = chr(65 + rest) + text
    return text


class SharedStrings:
    """The workbook's shared string table, as Excel writes text cells."""

    NAMESPACE = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    CONTENT_TYPE = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    RELATIONSHIP = (
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    )

    def __init__(self) -> None:
        self.head = b'<sst xmlns="' + self.NAMESPACE + b'">'
        self.base = 0
        self.index: dict[str, int] = {}

    def ref(self, text: str) -> int:
        if text not in self.index:
            self.index[text] = self.base + len(self.index)
        return self.index[text]

    def xml(self) -> bytes:
        items = "".join(f"<si><t>{escape(text)}</t></si>" for text in self.index)
        return self.head + items.encode() + b"</sst>"


def _cell(row: int, column: int, value: object, strings: SharedStrings) -> str:
    ref = f"{_letters(column)}{row}"
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="s"><v>{strings.ref(str(value))}</v></c>'


PHRASES = 4000  # texts repeat, as they do in real forms (and in their shared string tables)


def _data_row(rng: random.Random, index: int) -> list[object]:
    def text(words: int) -> str:
        phrase = random.Random(rng.randrange(PHRASES) * 31 + words)
        return " ".join(phrase.choice(WORDS) for _ in range(words))

    s, o, d = rng.randint(1, 10), rng.randint(1, 10), rng.randint(1, 10)
    acted = index % 4 == 0
    return [
        index, f"Item {index // 5}" if index % 5 == 0 else None, text(3), text(4), text(5), s,
        None, text(5), text(3), o, text(3), d, s * o * d,
        text(4) if acted else None, f"J. Doe {2026 - index % 3}-0{1 + index % 9}-15" if acted
        else None, text(3) if acted else None, s if acted else None, 1 if acted else None,
        d if acted else None, s * d if acted else None, text(2), f"R-{index}", "Plant 2",
        index % 7,
    ]  # fmt: skip


def write_form(path: Path, rows: int, seed: int = 1) -> int:
    """An FMEA form of `rows` data rows; returns the number of cells written."""
    template = openpyxl.Workbook()
    sheet = template.active
    sheet.title = "PFMEA"
    for column, text in enumerate(HEADER_TOP, start=1):
        if text is not None:
            sheet.cell(2, column, text)
    for column, text in HEADER_SUB.items():
        sheet.cell(3, column, text)
    sheet["A1"] = "PROCESS FMEA (generated for the import benchmark)"
    for column in [*range(1, 16), *range(21, WIDTH + 1)]:
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    sheet.merge_cells("P2:T2")
    for index in range(0, min(rows, 5000), 5):  # each item merged over its five rows
        sheet.merge_cells(f"B{4 + index}:B{8 + index}")
    small = path.with_suffix(".template.xlsx")
    template.save(small)
    rng = random.Random(seed)
    cells = 0
    with (
        zipfile.ZipFile(small) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        strings = SharedStrings()
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", strings.CONTENT_TYPE + b"</Types>")
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", strings.RELATIONSHIP + b"</Relationships>")
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, data)
                continue
            head, rest = data.split(b"<sheetData>", 1)
            own_rows, tail = rest.split(b"</sheetData>", 1)
            # The template's title and header rows only: openpyxl also wrote empty rows for the
            # cells its merged ranges cover, which the generated rows replace.
            own_rows = (
                own_rows[: own_rows.index(b'<row r="4"')] if b'<row r="4"' in own_rows else own_rows
            )
            # The dimension openpyxl's read-only iteration trusts: the whole generated table.
            last = f"{_letters(WIDTH)}{3 + rows}".encode()
            head = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:' + last + b'"', head)
            with target.open(item.filename, "w", force_zip64=True) as out:
                out.write(head + b"<sheetData>" + own_rows)
                for offset in range(rows):
                    number = 4 + offset
                    values = _data_row(rng, offset)
                    parts = [
                        _cell(number, c, v, strings)
                        for c, v in enumerate(values, 1)
                        if v is not None
                    ]
                    cells += len(parts)
                    out.write(f'<row r="{number}">{"".join(parts)}</row>'.encode())
                out.write(b"</sheetData>" + tail)
        target.writestr("xl/sharedStrings.xml", strings.xml())
    small.unlink()
    return cells


def openpyxl_iteration(path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of openpyxl's read-only iteration over the form."""
    wall, cpu = time.perf_counter(), time.process_time()
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for _ in workbook["PFMEA"].iter_rows(values_only=True):
        pass
    workbook.close()
    return time.perf_counter() - wall, time.process_time() - cpu


def our_import(path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of the import."""
    from fma_app.reports.spreadsheet_import import import_spreadsheet

    wall, cpu = time.perf_counter(), time.process_time()
    import_spreadsheet(path)
    return time.perf_counter() - wall, time.process_time() - cpu


CHILD = """
import resource, sys, time
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.spreadsheet_import import import_spreadsheet
start = time.perf_counter()
try:
    result = import_spreadsheet(sys.argv[1])
    outcome = f"imported {len(result.model.failure_modes):,} failure modes"
except ImportProblemsError as error:
    outcome = "refused: " + error.problems[0]
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{elapsed:.1f}\\t{peak:.0f}\\t{outcome}")
"""


def in_child(path: Path) -> tuple[float, float, str]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
    )
    elapsed, peak, outcome = done.stdout.strip().split("\t", 2)
    return float(elapsed), float(peak), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--big-rows", type=int, default=710_000, help="0 skips the big sheet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        form = Path(folder) / "form.xlsx"
        start = time.perf_counter()
        cells = write_form(form, args.rows)
        print(f"form: {args.rows:,} rows, {cells:,} cells, {form.stat().st_size / 1e6:.1f} MB "
              f"(generated in {time.perf_counter() - start:.1f} s)")  # fmt: skip
        baseline, ours = [], []
        for _ in range(args.runs):
            baseline.append(openpyxl_iteration(form))
            ours.append(our_import(form))
        # CPU time is the fairer measure on a shared machine; wall time is printed beside it.
        for label, index in (("CPU", 1), ("wall", 0)):
            base = min(run[index] for run in baseline)
            mine = min(run[index] for run in ours)
            ratio = mine / base
            verdict = "ok" if ratio <= 1.5 else "MISSED"
            print(
                f"{label:>4}: openpyxl read-only iteration {base:.2f} s, import_spreadsheet "
                f"{mine:.2f} s (best of {args.runs}): {ratio:.2f}x (goal <= 1.5x: {verdict})"
            )
        elapsed, peak, outcome = in_child(form)
        print(f"form in a fresh process: {elapsed:.1f} s, peak {peak:.0f} MB; {outcome}")
        if args.big_rows:
            big = Path(folder) / "big.xlsx"
            start = time.perf_counter()
            cells = write_form(big, args.big_rows, seed=2)
            print(f"big sheet: {args.big_rows:,} rows, {cells:,} cells, "
                  f"{big.stat().st_size / 1e6:.1f} MB (generated in "
                  f"{time.perf_counter() - start:.1f} s)")  # fmt: skip
            elapsed, peak, outcome = in_child(big)
            verdict = "ok" if peak < 1024 else "MISSED"
            print(f"big sheet in a fresh process: {elapsed:.1f} s, peak {peak:.0f} MB "
                  f"(goal < 1024 MB: {verdict}); {outcome}")  # fmt: skip
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(this process peaked at {own:.0f} MB)")


if __name__ == "__main__":
    main()
