"""File > Model Properties: the header of the AIAG-VDA form (name, scope, FMEA number, team, ...).

The dialog is given the document; OK sends every changed property through the document's edit
gate as one undo step ("Edit Model Properties"). A refused change (an empty name, a read-only
model) is said in the dialog and, through the gate's `refused` signal, by the window; the dialog
stays open with what the user typed, so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.commands import Command, edit_model_properties
from fma_app.domain.model import PROPERTY_LABELS, Model, ModelProperties
from fma_app.ui.document import Document

TITLE = "Model Properties"
REFUSED_AS = "Model properties not changed: "
MULTI_LINE = ("description", "scope", "team")
DATE_FORMAT = "yyyy-MM-dd"
TEXT_BOX_HEIGHT = 64  # about three lines: enough to see a scope without scrolling


def _to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


class KeyDateEditor(QWidget):
    """A date with a calendar that may also be empty: the box says whether there is a date."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.has_date = QCheckBox("Set", self)
        self.has_date.setObjectName("keyDateSet")
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("keyDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat(DATE_FORMAT)
        self.date_edit.setMinimumWidth(self.date_edit.fontMetrics().horizontalAdvance("0") * 14)
        self.has_date.toggled.connect(self.date_edit.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.has_date)
        layout.addWidget(self.date_edit, 1)

    def set_value(self, value: dt.date | None) -> None:
        self.date_edit.setDate(_to_qdate(value or dt.date.today()))
        self.has_date.setChecked(value is not None)
        self.date_edit.setEnabled(value is not None)

    def value(self) -> dt.date | None:
        if not self.has_date.isChecked():
            return None
        date = self.date_edit.date()
        return dt.date(date.year(), date.month(), date.day())


class ModelPropertiesDialog(QDialog):
    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.setWindowTitle(TITLE)
        self.setObjectName("modelPropertiesDialog")
        self.editors: dict[str, QLineEdit | QPlainTextEdit] = {}
        form = QFormLayout()
        for name, label in PROPERTY_LABELS.items():
            if name == "key_date":
                self.key_date = KeyDateEditor(self)
                form.addRow(f"{label}:", self.key_date)
                continue
            editor = self._text_editor(name)
            self.editors[name] = editor
            form.addRow(f"{label}:", editor)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("modelPropertiesError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.load(document.model.properties)
        self.resize(520, self.sizeHint().height())

    def _text_editor(self, name: str) -> QLineEdit | QPlainTextEdit:
        editor: QLineEdit | QPlainTextEdit
        if name in MULTI_LINE:
            editor = QPlainTextEdit(self)
            editor.setTabChangesFocus(True)
            editor.setFixedHeight(TEXT_BOX_HEIGHT)
        else:
            editor = QLineEdit(self)
        editor.setObjectName(f"property_{name}")
        return editor

    # ---- values ----------------------------------------------------------------------------
    def load(self, properties: ModelProperties) -> None:
        self.loaded = properties
        for name, editor in self.editors.items():
            text = getattr(properties, name)
            if isinstance(editor, QLineEdit):
                editor.setText(text)
            else:
                editor.setPlainText(text)
        self.key_date.set_value(properties.key_date)

    def values(self) -> dict[str, object]:
        """What the dialog holds now, as typed (the domain checks and trims it)."""
        values: dict[str, object] = {
            name: editor.text() if isinstance(editor, QLineEdit) else editor.toPlainText()
            for name, editor in self.editors.items()
        }
        values["key_date"] = self.key_date.value()
        return values

    # ---- OK --------------------------------------------------------------------------------
    def _command(self, model: Model) -> Command | None:
        # Only what the user edited here: a property someone else changed on a shared model
        # while the dialog was open keeps their value.
        edited = {
            name: value
            for name, value in self.values().items()
            if value != getattr(self.loaded, name)
        }
        command = edit_model_properties(model, **edited)
        return command if command.new else None  # nothing changed

    def apply(self) -> str | None:
        """Send the changes through the gate as one undo step; the refusal text or None."""
        refusal = self.document.edit(self._command, refused_as=REFUSED_AS, title=TITLE)
        self.error_label.setText(refusal or "")
        self.error_label.setVisible(refusal is not None)
        return refusal

    def accept(self) -> None:
        if self.apply() is None:
            super().accept()


def edit_model_properties_interactive(document: Document, parent: QWidget | None) -> QDialog:
    """Open the dialog (window-modal) and return it; OK applies, Cancel changes nothing."""
    dialog = ModelPropertiesDialog(document, parent)
    dialog.open()
    return dialog
