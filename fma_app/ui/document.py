"""The open document: a domain `Model`, its file path and its undo stack, with Qt signals.

Every view changes the model through one gate, `Document.edit(make_command)` (or `apply`, its
twin for callers that need the command back), and undoes and redoes through `Document.undo()` and
`redo()`. The gate refuses while the model is open read-only, turns the domain's refusals
(`ValidationError`, `ModelError`) into one `refused` signal, asks the commit step whether the
change may stand, and pushes the undo step. Views refresh from `changed` (a list of domain
`Change`s) or, when the whole model is replaced, from `reset`; they never see a refused change.

The commit step is where a change is made durable beyond memory. For a model file that happens at
save, so the default step accepts everything; a team store (PostgreSQL) will commit each step and
may refuse it after the domain accepted it (someone else changed the row). A refused step is
rolled back in memory, so the model, the undo stack and every view stay as they were.

A shared model (team mode) is shown with `replace(..., shared_display=..., commit_step=...)`:
`shared_display` is the server location without its password (the title shows it), and other
people's changes reach the views through `announce`. Read-only takes a reason, so an offline
window refuses edits with "offline" instead of "read-only".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from fma_app.domain.commands import AddEntities, Change, Command
from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.library import SuggestedScores
from fma_app.domain.model import Model

READ_ONLY_REFUSAL = "The model is open read-only"
DEFAULT_REFUSAL_PREFIX = "Not changed: "
DOMAIN_REFUSALS = (ValidationError, ModelError)

StepKind = Literal["do", "undo", "redo"]


@dataclass(frozen=True)
class Step:
    """One change about to stand: a new command done, or an undo step undone or redone."""

    kind: StepKind
    command: Command
    changes: list[Change]


CommitStep = Callable[[Step], "str | None"]  # the refusal text, or None when the step stands
# Puts a refused step's records back as the store holds them; the Changes for the views.
RestoreStep = Callable[[Step], list[Change]]


def accept_every_step(_step: Step) -> str | None:
    """The model file's commit step: changes reach the disk at save, so every step stands."""
    return None


class QtCommand(QUndoCommand):
    """Wraps one pure-Python domain command for `QUndoStack`.

    The gate applies the domain command itself (an exception raised inside a Qt virtual would be
    swallowed and leave a broken entry on the stack) and marks the entry `applied`, so the
    stack's next `redo()`/`undo()` only moves the index. Called directly on the stack (not through
    the gate), `undo()`/`redo()` apply the command and announce it.
    """

    def __init__(self, document: Document, command: Command):
        super().__init__(command.text)
        self.document, self.command = document, command
        self.applied = True  # QUndoStack.push calls redo() once: the gate has already done it

    def redo(self) -> None:
        if self.applied:
            self.applied = False
            return
        self.document.changed.emit(self.command.do(self.document.model))

    def undo(self) -> None:
        if self.applied:
            self.applied = False
            return
        self.document.changed.emit(self.command.undo(self.document.model))


class Selection(QObject):
    """Selection shared by every view (components list, worksheet, graph canvas)."""

    components_selected = Signal(list)  # list[int] of component ids, sender included
    failure_mode_selected = Signal(int)  # failure mode id, 0 for none

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.component_ids: list[int] = []
        self.failure_mode_id = 0

    def select_components(self, ids: list[int]) -> None:
        if ids != self.component_ids:
            self.component_ids = list(ids)
            self.components_selected.emit(list(ids))

    def select_failure_mode(self, failure_mode_id: int) -> None:
        if failure_mode_id != self.failure_mode_id:
            self.failure_mode_id = failure_mode_id
            self.failure_mode_selected.emit(failure_mode_id)


class Document(QObject):
    changed = Signal(list)  # list[Change] after every do/undo/redo
    model_replaced = Signal()  # the model was replaced (new, open, restore)
    path_changed = Signal()
    read_only_changed = Signal(bool)
    refused = Signal(str, str)  # text, title; a title asks for a message box, not only a line
    hints_changed = Signal(list)  # list[int] of failure mode ids whose score hints changed

    def __init__(
        self,
        model: Model | None = None,
        path: Path | None = None,
        *,
        read_only: bool = False,
        commit_step: CommitStep = accept_every_step,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.model = model if model is not None else Model()
        self._path = path
        self._read_only = read_only
        self._read_only_reason = READ_ONLY_REFUSAL
        self._shared_display: str | None = None
        self.commit_step = commit_step
        self.restore_step: RestoreStep | None = None
        self.undo_stack = QUndoStack(self)
        self.selection = Selection(self)
        # Scores a library suggested for failure modes added from it, shown grey in their empty
        # score cells: the session's only, never saved, so a failure mode stays not rated.
        self.score_hints: dict[int, SuggestedScores] = {}

    # ---- state -----------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self._path

    def set_path(self, path: Path | None) -> None:
        if path != self._path:
            self._path = path
            self.path_changed.emit()

    @property
    def read_only(self) -> bool:
        return self._read_only

    def set_read_only(self, read_only: bool, reason: str = READ_ONLY_REFUSAL) -> None:
        """`reason` is what a refused edit says while read-only (an offline shared model says
        why, rather than "read-only")."""
        self._read_only_reason = reason if read_only else READ_ONLY_REFUSAL
        if read_only != self._read_only:
            self._read_only = read_only
            self.read_only_changed.emit(read_only)

    @property
    def read_only_reason(self) -> str:
        return self._read_only_reason

    @property
    def shared_display(self) -> str | None:
        """The shared model's location without any password (None: a file or untitled)."""
        return self._shared_display

    @property
    def modified(self) -> bool:
        """Unsaved changes; a shared model has none, each step is committed as it stands."""
        return self._shared_display is None and not self.undo_stack.isClean()

    # ---- the edit gate ---------------------------------------------------------------------
    def edit(
        self,
        make_command: Callable[[Model], Command | None],
        *,
        refused_as: str = DEFAULT_REFUSAL_PREFIX,
        title: str = "",
    ) -> str | None:
        """Apply the command `make_command(model)` builds as one undo step.

        Returns the refusal text (also emitted as `refused`), or None when the change stands or
        there was nothing to do (`make_command` returned None). `make_command` runs only when an
        edit is allowed, so it may ask the user first. Refusals read `refused_as` + the domain's
        message; a `title` asks the window for a message box as well as the status line.
        """
        return self._run(make_command, refused_as, title)[1]

    def apply(
        self,
        make_command: Callable[[Model], Command | None],
        *,
        refused_as: str = DEFAULT_REFUSAL_PREFIX,
        title: str = "",
    ) -> Command | None:
        """As `edit`, for callers that need the command that stood (None: refused or nothing
        to do)."""
        return self._run(make_command, refused_as, title)[0]

    def add(
        self,
        make_command: Callable[[Model], AddEntities | None],
        *,
        refused_as: str = DEFAULT_REFUSAL_PREFIX,
    ) -> int | None:
        """As `edit`, for an add: the id of the first new entity, or None."""
        command = self.apply(make_command, refused_as=refused_as)
        return command.entities[0].id if isinstance(command, AddEntities) else None

    def push(self, command: Command) -> str | None:
        """Apply a command that is already built (through the gate, like every edit)."""
        return self.edit(lambda _model: command)

    def undo(self) -> str | None:
        """Undo the last step unless the commit step refuses; the refusal text or None."""
        stack = self.undo_stack
        if not stack.canUndo():
            return None
        entry = stack.command(stack.index() - 1)
        assert isinstance(entry, QtCommand)
        return self._move("undo", entry, entry.command.undo, entry.command.do, stack.undo)

    def redo(self) -> str | None:
        """Redo the next step unless the commit step refuses; the refusal text or None."""
        stack = self.undo_stack
        if not stack.canRedo():
            return None
        entry = stack.command(stack.index())
        assert isinstance(entry, QtCommand)
        return self._move("redo", entry, entry.command.do, entry.command.undo, stack.redo)

    def _run(
        self, make_command: Callable[[Model], Command | None], refused_as: str, title: str
    ) -> tuple[Command | None, str | None]:
        if self._read_only:
            return None, self._refuse(self._read_only_reason, title)
        try:
            command = make_command(self.model)
            if command is None:
                return None, None
            changes = command.do(self.model)
        except DOMAIN_REFUSALS as error:
            return None, self._refuse(f"{refused_as}{error}", title)
        step = Step("do", command, changes)
        refusal = self.commit_step(step)
        if refusal is not None:
            self._roll_back(step, command.undo)
            return None, self._refuse(refusal, title)
        self.undo_stack.push(QtCommand(self, command))
        if changes:
            self.changed.emit(changes)
        return command, None

    def _move(
        self,
        kind: StepKind,
        entry: QtCommand,
        apply: Callable[[Model], list[Change]],
        roll_back: Callable[[Model], list[Change]],
        move_index: Callable[[], None],
    ) -> str | None:
        if self._read_only:
            return self._refuse(self._read_only_reason)
        try:
            changes = apply(self.model)
        except DOMAIN_REFUSALS as error:
            return self._refuse(f"Cannot {kind} {entry.text()}: {error}")
        step = Step(kind, entry.command, changes)
        refusal = self.commit_step(step)
        if refusal is not None:
            self._roll_back(step, roll_back)
            return self._refuse(refusal)
        entry.applied = True
        move_index()
        if changes:
            self.changed.emit(changes)
        return None

    def _roll_back(self, step: Step, opposite: Callable[[Model], list[Change]]) -> None:
        """Undo a refused step in memory. A store with a restore step puts the touched records
        back as it holds them (the command's opposite would not, when someone else changed
        them: see `SharedSession.restore`); the file's steps are never refused. Views did not
        see the step, so only what differs from before it is announced."""
        if self.restore_step is None:
            opposite(self.model)
            return
        self.announce(self.restore_step(step))

    def _refuse(self, text: str, title: str = "") -> str:
        self.refused.emit(text, title)
        return text

    def announce(self, changes: list[Change]) -> None:
        """Tell the views about changes made to the model outside the gate (other people's,
        fetched from a shared model's server); the undo stack is left as it is."""
        if changes:
            self.changed.emit(changes)

    # ---- whole models ----------------------------------------------------------------------
    def replace(
        self,
        model: Model,
        path: Path | None,
        *,
        read_only: bool = False,
        shared_display: str | None = None,
        commit_step: CommitStep = accept_every_step,
        restore_step: RestoreStep | None = None,
    ) -> None:
        """Swap in another model (open/new): clears undo history and selection. A shared
        model gives its password-free location, the commit step that sends each step to
        the server and the restore step that puts a refused step's records back as the server
        holds them; anything else gets the file's commit step back."""
        self.model, self._path = model, path
        self._shared_display = shared_display
        self.commit_step = commit_step
        self.restore_step = restore_step
        self.score_hints.clear()
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.selection.select_components([])
        self.selection.select_failure_mode(0)
        self.set_read_only(read_only)
        self.model_replaced.emit()
        self.path_changed.emit()


__all__ = [
    "READ_ONLY_REFUSAL",
    "Change",
    "CommitStep",
    "Document",
    "QtCommand",
    "RestoreStep",
    "Selection",
    "Step",
    "accept_every_step",
]
