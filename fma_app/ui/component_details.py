"""The selected component's own fields: kind, owner, description and the user-facing flag.

Shown in the details dock when one component is selected (in the components list or on the
graph). Each field commits as one undo step through the document's edit gate: the kind and the
flag when changed, the owner on Enter or leaving the box, the description when it loses focus.
"""

from __future__ import annotations

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
from fma_app.domain.model import Component, ComponentKind, Model
from fma_app.ui.context import AppContext
from fma_app.ui.detail_panel import CommitTextEdit

NO_COMPONENT_HINT = "Select one component (in the components list or on the graph) to edit it."
USER_FACING_TIP = "An entry point users reach directly: single points of failure are found from it"


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
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addStretch(1)

    def _connect(self) -> None:
        document = self.document
        self.kind.activated.connect(lambda _i: self.commit("kind", str(self.kind.currentData())))
        self.owner.editingFinished.connect(lambda: self.commit("owner", self.owner.text()))
        self.description.committed.connect(lambda text: self.commit("description", text))
        self.user_facing.toggled.connect(lambda checked: self.commit("user_facing", checked))
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
            for widget in (self.kind, self.owner, self.description, self.user_facing):
                widget.setEnabled(enabled)
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
        finally:
            self._loading = False

    # -- edits ---------------------------------------------------------------------------
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
