"""A shared model in the window (team mode on PostgreSQL): opening it, committing each step,
other people's changes arriving live, who else has it open, going offline and coming back.

`SharedModelController` owns the open `SharedSession` of its window:
- File > Open Shared Model... and `fma-app URL` come here (`open_url`); a server that wants a
  password gets one through the interaction's password prompt, kept in memory only.
- The document's commit step is `session.commit`: a step the server refuses (someone changed
  the same field first) is rolled back by the document, the refusal shows in the banner, and
  the current value is fetched so the view shows it.
- The session's notification socket drives a `QSocketNotifier`: when others commit, the
  changes are fetched and announced to the views (a slow poll backs it up).
- When the server goes away the window says so, refuses edits through the document's gate
  (read-only with an "offline" reason), keeps what is on screen, offers to save a copy, and
  reconnects on its own.

No password is ever shown or stored: titles, recent entries and messages use
`SharedLocation.display`, and an error text is masked with the password before it is shown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu

from fma_app.domain.commands import Change
from fma_app.storage.shared.errors import (
    PasswordRejected,
    PasswordRequired,
    ServerUnavailable,
    SharedStoreError,
    without_secret,
)
from fma_app.storage.shared.location import SharedLocation, parse_location
from fma_app.ui.context import AppContext
from fma_app.ui.document import Step
from fma_app.ui.interaction import Level
from fma_app.ui.shared_banner import SharedBanner
from fma_app.ui.shared_history import HistoryEntryLike, HistoryWindow
from fma_app.ui.shared_open_dialog import (
    NO_MODEL_KEY,
    OpenSharedDialog,
    add_recent_shared,
    check_url,
    recent_shared,
)
from fma_app.ui.shared_session import SharedSessionLike

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fma_app.storage.shared.store import SharedModelInfo
    from fma_app.ui.files import FileController

log = logging.getLogger(__name__)
T = TypeVar("T")

OPEN_TITLE = "Cannot open shared model"
CHOOSE_TITLE = "Open Shared Model"
PASSWORD_TITLE = "Password"
RECONNECT_INTERVAL_MS = 2_000
POLL_INTERVAL_MS = 5_000  # others, and changes in case a notification was missed
STATUS_MS = 8_000


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def offline_text(location: SharedLocation) -> str:
    return (
        f"Offline: {location.server} cannot be reached. No edits until it is back "
        "(reconnecting on its own); what you see is kept."
    )


def offline_refusal(location: SharedLocation) -> str:
    return f"Not changed: offline, {location.server} cannot be reached (reconnecting)"


def model_label(model: SharedModelInfo) -> str:
    """A model to choose: its key (what the URL takes), name and last change."""
    when = model.changed_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{model.key} \u2014 {model.name} (changed {when} by {model.changed_by})"


def also_open_text(others: list[str]) -> str:
    return f"Also open: {', '.join(others)}" if others else ""


class SharedModelController(QObject):
    """The window's shared model: its session, its menu entries, banner and status."""

    reconnect_finished = Signal(object, bool)  # the session, whether it is connected again

    def __init__(
        self,
        window: QMainWindow,
        context: AppContext,
        files: FileController,
        banner: SharedBanner,
        *,
        reconnect_interval_ms: int = RECONNECT_INTERVAL_MS,
        poll_interval_ms: int = POLL_INTERVAL_MS,
    ):
        super().__init__(window)
        self.window = window
        self.document = context.document
        self.interaction = context.interaction
        self.settings = context.settings
        self.files = files
        self.banner = banner
        self.open_session = context.open_shared_session
        self.list_models = context.list_shared_models
        self.session: SharedSessionLike | None = None
        self.offline = False
        self.notifier: QSocketNotifier | None = None
        self.history_window: HistoryWindow | None = None
        self.dialog: OpenSharedDialog | None = None
        self.others_label = QLabel(window)
        self.others_label.setObjectName("alsoOpen")
        self.others_label.hide()
        window.statusBar().addPermanentWidget(self.others_label)
        self._status_shown = ""  # the status bar's message while its tooltip is ours
        window.statusBar().messageChanged.connect(self._status_changed)
        self._reconnecting: threading.Thread | None = None
        self.reconnect_finished.connect(self._reconnect_finished)
        self.reconnect_timer = QTimer(self)
        self.reconnect_timer.setInterval(reconnect_interval_ms)
        self.reconnect_timer.timeout.connect(self.try_reconnect)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(poll_interval_ms)
        self.poll_timer.timeout.connect(self.poll)
        self.open_action = QAction("Open S&hared Model...", window)
        self.open_action.setShortcut("Ctrl+Shift+O")
        self.open_action.triggered.connect(lambda _checked=False: self.open_dialog())
        self.history_action = QAction("&History...", window)
        self.history_action.triggered.connect(lambda _checked=False: self.show_history())
        self.history_action.setEnabled(False)
        banner.save_copy_requested.connect(lambda: self.files.save_as())
        banner.reconnect_requested.connect(self.try_reconnect)
        self.document.model_replaced.connect(self._model_replaced)
        self.document.changed.connect(self._changed)
        self.document.undo_stack.indexChanged.connect(self._step_committed)
        files.open_shared = self.open_url

    def install(self, file_menu: QMenu, *, after: QAction, history_before: QAction) -> None:
        """Open Shared Model... after Open...; History... before `history_before`."""
        actions = file_menu.actions()
        if after in actions[:-1]:
            file_menu.insertAction(actions[actions.index(after) + 1], self.open_action)
        else:
            file_menu.addAction(self.open_action)
        file_menu.insertAction(history_before, self.history_action)

    # ---- opening ---------------------------------------------------------------------------
    def open_dialog(self) -> OpenSharedDialog:
        """File > Open Shared Model...: the dialog opens the model when accepted."""
        dialog = OpenSharedDialog(recent_shared(self.settings), self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.open_url(dialog.url()))
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_url(self, text: str) -> bool:
        """Open the shared model a URL names, in place of the open model; a URL without a
        model offers the database's models to choose from. Refused URLs, unreachable servers
        and a cancelled choice leave the open model exactly as it was."""
        location, problem = check_url(text, model_required=False)
        if location is None:
            self.interaction.show_message(OPEN_TITLE, problem or NO_MODEL_KEY, Level.CRITICAL)
            return False
        if self.session is not None and location.display == self.session.location.display:
            self._status(f"{location.display} is already open")
            return True
        if not self.files.maybe_save():
            return False
        password: str | None = None
        if location.model_key is None:
            chosen = self._choose_model(location)
            if chosen is None:
                return False
            location, password = chosen
        opened = self._with_password(location, self.open_session, password)
        if opened is None:
            return False
        self._show(opened[0])
        return True

    def _choose_model(self, location: SharedLocation) -> tuple[SharedLocation, str | None] | None:
        """The model the user picks among the database's (and the password that listed them)."""
        listed = self._with_password(location, self.list_models)
        if listed is None:
            return None
        models, password = listed
        if not models:
            text = (
                f"{location.display} holds no shared model yet "
                "(fma-app push FILE URL puts one there)."
            )
            self.interaction.show_message(OPEN_TITLE, text, Level.INFORMATION)
            return None
        labels = [model_label(model) for model in models]
        index = self.interaction.ask_choice(CHOOSE_TITLE, f"Models on {location.server}:", labels)
        if index is None:
            return None
        return location.with_model(models[index].key), password

    def _with_password(
        self,
        location: SharedLocation,
        action: Callable[[SharedLocation, str | None], T],
        password: str | None = None,
    ) -> tuple[T, str | None] | None:
        """`action(location, password)`, asking for a password while the server wants one;
        None when the user cancelled or it failed (the user was told why)."""
        while True:
            try:
                with busy_cursor():
                    return action(location, password), password
            except PasswordRequired as error:
                password = self._ask_password(
                    location, rejected=isinstance(error, PasswordRejected)
                )
                if password is None:
                    return None
            except SharedStoreError as error:
                secret = password or location.password
                self.interaction.show_message(
                    OPEN_TITLE, sentence(without_secret(str(error), secret)), Level.CRITICAL
                )
                return None

    def _ask_password(self, location: SharedLocation, *, rejected: bool) -> str | None:
        who = location.user or "your user"
        label = f"Password of {who} on {location.server}:"
        if rejected:
            label = f"The password was not accepted.\n{label}"
        return self.interaction.ask_password(PASSWORD_TITLE, label)

    def _show(self, session: SharedSessionLike) -> None:
        previous = self.session
        self.files.forget_current()
        self.session = session
        self.offline = False
        self.document.replace(
            session.model,
            None,
            shared_display=session.location.display,
            commit_step=self.commit,
            restore_step=self.restore,
        )
        if previous is not None:
            self._close_session(previous)
        add_recent_shared(self.settings, session.location)
        self.banner.show_online()
        self.banner.clear_refusal()
        self.history_action.setEnabled(True)
        self._watch()
        self.poll_timer.start()
        self.poll()
        log.info("opened shared model %s", session.location.display)
        self._status(f"Opened {session.location.display}: every change is saved on the server")

    # ---- the commit step -------------------------------------------------------------------
    def commit(self, step: Step) -> str | None:
        """The document's commit step: the session commits it, or says why not."""
        session = self.session
        if session is None:
            return "Not changed: no shared model is open"
        try:
            refusal = session.commit(step.kind, step.command, step.changes)
        except ServerUnavailable:
            self.go_offline()
            return offline_refusal(session.location)
        except SharedStoreError as error:
            refusal = sentence(str(error))
        if refusal is not None and not session.is_connected:
            self.go_offline()  # the connection went during the commit: nothing was written
            return refusal
        if refusal is not None:
            self.banner.show_refusal(refusal)
            # The document rolls the step back after this returns; then the view shows the
            # value that stands on the server.
            QTimer.singleShot(0, self.refresh)
        else:
            self.banner.clear_refusal()
        return refusal

    def restore(self, step: Step) -> list[Change]:
        """The document's restore step: a refused step's records as the server holds them."""
        session = self.session
        return [] if session is None else session.restore(step.changes)

    def _step_committed(self, _index: int) -> None:
        # Every step that stood is on the server: nothing is left to save.
        if self.session is not None:
            self.document.undo_stack.setClean()

    # ---- live changes ----------------------------------------------------------------------
    def _watch(self) -> None:
        self._unwatch()
        session = self.session
        if session is None:
            return
        try:
            socket = session.notification_socket()
        except ServerUnavailable:
            self.go_offline()
            return
        self.notifier = QSocketNotifier(socket, QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(lambda *_args: self._notified())

    def _unwatch(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None

    def refresh(self) -> list[Change]:
        """Fetch what others committed and show it; the changes announced."""
        session = self.session
        if session is None or self.offline:
            return []
        notifier = self.notifier
        if notifier is not None:
            notifier.setEnabled(False)  # reading the socket must not wake us again meanwhile
        try:
            changes = session.fetch_remote_changes()
        except ServerUnavailable:
            self.go_offline()
            return []
        except SharedStoreError as error:  # refused by the server (a grant, a removed model)
            self._server_refused(error)
            return []
        finally:
            if notifier is not None and notifier is self.notifier:
                notifier.setEnabled(True)
        self.document.announce(changes)
        return changes

    def _notified(self) -> None:
        """A notification came: someone's commit, or someone opened or closed the model."""
        self.refresh()
        session = self.session
        if session is not None and not self.offline and session.presence_changed():
            self._show_others_now()

    def _show_others_now(self) -> bool:
        session = self.session
        if session is None:
            return False
        try:
            others = session.others()
        except ServerUnavailable:
            self.go_offline()
            return False
        except SharedStoreError as error:
            self._server_refused(error)
            return False
        self.show_others(others)
        return True

    def poll(self) -> None:
        """Who else has the model open, and any change a missed notification would hide."""
        if self.session is None or self.offline:
            return
        if self._show_others_now():
            self.refresh()

    def _server_refused(self, error: SharedStoreError) -> None:
        """A query the server refused (not a lost connection): say so, keep the window; the
        next poll tries again. Never an exception out of a Qt slot."""
        session = self.session
        secret = session.location.password if session is not None else None
        text = sentence(without_secret(str(error), secret))
        log.warning("shared model: %s", text)
        self._status(sentence(without_secret(error.headline, secret)), full_text=text)

    def show_others(self, others: list[str]) -> None:
        self.others_label.setText(also_open_text(others))
        self.others_label.setVisible(bool(others))

    def _changed(self, _changes: list[Change]) -> None:
        if self.history_window is not None and self.history_window.isVisible():
            self.history_window.schedule_reload()

    # ---- offline and back ------------------------------------------------------------------
    def go_offline(self) -> None:
        session = self.session
        if session is None or self.offline:
            return
        self.offline = True
        self._unwatch()
        self.poll_timer.stop()
        self.document.set_read_only(True, reason=offline_refusal(session.location))
        self.banner.show_offline(offline_text(session.location))
        self.others_label.hide()
        log.warning("shared model %s: connection lost", session.location.display)
        self.reconnect_timer.start()

    def try_reconnect(self) -> None:
        """Try to connect again, in a thread of its own: a server that does not answer may
        take libpq's connect timeout, and the window must stay usable (scrolling, Save a Copy)
        meanwhile. Nothing else uses the session while offline."""
        session = self.session
        if session is None:
            self.reconnect_timer.stop()
            return
        if not self.offline or self._reconnecting is not None:
            return
        self._reconnecting = threading.Thread(
            target=self._reconnect_in_thread, args=(session,), name="fma-reconnect", daemon=True
        )
        self._reconnecting.start()

    def _reconnect_in_thread(self, session: SharedSessionLike) -> None:
        try:
            back = session.reconnect()
        except SharedStoreError:
            back = False
        self.reconnect_finished.emit(session, back)  # queued to the window's thread

    def _reconnect_finished(self, session: SharedSessionLike, back: bool) -> None:
        thread, self._reconnecting = self._reconnecting, None
        if thread is not None:
            thread.join()
        if session is not self.session or not self.offline or not back:
            return  # another model took the window meanwhile, or the server is still away
        self.reconnect_timer.stop()
        self.offline = False
        self.document.set_read_only(False)
        self.banner.show_online()
        self._watch()
        self.poll_timer.start()
        self.poll()
        log.info("shared model %s: reconnected", session.location.display)
        self._status(f"Reconnected to {session.location.server}")

    # ---- history ---------------------------------------------------------------------------
    def show_history(self) -> HistoryWindow | None:
        session = self.session
        if session is None:
            return None
        if self.history_window is not None:
            self.history_window.fill_components(self.document.model)
            self.history_window.reload()
        else:
            self.history_window = HistoryWindow(
                self.document.model, self._load_history, self.window
            )
        self.history_window.show()
        self.history_window.raise_()
        return self.history_window

    def _load_history(
        self, component_id: int | None, user: str | None
    ) -> Sequence[HistoryEntryLike]:
        session = self.session
        if session is None:
            return []
        try:
            return session.history(component_id=component_id, user=user)
        except ServerUnavailable:
            self.go_offline()
            raise

    # ---- ending ----------------------------------------------------------------------------
    def _model_replaced(self) -> None:
        session = self.session
        if session is not None and self.document.model is not session.model:
            self.session = None  # another model took the window (a file, New, Close)
            self._close_session(session)
            self.history_action.setEnabled(False)
            if self.history_window is not None:
                self.history_window.close()
                self.history_window = None

    def _close_session(self, session: SharedSessionLike) -> None:
        reconnecting, self._reconnecting = self._reconnecting, None
        if reconnecting is not None:
            reconnecting.join()  # the session must not be closed under its reconnect
        if session is self.session:
            self.session = None
        if self.session is None:
            self._unwatch()
            self.poll_timer.stop()
            self.reconnect_timer.stop()
            self.offline = False
            self.banner.show_online()
            self.banner.clear_refusal()
            self.show_others([])
        with suppress(SharedStoreError):  # the server is gone already: nothing left to close
            session.close()

    def shutdown(self) -> None:
        """The window closes: end the session."""
        session = self.session
        if session is not None:
            self.session = None
            self._close_session(session)

    def _status(self, text: str, *, full_text: str | None = None) -> None:
        """`text` in the status bar; `full_text` (a server error with the query it quotes)
        in its tooltip while the message shows."""
        bar = self.window.statusBar()
        self._status_shown = text
        bar.showMessage(text, STATUS_MS)
        bar.setToolTip(full_text if full_text is not None and full_text != text else "")

    def _status_changed(self, message: str) -> None:
        if message != self._status_shown:  # timed out or replaced: the tooltip goes with it
            self._status_shown = ""
            self.window.statusBar().setToolTip("")


@contextmanager
def busy_cursor() -> Iterator[None]:
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


__all__ = [
    "SharedModelController",
    "also_open_text",
    "offline_refusal",
    "parse_location",
]
