"""The review policy file (TOML): which rules run, their thresholds, and the waivers.

```toml
[rules.high-priority-without-action]
rpn_at_least = 200          # an RPN at or above 200 counts as high too

[rules.overdue-action]
grace_days = 14

[rules.component-without-failure-modes]
enabled = true              # off by default

[[waivers]]
rule = "high-priority-without-action"
failure_mode_id = 412       # or: component = "payments", or: dependency = "checkout -> payments"
reason = "Acquirer failover tested quarterly; see RUN-88"
owner = "payments-sre"
expires = 2027-03-31
```

`parse_policy` takes the text (the caller reads the file): a malformed policy raises
`PolicyError` naming the line and the key, so a pipeline's log points at the mistake.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from typing import Any

from fma_app.analysis.review import RULES_BY_ID, WAIVER_EXPIRED, Policy, Waiver
from fma_app.domain.dates import parse_date
from fma_app.domain.errors import ValidationError

_TOP_KEYS = ("rules", "waivers")
_WAIVER_KEYS = ("rule", "failure_mode_id", "component", "dependency", "reason", "owner", "expires")
_WAIVER_TARGETS = ("failure_mode_id", "component", "dependency")


class PolicyError(ValueError):
    """A policy that cannot be used; the message names the line and the key."""


def parse_policy(text: str) -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"not valid TOML: {error}") from None
    locate = _Locator(text)
    for key in data:
        if key not in _TOP_KEYS:
            raise locate.error((key,), f"unknown key; expected one of: {', '.join(_TOP_KEYS)}")
    enabled, settings = _rules(data.get("rules", {}), locate)
    waivers = _waivers(data.get("waivers", []), locate)
    return Policy(enabled=enabled, settings=settings, waivers=tuple(waivers))


def _rules(rules: object, locate: _Locator) -> tuple[dict[str, bool], dict[str, dict[str, object]]]:
    if not isinstance(rules, dict):
        raise locate.error(("rules",), "must be a table of rule ids, like [rules.not-rated]")
    enabled: dict[str, bool] = {}
    settings: dict[str, dict[str, object]] = {}
    for rule_id, values in rules.items():
        path = ("rules", rule_id)
        rule = RULES_BY_ID.get(rule_id)
        if rule is None or rule_id == WAIVER_EXPIRED:
            known = ", ".join(r for r in RULES_BY_ID if r != WAIVER_EXPIRED)
            raise locate.error(path, f"unknown rule id; the rules are: {known}")
        if not isinstance(values, dict):
            raise locate.error(path, "must be a table, like [rules.not-rated] enabled = false")
        allowed = {name: kind for name, kind, _ in rule.settings}
        for name, value in values.items():
            if name == "enabled":
                if not isinstance(value, bool):
                    raise locate.error((*path, name), f"must be true or false, not {value!r}")
                enabled[rule_id] = value
            elif name in allowed:
                settings.setdefault(rule_id, {})[name] = _count(value, locate, (*path, name))
            else:
                names = ", ".join(["enabled", *allowed])
                raise locate.error((*path, name), f"unknown setting; this rule takes: {names}")
    return enabled, settings


def _count(value: object, locate: _Locator, path: tuple[str, ...]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise locate.error(path, f"must be a whole number 0 or more, not {value!r}")
    return value


def _waivers(waivers: object, locate: _Locator) -> list[Waiver]:
    if not isinstance(waivers, list):
        raise locate.error(("waivers",), "must be an array of tables, each under [[waivers]]")
    result = []
    for index, entry in enumerate(waivers):
        if not isinstance(entry, dict):
            raise locate.error(("waivers",), f"waiver {index + 1} must be a table")
        result.append(_waiver(entry, index, locate))
    return result


def _waiver(entry: dict[str, Any], index: int, locate: _Locator) -> Waiver:
    def fail(key: str, problem: str) -> PolicyError:
        return locate.error(("waivers", key), f"waiver {index + 1}: {problem}", index)

    for key in entry:
        if key not in _WAIVER_KEYS:
            raise fail(key, f"unknown key; a waiver takes: {', '.join(_WAIVER_KEYS)}")
    rule = entry.get("rule")
    if rule not in RULES_BY_ID or rule == WAIVER_EXPIRED:
        raise fail("rule", f"rule {rule!r} is not a rule id")
    targets = [key for key in _WAIVER_TARGETS if key in entry]
    if len(targets) != 1:
        raise fail(targets[-1] if targets else "rule", "needs exactly one of failure_mode_id, "
                   "component, dependency")  # fmt: skip
    target = targets[0]
    value = entry[target]
    if target == "failure_mode_id" and (isinstance(value, bool) or not isinstance(value, int)):
        raise fail(target, f"failure_mode_id must be a whole number, not {value!r}")
    if target != "failure_mode_id" and (not isinstance(value, str) or not value.strip()):
        raise fail(target, f"{target} must be a non-empty text, not {value!r}")
    if target == "dependency" and value.count("->") != 1:
        raise fail(target, f"dependency {value!r} must be written 'source -> target'")
    texts = {}
    for key in ("reason", "owner"):
        text = entry.get(key)
        if not isinstance(text, str) or not text.strip():
            raise fail(key, f"{key} must be given as a non-empty text (who waived it, and why)")
        texts[key] = text.strip()
    return Waiver(
        rule=rule,
        reason=texts["reason"],
        owner=texts["owner"],
        expires=_date(entry.get("expires"), fail),
        **{target: value},
    )


def _date(value: object, fail: Any) -> dt.date:
    """A waiver's expiry: required, so a blank one is as wrong as a bad one."""
    try:
        parsed = parse_date("expires", value)
    except ValidationError:
        parsed = None
    if parsed is None:
        raise fail("expires", f"expires must be a date written YYYY-MM-DD, not {value!r}")
    return parsed


class _Locator:
    """Finds the line of a key in the policy text, for messages (tomllib keeps no positions).

    Good for the shapes a policy takes: `[rules.ID]` tables with `key = value` lines, and
    `[[waivers]]` tables; anything else falls back to the first line that names the key.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*("?)([A-Za-z0-9_.\-]+)\1\s*=""")

    def __init__(self, text: str):
        self.lines = text.splitlines()

    def line_of(self, path: tuple[str, ...], index: int = 0) -> int | None:
        """The line of the key at `path`; for a key missing from a table (a waiver without an
        owner), the table's header line. `index` picks the [[waivers]] table."""
        table, key = ".".join(path[:-1]), path[-1]
        current, seen, header_line, fallback = "", -1, None, None
        for number, line in enumerate(self.lines, start=1):
            header = self._HEADER.match(line)
            if header:
                current = _unquote(header.group(2))
                if current == table and header.group(1) == "[[":
                    seen += 1
                    if seen == index:
                        header_line = number
                if current == ".".join(path):
                    return number  # the key is a table of its own: [rules.ID]
                continue
            found = self._KEY.match(line)
            if not found:
                continue
            name = found.group(2)
            in_table = current == table and (table != "waivers" or seen == index)
            if in_table and name == key:
                return number
            full = f"{current}.{name}" if current else name
            if fallback is None and full.startswith(".".join(path)):
                fallback = number
        return header_line if header_line is not None else fallback

    def error(self, path: tuple[str, ...], problem: str, index: int = 0) -> PolicyError:
        line = self.line_of(path, index)
        where = f"line {line}, " if line is not None else ""
        return PolicyError(f"{where}key {'.'.join(path)}: {problem}")


def _unquote(name: str) -> str:
    return ".".join(part.strip().strip('"') for part in name.split("."))
