"""Pure-Python domain: entities, scoring, validation and undoable commands. No Qt, no SQL."""

from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import (
    Action,
    ActionStatus,
    Component,
    ComponentKind,
    Dependency,
    FailureMode,
    Model,
    ModelProperties,
    Scores,
    Strength,
)
from fma_app.domain.scoring import (
    ActionPriority,
    action_priority,
    rpn,
    validate_optional_score,
    validate_score,
)

__all__ = [
    "Action", "ActionPriority", "ActionStatus", "Component", "ComponentKind", "Dependency",
    "FailureMode", "Model", "ModelError", "ModelProperties", "Scores", "Strength",
    "ValidationError", "action_priority", "rpn", "validate_optional_score", "validate_score",
]  # fmt: skip
