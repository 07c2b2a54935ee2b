"""The window on a shared model, driven against a stand-in session (tests/ui/shared_support.py):
opening (URL checks, password prompt, recent entries by display), the title and Save, live
changes through the notification socket, refusals shown with the current value, offline and
back, Also open, and Save a Copy. No password may appear anywhere the user or a file can see."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from fma_app import storage
from fma_app.domain.commands import set_fields
from fma_app.ui.document import Document
from fma_app.ui.interaction import RecordingInteraction, SaveChoice
from fma_app.ui.shared_model import also_open_text
from fma_app.ui.shared_open_dialog import CHOOSE_NOTE, PASSWORD_NOTE, RECENT_SHARED_KEY
from tests.ui.shared_support import SECRET, URL, URL_WITH_PASSWORD, FakeServer, shown


@pytest.fixture
def server(small_model) -> FakeServer:
    return FakeServer(small_model)


@pytest.fixture
def make_window(qtbot, context_factory, small_model):
    from fma_app.ui.app import build_window

    def make(server: FakeServer, interaction: RecordingInteraction | None = None):
        interaction = interaction or RecordingInteraction(save=SaveChoice.DISCARD)
        context = context_factory(Document(), interaction)
        context = dataclasses.replace(
            context, open_shared_session=server, list_shared_models=server.list_models
        )
        window = build_window(context)
        window.shared.reconnect_timer.setInterval(50)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return make


def first_fm_id(window) -> int:
    return next(iter(window.document.model.failure_modes))


def severity_to(fm_id: int, value: int):
    return lambda model: set_fields(model, "failure_mode", fm_id, severity=value)


def settings_text(window) -> str:
    window.settings.sync()
    with open(window.settings.fileName(), encoding="utf-8") as handle:
        return handle.read()


# ---- opening ------------------------------------------------------------------------------


def test_the_dialog_checks_the_url_as_it_is_typed(make_window, server, qtbot):
    window = make_window(server)
    dialog = window.shared.open_dialog()
    qtbot.waitExposed(dialog)
    open_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Open)
    assert not open_button.isEnabled()
    qtbot.keyClicks(dialog.url_edit, "http://db.example.com/fma")
    assert "is not a PostgreSQL URL" in dialog.problem_label.text()
    assert not open_button.isEnabled()
    dialog.url_edit.setText("postgresql://alice@db.example.com/fma")
    assert dialog.problem_label.text() == CHOOSE_NOTE  # Open offers the database's models
    assert open_button.isEnabled()
    dialog.url_edit.setText("postgresql://alice@db.example.com/fma?model=Not A Slug")
    assert "spaces" in dialog.problem_label.text()
    dialog.url_edit.setText(URL_WITH_PASSWORD)
    assert dialog.problem_label.text() == PASSWORD_NOTE
    assert open_button.isEnabled()
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, URL)
    assert dialog.problem_label.text() == ""
    assert open_button.isEnabled()
    open_button.click()
    assert server.opened == [(URL, None)]
    assert window.document.shared_display == URL


def test_a_refused_url_or_server_leaves_the_open_model_as_it_was(make_window, server, snapshot):
    window = make_window(server)
    window.document.replace(server.model, None)
    before = snapshot(window.document.model)
    assert not window.shared.open_url("http://db.example.com/fma?model=shop")
    assert "is not a PostgreSQL URL" in window.interaction.messages[-1][2]
    server.unavailable = True
    assert not window.shared.open_url(URL)
    level, title, text = window.interaction.messages[-1]
    assert (level, title) == ("critical", "Cannot open shared model")
    assert text == "Db.example.com:5432/fma cannot be reached: connection refused"
    assert window.document.shared_display is None
    assert snapshot(window.document.model) == before


def test_the_password_is_asked_for_and_never_kept(make_window, small_model, caplog):
    caplog.set_level(logging.DEBUG)
    server = FakeServer(small_model, password=SECRET)
    interaction = RecordingInteraction(save=SaveChoice.DISCARD, passwords=["wrong", SECRET])
    window = make_window(server, interaction)
    assert window.shared.open_url(URL)
    assert [given for _url, given in server.opened] == [None, "wrong", SECRET]
    assert interaction.questions == [
        ("password", "Password: Password of alice on db.example.com:5432/fma:"),
        (
            "password",
            "Password: The password was not accepted.\n"
            "Password of alice on db.example.com:5432/fma:",
        ),
    ]
    assert window.document.shared_display == URL
    assert SECRET not in window.windowTitle()
    assert SECRET not in settings_text(window)
    assert SECRET not in caplog.text
    assert all(SECRET not in text for _level, _title, text in interaction.messages)


def test_cancelling_the_password_keeps_the_open_model(make_window, small_model, snapshot):
    server = FakeServer(small_model, password=SECRET)
    window = make_window(server)  # no passwords scripted: the prompt is cancelled
    before = snapshot(window.document.model)
    assert not window.shared.open_url(URL)
    assert window.interaction.questions[-1][0] == "password"
    assert window.document.shared_display is None
    assert snapshot(window.document.model) == before


def test_a_password_in_the_url_is_used_but_never_shown_or_stored(make_window, server, caplog):
    caplog.set_level(logging.DEBUG)
    window = make_window(server)
    assert window.shared.open_url(URL_WITH_PASSWORD)
    assert server.opened == [(URL, None)]  # the session gets the location; its password inside
    assert server.sessions[0].location.password == SECRET
    title = window.windowTitle()
    assert title == f"Shop[*] \u2014 {URL} (changes are on the server)"
    assert window.settings.value(RECENT_SHARED_KEY) in ([URL], URL)
    for seen in (title, settings_text(window), caplog.text, window.statusBar().currentMessage()):
        assert SECRET not in seen
    dialog = window.shared.open_dialog()
    assert [dialog.recent_list.item(i).text() for i in range(dialog.recent_list.count())] == [URL]
    dialog.recent_list.setCurrentRow(0)
    assert dialog.url() == URL
    dialog.reject()


def test_fma_app_url_opens_the_shared_model(make_window, server):
    window = make_window(server)
    assert window.start(URL)
    assert window.document.shared_display == URL
    assert window.files.open_path(URL)  # already open: nothing happens twice
    assert len(server.opened) == 1


def test_the_window_argument_is_shown_without_its_password():
    from fma_app.cli.window import shown_argument

    assert shown_argument(URL_WITH_PASSWORD) == URL
    assert shown_argument("model.fma") == "model.fma"
    assert SECRET not in shown_argument(f"postgresql://alice:{SECRET}@host/db?model=Bad Key")


# ---- title, Save, Save a Copy -------------------------------------------------------------


def test_no_save_for_a_shared_model_and_save_as_writes_a_copy(make_window, server, tmp_path):
    window = make_window(server)
    assert window.shared.open_url(URL)
    save, save_as = window.files.actions["save"], window.files.actions["save_as"]
    assert not save.isEnabled()
    assert save.text() == "&Save (changes are on the server)"
    assert save_as.text() == "Save a &Copy As..."
    fm_id = first_fm_id(window)
    assert window.document.edit(severity_to(fm_id, 3)) is None
    assert not window.document.modified
    assert not window.isWindowModified()
    window.interaction.save_path = str(tmp_path / "copy")
    assert window.files.save_as()
    copy = storage.open_model(tmp_path / "copy.fma")
    assert copy.failure_modes[fm_id].severity == 3
    assert window.document.shared_display == URL  # the window stays on the shared model
    assert window.document.path is None
    window.files.close_model()  # no "save changes?" question: they are on the server
    assert window.interaction.questions[-1][0] == "save_as"
    assert server.sessions[0].closed
    assert save.isEnabled()
    assert save.text() == "&Save"
    assert window.windowTitle() == "Untitled[*]"


# ---- commits, refusals and live changes ---------------------------------------------------


def test_each_step_is_committed_and_undo_refusals_are_shown(make_window, server, qtbot):
    window = make_window(server)
    window.shared.open_url(URL)
    session = server.sessions[0]
    fm_id = first_fm_id(window)
    assert window.document.edit(severity_to(fm_id, 3)) is None
    assert session.committed == [("do", "Change Severity")]
    refusal = "Not undone: Severity of FM-1 was changed by bob at 10:42 to 6"
    session.refusals["undo"] = refusal
    session.someone_else(
        lambda model: set_fields(model, "failure_mode", fm_id, severity=6).do(model)
    )
    window.undo_action.trigger()
    assert window.statusBar().currentMessage() == refusal
    assert window.shared_banner.isVisible()
    assert window.shared_banner.text == refusal
    # After the refusal the view shows the value that stands on the server.
    qtbot.waitUntil(lambda: shown(window, fm_id, "severity") == 6, timeout=1000)
    assert window.undo_action.isEnabled()  # the step stays: the user may try again


def test_a_refused_change_shows_the_current_value(make_window, server, qtbot):
    window = make_window(server)
    window.shared.open_url(URL)
    session = server.sessions[0]
    fm_id = first_fm_id(window)
    session.someone_else(
        lambda model: set_fields(model, "failure_mode", fm_id, severity=7).do(model)
    )
    refusal = "Not saved: Severity of FM-1 was changed by bob at 10:42 to 7"
    session.refusals["do"] = refusal
    assert window.document.edit(severity_to(fm_id, 2)) == refusal
    assert window.document.undo_stack.count() == 0
    qtbot.waitUntil(lambda: shown(window, fm_id, "severity") == 7, timeout=1000)
    assert window.shared_banner.text == refusal
    assert window.document.edit(severity_to(fm_id, 2)) is None
    assert not window.shared_banner.isVisible()  # the next change that stands clears it


def test_other_peoples_changes_arrive_through_the_socket(make_window, server, qtbot):
    window = make_window(server)
    window.shared.open_url(URL)
    session = server.sessions[0]
    fm_id = first_fm_id(window)
    assert window.document.edit(severity_to(fm_id, 3)) is None
    session.someone_else(
        lambda model: set_fields(model, "failure_mode", fm_id, likelihood=1).do(model)
    )
    qtbot.waitUntil(lambda: shown(window, fm_id, "likelihood") == 1, timeout=1000)
    assert window.document.undo_stack.count() == 1  # their change is not our undo step
    assert window.undo_action.text() == "&Undo Change Severity"


def test_also_open_lists_the_others(make_window, server):
    window = make_window(server)
    window.shared.open_url(URL)
    label = window.shared.others_label
    assert label.isHidden()
    server.sessions[0].others_open = ["bob", "carol"]
    window.shared.poll()
    assert label.text() == "Also open: bob, carol"
    assert label.isVisible()
    assert also_open_text([]) == ""


# ---- offline and back ---------------------------------------------------------------------


def test_offline_refuses_edits_keeps_the_screen_and_comes_back(make_window, server, qtbot):
    window = make_window(server)
    window.shared.open_url(URL)
    session = server.sessions[0]
    fm_id = first_fm_id(window)
    assert window.document.edit(severity_to(fm_id, 3)) is None
    session.available = False
    refusal = window.document.edit(severity_to(fm_id, 4))
    assert (
        refusal == "Not changed: offline, db.example.com:5432/fma cannot be reached (reconnecting)"
    )
    assert shown(window, fm_id, "severity") == 3  # the screen keeps what was confirmed
    assert window.document.read_only
    assert window.windowTitle().endswith(" (offline)")
    assert window.shared_banner.isVisible()
    assert window.shared_banner.text.startswith("Offline: db.example.com:5432/fma")
    assert window.shared_banner.save_copy_button.isVisible()
    # The gate refuses without even building the command, with the reason.
    assert window.document.edit(severity_to(fm_id, 5)) == refusal
    assert window.statusBar().currentMessage() == refusal
    qtbot.waitUntil(lambda: session.reconnects >= 2, timeout=2000)  # it keeps trying
    session.available = True
    qtbot.waitUntil(lambda: not window.document.read_only, timeout=2000)
    assert not window.shared_banner.isVisible()
    assert window.windowTitle().endswith(" (changes are on the server)")
    assert window.document.edit(severity_to(fm_id, 5)) is None
    assert shown(window, fm_id, "severity") == 5


def test_offline_offers_a_copy_on_file(make_window, server, tmp_path):
    window = make_window(server)
    window.shared.open_url(URL)
    server.sessions[0].available = False
    window.shared.poll()  # the next look at the server finds it gone
    assert window.shared.offline
    window.interaction.save_path = str(tmp_path / "rescued.fma")
    window.shared_banner.save_copy_button.click()
    assert storage.open_model(tmp_path / "rescued.fma").content() == window.document.model.content()


def test_a_connection_lost_during_a_commit_takes_the_window_offline(make_window, server, qtbot):
    window = make_window(server)
    window.shared.open_url(URL)
    session = server.sessions[0]
    fm_id = first_fm_id(window)
    session.lose_during_commit = True
    refusal = window.document.edit(severity_to(fm_id, 4))
    assert refusal == "Not saved: the connection to the server was lost; nothing was written"
    assert window.document.model.failure_modes[fm_id].severity == 8  # rolled back
    assert window.shared.offline
    assert window.document.read_only
    session.lose_during_commit = False
    session.available = True
    qtbot.waitUntil(lambda: not window.shared.offline, timeout=2000)
    assert window.document.edit(severity_to(fm_id, 4)) is None


def test_open_recent_lists_shared_models_by_display(make_window, server):
    window = make_window(server)
    assert window.shared.open_url(URL_WITH_PASSWORD)
    window.files.close_model()
    menu = window.files.recent_menu
    menu.aboutToShow.emit()
    entries = [action for action in menu.actions() if action.toolTip() == URL]
    assert len(entries) == 1
    assert all(SECRET not in action.text() for action in menu.actions())
    entries[0].trigger()
    assert window.document.shared_display == URL
    assert server.opened[-1] == (URL, None)
    window.files.clear_recent_files()
    menu.aboutToShow.emit()
    assert not [action for action in menu.actions() if action.toolTip() == URL]


def test_reconnecting_does_not_hold_the_window(make_window, server, qtbot):
    """A server that does not answer may take the connect timeout: the window keeps working."""
    import threading

    window = make_window(server)
    window.shared.open_url(URL)
    session = server.sessions[0]
    window.shared.reconnect_timer.setInterval(60_000)  # this test tries by hand
    session.available = False
    window.shared.poll()
    assert window.shared.offline
    session.reconnect_gate = threading.Event()
    session.available = True
    window.shared.try_reconnect()  # returns while the reconnect still waits for the server
    qtbot.waitUntil(lambda: session.reconnects == 1, timeout=1000)
    window.shared.try_reconnect()  # one attempt at a time
    assert window.shared.offline
    assert window.shared_banner.isVisible()
    session.reconnect_gate.set()
    qtbot.waitUntil(lambda: not window.shared.offline, timeout=2000)
    assert session.reconnects == 1
    assert not window.document.read_only


def test_a_url_without_a_model_offers_the_databases_models(make_window, small_model):
    server = FakeServer(small_model, password=SECRET)
    interaction = RecordingInteraction(save=SaveChoice.DISCARD, passwords=[SECRET], choice=1)
    window = make_window(server, interaction)
    assert window.shared.open_url("postgresql://alice@db.example.com:5432/fma")
    kinds = [kind for kind, _text in interaction.questions]
    assert kinds == ["password", "choice"]  # asked once: the listing's password opens too
    assert interaction.questions[1][1].startswith(
        "Open Shared Model: Models on db.example.com:5432/fma: checkout \u2014 Checkout (changed "
    )
    assert " by bob) / shop \u2014 Shop (changed " in interaction.questions[1][1]
    assert server.opened == [(URL, SECRET)]
    assert window.document.shared_display == URL


def test_a_database_without_models_or_a_cancelled_choice_opens_nothing(
    make_window, server, snapshot
):
    window = make_window(server, RecordingInteraction(save=SaveChoice.DISCARD, choice=None))
    before = snapshot(window.document.model)
    assert not window.shared.open_url("postgresql://alice@db.example.com:5432/fma")
    server.models = []
    assert not window.shared.open_url("postgresql://alice@db.example.com:5432/fma")
    assert window.interaction.messages[-1][2] == (
        "postgresql://alice@db.example.com:5432/fma holds no shared model yet "
        "(fma-app push FILE URL puts one there)."
    )
    assert server.opened == []
    assert snapshot(window.document.model) == before


def test_importing_traces_while_offline_says_the_model_is_offline(make_window, server):
    window = make_window(server)
    window.shared.open_url(URL)
    server.sessions[0].available = False
    window.shared.poll()
    assert window.shared.offline
    window.interaction.open_paths = ["never-asked.json"]
    assert window.trace_import.import_traces() is False
    level, _title, text = window.interaction.messages[-1]
    assert level == "warning"
    assert text == (
        "The traces were not imported: offline, db.example.com:5432/fma cannot be reached "
        "(reconnecting)."
    )
    assert "read-only" not in text


def test_a_refused_read_is_shown_and_the_window_stays_online(make_window, server):
    """A read the server refuses (its statement_timeout, the model removed) is no outage: the
    status bar says it, the window stays online and keeps polling."""
    window = make_window(server)
    window.shared.open_url(URL)
    session = server.sessions[0]
    session.refuse_reads = "cannot read db.example.com:5432/fma: canceling statement due to timeout"
    window.shared.poll()
    assert window.shared.refresh() == []
    assert not window.shared.offline
    assert not window.document.read_only
    assert window.statusBar().currentMessage().startswith("Cannot read db.example.com:5432/fma")
    session.refuse_reads = None
    assert window.document.edit(severity_to(first_fm_id(window), 4)) is None
