"""The model: components, dependencies, failure modes and actions, as plain Python objects.

Entities are mutable dataclasses owned by one `Model`, keyed by integer ids. The UI changes a
model only through undoable commands (`fma_app.domain.commands`); importers and storage build
it through the `add_*` methods, which validate every rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from fma_app.domain.dates import parse_date as parse_date  # its readers import it from here
from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.resilience import NO_RESILIENCE, ChaosTarget, Resilience, new_model_uuid
from fma_app.domain.scoring import (
    ActionPriority,
    action_priority,
    rpn,
    validate_optional_score,
)
from fma_app.domain.scoring import Scores as Scores  # there so `rank` reads it without this module


class ComponentKind(StrEnum):
    SERVICE = "service"
    DATABASE = "database"
    QUEUE = "queue"
    CACHE = "cache"
    EXTERNAL = "external"
    NETWORK = "network"
    HOST = "host"
    OTHER = "other"


class Strength(StrEnum):
    STRONG = "strong"
    WEAK = "weak"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_closed(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.CANCELLED)


E = TypeVar("E", bound=StrEnum)
IdSource = Callable[[], int]  # returns a new id, unique in the model (see Model.set_id_source)


def parse_enum(enum_type: type[E], field_name: str, value: object) -> E:
    """Accept an enum member or its text in any case ("In Progress", "in_progress")."""
    if isinstance(value, enum_type):
        return value
    text = str(value).strip().lower().replace("_", " ").replace("-", " ")
    for member in enum_type:
        if member.value == text:
            return member
    allowed = ", ".join(member.value for member in enum_type)
    raise ValidationError(f"{field_name} {value!r} is not one of: {allowed}")


DEFAULT_SLO_WINDOW_DAYS = 30
MAX_SLO_WINDOW_DAYS = 3660  # ten years: a longer window is a typo


def parse_fraction(label: str, value: object) -> float | None:
    """An availability or SLO as a fraction 0-1, from a fraction (0.9995), a percent number
    (99.95: any number above 1 is a percent) or a text of either ("99.95 %", "0.9995").

    None or blank is None (unknown). Raises ValidationError naming `label` for anything else,
    including percents above 100 and negative numbers."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{label} {value!r} is not a percentage")
    percent_sign = False
    if isinstance(value, str):
        text = value.strip()
        percent_sign = text.endswith("%")
        text = text.removesuffix("%").strip().replace(",", ".") if percent_sign else text
        number: object = text
    else:
        number = value
    try:
        # Decimal, so "99.95" becomes exactly the float nearest 0.9995 and not 0.9995000000000001.
        exact = Decimal(str(number)) if isinstance(number, int | float | str) else None
    except InvalidOperation:
        exact = None
    if exact is None or not exact.is_finite():
        raise ValidationError(f"{label} {value!r} is not a percentage")
    if percent_sign or exact > 1:
        exact /= 100
    if not 0 <= exact <= 1:
        raise ValidationError(f"{label} {value!r} is not a percentage from 0 to 100")
    return float(exact)


def parse_slo(label: str, value: object) -> float | None:
    """An SLO target: like `parse_fraction`, but above 0 and below 100 % (a 100 % target
    allows no downtime at all, so no error budget can be computed)."""
    fraction = parse_fraction(label, value)
    if fraction is not None and not 0 < fraction < 1:
        raise ValidationError(f"{label} {value!r} must be above 0 and below 100 %")
    return fraction


def parse_window_days(label: str, value: object) -> int:
    """An SLO window in whole days (30, "30", "30d", "4w"); None or blank is the default."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_SLO_WINDOW_DAYS
    days: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        days = value
    elif isinstance(value, float) and value.is_integer():
        days = int(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        scale = 7 if text.endswith("w") else 1
        text = text.removesuffix("d").removesuffix("w").strip()
        days = int(text) * scale if text.isdigit() else None
    if days is None or not 1 <= days <= MAX_SLO_WINDOW_DAYS:
        raise ValidationError(
            f"{label} {value!r} is not a whole number of days from 1 to {MAX_SLO_WINDOW_DAYS}"
        )
    return days


@dataclass
class Component:
    id: int
    name: str
    kind: ComponentKind = ComponentKind.SERVICE
    description: str = ""
    owner: str = ""
    x: float = 0.0
    y: float = 0.0
    user_facing: bool = False  # an entry point for single-point-of-failure analysis
    # The component's own availability as a fraction (0.9995 for 99.95 %), its dependencies'
    # outages left out (the graph counts those); None when unknown.
    availability: float | None = None
    # For an entry point: the availability its users are promised, and over how many days.
    slo: float | None = None
    slo_window_days: int = DEFAULT_SLO_WINDOW_DAYS
    # Other names of this component (service names in traces), matched case-insensitively like
    # the name, so "payments-api" in a trace finds the model's "Payments API gateway".
    aliases: tuple[str, ...] = ()
    chaos_target: ChaosTarget | None = None  # where chaos experiments inject a fault


@dataclass(frozen=True)
class ObservedCalls:
    """What traces saw of one dependency in the period `first_seen`..`last_seen` (the spans' own
    times). Traces are sampled: counts are what the sample held, not every call. `errors`,
    `p50_ms` and `p99_ms` are None where the input cannot say (a dependency list has counts
    only). A trace import replaces these, and only these, on every re-import."""

    calls: int
    errors: int | None = None
    p50_ms: float | None = None  # client-side latency percentiles, milliseconds
    p99_ms: float | None = None
    first_seen: dt.datetime | None = None  # UTC
    last_seen: dt.datetime | None = None

    @staticmethod
    def checked(
        calls: object,
        errors: object = None,
        p50_ms: object = None,
        p99_ms: object = None,
        first_seen: object = None,
        last_seen: object = None,
    ) -> ObservedCalls:
        """Checked statistics; raises ValidationError naming the value and the problem."""
        checked_calls = _count("observed calls", calls)
        if checked_calls is None:
            raise ValidationError("observed calls must be a whole number 0 or more, not None")
        checked_errors = _count("observed errors", errors)
        if checked_errors is not None and checked_errors > checked_calls:
            raise ValidationError(
                f"observed errors {checked_errors} exceed the observed calls {checked_calls}"
            )
        first, last = _utc("first seen", first_seen), _utc("last seen", last_seen)
        if first is not None and last is not None and last < first:
            raise ValidationError(f"last seen {last.isoformat()} is before first seen")
        return ObservedCalls(
            checked_calls,
            checked_errors,
            _milliseconds("p50 latency", p50_ms),
            _milliseconds("p99 latency", p99_ms),
            first,
            last,
        )


MAX_COUNT = 2**62  # fits SQLite's INTEGER with room; a count beyond it is not a real count


def _count(label: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise ValidationError(f"{label} {value!r} is not a whole number 0 or more")
    return value


def _milliseconds(label: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{label} {value!r} is not a number of milliseconds")
    milliseconds = float(value)
    if not 0.0 <= milliseconds <= 1e15:  # also refuses NaN and infinity
        raise ValidationError(f"{label} {value!r} is not a number of milliseconds")
    return milliseconds


def _utc(label: str, value: object) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(f"{label} {value!r} is not an ISO 8601 time") from None
    if not isinstance(value, dt.datetime):
        raise ValidationError(f"{label} {value!r} is not a time")
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def checked_aliases(values: object) -> tuple[str, ...]:
    """Aliases from a list (or a comma/newline separated text): trimmed, one line each, blanks
    and repeats (case-insensitively) dropped, in the order given."""
    if values is None:
        return ()
    items: list[object]
    if isinstance(values, str):
        items = [part for line in values.splitlines() for part in line.split(",")]
    elif isinstance(values, Iterable):
        items = list(values)
    else:
        raise ValidationError(f"aliases {values!r} must be a list of names")
    result: list[str] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise ValidationError(f"alias {item!r} must be text")
        alias = item.strip()
        if any(ch in alias for ch in "\r\n,"):
            # A comma separates aliases where they are written as one text (the report).
            raise ValidationError(f"alias {alias!r} must be one line without commas")
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            result.append(alias)
    return tuple(result)


@dataclass
class Dependency:
    """`source` depends on `target`.

    Dependencies from one source that share a non-empty `group` form a redundancy group: the
    source is down through that group when fewer of its targets are up than the group needs
    (`Model.group_needs`, one by default: any one is enough).
    """

    id: int
    source_id: int
    target_id: int
    strength: Strength = Strength.STRONG
    description: str = ""
    group: str = ""
    observed: ObservedCalls | None = None  # from the last trace import; None if never seen


@dataclass
class FailureMode:
    """One failure mode. Severity, likelihood and detection are each None until rated: a
    severity is often known before anyone rates likelihood. RPN and AP exist only when all three
    are set; a failure mode that is not rated yet is never treated as low risk."""

    id: int
    component_id: int
    function: str = ""
    failure_mode: str = ""
    effect: str = ""
    severity: int | None = None
    cause: str = ""
    likelihood: int | None = None
    prevention_controls: str = ""
    detection_controls: str = ""
    detection: int | None = None
    notes: str = ""
    revised: Scores | None = None  # after actions: all three scores or none
    # Why the current controls are adequate without a further action (AIAG-VDA accepts a
    # documented reason for a high Action Priority); blank when none is recorded.
    justification: str = ""
    resilience: Resilience = NO_RESILIENCE  # fault, hypothesis, probe, mitigations, runbook

    @property
    def is_rated(self) -> bool:
        return None not in (self.severity, self.likelihood, self.detection)

    @property
    def scores(self) -> Scores | None:
        """All three scores, or None while any of them is not rated yet."""
        if self.severity is None or self.likelihood is None or self.detection is None:
            return None
        return Scores(self.severity, self.likelihood, self.detection)

    @property
    def rpn(self) -> int | None:
        # Straight from the fields: ranking calls this 20,000 times and a Scores object per call
        # was a third of its time.
        severity, likelihood, detection = self.severity, self.likelihood, self.detection
        if severity is None or likelihood is None or detection is None:
            return None
        return rpn(severity, likelihood, detection)

    @property
    def ap(self) -> ActionPriority | None:
        severity, likelihood, detection = self.severity, self.likelihood, self.detection
        if severity is None or likelihood is None or detection is None:
            return None
        return action_priority(severity, likelihood, detection)

    @property
    def revised_rpn(self) -> int | None:
        return self.revised.rpn if self.revised else None

    @property
    def revised_ap(self) -> ActionPriority | None:
        return self.revised.ap if self.revised else None


@dataclass
class Action:
    id: int
    failure_mode_id: int
    description: str = ""
    owner: str = ""
    due_date: dt.date | None = None
    status: ActionStatus = ActionStatus.OPEN
    action_taken: str = ""

    def days_overdue(self, as_of: dt.date) -> int:
        """Days past the due date as of `as_of`; 0 when closed, undated or not yet due. The one
        rule of "overdue" that the report's Actions sheet and `fma-app check` share."""
        if self.status.is_closed or self.due_date is None or self.due_date >= as_of:
            return 0
        return (as_of - self.due_date).days


Entity = Component | Dependency | FailureMode | Action

TEXT_FIELDS_FAILURE_MODE = (
    "function", "failure_mode", "effect", "cause", "prevention_controls",
    "detection_controls", "notes", "justification",
)  # fmt: skip
SCORE_FIELDS = ("severity", "likelihood", "detection")


def checked_revised(revised: object) -> Scores:
    """Revised scores from a `Scores` or any three values, each checked 1-10."""
    triple: tuple[object, ...] = ()
    if isinstance(revised, Scores):
        triple = (revised.severity, revised.likelihood, revised.detection)
    elif isinstance(revised, Iterable):
        triple = tuple(revised)
    if len(triple) != 3:
        raise ValidationError(
            f"revised scores {revised!r} must be all three of severity, likelihood, detection"
        )
    return Scores.checked(*triple, prefix="revised ")


def checked_target(target: object) -> ChaosTarget | None:
    if target is not None and not isinstance(target, ChaosTarget):
        raise ValidationError(f"chaos target {target!r} is not a ChaosTarget")
    return target


def checked_resilience(resilience: object) -> Resilience:
    if resilience is None:
        return NO_RESILIENCE
    if not isinstance(resilience, Resilience):
        raise ValidationError(f"resilience {resilience!r} is not a Resilience")
    return resilience


def field_names(entity_type: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(entity_type))


DEFAULT_MODEL_NAME = "Untitled model"
# Header fields of the AIAG-VDA FMEA form that fit on one line of a page header or a form cell.
_ONE_LINE_PROPERTIES = ("name", "fmea_number", "revision", "prepared_by", "approved_by")
PROPERTY_LABELS: dict[str, str] = {
    "name": "Name", "description": "Description", "scope": "Scope",
    "fmea_number": "FMEA number", "team": "Team", "revision": "Revision",
    "key_date": "Key date", "prepared_by": "Prepared by", "approved_by": "Approved by",
}  # fmt: skip


@dataclass(frozen=True)
class ModelProperties:
    """What the header of an AIAG-VDA FMEA form holds and a review expects to see.

    Build checked values with `ModelProperties.checked`; a Model holds them as its own fields.
    """

    name: str = DEFAULT_MODEL_NAME
    description: str = ""
    scope: str = ""
    fmea_number: str = ""
    team: str = ""
    revision: str = ""
    key_date: dt.date | None = None  # the date the FMEA is due to be complete
    prepared_by: str = ""
    approved_by: str = ""

    @staticmethod
    def checked(**values: object) -> ModelProperties:
        """Validated properties; raises ValidationError naming the field and the problem."""
        unknown = set(values) - set(PROPERTY_LABELS)
        if unknown:
            raise ValidationError(f"unknown model propert(ies): {', '.join(sorted(unknown))}")
        key_date = parse_date(PROPERTY_LABELS["key_date"], values.pop("key_date", None))
        texts: dict[str, str] = {}
        for name, value in values.items():
            label = PROPERTY_LABELS[name]
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise ValidationError(f"{label} must be text, not {value!r}")
            text = value.strip()
            if name in _ONE_LINE_PROPERTIES and any(ch in text for ch in "\r\n"):
                raise ValidationError(f"{label} must be one line")
            texts[name] = text
        if "name" in texts and not texts["name"]:
            raise ValidationError("the model name must not be empty")
        return ModelProperties(**texts, key_date=key_date)


@dataclass
class Model:
    """One open model. Collections are dicts keyed by id, in insertion order."""

    name: str = DEFAULT_MODEL_NAME
    description: str = ""
    scope: str = ""
    fmea_number: str = ""
    team: str = ""
    revision: str = ""
    key_date: dt.date | None = None
    prepared_by: str = ""
    approved_by: str = ""
    # The model's identity, made once: copies, saves and the report round trip keep it, so a
    # chaos draft and its journal name the model they came from. Not part of `content()`.
    uuid: str = field(default_factory=new_model_uuid)
    components: dict[int, Component] = field(default_factory=dict)
    dependencies: dict[int, Dependency] = field(default_factory=dict)
    failure_modes: dict[int, FailureMode] = field(default_factory=dict)
    actions: dict[int, Action] = field(default_factory=dict)
    # (source component id, group name) -> how many of the group's members the source needs
    # up, for groups that need more than one (the default, any one, is not stored). Kept when
    # a group loses its dependencies, so an undo brings the group back whole; only groups that
    # have dependencies count (`live_group_needs`).
    group_needs: dict[tuple[int, str], int] = field(default_factory=dict)
    _next_id: int = 1
    # casefolded name -> id; rebuilt lazily (see component_by_name)
    _names: dict[str, int] | None = field(default=None, repr=False, compare=False)
    # (source id, target id) -> dependency id, and the dict it indexes; rebuilt lazily (see
    # dependency_between)
    _ends: dict[tuple[int, int], int] | None = field(default=None, repr=False, compare=False)
    _ends_of: dict[int, Dependency] | None = field(default=None, repr=False, compare=False)
    # Where new ids come from when the model is shared (set_id_source): None for a file model,
    # whose ids come from `_next_id`.
    _id_source: IdSource | None = field(default=None, repr=False, compare=False)

    # ---- ids -------------------------------------------------------------------------------
    def new_id(self) -> int:
        """Ids are unique across all entity kinds of a model, so a change names one thing.

        A shared model takes them from its id source instead: the counter in `_next_id` is this
        copy's only, and two people adding rows at once would both take the same id from it."""
        if self._id_source is not None:
            new = self._id_source()
            self._next_id = max(self._next_id, new + 1)
            return new
        next_id = self._next_id
        self._next_id += 1
        return next_id

    def set_id_source(self, source: IdSource | None) -> None:
        """Hand out new ids from `source` (a team store's allocator), or again from the model's
        own counter with None. Every id the source returns must be unused in the model."""
        self._id_source = source

    @property
    def id_source(self) -> IdSource | None:
        """The id source set by `set_id_source`, for code that hands out ids in bulk (a
        merge's additions); None for a model that numbers its own records."""
        return self._id_source

    def _reserve(self, entity_id: int | None) -> int:
        if entity_id is None:
            return self.new_id()
        self._next_id = max(self._next_id, entity_id + 1)
        return entity_id

    # ---- properties (the form's header) ------------------------------------------------------
    @property
    def properties(self) -> ModelProperties:
        return ModelProperties(**{name: getattr(self, name) for name in PROPERTY_LABELS})

    def set_properties(self, properties: ModelProperties) -> None:
        for name in PROPERTY_LABELS:
            setattr(self, name, getattr(properties, name))

    # ---- look-ups --------------------------------------------------------------------------
    def component(self, component_id: int) -> Component:
        try:
            return self.components[component_id]
        except KeyError:
            raise ModelError(f"there is no component with id {component_id}") from None

    def component_by_name(self, name: str) -> Component | None:
        """Case-insensitive look-up through a lazily built index.

        The index is rebuilt when the number of components changed or `invalidate_names()` was
        called (commands do so on every component insert, removal and rename), and every hit is
        checked against the component's current name.
        """
        wanted = name.strip().casefold()
        for _attempt in range(2):
            if self._names is None or len(self._names) != len(self.components):
                self._names = {c.name.casefold(): c.id for c in self.components.values()}
            found = self.components.get(self._names.get(wanted, 0))
            if found is None or found.name.casefold() == wanted:
                return found
            self._names = None  # stale hit: a rename bypassed invalidate_names()
        return None

    def invalidate_names(self) -> None:
        """Components or dependencies were changed behind the model's back (a merge, a copy,
        a command): the look-up indexes are rebuilt when next used."""
        self.invalidate_indexes()

    def invalidate_indexes(self) -> None:
        self._names = None
        self._ends = None

    def dependency_between(self, source_id: int, target_id: int) -> Dependency | None:
        """The dependency from one component to another, through a lazily built index.

        The index is rebuilt when `dependencies` is another dict or holds another number of
        dependencies, or after `invalidate_indexes()` (commands call it when they insert or
        remove a dependency or move its ends); every hit is checked against the dependency's
        current ends. Scanning every dependency instead made adding n of them O(n^2)
        (20,000 on the 2,000-component model: 64 s)."""
        wanted = (source_id, target_id)
        for _attempt in range(2):
            ends = self._ends
            if (
                ends is None
                or self._ends_of is not self.dependencies
                or len(ends) != len(self.dependencies)
            ):
                ends = self._ends = {
                    (d.source_id, d.target_id): d.id for d in self.dependencies.values()
                }
                self._ends_of = self.dependencies
            found = self.dependencies.get(ends.get(wanted, 0))
            if found is None or (found.source_id, found.target_id) == wanted:
                return found
            self._ends = None  # stale hit: its ends moved without invalidate_indexes()
        return None

    def failure_mode(self, failure_mode_id: int) -> FailureMode:
        try:
            return self.failure_modes[failure_mode_id]
        except KeyError:
            raise ModelError(f"there is no failure mode with id {failure_mode_id}") from None

    def failure_modes_of(self, component_id: int) -> list[FailureMode]:
        return [fm for fm in self.failure_modes.values() if fm.component_id == component_id]

    def actions_of(self, failure_mode_id: int) -> list[Action]:
        return [a for a in self.actions.values() if a.failure_mode_id == failure_mode_id]

    def dependencies_of(self, component_id: int) -> list[Dependency]:
        """Dependencies where the component is either end."""
        return [d for d in self.dependencies.values() if component_id in (d.source_id, d.target_id)]

    def group_members(self, source_id: int, group: str) -> list[Dependency]:
        """The dependencies of `source_id` in redundancy group `group` (none for "")."""
        if not group:
            return []
        return [
            d for d in self.dependencies.values() if d.source_id == source_id and d.group == group
        ]

    def needs_of(self, source_id: int, group: str) -> int:
        """How many members of the group must be up, at most its size (1: any one)."""
        needs = self.group_needs.get((source_id, group), 1)
        return max(1, min(needs, len(self.group_members(source_id, group)) or 1))

    def live_group_needs(self) -> dict[tuple[int, str], int]:
        """What each group with dependencies needs, at most its size, where that is more than
        one: as saved, compared and analysed (an entry outlives its group for undo's sake)."""
        if not self.group_needs:
            return {}
        sizes: dict[tuple[int, str], int] = {}
        for dep in self.dependencies.values():
            if dep.group:
                sizes[(dep.source_id, dep.group)] = sizes.get((dep.source_id, dep.group), 0) + 1
        live = {key: min(needs, sizes.get(key, 0)) for key, needs in self.group_needs.items()}
        return {key: needs for key, needs in live.items() if needs > 1}

    def check_group_needs(self, source_id: int, group: str, needs: object) -> int:
        """A whole number from 1 to the group's size; raises naming the group."""
        source = self.component(source_id)
        members = len(self.group_members(source_id, group.strip()))
        if not members:
            raise ModelError(f"{source.name!r} has no redundancy group named {group!r}")
        count = needs if isinstance(needs, int) and not isinstance(needs, bool) else None
        if isinstance(needs, str) and needs.strip().isdigit():
            count = int(needs.strip())
        if count is None or not 1 <= count <= members:
            raise ValidationError(
                f"group {group!r} of {source.name!r} has {members} member(s): it can need "
                f"from 1 to {members} of them, not {needs!r}"
            )
        return count

    def iter_entities(self) -> Iterator[Entity]:
        yield from self.components.values()
        yield from self.dependencies.values()
        yield from self.failure_modes.values()
        yield from self.actions.values()

    # ---- checks ----------------------------------------------------------------------------
    def check_component_name(self, name: str, ignore_id: int | None = None) -> str:
        cleaned = name.strip()
        if not cleaned:
            raise ValidationError("component name must not be empty")
        existing = self.component_by_name(cleaned)
        if existing is not None and existing.id != ignore_id:
            raise ModelError(f"a component named {cleaned!r} already exists")
        return cleaned

    def check_dependency(
        self, source_id: int, target_id: int, ignore_id: int | None = None
    ) -> None:
        source, target = self.component(source_id), self.component(target_id)
        if source_id == target_id:
            raise ModelError(f"component {source.name!r} cannot depend on itself")
        existing = self.dependency_between(source_id, target_id)
        if existing is not None and existing.id != ignore_id:
            raise ModelError(f"{source.name!r} already depends on {target.name!r}")

    # ---- building (validated) --------------------------------------------------------------
    def add_component(
        self,
        name: str,
        kind: ComponentKind | str = ComponentKind.SERVICE,
        *,
        id: int | None = None,
        description: str = "",
        owner: str = "",
        x: float = 0.0,
        y: float = 0.0,
        user_facing: bool = False,
        availability: object = None,
        slo: object = None,
        slo_window_days: object = DEFAULT_SLO_WINDOW_DAYS,
        aliases: Iterable[str] = (),
        chaos_target: ChaosTarget | None = None,
    ) -> Component:
        component = Component(
            id=0,
            name=self.check_component_name(name),
            kind=parse_enum(ComponentKind, "kind", kind),
            description=description,
            owner=owner,
            x=float(x),
            y=float(y),
            user_facing=bool(user_facing),
            availability=parse_fraction("availability", availability),
            slo=parse_slo("SLO", slo),
            slo_window_days=parse_window_days("SLO window", slo_window_days),
            aliases=checked_aliases(aliases),
            chaos_target=checked_target(chaos_target),
        )
        component.id = self._reserve(id)
        names = self._names
        self.components[component.id] = component
        if names is not None and len(names) == len(self.components) - 1:
            # Keep the name index current: rebuilding it on every add made building a model
            # of n components O(n^2) (4,000 imported components: 6 s).
            names[component.name.casefold()] = component.id
        return component

    def add_dependency(
        self,
        source_id: int,
        target_id: int,
        strength: Strength | str = Strength.STRONG,
        *,
        id: int | None = None,
        description: str = "",
        group: str = "",
        observed: ObservedCalls | None = None,
    ) -> Dependency:
        self.check_dependency(source_id, target_id)
        dependency = Dependency(
            id=0,
            source_id=source_id,
            target_id=target_id,
            strength=parse_enum(Strength, "strength", strength),
            description=description,
            group=group.strip(),
            observed=observed,
        )
        dependency.id = self._reserve(id)
        ends = self._ends  # current: check_dependency has just used it
        self.dependencies[dependency.id] = dependency
        if ends is not None and len(ends) == len(self.dependencies) - 1:
            ends[(source_id, target_id)] = dependency.id
        return dependency

    def add_failure_mode(
        self,
        component_id: int,
        *,
        id: int | None = None,
        severity: object = None,
        likelihood: object = None,
        detection: object = None,
        revised: object = None,
        resilience: object = None,
        **texts: object,
    ) -> FailureMode:
        """A failure mode from unchecked values (an importer's cells, a pasted row): scores are
        None/blank or 1-10, `revised` is None or three scores, `texts` name text fields."""
        self.component(component_id)
        unknown = set(texts) - set(TEXT_FIELDS_FAILURE_MODE)
        if unknown:
            raise ModelError(f"unknown failure mode field(s): {', '.join(sorted(unknown))}")
        failure_mode = FailureMode(
            id=0,
            component_id=component_id,
            severity=validate_optional_score("severity", severity),
            likelihood=validate_optional_score("likelihood", likelihood),
            detection=validate_optional_score("detection", detection),
            revised=None if revised is None else checked_revised(revised),
            resilience=checked_resilience(resilience),
        )
        for name, text in texts.items():
            if not isinstance(text, str):
                raise ValidationError(f"{name.replace('_', ' ')} must be text, not {text!r}")
            setattr(failure_mode, name, text)
        failure_mode.id = self._reserve(id)
        self.failure_modes[failure_mode.id] = failure_mode
        return failure_mode

    def add_action(
        self,
        failure_mode_id: int,
        description: str = "",
        *,
        id: int | None = None,
        owner: str = "",
        due_date: dt.date | None = None,
        status: ActionStatus | str = ActionStatus.OPEN,
        action_taken: str = "",
    ) -> Action:
        self.failure_mode(failure_mode_id)
        action = Action(
            id=0,
            failure_mode_id=failure_mode_id,
            description=description,
            owner=owner,
            due_date=due_date,
            status=parse_enum(ActionStatus, "status", status),
            action_taken=action_taken,
        )
        action.id = self._reserve(id)
        self.actions[action.id] = action
        return action

    # ---- equality for round trips ----------------------------------------------------------
    def content(self) -> dict[str, object]:
        """Everything that defines the model, comparable with == across save/open and export."""
        return {
            **{name: getattr(self, name) for name in PROPERTY_LABELS},
            "components": sorted(self.components.values(), key=lambda c: c.id),
            "dependencies": sorted(self.dependencies.values(), key=lambda d: d.id),
            "failure_modes": sorted(self.failure_modes.values(), key=lambda f: f.id),
            "actions": sorted(self.actions.values(), key=lambda a: a.id),
            "group_needs": sorted(self.live_group_needs().items()),
        }
