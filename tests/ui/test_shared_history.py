"""File > History: the table model (checked by qtmodeltester), the filters by component and
person (asked of the session, so the server filters), reloading after changes, and a server
that went away (the rows stay, the window says why)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from fma_app.ui.document import Document
from fma_app.ui.interaction import RecordingInteraction, SaveChoice
from fma_app.ui.shared_history import COLUMNS, HistoryTableModel, HistoryWindow
from tests.ui.shared_support import URL, Entry, FakeServer

UTC = dt.UTC


def entries(model) -> list[Entry]:
    api = model.component_by_name("api").id
    database = model.component_by_name("database").id
    return [  # oldest first, as the session gives them
        Entry("alice", dt.datetime(2026, 12, 1, 10, 30, tzinfo=UTC), "api: Timeout",
              "", "", "", api, op="added"),
        Entry("alice", dt.datetime(2026, 12, 1, 10, 40, tzinfo=UTC), "database: Disk full",
              "Cause", '"No retention"', '"Logs\\nrotated"', database, old="No retention",
              new="Logs\nrotated"),
        Entry("bob", dt.datetime(2026, 12, 1, 10, 42, 5, tzinfo=UTC), "api: Timeout",
              "Severity", "8", "7", api),
    ]  # fmt: skip


def test_the_history_model_passes_the_model_tester(qtmodeltester, small_model):
    table = HistoryTableModel()
    qtmodeltester.check(table, force_py=True)
    table.set_entries(entries(small_model))
    qtmodeltester.check(table, force_py=True)
    assert table.rowCount() == 3
    assert table.columnCount() == len(COLUMNS)
    row = [table.data(table.index(0, column)) for column in range(len(COLUMNS))]
    local = dt.datetime(2026, 12, 1, 10, 42, 5, tzinfo=UTC).astimezone()
    assert row == [local.strftime("%Y-%m-%d %H:%M:%S"), "bob", "api: Timeout", "Severity",
                   "8", "7"]  # fmt: skip
    assert [table.data(table.index(1, column)) for column in (4, 5)] == [
        "No retention",
        "Logs rotated",
    ]  # text as it is, on one line, not quoted as the command line prints it
    assert table.data(table.index(2, 3)) == "added"  # the whole item: its op, no values
    assert table.data(table.index(2, 4)) == ""


def test_filters_by_component_and_person(qtbot, small_model):
    calls: list[tuple[int | None, str | None]] = []
    recorded = entries(small_model)

    def load(component_id: int | None, user: str | None) -> list[Entry]:
        calls.append((component_id, user))
        return [
            e for e in recorded if component_id in (None, e.component_id) and user in (None, e.user)
        ]

    window = HistoryWindow(small_model, load)
    qtbot.addWidget(window)
    assert calls == [(None, None)]
    assert window.table_model.rowCount() == 3
    components = [
        window.component_filter.itemText(i) for i in range(window.component_filter.count())
    ]
    assert components == ["All components", "api", "cache", "database"]
    people = [window.person_filter.itemText(i) for i in range(window.person_filter.count())]
    assert people == ["Everyone", "alice", "bob"]
    window.component_filter.setCurrentText("api")
    api = small_model.component_by_name("api").id
    assert calls[-1] == (api, None)
    assert window.table_model.rowCount() == 2
    window.person_filter.setCurrentText("alice")
    assert calls[-1] == (api, "alice")
    assert window.table_model.rowCount() == 1
    assert window.table_model.entry(0).op == "added"
    assert window.count_label.text() == "1 change"
    # The person list keeps everyone seen, though the filter now shows only alice's.
    assert window.person_filter.count() == 3


def test_history_from_the_window_reloads_and_survives_the_server_going(
    qtbot, context_factory, small_model
):
    from fma_app.ui.app import build_window

    server = FakeServer(small_model)
    context = context_factory(Document(), RecordingInteraction(save=SaveChoice.DISCARD))
    window = build_window(dataclasses.replace(context, open_shared_session=server))
    qtbot.addWidget(window)
    assert not window.shared.history_action.isEnabled()
    assert window.shared.open_url(URL)
    assert window.shared.history_action.isEnabled()
    session = server.sessions[0]
    session.entries = entries(small_model)
    history = window.shared.show_history()
    assert history is not None
    qtbot.waitExposed(history)
    assert history.table_model.rowCount() == 3
    session.entries = session.entries[-1:]
    fm_id = next(iter(window.document.model.failure_modes))
    from fma_app.domain.commands import set_fields

    window.document.edit(lambda model: set_fields(model, "failure_mode", fm_id, severity=2))
    qtbot.waitUntil(lambda: history.table_model.rowCount() == 1, timeout=2000)
    session.available = False
    history.reload()
    assert history.table_model.rowCount() == 1  # what was shown stays
    assert history.count_label.text().startswith("History unavailable: the connection")
    assert window.shared.offline
