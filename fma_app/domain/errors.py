"""Errors the domain raises; their messages are shown to users as they are."""


class ValidationError(ValueError):
    """A value was refused. The message names the field and the value."""


class ModelError(ValueError):
    """An edit would break the model's rules (unknown id, duplicate name, self-dependency...)."""
