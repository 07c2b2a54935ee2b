"""Edit > Undo and Redo: actions that go through the document's edit gate.

`QUndoStack.createUndoAction` would call `QUndoStack.undo()` directly, which cannot refuse; these
ask `Document.undo()`/`redo()`, which may (a commit step that says no), and are named after the
step the way Qt's own actions are ("&Undo Change Severity").
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from fma_app.ui.document import Document


class UndoStepAction(QAction):
    def __init__(
        self,
        prefix: str,
        document: Document,
        direction: Literal["undo", "redo"],
        shortcuts: list[QKeySequence | QKeySequence.StandardKey | str],
        parent: QObject,
    ):
        super().__init__(prefix, parent)
        self.prefix = prefix
        self.setShortcuts([QKeySequence(s) for s in shortcuts])
        stack = document.undo_stack
        # Connected to this object's own slots (not lambdas), so the connections end with it;
        # the signals carry their values because the stack may be mid-destruction when it emits.
        if direction == "undo":
            self.triggered.connect(document.undo)
            stack.canUndoChanged.connect(self.setEnabled)
            stack.undoTextChanged.connect(self.show_step)
            self.setEnabled(stack.canUndo())
            self.show_step(stack.undoText())
        else:
            self.triggered.connect(document.redo)
            stack.canRedoChanged.connect(self.setEnabled)
            stack.redoTextChanged.connect(self.show_step)
            self.setEnabled(stack.canRedo())
            self.show_step(stack.redoText())

    def show_step(self, step: str) -> None:
        self.setText(f"{self.prefix} {step}" if step else self.prefix)
