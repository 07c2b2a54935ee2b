"""JUnit XML of a review: parses back with any text in names and messages, counts agree."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from fma_app.analysis import review as rv
from fma_app.analysis.review import Policy, ReviewInputs, Waiver, review
from fma_app.domain.model import Model
from fma_app.reports.junit import junit_xml

ODD = 'Tab\there, "quotes" & <tags>\nnew line, bell\x07, lone \ud800, emoji \U0001f680'


def odd_model() -> Model:
    model = Model(name=ODD)
    component = model.add_component(ODD)
    model.add_failure_mode(component.id, failure_mode=ODD, severity=3)
    model.add_failure_mode(component.id, failure_mode="plain", severity=2)
    return model


def test_odd_text_parses_back_as_the_same_text_with_unusable_characters_replaced():
    result = review(ReviewInputs(odd_model(), dt.date(2026, 12, 1)))
    root = ET.fromstring(junit_xml(result, ODD).encode("utf-8", "surrogatepass"))
    shown = ODD.replace("\x07", "\ufffd").replace("\ud800", "\ufffd")
    assert root.get("name") == f"fma-app check: {shown}"
    suite = next(s for s in root.iter("testsuite") if s.get("name") == rv.NOT_RATED)
    names = [case.get("name") for case in suite.iter("testcase")]
    assert names[0].startswith(f"{shown}: {shown} [#")
    failures = [f.get("message") for f in suite.iter("failure")]
    assert failures == ["not rated yet: no likelihood, detection"] * 2
    assert [f.text for f in suite.iter("failure")] == failures


def test_counts_and_a_waived_case_with_its_waiver():
    model = odd_model()
    plain = next(fm for fm in model.failure_modes.values() if fm.failure_mode == "plain")
    waiver = Waiver(rv.NOT_RATED, "r & d", "o", dt.date(2027, 1, 1), failure_mode_id=plain.id)
    result = review(ReviewInputs(model, dt.date(2026, 12, 1)), Policy(waivers=(waiver,)))
    root = ET.fromstring(junit_xml(result, "m"))
    suite = next(s for s in root.iter("testsuite") if s.get("name") == rv.NOT_RATED)
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    outs = [case.findtext("system-out") for case in suite.iter("testcase")]
    assert "waived by o until 2027-01-01: r & d" in outs
    cases = root.findall("testsuite/testcase")
    assert root.get("tests") == str(len(cases))
    assert root.get("failures") == str(len(root.findall("testsuite/testcase/failure")))
