"""Every chaos draft against the real validators: chaoslib's ensure_experiment_is_valid with the
drivers installed (it imports each driver and checks the arguments against its functions),
botocore's CreateExperimentTemplate input shape plus the list of real FIS actions, and a
ChaosEngine schema plus the list of real Litmus experiments and their environment variables.

The validators come with the optional dependency group `chaos` (tools/test.sh installs it); each
test skips with the reason when its validator is missing.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from chaos_support import (
    FIS_ACTIONS,
    FIS_SSM_DOCUMENTS,
    LITMUS_EXPERIMENTS,
    matrix_model,
)

from fma_app.domain.resilience import FaultKind
from fma_app.reports.chaos import plan_drafts, selected_failure_modes

chaoslib_experiment = pytest.importorskip("chaoslib.experiment", reason="needs the chaos group")
chaoslib_exceptions = pytest.importorskip("chaoslib.exceptions")
yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")
botocore_session = pytest.importorskip("botocore.session")
botocore_validate = pytest.importorskip("botocore.validate")


@pytest.fixture(scope="module")
def model():
    return matrix_model()


def drafts_of(model, format_name: str):
    return plan_drafts(model, format_name, selected_failure_modes(model, None))


# ---- Chaos Toolkit -----------------------------------------------------------------------------
def test_every_chaostoolkit_draft_passes_chaoslib(model):
    drafts, skipped = drafts_of(model, "chaostoolkit")
    # k8s 6 + k8s without deployment 5, EC2 1 + 1, ECS 2, RDS 1, toxiproxy 3 of 7 x 9 faults
    assert len(drafts) == 19
    assert len(skipped) == 44
    for draft in drafts:
        experiment = json.loads(draft.text())
        chaoslib_experiment.ensure_experiment_is_valid(experiment)
        assert experiment["method"][0]["pauses"] == {"after": 120}
        assert f"fma-failure-mode:{draft.failure_mode.id}" in experiment["tags"]
        assert f"fma-model:{model.uuid}" in experiment["tags"]


def test_chaoslib_really_checks_the_driver_arguments(model):
    """The validator is not a formality: a wrong argument name is refused."""
    drafts, _ = drafts_of(model, "chaostoolkit")
    experiment = copy.deepcopy(drafts[0].data)
    arguments = experiment["method"][0]["provider"]["arguments"]
    arguments["no_such_argument"] = 1
    with pytest.raises(chaoslib_exceptions.InvalidActivity, match="no_such_argument"):
        chaoslib_experiment.ensure_experiment_is_valid(experiment)


def test_reversible_chaostoolkit_faults_have_rollbacks(model):
    drafts, _ = drafts_of(model, "chaostoolkit")
    by_name = {d.failure_mode.failure_mode: d.data for d in drafts}
    assert by_name["toxiproxy / latency"]["rollbacks"][0]["provider"]["func"] == "delete_toxic"
    assert by_name["toxiproxy / dependency unreachable"]["rollbacks"][0]["provider"]["func"] == (
        "enable_proxy"
    )
    assert by_name["ec2 / instance killed"]["rollbacks"][0]["provider"]["func"] == (
        "start_instances"
    )
    assert by_name["k8s / instance killed"]["rollbacks"] == []  # a killed pod is replaced


# ---- LitmusChaos -------------------------------------------------------------------------------
_ENV = {"type": "array", "items": {"type": "object", "required": ["name", "value"],
        "properties": {"name": {"type": "string", "pattern": "^[A-Z_][A-Z0-9_]*$"},
                       "value": {"type": "string"}}}}  # fmt: skip
_RUN = {"type": "object", "required": ["probeTimeout", "interval"], "minProperties": 2}
# The parts of the ChaosEngine CRD's openAPIV3Schema (litmuschaos.io/v1alpha1) the drafts use,
# written from the CRD, with its patterns and required fields.
CHAOS_ENGINE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "litmuschaos.io/v1alpha1"},
        "kind": {"const": "ChaosEngine"},
        "metadata": {"type": "object", "required": ["name", "namespace"],
                     "properties": {"name": {"type": "string",
                                             "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
                                             "maxLength": 63}}},
        "spec": {
            "type": "object",
            "required": ["appinfo", "chaosServiceAccount", "experiments"],
            "properties": {
                "engineState": {"type": "string", "pattern": "^(active|stop)$"},
                "jobCleanUpPolicy": {"type": "string", "pattern": "^(delete|retain)$"},
                "chaosServiceAccount": {"type": "string"},
                "appinfo": {"type": "object", "properties": {
                    "appkind": {"type": "string", "pattern":
                                "^(^$|deployment|statefulset|daemonset|deploymentconfig|rollout)$"},
                    "applabel": {"type": "string"}, "appns": {"type": "string"}}},
                "experiments": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["name", "spec"],
                    "properties": {"name": {"type": "string"}, "spec": {
                        "type": "object", "properties": {
                            "components": {"type": "object", "properties": {"env": _ENV}},
                            "probe": {"type": "array", "items": {
                                "type": "object",
                                "required": ["name", "type", "mode", "runProperties"],
                                "properties": {
                                    "type": {"type": "string", "pattern":
                                             "^(k8sProbe|httpProbe|cmdProbe|promProbe|sloProbe)$"},
                                    "mode": {"type": "string",
                                             "pattern": "^(SOT|EOT|Edge|Continuous|OnChaos)$"},
                                    "httpProbe/inputs": {
                                        "type": "object", "required": ["url", "method"],
                                        "properties": {"method": {"type": "object",
                                            "minProperties": 1, "properties": {"get": {
                                                "type": "object",
                                                "required": ["criteria", "responseCode"]}}}}},
                                    "promProbe/inputs": {
                                        "type": "object", "required": ["endpoint", "comparator"],
                                        "properties": {"comparator": {
                                            "type": "object", "required": ["criteria", "value"],
                                            "properties": {"criteria": {"type": "string"},
                                                           "value": {"type": "string"}}}}},
                                    "runProperties": _RUN,
                                }}}}}}}},
            },
        },
    },
}  # fmt: skip


def test_every_litmus_draft_is_a_valid_chaos_engine_with_real_experiments(model):
    drafts, skipped = drafts_of(model, "litmus")
    # 6 faults on each of the two Kubernetes targets of 7 x 9
    assert len(drafts) == 12
    assert len(skipped) == 51
    for draft in drafts:
        engine = yaml.safe_load(draft.text())
        assert engine == draft.data  # the YAML writer wrote what the writer meant
        jsonschema.validate(engine, CHAOS_ENGINE_SCHEMA)
        (experiment,) = engine["spec"]["experiments"]
        assert experiment["name"] in LITMUS_EXPERIMENTS
        keys = {item["name"] for item in experiment["spec"]["components"]["env"]}
        assert "TOTAL_CHAOS_DURATION" in keys
        assert keys <= LITMUS_EXPERIMENTS[experiment["name"]], experiment
        assert engine["metadata"]["annotations"]["fma-workbench/fma-model"] == model.uuid


def test_the_engine_schema_refuses_what_litmus_refuses(model):
    drafts, _ = drafts_of(model, "litmus")
    engine = copy.deepcopy(drafts[0].data)
    engine["spec"]["engineState"] = "running"
    with pytest.raises(jsonschema.ValidationError, match="running"):
        jsonschema.validate(engine, CHAOS_ENGINE_SCHEMA)


def test_yaml_strings_keep_their_meaning():
    from fma_app.reports.chaos.yaml_text import to_yaml

    data = {"a": ["true", "0100", "x: y", "# not a comment", 'say "hi"\n'], "b": {}, "c": 1.5}
    assert yaml.safe_load(to_yaml(data)) == data


# ---- AWS FIS -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fis_input_shape():
    service = botocore_session.get_session().get_service_model("fis")
    return service.operation_model("CreateExperimentTemplate").input_shape


def test_every_fis_draft_passes_botocore_and_uses_real_actions(model, fis_input_shape):
    drafts, skipped = drafts_of(model, "fis")
    # EKS pods 6, EC2 by tags 6 and by ids 6, ECS 5, RDS 1 of 7 x 9 faults
    assert len(drafts) == 24
    assert len(skipped) == 39
    for draft in drafts:
        template = json.loads(draft.text())
        botocore_validate.validate_parameters({**template, "clientToken": "t-1"}, fis_input_shape)
        (action,) = template["actions"].values()
        resource_type, key, parameters = FIS_ACTIONS[action["actionId"]]
        assert action["targets"] == {key: key}
        assert template["targets"][key]["resourceType"] == resource_type
        assert set(action.get("parameters", {})) <= parameters
        assert len(template["description"]) <= 512
        assert template["tags"]["fma-model"] == model.uuid
        if action["actionId"] == "aws:ssm:send-command":
            document = action["parameters"]["documentArn"].rsplit("/", 1)[1]
            assert (
                set(json.loads(action["parameters"]["documentParameters"]))
                <= (FIS_SSM_DOCUMENTS[document])
            )


def test_botocore_really_checks_the_template(model, fis_input_shape):
    drafts, _ = drafts_of(model, "fis")
    template = {**copy.deepcopy(drafts[0].data), "clientToken": "t-1"}
    template["stopConditions"] = "none"
    with pytest.raises(botocore_validate.ParamValidationError, match="stopConditions"):
        botocore_validate.validate_parameters(template, fis_input_shape)


# ---- what is expressible -----------------------------------------------------------------------
def expressible(model, format_name: str) -> set[tuple[str, str]]:
    drafts, _ = drafts_of(model, format_name)
    return {tuple(d.failure_mode.failure_mode.split(" / ")) for d in drafts}


def test_the_fault_by_format_table(model):
    """The README's table, per target kind: which faults each format can draft."""
    ctk, litmus, fis = (expressible(model, f) for f in ("chaostoolkit", "litmus", "fis"))
    kinds = {kind.value for kind in FaultKind}
    assert {f for t, f in ctk if t == "k8s"} == {
        "instance killed", "scaled to zero", "dependency unreachable", "latency",
        "cpu exhausted", "memory exhausted",
    }  # fmt: skip
    assert {f for t, f in ctk if t == "toxiproxy"} == {
        "dependency unreachable",
        "latency",
        "errors",
    }
    assert {f for t, f in litmus if t == "k8s"} == {
        "instance killed", "dependency unreachable", "latency", "cpu exhausted",
        "disk exhausted", "dns failure",
    }  # fmt: skip
    assert {f for t, f in fis if t == "k8s"} == {
        "instance killed", "dependency unreachable", "latency", "cpu exhausted",
        "memory exhausted", "disk exhausted",
    }  # fmt: skip
    assert {f for t, f in fis if t == "ec2"} == kinds - {"scaled to zero", "errors", "dns failure"}
    # No format has a DNS fault on AWS or toxiproxy, and FIS none at all.
    assert not {f for _, f in fis} & {"dns failure", "errors", "scaled to zero"}
    assert not {t for t, _ in litmus} - {"k8s", "k8s-no-cluster"}
    assert not {t for t, _ in fis} & {"toxiproxy", "k8s-no-cluster"}
