"""The built-in failure mode catalog (complete, in range, no duplicates, the resilience
vocabulary) and the library file format (round trip, bad files named with their problem)."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from fma_app.domain.catalog import CATALOG, built_in_entries
from fma_app.domain.errors import ValidationError
from fma_app.domain.library import (
    FORMAT_NAME,
    FORMAT_VERSION,
    TEXT_FIELDS,
    Library,
    entries_for,
    entry_from_failure_mode,
    library_record,
    parse_library,
)
from fma_app.domain.model import ComponentKind, Model
from fma_app.domain.resilience import Fault, FaultKind, MitigationPattern, Resilience

CHAOS_FAULT_KINDS = tuple(fault.value for fault in FaultKind)
CHAOS_PATTERNS = tuple(pattern.value for pattern in MitigationPattern)
NO_PATTERN_FITS = {
    "Stale data served after an update",
    "Cache poisoned with wrong data",
    "API credentials expire or are revoked",
    "TLS certificate expires",
    "Clock skew breaks time-based logic",
    "Configuration drift between hosts",
}
KINDS_WITH_CATALOG = [kind for kind in ComponentKind if kind is not ComponentKind.OTHER]


@pytest.mark.parametrize("kind", KINDS_WITH_CATALOG, ids=lambda kind: kind.value)
def test_every_kind_but_other_has_at_least_eight_complete_entries(kind):
    entries = entries_for(built_in_entries(), kind)
    assert len(entries) >= 8
    for entry in entries:
        for name in TEXT_FIELDS:
            assert getattr(entry, name).strip(), f"{entry.failure_mode}: {name} is empty"
        for name in ("severity", "likelihood", "detection"):
            score = getattr(entry.suggested, name)
            assert isinstance(score, int), f"{entry.failure_mode}: no {name}"
            assert 1 <= score <= 10, f"{entry.failure_mode}: {name} {score}"
        assert entry.source == "built-in"


def test_other_has_no_catalog():
    """`other` means none of the kinds: the chooser offers team entries and "All kinds"."""
    assert ComponentKind.OTHER not in CATALOG
    assert entries_for(built_in_entries(), ComponentKind.OTHER) == []


def test_no_duplicate_entries_or_texts():
    entries = built_in_entries()
    keys = [entry.key for entry in entries]
    assert len(keys) == len(set(keys))
    names = [entry.failure_mode.lower() for entry in entries]
    assert len(names) == len(set(names)), "one failure mode text under two kinds"
    for name in ("effect", "cause", "prevention_controls", "detection_controls"):
        texts = [getattr(entry, name) for entry in entries]
        assert len(texts) == len(set(texts)), f"a {name} text written twice"


def test_patterns_and_faults_are_the_resilience_vocabulary():
    entries = built_in_entries()
    for entry in entries:
        assert set(entry.patterns) <= set(CHAOS_PATTERNS), entry.failure_mode
        assert entry.fault is None or entry.fault in CHAOS_FAULT_KINDS, entry.failure_mode
    # Every entry names the patterns that mitigate it, except these few that none of the nine
    # runtime patterns helps (their prevention is automation, time sync, invalidation...).
    without = {entry.failure_mode for entry in entries if not entry.patterns}
    assert without == NO_PATTERN_FITS
    assert sum(entry.fault is not None for entry in entries) >= len(entries) * 0.6


def test_the_catalog_reads_back_through_the_library_format():
    """The built-in catalog written as a library file parses to the same entries."""
    library = Library("Everything", built_in_entries())
    data = json.loads(json.dumps(library_record(library)))
    again = parse_library(data, source="everything.json")
    assert again.name == "Everything"
    assert [dataclasses.replace(e, source="built-in") for e in again.entries] == list(
        built_in_entries()
    )
    assert {entry.source for entry in again.entries} == {"Everything"}


def good_file() -> dict[str, object]:
    return {
        "format": FORMAT_NAME,
        "version": 1,
        "name": "Payments team",
        "entries": [
            {
                "kind": "database",
                "failure_mode": "Ledger replica falls behind",
                "effect": "Balances shown late",
                "severity": 6,
                "patterns": ["fallback or cache"],
                "fault": "latency",
            },
            {"kind": "Service", "failure_mode": "Webhook signing key leaked"},
        ],
    }


def test_a_minimal_library_file():
    library = parse_library(good_file(), source="team.json")
    first, second = library.entries
    assert (first.kind, first.suggested.severity, first.suggested.likelihood) == (
        ComponentKind.DATABASE, 6, None,
    )  # fmt: skip
    assert first.patterns == ("fallback or cache",)
    assert first.fault == "latency"
    assert second.kind is ComponentKind.SERVICE
    assert second.function == ""
    assert {entry.source for entry in library.entries} == {"Payments team"}


def test_a_file_without_a_name_is_named_after_its_file():
    data = good_file()
    del data["name"]
    assert parse_library(data, source="team.json").entries[0].source == "team.json"


DUPLICATE = {"kind": "DATABASE", "failure_mode": "ledger REPLICA  falls behind"}


def broken(path: str, value: object) -> dict[str, object]:
    data = copy.deepcopy(good_file())
    target: object = data
    *parents, last = path.split("/")
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]  # type: ignore[index]
    if value is KeyError:
        del target[last]  # type: ignore[attr-defined]
    else:
        target[last] = value  # type: ignore[index]
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not a failure mode library (the file must hold a JSON object)"),
        (broken("format", "fma-model"), 'not a failure mode library ("format" must be'),
        (broken("version", KeyError), '"version" must be a whole number, not None'),
        (broken("version", "1"), "\"version\" must be a whole number, not '1'"),
        (
            broken("version", FORMAT_VERSION + 1),
            f"made by a newer FMA Workbench (library format {FORMAT_VERSION + 1}; this "
            f"version reads up to {FORMAT_VERSION})",
        ),
        (broken("entries", {}), '"entries" must be a list'),
        (broken("entries/0/severity", 11), "entry 1: severity 11 is not a whole number"),
        (broken("entries/1/kind", "lambda"), "entry 2: kind 'lambda' is not one of: service,"),
        (broken("entries/0/failure_mode", " "), "entry 1: failure_mode must not be empty"),
        (broken("entries/0/colour", "red"), "entry 1: unknown field(s): colour"),
        (broken("entries/0/patterns", ["retry"]), "entry 1: pattern 'retry' is not one of"),
        (broken("entries/0/fault", "meteor"), "entry 1: fault 'meteor' is not one of"),
        (broken("entries/1/effect", 3), "entry 2: effect must be text, not 3"),
        (
            {**good_file(), "entries": [*good_file()["entries"], DUPLICATE]},  # type: ignore[list-item]
            "entry 3: database failure mode 'ledger REPLICA  falls behind' appears twice",
        ),
    ],
)
def test_bad_library_files_are_refused_with_the_problem(data, message):
    with pytest.raises(ValidationError) as error:
        parse_library(data, source="team.json")
    assert str(error.value).startswith(message)


def test_a_models_failure_mode_becomes_an_entry_with_its_scores_as_suggestions():
    model = Model()
    db = model.add_component("ledger", "database")
    fm = model.add_failure_mode(db.id, failure_mode="Disk full", cause="WAL", severity=9)
    entry = entry_from_failure_mode(model, fm, source="x.json")
    assert (entry.kind, entry.failure_mode, entry.cause) == (
        ComponentKind.DATABASE,
        "Disk full",
        "WAL",
    )
    assert (entry.suggested.severity, entry.suggested.likelihood) == (9, None)
    assert (entry.patterns, entry.fault) == ((), None)


def test_an_entry_keeps_the_failure_modes_mitigation_patterns_and_fault_kind():
    model = Model()
    api = model.add_component("api")
    resilience = Resilience.checked(
        fault=Fault.checked("latency", 120, 300),
        mitigations="retry with backoff (planned); circuit breaker (in place)",
    )
    fm = model.add_failure_mode(api.id, failure_mode="Slow payments", resilience=resilience)
    entry = entry_from_failure_mode(model, fm, source="x.json")
    assert (entry.patterns, entry.fault) == (("retry with backoff", "circuit breaker"), "latency")
    again = parse_library(library_record(Library("x", (entry,))), source="x.json")
    assert again.entries[0].patterns == entry.patterns
    assert again.entries[0].fault == "latency"
