"""`fma-app check` on real model files: exit codes, the three formats agreeing with each other,
the policy file (given, beside the model, malformed) and bad input."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_support import run, shop_model

from fma_app.cli import main
from fma_app.domain.model import Model
from fma_app.resources import example_traces_path
from fma_app.storage import save_model

AS_OF = "2026-12-01"


def broken_model() -> Model:
    """The shop (vault is a SPOF without failure modes; API gets some here) plus a
    high-priority failure mode without action, one not rated, and an overdue action on a third."""
    model = shop_model()  # db's "Disk full" is not rated (severity only)
    api = model.component_by_name("API")
    model.add_failure_mode(api.id, failure_mode="Timeout", severity=9, likelihood=8, detection=7)
    slow = model.add_failure_mode(
        api.id, failure_mode='Slow <start> & "stop"', severity=2, likelihood=2, detection=2
    )
    model.add_action(slow.id, "Tune", owner="bob", due_date=dt.date(2026, 11, 1))
    return model


def clean_model() -> Model:
    model = Model(name="Clean")
    api = model.add_component("api", user_facing=True)
    model.add_failure_mode(api.id, failure_mode="Timeout", severity=2, likelihood=2, detection=2)
    return model


def saved(model: Model, folder: Path) -> Path:
    path = folder / "model.fma"
    save_model(model, path)
    return path


def check(capsys, path: Path, *options: str) -> tuple[int, str, str]:
    return run(capsys, "check", str(path), "--as-of", AS_OF, *options)


def test_clean_model_exits_0(capsys, tmp_path):
    code, out, err = check(capsys, saved(clean_model(), tmp_path))
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith("passed: no violations")


def test_violations_exit_1_and_text_groups_them_by_rule(capsys, tmp_path):
    code, out, err = check(capsys, saved(broken_model(), tmp_path))
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == "high-priority-without-action: 1 violation"
    assert lines[1].startswith("  API: Timeout [#")
    assert "not-rated: 1 violation" in lines
    assert "spof-without-failure-modes: 1 violation" in lines
    assert (
        "  vault: single point of failure of mobile app, Web shop with no failure mode recorded"
        in lines
    )
    assert "overdue-action: 1 violation" in lines
    assert lines[-1] == (
        "failed: 4 violations of 4 rules (7 rules checked on Shop as of 2026-12-01)"
    )


def records_of_each_format(capsys, path: Path, *options: str) -> dict[str, set[tuple]]:
    """The violations each format reports, as comparable (rule, where, message) tuples."""
    code_text, text, _ = check(capsys, path, *options)
    code_json, doc, _ = check(capsys, path, "--format", "json", *options)
    code_junit, xml, _ = check(capsys, path, "--format", "junit", *options)
    assert code_text == code_json == code_junit
    from_json = {(v["rule"], v["message"]) for v in json.loads(doc)["violations"]}
    # A text line is "  LABEL: MESSAGE" under its rule's heading; labels hold ": " too, so
    # each line is matched against the messages the JSON gave for its rule.
    from_text, rule = set(), None
    for line in text.splitlines()[:-1]:
        if not line.startswith("  "):
            rule = line.split(":")[0]
            continue
        matches = [m for r, m in from_json if r == rule and line.endswith(f": {m}")]
        from_text.add((rule, matches[0] if len(matches) == 1 else line))
    root = ET.fromstring(xml)
    from_junit = {
        (suite.get("name"), failure.get("message"))
        for suite in root.iter("testsuite")
        for failure in suite.iter("failure")
    }
    return {"text": from_text, "json": from_json, "junit": from_junit}


def test_the_three_formats_agree(capsys, tmp_path):
    found = records_of_each_format(capsys, saved(broken_model(), tmp_path))
    assert len(found["json"]) == 4
    assert found["text"] == found["json"] == found["junit"]


def test_json_fields_and_summary(capsys, tmp_path):
    code, out, _ = check(capsys, saved(broken_model(), tmp_path), "--format", "json")
    document = json.loads(out)
    assert code == 1
    spof = [v for v in document["violations"] if v["rule"] == "spof-without-failure-modes"]
    assert spof[0] == {
        "rule": "spof-without-failure-modes",
        "component": "vault",
        "failure_mode": None,
        "failure_mode_id": None,
        "dependency": None,
        "message": "single point of failure of mobile app, Web shop with no failure mode recorded",
    }
    summary = document["summary"]
    assert (summary["violations"], summary["passed"], summary["as_of"]) == (4, False, AS_OF)
    assert summary["rules"]["not-rated"] == {"checked": 3, "violations": 1, "waived": 0}
    assert set(summary["skipped"]) == {"dependency-not-in-model"}


def test_junit_has_a_suite_per_rule_and_a_case_per_item(capsys, tmp_path):
    code, out, _ = check(capsys, saved(broken_model(), tmp_path), "--format", "junit")
    root = ET.fromstring(out)  # parses: special characters in names are escaped
    assert code == 1
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert set(suites) == {
        "high-priority-without-action", "not-rated", "spof-without-failure-modes",
        "overdue-action", "slo-above-ceiling", "dependency-not-in-model", "revised-not-better",
        "waiver-expired",
    }  # fmt: skip
    not_rated = suites["not-rated"]
    assert (not_rated.get("tests"), not_rated.get("failures")) == ("3", "1")
    names = [case.get("name") for case in not_rated.findall("testcase")]
    assert any('Slow <start> & "stop"' in name for name in names)
    assert suites["spof-without-failure-modes"].get("tests") == "9"  # every component
    assert suites["slo-above-ceiling"].get("tests") == "0"  # no entry point has an SLO
    skipped = suites["dependency-not-in-model"].find("testcase/skipped")
    assert skipped is not None
    assert skipped.get("message") == "no traces given (--traces)"
    assert root.get("failures") == "4"
    total = sum(int(s.get("tests")) for s in suites.values())
    assert root.get("tests") == str(total) == str(len(root.findall("testsuite/testcase")))


def test_policy_beside_the_model_is_used_by_default(capsys, tmp_path):
    path = saved(broken_model(), tmp_path)
    (tmp_path / "fma-policy.toml").write_text(
        "[rules.not-rated]\nenabled = false\n[rules.spof-without-failure-modes]\nenabled = false\n"
        "[rules.overdue-action]\ngrace_days = 90\n"
        "[[waivers]]\nrule = 'high-priority-without-action'\ncomponent = 'api'\n"
        "reason = 'bulkheads'\nowner = 'sre'\nexpires = 2026-12-31\n",
        encoding="utf-8",
    )
    code, out, err = check(capsys, path, "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["summary"]["policy"] == str(tmp_path / "fma-policy.toml")
    assert [w["waiver"]["owner"] for w in document["waived"]] == ["sre"]
    # The same waiver, judged a month later, has expired: two violations again.
    code, out, _ = run(capsys, "check", str(path), "--as-of", "2027-01-01", "--format", "json")
    rules = sorted(v["rule"] for v in json.loads(out)["violations"])
    assert (code, rules) == (1, ["high-priority-without-action", "waiver-expired"])


def test_policy_option_overrides_the_file_beside_the_model(capsys, tmp_path):
    path = saved(broken_model(), tmp_path)
    (tmp_path / "fma-policy.toml").write_text("this is not toml\n", encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text("[rules.high-priority-without-action]\nrpn_at_least = 8\n", encoding="utf-8")
    code, out, err = check(capsys, path, "--policy", str(other), "--format", "json")
    assert err == ""
    high = [v for v in json.loads(out)["violations"] if v["rule"] == "high-priority-without-action"]
    assert len(high) == 1  # "Slow" (RPN 8) has an open action; Timeout is the one
    code, out, err = check(capsys, path)  # the malformed one beside it
    assert (code, out) == (2, "")
    assert err.startswith(f"fma-app: error: policy {tmp_path / 'fma-policy.toml'}: not valid TOML")


def test_malformed_policy_exits_2_naming_line_and_key(capsys, tmp_path):
    path = saved(clean_model(), tmp_path)
    policy = tmp_path / "p.toml"
    policy.write_text("[rules.overdue-action]\n\ngrace_days = 'soon'\n", encoding="utf-8")
    code, out, err = check(capsys, path, "--policy", str(policy))
    assert (code, out) == (2, "")
    assert err == (
        f"fma-app: error: policy {policy}: line 3, key rules.overdue-action.grace_days: "
        "must be a whole number 0 or more, not 'soon'\n"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--as-of", "yesterday"], "--as-of 'yesterday' is not a valid date written YYYY-MM-DD"),
        (["--policy", "missing.toml"], "missing.toml: no such file"),
        (["--traces", "spans.json"], "trace file spans.json: no such file"),
    ],
    ids=["as-of", "policy-missing", "traces"],
)
def test_bad_options_exit_2(capsys, tmp_path, options, message):
    code, out, err = run(capsys, "check", str(saved(clean_model(), tmp_path)), *options)
    assert (code, out) == (2, "")
    assert err.startswith("fma-app: error: ")
    assert message in err
    assert err.count("\n") == 1


def test_a_missing_or_foreign_model_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(tmp_path / "nope.fma"))
    assert code == 2
    assert err.startswith("fma-app: error: ")
    foreign = tmp_path / "notes.txt"
    foreign.write_text("hello", encoding="utf-8")
    code, _, err = run(capsys, "check", str(foreign))
    assert code == 2
    assert err.startswith("fma-app: error: ")


def test_check_only_reads_the_model(capsys, tmp_path):
    path = saved(broken_model(), tmp_path)
    before = path.read_bytes()
    check(capsys, path)
    assert path.read_bytes() == before


def test_an_slo_the_dependencies_cannot_meet_fails_the_check(capsys, tmp_path):
    model = clean_model()
    api = model.component_by_name("api")
    db = model.add_component("db", availability=0.995)
    model.add_failure_mode(db.id, failure_mode="Disk full", severity=2, likelihood=2, detection=2)
    model.add_dependency(api.id, db.id)
    api.availability, api.slo = 1.0, 0.999
    code, out, _ = check(capsys, saved(model, tmp_path), "--format", "json")
    [violation] = json.loads(out)["violations"]
    assert code == 1
    assert (violation["rule"], violation["component"]) == ("slo-above-ceiling", "api")
    assert violation["message"].startswith(
        "availability 99.5 % from its dependencies is below its SLO 99.9 %"
    )


# ---- dependency-not-in-model: --traces ----------------------------------------------------------
def traced_model() -> Model:
    """clean_model's api, depending on db; db answers traces as "postgres" (an alias)."""
    model = clean_model()
    db = model.add_component("db", aliases=["postgres"])
    model.add_failure_mode(db.id, failure_mode="Disk full", severity=2, likelihood=2, detection=2)
    model.add_dependency(model.component_by_name("api").id, db.id)
    return model


def dependency_list(folder: Path, *links: dict[str, object]) -> Path:
    path = folder / "dependencies.json"
    path.write_text(json.dumps(list(links)), encoding="utf-8")
    return path


SEEN = {"parent": "API", "child": "postgres", "callCount": 9}
UNSEEN = {"parent": "api", "child": "cache", "callCount": 2, "errorCount": 1}
HSM = {"parent": "vault", "child": "hsm", "callCount": 2, "errorCount": 1}


def test_traces_the_model_has_pass(capsys, tmp_path):
    traces = dependency_list(tmp_path, SEEN)
    code, out, err = check(capsys, saved(traced_model(), tmp_path), "--traces", str(traces))
    assert (code, err) == (0, "")
    assert "skipped" not in out
    assert out.splitlines()[-1].startswith("passed: no violations (8 rules checked")


def test_a_traced_dependency_the_model_lacks_fails_the_check(capsys, tmp_path):
    path = saved(traced_model(), tmp_path)
    traces = dependency_list(tmp_path, SEEN, UNSEEN)
    code, out, err = check(capsys, path, "--traces", str(traces))
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "dependency-not-in-model: 1 violation",
        "  api -> cache: seen in the traces (2 calls, 1 error) but not in the model; cache is "
        "not a component of it either",
        "failed: 1 violation of 1 rule (8 rules checked on Clean as of 2026-12-01)",
    ]
    code, out, _ = check(capsys, path, "--traces", str(traces), "--format", "json")
    document = json.loads(out)
    assert document["violations"] == [
        {
            "rule": "dependency-not-in-model",
            "component": "api",
            "failure_mode": None,
            "failure_mode_id": None,
            "dependency": "api -> cache",
            "message": "seen in the traces (2 calls, 1 error) but not in the model; cache is "
            "not a component of it either",
        }
    ]
    assert document["summary"]["rules"]["dependency-not-in-model"] == {
        "checked": 2, "violations": 1, "waived": 0
    }  # fmt: skip
    assert document["summary"]["skipped"] == {}


def test_traced_violations_agree_in_the_three_formats(capsys, tmp_path):
    path = saved(broken_model(), tmp_path)
    traces = dependency_list(tmp_path, {"parent": "API", "child": "vault", "callCount": 3}, HSM)
    found = records_of_each_format(capsys, path, "--traces", str(traces))
    assert found["text"] == found["json"] == found["junit"]
    assert {message for rule, message in found["json"] if rule == "dependency-not-in-model"} == {
        "seen in the traces (3 calls) but not in the model",
        "seen in the traces (2 calls, 1 error) but not in the model; hsm is not a component of it "
        "either",
    }
    _, xml, _ = check(capsys, path, "--traces", str(traces), "--format", "junit")
    [suite] = [s for s in ET.fromstring(xml) if s.get("name") == "dependency-not-in-model"]
    names = {case.get("name") for case in suite.findall("testcase")}
    assert names == {"API -> vault", "vault -> hsm"}  # every traced dependency is a case
    assert (suite.get("tests"), suite.get("failures"), suite.find("testcase/skipped")) == (
        "2", "2", None
    )  # fmt: skip


def test_without_traces_the_rule_is_listed_as_not_run_in_every_format(capsys, tmp_path):
    path = saved(clean_model(), tmp_path)
    code, text, _ = check(capsys, path)
    assert "dependency-not-in-model: skipped, no traces given (--traces)" in text.splitlines()
    _, doc, _ = check(capsys, path, "--format", "json")
    skipped = json.loads(doc)["summary"]["skipped"]
    assert skipped == {"dependency-not-in-model": "no traces given (--traces)"}
    _, xml, _ = check(capsys, path, "--format", "junit")
    [suite] = [s for s in ET.fromstring(xml) if s.get("name") == "dependency-not-in-model"]
    assert suite.find("testcase/skipped").get("message") == "no traces given (--traces)"
    assert code == 0  # a rule not run is not a violation


def test_a_dependency_waiver_in_the_policy_waives_a_traced_dependency(capsys, tmp_path):
    path = saved(traced_model(), tmp_path)
    traces = dependency_list(tmp_path, SEEN, UNSEEN)
    (tmp_path / "fma-policy.toml").write_text(
        "[[waivers]]\nrule = 'dependency-not-in-model'\ndependency = 'API -> Cache'\n"
        "reason = 'cache is modelled next sprint'\nowner = 'sre'\nexpires = 2026-12-31\n",
        encoding="utf-8",
    )
    code, out, err = check(capsys, path, "--traces", str(traces), "--format", "json")
    document = json.loads(out)
    assert (code, err, document["violations"]) == (0, "", [])
    [waived] = document["waived"]
    assert (waived["dependency"], waived["waiver"]["owner"]) == ("api -> cache", "sre")
    code, out, _ = run(capsys, "check", str(path), "--traces", str(traces), "--as-of", "2027-01-01")
    assert code == 1
    assert "dependency-not-in-model: 1 violation" in out.splitlines()
    assert "waiver-expired: 1 violation" in out.splitlines()


def test_the_example_traces_against_the_example_model(capsys, tmp_path):
    """The example model misses two calls its traces make; merging the traces mends it."""
    model = tmp_path / "payments.fma"
    assert main(["demo", "-o", str(model)]) == 0
    capsys.readouterr()
    traces = str(example_traces_path())
    code, out, _ = check(capsys, model, "--traces", traces, "--format", "json")
    document = json.loads(out)
    missing = [
        (v["component"], v["dependency"], v["message"])
        for v in document["violations"]
        if v["rule"] == "dependency-not-in-model"
    ]
    assert code == 1
    assert missing == [
        ("Fraud scoring", "Fraud scoring -> risk-rules",
         "seen in the traces (50 calls) but not in the model; risk-rules is not a component of "
         "it either"),
        ("Tokenisation vault", "Tokenisation vault -> Ledger primary",
         "seen in the traces (50 calls) but not in the model"),
    ]  # fmt: skip
    checked = document["summary"]["rules"]["dependency-not-in-model"]["checked"]
    assert main(["import-traces", traces, "--merge", str(model)]) == 0
    capsys.readouterr()
    _, out, _ = check(capsys, model, "--traces", traces, "--format", "json")
    after = json.loads(out)["summary"]["rules"]["dependency-not-in-model"]
    assert after == {"checked": checked, "violations": 0, "waived": 0}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (b'[{"parent": "api"}]', "not a trace file: a JSON list of object with keys 'parent'"),
        (b"\x1f\x8b\x08\x00truncated", "the gzip data is truncated or damaged"),
        (b'[{"parent": "api", "child": "db", "callCount": -1}]', "[0].callCount must be a whole"),
    ],
    ids=["empty", "not-traces", "bad-gzip", "bad-count"],
)
def test_a_bad_trace_file_exits_2_naming_it(capsys, tmp_path, content, problem):
    path = saved(traced_model(), tmp_path)
    good = dependency_list(tmp_path, SEEN)
    bad = tmp_path / "spans.json.gz"
    bad.write_bytes(content)
    code, out, err = check(capsys, path, "--traces", str(good), str(bad))
    assert (code, out) == (2, "")
    assert err.startswith(f"fma-app: error: trace file {bad}: ")
    assert problem in err
    assert err.count("\n") == 1
