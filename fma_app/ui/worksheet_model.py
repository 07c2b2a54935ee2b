"""The worksheet: one row per failure mode, keyed by id, behind a one-to-one proxy.

Sorting and filtering are computed by the source model in bulk Python, and the proxy subclass
(`WorksheetProxy`, a `QIdentityProxyModel`) forwards its sort and filter calls there. Measured
on 20,000 rows: a `QSortFilterProxyModel`'s own C++ sort calls Python `data()` twice per
comparison (11 s), and a Python `filterAcceptsRow` costs 60-100 ms per refilter in call
overhead alone, against a few milliseconds for `sorted()` and a list comprehension over
cached keys.

Rows keep their place and stay visible while they are edited or added (no live re-sort or
re-filter), so a row being typed into does not jump away or vanish; changing a filter or
clicking a header applies them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QIdentityProxyModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor, QFont

from fma_app.domain.commands import Change
from fma_app.domain.library import SuggestedScores
from fma_app.domain.model import ActionStatus, FailureMode, Model
from fma_app.domain.scoring import ActionPriority
from fma_app.gc_pause import paused_gc
from fma_app.presentation import rating_scales
from fma_app.presentation.style import AP_NAMES, NOT_RATED
from fma_app.presentation.worksheet import (
    COLUMN_INDEX,
    COLUMNS,
    NUMERIC_KINDS,
    TEXT_KEYS,
    ap_of,
    cell_command,
    cell_value,
    revised_field,
    row_values,
)
from fma_app.ui.document import Document
from fma_app.ui.qt_style import (
    RPN_TEXT_COLOUR,
    SCORE_HINT_COLOUR,
    ap_fill,
    ap_text,
    rpn_fill,
)

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # failure mode id of the row
COLUMN_KEY_ROLE = Qt.ItemDataRole.UserRole + 3
# What the worksheet's delegate paints, in one call: (text, foreground, background, centred,
# bold). Qt's own delegate asks seven roles per cell and lays the text out each time.
PAINT_ROLE = Qt.ItemDataRole.UserRole + 4
# What PAINT_ROLE gives per cell: text, foreground, background, centred, bold.
PaintedCell = tuple[str, QColor | None, QColor | None, bool, bool]

AnyIndex = QModelIndex | QPersistentModelIndex

# Tooltip of the RPN and AP cells of a failure mode not rated yet.
NOT_RATED_TIP = (
    f"{NOT_RATED.label.capitalize()} yet: RPN and AP need severity, likelihood and detection"
)
BOLD = QFont()
BOLD.setBold(True)


def _with_hints(
    cells: tuple[PaintedCell, ...], fm: FailureMode, hint: SuggestedScores
) -> tuple[PaintedCell, ...]:
    """The library's suggested scores, grey, in the score cells still empty."""
    painted = list(cells)
    for column in _SCORE_COLUMNS:
        key = COLUMNS[column].key
        suggested = getattr(hint, key)
        if getattr(fm, key) is None and suggested is not None:
            _text, _fg, background, centred, bold = painted[column]
            painted[column] = (str(suggested), SCORE_HINT_COLOUR, background, centred, bold)
    return tuple(painted)


# ---- the source model -----------------------------------------------------------------------


class WorksheetModel(QAbstractTableModel):
    """All failure modes of the document, one per row, refreshed from `Document.changed`."""

    def __init__(self, document: Document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self._order: list[int] = []  # every failure mode, in the current sort order
        self._ids: list[int] = []  # the rows shown: `_order` through the filters
        self._row_index: dict[int, int] | None = {}  # row of each shown id; None: to build
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._text = ""
        self._component_ids: frozenset[int] = frozenset()
        self._ap: ActionPriority | None = None
        self._search: dict[int, str] = {}  # lower-cased text of a row, for the filter
        # Per failure mode, built when first asked and dropped when it changes: the cells
        # (`row_values`) and what the delegate paints; a repaint asks for several hundred.
        self._cells: dict[int, tuple[object, ...]] = {}
        self._paint: dict[int, tuple[PaintedCell, ...]] = {}
        # Sort keys per column, then per failure mode, built on the first sort by the column:
        # computing 20,000 keys (an RPN is a property) was most of a sort's time.
        self._sort_keys: dict[int, dict[int, Any]] = {}
        self._complete_keys: set[int] = set()  # columns whose keys cover every failure mode
        self._action_counts: dict[int, tuple[int, int, int]] = {}
        self._action_fm: dict[int, int] = {}  # action id -> failure mode id
        self._load()
        document.changed.connect(self._on_changed)
        document.model_replaced.connect(self._on_reset)
        document.hints_changed.connect(self._hints_changed)

    # -- bookkeeping ---------------------------------------------------------------------
    @property
    def model(self) -> Model:
        return self.document.model

    def _load(self) -> None:
        self._search.clear()
        self._cells.clear()
        self._paint.clear()
        self._sort_keys.clear()
        self._complete_keys.clear()
        self._count_actions()
        self._order = list(self.model.failure_modes)
        if self._sort[0] >= 0:
            self._order = self._sorted(self._order)
        self._ids = self._filtered(self._order)
        self._reindex()
        # Texts for the filter box, built once the first paint is out of the way.
        QTimer.singleShot(0, self, self._warm_search)

    def _warm_search(self) -> None:
        names = {c.id: c.name for c in self.model.components.values()}
        search = self._search
        for fm in self.model.failure_modes.values():
            if fm.id not in search:
                texts = [names.get(fm.component_id, "")]
                texts += [getattr(fm, key) for key in TEXT_KEYS]
                search[fm.id] = "\t".join(texts).casefold()

    def _forget(self, fm_id: int) -> None:
        """Drop what is cached about a failure mode that changed or went."""
        self._search.pop(fm_id, None)
        self._cells.pop(fm_id, None)
        self._paint.pop(fm_id, None)
        for keys in self._sort_keys.values():
            keys.pop(fm_id, None)
        self._complete_keys.clear()

    def _reindex(self) -> None:
        # Built when first asked (in C: dict(zip()) takes a third of a dict comprehension).
        self._row_index = None

    @property
    def _row_of(self) -> dict[int, int]:
        if self._row_index is None:
            self._row_index = dict(zip(self._ids, range(len(self._ids)), strict=True))
        return self._row_index

    def _count_actions(self) -> None:
        counts: dict[int, list[int]] = {}
        self._action_fm = {}
        for action in self.model.actions.values():
            self._action_fm[action.id] = action.failure_mode_id
            slot = counts.setdefault(action.failure_mode_id, [0, 0, 0])
            if action.status is ActionStatus.DONE:
                slot[1] += 1
            elif action.status is ActionStatus.CANCELLED:
                slot[2] += 1
            else:
                slot[0] += 1
        self._action_counts = {fm_id: (c[0], c[1], c[2]) for fm_id, c in counts.items()}

    def _hints_changed(self, ids: list[int]) -> None:
        for fm_id in ids:
            self._paint.pop(fm_id, None)
            row = self._row_of.get(fm_id)
            if row is not None:
                self.dataChanged.emit(
                    self.index(row, 0), self.index(row, len(COLUMNS) - 1), [PAINT_ROLE]
                )

    def _on_reset(self) -> None:
        self.beginResetModel()
        with paused_gc():
            self._load()
        self.endResetModel()

    def _on_changed(self, changes: list[Change]) -> None:
        for change in changes:
            if change.kind == "failure_mode":
                self._failure_modes_changed(change)
            elif change.kind == "component" and change.op == "changed":
                self._component_renamed(set(change.ids))
            elif change.kind == "action":
                self._actions_changed(change.ids)

    def _failure_modes_changed(self, change: Change) -> None:
        if change.op == "added":  # shown at the end whatever the filters, until they change
            new = [i for i in change.ids if i not in self._row_of and i in self.model.failure_modes]
            if new:
                start = len(self._ids)
                self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
                self._order.extend(new)
                self._complete_keys.clear()  # the new rows have no sort keys yet
                self._ids.extend(new)
                self._row_of.update({fm_id: start + n for n, fm_id in enumerate(new)})
                self.endInsertRows()
        elif change.op == "removed":
            gone = set(change.ids)
            self._order = [i for i in self._order if i not in gone]
            for fm_id in gone:
                self._forget(fm_id)
            self._remove_rows([self._row_of[i] for i in change.ids if i in self._row_of])
        else:
            for fm_id in change.ids:
                self._forget(fm_id)
                self._row_changed(fm_id)

    def _remove_rows(self, rows: list[int]) -> None:
        if not rows:
            return
        rows.sort()
        ranges: list[tuple[int, int]] = []
        for row in rows:
            if ranges and ranges[-1][1] == row - 1:
                ranges[-1] = (ranges[-1][0], row)
            else:
                ranges.append((row, row))
        for first, last in reversed(ranges):  # bottom up, so earlier rows keep their numbers
            self.beginRemoveRows(QModelIndex(), first, last)
            for fm_id in self._ids[first : last + 1]:
                self._forget(fm_id)
            del self._ids[first : last + 1]
            self.endRemoveRows()
        self._reindex()

    def _row_changed(self, fm_id: int, first: int = 0, last: int = len(COLUMNS) - 1) -> None:
        row = self._row_of.get(fm_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, first), self.index(row, last))

    def _component_renamed(self, component_ids: set[int]) -> None:
        column = COLUMN_INDEX["component"]
        self._sort_keys.pop(column, None)  # keyed by name
        self._complete_keys.discard(column)
        failure_modes = self.model.failure_modes
        for fm_id in self._order:  # hidden rows too: their cached search text names it
            fm = failure_modes.get(fm_id)
            if fm is not None and fm.component_id in component_ids:
                self._forget(fm_id)
                self._row_changed(fm_id, column, column)

    def _actions_changed(self, action_ids: Iterable[int]) -> None:
        touched = {self._action_fm[i] for i in action_ids if i in self._action_fm}
        self._count_actions()
        touched |= {self._action_fm[i] for i in action_ids if i in self._action_fm}
        column = COLUMN_INDEX["actions"]
        self._sort_keys.pop(column, None)  # keyed by the counts
        self._complete_keys.discard(column)
        for fm_id in touched:
            self._cells.pop(fm_id, None)
            self._paint.pop(fm_id, None)
            self._row_changed(fm_id, column, column)

    # -- lookups -------------------------------------------------------------------------
    def failure_mode_id(self, row: int) -> int:
        return self._ids[row]

    def total_count(self) -> int:
        """Every failure mode, shown or filtered out."""
        return len(self._order)

    def row_of(self, fm_id: int) -> int | None:
        return self._row_of.get(fm_id)

    def component_id(self, row: int) -> int:
        return self.model.failure_modes[self._ids[row]].component_id

    def search_text(self, row: int) -> str:
        return self._search_text(self._ids[row])

    def _search_text(self, fm_id: int) -> str:
        """The component name and every text of a failure mode, lower-cased, cached until the
        row changes. Scores are left out: searching "8" would match nearly every row."""
        text = self._search.get(fm_id)
        if text is None:
            fm = self.model.failure_modes[fm_id]
            parts = [self.model.components[fm.component_id].name]
            parts += [getattr(fm, key) for key in TEXT_KEYS]
            text = "\t".join(parts).casefold()
            self._search[fm_id] = text
        return text

    def cell(self, row: int, column: int) -> object:
        return self._cell(self.model.failure_modes[self._ids[row]], column)

    def row_cells(self, row: int) -> tuple[object, ...]:
        fm = self.model.failure_modes[self._ids[row]]
        return self._row_cells(fm)

    def _row_cells(self, fm: FailureMode) -> tuple[object, ...]:
        cells = self._cells.get(fm.id)
        if cells is None:
            cells = row_values(self.model, fm, self._action_counts.get(fm.id, (0, 0, 0)))
            self._cells[fm.id] = cells
        return cells

    def _paint_cells(self, fm: FailureMode) -> tuple[PaintedCell, ...]:
        """Per column: (text, foreground, background, centred, bold), as the roles say."""
        cells = self._paint.get(fm.id)
        if cells is None:
            cells = tuple(
                (
                    str(value),
                    self._foreground(fm, column),
                    self._background(fm, column),
                    _CENTRED[column],
                    _BOLD_COLUMNS[column],
                )
                for column, value in enumerate(self._row_cells(fm))
            )
            hint = self.document.score_hints.get(fm.id)
            if hint is not None:
                cells = _with_hints(cells, fm, hint)
            self._paint[fm.id] = cells
        return cells

    def painted_cell(self, row: int, column: int) -> PaintedCell | None:
        """What the cell painter draws at (row, column), as `PAINT_ROLE` gives it: the painter
        asks here directly, without a `data()` call through the proxy (one per painted cell)."""
        fm_id = self._ids[row]
        cells = self._paint.get(fm_id)
        if cells is None:
            fm = self.model.failure_modes.get(fm_id)  # None: being removed (see `data`)
            if fm is None:
                return None
            cells = self._paint_cells(fm)
        return cells[column]

    def _cell(self, fm: FailureMode, column: int) -> object:
        counts = self._action_counts.get(fm.id, (0, 0, 0))
        return cell_value(self.model, fm, COLUMNS[column].key, counts)

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
                return section + 1
            return None
        column = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip
        if role == COLUMN_KEY_ROLE:
            return column.key
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        # Precomputed: Qt asks once per cell when a selection changes (a select-all of 20,000
        # rows: 180,000 calls), and Python enum arithmetic made that take seconds.
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS[self.document.read_only][index.column()]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        handler = _ROLE_HANDLERS.get(role)
        if handler is None:
            return None
        # A command removes all its failure modes from the domain at once, while the rows go
        # range by range: a view may ask about a row whose failure mode is already gone.
        fm = self.model.failure_modes.get(self._ids[index.row()])
        return None if fm is None else handler(self, fm, index.column())

    def _display(self, fm: FailureMode, column: int) -> Any:
        return self._row_cells(fm)[column]

    def _paint_cell(self, fm: FailureMode, column: int) -> Any:
        return self._paint_cells(fm)[column]

    def _edit(self, fm: FailureMode, column: int) -> Any:
        value = self._row_cells(fm)[column]
        return None if value == "" and COLUMNS[column].kind in NUMERIC_KINDS else value

    def _sort_key(self, fm: FailureMode, column: int) -> Any:
        return _sort_key_function(self, COLUMNS[column].key)(fm)

    def _background(self, fm: FailureMode, column: int) -> QColor | None:
        key = COLUMNS[column].key
        if key == "ap":
            return ap_fill(ap_of(fm))  # the not-rated grey when there is no AP yet
        if key == "revised_ap" and fm.revised is not None:
            return ap_fill(ap_of(fm.revised))
        if key == "rpn":
            rpn = fm.rpn
            return None if rpn is None else rpn_fill(rpn)
        if key == "revised_rpn" and fm.revised is not None:
            return rpn_fill(fm.revised.rpn)
        return None

    def _foreground(self, fm: FailureMode, column: int) -> QColor | None:
        key = COLUMNS[column].key
        if key == "ap":
            return ap_text(ap_of(fm))
        if key == "revised_ap" and fm.revised is not None:
            return ap_text(ap_of(fm.revised))
        if key == "rpn" or (key == "revised_rpn" and fm.revised is not None):
            return RPN_TEXT_COLOUR
        return None

    def _alignment(self, fm: FailureMode, column: int) -> Any:
        return Qt.AlignmentFlag.AlignCenter if _CENTRED[column] else None

    def _font(self, fm: FailureMode, column: int) -> Any:
        return BOLD if _BOLD_COLUMNS[column] else None

    def _tooltip(self, fm: FailureMode, column: int) -> Any:
        column_def = COLUMNS[column]
        if column_def.kind == "score":
            hint = self.document.score_hints.get(fm.id)
            suggested = None if hint is None else getattr(hint, column_def.key)
            if suggested is not None and getattr(fm, column_def.key) is None:
                return rating_scales.hinted_scale_tooltip(column_def.key, suggested)
            return rating_scales.scale_tooltip(column_def.key, getattr(fm, column_def.key))
        if column_def.kind == "revised":
            field = revised_field(column_def.key)
            current = getattr(fm.revised, field) if fm.revised else None
            return rating_scales.scale_tooltip(field, current)
        if column_def.key == "rpn" and fm.rpn is None:
            return NOT_RATED_TIP
        if column_def.key in ("ap", "revised_ap"):
            scores = fm.scores if column_def.key == "ap" else fm.revised
            if scores is None:
                return NOT_RATED_TIP if column_def.key == "ap" else "No revised scores"
            return (
                f"Action Priority {AP_NAMES[scores.ap]} (S {scores.severity}, "
                f"L {scores.likelihood}, D {scores.detection})"
            )
        value = self._row_cells(fm)[column]
        return str(value) if isinstance(value, str) and len(value) > 30 else None

    def _id(self, fm: FailureMode, column: int) -> Any:
        return fm.id

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """One cell edit through the document's gate; False when refused or unchanged."""
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        fm_id, key = self._ids[index.row()], COLUMNS[index.column()].key
        return self.document.apply(lambda model: cell_command(model, fm_id, key, value)) is not None

    # -- sorting and filtering (see the module docstring) ------------------------------
    @property
    def sort_column(self) -> int:
        return self._sort[0]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by `column` (-1: the model's own order)."""
        self._sort = (column, order)
        self._relayout(lambda: setattr(self, "_order", self._sorted(self._order)))

    def set_filters(
        self,
        text: str | None = None,
        component_ids: Iterable[int] | None = None,
        ap: ActionPriority | str | None = "keep",
    ) -> None:
        """Change any of the filters (None text or components: leave as is)."""

        def apply() -> None:
            if text is not None:
                self._text = text.strip().casefold()
            if component_ids is not None:
                self._component_ids = frozenset(component_ids)
            if ap != "keep":
                self._ap = ActionPriority(ap) if ap else None

        self._relayout(apply)

    @property
    def filters(self) -> tuple[str, frozenset[int], ActionPriority | None]:
        return self._text, self._component_ids, self._ap

    def _relayout(self, change: Callable[[], None]) -> None:
        """Apply a new order or filter as one layout change, keeping the selection and the
        current cell on their failure modes (or dropping them when the row is filtered out)."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._ids[i.row()] if 0 <= i.row() < len(self._ids) else 0 for i in old]
        change()
        self._ids = self._filtered(self._order)
        self._reindex()
        new = []
        for fm_id, index in zip(old_ids, old, strict=True):
            row = self._row_of.get(fm_id)
            new.append(self.index(row, index.column()) if row is not None else QModelIndex())
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _sorted(self, ids: list[int]) -> list[int]:
        column, order = self._sort
        if not 0 <= column < len(COLUMNS):
            position = {fm_id: n for n, fm_id in enumerate(self.model.failure_modes)}
            return sorted(ids, key=position.__getitem__)
        keys = self._column_sort_keys(column, ids)
        descending = order == Qt.SortOrder.DescendingOrder
        if None not in keys.values():  # every row rated: one sort, no split
            return sorted(ids, key=keys.__getitem__, reverse=descending)
        # Not rated yet (a None key) goes last in either direction, in the model's order.
        rated = [i for i in ids if keys[i] is not None]
        unrated = [i for i in ids if keys[i] is None]
        return sorted(rated, key=keys.__getitem__, reverse=descending) + unrated

    def _column_sort_keys(self, column: int, ids: list[int]) -> dict[int, Any]:
        """The sort key of each of `ids` by `column`, from the cache, computing the missing."""
        keys = self._sort_keys.setdefault(column, {})
        if column in self._complete_keys:
            return keys
        missing = [i for i in ids if i not in keys]
        if missing:
            key = _sort_key_function(self, COLUMNS[column].key)
            fms = self.model.failure_modes
            keys.update(zip(missing, map(key, map(fms.__getitem__, missing)), strict=True))
        if ids is self._order:  # every failure mode: complete until one changes or comes
            self._complete_keys.add(column)
        return keys

    def _filtered(self, ids: list[int]) -> list[int]:
        ids = list(ids)  # never the same list as `_order`: rows are added to both
        if self._component_ids:
            fms, wanted = self.model.failure_modes, self._component_ids
            ids = [i for i in ids if fms[i].component_id in wanted]
        if self._ap is not None:
            fms, ap = self.model.failure_modes, self._ap
            ids = [i for i in ids if ap_of(fms[i]) is ap]
        if self._text:
            ids = self._text_matches(ids, self._text)
        return ids

    def _text_matches(self, ids: list[int], text: str) -> list[int]:
        search = self._search
        if len(search) < len(self.model.failure_modes):
            self._warm_search()  # every text at hand: then one lookup per row, in C
        try:
            return [
                i
                for i, row_text in zip(ids, map(search.__getitem__, ids), strict=True)
                if text in row_text
            ]
        except KeyError:  # a row whose failure mode is being removed: ask row by row
            return [i for i in ids if text in (search.get(i) or self._search_text(i))]


def _sort_key_function(sheet: WorksheetModel, key: str) -> Callable[[FailureMode], Any]:
    """A key per failure mode, numeric for numbers; no revised scores sort below every score;
    AP sorts H > M > L so descending puts the most urgent first, as for RPN. None: not rated
    yet, which `_sorted` puts last in both directions."""
    if key in ("severity", "likelihood", "detection"):
        return lambda fm: getattr(fm, key)
    if key == "rpn":
        return lambda fm: fm.rpn
    if key == "ap":

        def ap_key(fm: FailureMode) -> int | None:
            ap = ap_of(fm)
            return None if ap is None else 3 - ap.order

        return ap_key
    if key == "revised_ap":
        return lambda fm: 3 - ap_of(fm.revised).order if fm.revised else 0
    if key == "revised_rpn":
        return lambda fm: fm.revised.rpn if fm.revised else -1
    if key.startswith("revised_"):
        field = revised_field(key)
        return lambda fm: getattr(fm.revised, field) if fm.revised else -1
    if key == "id":
        return lambda fm: fm.id
    if key == "component":
        names = {c.id: c.name.casefold() for c in sheet.model.components.values()}
        return lambda fm: names[fm.component_id]
    if key == "actions":
        counts = sheet._action_counts

        def open_then_done(fm: FailureMode) -> int:
            open_, done, cancelled = counts.get(fm.id, (0, 0, 0))
            return open_ * 1_000_000 + done * 1000 + cancelled

        return open_then_done
    return lambda fm: getattr(fm, key).casefold()


_CENTRED: tuple[bool, ...] = tuple(
    c.kind in ("score", "revised") or c.key in ("rpn", "ap", "revised_rpn", "revised_ap", "id")
    for c in COLUMNS
)
_BOLD_COLUMNS: tuple[bool, ...] = tuple(c.key in ("ap", "revised_ap", "rpn") for c in COLUMNS)
_SCORE_COLUMNS: tuple[int, ...] = tuple(i for i, c in enumerate(COLUMNS) if c.kind == "score")

_READ = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_FLAGS: dict[bool, tuple[Qt.ItemFlag, ...]] = {  # read-only? -> flags per column
    False: tuple(
        _READ if c.kind == "computed" else _READ | Qt.ItemFlag.ItemIsEditable for c in COLUMNS
    ),
    True: tuple(_READ for _ in COLUMNS),
}

_ROLE_HANDLERS: dict[int, Callable[[WorksheetModel, FailureMode, int], Any]] = {
    Qt.ItemDataRole.DisplayRole: WorksheetModel._display,
    Qt.ItemDataRole.EditRole: WorksheetModel._edit,
    SORT_ROLE: WorksheetModel._sort_key,
    Qt.ItemDataRole.BackgroundRole: WorksheetModel._background,
    Qt.ItemDataRole.ForegroundRole: WorksheetModel._foreground,
    Qt.ItemDataRole.TextAlignmentRole: WorksheetModel._alignment,
    Qt.ItemDataRole.FontRole: WorksheetModel._font,
    Qt.ItemDataRole.ToolTipRole: WorksheetModel._tooltip,
    ID_ROLE: WorksheetModel._id,
    PAINT_ROLE: WorksheetModel._paint_cell,
}


# ---- the proxy: filters, and forwards sorting to the source --------------------------------


class WorksheetProxy(QIdentityProxyModel):
    """The worksheet's proxy: text filter across columns, component filter, AP filter, sort by
    any column. It forwards them to the source model, which applies them in bulk (see the
    module docstring), and maps rows one to one. An identity proxy: a `QSortFilterProxyModel`
    kept a mapping of its own and asked the source's row and column counts for each index it
    mapped (two more Python calls per painted cell)."""

    def source(self) -> WorksheetModel:
        model = self.sourceModel()
        assert isinstance(model, WorksheetModel)
        return model

    # -- filters -------------------------------------------------------------------------
    @property
    def text_filter(self) -> str:
        return self.source().filters[0]

    @property
    def component_filter(self) -> frozenset[int]:
        return self.source().filters[1]

    @property
    def ap_filter(self) -> ActionPriority | None:
        return self.source().filters[2]

    def set_text_filter(self, text: str) -> None:
        self.source().set_filters(text=text)

    def set_component_filter(self, component_ids: Iterable[int]) -> None:
        self.source().set_filters(component_ids=component_ids)

    def set_ap_filter(self, ap: ActionPriority | str | None) -> None:
        self.source().set_filters(ap=ap or None)

    # -- sorting -------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.source().sort(column, order)

    # -- helpers for the view ------------------------------------------------------------
    def failure_mode_id(self, proxy_row: int) -> int:
        return self.source().failure_mode_id(self.mapToSource(self.index(proxy_row, 0)).row())

    def row_of(self, fm_id: int) -> int | None:
        source_row = self.source().row_of(fm_id)
        if source_row is None:
            return None
        index = self.mapFromSource(self.source().index(source_row, 0))
        return index.row() if index.isValid() else None
