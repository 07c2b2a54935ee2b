"""Pure-Python domain: entities, scoring, validation and undoable commands. No Qt, no SQL.

The names below are loaded when first asked for (PEP 562), not when a submodule is imported:
`fma_app.domain.scoring` or `.errors` alone must not build the model's classes (about 40 ms of
a command line start that does not read a model, such as `fma-app --help`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

_SUBMODULE = {
    "ModelError": "errors", "ValidationError": "errors",
    "Action": "model", "ActionStatus": "model", "Component": "model", "ComponentKind": "model",
    "Dependency": "model", "FailureMode": "model", "Model": "model",
    "ModelProperties": "model", "Scores": "model", "Strength": "model",
    "ActionPriority": "scoring", "action_priority": "scoring", "rpn": "scoring",
    "validate_optional_score": "scoring", "validate_score": "scoring",
}  # fmt: skip

__all__ = [
    "Action", "ActionPriority", "ActionStatus", "Component", "ComponentKind", "Dependency",
    "FailureMode", "Model", "ModelError", "ModelProperties", "Scores", "Strength",
    "ValidationError", "action_priority", "rpn", "validate_optional_score", "validate_score",
]  # fmt: skip


def __getattr__(name: str) -> object:
    submodule = _SUBMODULE.get(name)
    if submodule is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{submodule}"), name)
