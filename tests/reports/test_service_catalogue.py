"""Components and Dependencies sheets: both spellings, a catalogue without failure modes."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from fma_app.domain.model import ComponentKind, Strength
from fma_app.reports import service_catalogue
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.spreadsheet_import import import_spreadsheet


def catalogue(tmp_path: Path, components: list[list], dependencies: list[list], fmea=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Components"
    for row in components:
        sheet.append(row)
    deps = workbook.create_sheet("Dependencies")
    for row in dependencies:
        deps.append(row)
    if fmea is not None:
        form = workbook.create_sheet("FMEA")
        for row in fmea:
            form.append(row)
    path = tmp_path / "catalogue.xlsx"
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("component_header", "dependency_header"),
    [
        (["Component", "Kind", "Owner", "Description", "User facing"],
         ["Component", "Depends On", "Strength", "Group"]),
        (["Name", "Kind", "Owner", "Description", "Entry Point"],
         ["Component", "Depends On", "Strength", "Redundancy Group"]),
    ],
)  # fmt: skip
def test_a_workbook_of_only_components_and_dependencies_is_a_service_catalogue(
    tmp_path, component_header, dependency_header
):
    path = catalogue(
        tmp_path,
        [component_header,
         ["Checkout", "service", "Shop team", "Web checkout", "yes"],
         ["Acquirer A", "external", None, None, "no"],
         ["Acquirer B", "External", None, None, None],
         ["Ledger", None, "Finance", None, None]],
        [dependency_header,
         ["Checkout", "Acquirer A", "strong", "acquirers"],
         ["Checkout", "Acquirer B", None, "acquirers"],
         ["Checkout", "Ledger", "weak", None]],
    )  # fmt: skip
    result = import_spreadsheet(path)
    model = result.model
    assert [
        (c.name, c.kind, c.owner, c.description, c.user_facing) for c in model.components.values()
    ] == [
        ("Checkout", ComponentKind.SERVICE, "Shop team", "Web checkout", True),
        ("Acquirer A", ComponentKind.EXTERNAL, "", "", False),
        ("Acquirer B", ComponentKind.EXTERNAL, "", "", False),
        ("Ledger", ComponentKind.OTHER, "Finance", "", False),
    ]
    names = {c.id: c.name for c in model.components.values()}
    assert [
        (names[d.source_id], names[d.target_id], d.strength, d.group)
        for d in model.dependencies.values()
    ] == [
        ("Checkout", "Acquirer A", Strength.STRONG, "acquirers"),
        ("Checkout", "Acquirer B", Strength.STRONG, "acquirers"),
        ("Checkout", "Ledger", Strength.WEAK, ""),
    ]
    assert model.failure_modes == {}
    assert result.notes == [
        "catalogue.xlsx: a service catalogue (components and dependencies, no failure modes)"
    ]


def test_declared_components_meet_the_fmea_items_by_name(tmp_path):
    path = catalogue(
        tmp_path,
        [["Component", "Kind"], ["Checkout", "service"], ["Cache", "cache"]],
        [["Component", "Depends On"], ["checkout", "CACHE"]],
        fmea=[["Item", "Failure Mode", "Severity", "Occurrence", "Detection"],
              ["Checkout", "Slow", 6, 3, 2]],
    )  # fmt: skip
    model = import_spreadsheet(path).model
    assert [(c.name, c.kind) for c in model.components.values()] == [
        ("Checkout", ComponentKind.SERVICE),
        ("Cache", ComponentKind.CACHE),
    ]
    (fm,) = model.failure_modes.values()
    assert model.components[fm.component_id].name == "Checkout"
    assert len(model.dependencies) == 1


def test_catalogue_problems_name_their_cells(tmp_path):
    path = catalogue(
        tmp_path,
        [["Name", "Kind", "Entry Point"], ["Checkout", "microservice", "yes"],
         ["Ledger", None, "maybe"], ["Ledger", None, None]],
        [["Component", "Depends On"], ["Checkout", "Billing"]],
    )  # fmt: skip
    with pytest.raises(ImportProblemsError) as caught:
        import_spreadsheet(path)
    assert caught.value.problems == [
        "Components!B2: kind 'microservice' is not one of: service, database, queue, cache, "
        "external, network, host, other",
        "Components!C3: 'maybe' is not yes or no",
        "Dependencies!B2: unknown component 'Billing' (it is not in Components)",
    ]


def test_a_new_column_is_one_line_in_the_table():
    """The availability work adds columns here; each spelling is found by its header."""
    keys = [column.key for column in service_catalogue.COMPONENT_COLUMNS]
    assert keys[:5] == ["name", "kind", "owner", "description", "user_facing"]
    assert {c.key for c in service_catalogue.DEPENDENCY_COLUMNS} >= {
        "source", "target", "strength", "group", "description"
    }  # fmt: skip


def test_names_are_read_as_one_line_and_descriptions_as_the_cell_reads(tmp_path):
    """Names (component, owner, both ends, group) fold wrapped and doubled spaces; a
    description keeps its lines, and a number reads without a spurious '.0'."""
    path = catalogue(
        tmp_path,
        [["Component", "Owner", "Description"],
         ["  Check\nout  ", "Shop   team", "Takes the order.\nThen pays."],
         ["Ledger", None, 2024.0]],
        [["Component", "Depends On", "Group", "Notes"],
         ["Check out", " ledger ", "book\n keeping", 7.0]],
    )  # fmt: skip
    model = import_spreadsheet(path).model
    checkout, ledger = model.components.values()
    assert (checkout.name, checkout.owner) == ("Check out", "Shop team")
    assert checkout.description == "Takes the order.\nThen pays."
    assert ledger.description == "2024"
    (dependency,) = model.dependencies.values()
    assert (dependency.source_id, dependency.target_id) == (checkout.id, ledger.id)
    assert (dependency.group, dependency.description) == ("book keeping", "7")
