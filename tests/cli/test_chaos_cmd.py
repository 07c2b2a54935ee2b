"""`fma-app chaos` and `fma-app chaos-result` on real model files: drafts from the example model,
exit codes, one stderr line per skipped draft, journals recorded, refused and bad input."""

from __future__ import annotations

import http.server
import json
import shutil
import socketserver
import threading
from pathlib import Path
from typing import ClassVar

import pytest
from cli_support import run

from fma_app.cli import main
from fma_app.domain.model import Model
from fma_app.domain.resilience import (
    ChaosTarget,
    ExperimentStatus,
    Fault,
    Resilience,
    SteadyStateProbe,
)
from fma_app.storage import open_model, save_model
from fma_app.storage.locking import acquire_lock


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "payments.fma"
    assert main(["demo", "-o", str(path)]) == 0
    return path


@pytest.fixture
def demo(demo_master, tmp_path) -> Path:
    copy = tmp_path / "payments.fma"
    shutil.copy2(demo_master, copy)
    return copy


def assert_one_line_error(err: str, *parts: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("fma-app: error: ")
    for part in parts:
        assert part in lines[0], (part, lines[0])


@pytest.mark.parametrize(
    ("format_name", "written", "suffix"),
    [("chaostoolkit", 12, ".json"), ("litmus", 10, ".yaml"), ("fis", 11, ".json")],
)
def test_the_example_gives_at_least_five_drafts_in_every_format(
    capsys, demo, tmp_path, format_name, written, suffix
):
    out_dir = tmp_path / "drafts"
    code, out, err = run(capsys, "chaos", str(demo), "-o", str(out_dir), "--format", format_name)
    files = sorted(out_dir.iterdir())
    assert len(files) == written >= 5
    assert all(f.suffix == suffix for f in files)
    model = open_model(demo)
    faulted = sum(1 for fm in model.failure_modes.values() if fm.resilience.fault is not None)
    skipped = err.strip().splitlines()
    assert code == 1  # the example has faults some formats cannot express
    assert len(skipped) == faulted - written
    assert all(line.startswith("fma-app: skipped failure mode ") for line in skipped)
    assert any("has no chaos target" in line for line in skipped)  # the settlement batch
    assert f"wrote {written} {format_name} drafts" in out
    # Named after component and failure mode.
    assert any(f.name.startswith("payment-authorisation--acquirer-timeout") for f in files)


def test_every_selected_draft_written_exits_0(capsys, demo, tmp_path):
    model = open_model(demo)
    fm = next(f for f in model.failure_modes.values() if f.failure_mode.startswith("Acquirer time"))
    out_dir = tmp_path / "one"
    code, _out, err = run(capsys, "chaos", str(demo), "-o", str(out_dir), "--format",
                         "chaostoolkit", "--failure-mode", str(fm.id))  # fmt: skip
    assert (code, err) == (0, "")
    (only,) = out_dir.iterdir()
    experiment = json.loads(only.read_text())
    assert experiment["tags"][1:3] == [f"fma-model:{model.uuid}", f"fma-failure-mode:{fm.id}"]
    assert "Hypothesis: When the acquirer call takes 3 s" in experiment["description"]


def test_a_failure_mode_without_a_fault_is_skipped_with_its_reason(capsys, demo, tmp_path):
    model = open_model(demo)
    plain = next(f for f in model.failure_modes.values() if f.resilience.fault is None)
    code, _out, err = run(capsys, "chaos", str(demo), "-o", str(tmp_path / "d"), "--format",
                          "fis", "--failure-mode", str(plain.id))  # fmt: skip
    assert code == 1
    assert err.strip().splitlines() == [
        f"fma-app: skipped failure mode {plain.id} "
        f"({model.component(plain.component_id).name}: {plain.failure_mode}): no AWS FIS draft "
        "because it has no fault to inject"
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--failure-mode", "99999"], "the model has no failure mode with id 99999"),
        (["--failure-mode", "x1"], "--failure-mode 'x1' is not a failure mode id"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, demo, tmp_path, extra, message):
    code, _out, err = run(capsys, "chaos", str(demo), "-o", str(tmp_path / "d"),
                          "--format", "litmus", *extra)  # fmt: skip
    assert code == 2
    assert_one_line_error(err, message)
    assert not (tmp_path / "d").exists()


def test_a_missing_model_exits_2(capsys, tmp_path):
    code, _out, err = run(capsys, "chaos", str(tmp_path / "none.fma"), "-o", str(tmp_path),
                          "--format", "fis")  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "none.fma")


# ---- chaos-result ------------------------------------------------------------------------------
def journal_for(model_path: Path, fm_id: int, tmp_path: Path, **fields: object) -> Path:
    """A journal as `chaos run` writes it (chaostoolkit-lib 1.44): the experiment it ran (our
    draft, with its tags), status, deviated, start and end, steady states and the run."""
    out_dir = tmp_path / "drafts"
    assert main(["chaos", str(model_path), "-o", str(out_dir), "--format", "chaostoolkit",
                 "--failure-mode", str(fm_id)]) == 0  # fmt: skip
    (draft,) = out_dir.iterdir()
    journal = {
        "chaoslib-version": "1.44.0",
        "platform": "Linux-6.1.0-x86_64-with-glibc2.36",
        "node": "runner-1",
        "experiment": json.loads(draft.read_text()),
        "start": "2026-11-30T21:14:03.118394+00:00",
        "status": "completed",
        "deviated": False,
        "steady_states": {"before": {"steady_state_met": True, "probes": []},
                          "after": {"steady_state_met": True, "probes": []}, "during": []},
        "run": [],
        "rollbacks": [],
        "end": "2026-11-30T21:16:09.532104+00:00",
        "duration": 126.41,
    }  # fmt: skip
    journal.update(fields)
    path = tmp_path / "journal.json"
    path.write_text(json.dumps(journal, indent=2))
    return path


def timeout_fm(model_path: Path) -> int:
    model = open_model(model_path)
    return next(
        f.id for f in model.failure_modes.values() if f.failure_mode.startswith("Acquirer time")
    )


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, ExperimentStatus.PASSED),
        ({"status": "failed", "deviated": True}, ExperimentStatus.FAILED),
        ({"status": "completed", "deviated": True}, ExperimentStatus.FAILED),
        ({"status": "aborted"}, ExperimentStatus.NOT_CONCLUDED),
        ({"status": "interrupted"}, ExperimentStatus.NOT_CONCLUDED),
        ({"status": "failed"}, ExperimentStatus.NOT_CONCLUDED),
        (
            {"steady_states": {"before": {"steady_state_met": False, "probes": []}}},
            ExperimentStatus.NOT_CONCLUDED,
        ),  # unhealthy before the fault
    ],
)
def test_a_journal_is_recorded_on_its_failure_mode(capsys, demo, tmp_path, fields, status):
    fm_id = timeout_fm(demo)
    journal = journal_for(demo, fm_id, tmp_path, **fields)
    code, out, err = run(capsys, "chaos-result", str(demo), str(journal))
    assert (code, err) == (0, "")
    assert f"recorded on failure mode {fm_id}" in out
    record = open_model(demo).failure_modes[fm_id].resilience.experiment
    assert record.status == status
    assert record.date.isoformat() == "2026-11-30"
    assert record.result == str(journal.resolve())


def test_a_model_open_in_the_app_is_refused(capsys, demo, tmp_path):
    journal = journal_for(demo, timeout_fm(demo), tmp_path)
    before = demo.read_bytes()
    lock = acquire_lock(demo)
    try:
        code, _out, err = run(capsys, "chaos-result", str(demo), str(journal))
    finally:
        lock.release()
    assert code == 2
    assert_one_line_error(err, "is open in FMA Workbench", "close it there first")
    assert demo.read_bytes() == before


def test_a_journal_of_another_model_is_refused(capsys, demo, tmp_path):
    other = tmp_path / "other.fma"
    assert main(["demo", "-o", str(other)]) == 0  # the same content, another identity
    journal = journal_for(other, timeout_fm(other), tmp_path)
    before = demo.read_bytes()
    code, _out, err = run(capsys, "chaos-result", str(demo), str(journal))
    assert code == 2
    assert_one_line_error(err, "the journal comes from another model")
    assert demo.read_bytes() == before
    assert not list(tmp_path.glob("*.lock"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"chaoslib-version": "1.44.0", "experiment": {"title": "x", "tags": []',
         "is not valid JSON (the file looks truncated)"),
        ('{"chaoslib-version": "1.44.0", "experiment": {"title": "x', "looks truncated"),
        ('{"status": "completed"}', "is not a Chaos Toolkit journal (it holds no experiment)"),
        ('{"experiment": {}, "status": "done"}', "status 'done' is not one of"),
        ('{"experiment": {"title": "Kill it", "tags": ["x"]}, "status": "completed"}',
         "names an experiment FMA Workbench did not draft ('Kill it'"),
        ("[]", "is not a Chaos Toolkit journal"),
    ],
)  # fmt: skip
def test_bad_journals_exit_2_and_leave_the_model_alone(capsys, demo, tmp_path, content, message):
    journal = tmp_path / "journal.json"
    journal.write_text(content)
    before = demo.read_bytes()
    code, _out, err = run(capsys, "chaos-result", str(demo), str(journal))
    assert code == 2
    assert_one_line_error(err, message)
    assert demo.read_bytes() == before


def test_a_journal_naming_an_unknown_failure_mode_is_refused(capsys, demo, tmp_path):
    journal = journal_for(demo, timeout_fm(demo), tmp_path)
    data = json.loads(journal.read_text())
    data["experiment"]["tags"] = [
        "fma-failure-mode:99999" if t.startswith("fma-failure-mode:") else t
        for t in data["experiment"]["tags"]
    ]
    journal.write_text(json.dumps(data))
    code, _out, err = run(capsys, "chaos-result", str(demo), str(journal))
    assert code == 2
    assert_one_line_error(err, "names failure mode 99999, which this model does not have")


# ---- a real run ----------------------------------------------------------------------------------
class _Health(http.server.BaseHTTPRequestHandler):
    answers: ClassVar[list[int]] = [200]  # one status per request; the last one repeats

    def do_GET(self) -> None:
        answers = type(self).answers
        self.send_response(answers.pop(0) if len(answers) > 1 else answers[0])
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        ([200], "passed"),  # healthy before and after the fault
        ([200, 503], "failed"),  # healthy before, not after: deviated
        # Unhealthy before the fault: chaoslib 1.44 says "completed", not deviated, and runs no
        # method; only steady_states.before tells it apart.
        ([503], "not concluded"),
    ],
)
def test_a_journal_of_a_real_chaos_toolkit_run_is_recorded(capsys, tmp_path, answers, status):
    """chaoslib runs our draft for real: the probe against a local server, the toxiproxy
    action failing on a closed port (no toxiproxy here); its journal is what chaos-result
    reads."""
    chaoslib_experiment = pytest.importorskip("chaoslib.experiment", reason="needs the chaos group")
    handler = type("Health", (_Health,), {"answers": list(answers)})
    server = socketserver.TCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        model = Model(name="Real run")
        api = model.add_component("api", chaos_target=ChaosTarget.checked("toxiproxy", proxy="api"))
        fm = model.add_failure_mode(
            api.id,
            failure_mode="Upstream unreachable",
            resilience=Resilience.checked(
                fault=Fault.checked("dependency unreachable", 1),
                probe=SteadyStateProbe.checked(
                    "http", f"http://127.0.0.1:{server.server_address[1]}/health", timeout_s=2
                ),
            ),
        )
        path = tmp_path / "run.fma"
        save_model(model, path)
        out_dir = tmp_path / "drafts"
        assert main(["chaos", str(path), "-o", str(out_dir), "--format", "chaostoolkit"]) == 0
        (draft,) = out_dir.iterdir()
        experiment = json.loads(draft.read_text())
        experiment["configuration"] = {"toxiproxy_host": "127.0.0.1", "toxiproxy_port": 9}
        journal = chaoslib_experiment.run_experiment(experiment)
    finally:
        server.shutdown()
        server.server_close()
    journal_path = tmp_path / "journal.json"
    journal_path.write_text(json.dumps(journal, default=str))
    capsys.readouterr()
    code, out, err = run(capsys, "chaos-result", str(path), str(journal_path))
    assert (code, err) == (0, "")
    assert open_model(path).failure_modes[fm.id].resilience.experiment.status.value == status
    assert status in out
