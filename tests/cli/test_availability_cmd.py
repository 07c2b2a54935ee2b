"""`fma-app availability MODEL` on real model files whose figures are known by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run

from fma_app.analysis.availability import entry_point_availability
from fma_app.cli.availability import format_text, percent
from fma_app.domain.model import Model
from fma_app.storage import save_model


def regions_model() -> Model:
    """Shop (99.95 %, SLO 99.9 %) needs 2 of 3 regions (99 % each) that share one database
    (99.99 %); Admin needs the database and weakly Mail; Admin's own availability is unknown."""
    model = Model(name="Regions")
    shop = model.add_component("Shop", user_facing=True, availability=0.9995, slo="99.9 %")
    admin = model.add_component("Admin", user_facing=True)
    db = model.add_component("db", "database", availability="99.99")
    mail = model.add_component("Mail", availability=0.5)
    for name in ("r1", "r2", "r3"):
        region = model.add_component(name, "host", availability=0.99)
        model.add_dependency(shop.id, region.id, group="regions")
        model.add_dependency(region.id, db.id)
    model.group_needs[(shop.id, "regions")] = 2
    model.add_dependency(admin.id, db.id)
    model.add_dependency(admin.id, mail.id, "weak")
    return model


def saved(model: Model, tmp_path: Path) -> Path:
    path = tmp_path / "model.fma"
    save_model(model, path)
    return path


SHOP = 0.9995 * 0.9999 * (3 * 0.99**2 - 2 * 0.99**3)  # the database once, below the regions


def test_json_has_the_issue_s_fields_per_entry_point(capsys, tmp_path):
    code, out, err = run(capsys, "availability", str(saved(regions_model(), tmp_path)), "--format",
                         "json")  # fmt: skip
    assert (code, err) == (0, "")
    admin, shop = json.loads(out)
    assert admin == {
        "entry_point": "Admin", "availability": pytest.approx(0.9999), "method": "exact",
        "standard_error": None, "interval": None, "slo": None, "meets_slo": None,
        "window_days": 30.0, "downtime_minutes": pytest.approx(0.0001 * 43200),
        "budget_minutes": None, "budget_consumed": None, "unknown_components": ["Admin"],
        "contributors": [{"component": "db", "gain": pytest.approx(0.0001)}],
    }  # fmt: skip
    assert shop["availability"] == pytest.approx(SHOP, abs=1e-15)
    assert (shop["slo"], shop["meets_slo"]) == (0.999, True)
    assert shop["downtime_minutes"] == pytest.approx((1 - SHOP) * 43200)
    assert shop["budget_minutes"] == pytest.approx(43.2)
    assert shop["budget_consumed"] == pytest.approx((1 - SHOP) * 43200 / 43.2)
    assert [c["component"] for c in shop["contributors"]] == ["Shop", "r1", "r2", "r3", "db"]
    assert shop["unknown_components"] == []


def test_text_states_the_verdict_the_budget_and_the_unknowns(capsys, tmp_path):
    code, out, err = run(capsys, "availability", str(saved(regions_model(), tmp_path)))
    assert (code, err) == (0, "")
    assert out == (
        "Admin: 99.9900 %\n"
        "  no SLO; expected downtime 4.3 min per 30 days\n"
        "  gains if it never failed: db +0.01 pp\n"
        "  availability unknown, counted as 100 % (the figure is an upper bound): Admin\n"
        "\n"
        "Shop: 99.9102 %\n"
        "  SLO 99.9 % over 30 days: met; expected downtime 38.8 min per 30 days, error budget "
        "43.2 min, of which the architecture alone uses 90%\n"
        "  gains if it never failed: Shop +0.04998 pp, r1 +0.01979 pp, r2 +0.01979 pp, "
        "r3 +0.01979 pp, db +0.009992 pp\n"
    )


def test_window_overrides_the_stored_windows(capsys, tmp_path):
    model = regions_model()
    model.component_by_name("Shop").slo = 0.9995  # now missed
    path = saved(model, tmp_path)
    _, out, _ = run(capsys, "availability", str(path), "--window", "4w", "--format", "json")
    shop = json.loads(out)[1]
    assert (shop["window_days"], shop["meets_slo"]) == (28.0, False)
    assert shop["budget_minutes"] == pytest.approx(0.0005 * 28 * 1440)
    _, out, _ = run(capsys, "availability", str(path), "--window", "12h")
    assert "SLO 99.95 % over 0.5 days: NOT met" in out


@pytest.mark.parametrize("window", ["3x", "0d", "4000d", "", "d", "1.5.2w"])
def test_a_bad_window_is_refused_in_one_line(capsys, tmp_path, window):
    path = str(saved(regions_model(), tmp_path))
    code, out, err = run(capsys, "availability", path, f"--window={window}")
    assert (code, out) == (2, "")
    assert err == (
        f"fma-app: error: --window {window!r} is not a duration from 1h to 3660d, "
        "like 30d, 4w or 12h\n"
    )


def test_no_entry_points_says_what_to_do(capsys, tmp_path):
    model = Model()
    model.add_component("lonely", availability=0.99)
    _, out, _ = run(capsys, "availability", str(saved(model, tmp_path)))
    assert out == (
        "no entry points: mark the user-facing components to compute their availability\n"
    )
    _, out, _ = run(capsys, "availability", str(saved(model, tmp_path)), "--format", "json")
    assert json.loads(out) == []


def test_a_missing_model_is_one_line(capsys, tmp_path):
    code, out, err = run(capsys, "availability", str(tmp_path / "nope.fma"))
    assert (code, out) == (2, "")
    assert err.startswith("fma-app: error: cannot open")
    assert err.count("\n") == 1


def test_a_sampled_figure_says_that_exact_computation_was_out_of_reach():
    model = regions_model()
    results = entry_point_availability(model, max_nodes=2, samples=10_000, seed=3)
    text = format_text(model, results)
    assert "Shop: about " in text
    assert "(sampled: exact computation is out of reach for this graph; 95 % interval " in text
    assert "10,000 samples)" in text
    assert "gains if it never failed" not in text


def test_percent_shows_the_nines_that_matter():
    assert percent(0.999702) == "99.9702 %"
    assert percent(0.9999999) == "99.99999 %"
    assert percent(1.0) == "100.0000 %"
    assert percent(0.5) == "50.0000 %"


def test_the_example_shows_one_slo_met_and_one_missed_by_its_architecture(capsys, tmp_path):
    path = tmp_path / "example.fma"
    assert run(capsys, "demo", "-o", str(path))[0] == 0
    code, out, err = run(capsys, "availability", str(path), "--format", "json")
    assert (code, err) == (0, "")
    figures = {entry["entry_point"]: entry for entry in json.loads(out)}
    dashboard, gateway = figures["Merchant dashboard"], figures["Payments API gateway"]
    assert (dashboard["meets_slo"], gateway["meets_slo"]) == (True, False)
    assert gateway["budget_consumed"] > 1 > dashboard["budget_consumed"]
    assert {entry["method"] for entry in figures.values()} == {"exact"}
    assert gateway["unknown_components"] == dashboard["unknown_components"] == []
    # the acquirers are redundant: neither is among the gateway's biggest contributors
    top = [c["component"] for c in gateway["contributors"][:4]]
    assert not any("Acquirer" in name for name in top)
