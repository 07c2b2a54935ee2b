"""A model as plain JSON-ready data, and back.

The layout is meant to be read and written by people (the bundled example model is kept this
way): failure modes nest under their component and actions under their failure mode;
dependencies name their ends by component name. Ids are optional on the way in (the example
omits them) and always written on the way out, so `model_from_dict(model_to_dict(m))` rebuilds
`m` exactly. Everything goes through `Model.add_*`, so a bad file is refused with the same
messages as any other input, prefixed with where in the data the problem is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import (
    Action,
    Component,
    Dependency,
    Entity,
    FailureMode,
    Model,
    ModelProperties,
    checked_aliases,
)
from fma_app.domain.resilience import checked_uuid
from fma_app.domain.resilience_data import (
    resilience_from_data,
    resilience_to_data,
    target_from_data,
    target_to_data,
)

FORMAT = "fma-workbench-model"
# 2: components' availability and SLO, redundancy groups that need more than one member.
# 3: the model's identity (uuid), components' chaos targets, failure modes' resilience; also
#    components' aliases (first written under 2, which reads the same: the key is optional).
FORMAT_VERSION = 3

_PROPERTY_KEYS = ("scope", "fmea_number", "team", "revision", "key_date", "prepared_by",
                  "approved_by")  # fmt: skip
_TOP_KEYS = {"format", "format_version", "uuid", "name", "description", "components",
             "dependencies", "redundancy_groups", *_PROPERTY_KEYS}  # fmt: skip
_COMPONENT_KEYS = {"id", "name", "kind", "description", "owner", "x", "y", "user_facing",
                   "availability", "slo", "slo_window_days", "aliases", "chaos_target",
                   "failure_modes"}  # fmt: skip
_GROUP_KEYS = {"component", "group", "needs"}
_DEPENDENCY_KEYS = {"id", "from", "to", "strength", "description", "group"}
_FM_TEXT_KEYS = ("function", "failure_mode", "effect", "cause", "prevention_controls",
                 "detection_controls", "notes", "justification")  # fmt: skip
_FM_KEYS = {"id", "severity", "likelihood", "detection", "revised", "resilience", "actions",
            *_FM_TEXT_KEYS}  # fmt: skip
_ACTION_KEYS = {"id", "description", "owner", "due_date", "status", "action_taken"}
_REVISED_KEYS = {"severity", "likelihood", "detection"}

E = TypeVar("E", bound=Entity)  # one entity kind
T = TypeVar("T")


# ---- model -> data ---------------------------------------------------------------------------
def model_to_dict(model: Model) -> dict[str, Any]:
    """The whole model as JSON-ready data (str, int, float, bool, None, lists, dicts)."""
    names = {c.id: c.name for c in model.components.values()}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "uuid": model.uuid,
        "name": model.name,
        "description": model.description,
        **{key: getattr(model, key) for key in _PROPERTY_KEYS if key != "key_date"},
        "key_date": model.key_date.isoformat() if model.key_date else None,
        "components": [_component_to_dict(model, c) for c in model.components.values()],
        "dependencies": [_dependency_to_dict(d, names) for d in model.dependencies.values()],
        "redundancy_groups": [
            {"component": names[source_id], "group": group, "needs": needs}
            for (source_id, group), needs in model.live_group_needs().items()
        ],
    }


def _component_to_dict(model: Model, component: Component) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": component.id,
        "name": component.name,
        "kind": component.kind.value,
        "owner": component.owner,
        "description": component.description,
        "x": component.x,
        "y": component.y,
        "user_facing": component.user_facing,
        "availability": component.availability,
        "slo": component.slo,
        "slo_window_days": component.slo_window_days,
    }
    if component.aliases:
        data["aliases"] = list(component.aliases)
    if component.chaos_target is not None:
        data["chaos_target"] = target_to_data(component.chaos_target)
    data["failure_modes"] = [
        _failure_mode_to_dict(model, fm) for fm in model.failure_modes_of(component.id)
    ]
    return data


def _failure_mode_to_dict(model: Model, fm: FailureMode) -> dict[str, Any]:
    data: dict[str, Any] = {"id": fm.id}
    data.update({key: getattr(fm, key) for key in ("function", "failure_mode", "effect")})
    data["severity"] = fm.severity
    data["cause"] = fm.cause
    data["likelihood"] = fm.likelihood
    data["prevention_controls"] = fm.prevention_controls
    data["detection_controls"] = fm.detection_controls
    data["detection"] = fm.detection
    data["notes"] = fm.notes
    data["justification"] = fm.justification
    data["revised"] = (
        None
        if fm.revised is None
        else {
            "severity": fm.revised.severity,
            "likelihood": fm.revised.likelihood,
            "detection": fm.revised.detection,
        }
    )
    if not fm.resilience.is_empty:
        data["resilience"] = resilience_to_data(fm.resilience)
    data["actions"] = [_action_to_dict(a) for a in model.actions_of(fm.id)]
    return data


def _action_to_dict(action: Action) -> dict[str, Any]:
    return {
        "id": action.id,
        "description": action.description,
        "owner": action.owner,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "status": action.status.value,
        "action_taken": action.action_taken,
    }


def _dependency_to_dict(dependency: Dependency, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": dependency.id,
        "from": names[dependency.source_id],
        "to": names[dependency.target_id],
        "strength": dependency.strength.value,
        "group": dependency.group,
        "description": dependency.description,
    }


# ---- data -> model ---------------------------------------------------------------------------
def model_from_dict(data: object) -> Model:
    """Build a validated model; raise ValidationError or ModelError naming where the problem is."""
    return _Reader().read(data)


class _Reader:
    def __init__(self) -> None:
        self.model = Model()
        self.used_ids: set[int] = set()

    def read(self, data: object) -> Model:
        top = _mapping(data, "the model", _TOP_KEYS)
        self._check_format(top)
        if top.get("uuid") is not None:
            try:
                self.model.uuid = checked_uuid(top["uuid"])
            except ValidationError as error:
                raise ValidationError(f"the model: {error}") from None
        self.model.name = _text(top, "name", "the model", default="Untitled model")
        self.model.description = _text(top, "description", "the model")
        try:
            properties = ModelProperties.checked(**{key: top.get(key) for key in _PROPERTY_KEYS})
        except ValidationError as error:
            raise ValidationError(f"the model: {error}") from None
        for key in _PROPERTY_KEYS:
            setattr(self.model, key, getattr(properties, key))
        components = _sequence(top.get("components", []), "components")
        for index, item in enumerate(components):
            self._component(item, f"components[{index}]")
        for index, item in enumerate(_sequence(top.get("dependencies", []), "dependencies")):
            self._dependency(item, f"dependencies[{index}]")
        groups = _sequence(top.get("redundancy_groups", []), "redundancy_groups")
        for index, item in enumerate(groups):
            self._group(item, f"redundancy_groups[{index}]")
        return self.model

    @staticmethod
    def _check_format(top: dict[str, Any]) -> None:
        if "format" in top and top["format"] != FORMAT:
            raise ValidationError(f"format {top['format']!r} is not {FORMAT!r}")
        version = top.get("format_version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValidationError(f"format_version {version!r} is not a positive whole number")
        if version > FORMAT_VERSION:
            raise ModelError(
                f"format_version {version} was made by a newer FMA Workbench "
                f"(this one reads up to {FORMAT_VERSION})"
            )

    def _add(self, where: str, item: dict[str, Any], add: Callable[[int | None], E]) -> E:
        """Run one `Model.add_*`, prefixing its error with `where` and refusing reused ids."""
        entity_id = item.get("id")
        if entity_id is not None:
            if not isinstance(entity_id, int) or isinstance(entity_id, bool) or entity_id < 1:
                raise ValidationError(f"{where}: id {entity_id!r} is not a positive whole number")
            if entity_id in self.used_ids:
                raise ModelError(f"{where}: id {entity_id} is used twice")
        try:
            entity = add(entity_id)
        except (ValidationError, ModelError) as error:
            raise type(error)(f"{where}: {error}") from None
        self.used_ids.add(entity.id)
        return entity

    def _component(self, data: object, where: str) -> None:
        item = _mapping(data, where, _COMPONENT_KEYS)
        name = _text(item, "name", where)
        if name.strip():
            where = f"{where} ({name.strip()})"
        component = self._add(
            where,
            item,
            lambda entity_id: self.model.add_component(
                name,
                item.get("kind", "service"),
                id=entity_id,
                description=_text(item, "description", where),
                owner=_text(item, "owner", where),
                x=_number(item, "x", where),
                y=_number(item, "y", where),
                user_facing=_flag(item, "user_facing", where),
                availability=item.get("availability"),
                slo=item.get("slo"),
                slo_window_days=item.get("slo_window_days"),
                aliases=_aliases(item.get("aliases", []), where),
                chaos_target=_prefixed(where, target_from_data, item.get("chaos_target")),
            ),
        )
        for index, fm in enumerate(
            _sequence(item.get("failure_modes", []), f"{where}.failure_modes")
        ):
            self._failure_mode(fm, component.id, f"{where}.failure_modes[{index}]")

    def _failure_mode(self, data: object, component_id: int, where: str) -> None:
        item = _mapping(data, where, _FM_KEYS)
        texts = {key: _text(item, key, where) for key in _FM_TEXT_KEYS}
        revised = _revised(item.get("revised"), f"{where}.revised")
        resilience = _prefixed(where, resilience_from_data, item.get("resilience"))
        fm = self._add(
            where,
            item,
            lambda entity_id: self.model.add_failure_mode(
                component_id,
                id=entity_id,
                severity=item.get("severity"),
                likelihood=item.get("likelihood"),
                detection=item.get("detection"),
                revised=revised,
                resilience=resilience,
                **texts,
            ),
        )
        for index, action in enumerate(_sequence(item.get("actions", []), f"{where}.actions")):
            self._action(action, fm.id, f"{where}.actions[{index}]")

    def _action(self, data: object, failure_mode_id: int, where: str) -> None:
        item = _mapping(data, where, _ACTION_KEYS)
        self._add(
            where,
            item,
            lambda entity_id: self.model.add_action(
                failure_mode_id,
                _text(item, "description", where),
                id=entity_id,
                owner=_text(item, "owner", where),
                due_date=_date(item.get("due_date"), f"{where}.due_date"),
                status=item.get("status", "open"),
                action_taken=_text(item, "action_taken", where),
            ),
        )

    def _dependency(self, data: object, where: str) -> None:
        item = _mapping(data, where, _DEPENDENCY_KEYS)
        source, target = (self._component_id(item, end, where) for end in ("from", "to"))
        self._add(
            where,
            item,
            lambda entity_id: self.model.add_dependency(
                source,
                target,
                item.get("strength", "strong"),
                id=entity_id,
                description=_text(item, "description", where),
                group=_text(item, "group", where),
            ),
        )

    def _group(self, data: object, where: str) -> None:
        item = _mapping(data, where, _GROUP_KEYS)
        source = self._component_id(item, "component", where)
        group = _text(item, "group", where).strip()
        key = (source, group)
        if key in self.model.group_needs:
            raise ModelError(f"{where}: group {group!r} is listed twice")
        try:
            needs = self.model.check_group_needs(source, group, item.get("needs"))
        except (ValidationError, ModelError) as error:
            raise type(error)(f"{where}: {error}") from None
        if needs > 1:
            self.model.group_needs[key] = needs

    def _component_id(self, item: dict[str, Any], end: str, where: str) -> int:
        name = _text(item, end, where)
        component = self.model.component_by_name(name) if name.strip() else None
        if component is None:
            raise ModelError(f"{where}: {end} names no component: {name!r}")
        return component.id


def _prefixed(where: str, read: Callable[[object], T], data: object) -> T | None:
    """`read(data)` for optional nested data, its error prefixed with where it is."""
    if data is None:
        return None
    try:
        return read(data)
    except ValidationError as error:
        raise ValidationError(f"{where}: {error}") from None


# ---- field readers: each names the field and the place when it refuses a value ---------------
def _mapping(data: object, where: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationError(f"{where} must be an object, not {type(data).__name__}")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError(f"{where}: unknown field(s): {', '.join(map(str, unknown))}")
    return data


def _aliases(data: object, where: str) -> tuple[str, ...]:
    names = _sequence(data, f"{where}.aliases")
    try:
        return checked_aliases(names)
    except ValidationError as error:
        raise ValidationError(f"{where}.aliases: {error}") from None


def _sequence(data: object, where: str) -> list[Any]:
    if not isinstance(data, list):
        raise ValidationError(f"{where} must be a list, not {type(data).__name__}")
    return data


def _text(item: dict[str, Any], key: str, where: str, default: str = "") -> str:
    value = item.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationError(f"{where}: {key} {value!r} is not text")
    return value


def _number(item: dict[str, Any], key: str, where: str) -> float:
    value = item.get(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{where}: {key} {value!r} is not a number")
    return float(value)


def _flag(item: dict[str, Any], key: str, where: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise ValidationError(f"{where}: {key} {value!r} is not true or false")
    return value


def _revised(value: object, where: str) -> tuple[object, object, object] | None:
    if value is None:
        return None
    item = _mapping(value, where, _REVISED_KEYS)
    missing = [key for key in ("severity", "likelihood", "detection") if key not in item]
    if missing:
        raise ValidationError(
            f"{where}: revised scores need all three of severity, likelihood, detection "
            f"(missing {', '.join(missing)})"
        )
    return item["severity"], item["likelihood"], item["detection"]


def _date(value: object, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(f"{where} {value!r} is not a date (YYYY-MM-DD)")


def model_to_json(model: Model) -> str:
    return json.dumps(model_to_dict(model), indent=2, ensure_ascii=False) + "\n"


def model_from_json(text: str) -> Model:
    """Parse and validate; malformed JSON is a ValidationError naming line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    return model_from_dict(data)
