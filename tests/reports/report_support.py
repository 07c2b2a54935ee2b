"""Shared pieces of the report tests: a review-like model and LibreOffice as an independent
reader (converted once per test session, reused by every test that needs it)."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from fma_app.domain.model import ActionStatus, Model, Scores, Strength

TODAY = dt.date(2026, 3, 15)
XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def build_model() -> Model:
    """A small platform with everything a report must carry: every kind of field, unicode,
    formula-looking text, control characters, revised scores, actions of every status."""
    model = Model(
        name="Checkout & Payments (EU) \u00e9t\u00e9", description="Peak review.\nSecond line"
    )
    gw = model.add_component("API gateway", "service", owner="edge-team",
                             description="Entry for merchants", x=10.5, y=-20.25,
                             user_facing=True, availability=0.9995, slo="99.9",
                             slo_window_days=28)  # fmt: skip
    pay = model.add_component("payments", "service", owner="=team()", x=200, y=0,
                              availability=0.999702)  # fmt: skip
    db = model.add_component("Ledger DB \u6570\u636e\u5e93", "database", owner="@dba",
                             description="-primary store", x=400.125, y=80,
                             availability=0.99995)  # fmt: skip
    psp = model.add_component("Card PSP", "external", description="Stripe-like \U0001f4b3")
    cache = model.add_component("Session cache", "cache")
    model.add_dependency(gw.id, pay.id, "strong", description="sync call")
    model.add_dependency(pay.id, db.id, Strength.STRONG, group="")
    model.add_dependency(pay.id, psp.id, "weak", description="+fallback", group="psp")
    model.add_dependency(gw.id, cache.id, "weak", group="=g")
    fms = [
        model.add_failure_mode(pay.id, function="Authorise card", failure_mode="Timeout to PSP",
                               effect="Checkout fails", severity=8, cause="PSP latency",
                               likelihood=6, prevention_controls="Circuit breaker",
                               detection_controls="p99 latency alert", detection=3,
                               revised=Scores(8, 3, 3)),
        model.add_failure_mode(db.id, function="Store ledger", failure_mode="Disk full",
                               effect="=1+2 writes refused", severity=9, cause="Log growth",
                               likelihood=4, detection=7, notes="Seen in 2024\r\nTwice"),
        model.add_failure_mode(gw.id, function="Route", failure_mode="-Bad config push",
                               effect="Wrong routing \u05e9\u05dc\u05d5\u05dd \u0627\u0644\u0633",
                               severity=7, cause="@manual edit", likelihood=5, detection=5,
                               revised=(4, 2, 2)),
        model.add_failure_mode(psp.id, function="Capture", failure_mode="Duplicate capture",
                               effect="Customer charged twice", severity=10, cause="Retry storm",
                               likelihood=3, detection=8, prevention_controls="Idempotency keys",
                               justification="=PSP dedupes captures by key\nsee contract \u00a74"),
        model.add_failure_mode(cache.id, function="Sessions", failure_mode="Eviction storm",
                               effect="Users logged out", severity=4, cause="Memory pressure",
                               likelihood=7, detection=2, notes="bell\x07 and _x0041_ literal"),
        model.add_failure_mode(gw.id, function="TLS", failure_mode="Cert expiry",
                               effect="All traffic refused", severity=10, cause="Manual renewal",
                               likelihood=2, detection=9, revised=Scores(10, 1, 2)),
    ]  # fmt: skip
    fm_ids = [fm.id for fm in fms]
    model.add_action(fm_ids[0], "Add PSP failover", owner="alice", due_date=dt.date(2026, 2, 1),
                     status=ActionStatus.OPEN)  # fmt: skip
    model.add_action(fm_ids[0], "Tune timeouts", owner="bob", due_date=dt.date(2026, 5, 1),
                     status=ActionStatus.IN_PROGRESS)  # fmt: skip
    model.add_action(
        fm_ids[1],
        "=cmd|' /C calc'!A0",
        owner="carol",
        due_date=dt.date(2026, 1, 10),
        status="done",
        action_taken="Alert at 80%",
    )
    model.add_action(fm_ids[2], "Config linting", owner="dan", due_date=None,
                     status=ActionStatus.OPEN)  # fmt: skip
    model.add_action(fm_ids[3], "Idempotent retries", owner="\u00e9mile",
                     due_date=dt.date(1899, 12, 31), status="cancelled")  # fmt: skip
    model.add_action(fm_ids[5], "Automate renewal", owner="erin", due_date=dt.date(2026, 3, 1),
                     status=ActionStatus.OPEN, action_taken="+half done")  # fmt: skip
    return model


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


@dataclass
class LibreOfficeView:
    """What a reviewer sees: every sheet as CSV and the printed pages as text."""

    sheets: dict[str, list[list[str]]]
    pdf_text: str
    pdf_pages: int


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return path


def start_conversion(sources: list[Path], target_filter: str, outdir: Path, profile: Path):
    """Start LibreOffice converting `sources`; each conversion kind gets its own profile so
    several can run at once."""
    return subprocess.Popen(
        [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", target_filter, "--outdir", str(outdir), *map(str, sources)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(process) -> None:
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr


def convert_all(reports: list[Path], workdir: Path, resave: list[Path]) -> Path:
    """CSV of every sheet and PDF of each report, and an .xlsx re-save of `resave`, in
    parallel; returns the folder of the re-saved copies."""
    resaved = workdir / "resaved"
    processes = [
        start_conversion(reports, CSV_FILTER, workdir, workdir / "profile-csv"),
        start_conversion(reports, "pdf", workdir, workdir / "profile-pdf"),
        start_conversion(resave, XLSX_FILTER, resaved, workdir / "profile-xlsx"),
    ]
    for process in processes:
        finish(process)
    return resaved


def view_of(report: Path, sheet_names) -> LibreOfficeView:
    """What LibreOffice produced for `report` by `convert_all`."""
    workdir = report.parent
    sheets = {name: csv_rows(workdir / f"{report.stem}-{name}.csv") for name in sheet_names}
    pdf = workdir / f"{report.stem}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    pages = text.count("\f") or 1
    return LibreOfficeView(sheets, text, pages)
