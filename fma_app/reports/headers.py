"""Column headers of FMEA forms: normalising them and matching them to model fields.

Real forms write the same column many ways ("Potential\\nFailure Mode", "Sev", "Occur",
"R.P.N.", "Severity (S) of FE", "Current Design Controls Prevention"). A header is first
normalised: lower case, "(s)" plurals folded, other parenthesised text, punctuation, leading
numbering ("2.") and the words "potential", "current", "DFMEA", "revised" dropped. Then it is
looked up in an alias table; failing that, the part before " of ", " with ", " for " or " to "
is tried ("Failure Mode of the Focus Element"); a header naming controls is a controls column
(prevention when it says so, else detection), and any other naming a function is the Function
column (unless it is the next higher or lower level's, on AIAG-VDA forms).
"""

from __future__ import annotations

import re

# Field keys. Score fields use the model's names: the handbook's "occurrence" is our likelihood.
ITEM = "item"
FUNCTION = "function"
FAILURE_MODE = "failure_mode"
EFFECT = "effect"
SEVERITY = "severity"
CAUSE = "cause"
PREVENTION = "prevention_controls"
LIKELIHOOD = "likelihood"
DETECTION_CONTROLS = "detection_controls"
DETECTION = "detection"
ACTION = "recommended_action"
OWNER = "owner"
DUE = "due_date"
OWNER_AND_DUE = "owner_and_due"  # AIAG 4th edition: "Responsibility & Target Completion Date"
ACTION_TAKEN = "action_taken"
STATUS = "status"
NOTES = "notes"
RPN = "rpn"  # recognised so it is never mistaken for data, then ignored: RPN is recomputed
IGNORED = "ignored"  # recognised form columns we do not import (AP, classification)

SCORE_FIELDS = (SEVERITY, LIKELIHOOD, DETECTION)
REQUIRED_FIELDS = (ITEM, FAILURE_MODE, SEVERITY, LIKELIHOOD, DETECTION)

# How problems name a field's column to the user.
DISPLAY_NAMES = {
    ITEM: "Item",
    FUNCTION: "Function",
    FAILURE_MODE: "Failure Mode",
    EFFECT: "Effect",
    SEVERITY: "Severity",
    CAUSE: "Cause",
    PREVENTION: "Prevention Controls",
    LIKELIHOOD: "Occurrence",
    DETECTION_CONTROLS: "Detection Controls",
    DETECTION: "Detection",
    ACTION: "Recommended Action",
    OWNER: "Responsibility",
    DUE: "Target Date",
    OWNER_AND_DUE: "Responsibility & Target Date",
    ACTION_TAKEN: "Actions Taken",
    STATUS: "Status",
    NOTES: "Notes",
}

_ALIASES: dict[str, tuple[str, ...]] = {
    ITEM: (
        "item", "items", "component", "components", "system element", "system elements",
        "element", "focus element", "item function", "process step", "process step function",
        "process item",
    ),
    FUNCTION: (
        "function", "functions", "function requirements", "function and requirements",
        "process function", "process function requirements",
    ),
    FAILURE_MODE: ("failure mode", "failure modes", "mode of failure"),
    EFFECT: (
        "effect", "effects", "failure effect", "failure effects", "effect of failure",
        "effects of failure", "end effect", "end effects",
    ),
    SEVERITY: ("severity", "sev", "s", "severity rating", "s e v"),
    CAUSE: (
        "cause", "causes", "mechanism", "mechanisms", "cause mechanism", "causes mechanisms",
        "failure cause", "failure causes", "cause of failure", "causes of failure",
        "mechanisms of failure", "failure mechanism", "failure mechanisms",
    ),
    PREVENTION: ("prevention controls", "prevention control"),
    LIKELIHOOD: (
        "occurrence", "occur", "occ", "o", "likelihood", "probability", "occurrence rating", "l",
        "o c c",
    ),
    DETECTION_CONTROLS: ("detection controls", "detection control"),
    DETECTION: ("detection", "detec", "det", "d", "detection rating", "detectability", "d e t"),
    ACTION: (
        "recommended action", "recommended actions", "recommendation", "recommendations",
        "prevention action", "prevention actions", "detection action", "detection actions",
        "action", "actions", "actions recommended",
    ),
    OWNER: (
        "responsibility", "owner", "action owner", "responsible", "responsible person",
        "responsible persons name", "responsible person name", "who",
    ),
    DUE: (
        "target date", "target completion date", "due", "due date", "target", "deadline",
        "target finish date",
    ),
    OWNER_AND_DUE: (
        "responsibility and target completion date", "responsibility and target date",
        "responsibility target completion date", "responsibility target date",
        "owner and due date", "owner and target date",
    ),
    ACTION_TAKEN: (
        "actions taken", "action taken", "actions taken completion date",
        "actions taken and completion date", "action taken and completion date",
        "action taken completion date", "action taken with pointer to evidence",
        "actions taken with pointer to evidence",
    ),
    STATUS: ("status", "action status"),
    NOTES: ("notes", "note", "remarks", "remark", "comments", "comment"),
    RPN: ("rpn", "risk priority number", "r p n"),
    IGNORED: (
        "ap", "action priority", "dfmea ap", "pfmea ap", "class", "classification",
        "special characteristics", "filter code",
    ),
}  # fmt: skip

_LOOKUP: dict[str, str] = {
    alias: field_key for field_key, aliases in _ALIASES.items() for alias in aliases
}
# "Revised S" is a score column like "S": the repeated block is the revised one by position.
_OPTIONAL_PREFIXES = ("potential ", "current ", "dfmea ", "pfmea ", "fmea ", "revised ")


def normalise_header(text: object) -> str:
    """Lower-case header text with plurals folded and punctuation, brackets and filler removed."""
    if text is None:
        return ""
    value = str(text).lower()
    value = re.sub(r"severity\s*\(s\)", "severity", value)  # "Severity(S)": not a plural
    value = re.sub(r"(\w)\(s\)", r"\1s", value)  # "effect(s)" -> "effects"
    value = re.sub(r"\([^)]*\)", " ", value)  # "(S)", "(FE)", "(Potential)"
    value = value.replace("&", " and ").replace("'", "").replace("\u2019", "")
    value = re.sub(r"(?<=\w)\.(?=\w)", "", value)  # "R.P.N." -> "RPN."
    value = re.sub(r"[^a-z0-9]+", " ", value).strip()
    value = re.sub(r"^(\d+[a-z]?|[a-z]) (?=[a-z]{2})", "", value)  # "2. Focus Element", "a) Item"
    changed = True
    while changed:
        changed = False
        for prefix in _OPTIONAL_PREFIXES:
            if value.startswith(prefix) and value != prefix.strip():
                value = value[len(prefix) :]
                changed = True
    return value


def match_header(text: object) -> str | None:
    """The field a header names, or None when it is not a column we know."""
    normalised = normalise_header(text)
    if not normalised:
        return None
    found = _lookup(normalised)
    if found == FUNCTION and ("next higher" in normalised or "next lower" in normalised):
        return None  # AIAG-VDA forms: only the focus element's function is the row's function
    return found


def _lookup(normalised: str) -> str | None:
    if normalised in _LOOKUP:
        return _LOOKUP[normalised]
    words = set(normalised.split())
    if words & {"control", "controls"}:
        if words & {"prevention", "preventive", "preventative"}:
            return PREVENTION
        # "Detection controls", "Detective controls", and the single "Current Controls"
        # column of older (AIAG 3rd edition) forms: text, never the Detection score.
        return DETECTION_CONTROLS
    for separator in (" of ", " with ", " for ", " to "):
        head = normalised.split(separator, 1)[0]
        if head != normalised and head in _LOOKUP:
            return _LOOKUP[head]
    if "function" in words:  # "2. Focus Element Function and Requirement"
        return FUNCTION
    return None
