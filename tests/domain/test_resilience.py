"""The resilience vocabulary: faults with their magnitudes, targets, probes, mitigations,
runbook links and experiment records; bad values refused with a message naming the field."""

from __future__ import annotations

import pytest

from fma_app.domain.commands import edit_resilience, set_chaos_target
from fma_app.domain.errors import ModelError, ValidationError
from fma_app.domain.model import Model
from fma_app.domain.resilience import (
    ChaosTarget,
    ExperimentRecord,
    Fault,
    FaultKind,
    Mitigation,
    MitigationPattern,
    MitigationState,
    Resilience,
    SteadyStateProbe,
    format_mitigations,
    parse_mitigations,
    runbook_is_openable,
)
from fma_app.domain.serialization import model_from_dict, model_from_json, model_to_json


def test_faults_take_the_magnitude_their_kind_needs():
    assert Fault.checked("Latency", "120", 250) == Fault(FaultKind.LATENCY, 120, 250)
    assert Fault.checked("instance_killed", 30).magnitude is None
    assert Fault.checked("latency", 60, 300).describe() == "latency 300 ms for 60 s"
    assert Fault.checked("cpu-exhausted", 60, 80).describe() == "cpu exhausted 80% for 60 s"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("latency", 60, None), "fault 'latency' needs its latency (ms)"),
        (("errors", 60, 101), "error rate (%) 101 is not a whole number from 1 to 100"),
        (("dns failure", 60, 5), "fault 'dns failure' takes no magnitude"),
        (("latency", 0, 5), "fault duration (s) 0 is not a whole number from 1 to 86400"),
        (("meteor strike", 60, None), "fault 'meteor strike' is not one of: instance killed"),
        (("latency", 60, 1.5), "latency (ms) 1.5 is not a whole number"),
    ],
)
def test_bad_faults_are_refused_by_name(args, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Fault.checked(*args)


@pytest.mark.parametrize(
    ("platform", "fields", "message"),
    [
        ("kubernetes", {"selector": "app=x"}, "a kubernetes target needs a namespace"),
        ("kubernetes", {"namespace": "shop"}, "needs a label selector or a deployment"),
        ("kubernetes", {"namespace": "Shop", "selector": "a=b"}, "is not a Kubernetes name"),
        ("kubernetes", {"namespace": "s", "selector": "app"}, "is not key=value pairs"),
        ("aws", {"selector": "a=b"}, "an aws target needs a resource type"),
        ("aws", {"resource_type": "ec2-instance"}, "needs tags (key=value) or resource ids"),
        ("toxiproxy", {}, "a toxiproxy target needs a proxy"),
        ("azure", {}, "target platform 'azure' is not one of"),
    ],
)
def test_bad_targets_are_refused_by_name(platform, fields, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ChaosTarget.checked(platform, **fields)


def test_probes():
    http = SteadyStateProbe.checked("http", "https://x.example/health", expected_status="204")
    assert http.describe() == "GET https://x.example/health answers 204 within 5 s"
    with pytest.raises(ValidationError, match="must start with http:// or https://"):
        SteadyStateProbe.checked("http", "javascript:alert(1)")
    with pytest.raises(ValidationError, match="a Prometheus probe needs a query"):
        SteadyStateProbe.checked("prometheus", "http://prom:9090", threshold=1)
    with pytest.raises(ValidationError, match="threshold 'nan' is not a finite number"):
        SteadyStateProbe.checked("prometheus", "http://prom:9090", query="up", threshold="nan")
    with pytest.raises(ValidationError, match="an HTTP probe takes no query"):
        SteadyStateProbe.checked("http", "http://x", query="up")


def test_mitigations_read_back_what_they_write():
    parsed = parse_mitigations("Circuit breaker; retry_with_backoff (planned) ;")
    assert parsed == (
        Mitigation(MitigationPattern.CIRCUIT_BREAKER, MitigationState.IN_PLACE),
        Mitigation(MitigationPattern.RETRY, MitigationState.PLANNED),
    )
    assert parse_mitigations(format_mitigations(parsed)) == parsed
    with pytest.raises(ValidationError, match="mitigation 'timeout' is listed twice"):
        parse_mitigations("timeout; timeout (planned)")
    with pytest.raises(ValidationError, match="mitigation state 'maybe' is not one of"):
        parse_mitigations("timeout (maybe)")


@pytest.mark.parametrize(
    ("link", "opens"),
    [
        ("https://runbooks.example/a", True),
        ("HTTP://runbooks.example/a", True),
        ("file:///srv/runbooks/a.md", True),
        ("/srv/runbooks/a.md", True),
        ("C:\\runbooks\\a.md", True),
        ("javascript:alert(1)", False),
        ("ftp://host/a", False),
        ("smb://host/share", False),
        ("", False),
    ],
)
def test_only_http_https_and_file_runbooks_open(link, opens):
    assert runbook_is_openable(link) is opens


def test_edits_are_undoable_and_validated():
    model = Model()
    api = model.add_component("api")
    fm = model.add_failure_mode(api.id, failure_mode="Slow")
    target = ChaosTarget.checked("toxiproxy", proxy="api")
    command = set_chaos_target(model, api.id, target)
    command.do(model)
    assert model.components[api.id].chaos_target == target
    command.undo(model)
    assert model.components[api.id].chaos_target is None
    record = ExperimentRecord.checked("passed", "2026-11-30", "run.json")
    edit = edit_resilience(model, fm.id, experiment=record, runbook="https://r.example/x")
    assert edit.text == "Edit Resilience"
    edit.do(model)
    assert model.failure_modes[fm.id].resilience == Resilience(
        runbook="https://r.example/x", experiment=record
    )
    edit.undo(model)
    assert model.failure_modes[fm.id].resilience.is_empty
    with pytest.raises(ModelError, match="unknown resilience field"):
        edit_resilience(model, fm.id, colour="red")
    with pytest.raises(ValidationError, match="runbook must be one line"):
        edit_resilience(model, fm.id, runbook="a\nb")


def test_json_round_trip_keeps_resilience_and_identity():
    model = Model()
    api = model.add_component(
        "api", chaos_target=ChaosTarget.checked("aws", resource_type="ecs-task", selector="s=a")
    )
    model.add_failure_mode(
        api.id,
        resilience=Resilience.checked(
            fault=Fault.checked("errors", 30, 5),
            probe=SteadyStateProbe.checked("http", "http://api/health"),
            mitigations="bulkhead",
            experiment=ExperimentRecord.checked("not concluded", "2026-01-02"),
        ),
    )
    again = model_from_json(model_to_json(model))
    assert again.content() == model.content()
    assert again.uuid == model.uuid


def test_bad_resilience_in_json_names_where_it_is():
    data = {
        "uuid": "not-a-uuid",
        "components": [],
    }
    with pytest.raises(ValidationError, match="the model: model identity 'not-a-uuid' is not"):
        model_from_dict(data)
    data = {"components": [{"name": "api", "failure_modes": [
        {"resilience": {"fault": {"kind": "latency", "duration_s": 5}}}]}]}  # fmt: skip
    with pytest.raises(
        ValidationError, match=r"components\[0\] \(api\).failure_modes\[0\]: fault 'latency'"
    ):
        model_from_dict(data)


@pytest.mark.parametrize("written", ["31/12/2026", "2026-02-30", 20261231])
def test_an_experiment_date_not_written_yyyy_mm_dd_is_refused_by_name(written: object) -> None:
    with pytest.raises(ValidationError) as refused:
        ExperimentRecord.checked("planned", written)
    assert str(refused.value) == f"experiment date {written!r} is not a date written YYYY-MM-DD"
