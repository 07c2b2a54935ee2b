"""Column headers of FMEA forms: normalising them and matching them to model fields.

Real forms write the same column many ways ("Potential\\nFailure Mode", "Sev", "Occur",
"R.P.N.", "Severity (S) of FE", "8 - O\\nc\\nc", "Fehlerart", "Occurance"). A header is first
normalised: lower case, accents and umlauts folded, "(s)" plurals folded, other parenthesised
text, punctuation, leading numbering ("2.", "8 -") and the words "potential", "current", "DFMEA",
"revised" dropped, and stacked one-letter lines joined ("S\\ne\\nv" is "sev"). Then it is looked up
in an alias table; failing that, common misspellings are corrected word by word, a plural is
made singular, the part before " of ", " with ", " for " or " to " is tried ("Failure Mode of the
Focus Element"); a header naming controls is a controls column (prevention when it says so, else
detection, and "Recommended Controls" is the recommended action), a header naming a person and a
date is the owner-and-date column, and any other naming a function is the Function column
(unless it is the next higher or lower level's, on AIAG-VDA forms).

A few Portuguese, Spanish and French headers ("Modo de Falha", "Severidade", "Ocorrência")
match too. The field keys are the names a user gives to `fma-app import --map COLUMN=FIELD`.
"""

from __future__ import annotations

import re
import unicodedata

# Field keys (the `--map` vocabulary). Score fields use the model's names: the handbook's
# "occurrence" is our likelihood.
ITEM = "component"
FUNCTION = "function"
FAILURE_MODE = "failure_mode"
EFFECT = "effect"
SEVERITY = "severity"
CAUSE = "cause"
PREVENTION = "prevention_controls"
LIKELIHOOD = "likelihood"
DETECTION_CONTROLS = "detection_controls"
DETECTION = "detection"
NOTES = "notes"
ACTION = "action"
OWNER = "action_owner"
DUE = "action_due"
STATUS = "action_status"
ACTION_TAKEN = "action_taken"
REVISED_SEVERITY = "revised_severity"
REVISED_LIKELIHOOD = "revised_likelihood"
REVISED_DETECTION = "revised_detection"
IGNORED = "ignore"  # recognised form columns we do not import (RPN, AP, classification, No.)
# AIAG 4th edition: "Responsibility & Target Completion Date", one column with both.
OWNER_AND_DUE = "action_owner_and_due"
# A process FMEA's process step or operation: the component when the form has no item column.
PROCESS_STEP = "process_step"
RPN = IGNORED  # recognised so it is never mistaken for data, then ignored: RPN is recomputed

# Every field a user may map a column to, in form order.
USER_FIELDS = (
    ITEM, FUNCTION, FAILURE_MODE, EFFECT, SEVERITY, CAUSE, LIKELIHOOD, PREVENTION,
    DETECTION_CONTROLS, DETECTION, NOTES, ACTION, OWNER, DUE, STATUS, ACTION_TAKEN,
    REVISED_SEVERITY, REVISED_LIKELIHOOD, REVISED_DETECTION, IGNORED, OWNER_AND_DUE,
    PROCESS_STEP,
)  # fmt: skip

SCORE_FIELDS = (SEVERITY, LIKELIHOOD, DETECTION)
REVISED_FIELDS = (REVISED_SEVERITY, REVISED_LIKELIHOOD, REVISED_DETECTION)
REVISED_OF = dict(zip(SCORE_FIELDS, REVISED_FIELDS, strict=True))
# The columns of a complete, rated form (the fuzz tests build forms from them).
REQUIRED_FIELDS = (ITEM, FAILURE_MODE, SEVERITY, LIKELIHOOD, DETECTION)
ACTION_BLOCK_FIELDS = (ACTION, OWNER, DUE, OWNER_AND_DUE, STATUS, ACTION_TAKEN)

# How problems and the preview name a field's column to the user.
DISPLAY_NAMES = {
    ITEM: "Component",
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
    REVISED_SEVERITY: "Revised Severity",
    REVISED_LIKELIHOOD: "Revised Occurrence",
    REVISED_DETECTION: "Revised Detection",
    IGNORED: "(ignored)",
    PROCESS_STEP: "Process Step",
}

_ALIASES: dict[str, tuple[str, ...]] = {
    ITEM: (
        "item", "items", "component", "components", "system element", "system elements",
        "element", "focus element", "item function", "item functions", "item name",
        "component name", "subsystem", "sub system", "subsystems", "system", "assembly",
        "sub assembly", "subassembly", "part", "part name", "module", "equipment",
        "systemelement", "komponente", "baugruppe", "item description",
    ),
    PROCESS_STEP: (
        "process step", "process steps", "process step function", "process item",
        "operation", "operations", "operation name", "opn name", "op name", "process name",
        "process", "process description", "process operation", "station", "step",
        "process step name", "operation description", "process step and function",
        "prozessschritt", "prozess", "arbeitsgang", "etapa do processo", "etapa",
        "paso del proceso", "etape du processus", "operacao", "operacion",
    ),
    FUNCTION: (
        "function", "functions", "function requirements", "function and requirements",
        "process function", "process function requirements", "requirements", "requirement",
        "funktion", "funktionen", "purpose",
    ),
    FAILURE_MODE: (
        "failure mode", "failure modes", "mode of failure", "functional failure mode",
        "functional failure modes", "functional failure", "failure", "failures", "fault",
        "failure description", "failure type", "mode", "fehlerart", "fehler", "fehlerbild",
        "modo de falha", "modo de falla", "mode de defaillance",
    ),
    EFFECT: (
        "effect", "effects", "failure effect", "failure effects", "effect of failure",
        "effects of failure", "end effect", "end effects", "local effect", "local effects",
        "consequence", "consequences", "fehlerfolge", "fehlerfolgen", "efeito", "efeito da falha",
        "efecto", "efecto de la falla", "effet", "effet de la defaillance",
    ),
    SEVERITY: (
        "severity", "sev", "s", "severity rating", "seve", "sever", "b", "bedeutung",
        "severidade", "severidad", "gravidade", "gravedad", "gravite",
    ),
    CAUSE: (
        "cause", "causes", "mechanism", "mechanisms", "cause mechanism", "causes mechanisms",
        "failure cause", "failure causes", "cause of failure", "causes of failure",
        "mechanisms of failure", "failure mechanism", "failure mechanisms", "root cause",
        "root causes", "fehlerursache", "fehlerursachen", "ursache", "ursachen", "causa",
        "causa da falha", "causa de la falla", "cause de la defaillance",
    ),
    PREVENTION: (
        "prevention controls", "prevention control", "prevention", "vermeidungsmassnahmen",
        "vermeidungsmassnahme", "vermeidung",
    ),
    LIKELIHOOD: (
        "occurrence", "occur", "occ", "o", "likelihood", "probability", "occurrence rating",
        "l", "prob", "frequency", "freq", "a", "auftreten", "auftretenswahrscheinlichkeit",
        "likeliness", "ocorrencia", "ocurrencia", "probabilidade", "probabilidad",
    ),
    DETECTION_CONTROLS: (
        "detection controls", "detection control", "entdeckungsmassnahmen",
        "entdeckungsmassnahme",
    ),
    DETECTION: (
        "detection", "detec", "det", "d", "detection rating", "detectability", "detect",
        "e", "entdeckung", "entdeckungswahrscheinlichkeit", "deteccao", "deteccion",
    ),
    ACTION: (
        "recommended action", "recommended actions", "recommendation", "recommendations",
        "prevention action", "prevention actions", "detection action", "detection actions",
        "action", "actions", "actions recommended", "recommended controls",
        "recommended control", "corrective action", "corrective actions", "mitigation",
        "mitigations", "countermeasure", "countermeasures", "recommended corrective action",
        "recommended corrective actions", "improvement actions", "empfohlene massnahmen",
        "empfohlene abstellmassnahmen", "massnahmen", "massnahme", "acao recomendada",
        "acoes recomendadas", "accion recomendada", "acciones recomendadas",
        "action recommandee", "actions recommandees",
    ),
    OWNER: (
        "responsibility", "owner", "action owner", "responsible", "responsible person",
        "responsible persons name", "responsible person name", "who", "person responsible",
        "verantwortlich", "verantwortung", "responsible area", "responsible department",
    ),
    DUE: (
        "target date", "target completion date", "due", "due date", "target", "deadline",
        "target finish date", "termin", "zieltermin",
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
        "actions taken with pointer to evidence", "getroffene massnahmen",
        "ergriffene massnahmen", "completed actions",
    ),
    STATUS: ("status", "action status"),
    NOTES: ("notes", "note", "remarks", "remark", "comments", "comment", "bemerkung",
            "bemerkungen"),
    IGNORED: (
        "rpn", "risk priority number", "r p n", "rpz", "ap", "action priority", "dfmea ap",
        "pfmea ap", "class", "classification", "special characteristics", "filter code",
        "no", "nr", "id", "ref", "sr no", "s no", "sl no", "item no", "item number", "step no",
        "op no", "opn no", "operation no", "line", "process no", "process number",
        "criticality", "risk", "risk level",
        "aufgabenprioritat", "aufgabenprioritaet", "klasse", "rpn new", "new rpn",
    ),
}  # fmt: skip

_LOOKUP: dict[str, str] = {
    alias: field_key for field_key, aliases in _ALIASES.items() for alias in aliases
}
# Words real forms misspell, corrected before a second look-up.
_SPELLING = {
    "failiure": "failure", "faliure": "failure", "failur": "failure", "falure": "failure",
    "failue": "failure", "occurance": "occurrence", "occurence": "occurrence",
    "ocurrence": "occurrence", "occurrance": "occurrence", "ocurrance": "occurrence",
    "occurrences": "occurrence", "serverity": "severity", "severety": "severity",
    "sevirity": "severity", "severiy": "severity", "detecion": "detection",
    "dectection": "detection", "detction": "detection", "detectabilty": "detectability",
    "probabilty": "probability", "probablity": "probability", "likelyhood": "likelihood",
    "reccomended": "recommended", "recomended": "recommended", "recommeded": "recommended",
    "reccommended": "recommended", "responsability": "responsibility",
    "responsiblity": "responsibility", "mechanisim": "mechanism", "effet": "effect",
    "efects": "effects", "casue": "cause", "cuase": "cause", "fuction": "function",
    "funtion": "function", "controles": "controls", "prevension": "prevention",
}  # fmt: skip
# "Revised S" is a score column like "S"; `says_revised` keeps what the prefix said.
_OPTIONAL_PREFIXES = (
    "potential ", "current ", "dfmea ", "pfmea ", "fmea ", "revised ", "new ", "resulting ",
    "final ",
)  # fmt: skip
_REVISED_WORDS = frozenset({"revised", "new", "resulting", "after", "final", "residual"})
_PERSON_WORDS = frozenset({"responsibility", "responsible", "owner", "person", "who"})
_DATE_WORDS = frozenset({"date", "target", "due", "when", "deadline"})
_POTENTIAL = frozenset({"potencial", "potentiel", "potentielle"})
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _fold(text: str) -> str:
    """Lower case with umlauts spelt out and other accents dropped ("Maßnahme" -> "massnahme")."""
    value = text.lower().translate(_TRANSLITERATE)
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise_header(text: object) -> str:
    """Lower-case header text with plurals folded and punctuation, brackets and filler removed."""
    if text is None:
        return ""
    value = _fold(str(text))
    value = re.sub(r"severity\s*\(s\)", "severity", value)  # "Severity(S)": not a plural
    value = re.sub(r"s\s*\(s\)", "s", value)  # "Causes(s)": a plural written twice
    value = re.sub(r"(\w)\s?\(s\)", r"\1s", value)  # "effect(s)", "Effect (s)" -> "effects"
    value = re.sub(r"\([^)]*\)", " ", value)  # "(S)", "(FE)", "(Potential)"
    value = value.replace("&", " and ").replace("'", "").replace("\u2019", "")
    value = re.sub(r"(?<=\w)\.(?=\w)", "", value)  # "R.P.N." -> "RPN."
    value = re.sub(r"[^a-z0-9]+", " ", value).strip()
    value = re.sub(r"^(\d+[a-z]?|[a-z]) (?=[a-z]{2})", "", value)  # "2. Focus Element", "a) Item"
    value = _join_stacked_letters(value)
    changed = True
    while changed:
        changed = False
        for prefix in _OPTIONAL_PREFIXES:
            if value.startswith(prefix) and value != prefix.strip():
                value = value[len(prefix) :]
                changed = True
    return value


def _join_stacked_letters(value: str) -> str:
    """ "s e v" -> "sev", "8 o c c" -> "occ": letters stacked one per line in a narrow column,
    possibly after the column's number."""
    words = value.split()
    if len(words) >= 2 and words[0].isdigit():
        words = words[1:]
    if len(words) >= 2 and all(len(word) == 1 and word.isalpha() for word in words):
        return "".join(words)
    return value


def says_revised(text: object) -> bool:
    """A header such as "Revised Sev", "New RPN" or "Resulting O": a score after actions."""
    words = set(re.sub(r"[^a-z]+", " ", _fold(str(text or ""))).split())
    return bool(words & _REVISED_WORDS)


def match_header(text: object) -> str | None:
    """The field a header names, or None when it is not a column we know."""
    normalised = normalise_header(text)
    if not normalised:
        return None
    found = _lookup(normalised)
    if found is None:
        corrected = " ".join(_SPELLING.get(word, word) for word in normalised.split())
        found = _lookup(corrected) if corrected != normalised else None
        if found is None:
            singular = " ".join(_singular(word) for word in corrected.split())
            found = _lookup(singular) if singular != corrected else None
    if found == FUNCTION and ("next higher" in normalised or "next lower" in normalised):
        return None  # AIAG-VDA forms: only the focus element's function is the row's function
    return found


def exact_field(text: object) -> str | None:
    """The field a header names by one of its exact aliases (no guessing): for telling a second
    header row from data."""
    return _LOOKUP.get(normalise_header(text))


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _lookup(normalised: str) -> str | None:
    if normalised in _LOOKUP:
        return _LOOKUP[normalised]
    words = set(normalised.split())
    if "recommended" in words and words & {"action", "actions", "control", "controls"}:
        return ACTION  # "Recommended Action(s)/Controls": what to do, not a control in place
    if words & {"potencial", "potentiel", "potentielle"}:  # "Modo de Falha Potencial"
        shorter = " ".join(w for w in normalised.split() if w not in _POTENTIAL)
        if shorter in _LOOKUP:
            return _LOOKUP[shorter]
    if words & {"control", "controls", "controles", "controle"}:
        if words & {"prevention", "preventive", "preventative"}:
            return PREVENTION
        # "Detection controls", "Detective controls", and the single "Current Controls"
        # column of older (AIAG 3rd edition) forms: text, never the Detection score.
        return DETECTION_CONTROLS
    if words & _PERSON_WORDS and words & _DATE_WORDS:
        return OWNER_AND_DUE  # "Person Responsible and Target Completion Date"
    for separator in (" of ", " with ", " for ", " to ", " and ", " or "):
        head = normalised.split(separator, 1)[0]
        if head != normalised and head in _LOOKUP:
            return _LOOKUP[head]
    if " or " in normalised:  # "Product or Process Step"
        tail = normalised.rsplit(" or ", 1)[1]
        if tail in _LOOKUP:
            return _LOOKUP[tail]
    if words & {"effect", "effects", "consequence", "consequences"}:
        return EFFECT  # "Potential Technical Effect(s) of Failure"
    if "function" in words or "functions" in words:  # "2. Focus Element Function and Requirement"
        return FUNCTION
    return None
