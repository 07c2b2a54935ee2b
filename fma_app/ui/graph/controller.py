"""The graph's edits: what a gesture on the canvas changes in the model.

Every edit goes through the document's edit gate as one undo step (a drag of many nodes is one
"Move" command on mouse release, not one per pixel); a refused edit changes nothing, and a
refused drag puts the nodes back where the model has them. Methods return the refusal text (or
None), which the canvas shows beside itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QPointF

from fma_app.analysis.layout import auto_layout
from fma_app.domain.commands import (
    Command,
    Macro,
    add_component,
    add_dependency,
    remove,
    set_fields,
    set_group_needs,
)
from fma_app.domain.model import ComponentKind, Model, Strength
from fma_app.ui.document import Document
from fma_app.ui.graph.items import NodeItem
from fma_app.ui.graph.scene import GraphScene


def next_component_name(model: Model) -> str:
    """ "component N" with the smallest N not taken (names are unique, case-insensitively)."""
    taken = {c.name.casefold() for c in model.components.values()}
    number = len(model.components) + 1
    while f"component {number}" in taken:
        number += 1
    return f"component {number}"


class LayoutCommand(Macro):
    """Moves the whole graph at once (Auto Layout): the canvas fits the graph in view after it
    is done, undone or redone, or the user would be left looking at empty space."""


def positions_command(
    model: Model,
    positions: dict[int, tuple[float, float]],
    text: str,
    kind: type[Macro] = Macro,
) -> Command | None:
    """Move components to new centres as one command; None when none of them moves."""
    commands: list[Command] = []
    for cid, (x, y) in sorted(positions.items()):
        component = model.components.get(cid)
        if component is not None and (component.x, component.y) != (float(x), float(y)):
            commands.append(set_fields(model, "component", cid, x=x, y=y))
    return kind(commands, text) if commands else None


class GraphController(QObject):
    def __init__(self, document: Document, scene: GraphScene, parent: QObject | None = None):
        super().__init__(parent)
        self.document, self.scene = document, scene
        scene.nodes_dropped.connect(self.commit_moves)

    @property
    def model(self) -> Model:
        return self.document.model

    def _edit(
        self, make_command: Callable[[Model], Command | None], refused_as: str = ""
    ) -> str | None:
        """Edit through the document's gate; the refusal text, or None."""
        return self.document.edit(make_command, refused_as=refused_as)

    def add_component_at(self, pos: QPointF, kind: ComponentKind | str = "service") -> int | None:
        """Add a component centred at pos, named "component N"; its id, or None if refused."""
        return self.document.add(
            lambda model: add_component(
                model, next_component_name(model), kind, x=pos.x(), y=pos.y()
            )
        )

    def rename_component(self, component_id: int, name: str) -> str | None:
        """Rename; returns the refusal message (empty or duplicate name) or None."""

        def rename(model: Model) -> Command | None:
            if model.components[component_id].name == name.strip():
                return None
            return set_fields(model, "component", component_id, name=name)

        return self._edit(rename, "Not renamed: ")

    def set_component_fields(self, component_id: int, **values: object) -> str | None:
        return self._edit(lambda model: set_fields(model, "component", component_id, **values))

    def toggle_entry_point(self, component_id: int) -> str | None:
        current = self.model.components[component_id].user_facing
        return self.set_component_fields(component_id, user_facing=not current)

    def toggle_strength(self, dependency_id: int) -> str | None:
        current = self.model.dependencies[dependency_id].strength
        new = Strength.WEAK if current is Strength.STRONG else Strength.STRONG
        return self._edit(
            lambda model: set_fields(model, "dependency", dependency_id, strength=new)
        )

    def set_group(self, dependency_id: int, group: str) -> str | None:
        if self.model.dependencies[dependency_id].group == group.strip():
            return None
        return self._edit(
            lambda model: set_fields(model, "dependency", dependency_id, group=group.strip())
        )

    def set_group_needs(self, source_id: int, group: str, needs: object) -> str | None:
        """The group needs `needs` of its members up (refused unless 1 to the group's size)."""
        if str(needs).strip() == str(self.model.needs_of(source_id, group)):
            return None
        return self._edit(lambda model: set_group_needs(model, source_id, group, needs))

    def connect_components(
        self, source_id: int, target_id: int, strength: Strength | str = Strength.STRONG
    ) -> str | None:
        """Add "source depends on target"; returns the refusal message or None."""
        return self._edit(
            lambda model: add_dependency(model, source_id, target_id, strength=strength),
            "Not connected: ",
        )

    def delete(self, component_ids: Iterable[int] = (), dependency_ids: Iterable[int] = ()) -> bool:
        """Delete components (with their dependencies and failure modes) and dependencies."""
        components = [cid for cid in component_ids if cid in self.model.components]
        gone = set(components)
        dependencies = [
            did
            for did in dependency_ids
            if did in self.model.dependencies
            and not {self.model.dependencies[did].source_id, self.model.dependencies[did].target_id}
            & gone
        ]
        if not components and not dependencies:
            return False

        def removal(model: Model) -> Command:
            commands: list[Command] = []
            if dependencies:
                commands.append(remove(model, "dependency", dependencies))
            if components:
                commands.append(remove(model, "component", components))
            return commands[0] if len(commands) == 1 else Macro(commands, "Delete Selection")

        return self._edit(removal) is None

    def delete_selected(self) -> bool:
        scene = self.scene
        return self.delete(scene.selected_component_ids(), scene.selected_dependency_ids())

    def commit_moves(self) -> bool:
        """After a drag: record every node whose position differs from the model as ONE command.

        `do()` writes the positions the items already have, and the `changed` refresh puts the
        items where they are, so undo/redo both go through the same path. A refused move puts
        the nodes back where the model has them.
        """
        moved = [
            item
            for item in self.scene.selectedItems()
            if isinstance(item, NodeItem)
            and item.component_id in self.model.components
            and (item.pos().x(), item.pos().y())
            != (
                self.model.components[item.component_id].x,
                self.model.components[item.component_id].y,
            )
        ]
        if not moved:
            return False
        positions = {n.component_id: (n.pos().x(), n.pos().y()) for n in moved}
        text = "Move Component" if len(moved) == 1 else f"Move {len(moved)} Components"
        if self._edit(lambda model: positions_command(model, positions, text)) is None:
            return True
        for node in moved:
            node.update_from(self.model.components[node.component_id])
        self.scene.nodes_moved(moved)
        return False

    def apply_positions(
        self, positions: dict[int, tuple[float, float]], text: str, kind: type[Macro] = Macro
    ) -> bool:
        """Move many components as one undo step (automatic layout)."""
        command = self.document.apply(lambda model: positions_command(model, positions, text, kind))
        return command is not None

    def auto_layout(self) -> bool:
        return self.apply_positions(auto_layout(self.model), "Automatic Layout", LayoutCommand)
