"""The selected component's own fields: kind, owner, description, the user-facing flag, its own
availability and, for an entry point, its SLO and window.

Shown in the details dock when one component is selected (in the components list or on the
graph). Each field commits as one undo step through the document's edit gate: the kind and the
flag when changed, the owner, availability, SLO and window on Enter or leaving the box, the
description when it loses focus. A refused value (101 %, text) is said under the fields and the
component keeps what it had.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from fma_app.domain.commands import Change, Command, set_fields
from fma_app.domain.errors import ValidationError
from fma_app.domain.model import (
    DEFAULT_SLO_WINDOW_DAYS,
    Component,
    ComponentKind,
    Model,
    parse_fraction,
    parse_slo,
    parse_window_days,
)
from fma_app.presentation.availability import percent_number
from fma_app.presentation.style import SLO_MISSED
from fma_app.ui.context import AppContext
from fma_app.ui.detail_panel import CommitTextEdit

NO_COMPONENT_HINT = "Select one component (in the components list or on the graph) to edit it."
USER_FACING_TIP = "An entry point users reach directly: single points of failure are found from it"
AVAILABILITY_HINT = (
    "Its own availability (an SLA or measured), with its dependencies' outages taken out: "
    "they count through the graph. Empty: unknown, counted as 100 % (an upper bound)."
)
AVAILABILITY_PLACEHOLDER = "unknown (e.g. 99.95)"
SLO_TIP = "The availability this entry point's users are promised, as a percent (99.9)"
WINDOW_TIP = "The SLO's window in days (30, or 4w); the error budget is counted over it"
SLO_ONLY_ENTRY = "SLOs are for entry points: tick User-facing first"


class ComponentDetails(QWidget):
    """Kind, owner, description and user-facing flag of the one selected component."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = context.document
        self.component_id = 0
        self._loading = False
        self.title = QLabel(NO_COMPONENT_HINT, self)
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.kind = QComboBox(self)
        for kind in ComponentKind:
            self.kind.addItem(kind.value.replace("_", " ").capitalize(), kind.value)
        self.owner = QLineEdit(self)
        self.owner.setPlaceholderText("Team or person responsible")
        self.description = CommitTextEdit(self)
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(88)
        self.user_facing = QCheckBox("User-facing (an entry point)", self)
        self.user_facing.setToolTip(USER_FACING_TIP)
        self.availability = self._percent_box(AVAILABILITY_PLACEHOLDER, AVAILABILITY_HINT)
        self.availability_hint = QLabel(AVAILABILITY_HINT, self)
        self.availability_hint.setWordWrap(True)
        self.availability_hint.setEnabled(False)  # greyed: a note, not a field
        self.slo = self._percent_box("none", SLO_TIP)
        self.slo_window = QLineEdit(self)
        self.slo_window.setPlaceholderText(str(DEFAULT_SLO_WINDOW_DAYS))
        self.slo_window.setToolTip(WINDOW_TIP)
        self.problem = QLabel("", self)
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet(f"color: {SLO_MISSED.text};")
        self._build()
        self._connect()
        self.show_component(0)

    def _build(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Kind", self.kind)
        form.addRow("Owner", self.owner)
        form.addRow("Description", self.description)
        form.addRow("", self.user_facing)
        form.addRow("Availability %", self.availability)
        form.addRow("", self.availability_hint)
        form.addRow("SLO %", self.slo)
        form.addRow("SLO window (days)", self.slo_window)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def _percent_box(self, placeholder: str, tip: str) -> QLineEdit:
        box = QLineEdit(self)
        box.setPlaceholderText(placeholder)
        box.setToolTip(tip + "\nType 99.95, 99.95 % or 0.9995; empty it for none.")
        return box

    def _connect(self) -> None:
        document = self.document
        self.kind.activated.connect(lambda _i: self.commit("kind", str(self.kind.currentData())))
        self.owner.editingFinished.connect(lambda: self.commit("owner", self.owner.text()))
        self.description.committed.connect(lambda text: self.commit("description", text))
        self.user_facing.toggled.connect(lambda checked: self.commit("user_facing", checked))
        for box, field, parse in (
            (self.availability, "availability", parse_fraction),
            (self.slo, "slo", parse_slo),
            (self.slo_window, "slo_window_days", parse_window_days),
        ):
            box.editingFinished.connect(
                lambda box=box, field=field, parse=parse: self.commit_typed(field, box, parse)
            )
        document.selection.components_selected.connect(self._components_selected)
        document.changed.connect(self._on_changed)
        document.model_replaced.connect(lambda: self.show_component(0))
        document.read_only_changed.connect(lambda _read_only: self._load())

    # -- showing -------------------------------------------------------------------------
    def current(self) -> Component | None:
        return self.document.model.components.get(self.component_id)

    def _components_selected(self, ids: list[int]) -> None:
        self.show_component(ids[0] if len(ids) == 1 else 0)

    def show_component(self, component_id: int) -> None:
        if component_id != self.component_id:
            self.problem.clear()
        self.component_id = component_id
        self._load()

    def _on_changed(self, changes: list[Change]) -> None:
        if any(c.kind == "component" and self.component_id in c.ids for c in changes):
            if self.current() is None:
                self.component_id = 0
            self._load()

    def _load(self) -> None:
        component = self.current()
        enabled = component is not None and not self.document.read_only
        self._loading = True
        try:
            for widget in (self.kind, self.owner, self.description, self.user_facing,
                           self.availability):  # fmt: skip
                widget.setEnabled(enabled)
            entry = enabled and component is not None and component.user_facing
            for box in (self.slo, self.slo_window):
                box.setEnabled(entry)
                box.setToolTip((SLO_TIP if box is self.slo else WINDOW_TIP) if entry
                               else SLO_ONLY_ENTRY)  # fmt: skip
            self.title.setText(
                f"Component: {component.name}" if component is not None else NO_COMPONENT_HINT
            )
            kind = component.kind.value if component else ComponentKind.SERVICE.value
            self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
            owner = component.owner if component else ""
            if self.owner.text() != owner:
                self.owner.setText(owner)
            description = component.description if component else ""
            if self.description.toPlainText() != description:
                self.description.setPlainText(description)
            self.user_facing.setChecked(bool(component and component.user_facing))
            self._show_figures(component)
        finally:
            self._loading = False

    def _show_figures(self, component: Component | None) -> None:
        own = component.availability if component else None
        slo = component.slo if component else None
        window = component.slo_window_days if component else DEFAULT_SLO_WINDOW_DAYS
        for box, text in (
            (self.availability, "" if own is None else percent_number(own)),
            (self.slo, "" if slo is None else percent_number(slo)),
            (self.slo_window, "" if component is None else str(window)),
        ):
            if box.text() != text:
                box.setText(text)

    # -- edits ---------------------------------------------------------------------------
    def commit_typed(
        self, field: str, box: QLineEdit, parse: Callable[[str, object], object]
    ) -> bool:
        """A typed figure through the gate: nothing happens when it means what the component
        already has (99.95 for 0.9995); a refusal is said under the fields."""
        component = self.current()
        if self._loading or component is None:
            return False
        text = box.text()
        try:
            if parse(field, text) == getattr(component, field):
                self.problem.clear()
                self._show_figures(component)  # 99.950 reads 99.95 again
                return False
        except ValidationError:
            pass  # the gate refuses it with the domain's words
        component_id = component.id

        def make(model: Model) -> Command:
            return set_fields(model, "component", component_id, **{field: text})

        refusal = self.document.edit(make)
        self.problem.setText(refusal or "")
        if refusal is not None:
            self._load()
            return False
        return True

    def commit(self, field: str, value: object) -> bool:
        """One field through the gate as one undo step; unchanged values make no step, and a
        refused one (read-only, a bad value) shows the component's values again."""
        component = self.current()
        if self._loading or component is None:
            return False
        if str(getattr(component, field)) == str(value):
            return False
        component_id = component.id

        def make(model: Model) -> Command:
            return set_fields(model, "component", component_id, **{field: value})

        if self.document.apply(make) is not None:
            return True
        self._load()
        return False
