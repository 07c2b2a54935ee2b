"""Header aliases: how real forms spell their columns, and which field each one is."""

from __future__ import annotations

import pytest

from fma_app.reports import headers as h


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Item", h.ITEM),
        ("COMPONENT", h.ITEM),
        ("System element", h.ITEM),
        ("Item / Function", h.ITEM),
        ("2. Focus Element", h.ITEM),
        ("Process Step", h.PROCESS_STEP),  # the component only when there is no Item column
        ("Function", h.FUNCTION),
        ("2. Focus Element Function and Requirement", h.FUNCTION),
        ("Function of Focus Element", h.FUNCTION),
        ("Failure Mode", h.FAILURE_MODE),
        ("Potential\nFailure Mode", h.FAILURE_MODE),
        ("(Potential) Failure Mode", h.FAILURE_MODE),
        ("2. Failure Mode (FM) of the Focus Element", h.FAILURE_MODE),
        ("Potential Effect(s) of Failure", h.EFFECT),
        ("Effects", h.EFFECT),
        ("1. Failure Effects (FE) to the Next Higher Level Element and/or End User", h.EFFECT),
        ("Severity", h.SEVERITY),
        ("Sev", h.SEVERITY),
        ("S", h.SEVERITY),
        ("Severity (S) of FE", h.SEVERITY),
        ("Severity(S)", h.SEVERITY),
        ("Occurrence(O)", h.LIKELIHOOD),
        ("S\nE\nV", h.SEVERITY),
        ("Potential Cause(s)/ Mechanism(s) of Failure", h.CAUSE),
        ("(Potential) Cause(s)", h.CAUSE),
        ("*Potential Cause(s)/ Mechanism(s) of Failure", h.CAUSE),
        ("POTENTIAL EFFECT(S) OF FAILURE", h.EFFECT),
        ("Mechanism(s)", h.CAUSE),
        ("3. Failure Cause (FC) of the Next Lower Element", h.CAUSE),
        ("Current Prevention Controls", h.PREVENTION),
        ("Current Design Controls\nPrevention", h.PREVENTION),
        ("Current Prevention Control (PC) of FC", h.PREVENTION),
        ("Preventive controls", h.PREVENTION),
        ("Current process controls \u2014 prevention", h.PREVENTION),
        ("Occurrence", h.LIKELIHOOD),
        ("Occur", h.LIKELIHOOD),
        ("Occ", h.LIKELIHOOD),
        ("O", h.LIKELIHOOD),
        ("Likelihood", h.LIKELIHOOD),
        ("Probability", h.LIKELIHOOD),
        ("Occurrence (O) of FC", h.LIKELIHOOD),
        ("L", h.LIKELIHOOD),  # FMA Workbench's own S x L x D
        ("Revised L", h.LIKELIHOOD),  # a repeated score column: revised by position
        ("(Current) Detection Controls", h.DETECTION_CONTROLS),
        ("Current Process Controls Detection", h.DETECTION_CONTROLS),
        ("Current Detection Controls (DC) of FC or FM", h.DETECTION_CONTROLS),
        ("Detective controls", h.DETECTION_CONTROLS),
        ("Current Controls", h.DETECTION_CONTROLS),  # AIAG 3rd edition: one controls column
        ("Detection", h.DETECTION),
        ("Detec", h.DETECTION),
        ("Det", h.DETECTION),
        ("D", h.DETECTION),
        ("Detection (D) of FC/FM", h.DETECTION),
        ("R.P.N.", h.RPN),
        ("RPN", h.RPN),
        ("Risk Priority Number", h.RPN),
        ("DFMEA AP", h.IGNORED),
        ("Class", h.IGNORED),
        ("Recommended Action(s)", h.ACTION),
        ("DFMEA Prevention Action", h.ACTION),
        ("Detection Action", h.ACTION),
        ("Responsibility", h.OWNER),
        ("Owner", h.OWNER),
        ("Responsible Person's Name", h.OWNER),
        ("Target (Completion) Date", h.DUE),
        ("Target Date", h.DUE),
        ("Due", h.DUE),
        ("Responsibility\n& Target\nCompletion Date", h.OWNER_AND_DUE),
        ("Actions Taken", h.ACTION_TAKEN),
        ("Action Taken with Pointer to Evidence", h.ACTION_TAKEN),
        ("Actions Taken & Completion Date", h.ACTION_TAKEN),
        ("Status", h.STATUS),
        ("Remarks", h.NOTES),
    ],
)
def test_header_aliases(header, field):
    assert h.match_header(header) == field


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Design Responsibility:",
        "1. Next Higher Level",
        "1. Next Higher Level Function and Requirement",
        "3. Function of Next Lower Level",
        "Completion Date",
        "Action Results",
        "Key Date",
        "Prepared By",
    ],
)
def test_headers_that_name_no_imported_field(header):
    assert h.match_header(header) is None


def test_normalisation_folds_case_space_plurals_and_punctuation():
    assert h.normalise_header("  Potential\n Effect(s)  of   FAILURE ") == "effects of failure"
    assert h.normalise_header("R.P.N.") == "rpn"
    assert h.normalise_header("Responsibility & Target") == "responsibility and target"
