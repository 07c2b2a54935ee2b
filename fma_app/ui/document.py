"""The open document: a domain `Model`, its file path and its undo stack, with Qt signals.

Every view changes the model only through `Document.push(command)`; every view refreshes from the
`changed` signal (a list of domain `Change`s) or, when the whole model is replaced, from `reset`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from fma_app.domain.commands import Change, Command
from fma_app.domain.model import Model


class QtCommand(QUndoCommand):
    """Wraps one pure-Python domain command for `QUndoStack`.

    `Document.push` has already applied the command when it reaches the stack, so the first
    `redo()` (which `QUndoStack.push` calls) does nothing; later ones (after an undo) re-apply.
    """

    def __init__(self, document: Document, command: Command):
        super().__init__(command.text)
        self.document, self.command = document, command
        self._skip_first_redo = True

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self.document.changed.emit(self.command.do(self.document.model))

    def undo(self) -> None:
        self.document.changed.emit(self.command.undo(self.document.model))


class Selection(QObject):
    """Selection shared by every view (components list, worksheet, graph canvas)."""

    componentsSelected = Signal(list)  # list[int] of component ids, sender included
    failureModeSelected = Signal(int)  # failure mode id, 0 for none

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.component_ids: list[int] = []
        self.failure_mode_id = 0

    def select_components(self, ids: list[int]) -> None:
        if ids != self.component_ids:
            self.component_ids = list(ids)
            self.componentsSelected.emit(list(ids))

    def select_failure_mode(self, failure_mode_id: int) -> None:
        if failure_mode_id != self.failure_mode_id:
            self.failure_mode_id = failure_mode_id
            self.failureModeSelected.emit(failure_mode_id)


class Document(QObject):
    changed = Signal(list)  # list[Change] after every do/undo/redo
    reset = Signal()  # the model was replaced (new, open, restore)
    pathChanged = Signal()

    def __init__(self, model: Model | None = None, path: Path | None = None, parent=None):
        super().__init__(parent)
        self.model = model if model is not None else Model()
        self.path = path
        self.read_only = False
        self.undo_stack = QUndoStack(self)
        self.selection = Selection(self)

    def push(self, command: Command) -> None:
        """Apply a domain command as one undo step.

        The command runs here, in Python, before it reaches the stack: an exception raised inside
        a Qt virtual (`redo`) would be swallowed and leave a broken entry on the stack. Domain
        errors (ValidationError, ModelError) therefore propagate with the model unchanged.
        """
        changes = command.do(self.model)
        self.undo_stack.push(QtCommand(self, command))
        if changes:
            self.changed.emit(changes)

    def replace(self, model: Model, path: Path | None) -> None:
        """Swap in another model (open/new): clears undo history and selection."""
        self.model, self.path = model, path
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.selection.select_components([])
        self.selection.select_failure_mode(0)
        self.reset.emit()
        self.pathChanged.emit()

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()


__all__ = ["Change", "Document", "QtCommand", "Selection"]
