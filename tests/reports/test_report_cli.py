"""`fma-app report MODEL -o REPORT.xlsx [--by rpn|ap]` end to end, with a real model file."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from report_support import build_model

from fma_app.analysis.ranking import rank_failure_modes
from fma_app.cli import main
from fma_app.reports.workbook_import import import_workbook
from fma_app.storage import save_model


@pytest.fixture
def model_file(tmp_path) -> Path:
    path = tmp_path / "platform.fma"
    save_model(build_model(), path)
    return path


def error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.strip()


@pytest.mark.parametrize("by", ["rpn", "ap"])
def test_report_command_writes_the_ranked_report(model_file, tmp_path, capsys, by):
    out = tmp_path / "review.xlsx"
    assert main(["report", str(model_file), "-o", str(out), "--by", by]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}: 6 failure modes ranked by {by}"
    ids = [row[1] for row in openpyxl.load_workbook(out)["Worksheet"].iter_rows(
        min_row=2, values_only=True)]  # fmt: skip
    assert ids == [r.failure_mode.id for r in rank_failure_modes(build_model(), by)]
    assert import_workbook(out).content() == build_model().content()


def test_a_model_that_cannot_be_opened_is_one_line_and_exit_2(tmp_path, capsys):
    out = tmp_path / "review.xlsx"
    out.write_bytes(b"previous")
    not_a_model = tmp_path / "notes.fma"
    not_a_model.write_text("just text", encoding="utf-8")
    assert main(["report", str(not_a_model), "-o", str(out)]) == 2
    line = error_line(capsys)
    assert line.startswith("fma-app: error: ")
    assert "notes.fma" in line
    assert main(["report", str(tmp_path / "missing.fma"), "-o", str(out)]) == 2
    assert "missing.fma" in error_line(capsys)
    assert out.read_bytes() == b"previous"


def test_bad_output_paths_are_refused(model_file, tmp_path, capsys):
    assert main(["report", str(model_file), "-o", str(tmp_path / "review.csv")]) == 2
    assert error_line(capsys) == (
        f"fma-app: error: the report file must end in .xlsx: {tmp_path / 'review.csv'}"
    )
    target = tmp_path / "nowhere" / "r.xlsx"
    assert main(["report", str(model_file), "-o", str(target)]) == 2
    assert error_line(capsys) == (
        f"fma-app: error: cannot write the report to {target}: folder {target.parent} "
        "does not exist"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["platform.fma"]


def test_ranking_must_be_rpn_or_ap(model_file, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(model_file), "-o", str(tmp_path / "r.xlsx"), "--by", "severity"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'severity'" in capsys.readouterr().err
