"""The detail panel: the selected failure mode's long texts, scores and actions.

Text fields commit when they lose focus (or on Enter for one-line fields), each as one undoable
command through the document's edit gate; the actions table edits in place and its buttons add,
mark done and delete actions.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFocusEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.commands import Change, Command, Macro, add_action, remove, set_fields
from fma_app.domain.errors import ValidationError
from fma_app.domain.model import ActionStatus, FailureMode, Model, Scores
from fma_app.presentation.style import AP_NAMES, NOT_RATED
from fma_app.presentation.worksheet import cell_command
from fma_app.ui.actions_model import ActionsModel
from fma_app.ui.context import AppContext
from fma_app.ui.delegates import DueDateDelegate, ScoreEdit, StatusDelegate
from fma_app.ui.qt_style import ap_style_sheet


class CommitTextEdit(QPlainTextEdit):
    """A multi-line text that reports its text when it loses focus."""

    committed = Signal(str)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.committed.emit(self.toPlainText())


LINE_FIELDS = (("function", "Function"), ("failure_mode", "Failure mode"))
LONG_FIELDS = (
    ("effect", "Effect"),
    ("cause", "Cause"),
    ("prevention_controls", "Prevention controls"),
    ("detection_controls", "Detection controls"),
    ("notes", "Notes"),
    ("justification", "Justification"),  # satisfies `fma-app check`'s high-priority rule
)
SCORES = ("severity", "likelihood", "detection")
# action, owner, due, status, action taken (the last stretches): in the 390-pixel dock every
# title is whole; with 100 pixels for the action, "Action Taken" showed as "Action Ta".
ACTION_COLUMN_WIDTHS = (74, 56, 86, 66, 48)
LONG_FIELD_HEIGHT = 44  # two lines: the whole panel fits a 768-pixel-high screen
# One line (it scrolls when longer): a sixth two-line field no longer fitted 768 pixels.
SHORT_FIELDS = {"justification": 28}
# Rows 4 pixels apart and a 4-pixel margin above and below: with the style's 6 and 9 the form
# (12 rows since the Justification) scrolled by 16-20 pixels in a 1278x740 window.
FORM_ROW_SPACING = 4
FORM_MARGIN = 4


class DetailPanel(QWidget):
    """Everything about the failure mode selected in `Document.selection`."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        document = self.document = context.document
        self.failure_mode_id = 0
        self._loading = False
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.texts: dict[str, QLineEdit | CommitTextEdit] = {}
        self.scores: dict[str, ScoreEdit] = {}
        self.revised: dict[str, ScoreEdit] = {}
        self.revised_check = QCheckBox("Revised", self)
        self.revised_check.setToolTip("Revised scores, after the actions")
        self.score_label = QLabel(self)
        self.revised_label = QLabel(self)
        self.actions_model = ActionsModel(document, self)
        self.actions_view = QTableView(self)
        self.add_action_button = QPushButton("Add Action", self)
        self.done_button = QPushButton("Mark Done", self)
        self.delete_action_button = QPushButton("Delete Action", self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("detailSplitter")
        self._build()
        document.selection.failure_mode_selected.connect(self.show_failure_mode)
        document.changed.connect(self._on_changed)
        document.model_replaced.connect(lambda: self.show_failure_mode(0))
        document.read_only_changed.connect(lambda _read_only: self._load())
        document.hints_changed.connect(self._hints_changed)
        self.show_failure_mode(0)

    # -- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        form = QFormLayout()
        form.setVerticalSpacing(FORM_ROW_SPACING)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow dock: label above
        for key, label in LINE_FIELDS:
            line = QLineEdit(self)
            line.editingFinished.connect(lambda k=key, w=line: self.commit_text(k, w.text()))
            self.texts[key] = line
            form.addRow(label, line)
        for key, label in LONG_FIELDS:
            edit = CommitTextEdit(self)
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(SHORT_FIELDS.get(key, LONG_FIELD_HEIGHT))
            edit.setMinimumWidth(120)
            edit.committed.connect(lambda text, k=key: self.commit_text(k, text))
            self.texts[key] = edit
            form.addRow(label, edit)
        form.addRow("Scores", self._score_row(self.scores))
        form.addRow("", self.score_label)
        self.revised_check.toggled.connect(self._revised_toggled)
        form.addRow(self.revised_check, self._score_row(self.revised))
        form.addRow("", self.revised_label)
        fields = QWidget(self)
        fields_layout = QVBoxLayout(fields)
        margins = fields_layout.contentsMargins()
        fields_layout.setContentsMargins(margins.left(), FORM_MARGIN, margins.right(), FORM_MARGIN)
        fields_layout.setSpacing(FORM_ROW_SPACING)
        fields_layout.addWidget(self.title)
        fields_layout.addLayout(form)
        fields_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(fields)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self._actions_box())
        # The form first: at 1366x768 a two-line title pushed the revised scores out of view
        # while the actions table had rows to spare.
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def _score_row(self, boxes: dict[str, ScoreEdit]) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        prefix = "" if boxes is self.scores else "revised_"
        for field, letter in zip(SCORES, "SLD", strict=True):
            label = QLabel(letter, row)
            box = ScoreEdit(field, parent=row)  # empty: not rated yet / no revised score
            box.setFixedWidth(box.fontMetrics().horizontalAdvance("10") + 28)
            label.setBuddy(box)
            box.committed.connect(lambda text, key=prefix + field: self.commit_score(key, text))
            boxes[field] = box
            layout.addWidget(label)
            layout.addWidget(box)
        layout.addStretch(1)
        return row

    def _actions_box(self) -> QWidget:
        box = QGroupBox("Actions", self)
        view = self.actions_view
        view.setObjectName("actionsView")
        view.setModel(self.actions_model)
        view.setItemDelegateForColumn(2, DueDateDelegate(view))
        view.setItemDelegateForColumn(3, StatusDelegate(view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.verticalHeader().hide()
        view.setWordWrap(False)
        delete = QAction("Delete Action", view)
        delete.setShortcut(QKeySequence("Del"))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        delete.triggered.connect(lambda _checked=False: self.delete_actions())
        view.addAction(delete)
        header = view.horizontalHeader()  # every column in view in a 380-pixel dock
        header.setSectionsMovable(True)
        header.setMinimumSectionSize(36)
        # Left-aligned titles keep their first letters in a narrow column ("Action Ta..."):
        # centred, "Action Taken" lost both ends.
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in enumerate(ACTION_COLUMN_WIDTHS):
            header.resizeSection(column, width)
        # The date itself; its editor (with the calendar button) is wider and overlaps Status.
        header.resizeSection(2, view.fontMetrics().horizontalAdvance("2026-12-31") + 14)
        header.setStretchLastSection(True)
        rows = view.verticalHeader().defaultSectionSize()
        view.setMinimumHeight(header.sizeHint().height() + 3 * rows + 4)  # three actions in view
        self.add_action_button.clicked.connect(lambda: self.add_action())
        self.done_button.clicked.connect(lambda: self.mark_done())
        self.delete_action_button.clicked.connect(lambda: self.delete_actions())
        buttons = QHBoxLayout()
        for button in (self.add_action_button, self.done_button, self.delete_action_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addWidget(view, 1)
        layout.addLayout(buttons)
        return box

    # -- showing -------------------------------------------------------------------------
    def current(self) -> FailureMode | None:
        return self.document.model.failure_modes.get(self.failure_mode_id)

    def show_failure_mode(self, failure_mode_id: int) -> None:
        self.failure_mode_id = failure_mode_id
        if self.actions_model.failure_mode_id != failure_mode_id:
            self.actions_model.set_failure_mode(failure_mode_id)
        self._load()

    def _on_changed(self, changes: list[Change]) -> None:
        fm = self.current()
        if fm is None:
            if self.failure_mode_id:
                self.show_failure_mode(0)
            return
        for change in changes:
            relevant = (change.kind == "failure_mode" and fm.id in change.ids) or (
                change.kind == "component" and fm.component_id in change.ids
            )
            if relevant:
                self._load()
                return

    def _hints_changed(self, failure_mode_ids: list[int]) -> None:
        if self.failure_mode_id in failure_mode_ids:
            self._load()

    def _load(self) -> None:
        fm = self.current()
        enabled = fm is not None and not self.document.read_only
        self._loading = True
        try:
            for key, widget in self.texts.items():
                widget.setEnabled(enabled)
                text = getattr(fm, key) if fm else ""
                if isinstance(widget, QLineEdit):
                    if widget.text() != text:
                        widget.setText(text)
                        widget.setCursorPosition(0)  # show the start of a long text
                elif widget.toPlainText() != text:
                    widget.setPlainText(text)
            hint = self.document.score_hints.get(fm.id) if fm else None
            for field, box in self.scores.items():
                box.setEnabled(enabled)
                box.show_value(getattr(fm, field) if fm else None)  # empty: not rated yet
                box.show_hint(getattr(hint, field) if hint else None)  # grey while empty
            revised = fm.revised if fm else None
            self.revised_check.setEnabled(enabled)
            self.revised_check.setChecked(revised is not None)
            for field, box in self.revised.items():
                box.setEnabled(enabled and revised is not None)
                box.show_value(getattr(revised, field) if revised else None)
            self._set_score_label(self.score_label, fm.scores if fm else None, fm is not None)
            self._set_score_label(self.revised_label, revised)
            for button in (self.add_action_button, self.done_button, self.delete_action_button):
                button.setEnabled(enabled)
            self._set_title(fm)
        finally:
            self._loading = False

    def _set_title(self, fm: FailureMode | None) -> None:
        if fm is None:
            self.title.setText("Select a row in the worksheet to see and edit its details here.")
            return
        component = self.document.model.components[fm.component_id].name
        self.title.setText(f"{component}: {fm.failure_mode or '(failure mode not named yet)'}")

    @staticmethod
    def _set_score_label(label: QLabel, scores: Scores | None, not_rated: bool = False) -> None:
        if scores is None and not_rated:
            label.setText(f"RPN -   AP {NOT_RATED.label} yet")
            label.setStyleSheet(ap_style_sheet(None))  # the not-rated swatch
            return
        if scores is None:
            label.setText("")
            label.setStyleSheet("")
            return
        label.setText(f"RPN {scores.rpn}   AP {scores.ap.value} ({AP_NAMES[scores.ap]})")
        label.setStyleSheet(ap_style_sheet(scores.ap))

    # -- edits ---------------------------------------------------------------------------
    def _push(self, make: Callable[[Model], Command | None]) -> bool:
        """Through the document's gate; a refused edit puts the shown values back."""
        if self.document.apply(make) is not None:
            return True
        self._load()
        return False

    def commit_text(self, key: str, text: str) -> bool:
        fm = self.current()
        if self._loading or fm is None or getattr(fm, key) == text:
            return False
        return self._push(lambda model: set_fields(model, "failure_mode", fm.id, **{key: text}))

    def commit_score(self, key: str, text: str) -> bool:
        """A score box's text (`severity`, or `revised_severity` for a revised one) through the
        gate, read as the worksheet reads a cell: `11`, `0`, `1.5` or `abc` is refused with a
        message and the box shows the old score again; an emptied box clears the score."""
        fm = self.current()
        if self._loading or fm is None:
            return False
        return self._push(lambda model: cell_command(model, fm.id, key, text))

    def _revised_toggled(self, checked: bool) -> None:
        fm = self.current()
        if self._loading or fm is None:
            return
        revised = fm.scores if checked else None  # start from the original scores

        def make(model: Model) -> Command | None:
            if checked and revised is None:  # refused by the gate, which shows the message
                raise ValidationError(
                    "rate severity, likelihood and detection before revised scores"
                )
            return set_fields(model, "failure_mode", fm.id, revised=revised)

        self._push(make)

    def selected_action_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.actions_view.selectionModel().selectedRows()})
        if not rows and self.actions_view.currentIndex().isValid():
            rows = [self.actions_view.currentIndex().row()]
        return [self.actions_model.action(r).id for r in rows]

    def add_action(self, description: str = "New action") -> int | None:
        fm = self.current()
        if fm is None:
            return None
        action_id = self.document.add(lambda model: add_action(model, fm.id, description))
        if action_id is None:
            return None
        row = self.actions_model.row_of(action_id)
        if row is not None:
            index = self.actions_model.index(row, 0)
            self.actions_view.setCurrentIndex(index)
            if self.isVisible():
                self.actions_view.edit(index)
        return action_id

    def mark_done(self, action_ids: list[int] | None = None) -> bool:
        ids = action_ids if action_ids is not None else self.selected_action_ids()
        actions = self.document.model.actions
        ids = [i for i in ids if actions[i].status is not ActionStatus.DONE]
        if not ids:
            return False

        def make(model: Model) -> Command:
            commands = [set_fields(model, "action", i, status=ActionStatus.DONE) for i in ids]
            return commands[0] if len(commands) == 1 else Macro(commands, "Mark Actions Done")

        return self._push(make)

    def delete_actions(self, action_ids: list[int] | None = None) -> bool:
        ids = action_ids if action_ids is not None else self.selected_action_ids()
        if not ids:
            return False
        return self._push(lambda model: remove(model, "action", ids))
