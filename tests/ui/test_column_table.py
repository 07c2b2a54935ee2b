"""The shared column table model: the columns declared once answer every role the views ask."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSortFilterProxyModel, Qt

from fma_app.ui.column_table import (
    RIGHT,
    SORT_ROLE,
    AnyIndex,
    ColumnTableModel,
    TableColumn,
)

MARK_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Service:
    name: str
    calls: int
    note: str = ""


COLUMNS = (
    TableColumn("Service", lambda s: s.name, "The service's name", cell_tip=lambda s: s.note),
    TableColumn("Calls", lambda s: f"{s.calls:,}", "Calls seen", RIGHT, sort_key=lambda s: s.calls),
)
ROWS = [Service("payments", 1_200, "the card processor"), Service("api", 90), Service("db", 15_000)]


class MarkedModel(ColumnTableModel[Service]):
    """A model with a role of its own, as the panels' check boxes and ids are."""

    def role_data(self, row: Service, index: AnyIndex, role: int) -> object:
        return f"mark:{row.name}" if role == MARK_ROLE else None


def test_the_model_passes_the_model_tester(qtmodeltester, qapp):
    model = MarkedModel(COLUMNS, ROWS)
    qtmodeltester.check(model, force_py=True)
    model.set_rows(ROWS[:1])  # a reset the tester watches
    model.set_rows([])
    qtmodeltester.check(model, force_py=True)


def test_headers_cells_alignment_and_tooltips_come_from_the_columns(qapp):
    model = MarkedModel(COLUMNS, ROWS)
    horizontal = Qt.Orientation.Horizontal
    assert [model.headerData(c, horizontal) for c in range(2)] == ["Service", "Calls"]
    assert model.headerData(1, horizontal, Qt.ItemDataRole.ToolTipRole) == "Calls seen"
    assert model.headerData(2, horizontal) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.index(2, 1).data() == "15,000"
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) == int(RIGHT)
    assert model.index(0, 0).data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "the card processor"
    # a cell with no tip of its own shows the column's
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) == "The service's name"
    assert model.index(1, 0).data(MARK_ROLE) == "mark:api"
    assert model.row_at(model.index(2, 0)) == ROWS[2]


def test_a_proxy_sorts_by_the_sort_key_and_otherwise_by_the_text(qapp):
    model = MarkedModel(COLUMNS, ROWS)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)  # as numbers: "1,200" < "15,000" < "90" as text
    assert [proxy.index(r, 0).data() for r in range(3)] == ["api", "payments", "db"]
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["api", "db", "payments"]


def test_refresh_all_repaints_every_cell_without_a_reset(qtbot, qapp):
    model = MarkedModel(COLUMNS, ROWS)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.rows = [Service("payments", 1), Service("api", 2), Service("db", 3)]
        model.refresh_all()
    top_left, bottom_right = changed.args[0], changed.args[1]
    assert (top_left.row(), top_left.column()) == (0, 0)
    assert (bottom_right.row(), bottom_right.column()) == (2, 1)
    assert resets == []
    assert model.index(2, 1).data() == "3"
