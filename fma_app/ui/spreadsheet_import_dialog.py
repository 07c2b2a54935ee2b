"""File > Import Spreadsheet...: read an FMEA spreadsheet (.xlsx, .xlsm, .xls, .csv) the way
the user says, into a new model or into the open one.

The user picks the file, then the sheet (or every FMEA sheet), sees the header rows detection
found (and changes them), a preview of the rows with the field each column is read as (a combo
per column), the problems with their cells (a click shows the cell), leaves rows out with their
check boxes, and saves or loads the mapping as the JSON file `fma-app import --mapping` reads.
Every read runs off the UI thread (`ImportSession`); the import shows progress and can be
cancelled. A new model goes through the file controller (the unsaved-changes question; the
title then shows an unsaved model); adding to the open model is one undo step through the
document's edit gate, which refuses while the model is read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.add_model import add_model_command
from fma_app.domain.model import Model
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.spreadsheet_import import ColumnLayout, ImportResult, Mapping
from fma_app.ui.context import AppContext
from fma_app.ui.interaction import Level
from fma_app.ui.spreadsheet_import_session import (
    PREVIEW_ROWS,
    Analysis,
    ImportSession,
    Opened,
    Refusal,
)
from fma_app.ui.spreadsheet_preview_model import (
    FIELD_ROW,
    IGNORE,
    NOT_READ,
    FieldDelegate,
    PreviewModel,
    ProblemsModel,
    is_read,
)

TITLE = "Import Spreadsheet"
SPREADSHEET_FILTER = "Spreadsheets (*.xlsx *.xlsm *.xls *.csv);;All files (*)"
MAPPING_FILTER = "Import mappings (*.json);;All files (*)"
LAST_FOLDER_KEY = "import/lastFolder"
PROGRESS_STEPS = 1000
HEADER_ROWS_DELAY_MS = 500  # typing "12" in a spin box reads the sheet once, not twice
MAX_PREVIEW_ROWS = 5000  # how far the preview reaches to show a problem's cell
DIALOG_SIZE = (1240, 700)  # fits a 1366x768 screen with its panel


def summary(model: Model, source: str) -> str:
    counts = (
        (len(model.components), "component"),
        (len(model.failure_modes), "failure mode"),
        (len(model.actions), "action"),
        (len(model.dependencies), "dependency"),
    )
    parts = [f"{n} {name}" if n == 1 else f"{n} {_plural(name)}" for n, name in counts if n]
    listed = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    return f"Imported {listed or 'nothing'} from {source}"


def _plural(name: str) -> str:
    return name[:-1] + "ies" if name.endswith("y") else name + "s"


class SpreadsheetImportDialog(QDialog):
    """The import dialog. `show_new_model(model)` shows an imported model as a new one (True
    when it was shown; False when the user kept the open model)."""

    imported = Signal(str)  # the summary line, once the model is shown or added

    def __init__(
        self,
        context: AppContext,
        show_new_model: Callable[[Model], bool],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("spreadsheetImportDialog")
        self.setWindowTitle(TITLE)
        self.context = context
        self.document = context.document
        self.interaction = context.interaction
        self.show_new_model = show_new_model
        self.mapping = Mapping()
        self.opened: Opened | None = None
        self.analysis: Analysis | None = None
        self.import_problems: list[str] = []
        self.import_result: ImportResult | None = None
        self.progress: QProgressDialog | None = None
        self._stage = "idle"  # "opening", "importing"
        self._wanted_cell: tuple[str, int, int] | None = None  # sheet, row, column to show
        self.session = ImportSession()
        self._build()
        self._connect()
        self._set_open_state()
        self.resize(*DIALOG_SIZE)

    # ---- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.file_edit = QLineEdit(self)
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("Choose an .xlsx, .xlsm, .xls or .csv file")
        self.choose_button = QPushButton("&Choose File...", self)
        self.sheet_combo = QComboBox(self)
        self.sheet_combo.setMinimumContentsLength(24)
        self.all_sheets_check = QCheckBox("&All FMEA sheets into one model", self)
        self.all_sheets_check.setToolTip(
            "Import every sheet with an FMEA table; the sheet above is the one previewed"
        )
        self.header_first = QSpinBox(self)
        self.header_last = QSpinBox(self)
        for spin in (self.header_first, self.header_last):
            spin.setRange(1, 9999)
        self.detect_button = QPushButton("&Detect", self)
        self.detect_button.setToolTip("Use the header rows detection finds")
        self.notes_label = QLabel(self)
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.preview_model = PreviewModel(self)
        self.preview_view = QTableView(self)
        self.preview_view.setObjectName("importPreview")
        self.preview_view.setModel(self.preview_model)
        self.preview_view.setItemDelegateForRow(FIELD_ROW, FieldDelegate(self.preview_view))
        self.preview_view.verticalHeader().hide()
        self.preview_view.setWordWrap(False)
        self.preview_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.preview_view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.problems_model = ProblemsModel(self)
        self.problems_view = QListView(self)
        self.problems_view.setObjectName("importProblems")
        self.problems_view.setModel(self.problems_model)
        self.problems_view.setWordWrap(True)
        self.problems_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems_label = QLabel("Problems", self)

        self.new_model_radio = QRadioButton("Import as a &new model", self)
        self.add_radio = QRadioButton("Add to the &open model (one undo step)", self)
        self.new_model_radio.setChecked(True)
        self.load_button = QPushButton("&Load Mapping...", self)
        self.save_button = QPushButton("&Save Mapping...", self)
        tip = "The same JSON file as fma-app import --mapping FILE / --save-mapping FILE"
        self.load_button.setToolTip(tip)
        self.save_button.setToolTip(tip)
        self.import_button = QPushButton("&Import", self)
        self.import_button.setDefault(True)
        self.close_button = QPushButton("Close", self)

        grid = QGridLayout()
        grid.addWidget(self._label("&File:", self.file_edit), 0, 0)
        grid.addWidget(self.file_edit, 0, 1, 1, 4)
        grid.addWidget(self.choose_button, 0, 5)
        grid.addWidget(self._label("S&heet:", self.sheet_combo), 1, 0)
        grid.addWidget(self.sheet_combo, 1, 1)
        grid.addWidget(self.all_sheets_check, 1, 2)
        rows = QHBoxLayout()
        rows.addWidget(self._label("Header &rows:", self.header_first))
        rows.addWidget(self.header_first)
        rows.addWidget(QLabel("to", self))
        rows.addWidget(self.header_last)
        rows.addWidget(self.detect_button)
        grid.addLayout(rows, 1, 3, 1, 3, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(2, 1)

        problems_box = QWidget(self)
        problems_layout = QVBoxLayout(problems_box)
        problems_layout.setContentsMargins(0, 0, 0, 0)
        problems_layout.addWidget(self.problems_label)
        problems_layout.addWidget(self.problems_view)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.preview_view)
        self.splitter.addWidget(problems_box)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([440, 120])

        buttons = QHBoxLayout()
        buttons.addWidget(self.new_model_radio)
        buttons.addWidget(self.add_radio)
        buttons.addStretch(1)
        for button in (self.load_button, self.save_button, self.import_button, self.close_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(buttons)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _connect(self) -> None:
        session = self.session
        session.opened.connect(self._on_opened)
        session.analysed.connect(self._on_analysed)
        session.progressed.connect(self._on_progress)
        session.imported.connect(self._on_imported)
        session.refused.connect(self._on_refused)
        session.cancelled.connect(self._on_cancelled)
        session.failed.connect(self._on_failed)
        self.choose_button.clicked.connect(self.choose_file)
        self.sheet_combo.activated.connect(self._sheet_chosen)
        self.all_sheets_check.toggled.connect(self._all_sheets_toggled)
        self.header_timer = QTimer(self, singleShot=True, interval=HEADER_ROWS_DELAY_MS)
        self.header_timer.timeout.connect(self._header_rows_changed)
        self.header_first.valueChanged.connect(self._header_spin_changed)
        self.header_last.valueChanged.connect(self._header_spin_changed)
        self.detect_button.clicked.connect(self._detect_header_rows)
        self.preview_model.field_chosen.connect(self._field_chosen)
        self.preview_model.row_excluded.connect(self._row_excluded)
        self.preview_model.modelReset.connect(self._open_field_editors)
        self.problems_view.clicked.connect(self._problem_clicked)
        self.problems_view.activated.connect(self._problem_clicked)
        self.load_button.clicked.connect(self.load_mapping)
        self.save_button.clicked.connect(self.save_mapping)
        self.import_button.clicked.connect(self.start_import)
        self.close_button.clicked.connect(self.reject)

    def _set_open_state(self) -> None:
        """Enable what makes sense for the file open (or none)."""
        ready = self.opened is not None and self._stage == "idle"
        for widget in (self.sheet_combo, self.header_first, self.header_last, self.detect_button,
                       self.load_button, self.save_button, self.import_button,
                       self.preview_view):  # fmt: skip
            widget.setEnabled(ready)
        several = self.opened is not None and len(self.opened.fmea_sheets) > 1
        self.all_sheets_check.setEnabled(ready and several)
        self.choose_button.setEnabled(self._stage == "idle")

    # ---- the file ------------------------------------------------------------------------
    def choose_file(self) -> bool:
        folder = str(self.context.settings.value(LAST_FOLDER_KEY, "") or Path.home())
        path = self.interaction.choose_open_path(TITLE, folder, SPREADSHEET_FILTER)
        if not path:
            return False
        self.open_file(path)
        return True

    def open_file(self, path: str | Path) -> None:
        """Open `path` in the background; the previous file's choices are dropped."""
        target = Path(path)
        self.context.settings.setValue(LAST_FOLDER_KEY, str(target.parent))
        self.mapping = Mapping()
        self.opened, self.analysis, self.import_problems = None, None, []
        self.preview_model.set_content(None, [])
        self.problems_model.set_problems([])
        self.file_edit.setText(str(target))
        self._stage = "opening"
        self._say(f"Opening {target.name}\u2026")
        self._set_open_state()
        self.session.open(target)

    def _on_opened(self, opened: Opened) -> None:
        self.opened = opened
        self._stage = "idle"
        self.sheet_combo.clear()
        for name in opened.sheet_names:
            found = name in opened.fmea_sheets
            self.sheet_combo.addItem(name if found else f"{name} (no FMEA table found)", name)
        self.all_sheets_check.blockSignals(True)
        self.all_sheets_check.setChecked(False)
        self.all_sheets_check.blockSignals(False)
        self._select_sheet(self._default_sheet())
        self._set_open_state()
        self._analyse()

    def _default_sheet(self) -> str:
        opened = self.opened
        assert opened is not None
        if self.mapping.sheet is not None:
            return self.mapping.sheet
        return (opened.fmea_sheets or opened.sheet_names or [""])[0]

    def _select_sheet(self, name: str) -> None:
        found = self.sheet_combo.findData(name)
        if found < 0:  # a saved mapping may spell it in another case
            found = next(
                (i for i in range(self.sheet_combo.count())
                 if str(self.sheet_combo.itemData(i)).casefold() == name.casefold()),
                0,
            )  # fmt: skip
        self.sheet_combo.setCurrentIndex(found)

    @property
    def sheet(self) -> str:
        """The sheet previewed."""
        return str(self.sheet_combo.currentData() or "")

    # ---- reading the sheet ---------------------------------------------------------------
    def _analyse(self, limit: int = PREVIEW_ROWS) -> None:
        if self.opened is None or not self.sheet:
            return
        self._say(f"Reading {self.sheet}\u2026")
        self.session.analyse(self.sheet, self.mapping, limit)

    def _mapping_changed(self) -> None:
        """The user changed the mapping: earlier import problems may no longer hold."""
        self.import_problems = []
        self._analyse()

    def _on_analysed(self, analysis: Analysis) -> None:
        if analysis.request != self.session.latest_request:
            return  # the user changed something since; the newer answer follows
        self.analysis = analysis
        layout = analysis.layout
        # Rows with nothing in the columns read (spacing, a template's empty lines with their
        # RPN formulas) give no failure mode: the import passes them by, the preview too.
        read = [i for i, c in enumerate(layout.columns) if is_read(c)] if layout else []
        rows = [row for row in analysis.rows if any(row.cells[i].strip() for i in read)]
        self.preview_model.set_content(layout, rows)
        if layout is not None:
            for spin, value in zip(
                (self.header_first, self.header_last), layout.header_rows, strict=True
            ):
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)
        self._show_problems()
        self._say(self._notes(analysis))
        self._fit_columns()
        if self._wanted_cell is not None:
            self._show_cell(*self._wanted_cell, reach=False)

    def _notes(self, analysis: Analysis) -> str:
        layout = analysis.layout
        lines: list[str] = []
        if self.opened is not None and self.opened.is_report and self.mapping.is_empty:
            lines.append(
                "An FMA Workbench report: it is rebuilt exactly (components, dependencies, "
                "actions) unless you change the mapping."
            )
        if layout is None:
            lines.append(
                f"{analysis.sheet}: no FMEA header row found in its first 30 rows. Give the "
                "header rows above, then choose each column's field."
            )
            return "\n".join(lines)
        first, last = layout.header_rows
        rows = f"row {first}" if first == last else f"rows {first}-{last}"
        blank = len(analysis.rows) - self.preview_model.rowCount() + 1
        hidden = f", less {blank} with nothing to read" if blank > 0 else ""
        lines.append(
            f"Header {rows}, data from row {layout.data_first}. "
            "Choose a column's field in the first row; uncheck a row to leave it out. "
            f"The preview shows the first {len(analysis.rows)} rows below the header{hidden}."
        )
        lines.extend(layout.notes)
        if self.mapping.all_sheets:
            lines.append("All FMEA sheets are imported with this mapping; the preview shows one.")
        return "\n".join(lines)

    def _fit_columns(self) -> None:
        view = self.preview_view
        view.resizeColumnsToContents()
        header = view.horizontalHeader()
        for section in range(header.count()):
            width = header.sectionSize(section)
            header.resizeSection(section, max(min(width, 260), 70 if section == 0 else 140))
        view.resizeRowToContents(FIELD_ROW)

    def _open_field_editors(self) -> None:
        for section in range(1, self.preview_model.columnCount()):
            self.preview_view.openPersistentEditor(self.preview_model.index(FIELD_ROW, section))

    def _show_problems(self) -> None:
        layout = self.analysis.layout if self.analysis else None
        problems = list(self.import_problems or (layout.problems if layout else []))
        if layout is not None:
            # The refusal's closing list of every header and its field is what the preview's
            # column titles and combos already show.
            problems = [p for p in problems if p != layout.headers_found()]
        self.problems_model.set_problems(problems)
        self.preview_model.set_problems(self.sheet, problems)
        with_cells = sum(1 for p in self.problems_model.problems if p.location is not None)
        text = f"Problems ({len(problems)})"
        if not problems:
            text = "No problems found so far (the import checks every row)"
        elif with_cells:
            text += ": click one to see its cell"
        self.problems_label.setText(text)

    # ---- what the user changes -----------------------------------------------------------
    def _sheet_chosen(self, _index: int) -> None:
        if not self.mapping.all_sheets:
            self.mapping.sheet = self.sheet
        self._mapping_changed()

    def _all_sheets_toggled(self, checked: bool) -> None:
        self.mapping.all_sheets = checked
        self.mapping.sheet = None if checked else self.sheet
        self._mapping_changed()

    def _header_spin_changed(self, _value: int) -> None:
        first = self.header_first.value()
        if self.sender() is self.header_first and self.header_last.value() < first:
            self.header_last.setValue(first)
        self.header_timer.start()

    def _header_rows_changed(self) -> None:
        first, last = self.header_first.value(), self.header_last.value()
        if last < first or last - first >= 20:
            self._say("Header rows: the last row must follow the first, at most 20 rows.")
            return
        self.mapping.header_rows = (first, last)
        self._mapping_changed()

    def _detect_header_rows(self) -> None:
        self.header_timer.stop()
        self.mapping.header_rows = None
        self._mapping_changed()

    def _field_chosen(self, column: ColumnLayout, key: str) -> None:
        """Map the column by its letter (a header text can name several columns)."""
        names = {column.letter.casefold(), " ".join(column.header.split()).casefold()}
        names.update(" ".join(p.split()).casefold() for p in column.header.split(" / "))
        for existing in list(self.mapping.columns):
            if " ".join(existing.split()).casefold() in names:
                del self.mapping.columns[existing]
        detected = column.detected or NOT_READ
        if key not in (NOT_READ, detected) and not (key == IGNORE and detected == IGNORE):
            self.mapping.columns[column.letter] = key
        self._mapping_changed()

    def _row_excluded(self, number: int, excluded: bool) -> None:
        rows = set(self.mapping.excluded_rows.get(self.sheet, []))
        (rows.add if excluded else rows.discard)(number)
        if rows:
            self.mapping.excluded_rows[self.sheet] = sorted(rows)
        else:
            self.mapping.excluded_rows.pop(self.sheet, None)
        self._mapping_changed()

    # ---- problems ------------------------------------------------------------------------
    def _problem_clicked(self, index: QModelIndex) -> None:
        location = index.data(Qt.ItemDataRole.UserRole)
        if location is None:
            self._say("This problem names no cell: " + str(index.data()))
            return
        self._show_cell(location.sheet, location.row, location.column, reach=True)

    def _show_cell(self, sheet: str, row: int, column: int, *, reach: bool) -> None:
        """Select the cell in the preview, switching sheet or reading further if needed."""
        self._wanted_cell = None
        opened = self.opened
        if opened is None:
            return
        if sheet.casefold() != self.sheet.casefold():
            if self.sheet_combo.findData(sheet) < 0 or not reach:
                self._say(f"{sheet} is not a sheet the preview can show.")
                return
            self._select_sheet(sheet)
            self._wanted_cell = (sheet, row, column)
            if not self.mapping.all_sheets:
                self.mapping.sheet = sheet
            self._analyse()
            return
        from fma_app.reports.spreadsheet_import import ProblemLocation

        index = self.preview_model.index_of(ProblemLocation(sheet, row, column))
        layout = self.analysis.layout if self.analysis else None
        if index.isValid():
            self.preview_view.setCurrentIndex(index)
            self.preview_view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
            self.preview_view.setFocus()
            return
        if layout is not None and row >= layout.data_first and reach:
            wanted = row - layout.data_first + 10
            if wanted <= MAX_PREVIEW_ROWS:
                self._wanted_cell = (sheet, row, column)
                self._analyse(limit=wanted)
                return
        where = "in the header" if layout and row < layout.data_first else "not in the preview"
        self._say(f"Row {row} of {sheet} is {where}.")

    # ---- mappings ------------------------------------------------------------------------
    def save_mapping(self) -> bool:
        stem = Path(self.opened.path).stem if self.opened else "import"
        path = self.interaction.choose_save_path(
            "Save Mapping", f"{stem}.mapping.json", MAPPING_FILTER, "json"
        )
        if not path:
            return False
        try:
            self.mapping.save(path)
        except OSError as error:
            text = f"The mapping was not saved: {path}: {error.strerror or error}"
            self.interaction.show_message("Save Mapping", text, Level.CRITICAL)
            return False
        self._say(f"Mapping saved to {path}; fma-app import --mapping {Path(path).name} reads it.")
        return True

    def load_mapping(self) -> bool:
        folder = str(self.context.settings.value(LAST_FOLDER_KEY, "") or Path.home())
        path = self.interaction.choose_open_path("Load Mapping", folder, MAPPING_FILTER)
        if not path:
            return False
        try:
            loaded = Mapping.load(path)
        except ImportProblemsError as error:
            text = "The mapping was not loaded:\n" + "\n".join(error.problems)
            self.interaction.show_message("Load Mapping", text, Level.WARNING)
            return False
        self.mapping = loaded
        if self.opened is not None:
            self.all_sheets_check.blockSignals(True)
            self.all_sheets_check.setChecked(loaded.all_sheets)
            self.all_sheets_check.blockSignals(False)
            self._select_sheet(self._default_sheet())
        self._mapping_changed()
        return True

    # ---- importing -----------------------------------------------------------------------
    @property
    def adds_to_open_model(self) -> bool:
        return self.add_radio.isChecked()

    def start_import(self) -> None:
        if self.opened is None or self._stage != "idle":
            return
        self._stage = "importing"
        self._set_open_state()
        self.progress = QProgressDialog(
            f"Reading {self.opened.path.name}\u2026", "Cancel", 0, PROGRESS_STEPS, self
        )
        self.progress.setWindowTitle(TITLE)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(400)  # a small sheet is done before it would flash
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel_import)
        self.progress.setValue(0)
        self.session.import_model(self.mapping)

    def cancel_import(self) -> None:
        if self.progress is not None:
            self.progress.setLabelText("Cancelling\u2026")
        self.session.cancel()

    def _on_progress(self, done: int, expected: int) -> None:
        progress = self.progress
        if progress is None:
            return
        if expected <= 0:
            progress.setMaximum(0)  # a .csv does not say how many rows it has: busy
        else:
            progress.setMaximum(PROGRESS_STEPS)
            progress.setValue(min(PROGRESS_STEPS, done * PROGRESS_STEPS // expected))

    def _end_import(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self._stage = "idle"
        self._set_open_state()

    def _on_imported(self, result: ImportResult) -> None:
        self._end_import()
        self.import_result = result
        assert self.opened is not None
        name = self.opened.path.name
        if not result.model.components and not result.model.failure_modes:
            text = f"{name} has no failure modes or components to import (an empty form?)."
            self.interaction.show_message(TITLE, text, Level.WARNING)
            self._say("Nothing was imported.")
            return
        if self.adds_to_open_model:
            refusal = self.document.edit(
                lambda model: add_model_command(model, result.model, f"Import {name}"),
                refused_as="Not imported: ",
                title=TITLE,
            )
            if refusal is not None:
                self._say(f"{refusal}. Import it as a new model instead, or save a copy first.")
                return
        elif not self.show_new_model(result.model):
            self._say("The open model was kept; nothing was imported.")
            return
        line = summary(result.model, name)
        self.imported.emit(line)
        self.accept()
        # As the report export says where its file went: what was read, and how (the table's
        # end, where components came from, not rated), so a person can check nothing was lost.
        notes = "".join(f"\n\u2022 {note}" for note in result.notes)
        self.interaction.show_message(TITLE, f"{line}.{notes}", Level.INFORMATION)

    def _on_refused(self, refusal: Refusal) -> None:
        stage = self._stage
        if stage == "importing":
            self._end_import()
            self.import_problems = refusal.problems
            self._show_problems()
            count = len(refusal.problems)
            text = (
                f"{self.opened.path.name if self.opened else 'The spreadsheet'} was not imported: "
                f"{count} problem{'s' if count != 1 else ''}, listed in the dialog (click one to "
                "see its cell). Nothing was changed."
            )
            self.interaction.show_message(TITLE, text, Level.WARNING)
            return
        if stage == "opening":
            self._stage = "idle"
            self.file_edit.clear()
            self._set_open_state()
            text = "The spreadsheet cannot be read:\n" + "\n".join(refusal.problems)
            self.interaction.show_message(TITLE, text, Level.CRITICAL)
            self._say("Choose another file.")
            return
        # A preview refused (a loaded mapping names a sheet the file does not have).
        self.problems_model.set_problems(refusal.problems)
        self.problems_label.setText(f"Problems ({len(refusal.problems)})")
        self.preview_model.set_content(None, [])
        self._say("The sheet cannot be read with this mapping; see the problems below.")

    def _on_cancelled(self) -> None:
        self._end_import()
        self._say("Import cancelled; nothing was changed.")

    def _on_failed(self, message: str) -> None:
        stage = self._stage
        self._end_import()
        if stage == "opening":
            self.file_edit.clear()
        self.interaction.show_message(TITLE, f"The spreadsheet was not imported: {message}",
                                      Level.CRITICAL)  # fmt: skip

    # ---- closing -------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.notes_label.setText(text)

    def done(self, result: int) -> None:
        self.session.close()  # cancels an import; the file closes once its reader stops
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.session.close()
        super().closeEvent(event)
