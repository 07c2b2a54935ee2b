"""A review as JUnit XML, so CI systems show `fma-app check` as tests: one test suite per rule,
one test case per item the rule checked, a `failure` per violation, and a skipped case for a
rule that did not run (with the reason). Waived violations pass, with the waiver in the case's
`system-out`.

Written as text with the standard library's escaping: a model of 20,000 failure modes makes
about 100,000 test cases, and building an element tree for them costs more than the review.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from fma_app.analysis.review import Finding, Item, Review, RuleResult, Waiver

SUITES_NAME = "fma-app check"


# What XML 1.0 cannot carry, even escaped (most control characters, lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Anything that needs work in text or in an attribute; most names and messages have none, and
# the check is far cheaper than the standard library's escaping (100,000 cases).
_SPECIAL = re.compile('[&<>"\t\n\r]|[^\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')
_ATTRIBUTE = {"\t": "&#9;", "\n": "&#10;", "\r": "&#13;", '"': "&quot;"}


def _clean(text: str) -> str:
    """The text with characters XML cannot carry shown as U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _text(text: str) -> str:
    """Element text: escaped, and cleaned of what XML cannot carry."""
    return text if _SPECIAL.search(text) is None else escape(_clean(text))


def _attr(text: str) -> str:
    """A quoted attribute value (tabs and line breaks kept as character references)."""
    if _SPECIAL.search(text) is None:
        return f'"{text}"'
    return f'"{escape(_clean(text), _ATTRIBUTE)}"'


def junit_xml(review: Review, model_name: str) -> str:
    results = review.results
    tests = sum(max(len(r.items), 1 if r.skipped else 0) for r in results)
    failures = sum(len(r.findings) for r in results)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name={_attr(f"{SUITES_NAME}: {model_name}")} tests="{tests}" '
        f'failures="{failures}" errors="0">',
    ]
    for result in results:
        lines.extend(_suite(result))
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


def _suite(result: RuleResult) -> list[str]:
    rule = result.rule.id
    if result.skipped:
        return [
            f'  <testsuite name={_attr(rule)} tests="1" failures="0" errors="0" skipped="1">',
            f'    <testcase classname={_attr(rule)} name="(rule not run)">',
            f"      <skipped message={_attr(result.skipped)}/>",
            "    </testcase>",
            "  </testsuite>",
        ]
    failed: dict[Item, list[Finding]] = {}
    for finding in result.findings:
        failed.setdefault(finding.item, []).append(finding)
    waived: dict[Item, Waiver] = {finding.item: waiver for finding, waiver in result.waived}
    lines = [
        f'  <testsuite name={_attr(rule)} tests="{len(result.items)}" '
        f'failures="{len(result.findings)}" errors="0" skipped="0">'
    ]
    classname = _attr(rule)
    for item in result.items:
        head = f"    <testcase classname={classname} name={_attr(item.label)}"
        findings, waiver = failed.get(item), waived.get(item)
        if not findings and waiver is None:
            lines.append(head + "/>")
            continue
        lines.append(head + ">")
        for finding in findings or ():
            message = finding.message
            lines.append(
                f"      <failure type={classname} message={_attr(message)}>"
                f"{_text(message)}</failure>"
            )
        if waiver is not None:
            note = f"waived by {waiver.owner} until {waiver.expires.isoformat()}: {waiver.reason}"
            lines.append(f"      <system-out>{_text(note)}</system-out>")
        lines.append("    </testcase>")
    lines.append("  </testsuite>")
    return lines
