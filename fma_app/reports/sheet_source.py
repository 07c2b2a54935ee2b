"""Spreadsheets as grids of values, read in bounded memory: .xlsx/.xlsm, legacy .xls and .csv.

Every format gives the same thing: the sheet names, and per sheet its merged ranges and its rows
as `(row number, {column: value})` for the rows that hold something, in order. Empty cells are
never materialised, so one stray cell at XFD1048576 costs one entry, not a billion.

- .xlsx/.xlsm: openpyxl in read-only mode for the shared strings and date styles, its sheet XML
  parser for the rows (streamed: a sheet is never loaded whole), and the merged ranges read
  from the sheet XML's `mergeCells` element by a byte scan that loads no cells.
- .xls: xlrd (the legacy format is at most 65,536 rows, so it is read whole).
- .csv: UTF-8 with or without BOM, else the Windows code page Excel writes (cp1252); the
  delimiter (comma, semicolon or tab) is the one the first lines agree on.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import zipfile
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fma_app.reports.cells import column_index
from fma_app.reports.errors import ImportProblemsError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

Row = dict[int, object]  # column (1-based) -> a non-empty value

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
# openpyxl creates nothing per merged cell in read-only mode, but a form never merges this much:
# a range over the whole sheet is a hostile file, refused before any row is read.
MAX_MERGED_CELLS = 2_000_000
MAX_MERGED_RANGES = 200_000
# What openpyxl and zipfile raise for a damaged file; zlib.error and EOFError come from a
# damaged compressed member (a bit flip in the deflate stream).
DAMAGED_WORKBOOK = (
    zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError,
    SyntaxError, IndexError,
)  # fmt: skip
_MERGE_REF = re.compile(
    rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"'
)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class MergedRange:
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def cells(self) -> int:
        return (self.max_row - self.min_row + 1) * (self.max_col - self.min_col + 1)


class SheetGrid(ABC):
    """One sheet: its title, merged ranges and non-empty rows."""

    title: str

    @property
    def max_row(self) -> int | None:
        """The last row as the file declares it (an estimate for progress), or None."""
        return None

    @property
    @abstractmethod
    def merged(self) -> tuple[MergedRange, ...]: ...

    @abstractmethod
    def rows(self, first_row: int = 1, max_col: int | None = None) -> Iterator[tuple[int, Row]]:
        """(row number, {column: value}) for each row from `first_row` that holds a value."""

    def count_rows(self, first_row: int, limit: int) -> int:
        """How many rows from `first_row` hold a value, counting up to `limit` (a quick look
        before a sheet that claims to be huge is read for real)."""
        count = 0
        for _ in self.rows(first_row):
            count += 1
            if count >= limit:
                break
        return count

    def head(self, last_row: int, max_col: int | None = None) -> dict[int, Row]:
        """The rows up to `last_row` (reading stops there)."""
        found: dict[int, Row] = {}
        for number, row in self.rows(1, max_col):
            if number > last_row:
                break
            found[number] = row
        return found


class RememberedHead(SheetGrid):
    """A sheet whose first rows, once read, are kept (asked for again, they are not read
    again); everything else is the sheet's own."""

    def __init__(self, grid: SheetGrid):
        self.title = grid.title
        self._grid = grid
        self._head: dict[int, Row] = {}
        self._head_rows = 0  # the rows `_head` covers

    @property
    def max_row(self) -> int | None:
        return self._grid.max_row

    @property
    def merged(self) -> tuple[MergedRange, ...]:
        return self._grid.merged

    def rows(self, first_row: int = 1, max_col: int | None = None) -> Iterator[tuple[int, Row]]:
        return self._grid.rows(first_row, max_col)

    def count_rows(self, first_row: int, limit: int) -> int:
        return self._grid.count_rows(first_row, limit)

    def head(self, last_row: int, max_col: int | None = None) -> dict[int, Row]:
        if last_row > self._head_rows:
            self._head, self._head_rows = self._grid.head(last_row), last_row
        found: dict[int, Row] = {}
        for number, row in self._head.items():
            if number > last_row:
                break
            kept = row if max_col is None else {c: v for c, v in row.items() if c <= max_col}
            if kept:
                found[number] = dict(kept)  # the caller's to change
        return found


class Spreadsheet(ABC):
    """An opened file: close it (or use it as a context manager) when done."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name

    @property
    @abstractmethod
    def sheet_names(self) -> list[str]: ...

    @abstractmethod
    def sheet(self, name: str) -> SheetGrid: ...

    def close(self) -> None:  # noqa: B027 (most formats hold nothing open)
        pass

    def __enter__(self) -> Spreadsheet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def find_sheet(self, name: str) -> str | None:
        """The sheet's exact name: as given, or the one equal to it ignoring case and spaces."""
        if name in self.sheet_names:
            return name
        wanted = name.strip().casefold()
        return next((s for s in self.sheet_names if s.strip().casefold() == wanted), None)


@dataclass(frozen=True)
class RowLimit:
    """More rows with values than `rows` in one sheet of a workbook: refused with `message`
    (given the sheet's name) before the workbook is parsed. openpyxl parses every shared string
    when it opens a workbook: on a 12-million-cell sheet that alone took a minute."""

    rows: int
    message: Callable[[str], str]


def open_spreadsheet(path: str | Path, limit: RowLimit | None = None) -> Spreadsheet:
    """Open a .xlsx, .xlsm, .xls or .csv file; raise ImportProblemsError with one line naming the
    file and the problem (or, for a workbook, `limit`'s line for a sheet beyond it)."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ImportProblemsError([f"{name}: no such file"])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return CsvSpreadsheet(path)
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):  # the OLE2 container of a legacy .xls
        return XlsSpreadsheet(path)
    if suffix == ".xls" and not magic.startswith(b"PK"):
        raise ImportProblemsError([f"{name}: not a readable .xls workbook"])
    if suffix not in SUFFIXES and not magic.startswith(b"PK"):
        raise ImportProblemsError(
            [f"{name}: not a spreadsheet FMA Workbench reads (.xlsx, .xlsm, .xls or .csv)"]
        )
    if limit is not None:
        refuse_huge_sheets(path, limit)
    return XlsxSpreadsheet(path)


def damaged(name: str, error: BaseException, kind: str = ".xlsx") -> ImportProblemsError:
    return ImportProblemsError(
        [f"{name}: not a readable {kind} workbook ({type(error).__name__}: {error})"]
    )


# ---- .xlsx / .xlsm ---------------------------------------------------------------------------


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]{0,3}\d*:?[A-Z]{0,3}(\d+)"')
_TAG_SHEET = re.compile(r"<(?:\w+:)?sheet\s[^>]*>")
_TAG_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\s[^>]*>")
_SMALLEST_ROW = 30  # bytes of XML a row with one value takes at the least: <row r="1"><c r=...
_PARTS_READ = 4 * _CHUNK  # workbook.xml and its relationships: a few kB in any real workbook


def refuse_huge_sheets(path: Path, limit: RowLimit) -> None:
    """Raise `limit`'s one line for the first worksheet with more than `limit.rows` rows that
    hold a value. A sheet is counted from its bytes only when its XML is large enough to hold
    that many rows and its `<dimension ref>`, if it has one, declares more; a declared size
    over the limit is not trusted alone (formatting stretches it), the count is, and a sheet
    whose dimension says it is small is left to the reader's own check. Anything unexpected
    is left to the workbook's own reading, which names the damage."""
    try:
        with zipfile.ZipFile(path) as archive:
            for title, member in _worksheet_parts(archive):
                info = archive.getinfo(member)
                if info.file_size < limit.rows * _SMALLEST_ROW:
                    continue  # too small to hold that many rows
                with archive.open(info) as source:
                    declared = _DIMENSION.search(source.read(_CHUNK))
                if declared is not None and int(declared[1]) <= limit.rows:
                    continue
                with archive.open(info) as source:
                    if _count_value_rows(source, 1, limit.rows + 1) > limit.rows:
                        raise ImportProblemsError([limit.message(title)])
    except DAMAGED_WORKBOOK:
        return


def _worksheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) of each worksheet, from the workbook part and its relationships."""
    book, rels = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
    with archive.open(book) as part:
        sheets = [_attributes(tag) for tag in _TAG_SHEET.findall(_text(part))]
    with archive.open(rels) as part:
        links = [_attributes(tag) for tag in _TAG_RELATIONSHIP.findall(_text(part))]
    targets = {link.get("Id", ""): link.get("Target", "") for link in links}
    members = set(archive.namelist())
    found: list[tuple[str, str]] = []
    for sheet in sheets:
        link = next((v for k, v in sheet.items() if k.endswith(":id")), "")  # r:id, any prefix
        target = targets.get(link, "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if member in members:
            found.append((sheet.get("name", member), member))
    return found


def _text(part: Any) -> str:
    return str(part.read(_PARTS_READ).decode("utf-8", "replace"))


def _attributes(tag: str) -> dict[str, str]:
    """A tag's attributes by their names as written (`r:id` keeps its prefix)."""
    return {name: html.unescape(value) for name, value in re.findall(r'([\w:.-]+)="([^"]*)"', tag)}


class XlsxSpreadsheet(Spreadsheet):
    def __init__(self, path: Path):
        import openpyxl

        super().__init__(path)
        # We own the handle: openpyxl leaves its own open when a damaged workbook fails to load.
        self._handle = open(path, "rb")  # noqa: SIM115 (closed by close())
        try:
            self.workbook: Workbook = openpyxl.load_workbook(
                self._handle, read_only=True, data_only=True, keep_links=False
            )
        except BaseException as error:
            self._handle.close()
            if isinstance(error, DAMAGED_WORKBOOK):
                raise damaged(self.name, error) from None
            raise
        self._sheets: dict[str, XlsxSheet] = {}

    @property
    def sheet_names(self) -> list[str]:
        return list(self.workbook.sheetnames)

    def sheet(self, name: str) -> SheetGrid:
        if name not in self._sheets:
            self._sheets[name] = XlsxSheet(self, name)
        return self._sheets[name]

    def close(self) -> None:
        try:
            self.workbook.close()  # raises on some damaged archives: the handle must close
        except DAMAGED_WORKBOOK:
            pass
        finally:
            self._handle.close()


class XlsxSheet(SheetGrid):
    def __init__(self, spreadsheet: XlsxSpreadsheet, title: str):
        self.title = title
        self._book = spreadsheet
        self._worksheet: Any = spreadsheet.workbook[title]
        self._merged: tuple[MergedRange, ...] | None = None

    @property
    def max_row(self) -> int | None:
        rows = getattr(self._worksheet, "max_row", None)
        return rows if isinstance(rows, int) else None

    def count_rows(self, first_row: int, limit: int) -> int:
        path = getattr(self._worksheet, "_worksheet_path", None)
        if path is None:
            return 0
        try:
            with self._book.workbook._archive.open(path) as source:  # type: ignore[attr-defined]
                return _count_value_rows(source, first_row, limit)
        except DAMAGED_WORKBOOK as error:
            raise damaged(self._book.name, error) from None

    @property
    def merged(self) -> tuple[MergedRange, ...]:
        if self._merged is None:
            self._merged = self._scan_merged()
        return self._merged

    def _scan_merged(self) -> tuple[MergedRange, ...]:
        """The `mergeCell` refs of the sheet XML, scanned in chunks: no cell is loaded."""
        path = getattr(self._worksheet, "_worksheet_path", None)
        if path is None:  # a chartsheet or something openpyxl does not stream
            return ()
        found: list[MergedRange] = []
        total = 0
        name = self._book.name
        try:
            with self._book.workbook._archive.open(path) as source:  # type: ignore[attr-defined]
                tail = b""
                while chunk := source.read(_CHUNK):
                    buffer = tail + chunk
                    end = 0
                    if b"mergeCell" not in buffer:  # the rows: a plain find skips them fast
                        tail = buffer[-256:]
                        continue
                    for match in _MERGE_REF.finditer(buffer):
                        left, top, right, bottom = (part.decode() for part in match.groups())
                        first_col, last_col = sorted((column_index(left), column_index(right)))
                        first_row, last_row = sorted((int(top), int(bottom)))
                        merged = MergedRange(first_row, first_col, last_row, last_col)
                        found.append(merged)
                        total += merged.cells
                        end = match.end()
                    tail = buffer[max(end, len(buffer) - 256) :]
                    if len(found) > MAX_MERGED_RANGES:
                        raise ImportProblemsError(
                            [f"{name}: sheet {self.title} has more than {MAX_MERGED_RANGES:,} "
                             "merged ranges; FMA Workbench reads forms with fewer"]
                        )  # fmt: skip
        except DAMAGED_WORKBOOK as error:
            raise damaged(name, error) from None
        if total > MAX_MERGED_CELLS:
            raise ImportProblemsError(
                [f"{name}: its merged cells cover {total:,} cells; FMA Workbench reads workbooks "
                 f"whose merged cells cover at most {MAX_MERGED_CELLS:,}"]
            )  # fmt: skip
        return tuple(found)

    def rows(self, first_row: int = 1, max_col: int | None = None) -> Iterator[tuple[int, Row]]:
        worksheet = self._worksheet
        path = getattr(worksheet, "_worksheet_path", None)
        if path is None:
            return
        workbook: Any = self._book.workbook
        try:
            with workbook._archive.open(path) as source:
                styles = _Styles(
                    worksheet._shared_strings,
                    workbook._date_formats,
                    workbook._timedelta_formats,
                    workbook.epoch,
                )
                yield from _sheet_rows(source, styles, first_row, max_col or 1 << 30)
        except ImportProblemsError:
            raise
        except DAMAGED_WORKBOOK as error:
            raise damaged(self._book.name, error) from None


def _count_value_rows(source: Any, first_row: int, limit: int) -> int:
    """Rows from `first_row` with a cell value (a <v> or an inline string), counted from the
    bytes without reading any cell: the XML is split at each row's end tag; stops at `limit`."""
    count = 0
    tail = b""
    while True:
        chunk = source.read(_CHUNK)
        pieces = (tail + chunk).split(b"row>")
        tail = pieces.pop() if chunk else b""
        for piece in pieces:  # one row each: '<row r="7" ...><c ...>...</c></' (any prefix)
            opening = piece.rfind(b"row ")
            number = _ROW_NUMBER.search(piece, opening) if opening >= 0 else None
            if number is not None and int(number[1]) < first_row:
                continue
            if b"<v>" in piece or b"<t" in piece or b":v>" in piece:
                count += 1
                if count >= limit:
                    return count
        if not chunk:
            return count


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE = _MAIN + "row", _MAIN + "c", _MAIN + "v"
_INLINE, _TEXT, _RUN = _MAIN + "is", _MAIN + "t", _MAIN + "r"
_COORDINATE = re.compile(r"([A-Z]{1,3})(\d*)")


@dataclass
class _Styles:
    """What turns a raw cell into a value: the shared strings and which styles are dates."""

    shared_strings: Any
    date_formats: Any
    timedelta_formats: Any
    epoch: Any


def _sheet_rows(
    source: Any, styles: _Styles, first_row: int, max_col: int
) -> Iterator[tuple[int, Row]]:
    """The rows of a sheet XML with the values openpyxl's read-only parser gives (shared
    strings, numbers, booleans, dates by their style, cached formula results), streamed.

    The sheet XML is read in chunks and each row is cut out by a pattern: rows of plain cells
    (what Excel and LibreOffice write: a number, a shared string, a formula's cached value) are
    read straight from the bytes, any other row (inline strings, rich text) through lxml. A
    sheet whose elements carry a namespace prefix is read wholly through lxml. Memory holds one
    chunk, never the sheet."""
    first = source.read(_CHUNK)
    if re.search(rb"<\w+:sheetData\b", first):
        yield from _lxml_rows(_Chained(first, source), styles, first_row, max_col)
        return
    # The namespaces the worksheet declares, for reading a row on its own through lxml.
    root = re.search(rb"<worksheet\b[^>]*>", first)
    declared = b" ".join(re.findall(rb'xmlns(?::[\w.-]+)?="[^"]*"', root[0] if root else b""))
    columns: dict[bytes, int] = {}
    counter = 0
    buffer = first
    done = not first
    while True:
        if not done:
            chunk = source.read(_CHUNK)
            done = not chunk
            buffer += chunk
        end = len(buffer) if done else buffer.rfind(b"</row>") + len(b"</row>")
        if end < len(b"</row>") and not done:
            continue  # a row longer than the chunk: read on
        segment, buffer = buffer[:end], buffer[end:]
        for found in _ROW_XML.finditer(segment):
            number = _ROW_NUMBER.search(found[1])
            counter = int(number[1]) if number else counter + 1
            body = found[2]
            if counter < first_row or not body:
                continue
            row = _plain_row(body, columns, max_col, styles)
            if row is None:
                row = _fragment_row(found[0], declared, max_col, styles)
            if row:
                yield counter, row
        if done:
            return


class _Chained:
    """A file whose first bytes were already read."""

    def __init__(self, first: bytes, rest: Any):
        self._first, self._rest = first, rest

    def read(self, size: int = -1) -> bytes:
        if self._first:
            data, self._first = self._first, b""
            return data
        return bytes(self._rest.read(size))


_ROW_XML = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.DOTALL)
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
# A plain cell: coordinate, other attributes, an optional formula, an optional value.
_PLAIN_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})\d+"((?: [a-z]+="[^"]*")*)\s*'
    rb"(?:/>|>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?(?:<v>([^<]*)</v>)?</c>)"
)
_TYPE = re.compile(rb' t="(\w+)"')
_STYLE = re.compile(rb' s="(\d+)"')


def _plain_row(body: bytes, columns: dict[bytes, int], max_col: int, styles: _Styles) -> Row | None:
    """A row of plain cells read from its bytes; None when it has any other kind of cell."""
    row: Row = {}
    consumed = 0
    for cell in _PLAIN_CELL.finditer(body):
        if cell.start() != consumed:
            return None
        consumed = cell.end()
        raw = cell[3]
        if not raw:
            continue
        letters = cell[1]
        column = columns.get(letters) or columns.setdefault(letters, column_index(letters.decode()))
        if column > max_col:
            continue
        attributes = cell[2]
        kind = _TYPE.search(attributes) if attributes else None
        style = _STYLE.search(attributes) if attributes else None
        value = _raw_value(
            kind[1].decode() if kind else "n", raw, int(style[1]) if style else 0, styles
        )
        if value is not None:
            row[column] = value
    return row if consumed == len(body) else None


def _raw_value(kind: str, raw: bytes, style: int, styles: _Styles) -> object:
    from openpyxl.utils.datetime import from_excel

    if kind == "s":
        return styles.shared_strings[int(raw)]
    text = raw.decode()
    if "&" in text:
        text = html.unescape(text)
    if kind == "n":
        value = _number(text)
        if style and style in styles.date_formats:
            try:
                return from_excel(value, styles.epoch, timedelta=style in styles.timedelta_formats)
            except (OverflowError, ValueError, TypeError):
                return "#VALUE!"  # a date serial out of range: what openpyxl gives
        return value
    if kind == "b":
        return text.strip() not in ("0", "")
    if kind == "d":
        return _iso_date(text)
    return text  # "str" (a formula's text), "e" (an error such as #DIV/0!)


def _fragment_row(xml: bytes, declared: bytes, max_col: int, styles: _Styles) -> Row:
    """One row's XML read through lxml (inline strings, rich text, unusual attributes), with
    the namespaces the worksheet element declared."""
    from lxml import etree  # type: ignore[import-untyped]  # no stubs installed

    if b'xmlns="' not in declared:
        declared += b' xmlns="' + _MAIN[1:-1].encode() + b'"'
    wrapped = b"<sheetData " + declared + b">" + xml + b"</sheetData>"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(wrapped, parser)
    return _element_row(root[0], {}, max_col, styles)


def _lxml_rows(
    source: Any, styles: _Styles, first_row: int, max_col: int
) -> Iterator[tuple[int, Row]]:
    """Every row through lxml's streaming parser (a sheet written with namespace prefixes)."""
    from lxml import etree

    columns: dict[str, int] = {}
    counter = 0
    parser = etree.iterparse(
        source, events=("end",), tag=_ROW, resolve_entities=False, no_network=True,
        huge_tree=False, remove_comments=True,
    )  # fmt: skip
    for _, element in parser:
        number = element.get("r")
        counter = int(number) if number and number.isdigit() else counter + 1
        if counter >= first_row:
            row = _element_row(element, columns, max_col, styles)
            if row:
                yield counter, row
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]


def _element_row(element: Any, columns: dict[str, int], max_col: int, styles: _Styles) -> Row:
    row: Row = {}
    column = 0
    for cell in element.iterchildren(_CELL):
        ref = cell.get("r")
        found = _COORDINATE.match(ref) if ref else None
        if found is not None:
            letters = found[1]
            column = columns.get(letters) or columns.setdefault(letters, column_index(letters))
        else:
            column += 1
        if column > max_col:
            continue
        value = _cell_value(cell, styles)
        if value is not None:
            row[column] = value
    return row


def _cell_value(cell: Any, styles: _Styles) -> object:
    """A cell element's value as openpyxl's read-only parser (data_only) gives it."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(_INLINE)
        if inline is None:
            return None
        return "".join(
            t.text or ""
            for t in inline.iter(_TEXT)
            if t.getparent() is inline or t.getparent().tag == _RUN  # not phonetic runs
        )
    text = cell.findtext(_VALUE)
    if not text:
        return None
    style = cell.get("s")
    return _raw_value(kind, text.encode(), int(style) if style else 0, styles)


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _iso_date(text: str) -> object:
    try:
        return dt.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        return text


# ---- .xls ------------------------------------------------------------------------------------


class XlsSpreadsheet(Spreadsheet):
    def __init__(self, path: Path):
        super().__init__(path)
        try:
            import xlrd
        except ImportError:  # pragma: no cover (a dependency; a broken install)
            raise ImportProblemsError(
                [f"{self.name}: reading legacy .xls files needs the xlrd package"]
            ) from None
        try:
            self.book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
        except Exception as error:  # xlrd raises its own XLRDError and struct/Index errors
            raise damaged(self.name, error, ".xls") from None

    @property
    def sheet_names(self) -> list[str]:
        return list(self.book.sheet_names())

    def sheet(self, name: str) -> SheetGrid:
        try:
            return XlsSheet(self.book, self.book.sheet_by_name(name))
        except Exception as error:
            raise damaged(self.name, error, ".xls") from None

    def close(self) -> None:
        self.book.release_resources()


class XlsSheet(SheetGrid):
    def __init__(self, book: Any, sheet: Any):
        self.title = str(sheet.name)
        self._book = book
        self._sheet = sheet

    @property
    def max_row(self) -> int | None:
        return int(self._sheet.nrows)

    @property
    def merged(self) -> tuple[MergedRange, ...]:
        # xlrd gives (first row, last row + 1, first column, last column + 1), 0-based.
        return tuple(
            MergedRange(top + 1, left + 1, bottom, right)
            for top, bottom, left, right in self._sheet.merged_cells
        )

    def rows(self, first_row: int = 1, max_col: int | None = None) -> Iterator[tuple[int, Row]]:
        import xlrd

        sheet = self._sheet
        for index in range(max(first_row - 1, 0), sheet.nrows):
            row: Row = {}
            width = sheet.row_len(index) if max_col is None else min(max_col, sheet.row_len(index))
            for column in range(width):
                cell = sheet.cell(index, column)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    continue
                value: object = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        value = xlrd.xldate_as_datetime(cell.value, self._book.datemode)
                    except (ValueError, OverflowError):
                        value = cell.value
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    value = bool(cell.value)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    continue
                elif isinstance(value, float) and value.is_integer():
                    value = int(value)
                row[column + 1] = value
            if row:
                yield index + 1, row


# ---- .csv ------------------------------------------------------------------------------------


class CsvSpreadsheet(Spreadsheet):
    """One sheet named after the file. Numbers stay text: the importer reads "7" as a score
    exactly as it reads a number cell."""

    DELIMITERS = (",", ";", "\t")

    def __init__(self, path: Path):
        super().__init__(path)
        raw = path.read_bytes()
        try:
            self.text = raw.decode("utf-8-sig")
            self.encoding = "UTF-8"
        except UnicodeDecodeError:
            # Not UTF-8: the legacy Windows code page Excel writes; latin-1 maps the five bytes
            # cp1252 leaves undefined, so no file is refused for its encoding alone.
            try:
                self.text = raw.decode("cp1252")
            except UnicodeDecodeError:
                self.text = raw.decode("latin-1")
            self.encoding = "Windows-1252"
        if "\x00" in self.text:
            raise ImportProblemsError([f"{self.name}: not a text (CSV) file"])
        self.delimiter = self._delimiter()
        self.title = path.stem or "CSV"

    def _delimiter(self) -> str:
        lines = [line for line in self.text.splitlines()[:30] if line.strip()]
        best, best_score = ",", -1
        for delimiter in self.DELIMITERS:
            counts = [
                len(r) - 1 for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
            ]
            # The delimiter giving the most columns on the most lines (a header names >= 3).
            score = sum(sorted(counts)[len(counts) // 2 :]) if counts else 0
            if score > best_score:
                best, best_score = delimiter, score
        return best

    @property
    def sheet_names(self) -> list[str]:
        return [self.title]

    def sheet(self, name: str) -> SheetGrid:
        if name != self.title:
            raise KeyError(name)
        return CsvSheet(self)


class CsvSheet(SheetGrid):
    def __init__(self, source: CsvSpreadsheet):
        self.title = source.title
        self._source = source

    @property
    def merged(self) -> tuple[MergedRange, ...]:
        return ()

    def rows(self, first_row: int = 1, max_col: int | None = None) -> Iterator[tuple[int, Row]]:
        reader = csv.reader(io.StringIO(self._source.text), delimiter=self._source.delimiter)
        try:
            for number, values in enumerate(reader, start=1):
                if number < first_row:
                    continue
                row: Row = {
                    column: value
                    for column, value in enumerate(values, start=1)
                    if value.strip() and (max_col is None or column <= max_col)
                }
                if row:
                    yield number, row
        except csv.Error as error:
            raise ImportProblemsError(
                [f"{self._source.name}: not a readable CSV file ({error})"]
            ) from None


def as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None
