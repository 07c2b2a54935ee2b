"""Importing a report back: the same model, edits taken in, every bad cell named."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from unittest.mock import patch

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_support import TODAY, build_model

from fma_app.cli.demo import load_example
from fma_app.domain.model import Model
from fma_app.reports import charts
from fma_app.reports.errors import ImportProblemsError
from fma_app.reports.report_import import import_report, is_report
from fma_app.reports.workbook_import import import_workbook
from fma_app.reports.xlsx_report import write_report


def round_trip(model: Model, path: Path, by: str = "rpn") -> Model:
    write_report(model, path, by, today=TODAY)
    return import_workbook(path)


def with_not_rated_and_properties(model: Model) -> Model:
    """Failure modes rated in part or not at all, and every header property set."""
    gateway = model.component_by_name("API gateway").id
    model.add_failure_mode(gateway, failure_mode="Not analysed yet", effect="?")
    model.add_failure_mode(gateway, failure_mode="Severity known", severity=9)
    model.add_failure_mode(gateway, failure_mode="No likelihood", severity=6, detection=4,
                           revised=(6, 2, 2))  # fmt: skip
    model.scope, model.fmea_number, model.team = "EU checkout\nCards only", "=FM-7", "Ana, Bo"
    model.revision, model.key_date = "C", dt.date(2026, 6, 30)
    model.prepared_by, model.approved_by = "Ana", "@Cy"
    return model


@pytest.mark.parametrize("by", ["rpn", "ap"])
def test_round_trip_gives_the_same_model(tmp_path, by):
    model = build_model()
    assert round_trip(model, tmp_path / "r.xlsx", by).content() == model.content()
    partly = with_not_rated_and_properties(build_model())
    back = round_trip(partly, tmp_path / "partly.xlsx", by)
    assert back.content() == partly.content()
    not_rated = {fm.failure_mode: fm for fm in back.failure_modes.values() if fm.rpn is None}
    assert sorted(not_rated) == ["No likelihood", "Not analysed yet", "Severity known"]
    assert (not_rated["Severity known"].severity, not_rated["Severity known"].likelihood) == (
        9,
        None,
    )
    assert (back.fmea_number, back.key_date) == ("=FM-7", dt.date(2026, 6, 30))


def test_round_trip_of_the_example_model(tmp_path):
    model = load_example()
    back = round_trip(model, tmp_path / "example.xlsx")
    assert back.content() == model.content()
    assert len(back.failure_modes) == len(model.failure_modes) > 0


def test_round_trip_of_an_empty_model(tmp_path):
    model = Model(name="=Empty", description="")
    assert round_trip(model, tmp_path / "e.xlsx").content() == model.content()


names = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() == s and s.strip())
texts = st.text(max_size=30)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    component_names=st.lists(names, min_size=1, max_size=3, unique_by=str.casefold),
    model_name=texts,
    effect=texts,
    owner=texts,
    description=texts,
    scores=st.tuples(*[st.integers(1, 10)] * 3),
    own_scores=st.tuples(*[st.none() | st.integers(1, 10)] * 3),
    x=st.floats(allow_nan=False, allow_infinity=False, width=64),
)
def test_round_trip_keeps_any_text_exactly(
    tmp_path_factory, component_names, model_name, effect, owner, description, scores,
    own_scores, x,
):  # fmt: skip
    model = Model(name=model_name, description=description, scope=effect, team=description,
                  fmea_number=owner, approved_by=owner)  # fmt: skip
    ids = [model.add_component(n, owner=owner, description=effect, x=x).id for n in component_names]
    if len(ids) > 1:
        model.add_dependency(ids[0], ids[1], description=description, group=owner)
    fm = model.add_failure_mode(ids[-1], effect=effect, cause=owner, notes=description,
                                severity=scores[0], likelihood=scores[1], detection=scores[2],
                                revised=scores)  # fmt: skip
    model.add_action(fm.id, effect, owner=owner, action_taken=description)
    severity, likelihood, detection = own_scores  # any of them not rated yet
    model.add_failure_mode(ids[0], failure_mode=effect, severity=severity, likelihood=likelihood,
                           detection=detection)  # fmt: skip
    path = tmp_path_factory.mktemp("any") / "r.xlsx"
    with patch.dict(charts.CHARTS, clear=True):  # the charts are tested elsewhere; keep it fast
        assert round_trip(model, path).content() == model.content()


@pytest.fixture
def report_file(tmp_path) -> Path:
    path = tmp_path / "review.xlsx"
    write_report(build_model(), path, today=TODAY)
    return path


def edit(path: Path, changes: dict[str, dict[str, object]], target: Path) -> Path:
    """Change cells as a reviewer would, in a copy saved by openpyxl."""
    book = openpyxl.load_workbook(path)
    for sheet, cells in changes.items():
        for ref, value in cells.items():
            book[sheet][ref] = value
    book.save(target)
    return target


def header_letter(path: Path, sheet: str, header: str) -> str:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:  # a read-only workbook holds its file open until closed
        row = next(workbook[sheet].iter_rows(max_row=1, values_only=True))
    finally:
        workbook.close()
    return openpyxl.utils.get_column_letter(row.index(header) + 1)


def test_reviewers_edits_and_new_rows_are_taken_in(report_file, tmp_path):
    model = build_model()
    book = openpyxl.load_workbook(report_file)
    ws = book["Worksheet"]
    fm_id = ws["B2"].value
    ws["G2"] = 2  # severity lowered in the meeting
    ws.append([None, None, "payments", "Refund", "Refund lost", "Customer unhappy", 6, "Bug", 2,
               None, None, 4])  # fmt: skip
    actions = book["Actions"]
    actions.append([None, None, fm_id, None, None, None, None, "New action", "zoe",
                    dt.datetime(2026, 6, 1), "open"])  # fmt: skip
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    back = import_workbook(edited)
    assert back.failure_modes[fm_id].severity == 2
    new_fm = max(back.failure_modes.values(), key=lambda f: f.id)
    assert (new_fm.failure_mode, new_fm.severity, new_fm.likelihood, new_fm.detection) == (
        "Refund lost", 6, 2, 4)  # fmt: skip
    new_action = max(back.actions.values(), key=lambda a: a.id)
    assert (new_action.description, new_action.due_date) == ("New action", dt.date(2026, 6, 1))
    highest = max(e.id for e in model.iter_entities())
    assert {new_fm.id, new_action.id} == {highest + 1, highest + 2}
    assert len(back.failure_modes) == len(model.failure_modes) + 1


def test_every_bad_cell_is_reported_with_its_reference(report_file, tmp_path):
    source_bytes = report_file.read_bytes()
    worksheet = openpyxl.load_workbook(report_file)["Worksheet"]
    revised_row = next(r for r in range(2, 8) if worksheet[f"R{r}"].value is not None)
    changes = {
        "Worksheet": {"G2": 11, "I3": "high", "C4": "Nope", f"R{revised_row}": None},
        "Actions": {"J2": "next week", "K3": "maybe", "C4": 999},
        "Components": {"C2": "robot", "A3": 1, "B4": "payments"},
        "Dependencies": {"C2": "Mainframe"},
    }
    bad = edit(report_file, changes, tmp_path / "bad.xlsx")
    with pytest.raises(ImportProblemsError) as raised:
        import_workbook(bad)
    problems = raised.value.problems
    expected = [
        "Worksheet!G2: severity 11 is not a whole number from 1 to 10",
        "Worksheet!I3: likelihood 'high' is not a whole number from 1 to 10",
        "Worksheet!C4: no component named 'Nope' on the Components sheet",
        f"Worksheet!R{revised_row}: revised scores need all three of S, L and D, or none",
        "Actions!J2: due date 'next week' is not a date (YYYY-MM-DD)",
        "Actions!K3: status 'maybe' is not one of: open, in progress, done, cancelled",
        "Actions!C4: no failure mode with ID 999 on the Worksheet",
        "Components!C2: kind 'robot' is not one of: service, database, queue, cache, external, "
        "network, host, other",
        "Components!A3: id 1 is already used by Components!A2",
        "Components!B5: a component named 'payments' already exists",
        "Dependencies!C2: no component named 'Mainframe' on the Components sheet",
    ]
    for line in expected:
        assert line in problems
    assert str(raised.value).splitlines() == problems
    assert report_file.read_bytes() == source_bytes


def test_a_cleared_score_cell_is_not_rated_and_a_bad_one_is_named(report_file, tmp_path):
    worksheet = openpyxl.load_workbook(report_file)["Worksheet"]
    fm_id = worksheet["B2"].value
    cleared = edit(report_file, {"Worksheet": {"I2": None, "L2": "  "}}, tmp_path / "c.xlsx")
    back = import_workbook(cleared)
    fm = back.failure_modes[fm_id]
    assert (fm.likelihood, fm.detection, fm.rpn, fm.ap) == (None, None, None, None)
    assert fm.severity == build_model().failure_modes[fm_id].severity
    bad_cells = {"G2": "not rated", "I3": 0, "L4": 2.5, "G5": "-"}
    bad = edit(report_file, {"Worksheet": bad_cells}, tmp_path / "b.xlsx")
    with pytest.raises(ImportProblemsError) as raised:
        import_workbook(bad)
    worksheet_problems = [p for p in raised.value.problems if p.startswith("Worksheet")]
    assert worksheet_problems == [  # (their actions then name a missing failure mode)
        "Worksheet!G2: severity 'not rated' is not a whole number from 1 to 10",
        "Worksheet!I3: likelihood 0 is not a whole number from 1 to 10",
        "Worksheet!L4: detection 2.5 is not a whole number from 1 to 10",
        "Worksheet!G5: severity '-' is not a whole number from 1 to 10",
    ]


def test_a_bad_key_date_on_the_summary_is_named(report_file, tmp_path):
    summary = openpyxl.load_workbook(report_file)["Summary"]
    row = next(r for r in range(1, 30) if summary[f"A{r}"].value == "Key date")
    bad = edit(report_file, {"Summary": {f"B{row}": "soon"}}, tmp_path / "k.xlsx")
    with pytest.raises(ImportProblemsError) as raised:
        import_workbook(bad)
    assert raised.value.problems == [f"Summary!B{row}: key date 'soon' is not a date (YYYY-MM-DD)"]


def test_a_missing_column_is_named(report_file, tmp_path):
    letter = header_letter(report_file, "Worksheet", "Effect")
    bad = edit(report_file, {"Worksheet": {f"{letter}1": "Consequence"}}, tmp_path / "m.xlsx")
    with pytest.raises(ImportProblemsError) as raised:
        import_workbook(bad)
    assert raised.value.problems == ["Worksheet!1: missing column(s): Effect"]


def test_only_our_reports_are_recognised(report_file, tmp_path):
    assert is_report(openpyxl.load_workbook(report_file))
    plain = openpyxl.Workbook()
    plain.active.title = "DFMEA"
    assert not is_report(plain)
    lookalike = openpyxl.Workbook()
    lookalike.active.title = "Summary"
    for name in ("Worksheet", "Actions", "Components", "Dependencies"):
        lookalike.create_sheet(name)
    assert not is_report(lookalike)
    lookalike["Summary"]["A2"] = "FMA Workbench report, format 1"
    assert is_report(lookalike)


def test_model_name_comes_from_the_summary(report_file):
    book = openpyxl.load_workbook(report_file, data_only=True)
    model = import_report(book, "review.xlsx")
    assert model.name == build_model().name
    assert model.description == "Peak review.\nSecond line"


def test_importing_a_report_does_not_load_matplotlib(report_file):
    code = (
        "import sys; from fma_app.reports.workbook_import import import_workbook; "
        f"import_workbook({str(report_file)!r}); print('matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_report_with_a_damaged_sheet_is_refused_with_one_clear_problem(tmp_path):
    """Reports are streamed (read-only): a sheet is parsed only when read, so damage shows
    up late; it must still end as ImportProblemsError naming the file, not a traceback."""
    import zipfile

    from fma_app.reports.errors import ImportProblemsError
    from fma_app.reports.workbook_import import import_workbook
    from fma_app.reports.xlsx_report import write_report

    good = tmp_path / "good.xlsx"
    write_report(build_model(), good, today=TODAY)
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]  # the Worksheet sheet cut in the middle
            target.writestr(item, data)
    with pytest.raises(ImportProblemsError) as caught:
        import_workbook(damaged)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith("damaged.xlsx: not a readable .xlsx workbook")
