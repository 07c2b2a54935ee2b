"""Adding one model's contents to another as one undoable step (File > Import Spreadsheet's
"add to the open model").

Components are matched by name, case-insensitively: an imported component whose name the open
model already has is that component (its kind, owner and description stay as they are), so a
second sheet's failure modes join the component the first one created. Every other entity gets a
fresh id of the target model; a dependency the target already has is not added twice.
"""

from __future__ import annotations

from dataclasses import replace

from fma_app.domain.commands import AddEntities
from fma_app.domain.model import Entity, Model


def add_model_command(target: Model, imported: Model, text: str) -> AddEntities:
    """The command that adds `imported`'s contents to `target` (ids reserved in `target`)."""
    ids: dict[int, int] = {}
    added: list[Entity] = []
    for component in imported.components.values():
        existing = target.component_by_name(component.name)
        if existing is not None:
            ids[component.id] = existing.id
            continue
        ids[component.id] = target.new_id()
        added.append(replace(component, id=ids[component.id]))
    pairs = {(d.source_id, d.target_id) for d in target.dependencies.values()}
    for dependency in imported.dependencies.values():
        pair = (ids[dependency.source_id], ids[dependency.target_id])
        if pair in pairs:
            continue
        pairs.add(pair)
        added.append(replace(dependency, id=target.new_id(), source_id=pair[0], target_id=pair[1]))
    for failure_mode in imported.failure_modes.values():
        ids[failure_mode.id] = target.new_id()
        added.append(
            replace(
                failure_mode,
                id=ids[failure_mode.id],
                component_id=ids[failure_mode.component_id],
            )
        )
    for action in imported.actions.values():
        added.append(
            replace(action, id=target.new_id(), failure_mode_id=ids[action.failure_mode_id])
        )
    return AddEntities(added, text)
