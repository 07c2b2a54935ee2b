"""Failure mode libraries: known failure modes to start an analysis from, by component kind.

A library entry is a failure mode template: the texts of a failure mode, the scores a team
usually starts from (suggestions, never applied as ratings), the resiliency patterns that
mitigate it and the fault a chaos experiment would inject. The built-in catalog
(`fma_app.domain.catalog`) and team library files (JSON, `FORMAT_NAME` version
`FORMAT_VERSION`) both become `LibraryEntry` objects; this module parses and writes that JSON
and knows no files.

Pattern and fault names are the resilience vocabulary's (`MitigationPattern`, `FaultKind` of
`fma_app.domain.resilience`), kept as plain strings in an entry; `KNOWN_PATTERNS` and
`KNOWN_FAULTS` list them for checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from fma_app.domain.errors import ValidationError
from fma_app.domain.model import ComponentKind, FailureMode, Model
from fma_app.domain.resilience import FaultKind, MitigationPattern
from fma_app.domain.scoring import validate_optional_score

FORMAT_NAME = "fma-workbench-library"
FORMAT_VERSION = 1
BUILT_IN_SOURCE = "built-in"

# The resilience vocabulary (issue 16), in its own order.
KNOWN_PATTERNS = tuple(pattern.value for pattern in MitigationPattern)
KNOWN_FAULTS = tuple(fault.value for fault in FaultKind)

TEXT_FIELDS = (
    "function",
    "failure_mode",
    "effect",
    "cause",
    "prevention_controls",
    "detection_controls",
)
SCORE_FIELDS = ("severity", "likelihood", "detection")
ENTRY_FIELDS = ("kind", *TEXT_FIELDS, *SCORE_FIELDS, "patterns", "fault")


@dataclass(frozen=True)
class SuggestedScores:
    """Scores a library suggests; each None where the library gives none."""

    severity: int | None = None
    likelihood: int | None = None
    detection: int | None = None


@dataclass(frozen=True)
class LibraryEntry:
    kind: ComponentKind
    failure_mode: str
    function: str = ""
    effect: str = ""
    cause: str = ""
    prevention_controls: str = ""
    detection_controls: str = ""
    suggested: SuggestedScores = field(default_factory=SuggestedScores)
    patterns: tuple[str, ...] = ()
    fault: str | None = None
    source: str = BUILT_IN_SOURCE  # "built-in" or the library file's name

    @property
    def key(self) -> tuple[str, str]:
        """What makes two entries the same: the kind and the failure mode, in any case."""
        return (self.kind.value, " ".join(self.failure_mode.lower().split()))

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in TEXT_FIELDS}

    def search_text(self) -> str:
        """Everything a search in the chooser matches, lower case."""
        words = [*self.texts().values(), *self.patterns, self.fault or "", self.source]
        return "\n".join(words).lower()


@dataclass(frozen=True)
class Library:
    name: str
    entries: tuple[LibraryEntry, ...]
    description: str = ""


def entries_for(entries: Iterable[LibraryEntry], kind: ComponentKind) -> list[LibraryEntry]:
    return [entry for entry in entries if entry.kind == kind]


# ---- reading ---------------------------------------------------------------------------------
def parse_library(data: object, source: str) -> Library:
    """A library from its parsed JSON; `source` (the file's name) names it when it has no
    "name". Raises ValidationError naming the first problem, with
    the entry's position ("entry 3: severity 11 is not a whole number from 1 to 10")."""
    if not isinstance(data, Mapping):
        raise ValidationError("not a failure mode library (the file must hold a JSON object)")
    if data.get("format") != FORMAT_NAME:
        raise ValidationError(f'not a failure mode library ("format" must be "{FORMAT_NAME}")')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValidationError(f'"version" must be a whole number, not {version!r}')
    if version > FORMAT_VERSION:
        raise ValidationError(
            f"made by a newer FMA Workbench (library format {version}; "
            f"this version reads up to {FORMAT_VERSION})"
        )
    name = data.get("name", source)
    if not isinstance(name, str) or not name.strip():
        raise ValidationError('"name" must be non-empty text')
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ValidationError('"description" must be text')
    name = name.strip()  # the entries' source: what the chooser and `library list` show
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list):
        raise ValidationError('"entries" must be a list')
    entries: list[LibraryEntry] = []
    seen: set[tuple[str, str]] = set()
    for number, raw in enumerate(raw_entries, start=1):
        try:
            entry = parse_entry(raw, name)
        except ValidationError as error:
            raise ValidationError(f"entry {number}: {error}") from None
        if entry.key in seen:
            raise ValidationError(
                f"entry {number}: {entry.kind.value} failure mode "
                f"{entry.failure_mode!r} appears twice"
            )
        seen.add(entry.key)
        entries.append(entry)
    return Library(name, tuple(entries), description)


def parse_entry(raw: object, source: str) -> LibraryEntry:
    if not isinstance(raw, Mapping):
        raise ValidationError("must be a JSON object")
    unknown = sorted(set(raw) - set(ENTRY_FIELDS))
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(unknown)}")
    kind = _kind(raw.get("kind"))
    texts = {name: _text(name, raw.get(name)) for name in TEXT_FIELDS}
    if not texts["failure_mode"]:
        raise ValidationError("failure_mode must not be empty")
    scores = SuggestedScores(
        *(validate_optional_score(name, raw.get(name)) for name in SCORE_FIELDS)
    )
    return LibraryEntry(
        kind=kind,
        suggested=scores,
        patterns=_patterns(raw.get("patterns")),
        fault=_fault(raw.get("fault")),
        source=source,
        **texts,
    )


def _kind(value: object) -> ComponentKind:
    kinds = [kind.value for kind in ComponentKind]
    if not isinstance(value, str) or value.strip().lower() not in kinds:
        raise ValidationError(f"kind {value!r} is not one of: {', '.join(kinds)}")
    return ComponentKind(value.strip().lower())


def _text(name: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be text, not {value!r}")
    return value.strip()


def _patterns(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValidationError(f"patterns must be a list of names, not {value!r}")
    names = []
    for item in value:
        if not isinstance(item, str) or item.strip().lower() not in KNOWN_PATTERNS:
            raise ValidationError(f"pattern {item!r} is not one of: {', '.join(KNOWN_PATTERNS)}")
        names.append(item.strip().lower())
    return tuple(dict.fromkeys(names))


def _fault(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.strip().lower() not in KNOWN_FAULTS:
        raise ValidationError(f"fault {value!r} is not one of: {', '.join(KNOWN_FAULTS)}")
    return value.strip().lower()


# ---- writing ---------------------------------------------------------------------------------
def entry_record(entry: LibraryEntry) -> dict[str, object]:
    """An entry as the library file holds it (no source: the file is the source)."""
    record: dict[str, object] = {"kind": entry.kind.value, **entry.texts()}
    for name in SCORE_FIELDS:
        record[name] = getattr(entry.suggested, name)
    record["patterns"] = list(entry.patterns)
    record["fault"] = entry.fault
    return record


def library_record(library: Library) -> dict[str, object]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": library.name,
        "description": library.description,
        "entries": [entry_record(entry) for entry in library.entries],
    }


def entry_from_failure_mode(model: Model, failure_mode: FailureMode, source: str) -> LibraryEntry:
    """A model's failure mode as a library entry: its texts, its scores as suggestions, the
    patterns of its mitigations (in place or planned) and the kind of its chaos fault."""
    component = model.component(failure_mode.component_id)
    resilience = failure_mode.resilience
    return LibraryEntry(
        kind=component.kind,
        failure_mode=failure_mode.failure_mode.strip(),
        function=failure_mode.function,
        effect=failure_mode.effect,
        cause=failure_mode.cause,
        prevention_controls=failure_mode.prevention_controls,
        detection_controls=failure_mode.detection_controls,
        suggested=SuggestedScores(
            failure_mode.severity, failure_mode.likelihood, failure_mode.detection
        ),
        patterns=tuple(mitigation.pattern.value for mitigation in resilience.mitigations),
        fault=resilience.fault.kind.value if resilience.fault else None,
        source=source,
    )


@dataclass(frozen=True)
class SkippedDuplicate:
    """A failure mode left out of a library: an earlier one of the same kind has its name."""

    failure_mode_id: int
    kept_id: int
    kind: ComponentKind

    def __str__(self) -> str:
        # The kind in brackets: "the same other failure mode" read as "another" one.
        return (
            f"skipped failure mode {self.failure_mode_id}: same kind ({self.kind.value}) and "
            f"failure mode text as failure mode {self.kept_id}"
        )


def unnamed_failure_modes(model: Model, failure_mode_ids: Iterable[int]) -> list[int]:
    """The ids whose failure mode text is empty: a library entry is known by that text."""
    return [i for i in failure_mode_ids if not model.failure_modes[i].failure_mode.strip()]


def library_from_failure_modes(
    model: Model, failure_mode_ids: Sequence[int], name: str, description: str = ""
) -> tuple[Library, list[SkippedDuplicate]]:
    """A library of the given failure modes (in the given order), as `fma-app library export`
    and the app's Save Selected as Library... write it: each failure mode's texts, its scores as
    suggestions and its component's kind. A second failure mode with the same kind and name is
    left out and returned as skipped; an unnamed one raises ValidationError. Every id must be
    in the model."""
    unnamed = unnamed_failure_modes(model, failure_mode_ids)
    if unnamed:
        raise ValidationError(f"failure mode {unnamed[0]} has no failure mode text")
    kept: dict[tuple[str, str], tuple[int, LibraryEntry]] = {}
    skipped: list[SkippedDuplicate] = []
    for failure_mode_id in dict.fromkeys(failure_mode_ids):
        entry = entry_from_failure_mode(model, model.failure_modes[failure_mode_id], name)
        if entry.key in kept:
            skipped.append(SkippedDuplicate(failure_mode_id, kept[entry.key][0], entry.kind))
            continue
        kept[entry.key] = (failure_mode_id, entry)
    library = Library(name, tuple(entry for _, entry in kept.values()), description)
    return library, skipped
