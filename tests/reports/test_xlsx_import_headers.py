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
        # Issue 12: headers of real forms that were not recognised.
        ("Prob", h.LIKELIHOOD),
        ("Occurance", h.LIKELIHOOD),
        ("Failiure Mode", h.FAILURE_MODE),
        ("Potential Failiure Mode", h.FAILURE_MODE),
        ("Functional Failure Mode(s)", h.FAILURE_MODE),
        ("2 - Item Function(s)", h.ITEM),  # the second item column becomes the function
        ("6 - Root cause(s) of Failure", h.CAUSE),
        ("Potential Causes(s) of Failure", h.CAUSE),
        ("Person Responsible and Target Completion\nDate", h.OWNER_AND_DUE),
        ("OPN. NAME.", h.PROCESS_STEP),
        ("Subsystem", h.ITEM),
        ("8 - O\nc\nc", h.LIKELIHOOD),
        ("5 -\nS\ne\nv", h.SEVERITY),
        ("10  - D\ne\nt", h.DETECTION),
        ("Recommended Controls", h.ACTION),
        ("Recommended\nControls / Preventive Controls", h.ACTION),
        ("Serverity", h.SEVERITY),
        ("Detecion", h.DETECTION),
        ("New Sev", h.SEVERITY),  # a score after the actions: revised by position or wording
        ("Fehlerart", h.FAILURE_MODE),
        ("Fehlerfolge", h.EFFECT),
        ("Fehlerursache", h.CAUSE),
        ("B", h.SEVERITY),
        ("Bedeutung", h.SEVERITY),
        ("A", h.LIKELIHOOD),
        ("Auftreten", h.LIKELIHOOD),
        ("E", h.DETECTION),
        ("Entdeckung", h.DETECTION),
        ("Vermeidungsmaßnahmen", h.PREVENTION),
        ("Entdeckungsmaßnahmen", h.DETECTION_CONTROLS),
        ("Modo de Falha Potencial", h.FAILURE_MODE),
        ("Severidade (S)", h.SEVERITY),
        ("Ocorrência (O)", h.LIKELIHOOD),
        ("Detecção (D)", h.DETECTION),
        ("Etapa do Processo", h.PROCESS_STEP),
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


@pytest.mark.parametrize(
    ("header", "revised"),
    [("Revised S", True), ("New Occ", True), ("Resulting RPN", True), ("Sev", False),
     ("Severity (S) of FE", False)],
)  # fmt: skip
def test_headers_that_say_revised(header, revised):
    assert h.says_revised(header) is revised
