"""The report and the charts wear the style tokens: fills and fonts read back from a real
written workbook, colours read back from the figures' artists."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from matplotlib.colors import to_hex
from report_support import TODAY

from fma_app.domain.model import Model
from fma_app.presentation.style import AP_STYLES, OVERDUE, RPN_SCALE_POINTS, rgb
from fma_app.reports import charts
from fma_app.reports.xlsx_report import write_report


def one_of_each_priority() -> Model:
    """An H, an M and an L failure mode (the M with revised scores that make it an L), and an
    overdue action."""
    model = Model(name="Palette")
    api = model.add_component("api")
    model.add_failure_mode(api.id, failure_mode="Outage", severity=10, likelihood=10, detection=10)
    slow = model.add_failure_mode(api.id, failure_mode="Slow", severity=8, likelihood=5,
                                  detection=4, revised=(8, 1, 4))  # fmt: skip
    model.add_failure_mode(api.id, failure_mode="Typo", severity=1, likelihood=1, detection=1)
    model.add_action(slow.id, "Add an index", due_date=TODAY - dt.timedelta(days=3))
    return model


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("style") / "palette.xlsx"
    write_report(one_of_each_priority(), path, today=TODAY)
    return openpyxl.load_workbook(path)


def colours(cell) -> tuple[str, str]:
    """(fill, font colour) as "RRGGBB" (openpyxl reads them back as "AARRGGBB")."""
    return cell.fill.fgColor.rgb[-6:], cell.font.color.rgb[-6:]


def expected(ap: str) -> tuple[str, str]:
    return rgb(AP_STYLES[ap].fill), rgb(AP_STYLES[ap].text)  # type: ignore[index]


def test_worksheet_ap_cells_wear_the_ap_swatch(book):
    ws = book["Worksheet"]
    header = [cell.value for cell in ws[1]]
    seen = set()
    for row in ws.iter_rows(min_row=2):
        for column in ("AP", "Revised AP"):
            cell = row[header.index(column)]
            if cell.value:
                assert colours(cell) == expected(cell.value), (cell.coordinate, cell.value)
                assert cell.font.b
                seen.add(cell.value)
    assert seen == {"H", "M", "L"}


def test_summary_counts_and_top_list_wear_the_ap_swatch(book):
    ws = book["Summary"]
    labels = {"High (H)": "H", "Medium (M)": "M", "Low (L)": "L"}
    found = {labels[c.value]: c for row in ws.iter_rows() for c in row if c.value in labels}
    assert set(found) == {"H", "M", "L"}
    for ap, cell in found.items():
        assert colours(cell) == expected(ap)


def test_overdue_actions_wear_the_overdue_swatch(book):
    ws = book["Actions"]
    header = [cell.value for cell in ws[1]]
    due = ws.cell(2, header.index("Due Date") + 1)
    assert ws.cell(2, header.index("Overdue") + 1).value == "3 days"
    assert colours(due) == (rgb(OVERDUE.fill), rgb(OVERDUE.text))


def test_rpn_columns_are_shaded_with_the_app_rpn_scale(book):
    ws = book["Worksheet"]
    scales = {}
    for formatting in ws.conditional_formatting:
        for rule in formatting.rules:
            scale = rule.colorScale
            scales[str(formatting.sqref).split(":")[0]] = [
                (int(float(v.val)), colour.rgb[-6:])
                for v, colour in zip(scale.cfvo, scale.color, strict=True)
            ]
    wanted = [(rpn, rgb(colour)) for rpn, colour in RPN_SCALE_POINTS]
    assert scales == {"M2": wanted, "S2": wanted}


def face_and_edge(patch) -> tuple[str, str]:
    return to_hex(patch.get_facecolor()).upper(), to_hex(patch.get_edgecolor()).upper()


def test_chart_bars_and_legends_wear_the_ap_swatch():
    model = one_of_each_priority()
    pareto = charts.pareto_figure(model).axes[0]
    by_height = {patch.get_height(): face_and_edge(patch) for patch in pareto.patches}
    assert by_height == {
        1000: (AP_STYLES["H"].fill, AP_STYLES["H"].text),  # type: ignore[index]
        160: (AP_STYLES["M"].fill, AP_STYLES["M"].text),  # type: ignore[index]
        1: (AP_STYLES["L"].fill, AP_STYLES["L"].text),  # type: ignore[index]
    }
    legend = [face_and_edge(h) for h in pareto.get_legend().legend_handles]
    assert legend == [(s.fill, s.text) for s in AP_STYLES.values()]
    stacked = charts.risk_by_component_figure(model).axes[0]
    faces = {face_and_edge(patch) for patch in stacked.patches if patch.get_width()}
    assert faces == {(s.fill, s.text) for s in AP_STYLES.values()}


def test_risk_matrix_zones_are_the_ap_fills():
    figure = charts.risk_matrix_figure(one_of_each_priority())
    image = figure.axes[0].images[0]
    zone_colours = [to_hex(image.cmap(i)).upper() for i in range(image.cmap.N)]
    assert zone_colours == [AP_STYLES[ap].fill for ap in "LMH"]  # type: ignore[index]
