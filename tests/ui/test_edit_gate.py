"""The document's one edit gate: read-only, domain refusals, refusals after the fact (a commit
step that says no, as a team store will), and undo/redo through the gate. Then every edit path
of every view, driven on a read-only model: nothing changes and the user is told why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPointF, Qt

from fma_app.domain.commands import add_component, add_dependency, set_fields
from fma_app.domain.model import ComponentKind, Model
from fma_app.presentation.worksheet import COLUMN_INDEX
from fma_app.ui.document import READ_ONLY_REFUSAL, Document, Step

EDIT = Qt.ItemDataRole.EditRole


class FakeCommitStep:
    """Stands in for a team store's commit: refuses the steps of the kinds it is told to."""

    def __init__(self) -> None:
        self.refuse: set[str] = set()
        self.seen: list[tuple[str, str]] = []

    def __call__(self, step: Step) -> str | None:
        self.seen.append((step.kind, step.command.text))
        if step.kind in self.refuse:
            return f"The server refused the {step.kind}: the row changed since"
        return None


def first_fm_id(model: Model) -> int:
    return next(iter(model.failure_modes))


def severity_to(value: int) -> Callable[[Model], object]:
    return lambda model: set_fields(model, "failure_mode", first_fm_id(model), severity=value)


@pytest.fixture
def refusals(document) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    document.refused.connect(lambda text, title: seen.append((text, title)))
    return seen


def test_an_accepted_edit_is_one_undo_step_and_announced(document, refusals):
    announced = []
    document.changed.connect(announced.append)
    assert document.edit(severity_to(2)) is None
    assert document.model.failure_modes[first_fm_id(document.model)].severity == 2
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Change Severity"
    assert len(announced) == 1
    assert refusals == []


def test_read_only_refuses_before_building_the_command(document, refusals, snapshot):
    before = snapshot(document.model)
    document.set_read_only(True)
    built = []
    assert document.edit(lambda model: built.append(model)) == READ_ONLY_REFUSAL
    assert built == []
    assert refusals == [(READ_ONLY_REFUSAL, "")]
    assert snapshot(document.model) == before
    assert document.undo_stack.count() == 0


def test_domain_refusal_becomes_one_signal_with_the_callers_wording(document, refusals, snapshot):
    before = snapshot(document.model)
    assert document.edit(severity_to(11), refused_as="Not scored: ", title="Scores") == (
        "Not scored: severity 11 is not a whole number from 1 to 10"
    )
    assert refusals == [("Not scored: severity 11 is not a whole number from 1 to 10", "Scores")]
    assert snapshot(document.model) == before
    assert document.undo_stack.count() == 0


def test_nothing_to_do_is_neither_a_step_nor_a_refusal(document, refusals):
    assert document.edit(lambda _model: None) is None
    assert document.undo_stack.count() == 0
    assert refusals == []


def test_commit_step_refusing_after_the_fact_rolls_the_change_back(qapp, small_model, snapshot):
    commit = FakeCommitStep()
    document = Document(small_model, commit_step=commit)
    announced, refused = [], []
    document.changed.connect(announced.append)
    document.refused.connect(lambda text, _title: refused.append(text))
    before = snapshot(document.model)
    commit.refuse = {"do"}
    text = document.edit(severity_to(2))
    assert text == "The server refused the do: the row changed since"
    assert refused == [text]
    assert commit.seen == [("do", "Change Severity")]
    assert snapshot(document.model) == before  # rolled back in memory
    assert document.undo_stack.count() == 0
    assert not document.modified
    assert announced == []  # the views never saw the change
    component_id = next(iter(document.model.components))
    assert document.add(lambda model: add_component(model, "late")) is None
    assert document.model.component_by_name("late") is None
    assert component_id in document.model.components


def test_undo_and_redo_go_through_the_commit_step_and_may_be_refused(qapp, small_model):
    commit = FakeCommitStep()
    document = Document(small_model, commit_step=commit)
    fm_id = first_fm_id(document.model)
    assert document.edit(severity_to(2)) is None
    commit.refuse = {"undo"}
    assert document.undo() == "The server refused the undo: the row changed since"
    assert document.model.failure_modes[fm_id].severity == 2  # the change stays
    assert document.undo_stack.index() == 1
    assert document.undo_stack.canUndo()
    commit.refuse = set()
    assert document.undo() is None
    assert document.model.failure_modes[fm_id].severity == 8
    assert document.undo_stack.index() == 0
    commit.refuse = {"redo"}
    assert document.redo() == "The server refused the redo: the row changed since"
    assert document.model.failure_modes[fm_id].severity == 8
    assert document.undo_stack.index() == 0
    commit.refuse = set()
    assert document.redo() is None
    assert document.model.failure_modes[fm_id].severity == 2
    assert document.undo_stack.index() == 1
    assert (
        commit.seen
        == [("do", "Change Severity")]
        + [("undo", "Change Severity")] * 2
        + [("redo", "Change Severity")] * 2
    )


def test_undo_and_redo_refuse_while_read_only(document, refusals):
    assert document.edit(severity_to(2)) is None
    document.set_read_only(True)
    assert document.undo() == READ_ONLY_REFUSAL
    assert document.model.failure_modes[first_fm_id(document.model)].severity == 2
    assert document.undo_stack.index() == 1


def test_path_and_read_only_change_through_methods_with_signals(document):
    paths, states = [], []
    document.path_changed.connect(lambda: paths.append(document.path))
    document.read_only_changed.connect(states.append)
    from pathlib import Path

    document.set_path(Path("/tmp/x.fma"))
    document.set_path(Path("/tmp/x.fma"))  # no change, no signal
    document.set_read_only(True)
    document.set_read_only(True)
    document.set_read_only(False)
    assert paths == [Path("/tmp/x.fma")]
    assert states == [True, False]


def test_edit_menu_undo_asks_the_gate_and_shows_its_refusal(main_window_factory, small_model):
    commit = FakeCommitStep()
    window = main_window_factory(Document(small_model, commit_step=commit))
    fm_id = first_fm_id(window.document.model)
    assert window.document.edit(severity_to(3)) is None
    assert window.undo_action.text() == "&Undo Change Severity"
    commit.refuse = {"undo"}
    window.undo_action.trigger()
    assert window.document.model.failure_modes[fm_id].severity == 3
    assert window.statusBar().currentMessage() == (
        "The server refused the undo: the row changed since"
    )
    assert window.undo_action.text() == "&Undo Change Severity"
    assert window.undo_action.isEnabled()
    commit.refuse = set()
    window.undo_action.trigger()
    assert window.document.model.failure_modes[fm_id].severity == 8
    assert window.redo_action.text() == "&Redo Change Severity"


def test_refused_after_the_fact_drag_puts_the_node_back(main_window_factory, small_model):
    commit = FakeCommitStep()
    window = main_window_factory(Document(small_model, commit_step=commit))
    graph = window.graph
    scene = graph.scene
    component = next(iter(window.document.model.components.values()))
    node = scene.nodes[component.id]
    commit.refuse = {"do"}
    node.setSelected(True)
    node.setPos(component.x + 150, component.y + 80)  # what a drag does before the release
    assert not graph.edits.commit_moves()
    assert (node.pos().x(), node.pos().y()) == (component.x, component.y)
    assert window.document.undo_stack.count() == 0


# ---- every edit path of every view, on a read-only model ------------------------------------


def test_read_only_model_refuses_every_edit_of_every_view(main_window_factory, snapshot, qtbot):
    window = main_window_factory()
    document = window.document
    model = document.model
    column = COLUMN_INDEX
    ids = {c.name: c.id for c in model.components.values()}
    # Made while writable: a dependency for the edge paths, and a step each to undo and redo.
    assert document.edit(lambda m: add_dependency(m, ids["api"], ids["database"])) is None
    assert document.edit(severity_to(7)) is None
    assert document.undo() is None
    assert document.undo_stack.canUndo()
    assert document.undo_stack.canRedo()
    document.set_read_only(True)
    before = snapshot(model)
    stack_before = (document.undo_stack.count(), document.undo_stack.index())
    graph = window.graph
    window.tabs.setCurrentIndex(1)  # the graph is in view: it says why beside the canvas too
    scene, canvas = graph.scene, graph.view
    refusals: list[str] = []
    document.refused.connect(lambda text, _title: refusals.append(text))
    fm_id = next(f.id for f in model.failure_modes.values() if f.failure_mode == "Disk full")
    action_id = next(a.id for a in model.actions.values() if not a.status.is_closed)

    def cell(row: int, key: str):
        return window.worksheet.proxy.index(row, column[key])

    def select_cells(top: int, left: str, bottom: int, right: str) -> None:
        window.worksheet.view.setCurrentIndex(cell(top, left))
        window.worksheet.view.selectionModel().select(
            QItemSelection(cell(top, left), cell(bottom, right)),
            QItemSelectionModel.SelectionFlag.ClearAndSelect,
        )

    def drag_a_node() -> object:
        node = scene.nodes[ids["cache"]]
        scene.clearSelection()
        node.setSelected(True)
        node.setPos(node.pos() + QPointF(120, 40))
        return graph.edits.commit_moves()

    def rename_on_the_canvas() -> object:
        editor = canvas.begin_rename(ids["api"])
        editor.setText("gateway")
        return canvas.finish_rename(commit=True)

    detail = window.detail
    sheet = window.worksheet

    def detail_scores() -> None:
        detail.scores["severity"].setValue(2)

    paths: dict[str, Callable[[], object]] = {
        "worksheet: text cell": lambda: window.worksheet.model.setData(
            window.worksheet.model.index(0, column["effect"]), "changed", EDIT
        ),
        "worksheet: score cell": lambda: window.worksheet.model.setData(
            window.worksheet.model.index(0, column["severity"]), 2, EDIT
        ),
        "worksheet: score cell emptied (not rated)": lambda: window.worksheet.model.setData(
            window.worksheet.model.index(0, column["detection"]), "", EDIT
        ),
        "worksheet: revised cell": lambda: window.worksheet.model.setData(
            window.worksheet.model.index(0, column["revised_severity"]), 2, EDIT
        ),
        "worksheet: component cell": lambda: window.worksheet.model.setData(
            window.worksheet.model.index(0, column["component"]), "cache", EDIT
        ),
        "worksheet: add failure mode": window.worksheet.add_failure_mode,
        "worksheet: delete rows": lambda: (sheet.view.selectRow(0), sheet.delete_rows()),
        "worksheet: cut": lambda: (select_cells(0, "effect", 1, "cause"), window.worksheet.cut()),
        "worksheet: paste": lambda: (
            window.worksheet.view.setCurrentIndex(cell(0, "effect")),
            window.worksheet.paste("x\t3\n"),
        ),
        "worksheet: fill": lambda: (select_cells(0, "severity", 2, "severity"), sheet.paste("6")),
        "components: add": window.components.add_component,
        "components: rename": lambda: window.components.model.setData(
            window.components.model.index(0, 0), "renamed", EDIT
        ),
        "components: delete": lambda: (
            window.components.select(ids["database"]),
            window.components.delete_selected(),
        ),
        "details: text": lambda: (
            document.selection.select_failure_mode(fm_id),
            detail.commit_text("effect", "changed"),
        ),
        "details: scores": detail_scores,
        "details: score cleared (not rated)": lambda: detail.scores["likelihood"].setValue(0),
        # The detail widgets are greyed out while read-only; the signals still reach the gate.
        "details: revised scores on": lambda: detail.revised_check.setChecked(True),
        "details: add action": detail.add_action,
        "details: mark done": lambda: detail.mark_done([action_id]),
        "details: delete action": lambda: detail.delete_actions([action_id]),
        "details: action cell": lambda: detail.actions_model.setData(
            detail.actions_model.index(0, 1), "someone", EDIT
        ),
        "graph: add by double-click": lambda: canvas.add_component_at(QPointF(900, 900)),
        "graph: add": lambda: graph.edits.add_component_at(QPointF(900, 900)),
        "graph: rename in place": rename_on_the_canvas,
        "graph: rename": lambda: graph.edits.rename_component(ids["api"], "gateway"),
        "graph: connect": lambda: graph.edits.connect_components(ids["cache"], ids["database"]),
        "graph: move": drag_a_node,
        "graph: kind": lambda: graph.edits.set_component_fields(
            ids["api"], kind=ComponentKind.QUEUE
        ),
        "graph: entry point": lambda: graph.edits.toggle_entry_point(ids["api"]),
        "graph: strength": lambda: graph.edits.toggle_strength(next(iter(model.dependencies))),
        "graph: group": lambda: graph.edits.set_group(next(iter(model.dependencies)), "pair"),
        "graph: delete": lambda: graph.edits.delete([ids["cache"]], []),
        "graph: delete key": lambda: (
            scene.clearSelection(),
            scene.nodes[ids["cache"]].setSelected(True),
            graph.edits.delete_selected(),
        ),
        "graph: auto layout": graph.edits.auto_layout,
        "edit menu: undo": window.undo_action.trigger,
        "edit menu: redo": window.redo_action.trigger,
    }
    not_shown = []
    for name, attempt in paths.items():
        window.statusBar().clearMessage()
        graph.status.clear()
        refusals.clear()
        attempt()
        if refusals != [READ_ONLY_REFUSAL]:
            not_shown.append(f"{name}: refused {refusals}")
        elif window.statusBar().currentMessage() != READ_ONLY_REFUSAL:
            not_shown.append(f"{name}: status bar {window.statusBar().currentMessage()!r}")
        assert snapshot(model) == before, name
        assert (document.undo_stack.count(), document.undo_stack.index()) == stack_before, name
    assert not_shown == [], not_shown
    assert window.interaction.questions == []  # never asked to confirm a refused delete
    graph.status.clear()
    graph.edits.toggle_entry_point(ids["api"])
    assert graph.status.text() == READ_ONLY_REFUSAL
    assert window.interaction.messages[-1] == ("warning", "Paste refused", READ_ONLY_REFUSAL)
    node = scene.nodes[ids["cache"]]
    component = model.components[ids["cache"]]
    assert (node.pos().x(), node.pos().y()) == (component.x, component.y)  # put back
