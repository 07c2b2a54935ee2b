"""The File menu: new, open, save, close, recent files, drop-to-open, autosave and locking.

`FileController` owns everything between the open `Document` and the disk: it asks before unsaved
changes are lost, refuses files that are not models with one clear message (leaving the current
model untouched), holds a lock file while a model is open so a second instance opens it read-only,
and writes a recovery copy every minute while there are unsaved changes so a crash loses at most
a minute of work.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QDropEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from fma_app import storage
from fma_app.domain.model import Model
from fma_app.storage import locking, recovery
from fma_app.storage.shared.location import is_shared_location
from fma_app.ui.context import AppContext
from fma_app.ui.interaction import (
    MODEL_FILE_FILTER,
    Level,
    LockedChoice,
    RestoreChoice,
    SaveChoice,
)
from fma_app.ui.shared_open_dialog import clear_recent_shared, recent_shared

MODEL_SUFFIX = ".fma"
SAVED_ON_SERVER = "&Save (changes are on the server)"
MAX_RECENT = 10
RECENT_KEY = "files/recent"
AUTOSAVE_INTERVAL_MS = 60_000
# Writing the copy of a 20,000-failure-mode model takes about half a second on the UI thread,
# so a due copy waits for a pause this long in the editing (at most one more interval).
AUTOSAVE_IDLE_MS = 2_000

# What the user can do when a file cannot be opened or saved: the storage layer's errors carry
# one line naming the file and the problem; OSError covers the file system underneath.
FILE_ERRORS = (storage.ModelFileError, OSError)


def error_text(error: BaseException, path: Path) -> str:
    if isinstance(error, storage.ModelFileError):
        return str(error)
    reason = getattr(error, "strerror", None) or str(error)
    return f"{path}: {reason}"


def sentence(text: str) -> str:
    """Storage messages are written to follow "fma-app: error:"; a message box starts a sentence."""
    return text[:1].upper() + text[1:]


class FileController(QObject):
    recent_files_changed = Signal(list)  # list[str], newest first
    autosaved = Signal(str)  # path of the recovery copy just written

    def __init__(
        self,
        window: QMainWindow,
        context: AppContext,
        *,
        autosave_interval_ms: int = AUTOSAVE_INTERVAL_MS,
        autosave_idle_ms: int = AUTOSAVE_IDLE_MS,
    ):
        super().__init__(window)
        self.window = window
        document = self.document = context.document
        self.interaction = context.interaction
        self.settings = context.settings
        self.data_dir = context.data_dir
        self.lock: locking.Lock | None = None
        self.actions: dict[str, QAction] = {}
        self.recent_menu: QMenu | None = None
        self._autosave_due = False
        self._autosave_error: str | None = None
        self._recovery: Path | None = None  # the copy this session is responsible for
        # Opens a shared model's URL (set by the window's SharedModelController): `fma-app URL`
        # and a URL given to `open_path` go there.
        self.open_shared: Callable[[str], bool] | None = None
        document.undo_stack.indexChanged.connect(self._mark_autosave_due)
        document.undo_stack.cleanChanged.connect(self._mark_autosave_due)
        self._waiting_for_idle = False
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(autosave_interval_ms)
        self.autosave_timer.timeout.connect(self._autosave_tick)
        self.autosave_timer.start()
        self.idle_timer = QTimer(self)  # running = the user changed something very recently
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(autosave_idle_ms)
        self.idle_timer.timeout.connect(self._idle_reached)

    # ---- menu ------------------------------------------------------------------------------
    def install(self, file_menu: QMenu) -> None:
        """Fill the File menu and accept model files dropped on the window."""
        add = self._add_action
        add(file_menu, "new", "&New", "Ctrl+N", self.new_model)
        add(file_menu, "open", "&Open...", "Ctrl+O", self.open_dialog)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        file_menu.addSeparator()
        add(file_menu, "save", "&Save", "Ctrl+S", self.save)
        add(file_menu, "save_as", "Save &As...", "Ctrl+Shift+S", lambda: self.save_as())
        add(file_menu, "close", "&Close", "Ctrl+W", self.close_model)
        file_menu.addSeparator()
        add(file_menu, "quit", "&Quit", "Ctrl+Q", self.window.close)
        self.window.setAcceptDrops(True)
        self.window.installEventFilter(self)
        self.document.path_changed.connect(self._show_save_actions)
        self._show_save_actions()

    def _show_save_actions(self) -> None:
        """A shared model has no Save (each change is committed as it is made); Save As
        writes a file copy and leaves the window on the shared model."""
        shared = self.document.shared_display is not None
        save, save_as = self.actions["save"], self.actions["save_as"]
        save.setEnabled(not shared)
        save.setText(SAVED_ON_SERVER if shared else "&Save")
        save_as.setText("Save a &Copy As..." if shared else "Save &As...")

    def _add_action(
        self, menu: QMenu, key: str, text: str, shortcut: str, slot: Callable[[], object]
    ) -> None:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.actions[key] = action

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        if menu is None:
            return
        paths = self.recent_files()  # may prune and refill the menu: read before clearing
        menu.clear()
        for number, path in enumerate(paths, start=1):
            action = menu.addAction(f"&{number % 10} {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        shared = recent_shared(self.settings) if self.open_shared is not None else []
        if shared:
            menu.addSeparator()
        for shown in shared:  # shared models by their display: never with a password
            action = menu.addAction(shown.replace("&", "&&"))  # "&" is a menu mnemonic
            action.setToolTip(shown)
            action.triggered.connect(lambda _checked=False, url=shown: self.open_path(url))
        if not paths and not shared:
            menu.addAction("No Recent Files").setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("Clear Menu")
        clear.setEnabled(bool(paths or shared))
        clear.triggered.connect(self.clear_recent_files)

    # ---- recent files ----------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        """Recent models, newest first; files that no longer exist are dropped."""
        stored = self.settings.value(RECENT_KEY, [])
        if isinstance(stored, str):  # QSettings gives one path back as a str, several as a list
            stored = [stored]
        paths = [p for p in stored if isinstance(p, str)] if isinstance(stored, list) else []
        existing = [p for p in paths if Path(p).is_file()][:MAX_RECENT]
        if existing != paths:
            self._store_recent(existing)
        return existing

    def add_recent_file(self, path: Path) -> None:
        text = str(path)
        paths = [text] + [p for p in self.recent_files() if p != text]
        self._store_recent(paths[:MAX_RECENT])

    def clear_recent_files(self) -> None:
        clear_recent_shared(self.settings)
        self._store_recent([])

    def _store_recent(self, paths: list[str]) -> None:
        self.settings.setValue(RECENT_KEY, paths)
        self.settings.sync()
        self._fill_recent_menu()
        self.recent_files_changed.emit(list(paths))

    # ---- drop-to-open ----------------------------------------------------------------------
    @staticmethod
    def dropped_path(mime_data: QMimeData) -> Path | None:
        for url in mime_data.urls() if mime_data.hasUrls() else []:
            if url.isLocalFile():
                return Path(url.toLocalFile())
        return None

    def handle_drop(self, mime_data: QMimeData) -> bool:
        """Open the first local file in a drop; refused files get the usual message."""
        path = self.dropped_path(mime_data)
        return path is not None and self.open_path(path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A drag entering, moving over or dropped on the window (Qt's drag enter and drag move
        # events are drop events too).
        if watched is self.window and isinstance(event, QDropEvent):
            if self.dropped_path(event.mimeData()) is None:
                return False
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                # Let the drag source finish before a modal question (unsaved changes) appears.
                mime = QMimeData()
                mime.setUrls(event.mimeData().urls())
                QTimer.singleShot(0, lambda: self.handle_drop(mime))
            return True
        return super().eventFilter(watched, event)

    # ---- commands --------------------------------------------------------------------------
    def start(self, path: str | Path | None = None) -> bool:
        """At launch: open `path` (a file or a shared model's URL), or offer to restore an
        unsaved model left by a crash."""
        if path is not None:
            return self.open_path(path)
        return self.offer_unsaved_recovery()

    def new_model(self) -> bool:
        return self.close_model()

    def close_model(self) -> bool:
        """Replace the open model with an empty, untitled one (after asking about changes)."""
        if not self.maybe_save():
            return False
        self._forget_current()
        self._show(Model(), None, read_only=False)
        return True

    def show_imported(self, model: Model) -> bool:
        """Show a model an import built as a new, unsaved model (after asking about the open
        model's changes); False when the user kept the open model."""
        if not self.maybe_save():
            return False
        self._forget_current()
        self._show(model, None, read_only=False)
        self.document.undo_stack.resetClean()  # never saved: the title marks it modified
        self._autosave_due = True
        return True

    def open_dialog(self) -> bool:
        path = self.interaction.choose_open_path(
            "Open Model", str(self._browse_dir()), MODEL_FILE_FILTER
        )
        return path is not None and self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        """Open a model file (or a shared model's URL). Refused files leave the current model
        exactly as it was."""
        if isinstance(path, str) and is_shared_location(path) and self.open_shared is not None:
            return self.open_shared(path)
        path = Path(path).expanduser().absolute()
        if self.document.path is not None and path == self.document.path:
            self._status(f"{path.name} is already open")
            return True
        try:
            model = storage.open_model(path)
        except FILE_ERRORS as error:
            text = sentence(error_text(error, path))
            self.interaction.show_message("Cannot open model", text, Level.CRITICAL)
            self.recent_files()  # prunes the entry if the file has gone
            return False
        granted = self._lock_for_open(path)
        if granted is None:
            return False
        lock, read_only = granted
        if not self.maybe_save():
            if lock is not None:
                lock.release()
            return False
        # Only the lock holder may take over a recovery copy beside the model.
        model, restored = self._offer_recovery(path, model) if lock is not None else (model, None)
        self._forget_current()
        self.lock = lock
        self._show(model, path, read_only=read_only, restored=restored)
        self.add_recent_file(path)
        return True

    def maybe_save(self) -> bool:
        """Ask Save / Discard / Cancel when there are unsaved changes; True means go ahead."""
        if not self.document.modified:
            return True
        choice = self.interaction.ask_save_changes(self._display_name())
        if choice is SaveChoice.SAVE:
            return self.save()
        if choice is SaveChoice.DISCARD:
            # The user gave these changes up: the next start must not offer them back.
            self._remove_recovery()
            return True
        return False

    def save(self) -> bool:
        if self.document.shared_display is not None:
            self._status("Every change is saved on the server as it is made")
            return True
        path = self.document.path
        if path is None or self.document.read_only:
            return self.save_as()
        return self._write(path)

    def save_as(self, path: str | Path | None = None) -> bool:
        if path is None:
            path = self.interaction.choose_save_path(
                "Save Model As", str(self._suggested_path()), MODEL_FILE_FILTER, "fma"
            )
            if path is None:
                return False
        target = Path(path).expanduser().absolute()
        if not target.suffix:
            target = target.with_suffix(MODEL_SUFFIX)
        if self.document.shared_display is not None:
            return self._write_copy(target)
        if target == self.document.path and not self.document.read_only:
            return self._write(target)
        return self._write_elsewhere(target)

    def shutdown(self) -> None:
        """At exit: stop autosave, drop the recovery copy unless changes remain, unlock."""
        self.autosave_timer.stop()
        self.idle_timer.stop()
        if not self.document.modified:
            self._remove_recovery()
        self._release_lock()

    # ---- saving ----------------------------------------------------------------------------
    def _write(self, path: Path) -> bool:
        try:
            storage.save_model(self.document.model, path)
        except FILE_ERRORS as error:
            text = sentence(error_text(error, path))
            self.interaction.show_message("Cannot save model", text, Level.CRITICAL)
            return False
        self._remove_recovery()
        self.document.undo_stack.setClean()
        self.add_recent_file(path)
        self._status(f"Saved {path}")
        return True

    def _write_copy(self, target: Path) -> bool:
        """A file copy of a shared model: the window stays on the shared model."""
        lock = self._acquire_lock(target) if target.parent.is_dir() else None
        if isinstance(lock, locking.LockedBy):
            text = f"{target.name} is open in another FMA Workbench ({lock.describe()})."
            self.interaction.show_message("Cannot save a copy", text, Level.CRITICAL)
            return False
        try:
            storage.save_model(self.document.model, target)
        except FILE_ERRORS as error:
            text = sentence(error_text(error, target))
            self.interaction.show_message("Cannot save a copy", text, Level.CRITICAL)
            return False
        finally:
            if lock is not None:
                lock.release()
        self.add_recent_file(target)
        self._status(f"Saved a copy in {target}")
        return True

    def _write_elsewhere(self, target: Path) -> bool:
        """Save As to another file: lock it first, then move the document (and lock) over."""
        lock = self._acquire_lock(target) if target.exists() or target.parent.is_dir() else None
        if isinstance(lock, locking.LockedBy):
            text = f"{target.name} is open in another FMA Workbench ({lock.describe()})."
            self.interaction.show_message("Cannot save model", text, Level.CRITICAL)
            return False
        if not self._write(target):  # on success this also removes the old recovery copy
            if lock is not None:
                lock.release()
            return False
        self._release_lock()
        self.lock = lock
        self.document.set_path(target)
        self.document.set_read_only(False)
        self._show_read_only_state()
        return True

    # ---- autosave and recovery -------------------------------------------------------------
    def _mark_autosave_due(self, *_args: object) -> None:
        self._autosave_due = True
        self.idle_timer.start()

    def _autosave_tick(self) -> None:
        busy = self.document.modified and self._autosave_due and self.idle_timer.isActive()
        if busy and not self._waiting_for_idle:
            self._waiting_for_idle = True  # write at the next pause, or at the next tick
            return
        self.autosave()

    def _idle_reached(self) -> None:
        if self._waiting_for_idle:
            self.autosave()

    def autosave(self) -> bool:
        """Write a recovery copy if there are changes since the last one (or drop a stale one)."""
        self._waiting_for_idle = False
        if not self.document.modified:
            self._remove_recovery()
            return False
        if not self._autosave_due:
            return False
        target = self._recovery_file()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            recovery.write_recovery(self.document.model, target)
        except FILE_ERRORS as error:
            # Once per problem in the status bar: a dialog every minute would block the work.
            message = f"Autosave failed: {error_text(error, target)}"
            if message != self._autosave_error:
                self._status(message, timeout_ms=0)
            self._autosave_error = message
            return False
        if self._recovery not in (None, target):
            self._remove_file(self._recovery)
        self._recovery = target
        self._autosave_due = False
        if self._autosave_error is not None:
            if self.window.statusBar().currentMessage() == self._autosave_error:
                self.window.statusBar().clearMessage()
            self._autosave_error = None
        self.autosaved.emit(str(target))
        return True

    def _recovery_file(self) -> Path:
        """Beside the model; in the data folder for an untitled model or one we may not write."""
        path = self.document.path
        if path is None or self.document.read_only:
            return recovery.recovery_path(None, self.data_dir)
        return recovery.recovery_path(path, self.data_dir)

    def _remove_recovery(self) -> None:
        """Remove the copy this session wrote or restored; never another session's."""
        if self._recovery is not None:
            self._remove_file(self._recovery)
            self._recovery = None
        self._autosave_due = self.document.modified

    @staticmethod
    def _remove_file(path: Path) -> None:
        # A leftover recovery file is only offered again, never applied silently.
        with suppress(OSError):
            path.unlink(missing_ok=True)

    def _offer_recovery(self, path: Path, model: Model) -> tuple[Model, Path | None]:
        """The model to show and, if the user restored a recovery copy, that copy's path."""
        found = recovery.find_recovery(path, self.data_dir)
        if found is None:
            return model, None
        text = (
            f"{path.name} has unsaved changes from a session that did not end normally.\n"
            "Restore them?"
        )
        restored = self._restore_or_discard(found, text)
        return (restored, found) if restored is not None else (model, None)

    def offer_unsaved_recovery(self) -> bool:
        """At start with no model: offer the untitled model a crashed session left behind."""
        found = recovery.find_recovery(None, self.data_dir)
        if found is None:
            return False
        text = "An unsaved model from a session that did not end normally was found.\nRestore it?"
        model = self._restore_or_discard(found, text)
        if model is None:
            return False
        self._forget_current()
        self._show(model, None, read_only=False, restored=found)
        return True

    def _restore_or_discard(self, found: Path, text: str) -> Model | None:
        """Ask; the recovered model, or None when discarded (the copy is then removed)."""
        if self.interaction.ask_restore(text) is RestoreChoice.DISCARD:
            self._remove_file(found)
            return None
        try:
            return storage.open_model(found)
        except FILE_ERRORS as error:
            message = f"The unsaved changes cannot be restored: {error_text(error, found)}"
            self.interaction.show_message("Cannot restore changes", message, Level.CRITICAL)
            return None

    # ---- locking ---------------------------------------------------------------------------
    def _lock_for_open(self, path: Path) -> tuple[locking.Lock | None, bool] | None:
        """(lock, read_only) for a model about to open; None if the user cancelled."""
        if not storage.is_writable(path):
            return None, True
        lock = self._acquire_lock(path)
        if isinstance(lock, locking.LockedBy):
            text = (
                f"{path.name} is open in another FMA Workbench ({lock.describe()}).\n"
                "Open it read-only?"
            )
            if self.interaction.ask_locked(text) is LockedChoice.CANCEL:
                return None
            return None, True
        return lock, lock is None

    @staticmethod
    def _acquire_lock(path: Path) -> locking.Lock | locking.LockedBy | None:
        try:
            return locking.acquire_lock(path)
        except OSError:
            return None  # cannot create the lock file: the folder is read-only for us

    def _release_lock(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    # ---- document state --------------------------------------------------------------------
    def forget_current(self) -> None:
        """Another model (a shared one) is about to take the window."""
        self._forget_current()

    def _forget_current(self) -> None:
        """The current model is being replaced: its recovery copy and lock go with it."""
        if not self.document.modified:
            self._remove_recovery()
        self._release_lock()

    def _show(
        self, model: Model, path: Path | None, *, read_only: bool, restored: Path | None = None
    ) -> None:
        self.document.replace(model, path, read_only=read_only)
        self._autosave_due = False
        if restored is not None:
            # The restored changes are not saved yet; their copy stays until they are.
            self.document.undo_stack.resetClean()
            self._recovery = restored
            self._status("Restored unsaved changes")
        self._show_read_only_state()

    def _show_read_only_state(self) -> None:
        """The status line says why edits are refused (the window's title says read-only)."""
        if self.document.read_only:
            name = self._display_name()
            self._status(f"{name} is open read-only: use Save As to edit a copy", timeout_ms=0)

    def _status(self, text: str, timeout_ms: int = 5000) -> None:
        self.window.statusBar().showMessage(text, timeout_ms)

    def _display_name(self) -> str:
        return self.document.path.name if self.document.path else "Untitled"

    def _browse_dir(self) -> Path:
        if self.document.path is not None:
            return self.document.path.parent
        recent = self.recent_files()
        return Path(recent[0]).parent if recent else Path.home()

    def _suggested_path(self) -> Path:
        if self.document.path is not None:
            return self.document.path
        return self._browse_dir() / f"{self.document.model.name or 'model'}{MODEL_SUFFIX}"
